//! A small HTML tokenizer that finds the start tags which carry URLs (`<a href>`,
//! `<script src>`, `<form action>`, ...) and their attributes, nothing more.
//!
//! It follows the HTML tokenizer where that decides which text is a tag: comments,
//! doctypes and processing instructions are skipped; the text of `<script>`, `<style>`,
//! `<textarea>`, `<title>` and the like is not read for tags (a `"<a href=x>"` string in a
//! script is not a link); attribute values may be double-quoted, single-quoted or bare,
//! and a `>` inside quotes does not end the tag; the first of two attributes with one
//! name wins; a tag cut off by the end of the input is dropped. Character references in
//! values are decoded for `&amp; &lt; &gt; &quot; &apos;` and numeric ones, which is what
//! URLs carry. It builds no tree: which element a tag ends up in does not matter for
//! finding links.
//!
//! Every step moves forward, so the work is linear in the input; the number of tags kept
//! is bounded by the caller.

/// A start tag of interest with its attributes, names in lowercase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    /// The element name, such as `a` or `script`.
    pub name: String,
    /// Attributes in document order, names in lowercase, values decoded.
    pub attrs: Vec<(String, String)>,
}

impl Tag {
    /// The value of the attribute `name` (lowercase), if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The elements whose start tags [`tags`] returns: those that carry URLs.
pub const URL_TAGS: &[&str] = &[
    "a", "area", "audio", "base", "embed", "form", "frame", "iframe", "img", "input", "link",
    "object", "script", "source", "track", "video",
];

/// Elements whose content is text, not markup, up to their end tag.
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
];

/// Attributes kept per tag; the rest are skipped.
const MAX_ATTRS: usize = 64;

/// The start tags named in [`URL_TAGS`], in document order, at most `max_tags` of them.
pub fn tags(html: &str, max_tags: usize) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while out.len() < max_tags {
        let Some(lt) = find_byte(bytes, b'<', i) else {
            break;
        };
        let rest = &bytes[lt..];
        if rest.starts_with(b"<!--") {
            i = comment_end(bytes, lt + 4);
        } else if rest.starts_with(b"<!") || rest.starts_with(b"<?") || rest.starts_with(b"</") {
            // Doctypes, bogus comments and end tags: none carry a link.
            i = find_byte(bytes, b'>', lt + 2).map_or(bytes.len(), |p| p + 1);
        } else if rest.get(1).is_some_and(u8::is_ascii_alphabetic) {
            let Some((tag, end)) = start_tag(html, lt + 1) else {
                break;
            };
            i = end;
            if tag.name == "plaintext" {
                break;
            }
            if RAW_TEXT.contains(&tag.name.as_str()) {
                i = raw_text_end(bytes, i, tag.name.as_bytes());
            }
            if URL_TAGS.contains(&tag.name.as_str()) {
                out.push(tag);
            }
        } else {
            i = lt + 1;
        }
    }
    out
}

fn find_byte(bytes: &[u8], byte: u8, from: usize) -> Option<usize> {
    bytes
        .get(from..)?
        .iter()
        .position(|&b| b == byte)
        .map(|p| from + p)
}

fn find_seq(bytes: &[u8], seq: &[u8], from: usize) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(seq.len())
        .position(|w| w == seq)
        .map(|p| from + p)
}

/// Where the comment whose text starts at `from` ends: after the first `-->` or `--!>`,
/// or the abrupt `<!-->` and `<!--->`. One forward scan: searching for each terminator
/// separately would rescan the rest of the input for every comment.
fn comment_end(bytes: &[u8], from: usize) -> usize {
    let rest = bytes.get(from..).unwrap_or_default();
    if rest.starts_with(b">") {
        return from + 1;
    }
    if rest.starts_with(b"->") {
        return from + 2;
    }
    let mut i = from;
    while let Some(p) = find_seq(bytes, b"--", i) {
        match bytes.get(p + 2..) {
            Some([b'>', ..]) => return p + 3,
            Some([b'!', b'>', ..]) => return p + 4,
            _ => i = p + 1,
        }
    }
    bytes.len()
}

