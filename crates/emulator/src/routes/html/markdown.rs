//! Comment bodies rendered as GitHub renders them: GitHub-flavoured Markdown (comrak, which
//! passes the GFM spec tests) with raw HTML let through, then an allow-list sanitizer
//! (ammonia) set up like GitHub's. The allow-list follows GitHub's published
//! `html-pipeline` `SanitizationFilter`: its elements, its attributes, `href` schemes
//! `http`, `https`, `mailto` and relative links; `<script>` and `<style>` go with their
//! content, every other unknown element goes and its text stays; comments are dropped.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};
use comrak::{Options, markdown_to_html};

/// Elements GitHub keeps in user content (its `h7`/`h8` do not exist in HTML).
const ELEMENTS: &[&str] = &[
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "br",
    "b",
    "i",
    "strong",
    "em",
    "a",
    "pre",
    "code",
    "img",
    "tt",
    "div",
    "ins",
    "del",
    "sup",
    "sub",
    "p",
    "ol",
    "ul",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "blockquote",
    "dl",
    "dt",
    "dd",
    "kbd",
    "q",
    "samp",
    "var",
    "hr",
    "ruby",
    "rt",
    "rp",
    "li",
    "tr",
    "td",
    "th",
    "s",
    "strike",
    "summary",
    "details",
];

/// Attributes GitHub keeps on any allowed element. Event handlers (`on*`), `style`, `class`
/// and `id` are not among them. (`rel` is left out: links get GitHub's own `nofollow`.)
const ANY_ELEMENT: &[&str] = &[
    "abbr",
    "accept",
    "accept-charset",
    "accesskey",
    "action",
    "align",
    "alt",
    "axis",
    "border",
    "cellpadding",
    "cellspacing",
    "char",
    "charoff",
    "charset",
    "checked",
    "clear",
    "cols",
    "colspan",
    "color",
    "compact",
    "coords",
    "datetime",
    "dir",
    "disabled",
    "enctype",
    "for",
    "frame",
    "headers",
    "height",
    "hreflang",
    "hspace",
    "ismap",
    "label",
    "lang",
    "maxlength",
    "media",
    "method",
    "multiple",
    "name",
    "nohref",
    "noshade",
    "nowrap",
    "open",
    "prompt",
    "readonly",
    "rev",
    "rows",
    "rowspan",
    "rules",
    "scope",
    "selected",
    "shape",
    "size",
    "span",
    "start",
    "summary",
    "tabindex",
    "target",
    "title",
    "type",
    "usemap",
    "valign",
    "value",
    "vspace",
    "width",
    "itemprop",
];

/// Attributes kept on one element only.
const ON_ELEMENT: &[(&str, &[&str])] = &[
    ("a", &["href"]),
    ("img", &["src", "longdesc"]),
    ("div", &["itemscope", "itemtype"]),
    ("blockquote", &["cite"]),
    ("del", &["cite"]),
    ("ins", &["cite"]),
    ("q", &["cite"]),
];

/// URL schemes kept in `href`, `src` and `cite` (relative URLs are kept too).
const SCHEMES: &[&str] = &["http", "https", "mailto", "github-windows", "github-mac"];

static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut b = Builder::empty();
    b.tags(ELEMENTS.iter().copied().collect())
        .generic_attributes(ANY_ELEMENT.iter().copied().collect())
        .tag_attributes(
            ON_ELEMENT
                .iter()
                .map(|(tag, attrs)| (*tag, attrs.iter().copied().collect::<HashSet<_>>()))
                .collect::<HashMap<_, _>>(),
        )
        .url_schemes(SCHEMES.iter().copied().collect())
        .url_relative(UrlRelative::PassThrough)
        .clean_content_tags(["script", "style"].into_iter().collect())
        .link_rel(Some("nofollow"))
        .strip_comments(true);
    b
});

/// GitHub's Markdown extensions: tables, strikethrough, autolinks, task lists, footnotes,
/// alerts; raw HTML passes the parser and meets the sanitizer instead.
fn options() -> Options<'static> {
    let mut o = Options::default();
    o.extension.table = true;
    o.extension.strikethrough = true;
    o.extension.autolink = true;
    o.extension.tasklist = true;
    o.extension.footnotes = true;
    o.extension.alerts = true;
    o.render.r#unsafe = true;
    o.render.github_pre_lang = true;
    o.render.gfm_quirks = true;
    o
}

/// A comment body as GitHub shows it: safe HTML, ready to place inside the page.
pub fn render(body: &str) -> String {
    let html = markdown_to_html(body, &options());
    SANITIZER.clean(&html).to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn tables_links_and_details_survive() {
        let md = "| a | b |\n|---|---|\n| [x](https://e.x/1) | `c` &#124; d |\n\n\
                  <details><summary>more</summary>\n\ntext\n\n</details>\n";
        let html = render(md);
        assert!(html.contains("<table>"), "{html}");
        assert!(
            html.contains("<a href=\"https://e.x/1\" rel=\"nofollow\">x</a>"),
            "{html}"
        );
        assert!(html.contains("<td><code>c</code> | d</td>"), "{html}");
        assert!(html.contains("<details><summary>more</summary>"), "{html}");
    }

    #[test]
    fn scripts_handlers_and_bad_schemes_are_dropped() {
        let md = "<script>alert(1)</script><img src=x onerror=alert(2)>\
                  <a href=\"javascript:alert(3)\">j</a><style>p{}</style><iframe src=x></iframe>\
                  <p style=\"color:red\" class=\"c\" id=\"i\">t</p>\n\n[m](javascript:alert(4))";
        let html = render(md);
        for bad in [
            "script",
            "alert",
            "onerror",
            "javascript",
            "iframe",
            "style",
            "class",
            "id=",
        ] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(html.contains("<p>t</p>"), "{html}");
    }

    #[test]
    fn comments_and_sub_are_github_like() {
        let html = render("<!-- infra-dashboard:abc1234 -->\nH<sub>2</sub>O ~~old~~");
        assert_eq!(html.trim(), "<p>H<sub>2</sub>O <del>old</del></p>");
    }
}
