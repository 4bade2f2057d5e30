//! The admin API under `/_emulator/` (no auth): seed users, pull requests, reviews,
//! comments and commit ancestry; register GitHub Apps; read or clear the request log; set
//! latency, the rate limit and faults; dump the state. Documented in `docs/emulator.md`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::comments::{add_comment, ensure_issue};
use crate::Emulator;
use crate::admin::{
    Advance, BulkComments, FaultConfig, Latency, Limits, NewApp, NewCommit, NewRepo, NewReview,
    NewUser, PullFields, RateLimit,
};
use crate::faults::Faults;
use crate::model::{App, Installation, Issue, Review, UserKind};
use crate::reply;
use crate::shapes;

/// The admin routes (nested under `/_emulator`).
pub fn router() -> Router<Emulator> {
    Router::new()
        .route("/users", post(add_user))
        .route("/apps", post(add_app))
        .route("/repos", post(add_repo))
        .route("/clock", get(get_clock).post(advance_clock))
        .route("/limits", get(get_limits).post(set_limits))
        .route("/repos/{owner}/{repo}/pulls", post(add_pull))
        .route(
            "/repos/{owner}/{repo}/pulls/{number}",
            axum::routing::patch(edit_pull),
        )
        .route(
            "/repos/{owner}/{repo}/pulls/{number}/reviews",
            post(add_review),
        )
        .route(
            "/repos/{owner}/{repo}/issues/{number}/comments/bulk",
            post(bulk_comments),
        )
        .route("/repos/{owner}/{repo}/commits", post(add_commit))
        .route(
            "/repos/{owner}/{repo}/contents/{*path}",
            axum::routing::put(super::contents::put_file),
        )
        .route(
            "/orgs/{org}/teams/{team}/members",
            post(super::teams::add_member),
        )
        .route("/requests", get(requests).delete(clear_requests))
        .route("/latency", post(set_latency))
        .route("/ratelimit", post(set_rate_limit))
        .route(
            "/faults",
            get(get_faults).post(set_faults).delete(clear_faults),
        )
        .route("/state", get(state))
}

/// An admin error: 400 with a message saying what was wrong.
fn bad(message: &str) -> Response {
    reply::json(StatusCode::BAD_REQUEST, &json!({ "message": message }))
}

/// 404 with what to do, unless `owner/repo` was created: seeding never creates a
/// repository by the way (a typo in a test would otherwise pass unnoticed).
pub(super) fn missing_repo(
    world: &crate::world::World,
    owner: &str,
    repo: &str,
) -> Option<Response> {
    if world.find_repo(owner, repo).is_some() {
        return None;
    }
    Some(reply::json(
        StatusCode::NOT_FOUND,
        &json!({ "message": format!(
            "repository {owner}/{repo} does not exist; create it first: POST /_emulator/repos {{\"full_name\":\"{owner}/{repo}\"}}"
        ) }),
    ))
}

/// `POST /_emulator/repos`: creates a repository (201), or answers 200 with the existing one.
async fn add_repo(State(emu): State<Emulator>, raw: Bytes) -> Response {
    let req: NewRepo = match parse(&raw) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let Some((owner, name)) = req
        .full_name
        .split_once('/')
        .filter(|(o, n)| valid(o) && valid(n))
    else {
        return bad(&format!(
            "full_name must be OWNER/NAME (letters, digits, -, _, .), not {:?}",
            req.full_name
        ));
    };
    let mut world = emu.world();
    let existed = world.find_repo(owner, name).is_some();
    let branch = req.default_branch.as_deref().unwrap_or("main");
    let (owner, name) = world.create_repo(owner, name, branch);
    if let Some(private) = req.private {
        world.repo_mut(&owner, &name).private = private;
    }
    let status = if existed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    reply::json(
        status,
        &shapes::repository(emu.shapes(), &world, &owner, &name, false),
    )
}

fn clock_json(world: &crate::world::World) -> Value {
    json!({ "now": shapes::ts(world.now()), "offset_ms": world.clock_offset_ms })
}

async fn get_clock(State(emu): State<Emulator>) -> Response {
    reply::ok(&clock_json(&emu.world()))
}

