//! The page around the comments: a pull request's header, its tabs and a timeline of
//! comment boxes and reviews, styled after GitHub's conversation tab (its layout and colours,
//! written here, not copied) and readable on a phone: one column, tables scroll sideways
//! inside their comment instead of widening the page.

use std::fmt::Write as _;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "\
*{box-sizing:border-box}\
body{margin:0;color:#1f2328;background:#fff;font:14px/1.5 -apple-system,BlinkMacSystemFont,\"Segoe UI\",\"Noto Sans\",Helvetica,Arial,sans-serif,\"Apple Color Emoji\",\"Segoe UI Emoji\",\"Noto Color Emoji\"}\
a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}\
.repo{background:#f6f8fa;border-bottom:1px solid #d1d9e0;padding:16px;font-size:18px}\
.repo b{font-weight:600}\
main{max-width:1012px;margin:0 auto;padding:16px 16px 48px}\
.title{font-size:32px;font-weight:400;line-height:1.25;margin:8px 0;word-wrap:break-word}\
.num{color:#59636e;font-weight:300}\
.meta{color:#59636e;padding-bottom:8px;display:flex;flex-wrap:wrap;align-items:center;gap:8px}\
.meta code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,\"Liberation Mono\",monospace;color:#0969da;background:#ddf4ff;border-radius:6px;padding:2px 6px}\
.state{color:#fff;background:#1f883d;border-radius:2em;padding:5px 12px;font-weight:500}\
.state.closed{background:#cf222e}.state.merged{background:#8250df}.state.draft{background:#59636e}\
.tabs{display:flex;overflow-x:auto;border-bottom:1px solid #d1d9e0;margin:8px 0 16px}\
.tab{padding:8px 16px;white-space:nowrap;color:#59636e}\
.tab.selected{color:#1f2328;font-weight:600;border-bottom:2px solid #fd8c73}\
.count{background:#818b981f;border-radius:2em;padding:0 6px;font-size:12px;margin-left:4px}\
.timeline{list-style:none;margin:0;padding:0}\
.item{display:flex;gap:16px;margin:0 0 16px}\
.avatar{flex:none;width:40px;height:40px;border-radius:50%;background:#ddf4ff;color:#0969da;\
display:flex;align-items:center;justify-content:center;font-weight:600;font-size:18px}\
.avatar.bot{border-radius:6px;background:#dafbe1;color:#1a7f37}\
.box{flex:1;min-width:0;border:1px solid #d1d9e0;border-radius:6px}\
.box-head{background:#f6f8fa;border-bottom:1px solid #d1d9e0;border-radius:6px 6px 0 0;\
padding:8px 16px;color:#59636e;display:flex;flex-wrap:wrap;gap:4px}\
.box-head b{color:#1f2328}\
.label{border:1px solid #d1d9e0;border-radius:2em;padding:0 7px;font-size:12px}\
.minimized>summary{padding:8px 16px;color:#59636e;cursor:pointer;font-style:italic}\
.event{display:flex;align-items:center;gap:8px;margin:0 0 16px 56px;color:#59636e}\
.badge{width:32px;height:32px;border-radius:50%;display:flex;align-items:center;justify-content:center;\
color:#fff;background:#59636e;flex:none}\
.badge.approved{background:#1f883d}.badge.changes{background:#cf222e}\
.event .markdown-body{flex-basis:100%;padding:0}\
.markdown-body{padding:16px;line-height:1.5;word-wrap:break-word;overflow-wrap:anywhere}\
.markdown-body>:first-child{margin-top:0}.markdown-body>:last-child{margin-bottom:0}\
.markdown-body h1,.markdown-body h2{padding-bottom:.3em;border-bottom:1px solid #d1d9e0}\
.markdown-body h1,.markdown-body h2,.markdown-body h3{margin:24px 0 16px;font-weight:600;line-height:1.25}\
.markdown-body h2{font-size:1.5em}.markdown-body h3{font-size:1.25em}\
.markdown-body p,.markdown-body table,.markdown-body pre,.markdown-body details,\
.markdown-body blockquote,.markdown-body ul,.markdown-body ol{margin:0 0 16px}\
.markdown-body table{display:block;width:max-content;max-width:100%;overflow:auto;\
border-collapse:collapse;border-spacing:0;font-variant:tabular-nums}\
.markdown-body th{font-weight:600}\
.markdown-body th,.markdown-body td{padding:6px 13px;border:1px solid #d1d9e0;overflow-wrap:normal}\
.markdown-body tr{background:#fff;border-top:1px solid #d1d9e0}\
.markdown-body tr:nth-child(2n){background:#f6f8fa}\
.markdown-body code,.markdown-body pre{font-family:ui-monospace,SFMono-Regular,\"SF Mono\",Menlo,Consolas,\"Liberation Mono\",monospace;font-size:85%}\
.markdown-body code{padding:.2em .4em;background:#818b981f;border-radius:6px;white-space:break-spaces}\
.markdown-body pre{padding:16px;overflow:auto;line-height:1.45;background:#f6f8fa;border-radius:6px}\
.markdown-body pre code{padding:0;background:transparent;font-size:100%;white-space:pre}\
.markdown-body summary{cursor:pointer}\
.markdown-body blockquote{padding:0 1em;color:#59636e;border-left:.25em solid #d1d9e0}\
@media (max-width:543px){main{padding:8px 8px 32px}.title{font-size:24px}\
.item .avatar{display:none}.event{margin-left:0}.markdown-body{padding:12px}}";

