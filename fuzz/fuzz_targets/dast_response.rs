#![no_main]
//! Every passive check of `vigil_dast` on an arbitrary response: the input is header lines
//! (`name: value`), a blank line, then the body; its first byte picks HTTP or HTTPS and
//! the status. Never panics; findings keep the evidence and page limits.

use libfuzzer_sys::fuzz_target;
use vigil_dast::{Limits, Response, passive_findings};

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let scheme = if first & 1 == 0 { "http" } else { "https" };
    let status = [200, 404, 500, 302][usize::from(first >> 1) % 4];
    let split = rest.windows(2).position(|w| w == b"\n\n");
    let (head, body) = match split {
        Some(at) => (&rest[..at], &rest[at + 2..]),
        None => (rest, &[][..]),
    };
    let mut response = Response::get(format!("{scheme}://site.example/page"), status).with_body(body);
    for line in String::from_utf8_lossy(head).lines() {
        if let Some((name, value)) = line.split_once(':') {
            response = response.with_header(name.trim(), value.trim());
        }
    }
    let limits = Limits {
        max_evidence_chars: 50,
        max_pages_per_finding: 2,
        ..Limits::default()
    };
    for finding in passive_findings(&[response.clone(), response], &limits) {
        assert!(finding.evidence.chars().count() <= 50);
        assert!(finding.pages.len() <= 2);
        assert_eq!(finding.count, 1);
    }
});