/// `POST /_emulator/clock {"seconds": N}`: moves the emulator's clock forward (rate-limit
/// windows, token expiry), so no test sleeps through a minute.
async fn advance_clock(State(emu): State<Emulator>, raw: Bytes) -> Response {
    let req: Advance = match parse(&raw) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    let mut world = emu.world();
    let ms = i64::try_from(req.seconds.saturating_mul(1000)).unwrap_or(i64::MAX / 2);
    world.clock_offset_ms = world.clock_offset_ms.saturating_add(ms);
    reply::ok(&clock_json(&world))
}

async fn get_limits(State(emu): State<Emulator>) -> Response {
    reply::ok(&json!({ "enabled": emu.world().limits_on }))
}

/// `POST /_emulator/limits {"enabled": false}`: every rate limit off (bulk tests, soaks);
/// `true` turns them back on with fresh windows.
async fn set_limits(State(emu): State<Emulator>, raw: Bytes) -> Response {
    let req: Limits = match parse(&raw) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    let mut world = emu.world();
    world.limits_on = req.enabled;
    world.rate_windows.clear();
    for s in world.secondary.values_mut() {
        let in_flight = s.in_flight;
        *s = crate::limits::Secondary::default();
        s.in_flight = in_flight;
    }
    reply::ok(&json!({ "enabled": req.enabled }))
}

/// Parses an admin body strictly (unknown fields are typos here, not GitHub data).
fn parse<T: DeserializeOwned>(raw: &[u8]) -> Result<T, Box<Response>> {
    let raw = if raw.is_empty() {
        b"{}".as_slice()
    } else {
        raw
    };
    serde_json::from_slice(raw)
        .map_err(|e| Box::new(bad(&format!("invalid admin request body: {e}"))))
}

/// The `author_association` values GitHub documents.
const ASSOCIATIONS: &[&str] = &[
    "COLLABORATOR",
    "CONTRIBUTOR",
    "FIRST_TIMER",
    "FIRST_TIME_CONTRIBUTOR",
    "MANNEQUIN",
    "MEMBER",
    "NONE",
    "OWNER",
];

async fn add_user(State(emu): State<Emulator>, raw: Bytes) -> Response {
    let req: NewUser = match parse(&raw) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    let kind = match req.kind.as_deref() {
        None | Some("User") => UserKind::User,
        Some("Bot") => UserKind::Bot,
        Some(other) => return bad(&format!("type must be \"User\" or \"Bot\", not {other:?}")),
    };
    if let Some((k, v)) = req
        .permissions
        .iter()
        .find(|(_, v)| !matches!(v.as_str(), "read" | "write" | "none"))
    {
        return bad(&format!(
            "permission {k} must be read, write or none, not {v:?}"
        ));
    }
    let named = req.association.iter().chain(req.repo_associations.values());
    if let Some(a) = named
        .into_iter()
        .find(|a| !ASSOCIATIONS.contains(&a.as_str()))
    {
        return bad(&format!(
            "association must be one of {}, not {a:?}",
            ASSOCIATIONS.join(", ")
        ));
    }
    let mut world = emu.world();
    let id = world.ensure_user(&req.login, kind);
    let user = world.users.get_mut(&id).expect("just ensured");
    user.kind = kind;
    user.permissions = req.permissions;
    if let Some(a) = req.association {
        user.association = a;
    }
    for (repo, a) in req.repo_associations {
        user.repo_associations.insert(repo.to_ascii_lowercase(), a);
    }
    if let Some(token) = req.token {
        world.tokens.insert(
            token,
            crate::model::Token {
                user_id: id,
                expires_at: None,
            },
        );
    }
    reply::json(
        StatusCode::CREATED,
        &shapes::simple_user(emu.shapes(), &world.users[&id]),
    )
}

