//! Mixed content: an HTTPS page that loads resources, or submits forms, over plain HTTP.

use super::success;
use crate::catalog::{FORM_INSECURE, MIXED_CONTENT};
use crate::html::Tag;
use crate::report::Observation;
use crate::response::Response;

/// `<link rel>` values that load something into the page (as opposed to pointing at
/// another document, like `canonical`).
const LOADING_RELS: &[&str] = &["stylesheet", "icon", "preload", "modulepreload", "manifest"];

fn https_page(response: &Response) -> bool {
    response.is_https() && success(response) && response.is_html()
}

fn is_http(url: &str) -> bool {
    url.trim()
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
}

/// The URL a tag makes the page load, if it loads one.
fn loaded(tag: &Tag) -> Option<&str> {
    match tag.name.as_str() {
        "script" | "img" | "iframe" | "frame" | "audio" | "video" | "source" | "track"
        | "embed" => tag.attr("src"),
        "object" => tag.attr("data"),
        "link" => {
            let rel = tag.attr("rel")?.to_ascii_lowercase();
            rel.split_ascii_whitespace()
                .any(|r| LOADING_RELS.contains(&r))
                .then(|| tag.attr("href"))
                .flatten()
        }
        _ => None,
    }
}

/// Resources loaded over `http://` by an HTTPS page.
pub(crate) fn mixed_content(response: &Response, tags: &[Tag]) -> Vec<Observation> {
    if !https_page(response) {
        return Vec::new();
    }
    let insecure: Vec<String> = tags
        .iter()
        .filter_map(|t| {
            loaded(t)
                .filter(|u| is_http(u))
                .map(|u| format!("<{}> {}", t.name, u.trim()))
        })
        .collect();
    if insecure.is_empty() {
        return Vec::new();
    }
    vec![Observation::new(
        &MIXED_CONTENT,
        &response.url,
        insecure.join(", "),
    )]
}

/// Forms on an HTTPS page whose action is an `http://` URL.
pub(crate) fn form_actions(response: &Response, tags: &[Tag]) -> Vec<Observation> {
    if !https_page(response) {
        return Vec::new();
    }
    let insecure: Vec<String> = tags
        .iter()
        .filter(|t| t.name == "form")
        .filter_map(|t| {
            t.attr("action")
                .filter(|a| is_http(a))
                .map(|a| a.trim().to_owned())
        })
        .collect();
    if insecure.is_empty() {
        return Vec::new();
    }
    vec![Observation::new(
        &FORM_INSECURE,
        &response.url,
        format!("form action {}", insecure.join(", ")),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::html::tags;

    fn mixed_content(response: &Response) -> Vec<Observation> {
        super::mixed_content(response, &tags(&response.text(), 1000))
    }

    fn form_actions(response: &Response) -> Vec<Observation> {
        super::form_actions(response, &tags(&response.text(), 1000))
    }

    fn page(url: &str, body: &str) -> Response {
        Response::get(url, 200)
            .with_header("content-type", "text/html")
            .with_body(body)
    }

    #[test]
    fn http_resources_on_https_pages() {
        let body = r#"<script src="http://cdn.example/a.js"></script>
            <link rel="stylesheet" href="HTTP://cdn.example/s.css">
            <link rel="canonical" href="http://example.com/">
            <img src="https://cdn.example/ok.png"><img src="/rel.png">
            <a href="http://elsewhere.example/">a link is not loaded</a>"#;
        let found = mixed_content(&page("https://h/", body));
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].evidence,
            "<script> http://cdn.example/a.js, <link> HTTP://cdn.example/s.css"
        );
        assert!(mixed_content(&page("http://h/", body)).is_empty());
    }

    #[test]
    fn script_text_is_not_a_resource() {
        let body = r#"<script>var u = "<img src='http://x/'>";</script>"#;
        assert!(mixed_content(&page("https://h/", body)).is_empty());
    }

    #[test]
    fn insecure_form_actions() {
        let body =
            r#"<form action="http://h/login" method="post"></form><form action="/search"></form>"#;
        let found = form_actions(&page("https://h/", body));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].check.id, "form-action-insecure");
        assert_eq!(found[0].evidence, "form action http://h/login");
        assert!(form_actions(&page("http://h/", body)).is_empty());
    }
}
