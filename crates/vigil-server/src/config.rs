//! The server configuration: a TOML file, then `VIGIL_*` environment variables, then flags.