async fn add_app(State(emu): State<Emulator>, raw: Bytes) -> Response {
    let req: NewApp = match parse(&raw) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    if jsonwebtoken::DecodingKey::from_rsa_pem(req.public_key_pem.as_bytes()).is_err() {
        return bad("public_key_pem is not an RSA public key in PEM format");
    }
    let mut world = emu.world();
    let bot_user_id = world.ensure_user(&format!("{}[bot]", req.slug), UserKind::Bot);
    let app = App {
        id: req.id,
        slug: req.slug,
        public_key_pem: req.public_key_pem,
        bot_user_id,
        installations: req
            .installations
            .into_iter()
            .map(|i| Installation {
                id: i.id,
                account: i.account,
            })
            .collect(),
        created_at: Timestamp::now(),
    };
    let body = json!({ "id": app.id, "slug": app.slug, "bot": world.users[&bot_user_id].login });
    world.apps.insert(app.id, app);
    reply::json(StatusCode::CREATED, &body)
}

/// Applies the given fields to an issue that is a pull request.
fn apply_pull(issue: &mut Issue, f: PullFields, user_id: Option<u64>) {
    let now = Timestamp::now();
    let pull = issue.pull.as_mut().expect("callers pass pull requests");
    if let Some(v) = f.head_sha {
        pull.head_sha = v;
    }
    if let Some(v) = f.base_sha {
        pull.base_sha = v;
    }
    if let Some(v) = f.head_ref {
        pull.head_ref = v;
    }
    if let Some(v) = f.base_ref {
        pull.base_ref = v;
    }
    if let Some(v) = f.fork {
        pull.fork = v;
    }
    if let Some(v) = f.mergeable {
        pull.mergeable = v;
    }
    if let Some(v) = f.draft {
        pull.draft = v;
    }
    if let Some(v) = f.merge_commit_sha {
        pull.merge_commit_sha = Some(v);
    }
    if let Some(v) = f.merged {
        pull.merged = v;
        pull.merged_at = v.then_some(now);
        if v {
            "closed".clone_into(&mut issue.state);
            issue.closed_at = Some(now);
        }
    }
    if let Some(v) = f.state {
        issue.closed_at = (v == "closed").then_some(now);
        issue.state = v;
    }
    if let Some(v) = f.title {
        issue.title = v;
    }
    if let Some(v) = f.body {
        issue.body = Some(v);
    }
    if let Some(v) = f.labels {
        issue.labels = v;
    }
    if let Some(u) = user_id {
        issue.user_id = u;
    }
    issue.updated_at = now;
}

fn pull_json(emu: &Emulator, owner: &str, repo: &str, number: u64) -> Value {
    let world = emu.world();
    let r = world.repo(owner, repo);
    let issue = &r.issues[&number];
    shapes::pull_request(
        emu.shapes(),
        &world,
        r,
        issue,
        issue.pull.as_ref().expect("a pull request"),
    )
}

async fn add_pull(
    State(emu): State<Emulator>,
    Path((owner, repo)): Path<(String, String)>,
    raw: Bytes,
) -> Response {
    let f: PullFields = match parse(&raw) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    if f.state
        .as_deref()
        .is_some_and(|s| s != "open" && s != "closed")
    {
        return bad("state must be open or closed");
    }
    let number = {
        let mut world = emu.world();
        if let Some(res) = missing_repo(&world, &owner, &repo) {
            return res;
        }
        let user_id = world.ensure_user(f.user.as_deref().unwrap_or("octocat"), UserKind::User);
        let number = f
            .number
            .unwrap_or_else(|| world.repo_mut(&owner, &repo).next_number());
        if world.repo_mut(&owner, &repo).issues.contains_key(&number) {
            return reply::json(
                StatusCode::CONFLICT,
                &json!({ "message": format!("issue or pull request #{number} already exists; PATCH it instead") }),
            );
        }
        if ensure_issue(&mut world, &owner, &repo, number, user_id, false).is_err() {
            return bad("could not create the pull request");
        }
        let issue = world
            .repo_mut(&owner, &repo)
            .issues
            .get_mut(&number)
            .expect("just created");
        "Emulated pull request".clone_into(&mut issue.title);
        if let Some(pull) = issue.pull.as_mut() {
            pull.head_ref = format!("feature-{number}");
        }
        apply_pull(issue, f, None);
        number
    };
    reply::json(StatusCode::CREATED, &pull_json(&emu, &owner, &repo, number))
}

