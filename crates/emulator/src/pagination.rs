//! GitHub's page-based pagination: `per_page` (default 30, capped at 100), `page`, and the
//! `Link` header with absolute `prev`, `next`, `last`, `first` URLs in GitHub's order.

use std::ops::Range;

/// Default `per_page` on GitHub list endpoints.
pub const DEFAULT_PER_PAGE: usize = 30;
/// GitHub silently caps `per_page` at 100.
pub const MAX_PER_PAGE: usize = 100;

/// One page of a list: which items and the `Link` header value, if there are other pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub range: Range<usize>,
    pub link: Option<String>,
}

/// Page parameters read from a raw query string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageParams {
    pub page: usize,
    pub per_page: usize,
}

impl PageParams {
    /// Reads `page` and `per_page`; missing, zero or unparsable values take GitHub's defaults.
    pub fn from_query(query: Option<&str>) -> Self {
        let mut params = Self {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        };
        for (key, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let parsed = value.parse::<usize>().ok().filter(|n| *n > 0);
            match (key.as_ref(), parsed) {
                ("page", Some(n)) => params.page = n,
                ("per_page", Some(n)) => params.per_page = n.min(MAX_PER_PAGE),
                _ => {}
            }
        }
        params
    }
}

/// The page of `total` items that `query` asks for; `url_base` is `{api}{path}`.
pub fn paginate(total: usize, query: Option<&str>, url_base: &str) -> Page {
    let params = PageParams::from_query(query);
    let start = (params.page - 1).saturating_mul(params.per_page).min(total);
    let end = start.saturating_add(params.per_page).min(total);
    let last = total.div_ceil(params.per_page).max(1);
    let mut rels = Vec::new();
    let href = |page: usize| page_url(url_base, query, page);
    if params.page > 1 {
        rels.push(format!("<{}>; rel=\"prev\"", href(params.page - 1)));
    }
    if params.page < last {
        rels.push(format!("<{}>; rel=\"next\"", href(params.page + 1)));
        rels.push(format!("<{}>; rel=\"last\"", href(last)));
    }
    if params.page > 1 {
        rels.push(format!("<{}>; rel=\"first\"", href(1)));
    }
    Page {
        range: start..end,
        link: (!rels.is_empty()).then(|| rels.join(", ")),
    }
}

/// `url_base?<query without page>&page=N`, keeping the other parameters in their order.
fn page_url(url_base: &str, query: Option<&str>, page: usize) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if key != "page" {
            out.append_pair(&key, &value);
        }
    }
    out.append_pair("page", &page.to_string());
    format!("{url_base}?{}", out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_cap() {
        assert_eq!(
            PageParams::from_query(None),
            PageParams {
                page: 1,
                per_page: 30
            }
        );
        assert_eq!(
            PageParams::from_query(Some("per_page=500&page=3")).per_page,
            100
        );
        assert_eq!(PageParams::from_query(Some("per_page=0")).per_page, 30);
    }

    #[test]
    fn middle_page_has_all_four_rels_in_github_order() {
        let page = paginate(13, Some("per_page=3&page=2"), "http://h/x");
        assert_eq!(page.range, 3..6);
        assert_eq!(
            page.link.as_deref(),
            Some(
                "<http://h/x?per_page=3&page=1>; rel=\"prev\", <http://h/x?per_page=3&page=3>; rel=\"next\", \
                 <http://h/x?per_page=3&page=5>; rel=\"last\", <http://h/x?per_page=3&page=1>; rel=\"first\""
            )
        );
    }

    #[test]
    fn single_page_has_no_link_and_past_end_is_empty() {
        assert_eq!(paginate(3, None, "u").link, None);
        let past = paginate(3, Some("page=9"), "u");
        assert!(past.range.is_empty());
    }
}
