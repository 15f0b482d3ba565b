//! One request and the response to it, as the checks see them: recorded by the scanner's
//! client, or built by hand in tests from a captured exchange.

use std::borrow::Cow;

/// The methods the scanner sends. There is no variant for a method that changes state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// Pages, robots.txt and probes.
    Get,
    /// Not sent by the checks today; allowed for future ones.
    Head,
    /// Not sent by the checks today; allowed for future ones.
    Options,
    /// Sent once per scan, to the base URL, by the TRACE check. TRACE asks the server to
    /// echo the request back; it changes nothing on the server.
    Trace,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
            Method::Trace => "TRACE",
        }
    }
}

/// A response with the request that asked for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The request's method.
    pub method: Method,
    /// The URL requested, normalized (no fragment).
    pub url: String,
    /// Headers the scanner added to the request (beyond User-Agent), names in lowercase.
    pub request_headers: Vec<(String, String)>,
    /// The HTTP status.
    pub status: u16,
    /// Response headers in the order received, names in lowercase; repeated headers
    /// (`set-cookie`) appear once per line.
    pub headers: Vec<(String, String)>,
    /// The body, at most [`Limits::max_body_bytes`](crate::Limits::max_body_bytes).
    pub body: Vec<u8>,
    /// Whether the body was longer than what was read.
    pub truncated: bool,
}

impl Response {
    /// A response to a GET of `url` with no headers and an empty body, for tests and for
    /// building recorded exchanges field by field.
    pub fn get(url: impl Into<String>, status: u16) -> Response {
        Response {
            method: Method::Get,
            url: url.into(),
            request_headers: Vec::new(),
            status,
            headers: Vec::new(),
            body: Vec::new(),
            truncated: false,
        }
    }

    /// Adds a response header (builder style).
    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// Sets the body (builder style).
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Response {
        self.body = body.into();
        self
    }

    /// The first value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of header `name` (lowercase), in order.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of request header `name` (lowercase) the scanner sent, if any.
    pub fn request_header(&self, name: &str) -> Option<&str> {
        self.request_headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The media type of the body, lowercase, without parameters (`text/html`).
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// Whether the body is an HTML document: by its Content-Type, or, without one, by
    /// how it starts.
    pub fn is_html(&self) -> bool {
        match self.media_type() {
            Some(t) => t == "text/html" || t == "application/xhtml+xml",
            None => {
                let head = self.body.get(..256).unwrap_or(&self.body);
                let start = String::from_utf8_lossy(head)
                    .trim_start()
                    .to_ascii_lowercase();
                start.starts_with("<!doctype html") || start.starts_with("<html")
            }
        }
    }

    /// Whether the request went over HTTPS.
    pub fn is_https(&self) -> bool {
        self.url
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    }

    /// The body as text, invalid UTF-8 replaced.
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}
