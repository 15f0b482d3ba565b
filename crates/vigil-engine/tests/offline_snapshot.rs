//! Conformance: osv-scanner's offline-database scans (`TestCommand_LocalDatabases`)
//! against Vigil on the same inputs and the same 28 osv.dev records.
//!
//! osv-scanner's snapshot holds its CLI output for each case: the files it scanned
//! (`Scanned <rootdir>/testdata/X file and found N packages`) and one table row per
//! (advisory, package, version, source file). For every scanned input that Vigil reads
//! (the SBOMs), the records are loaded the way `vigil scan -a DIR` loads them, the SBOM is
//! scanned, and the set of (advisory id, package, version) is compared with that input's
//! rows. Inputs Vigil does not read yet (lock files) are listed with the reason.
//!
//! A difference fails the test unless [`ALLOWED`] explains it; an entry of [`ALLOWED`]
//! that no longer matches a difference fails it too, so the list cannot go stale.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use vigil_engine::advisories::{self, SourceLimits};
use vigil_match::Index;

const SNAPSHOT: &str = "osv-scanner/expected-TestCommand_LocalDatabases.snap";

/// One row of a result table: (advisory id, package, version).
type Row = (String, String, String);

/// A difference between osv-scanner and Vigil that is explained rather than fixed.
struct Allowed {
    /// The snapshot case (`TestCommand_LocalDatabases.../name`).
    case: &'static str,
    /// The input, as the snapshot names it under `testdata/`.
    input: &'static str,
    row: (&'static str, &'static str, &'static str),
    /// Which side reports the row.
    only_in: Side,
    /// A line the case's snapshot output must contain for the explanation to hold.
    evidence: &'static str,
    why: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    OsvScanner,
    Vigil,
}

const ALLOWED: &[Allowed] = &[Allowed {
    case: "TestCommand_LocalDatabases_AlwaysOffline/a_bunch_of_different_lockfiles_and_ecosystem",
    input: "locks-many-with-insecure/alpine.cdx.xml",
    row: ("ALPINE-CVE-2025-26519", "musl", "1.2.3-r4"),
    only_in: Side::Vigil,
    evidence: "could not load db for Alpine ecosystem: unable to fetch OSV database: no offline version of the OSV database is available",
    why: "this case runs osv-scanner with no offline databases at all; it could not load the \
          Alpine database, so its table is empty. With the Alpine record loaded, osv-scanner \
          reports this very row for this very file (all_supported_lockfiles_in_the_directory_\
          should_be_checked), and Vigil agrees with it there",
}];

/// One `[name - N]` section of the snapshot.
#[derive(Debug)]
struct Case {
    name: String,
    text: String,
}

/// The stdout of each case's first run (`- 1`); the second run (`- 3`) must be the same.
fn cases(snapshot: &str) -> Vec<Case> {
    let mut sections: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in snapshot.lines() {
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']'))
            && let Some((name, run)) = header.rsplit_once(" - ")
        {
            current = Some((name.to_owned(), run.to_owned()));
            sections
                .entry((name.to_owned(), run.to_owned()))
                .or_default();
            continue;
        }
        if line == "---" {
            current = None;
            continue;
        }
        if let Some(key) = &current {
            let text = sections.get_mut(key).expect("section was opened");
            text.push_str(line);
            text.push('\n');
        }
    }
    let mut out = Vec::new();
    for ((name, run), text) in &sections {
        if run != "1" {
            continue;
        }
        let again = sections.get(&(name.clone(), "3".to_owned()));
        assert_eq!(
            again,
            Some(text),
            "{name}: the snapshot's two runs differ; the snapshot format changed"
        );
        out.push(Case {
            name: name.clone(),
            text: text.clone(),
        });
    }
    assert!(!out.is_empty(), "{SNAPSHOT}: no cases found");
    out
}

/// The inputs a case scanned, as paths under `testdata/`.
fn scanned(case: &Case) -> Vec<String> {
    case.text
        .lines()
        .filter_map(|l| l.strip_prefix("Scanned <rootdir>/testdata/"))
        .map(|l| {
            l.split_once(" file and found ")
                .unwrap_or_else(|| panic!("{}: unexpected Scanned line {l:?}", case.name))
                .0
                .to_owned()
        })
        .collect()
}

