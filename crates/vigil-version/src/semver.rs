//! Version order of SemVer and its npm, crates.io and Hex dialects.
//! (Placeholder while the ordering is written: every input is rejected.)

use crate::Invalid;
use crate::key::KeyWriter;

pub(crate) fn encode_semver(_input: &str, _w: &mut KeyWriter) -> Result<(), Invalid> {
    Err(Invalid::new("not implemented yet"))
}

pub(crate) fn encode_npm(_input: &str, _w: &mut KeyWriter) -> Result<(), Invalid> {
    Err(Invalid::new("not implemented yet"))
}

pub(crate) fn encode_cargo(_input: &str, _w: &mut KeyWriter) -> Result<(), Invalid> {
    Err(Invalid::new("not implemented yet"))
}

pub(crate) fn encode_hex(_input: &str, _w: &mut KeyWriter) -> Result<(), Invalid> {
    Err(Invalid::new("not implemented yet"))
}
