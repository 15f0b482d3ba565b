//! SPDX 2.2/2.3 JSON: serde straight into the raw structs.

use crate::jsonutil::{check_depth, from_slice};
use crate::spdx::{RawDoc, convert};
use crate::{Bom, Error, Format, Limits};

pub(crate) fn parse(bytes: &[u8], limits: &Limits) -> Result<Bom, Error> {
    let bytes = crate::detect::strip_bom(bytes);
    check_depth(bytes, limits)?;
    let raw: RawDoc<'_> = from_slice(bytes, Format::SpdxJson)?;
    convert(&raw, Format::SpdxJson, limits)
}