/// The rows of a case's table for one input (its SOURCE column).
fn expected_rows(case: &Case, input: &str) -> BTreeSet<Row> {
    let source = format!("testdata/{input}");
    let mut rows = BTreeSet::new();
    for line in case.text.lines() {
        let Some(rest) = line.strip_prefix("| https://osv.dev/") else {
            continue;
        };
        let cells: Vec<&str> = rest.split('|').map(str::trim).collect();
        // id | CVSS | ECOSYSTEM | PACKAGE | VERSION | FIXED VERSION | SOURCE |
        let [id, _cvss, _ecosystem, package, version, _fixed, src, ""] = cells[..] else {
            panic!("{}: table row has an unexpected shape: {line:?}", case.name);
        };
        if src == source {
            rows.insert((id.to_owned(), package.to_owned(), version.to_owned()));
        }
    }
    rows
}

const NOT_READ: &str = "not a format Vigil reads";

/// What Vigil reads, and why it skips the rest.
fn kind(input: &str) -> Result<(), &'static str> {
    let file = input.rsplit('/').next().unwrap_or(input);
    if [".cdx.xml", ".cdx.json", ".spdx.json"]
        .iter()
        .any(|s| file.ends_with(s))
    {
        return Ok(());
    }
    Err(match file {
        "composer.lock" => "Packagist composer.lock: Vigil reads no lock files yet",
        "Gemfile.lock" => "RubyGems Gemfile.lock: Vigil reads no lock files yet",
        "package-lock.json" | "my-package-lock.json" => {
            "npm package-lock.json: Vigil reads no lock files yet"
        }
        "yarn.lock" | "my-yarn.lock" => "npm yarn.lock: Vigil reads no lock files yet",
        "installed" => "apk database (lib/apk/db/installed): Vigil reads no lock files yet",
        "status" => "dpkg database (var/lib/dpkg/status): Vigil reads no lock files yet",
        f if f.ends_with(".mod") => "Go go.mod: Vigil reads no lock files yet",
        f if f.ends_with(".txt") => "PyPI requirements.txt: Vigil reads no lock files yet",
        _ => NOT_READ,
    })
}

fn load_records(data: &Path) -> Index {
    let mut index = Index::new();
    let dir = data.join("osv-scanner/offline-records");
    let report = advisories::load(&dir, &mut index, &SourceLimits::default(), &mut |_, _| {})
        .unwrap_or_else(|e| panic!("loading {}: {e}", dir.display()));
    assert!(
        report.rejected.is_empty(),
        "offline records rejected: {:?}",
        report.rejected
    );
    assert_eq!(report.records, 28, "the snapshot has 28 offline records");
    index
}

/// Vigil's rows for one SBOM, and the reader's warnings (the leniencies it applied).
fn vigil_rows(index: &Index, path: &Path) -> Result<(BTreeSet<Row>, Vec<String>), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let bom = vigil_sbom::parse(&bytes).map_err(|e| e.to_string())?;
    let report = vigil_match::scan::scan(index, &bom);
    let rows = report
        .findings
        .iter()
        .map(|f| (f.advisory.clone(), f.package.clone(), f.version.clone()))
        .collect();
    Ok((rows, bom.warnings.iter().map(ToString::to_string).collect()))
}

fn show_warnings(warnings: &[String]) -> String {
    if warnings.is_empty() {
        return String::new();
    }
    format!(
        " (read leniently, {} warning(s): {})",
        warnings.len(),
        warnings.join("; ")
    )
}

fn show(row: &Row) -> String {
    format!("{} {}@{}", row.0, row.1, row.2)
}

