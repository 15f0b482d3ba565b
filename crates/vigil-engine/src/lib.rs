//! Vigil's engine: the I/O around the pure domain crates. Today it reads advisories from
//! directories, zip archives (osv.dev's `all.zip`) and files into a match index.

pub mod advisories;
pub mod feed;