async fn edit_pull(
    State(emu): State<Emulator>,
    Path((owner, repo, number)): Path<(String, String, u64)>,
    raw: Bytes,
) -> Response {
    let f: PullFields = match parse(&raw) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    {
        let mut world = emu.world();
        if let Some(res) = missing_repo(&world, &owner, &repo) {
            return res;
        }
        let user_id = f
            .user
            .as_deref()
            .map(|u| world.ensure_user(u, UserKind::User));
        let Some(issue) = world
            .repo_mut(&owner, &repo)
            .issues
            .get_mut(&number)
            .filter(|i| i.pull.is_some())
        else {
            return reply::json(
                StatusCode::NOT_FOUND,
                &json!({ "message": format!("no pull request #{number} in {owner}/{repo}") }),
            );
        };
        apply_pull(issue, f, user_id);
    }
    reply::ok(&pull_json(&emu, &owner, &repo, number))
}

async fn add_review(
    State(emu): State<Emulator>,
    Path((owner, repo, number)): Path<(String, String, u64)>,
    raw: Bytes,
) -> Response {
    let req: NewReview = match parse(&raw) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    if !matches!(
        req.state.as_str(),
        "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING"
    ) {
        return bad("state must be APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED or PENDING");
    }
    let mut world = emu.world();
    if let Some(res) = missing_repo(&world, &owner, &repo) {
        return res;
    }
    let user_id = world.ensure_user(&req.user, UserKind::User);
    let id = world.next_id();
    let Some(pull) = world
        .repo_mut(&owner, &repo)
        .issues
        .get_mut(&number)
        .and_then(|i| i.pull.as_mut())
    else {
        return reply::json(
            StatusCode::NOT_FOUND,
            &json!({ "message": format!("no pull request #{number} in {owner}/{repo}") }),
        );
    };
    let review = Review {
        id,
        user_id,
        state: req.state,
        body: req.body.unwrap_or_default(),
        commit_id: Some(req.commit_id.unwrap_or_else(|| pull.head_sha.clone())),
        submitted_at: Timestamp::now(),
    };
    pull.reviews.push(review.clone());
    let r = world.repo(&owner, &repo);
    reply::json(
        StatusCode::CREATED,
        &shapes::review(emu.shapes(), &world, r, number, &review),
    )
}

async fn bulk_comments(
    State(emu): State<Emulator>,
    Path((owner, repo, number)): Path<(String, String, u64)>,
    raw: Bytes,
) -> Response {
    let req: BulkComments = match parse(&raw) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    let template = req.body.unwrap_or_else(|| "comment {i}".to_owned());
    let mut world = emu.world();
    if let Some(res) = missing_repo(&world, &owner, &repo) {
        return res;
    }
    let user_id = world.ensure_user(&req.user, UserKind::User);
    if ensure_issue(&mut world, &owner, &repo, number, user_id, true).is_err() {
        return reply::json(
            StatusCode::NOT_FOUND,
            &json!({ "message": format!(
                "no issue or pull request #{number} in {owner}/{repo}; create it first (POST /_emulator/repos/{owner}/{repo}/pulls or POST /repos/{owner}/{repo}/issues)"
            ) }),
        );
    }
    let ids: Vec<u64> = (0..req.count)
        .map(|i| {
            add_comment(
                &mut world,
                &owner,
                &repo,
                number,
                user_id,
                template.replace("{i}", &i.to_string()),
            )
        })
        .collect();
    reply::json(
        StatusCode::CREATED,
        &json!({ "created": ids.len(), "first_id": ids.first(), "last_id": ids.last() }),
    )
}

async fn add_commit(
    State(emu): State<Emulator>,
    Path((owner, repo)): Path<(String, String)>,
    raw: Bytes,
) -> Response {
    let req: NewCommit = match parse(&raw) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    let mut world = emu.world();
    if let Some(res) = missing_repo(&world, &owner, &repo) {
        return res;
    }
    world
        .repo_mut(&owner, &repo)
        .parents
        .insert(req.sha.clone(), req.parents.clone());
    reply::json(
        StatusCode::CREATED,
        &json!({ "sha": req.sha, "parents": req.parents }),
    )
}

