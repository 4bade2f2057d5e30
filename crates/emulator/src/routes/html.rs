//! A read-only HTML view of an issue or pull request conversation, for people watching a
//! demo and for tests that check what a user sees: comments and reviews in order, each body
//! rendered as GitHub renders it ([`markdown`]) inside a page laid out like GitHub's
//! conversation tab ([`page`]). Every other user-provided string is HTML-escaped.

mod markdown;
mod page;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::Emulator;
use crate::model::UserKind;
use crate::shapes::ts;
use crate::world::World;

use page::{Author, Header};

/// One entry of the timeline, in time order.
enum Entry<'a> {
    Comment(&'a crate::model::Comment),
    Review(&'a crate::model::Review),
}

/// `?refresh=N`: reload the page every N seconds (1 to 60), to watch a demo live without
/// a script on the page.
#[derive(Debug, serde::Deserialize)]
pub struct View {
    refresh: Option<u32>,
}

/// `GET /{owner}/{repo}/pull/{number}` and `/issues/{number}`.
pub async fn conversation(
    State(emu): State<Emulator>,
    Path((owner, repo, number)): Path<(String, String, u64)>,
    Query(view): Query<View>,
) -> Response {
    let world = emu.world();
    let issue = world
        .repos
        .get(&(owner.clone(), repo.clone()))
        .and_then(|r| r.issues.get(&number));
    let pull = issue.and_then(|i| i.pull.as_ref());
    let comments = world.issue_comments(&owner, &repo, number, None);
    let state = match (issue, pull) {
        (_, Some(p)) if p.merged => "Merged",
        (Some(i), _) if i.state == "closed" => "Closed",
        (_, Some(p)) if p.draft => "Draft",
        _ => "Open",
    };
    let header = Header {
        owner: &owner,
        repo: &repo,
        number,
        title: issue.map_or("", |i| i.title.as_str()),
        state,
        author: issue.map_or("ghost", |i| login(&world, i.user_id).login),
        branches: pull.map(|p| {
            (
                p.base_ref.as_str(),
                p.head_ref.as_str(),
                p.head_sha.as_str(),
            )
        }),
        comments: comments.len(),
        refresh: view.refresh.map(|n| n.clamp(1, 60)),
    };
    let mut html = page::start(&header);
    let mut entries: Vec<(jiff::Timestamp, Entry<'_>)> = comments
        .iter()
        .map(|c| (c.created_at, Entry::Comment(c)))
        .collect();
    if let Some(p) = pull {
        entries.extend(p.reviews.iter().map(|r| (r.submitted_at, Entry::Review(r))));
    }
    // Stable: comments keep their id order within one second.
    entries.sort_by_key(|(at, _)| *at);
    for (_, entry) in entries {
        match entry {
            Entry::Comment(c) => {
                let v = c.current();
                page::comment(
                    &mut html,
                    c.id,
                    &login(&world, c.user_id),
                    &ts(c.created_at),
                    v.updated_at != c.created_at,
                    c.minimized.as_deref(),
                    &markdown::render(&v.body),
                );
            }
            Entry::Review(r) => page::review(
                &mut html,
                &login(&world, r.user_id),
                &r.state,
                &ts(r.submitted_at),
                &markdown::render(&r.body),
            ),
        }
    }
    html.push_str(page::END);
    let mut res = (StatusCode::OK, html).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    res
}

fn login(world: &World, user_id: u64) -> Author<'_> {
    world.users.get(&user_id).map_or(
        Author {
            login: "ghost",
            bot: false,
        },
        |u| Author {
            login: &u.login,
            bot: u.kind == UserKind::Bot,
        },
    )
}
