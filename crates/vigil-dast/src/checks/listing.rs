//! Directory listings, recognized by the headings the common servers write.

use super::{strip_tags, success};
use crate::catalog::DIRECTORY_LISTING;
use crate::report::Observation;
use crate::response::Response;

/// Lowercase text of listing pages: Apache, nginx and lighttpd (`Index of /`), Python's
/// http.server and Tomcat (`Directory listing for /`), IIS (`[To Parent Directory]`),
/// Jetty (`Directory: /`).
const PATTERNS: &[&str] = &[
    "<title>index of /",
    "<h1>index of /",
    "<title>directory listing for /",
    "<h1>directory listing for /",
    "<h2>directory listing for /",
    "[to parent directory]</a>",
    "<title>directory: /",
];

/// A successful HTML response that is a server-generated directory listing.
pub(crate) fn listing(response: &Response) -> Vec<Observation> {
    if !success(response) || !response.is_html() {
        return Vec::new();
    }
    let text = response.text().to_ascii_lowercase();
    PATTERNS
        .iter()
        .find_map(|p| text.find(p))
        .map(|at| {
            // The heading as the server wrote it, up to its end tag, without markup.
            let original = response.text();
            let from = original.get(at..).unwrap_or_default();
            let end = from
                .get(1..)
                .and_then(|r| r.find("</"))
                .map_or(from.len(), |e| e + 1);
            let heading = from.get(..end.min(160)).unwrap_or(from);
            Observation::new(&DIRECTORY_LISTING, &response.url, strip_tags(heading))
        })
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(body: &str, expect: Option<&str>) {
        let response = Response::get("http://h/files/", 200)
            .with_header("content-type", "text/html")
            .with_body(body);
        let found: Vec<String> = listing(&response).into_iter().map(|o| o.evidence).collect();
        assert_eq!(
            found,
            expect.into_iter().map(str::to_owned).collect::<Vec<_>>(),
            "{body}"
        );
    }

    #[test]
    fn server_listings() {
        check(
            "<html><head><title>Index of /files</title></head><body><h1>Index of /files</h1>",
            Some("Index of /files"),
        );
        check(
            "<!DOCTYPE HTML>\n<html><head><title>Directory listing for /</title>",
            Some("Directory listing for /"),
        );
        check(
            "<pre><A HREF=\"/\">[To Parent Directory]</A><br>",
            Some("[To Parent Directory]"),
        );
    }

    #[test]
    fn ordinary_pages_are_not_listings() {
        check("<h1>An index of our products</h1>", None);
        check("<p>See the index of /docs for more.</p>", None);
    }
}
