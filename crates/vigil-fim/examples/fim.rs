//! A small command around the crate, for the benchmark (scripts/bench-fim) and for
//! trying it out:
//!
//! ```text
//! fim baseline PATH [--threads N] [--exclude GLOB]... [--max-hashed-size BYTES] > manifest.json
//! fim check PATH MANIFEST [--threads N] [--trust-metadata] [--mtime]
//! ```
//!
//! `check` prints one line per entry added, removed or changed (`changed PATH
//! content,size`) and exits 0 when the tree is clean, 1 when something changed, 2 on
//! a usage error or when the tree or manifest cannot be read. Both print what they
//! read, and how fast, on stderr.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use vigil_fim::{Manifest, Options};

const USAGE: &str = "usage: fim baseline PATH [--threads N] [--exclude GLOB]... [--max-hashed-size BYTES] > manifest.json\n       fim check PATH MANIFEST [--threads N] [--trust-metadata] [--mtime]";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("fim: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> Result<ExitCode, String> {
    let mut options = Options::default();
    let mut positional = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--threads" => {
                let n = value("--threads")?;
                options.threads = n
                    .parse()
                    .map_err(|_| format!("--threads {n}: not a number"))?;
            }
            "--exclude" => options.exclude.push(value("--exclude")?),
            "--max-hashed-size" => {
                let n = value("--max-hashed-size")?;
                options.limits.max_hashed_file_size = n
                    .parse()
                    .map_err(|_| format!("--max-hashed-size {n}: not a number of bytes"))?;
            }
            "--trust-metadata" => options.trust_unchanged_metadata = true,
            "--mtime" => options.compare.mtime = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}\n{USAGE}")),
            _ => positional.push(arg),
        }
    }
    let start = Instant::now();
    match positional.as_slice() {
        [command, path] if command == "baseline" => {
            let manifest = vigil_fim::baseline(path, &options).map_err(|e| e.to_string())?;
            let mut json = manifest.to_json();
            json.push(b'\n');
            std::io::stdout()
                .write_all(&json)
                .map_err(|e| format!("writing the manifest: {e}"))?;
            report(&manifest, start);
            Ok(ExitCode::SUCCESS)
        }
        [command, path, manifest] if command == "check" => {
            let json = std::fs::read(manifest).map_err(|e| format!("{manifest}: {e}"))?;
            let manifest = Manifest::from_json(&json, &options.limits)
                .map_err(|e| format!("{}: {e}", positional[2]))?;
            let changes = vigil_fim::check(path, &manifest, &options).map_err(|e| e.to_string())?;
            let mut out = String::new();
            for entry in &changes.added {
                out.push_str(&format!("added {}\n", entry.path));
            }
            for entry in &changes.removed {
                out.push_str(&format!("removed {}\n", entry.path));
            }
            for change in &changes.changed {
                let what: Vec<&str> = change.what.iter().map(|a| a.name()).collect();
                out.push_str(&format!("changed {} {}\n", change.path, what.join(",")));
            }
            std::io::stdout()
                .write_all(out.as_bytes())
                .map_err(|e| format!("writing the changes: {e}"))?;
            report(&manifest, start);
            eprintln!(
                "{} added, {} removed, {} changed",
                changes.added.len(),
                changes.removed.len(),
                changes.changed.len()
            );
            Ok(if changes.is_clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        _ => Err(USAGE.to_owned()),
    }
}

fn report(manifest: &Manifest, start: Instant) {
    let seconds = start.elapsed().as_secs_f64();
    let totals = manifest.totals();
    eprintln!(
        "{} entries, {} files, {:.1} MB in {seconds:.2} s: {:.0} MB/s, {:.0} files/s",
        totals.entries,
        totals.files,
        totals.bytes as f64 / 1e6,
        totals.bytes as f64 / 1e6 / seconds,
        totals.files as f64 / seconds
    );
}
