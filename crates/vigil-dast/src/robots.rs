//! robots.txt as RFC 9309 reads it: groups of `User-agent` lines followed by `Allow` and
//! `Disallow` rules, matched against a URL's path and query.
//!
//! The rules that apply are those of every group naming this crawler's product token
//! (case-insensitively, or a prefix of it ending at `-`, so `vigil` covers `vigil-dast`),
//! else those of the `*` groups, else none. Of the rules that match a path the longest
//! pattern wins, and `Allow` wins a tie. Patterns take `*` (any run of characters) and a
//! final `$` (end of the path). Patterns and paths are compared with non-ASCII characters
//! percent-encoded and percent escapes in uppercase, so `/ツ` and `/%e3%83%84` are one path
//! (RFC 9309 section 2.2.2). An empty `Disallow` is no rule. Lines other than these
//! three (`Sitemap`, `Crawl-delay`, unknown ones) are ignored, as are comments.

/// The parsed file: the rules for one crawler.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Robots {
    rules: Vec<Rule>,
    /// True when the file could not be read for a reason RFC 9309 treats as "disallow
    /// everything" (a server error, no answer).
    disallow_all: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Rule {
    allow: bool,
    pattern: String,
}

/// Longest pattern kept; longer ones are dropped (the RFC requires none this long).
const MAX_PATTERN_LEN: usize = 1024;

/// Rules kept for this crawler. A file with more is taken to disallow everything: dropping
/// rules could mean fetching what the site disallowed.
pub const MAX_RULES: usize = 5_000;

impl Robots {
    /// Rules that allow everything: no robots.txt, or one the crawler was told to ignore.
    pub fn allow_all() -> Robots {
        Robots::default()
    }

    /// Rules that allow nothing: what RFC 9309 says a server error on robots.txt means.
    pub fn disallow_all() -> Robots {
        Robots {
            rules: Vec::new(),
            disallow_all: true,
        }
    }

    /// The rules of `text` that apply to the crawler whose product token is `token`
    /// (lowercase, such as `vigil-dast`).
    pub fn parse(text: &str, token: &str) -> Robots {
        let mut own: Vec<Rule> = Vec::new();
        let mut star: Vec<Rule> = Vec::new();
        let mut named_own = false;
        // The current group's agents: whether it names us, and whether it is `*`.
        let (mut for_us, mut for_star) = (false, false);
        let mut in_rules = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default().trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" => {
                    if in_rules {
                        (for_us, for_star) = (false, false);
                        in_rules = false;
                    }
                    let agent = value.to_ascii_lowercase();
                    if agent == "*" {
                        for_star = true;
                    } else if !agent.is_empty()
                        && (token == agent
                            || token
                                .strip_prefix(agent.as_str())
                                .is_some_and(|rest| rest.starts_with('-')))
                    {
                        for_us = true;
                        named_own = true;
                    }
                }
                "allow" | "disallow" => {
                    in_rules = true;
                    if value.is_empty() || value.len() > MAX_PATTERN_LEN {
                        continue;
                    }
                    let rule = Rule {
                        allow: key == "allow",
                        pattern: canonical(value),
                    };
                    if for_us {
                        own.push(rule.clone());
                    }
                    if for_star {
                        star.push(rule);
                    }
                }
                _ => {}
            }
        }
        let rules = if named_own { own } else { star };
        if rules.len() > MAX_RULES {
            return Robots::disallow_all();
        }
        Robots {
            rules,
            disallow_all: false,
        }
    }

    /// Whether the crawler may fetch `path` (the URL's path and `?query`, as sent).
    /// `/robots.txt` itself is always allowed.
    pub fn allowed(&self, path: &str) -> bool {
        if path == "/robots.txt" {
            return true;
        }
        if self.disallow_all {
            return false;
        }
        let path = canonical(path);
        let mut best: Option<&Rule> = None;
        for rule in &self.rules {
            if !matches(&rule.pattern, &path) {
                continue;
            }
            best = match best {
                Some(b)
                    if b.pattern.len() > rule.pattern.len()
                        || (b.pattern.len() == rule.pattern.len() && b.allow) =>
                {
                    Some(b)
                }
                _ => Some(rule),
            };
        }
        best.is_none_or(|rule| rule.allow)
    }
}

/// `text` with non-ASCII bytes percent-encoded and the hex digits of escapes in uppercase.
fn canonical(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
        {
            out.push('%');
            out.push(char::from(bytes[i + 1].to_ascii_uppercase()));
            out.push(char::from(bytes[i + 2].to_ascii_uppercase()));
            i += 3;
        } else if b.is_ascii() {
            out.push(char::from(b));
            i += 1;
        } else {
            out.push_str(&format!("%{b:02X}"));
            i += 1;
        }
    }
    out
}

