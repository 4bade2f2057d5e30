//! A read-only HTML view of an issue or pull request conversation, for people watching a
//! demo: comments in order with author, time and minimized state. Every user-provided
//! string is HTML-escaped (bodies are shown as preformatted text, never as markup).

use std::fmt::Write as _;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::Emulator;
use crate::shapes::ts;

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

/// `GET /{owner}/{repo}/pull/{number}` and `/issues/{number}`.
pub async fn conversation(
    State(emu): State<Emulator>,
    Path((owner, repo, number)): Path<(String, String, u64)>,
) -> Response {
    let world = emu.world();
    let issue = world
        .repos
        .get(&(owner.clone(), repo.clone()))
        .and_then(|r| r.issues.get(&number));
    let title = issue.map_or_else(
        || format!("#{number}"),
        |i| format!("{} #{number}", i.title),
    );
    let mut html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title><style>\
         body{{font-family:sans-serif;max-width:60em;margin:2em auto}}\
         .c{{border:1px solid #ccc;border-radius:6px;margin:1em 0}}\
         .h{{background:#f6f8fa;padding:.4em .8em;border-bottom:1px solid #ccc}}\
         pre{{white-space:pre-wrap;padding:.8em;margin:0}}</style></head><body>\
         <h1>{o}/{r}: {t}</h1>",
        t = escape(&title),
        o = escape(&owner),
        r = escape(&repo),
    );
    if let Some(p) = issue.and_then(|i| i.pull.as_ref()) {
        let _ = write!(
            html,
            "<p>head <code>{}</code> on <code>{}</code></p>",
            escape(&p.head_sha),
            escape(&p.head_ref)
        );
    }
    let comments = world.issue_comments(&owner, &repo, number, None);
    let _ = write!(html, "<p>{} comment(s)</p>", comments.len());
    for c in comments {
        let author = world
            .users
            .get(&c.user_id)
            .map_or("ghost", |u| u.login.as_str());
        let v = c.current();
        let edited = if v.updated_at == c.created_at {
            ""
        } else {
            " (edited)"
        };
        let body = match &c.minimized {
            Some(reason) => format!(
                "<details><summary>This comment was marked as {}.</summary><pre>{}</pre></details>",
                escape(reason),
                escape(&v.body)
            ),
            None => format!("<pre>{}</pre>", escape(&v.body)),
        };
        let _ = write!(
            html,
            "<div class=\"c\" id=\"issuecomment-{id}\"><div class=\"h\"><b>{a}</b> commented at {t}{e} · #{id}</div>{body}</div>",
            id = c.id,
            a = escape(author),
            t = ts(c.created_at),
            e = edited,
        );
    }
    html.push_str("</body></html>");
    let mut res = (StatusCode::OK, html).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    res
}
