//! Version order of RubyGems' Gem::Version.
//! (Placeholder while the ordering is written: every input is rejected.)

use crate::Invalid;
use crate::key::KeyWriter;

pub(crate) fn encode(_input: &str, _w: &mut KeyWriter) -> Result<(), Invalid> {
    Err(Invalid::new("not implemented yet"))
}