async fn requests(State(emu): State<Emulator>) -> Response {
    reply::ok(&json!(emu.world().requests))
}

async fn clear_requests(State(emu): State<Emulator>) -> Response {
    emu.world().requests.clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn set_latency(State(emu): State<Emulator>, raw: Bytes) -> Response {
    let latency: Latency = match parse(&raw) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    emu.world().latency = latency;
    reply::ok(&json!(latency))
}

async fn set_rate_limit(State(emu): State<Emulator>, raw: Bytes) -> Response {
    let req: RateLimit = match parse(&raw) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    let mut world = emu.world();
    world.rate_limit_override = Some(req.limit);
    if req.reset_used.unwrap_or(true) {
        world.rate_windows.clear();
    }
    reply::ok(&json!({ "limit": req.limit }))
}

async fn get_faults(State(emu): State<Emulator>) -> Response {
    reply::ok(&json!(emu.world().faults.config()))
}

async fn set_faults(State(emu): State<Emulator>, raw: Bytes) -> Response {
    let config: FaultConfig = match parse(&raw) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    if let Some(rule) = config.rules.iter().find(|r| !(0.0..=1.0).contains(&r.rate)) {
        return bad(&format!("rate must be within [0, 1], got {}", rule.rate));
    }
    let body = json!(config);
    emu.world().faults = Faults::new(config);
    reply::ok(&body)
}

async fn clear_faults(State(emu): State<Emulator>) -> Response {
    emu.world().faults = Faults::default();
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /_emulator/state`: everything stored, for tests and debugging.
async fn state(State(emu): State<Emulator>) -> Response {
    let world = emu.world();
    let login = |id: u64| world.users.get(&id).map(|u| u.login.clone());
    let comments: Vec<Value> = world
        .comments
        .values()
        .map(|c| {
            json!({
                "id": c.id, "node_id": c.node_id, "owner": c.owner, "repo": c.repo,
                "issue_number": c.issue_number, "user": login(c.user_id), "body": c.current().body,
                "created_at": shapes::ts(c.created_at), "updated_at": shapes::ts(c.current().updated_at),
                "edits": c.versions.len() - 1, "minimized": c.minimized, "deleted": c.deleted.is_some(),
                "reactions": c.reactions.iter().map(|r| json!({ "user": login(r.user_id), "content": r.content })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let repos: Vec<Value> = world
        .repos
        .values()
        .map(|r| {
            json!({
                "owner": r.owner, "name": r.name,
                "issues": r.issues.values().map(|i| json!({
                    "number": i.number, "title": i.title, "state": i.state, "labels": i.labels, "user": login(i.user_id),
                    "pull": i.pull.as_ref().map(|p| json!({
                        "head_sha": p.head_sha, "base_sha": p.base_sha, "head_ref": p.head_ref, "base_ref": p.base_ref,
                        "fork": p.fork, "draft": p.draft, "merged": p.merged, "mergeable": p.mergeable,
                        "merge_commit_sha": p.merge_commit_sha,
                        "reviews": p.reviews.iter().map(|rv| json!({ "user": login(rv.user_id), "state": rv.state, "commit_id": rv.commit_id })).collect::<Vec<_>>(),
                    })),
                })).collect::<Vec<_>>(),
                "statuses": r.statuses.iter().map(|s| json!({
                    "id": s.id, "sha": s.sha, "state": s.state, "context": s.context, "description": s.description,
                    "target_url": s.target_url, "creator": login(s.creator_id), "created_at": shapes::ts(s.created_at),
                })).collect::<Vec<_>>(),
                "refs": r.refs,
            })
        })
        .collect();
    let users: Vec<Value> = world
        .users
        .values()
        .map(|u| json!({ "id": u.id, "login": u.login, "type": u.kind.as_str(), "permissions": u.permissions, "association": u.association, "repo_associations": u.repo_associations }))
        .collect();
    reply::ok(
        &json!({ "users": users, "repos": repos, "comments": comments, "requests": world.requests.len() }),
    )
}
