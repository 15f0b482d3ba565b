//! The crate's one error: an SLA policy that does not parse.

/// Why an SLA policy (`critical=7,high=30,...`) was refused.
///
/// Every variant quotes the whole input and, where there is one, the 1-based entry
/// (comma-separated part) at fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    #[error(
        "SLA policy {input:?}: entry {entry} is empty; separate key=days entries with single commas"
    )]
    EmptyEntry { input: String, entry: usize },

    #[error(
        "SLA policy {input:?}: entry {entry} {part:?} has no '='; write key=days, for example high=30"
    )]
    MissingEquals {
        input: String,
        entry: usize,
        part: String,
    },

    #[error("SLA policy {input:?}: entry {entry}: unknown key {key:?}; the keys are {keys}")]
    UnknownKey {
        input: String,
        entry: usize,
        key: String,
        keys: &'static str,
    },

    #[error("SLA policy {input:?}: entry {entry}: key {key:?} is given twice")]
    DuplicateKey {
        input: String,
        entry: usize,
        key: String,
    },

    #[error("SLA policy {input:?}: entry {entry}: {key}={value:?} is not a whole number of days")]
    NotANumber {
        input: String,
        entry: usize,
        key: String,
        value: String,
    },

    #[error("SLA policy {input:?}: {key}={days} is out of range; days must be from 1 to {max}")]
    OutOfRange {
        input: String,
        key: String,
        days: u32,
        max: u32,
    },
}
