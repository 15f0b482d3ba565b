//! Output formats shared by every command that prints data.

use clap::ValueEnum;

/// How a command prints its result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Text for people: a table where the data is tabular.
    #[default]
    #[value(alias = "text")]
    Table,
    /// One JSON document, for programs.
    Json,
}

/// Prints a value as pretty JSON on standard output.
pub(crate) fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