/// Whether `pattern` matches a prefix of `path` (all of it with a final `$`). `*` matches
/// any run of characters. With `*` the only wildcard, taking each literal piece at its
/// first place after the previous one is exact, and `str::find` is linear, so a rule costs
/// O(pattern + path) whatever its stars.
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let mut pieces = pattern.split('*');
    let first = pieces.next().unwrap_or_default();
    if !path.starts_with(first) {
        return false;
    }
    let mut at = first.len();
    let rest: Vec<&str> = pieces.collect();
    let Some((last, middle)) = rest.split_last() else {
        return !anchored || at == path.len();
    };
    for piece in middle {
        match path[at..].find(piece) {
            Some(found) => at += found + piece.len(),
            None => return false,
        }
    }
    if anchored {
        path.len() >= at + last.len() && path.ends_with(last)
    } else {
        path[at..].contains(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(robots: &str, path: &str, allowed: bool) {
        let parsed = Robots::parse(robots, "vigil-dast");
        assert_eq!(parsed.allowed(path), allowed, "{path} with\n{robots}");
    }

    #[test]
    fn star_group_applies_without_a_named_one() {
        check("User-agent: *\nDisallow: /private\n", "/private/x", false);
        check("User-agent: *\nDisallow: /private\n", "/public", true);
    }

    #[test]
    fn named_group_replaces_star() {
        let robots = "User-agent: *\nDisallow: /\n\nUser-agent: Vigil\nDisallow: /admin\n";
        check(robots, "/page", true);
        check(robots, "/admin/x", false);
    }

    #[test]
    fn other_crawlers_groups_are_ignored() {
        check("User-agent: googlebot\nDisallow: /\n", "/x", true);
        check("User-agent: vigil-dasher\nDisallow: /\n", "/x", true);
    }

    #[test]
    fn agents_before_rules_share_the_group() {
        let robots =
            "User-agent: a\nUser-agent: vigil-dast\nDisallow: /x\nUser-agent: b\nDisallow: /y\n";
        check(robots, "/x", false);
        check(robots, "/y", true);
    }

    #[test]
    fn longest_match_wins_and_allow_wins_ties() {
        let robots = "User-agent: *\nDisallow: /shop\nAllow: /shop/public\n";
        check(robots, "/shop/cart", false);
        check(robots, "/shop/public/a", true);
        check("User-agent: *\nDisallow: /a\nAllow: /a\n", "/a", true);
    }

    #[test]
    fn wildcards_and_end_anchor() {
        let robots = "User-agent: *\nDisallow: /*.php$\nDisallow: /*?session=\n";
        check(robots, "/index.php", false);
        check(robots, "/index.php5", true);
        check(robots, "/a?session=1", false);
        check(robots, "/a?b=1&session=1", true);
        check("User-agent: *\nDisallow: /a*b*c\n", "/axxbyyc", false);
        check("User-agent: *\nDisallow: /a*b*c\n", "/axxbyy", true);
    }

    #[test]
    fn empty_disallow_and_comments() {
        check("User-agent: * # all\nDisallow:\n", "/x", true);
        check("User-agent: *\nDisallow: /x # no\n", "/x", false);
    }

    #[test]
    fn robots_txt_itself_is_always_allowed() {
        assert!(Robots::disallow_all().allowed("/robots.txt"));
        assert!(!Robots::disallow_all().allowed("/"));
    }

    #[test]
    fn more_rules_than_kept_disallow_everything() {
        let robots = format!("User-agent: *\n{}", "Disallow: /x\n".repeat(MAX_RULES + 1));
        check(&robots, "/anything", false);
    }

    #[test]
    fn anchors_and_stars_at_the_edges() {
        check("User-agent: *\nDisallow: /*\n", "/", false);
        check("User-agent: *\nDisallow: /$\n", "/", false);
        check("User-agent: *\nDisallow: /$\n", "/a", true);
        check("User-agent: *\nDisallow: /a*$\n", "/abc", false);
        check("User-agent: *\nDisallow: /*c$\n", "/abcabc", false);
        check("User-agent: *\nDisallow: /*ab*ab$\n", "/xab", true);
        check("User-agent: *\nDisallow: /ü*ö\n", "/üxö", false);
    }

    #[test]
    fn percent_encoding_is_normalized() {
        check("User-agent: *\nDisallow: /ツ\n", "/%E3%83%84", false);
        check(
            "User-agent: *\nDisallow: /%e3%83%84\n",
            "/%E3%83%84/x",
            false,
        );
        check("User-agent: *\nDisallow: /a%2fb\n", "/a%2Fb", false);
        check("User-agent: *\nDisallow: /100%\n", "/100%", false);
    }

    #[test]
    fn star_pattern_is_not_exponential() {
        let pattern = format!("/{}b", "*a".repeat(200));
        let path = format!("/{}", "a".repeat(2000));
        assert!(!matches(&pattern, &path));
    }
}
