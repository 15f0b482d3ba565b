//! Telling a report's format from its top-level keys, without parsing the whole of it.

use crate::json::trim_start;
use crate::model::Format;

/// The format of `bytes`, from the keys of the top-level object (or, for Nikto's list of
/// hosts, of the array's first object):
///
/// - `runs` with `version` or `$schema`: SARIF;
/// - `SchemaVersion` with `Results` or `ArtifactName`: Trivy;
/// - `matches` with `descriptor`, `source` or `distro`: Grype;
/// - `site` with `@version`, `@programName` or `@generated`: ZAP;
/// - `vulnerabilities` with `host`, `ip` or `banner`: Nikto.
///
/// `None` for anything else, including text that is not JSON. The keys are found by a
/// scan that tolerates trailing commas (Nikto 2.1.6 writes them); values are not read.
pub fn detect(bytes: &[u8]) -> Option<Format> {
    let keys = top_level_keys(trim_start(bytes))?;
    let has = |k: &str| keys.iter().any(|key| key == k);
    if has("runs") && (has("version") || has("$schema")) {
        Some(Format::Sarif)
    } else if has("SchemaVersion") && (has("Results") || has("ArtifactName")) {
        Some(Format::Trivy)
    } else if has("matches") && (has("descriptor") || has("source") || has("distro")) {
        Some(Format::Grype)
    } else if has("site") && (has("@version") || has("@programName") || has("@generated")) {
        Some(Format::Zap)
    } else if has("vulnerabilities") && (has("host") || has("ip") || has("banner")) {
        Some(Format::Nikto)
    } else {
        None
    }
}

/// Most keys read: a report's top level has a handful.
const MAX_KEYS: usize = 256;
/// Deepest nesting followed; deeper documents are not reports (the readers' own limit
/// is lower by default).
const MAX_DEPTH: usize = 1024;

/// The keys of the top-level object, or of the first element of a top-level array.
fn top_level_keys(text: &[u8]) -> Option<Vec<String>> {
    let (target, start) = match text.first()? {
        b'{' => (1, 1),
        b'[' => (2, 1),
        _ => return None,
    };
    // `stack[d]` is true when the container at depth d+1 is an object.
    let mut stack: Vec<bool> = vec![text[0] == b'{'];
    let mut keys = Vec::new();
    let mut i = start;
    let n = text.len();
    while i < n {
        let b = text[i];
        match b {
            b'"' => {
                let begin = i + 1;
                i += 1;
                while i < n && text[i] != b'"' {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
                let end = i.min(n);
                let in_object = stack.last().copied().unwrap_or(false);
                if stack.len() == target
                    && in_object
                    && next_is_colon(&text[end.saturating_add(1).min(n)..])
                {
                    keys.push(String::from_utf8_lossy(&text[begin..end]).into_owned());
                    if keys.len() >= MAX_KEYS {
                        return Some(keys);
                    }
                }
            }
            b'{' | b'[' => {
                if stack.len() >= MAX_DEPTH {
                    return None;
                }
                stack.push(b == b'{');
            }
            b'}' | b']' => {
                stack.pop();
                // The top-level object, or the array's first element, is done.
                if stack.len() < target {
                    return Some(keys);
                }
            }
            _ => {}
        }
        i += 1;
    }
    Some(keys)
}

fn next_is_colon(rest: &[u8]) -> bool {
    rest.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, want: Option<Format>) {
        assert_eq!(detect(text.as_bytes()), want, "{text}");
    }

    #[test]
    fn formats() {
        check(
            r#"{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[]}"#,
            Some(Format::Sarif),
        );
        check(
            r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","version":"1"}}}]}"#,
            Some(Format::Sarif),
        );
        check(
            r#"{"SchemaVersion":2,"ArtifactName":"alpine:3.19","Results":[]}"#,
            Some(Format::Trivy),
        );
        check(
            r#"{"matches":[],"source":{"type":"image"},"descriptor":{"name":"grype"}}"#,
            Some(Format::Grype),
        );
        check(
            r#"{"@programName":"ZAP","@version":"2.15.0","site":[]}"#,
            Some(Format::Zap),
        );
        check(
            r#"[{"host":"shop.example","ip":"192.0.2.1","port":"443","vulnerabilities":[]}]"#,
            Some(Format::Nikto),
        );
        check(
            "\u{feff}\n{\"host\":\"a\",\"vulnerabilities\":[{\"id\":1,},],}",
            Some(Format::Nikto),
        );
    }

    #[test]
    fn nested_keys_do_not_count() {
        check(r#"{"a":{"runs":[],"version":"2.1.0"}}"#, None);
        check(r#"{"x":"runs","version":"2.1.0"}"#, None);
        check(r#"[{"a":1},{"host":"h","vulnerabilities":[]}]"#, None);
    }

    #[test]
    fn others_are_none() {
        check("", None);
        check("runs version", None);
        check("[1,2]", None);
        check(r#"{"bomFormat":"CycloneDX"}"#, None);
        check(&"[".repeat(5000), None);
    }
}