#[test]
fn offline_scans_agree_with_osv_scanner() {
    let Some(data) = vigil_testkit::conformance_dir("osv-scanner offline") else {
        return;
    };
    let fixtures = data.join("osv-scanner/fixtures");
    let index = load_records(&data);
    let cases = cases(&vigil_testkit::read(&data, SNAPSHOT));

    let mut compared = 0;
    let mut agree = 0;
    let mut explained = 0;
    let mut unexplained = Vec::new();
    let mut used = vec![false; ALLOWED.len()];
    // Skipped input → (reason, cases that scanned it).
    let mut skipped: BTreeMap<String, (&str, usize)> = BTreeMap::new();
    let mut sboms_in_cases = BTreeSet::new();

    for case in &cases {
        for input in scanned(case) {
            if let Err(reason) = kind(&input) {
                skipped.entry(input).or_insert((reason, 0)).1 += 1;
                continue;
            }
            let path = fixtures.join(&input);
            assert!(
                path.is_file(),
                "{}: scanned {input}, which is not in the fixtures",
                case.name
            );
            sboms_in_cases.insert(input.clone());
            compared += 1;
            let expected = expected_rows(case, &input);
            let got = match vigil_rows(&index, &path) {
                Ok((rows, warnings)) => {
                    if !warnings.is_empty() {
                        eprintln!("{} / {input}:{}", case.name, show_warnings(&warnings));
                    }
                    rows
                }
                Err(e) => {
                    unexplained.push(format!(
                        "{} / {input}: Vigil cannot read it: {e}",
                        case.name
                    ));
                    continue;
                }
            };
            agree += expected.intersection(&got).count();
            let differences = expected
                .difference(&got)
                .map(|r| (r, Side::OsvScanner))
                .chain(got.difference(&expected).map(|r| (r, Side::Vigil)));
            for (row, side) in differences {
                let allowed = ALLOWED.iter().position(|a| {
                    a.case == case.name
                        && a.input == input
                        && a.only_in == side
                        && (a.row.0, a.row.1, a.row.2) == (&row.0[..], &row.1[..], &row.2[..])
                });
                match allowed {
                    Some(i) => {
                        let a = &ALLOWED[i];
                        assert!(
                            case.text.contains(a.evidence),
                            "{}: the allow-list entry for {} rests on {:?}, which the snapshot no longer says",
                            case.name,
                            show(row),
                            a.evidence
                        );
                        used[i] = true;
                        explained += 1;
                        eprintln!(
                            "explained: {} / {input}: {} only in {side:?}: {}",
                            case.name,
                            show(row),
                            a.why
                        );
                    }
                    None => unexplained.push(format!(
                        "{} / {input}: {} only reported by {side:?}",
                        case.name,
                        show(row)
                    )),
                }
            }
        }
    }

    for (input, (reason, n)) in &skipped {
        eprintln!("skipped: testdata/{input} (scanned by osv-scanner in {n} case(s)): {reason}");
    }

    // Lock files in the fixtures that no case of the snapshot scanned (osv-scanner's
    // source scan does not read apk and dpkg databases, nor a go.mod by another name).
    let mut stack = vec![fixtures.clone()];
    let mut unscanned = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixture directory") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let input = path
                .strip_prefix(&fixtures)
                .expect("under the fixtures")
                .to_string_lossy()
                .replace('\\', "/");
            if let Err(reason) = kind(&input)
                && reason != NOT_READ
                && !skipped.contains_key(&input)
            {
                unscanned.push((input, reason));
            }
        }
    }
    unscanned.sort();
    for (input, reason) in &unscanned {
        eprintln!("skipped: testdata/{input} (no case of the snapshot scans it): {reason}");
    }

    // The other SBOMs of the fixtures have no case in this snapshot: scanned here so what
    // Vigil does with them is visible, but there is nothing to compare with.
    let mut others = Vec::new();
    for dir in ["sbom-insecure", "locks-many-with-insecure"] {
        for entry in std::fs::read_dir(fixtures.join(dir)).expect("fixture directory") {
            let name = entry.expect("directory entry").file_name();
            let input = format!("{dir}/{}", name.to_string_lossy());
            if kind(&input).is_ok() && !sboms_in_cases.contains(&input) {
                others.push(input);
            }
        }
    }
    others.sort();
    for input in &others {
        let result = match vigil_rows(&index, &fixtures.join(input)) {
            Ok((rows, warnings)) if rows.is_empty() => {
                format!("Vigil reports nothing{}", show_warnings(&warnings))
            }
            Ok((rows, warnings)) => format!(
                "Vigil reports {}{}",
                rows.iter().map(show).collect::<Vec<_>>().join(", "),
                show_warnings(&warnings)
            ),
            Err(e) => format!("Vigil cannot read it: {e}"),
        };
        eprintln!("not compared: testdata/{input}: no case of the snapshot scans it; {result}");
    }

    let stale: Vec<&str> = ALLOWED
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|(a, _)| a.case)
        .collect();
    eprintln!(
        "conformance osv-scanner offline: {compared} SBOM cases compared, {agree} rows agree, {explained} differences explained, {} inputs skipped (lockfiles)",
        skipped.len()
    );
    eprintln!(
        "  besides: {} lock files in the fixtures that no case scans, {} SBOMs that no case scans",
        unscanned.len(),
        others.len()
    );
    assert!(
        unexplained.is_empty(),
        "differences from osv-scanner that are neither fixed nor explained:\n{}",
        unexplained.join("\n")
    );
    assert!(
        stale.is_empty(),
        "allow-list entries that explain no difference any more (remove them): {stale:?}"
    );
    assert!(compared > 0 && agree > 0, "nothing was compared");
}
