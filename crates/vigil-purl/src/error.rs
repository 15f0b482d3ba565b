//! Why a purl was rejected.

use std::fmt;

/// A purl component, as named in error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Component {
    Scheme,
    Type,
    Namespace,
    Name,
    Version,
    Qualifiers,
    QualifierKey,
    QualifierValue,
    Subpath,
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Component::Scheme => "scheme",
            Component::Type => "type",
            Component::Namespace => "namespace",
            Component::Name => "name",
            Component::Version => "version",
            Component::Qualifiers => "qualifiers",
            Component::QualifierKey => "qualifier key",
            Component::QualifierValue => "qualifier value",
            Component::Subpath => "subpath",
        })
    }
}

/// A purl that could not be parsed or built.
///
/// Every message starts with the input in quotes: for [`Purl::from_str`] the string as
/// given; for [`PurlBuilder::build`] the components as given, joined into purl shape
/// without any encoding (so `pkg:vcpkg/boost/asio@1.84.0` for a builder given the
/// namespace `boost`). Then it names the component and says what is wrong with it.
///
/// [`Purl::from_str`]: crate::Purl#impl-FromStr-for-Purl
/// [`PurlBuilder::build`]: crate::PurlBuilder::build
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PurlError {
    /// The string does not start with `pkg:`.
    #[error("purl {input:?}: missing the \"pkg:\" scheme")]
    MissingScheme { input: String },

    /// A component every purl needs (the type or the name) is missing or empty.
    #[error("purl {input:?}: missing {component}")]
    Missing { input: String, component: Component },

    /// A component is malformed whatever its type.
    #[error("purl {input:?}: {component} {value:?} {reason}")]
    Invalid {
        input: String,
        component: Component,
        value: String,
        reason: &'static str,
    },

    /// The same qualifier key was given twice (keys are compared after lower-casing).
    #[error("purl {input:?}: qualifier key {key:?} appears more than once")]
    DuplicateQualifier { input: String, key: String },

    /// The type's definition requires a namespace and there is none.
    #[error("purl {input:?}: namespace missing: type {ty:?} requires one")]
    NamespaceRequired { input: String, ty: String },

    /// The type's definition prohibits a namespace and there is one.
    #[error("purl {input:?}: namespace {namespace:?} not allowed: type {ty:?} has none")]
    NamespaceProhibited {
        input: String,
        ty: String,
        namespace: String,
    },

    /// The type's definition requires a qualifier and there is none.
    #[error("purl {input:?}: qualifier {key:?} missing: type {ty:?} requires it")]
    QualifierRequired {
        input: String,
        ty: String,
        key: &'static str,
    },

    /// A component breaks a rule of the type's definition.
    #[error("purl {input:?}: {component} {value:?} invalid for type {ty:?}: {reason}")]
    TypeRule {
        input: String,
        ty: String,
        component: Component,
        value: String,
        reason: &'static str,
    },
}

impl PurlError {
    /// The component at fault, where there is one.
    pub fn component(&self) -> Option<Component> {
        match self {
            PurlError::MissingScheme { .. } => Some(Component::Scheme),
            PurlError::Missing { component, .. }
            | PurlError::Invalid { component, .. }
            | PurlError::TypeRule { component, .. } => Some(*component),
            PurlError::DuplicateQualifier { .. } | PurlError::QualifierRequired { .. } => {
                Some(Component::Qualifiers)
            }
            PurlError::NamespaceRequired { .. } | PurlError::NamespaceProhibited { .. } => {
                Some(Component::Namespace)
            }
        }
    }
}