/// What the header says about the pull request (or issue).
#[derive(Debug)]
pub struct Header<'a> {
    pub owner: &'a str,
    pub repo: &'a str,
    pub number: u64,
    pub title: &'a str,
    /// `Open`, `Closed`, `Merged` or `Draft`.
    pub state: &'a str,
    pub author: &'a str,
    /// `(base, head, head_sha)` for a pull request.
    pub branches: Option<(&'a str, &'a str, &'a str)>,
    pub comments: usize,
    /// Seconds between reloads, if the page should reload itself.
    pub refresh: Option<u32>,
}

/// The document's start: head, repository bar, title, state and tabs; the timeline opens.
pub fn start(h: &Header<'_>) -> String {
    let title = format!("{} #{}", h.title, h.number);
    let mut html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">{reload}\
         <title>{t} · {o}/{r}</title><style>{CSS}</style></head><body>\
         <header class=\"repo\">{o} / <b>{r}</b></header><main>\
         <h1 class=\"title\">{title} <span class=\"num\">#{n}</span></h1><div class=\"meta\">\
         <span class=\"state {cls}\">{state}</span>",
        t = escape(&title),
        o = escape(h.owner),
        r = escape(h.repo),
        title = escape(h.title),
        n = h.number,
        cls = escape(&h.state.to_lowercase()),
        state = escape(h.state),
        reload = h.refresh.map_or_else(String::new, |n| format!(
            "<meta http-equiv=\"refresh\" content=\"{n}\">"
        )),
    );
    match h.branches {
        Some((base, head, sha)) => {
            let _ = write!(
                html,
                "<span><b>{a}</b> wants to merge into <code>{b}</code> from <code>{h}</code></span>\
                 <span>head <code>{s}</code></span>",
                a = escape(h.author),
                b = escape(base),
                h = escape(head),
                s = escape(sha.get(..7).unwrap_or(sha)),
            );
        }
        None => {
            let _ = write!(
                html,
                "<span><b>{}</b> opened this issue</span>",
                escape(h.author)
            );
        }
    }
    let _ = write!(
        html,
        "</div><nav class=\"tabs\"><span class=\"tab selected\">Conversation\
         <span class=\"count\">{}</span></span>",
        h.comments
    );
    if h.branches.is_some() {
        html.push_str(
            "<span class=\"tab\">Commits</span><span class=\"tab\">Checks</span>\
             <span class=\"tab\">Files changed</span>",
        );
    }
    html.push_str("</nav><ol class=\"timeline\">");
    html
}

/// The document's end.
pub const END: &str = "</ol></main></body></html>";

/// Who wrote something, as the timeline shows them.
#[derive(Debug)]
pub struct Author<'a> {
    pub login: &'a str,
    pub bot: bool,
}

impl Author<'_> {
    fn avatar(&self) -> String {
        let initial = self
            .login
            .chars()
            .next()
            .map_or_else(String::new, |c| c.to_uppercase().to_string());
        format!(
            "<div class=\"avatar{}\" aria-hidden=\"true\">{}</div>",
            if self.bot { " bot" } else { "" },
            escape(&initial)
        )
    }

    fn name(&self) -> String {
        let label = if self.bot {
            " <span class=\"label\">bot</span>"
        } else {
            ""
        };
        format!("<b class=\"author\">{}</b>{label}", escape(self.login))
    }
}

/// One comment box. `body` is already rendered and sanitized; a minimized comment is
/// collapsed behind GitHub's notice, as GitHub shows it.
pub fn comment(
    html: &mut String,
    id: u64,
    author: &Author<'_>,
    at: &str,
    edited: bool,
    minimized: Option<&str>,
    body: &str,
) {
    let _ = write!(
        html,
        "<li class=\"item comment\" id=\"issuecomment-{id}\">{avatar}<div class=\"box\">\
         <div class=\"box-head\">{name} <span>commented <time datetime=\"{at}\">{at}</time></span>{e}</div>",
        avatar = author.avatar(),
        name = author.name(),
        at = escape(at),
        e = if edited {
            " <span>· edited</span>"
        } else {
            ""
        },
    );
    match minimized {
        Some(reason) => {
            let _ = write!(
                html,
                "<details class=\"minimized\"><summary>This comment was marked as {}.</summary>\
                 <div class=\"markdown-body\">{body}</div></details>",
                escape(&reason.to_lowercase().replace('_', "-"))
            );
        }
        None => {
            let _ = write!(html, "<div class=\"markdown-body\">{body}</div>");
        }
    }
    html.push_str("</div></li>");
}

/// A review in the timeline: who, what they decided, and its body if any.
pub fn review(html: &mut String, author: &Author<'_>, state: &str, at: &str, body: &str) {
    let (cls, icon, what) = match state {
        "APPROVED" => ("approved", "✓", "approved these changes"),
        "CHANGES_REQUESTED" => ("changes", "±", "requested changes"),
        "DISMISSED" => ("", "×", "reviewed (dismissed)"),
        _ => ("", "👁", "reviewed"),
    };
    let _ = write!(
        html,
        "<li class=\"event review\"><span class=\"badge {cls}\" aria-hidden=\"true\">{icon}</span>\
         <span>{name} {what} <time datetime=\"{at}\">{at}</time></span>",
        name = author.name(),
        at = escape(at),
    );
    if !body.is_empty() {
        let _ = write!(html, "<div class=\"markdown-body\">{body}</div>");
    }
    html.push_str("</li>");
}
