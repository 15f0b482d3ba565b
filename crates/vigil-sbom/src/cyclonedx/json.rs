//! CycloneDX JSON: serde straight into the raw structs, borrowing unescaped strings.

use crate::cyclonedx::{RawBom, convert};
use crate::jsonutil::{check_depth, from_slice};
use crate::{Bom, Error, Format, Limits};

pub(crate) fn parse(bytes: &[u8], limits: &Limits) -> Result<Bom, Error> {
    let bytes = crate::detect::strip_bom(bytes);
    check_depth(bytes, limits)?;
    let raw: RawBom<'_> = from_slice(bytes, Format::CycloneDxJson)?;
    convert(&raw, Format::CycloneDxJson, limits)
}