/// Where raw text that starts at `from` ends: at `</name` followed by whitespace, `/` or
/// `>` (any case), or at the end of the input.
fn raw_text_end(bytes: &[u8], from: usize, name: &[u8]) -> usize {
    let mut i = from;
    while let Some(p) = find_seq(bytes, b"</", i) {
        let after = p + 2;
        let candidate = bytes.get(after..after + name.len());
        if candidate.is_some_and(|c| c.eq_ignore_ascii_case(name))
            && bytes
                .get(after + name.len())
                .is_none_or(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>')
        {
            return p;
        }
        i = after;
    }
    bytes.len()
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// Reads the start tag whose name starts at `from` (just after `<`). Returns the tag and
/// the index after its `>`, or `None` when the input ends inside the tag.
fn start_tag(html: &str, from: usize) -> Option<(Tag, usize)> {
    let bytes = html.as_bytes();
    let mut i = from;
    while i < bytes.len() && !is_space(bytes[i]) && bytes[i] != b'/' && bytes[i] != b'>' {
        i += 1;
    }
    let name = html[from..i].to_ascii_lowercase();
    let mut attrs: Vec<(String, String)> = Vec::new();
    loop {
        while i < bytes.len() && (is_space(bytes[i]) || bytes[i] == b'/') {
            i += 1;
        }
        match bytes.get(i) {
            None => return None,
            Some(b'>') => return Some((Tag { name, attrs }, i + 1)),
            Some(_) => {}
        }
        // An attribute name; a leading `=` belongs to it, as in the HTML tokenizer.
        let name_start = i;
        i += 1;
        while i < bytes.len() && !is_space(bytes[i]) && !matches!(bytes[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let attr_name = html[name_start..i].to_ascii_lowercase();
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        let mut value = String::new();
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            while i < bytes.len() && is_space(bytes[i]) {
                i += 1;
            }
            match bytes.get(i) {
                None => return None,
                Some(&quote @ (b'"' | b'\'')) => {
                    let close = find_byte(bytes, quote, i + 1)?;
                    value = decode(&html[i + 1..close]);
                    i = close + 1;
                }
                Some(b'>') => {}
                Some(_) => {
                    let start = i;
                    while i < bytes.len() && !is_space(bytes[i]) && bytes[i] != b'>' {
                        i += 1;
                    }
                    value = decode(&html[start..i]);
                }
            }
        }
        if attrs.len() < MAX_ATTRS && !attrs.iter().any(|(n, _)| *n == attr_name) {
            attrs.push((attr_name, value));
        }
    }
}

/// Decodes the character references URLs use; anything else is kept as written.
fn decode(value: &str) -> String {
    if !value.contains('&') {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| reference(&rest[1..e]));
        match (end, decoded) {
            (Some(e), Some(c)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn reference(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code).filter(|c| *c != '\0')
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(tag, attribute, value)` for every URL-carrying attribute found.
    fn check(html: &str, expect: &[(&str, &str, &str)]) {
        let found: Vec<(String, String, String)> = tags(html, 100)
            .into_iter()
            .flat_map(|t| {
                t.attrs
                    .into_iter()
                    .filter(|(n, _)| matches!(n.as_str(), "href" | "src" | "action"))
                    .map(move |(n, v)| (t.name.clone(), n, v))
            })
            .collect();
        let expect: Vec<(String, String, String)> = expect
            .iter()
            .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
            .collect();
        assert_eq!(found, expect, "in {html:?}");
    }

    #[test]
    fn quoting_styles() {
        check(
            r#"<a href="/one">1</a><A HREF='/two'>2</a><a href=/three>3</a>"#,
            &[
                ("a", "href", "/one"),
                ("a", "href", "/two"),
                ("a", "href", "/three"),
            ],
        );
    }

    #[test]
    fn gt_inside_quotes_does_not_end_the_tag() {
        check(
            r#"<img alt="a > b" src="/i.png"><a title='x>y' href=/z>"#,
            &[("img", "src", "/i.png"), ("a", "href", "/z")],
        );
    }

    #[test]
    fn comments_scripts_and_styles_hide_markup() {
        check(
            "<!-- <a href=/c> --><script>var s = '<a href=/s>';</script >\
             <style>a[href='<a href=/y>']{}</style><textarea><a href=/t></textarea>\
             <a href=/real>",
            &[("a", "href", "/real")],
        );
    }

    #[test]
    fn script_src_is_read_but_not_its_text() {
        check(
            r#"<script src="/app.js"></script><script>document.write("<img src=/no>")</SCRIPT><img src=/yes>"#,
            &[("script", "src", "/app.js"), ("img", "src", "/yes")],
        );
    }

    #[test]
    fn character_references_in_values() {
        check(
            r#"<a href="/p?a=1&amp;b=2&#38;c=&#x33;&unknown;">"#,
            &[("a", "href", "/p?a=1&b=2&c=3&unknown;")],
        );
    }

    #[test]
    fn first_duplicate_attribute_wins() {
        check(
            r#"<a href="/first" href="/second">"#,
            &[("a", "href", "/first")],
        );
    }

    #[test]
    fn truncated_tag_is_dropped() {
        check(r#"<a href="/ok"><a href="/cut"#, &[("a", "href", "/ok")]);
        check("<p ", &[]);
        check("<a href=", &[]);
    }

    #[test]
    fn abrupt_comments_end_at_once() {
        check(
            "<!--><a href=/a><!---><a href=/b>",
            &[("a", "href", "/a"), ("a", "href", "/b")],
        );
    }

    #[test]
    fn lone_lt_and_bogus_markup() {
        check(
            "1 < 2 <3 <!DOCTYPE html><?xml x?></a foo='>'><form action=/f method=get>",
            &[("form", "action", "/f")],
        );
    }

    #[test]
    fn unclosed_raw_text_hides_the_rest() {
        check("<script><a href=/x>", &[]);
    }

    #[test]
    fn multibyte_text_is_sliced_on_ascii_boundaries() {
        check("é<a href=/ü title=ö>€</a>", &[("a", "href", "/ü")]);
    }

    #[test]
    fn comment_terminators() {
        check(
            "<!-- a --!><a href=/x><!-- b -- c --><a href=/y>",
            &[("a", "href", "/x"), ("a", "href", "/y")],
        );
        check("<!-- never closed <a href=/x>", &[]);
    }

    #[test]
    fn many_comments_take_linear_time() {
        // Regression: each comment once searched the rest of the input for `--!>`.
        let html = "<!---->".repeat(200_000) + "<a href=/end>";
        assert_eq!(tags(&html, 10).len(), 1);
    }

    #[test]
    fn tag_limit_is_kept() {
        assert_eq!(tags(&"<a href=/x>".repeat(50), 7).len(), 7);
    }
}
