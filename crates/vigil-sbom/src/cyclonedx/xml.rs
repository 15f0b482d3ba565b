//! CycloneDX XML (placeholder until the XML reader lands).

use crate::{Bom, Error, Format, Limits};

pub(crate) fn parse(_bytes: &[u8], _limits: &Limits) -> Result<Bom, Error> {
    Err(Error::UnknownFormat {
        found: format!("{}, not read yet", Format::CycloneDxXml),
    })
}
