//! Parsing GitHub's `Link` pagination header (RFC 8288 subset GitHub emits).

/// The `next` and `last` targets of a `Link` header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    /// URL of the next page, when there is one.
    pub next: Option<String>,
    /// URL of the last page, when GitHub sent it.
    pub last: Option<String>,
}

impl Links {
    /// The `page` query parameter of the `last` URL.
    pub fn last_page(&self) -> Option<u32> {
        self.last.as_deref().and_then(page_param)
    }
}

/// Parses `<url>; rel="next", <url>; rel="last"`. Tolerates any order, extra parameters,
/// unquoted or multi-valued `rel` (`rel="next last"`), whitespace and unknown relations;
/// anything malformed is skipped rather than failing the request.
pub fn parse_link_header(value: &str) -> Links {
    let mut links = Links::default();
    for part in split_links(value) {
        let Some((target, params)) = parse_one(part) else {
            continue;
        };
        for rel in params {
            match rel.as_str() {
                "next" if links.next.is_none() => links.next = Some(target.to_owned()),
                "last" if links.last.is_none() => links.last = Some(target.to_owned()),
                _ => {}
            }
        }
    }
    links
}

/// Splits on the commas between link-values, not on commas inside `<...>` or quotes.
fn split_links(value: &str) -> Vec<&str> {
    let (mut parts, mut start, mut in_url, mut in_quote) = (Vec::new(), 0, false, false);
    for (i, c) in value.char_indices() {
        match c {
            '<' if !in_quote => in_url = true,
            '>' if !in_quote => in_url = false,
            '"' if !in_url => in_quote = !in_quote,
            ',' if !in_url && !in_quote => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    parts
}

/// `<target>; rel="a b"; other=x` → `(target, ["a", "b"])`, rel values lowercased.
fn parse_one(part: &str) -> Option<(&str, Vec<String>)> {
    let part = part.trim();
    let rest = part.strip_prefix('<')?;
    let (target, params) = rest.split_once('>')?;
    let rels = params
        .split(';')
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("rel")
                .then(|| v.trim().trim_matches('"').to_ascii_lowercase())
        })
        .flat_map(|v| {
            v.split_ascii_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    Some((target.trim(), rels))
}

/// The `page=N` query parameter of a URL.
fn page_param(url: &str) -> Option<u32> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("page="))
        .and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_githubs_usual_header() {
        let h = r#"<https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=3>; rel="last""#;
        let l = parse_link_header(h);
        assert_eq!(
            l.next.as_deref(),
            Some("https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=2")
        );
        assert_eq!(l.last_page(), Some(3));
    }

    #[test]
    fn middle_page_has_prev_and_first_too() {
        let h = r#"<https://x/a?page=1>; rel="prev", <https://x/a?page=3>; rel="next", <https://x/a?page=9>; rel="last", <https://x/a?page=1>; rel="first""#;
        let l = parse_link_header(h);
        assert_eq!(l.next.as_deref(), Some("https://x/a?page=3"));
        assert_eq!(l.last_page(), Some(9));
    }

    #[test]
    fn last_page_has_no_next() {
        let l = parse_link_header(
            r#"<https://x/a?page=1>; rel="first", <https://x/a?page=2>; rel="prev""#,
        );
        assert_eq!(l, Links::default());
        assert_eq!(l.last_page(), None);
    }

    #[test]
    fn tolerates_odd_spacing_case_order_and_unquoted_rel() {
        let h = "  <https://x/a?per_page=5&page=7> ;REL=last ;  title=\"a, b\" ,<https://x/a?page=2>;rel=next";
        let l = parse_link_header(h);
        assert_eq!(l.next.as_deref(), Some("https://x/a?page=2"));
        assert_eq!(l.last_page(), Some(7));
    }

    #[test]
    fn multi_valued_rel_and_commas_inside_urls() {
        let h = r#"<https://x/a?q=a,b&page=4>; rel="next last""#;
        let l = parse_link_header(h);
        assert_eq!(l.next.as_deref(), Some("https://x/a?q=a,b&page=4"));
        assert_eq!(l.last_page(), Some(4));
    }

    #[test]
    fn garbage_is_ignored() {
        assert_eq!(parse_link_header(""), Links::default());
        assert_eq!(parse_link_header("nonsense; rel=next"), Links::default());
        assert_eq!(
            parse_link_header("<unterminated; rel=next"),
            Links::default()
        );
        let l = parse_link_header(r#"<https://x/a?page=abc>; rel="last""#);
        assert_eq!(l.last_page(), None);
    }

    #[test]
    fn page_param_is_exact_not_per_page() {
        assert_eq!(page_param("https://x/a?per_page=100"), None);
        assert_eq!(
            page_param("https://x/a?per_page=100&page=12#frag"),
            Some(12)
        );
    }
}
