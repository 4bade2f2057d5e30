//! The middleware every GitHub API request goes through, in GitHub's order: latency,
//! authentication (401), primary rate limit (403), injected faults, then the handler; and
//! on the way out the `x-ratelimit-*` / `x-github-request-id` headers and the request log.

use std::time::{Duration, Instant};

use std::hash::{Hash as _, Hasher as _};

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::Rng as _;
use serde_json::json;

use crate::Emulator;
use crate::auth::{self, Caller};
use crate::error::ApiError;
use crate::faults::{FaultKind, Injected, glob_match};
use crate::limits::{PrimaryKey, repo_of};
use crate::model::UserKind;
use crate::reply;
use crate::world::{LogEntry, World};

/// The instant a read should answer as of (`None`: now). Set on every API request.
#[derive(Debug, Clone, Copy)]
pub struct ReadAsOf(pub Option<Instant>);

/// Reads that stale-read faults apply to: the list and combined endpoints.
const STALE_READS: &[&str] = &[
    "/repos/*/*/issues/*/comments",
    "/repos/*/*/commits/*/status",
    "/repos/*/*/commits/*/statuses",
];

/// Rate-limit numbers for the response headers.
#[derive(Debug, Clone, Copy)]
struct RateInfo {
    limit: u32,
    used: u32,
    reset: i64,
}

/// What the pipeline decided before running the handler.
struct Admission {
    request_id: String,
    caller: Option<Caller>,
    /// The primary window charged for this request (refunded on a 304).
    charged: Option<PrimaryKey>,
    rate: RateInfo,
    verdict: Result<Option<Injected>, ApiError>,
    as_of: Option<Instant>,
}

/// Routes authenticated by a GitHub App JWT rather than a user token.
fn is_app_route(path: &str) -> bool {
    path.starts_with("/app/") || path == "/app" || glob_match("/repos/*/*/installation", path)
}

/// Counts a request in flight for its identity until dropped (also when the handler
/// unwinds to drop the connection).
struct InFlight {
    emu: Emulator,
    user_id: Option<u64>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut world = self.emu.world();
        if let Some(s) = self.user_id.and_then(|id| world.secondary.get_mut(&id)) {
            s.in_flight = s.in_flight.saturating_sub(1);
        }
    }
}

/// The middleware itself.
pub async fn api(State(emu): State<Emulator>, mut req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let token = auth::bearer(req.headers()).map(str::to_owned);
    let endpoint = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| path.clone(), |m| m.as_str().to_owned());
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);

    let latency = emu.world().latency;
    if latency.ms > 0 || latency.jitter_ms > 0 {
        let jitter = rand::rng().random_range(0..=latency.jitter_ms);
        tokio::time::sleep(Duration::from_millis(latency.ms + jitter)).await;
    }

    let adm = {
        let mut world = emu.world();
        admit(&mut world, token.as_deref(), &method, &path, &endpoint)
    };
    let login = adm.caller.as_ref().map(|c| c.login.clone());
    let log = |emu: &Emulator, status: Option<u16>, fault: Option<FaultKind>| {
        emu.world().requests.push(LogEntry {
            method: method.clone(),
            path: path.clone(),
            query: query.clone(),
            status,
            login: login.clone(),
            fault: fault.map(|f| f.name().to_owned()),
        });
    };

    let fault = match adm.verdict {
        Err(err) => {
            let res = finish(err.into_response(), &adm.request_id, adm.rate);
            log(&emu, Some(res.status().as_u16()), None);
            return res;
        }
        Ok(fault) => fault,
    };
    let _in_flight = InFlight {
        emu: emu.clone(),
        user_id: adm.caller.as_ref().map(|c| c.user_id),
    };
    if let Some(injected) = fault {
        if let Some(res) = fault_response(injected, &adm.request_id) {
            let res = finish(res, &adm.request_id, adm.rate);
            log(&emu, Some(res.status().as_u16()), Some(injected.kind));
            return res;
        }
        if injected.kind == FaultKind::Reset {
            log(&emu, None, Some(injected.kind));
            drop_connection();
        }
    }

    if let Some(caller) = adm.caller {
        req.extensions_mut().insert(caller);
    }
    req.extensions_mut().insert(ReadAsOf(adm.as_of));
    let res = next.run(req).await;
    let mut rate = adm.rate;
    let res = if matches!(res.status(), StatusCode::OK | StatusCode::CREATED) {
        // GitHub sends an ETag with creates too; only a GET can be answered 304.
        let inm = if_none_match.as_deref().filter(|_| method == "GET");
        let (res, not_modified) = with_etag(res, inm).await;
        if not_modified {
            refund(&emu, adm.charged, &mut rate);
        }
        res
    } else {
        res
    };
    let res = finish(res, &adm.request_id, rate);
    if fault.is_some_and(|f| f.kind == FaultKind::LostResponse) {
        log(&emu, None, Some(FaultKind::LostResponse));
        drop_connection();
    }
    log(&emu, Some(res.status().as_u16()), None);
    res
}

/// Adds an `ETag` (a hash of the body) to a 200 and answers `304 Not Modified` without
/// a body when the request's `If-None-Match` names it. Returns whether it was a 304.
async fn with_etag(res: Response, if_none_match: Option<&str>) -> (Response, bool) {
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR.into_response(), false);
    };
    let mut hasher = std::hash::DefaultHasher::new();
    bytes.hash(&mut hasher);
    let etag = format!("W/\"{:016x}{:08x}\"", hasher.finish(), bytes.len());
    let matches = if_none_match.is_some_and(|inm| {
        inm.split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t == etag.trim_start_matches("W/"))
    });
    if let Ok(v) = HeaderValue::from_str(&etag) {
        parts.headers.insert(header::ETAG, v);
    }
    parts.headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept, Authorization, Cookie, X-GitHub-OTP"),
    );
    if matches {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_TYPE);
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::LINK);
        return (Response::from_parts(parts, Body::empty()), true);
    }
    (Response::from_parts(parts, Body::from(bytes)), false)
}

/// Gives back the primary-limit request a 304 was charged (GitHub does not count it).
fn refund(emu: &Emulator, charged: Option<PrimaryKey>, rate: &mut RateInfo) {
    let Some(key) = charged else { return };
    let mut world = emu.world();
    if let Some(w) = world.rate_windows.get_mut(&key) {
        w.used = w.used.saturating_sub(1);
        rate.used = w.used;
    }
}

/// Authentication, repository existence, rate limits, fault and stale-read decisions,
/// under one lock.
fn admit(
    world: &mut World,
    token: Option<&str>,
    method: &str,
    path: &str,
    endpoint: &str,
) -> Admission {
    let request_id = world.next_request_id();
    let now = world.now();
    let anonymous = RateInfo {
        limit: ANONYMOUS_PER_HOUR,
        used: 0,
        reset: now.as_second() + 3600,
    };
    let mut adm = Admission {
        request_id,
        caller: None,
        charged: None,
        rate: anonymous,
        verdict: Ok(None),
        as_of: None,
    };
    if !is_app_route(path) {
        let caller = match authenticate(world, token, method, path) {
            Ok(caller) => caller,
            Err(err) => {
                adm.verdict = Err(err);
                return adm;
            }
        };
        if let Some(repo) = repo_of(path) {
            let visible = world
                .find_repo(
                    repo.split('/').next().unwrap_or(""),
                    repo.split('/').nth(1).unwrap_or(""),
                )
                .is_some_and(|r| caller.user_id != 0 || !r.private);
            if !visible {
                adm.verdict = Err(ApiError::not_found(crate::error::DOCS));
                adm.caller = Some(caller);
                return adm;
            }
        }
        if world.limits_on {
            if let Err(err) = charge(world, &caller, path, &mut adm) {
                adm.verdict = Err(err);
                adm.caller = Some(caller);
                return adm;
            }
            let now_ms = now.as_millisecond();
            let secondary = world.secondary.entry(caller.user_id).or_default();
            if let Err(refused) = secondary.admit(now_ms, method, endpoint) {
                adm.verdict = Err(ApiError::secondary_limit(
                    &adm.request_id,
                    refused.retry_after,
                ));
                adm.caller = Some(caller);
                return adm;
            }
        }
        world.secondary.entry(caller.user_id).or_default().in_flight += 1;
        adm.caller = Some(caller);
    }
    adm.verdict = Ok(world.faults.decide(method, path));
    if method == "GET" && STALE_READS.iter().any(|p| glob_match(p, path)) {
        adm.as_of = world.faults.stale_as_of(Instant::now());
    }
    adm
}

/// GitHub's anonymous limit (per IP; here one shared budget).
const ANONYMOUS_PER_HOUR: u32 = 60;

/// The caller of a token; without one, an anonymous reader of a public repository.
fn authenticate(
    world: &World,
    token: Option<&str>,
    method: &str,
    path: &str,
) -> Result<Caller, ApiError> {
    match token {
        Some(t) => world
            .user_for_token(t)
            .map(Caller::from_user)
            .ok_or_else(ApiError::bad_credentials),
        None if method == "GET" && repo_of(path).is_some() => Ok(Caller::anonymous()),
        None => Err(ApiError::requires_authentication()),
    }
}

/// Charges one request to the caller's primary window; 403 when it is spent.
fn charge(
    world: &mut World,
    caller: &Caller,
    path: &str,
    adm: &mut Admission,
) -> Result<(), ApiError> {
    if path == "/rate_limit" {
        return Ok(());
    }
    let bot = caller.kind == UserKind::Bot;
    let limit = if caller.user_id == 0 {
        ANONYMOUS_PER_HOUR
    } else {
        world.primary_limit(bot)
    };
    let key: PrimaryKey = (caller.user_id, if bot { repo_of(path) } else { None });
    let installation = bot.then(|| installation_of(world, caller.user_id));
    let window = world.primary_window(key.clone());
    if window.used >= limit {
        adm.rate = RateInfo {
            limit,
            used: window.used,
            reset: window.reset,
        };
        return Err(primary_limit(caller.user_id, installation, &adm.request_id));
    }
    window.used += 1;
    adm.rate = RateInfo {
        limit,
        used: window.used,
        reset: window.reset,
    };
    adm.charged = Some(key);
    Ok(())
}

/// The installation a bot user's token belongs to (an app's first installation; the
/// user id for `github-actions[bot]`, whose installation is not modelled).
fn installation_of(world: &World, user_id: u64) -> u64 {
    world
        .apps
        .values()
        .find(|a| a.bot_user_id == user_id)
        .and_then(|a| a.installations.first())
        .map_or(user_id, |i| i.id)
}

fn primary_limit(user_id: u64, installation: Option<u64>, request_id: &str) -> ApiError {
    let who = installation.map_or_else(
        || format!("user ID {user_id}"),
        |i| format!("installation ID {i}"),
    );
    ApiError::forbidden(
        &format!(
            "API rate limit exceeded for {who}. If you reach out to GitHub Support for help, please include the request ID {request_id}."
        ),
        "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
    )
}

/// The response for faults answered without running the handler.
fn fault_response(injected: Injected, request_id: &str) -> Option<Response> {
    let (status, message) = match injected.kind {
        FaultKind::Http500 => (StatusCode::INTERNAL_SERVER_ERROR, "Server Error"),
        FaultKind::Http502 => (StatusCode::BAD_GATEWAY, "Server Error"),
        FaultKind::Http503 => (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable"),
        FaultKind::Secondary403 | FaultKind::Secondary429 => {
            let status = if injected.kind == FaultKind::Secondary403 {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::TOO_MANY_REQUESTS
            };
            let body = json!({
                "message": format!("You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID {request_id}."),
                "documentation_url": "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
                "status": status.as_u16().to_string(),
            });
            let mut res = reply::json(status, &body);
            res.headers_mut()
                .insert("retry-after", HeaderValue::from(injected.retry_after));
            return Some(res);
        }
        FaultKind::Reset | FaultKind::LostResponse => return None,
    };
    Some(reply::json(
        status,
        &json!({ "message": message, "documentation_url": crate::error::DOCS }),
    ))
}

/// Adds GitHub's per-response headers.
fn finish(mut res: Response, request_id: &str, rate: RateInfo) -> Response {
    let h = res.headers_mut();
    h.insert("x-ratelimit-limit", HeaderValue::from(rate.limit));
    h.insert(
        "x-ratelimit-remaining",
        HeaderValue::from(rate.limit.saturating_sub(rate.used)),
    );
    h.insert("x-ratelimit-used", HeaderValue::from(rate.used));
    h.insert("x-ratelimit-reset", HeaderValue::from(rate.reset));
    h.insert("x-ratelimit-resource", HeaderValue::from_static("core"));
    h.insert(
        "x-github-media-type",
        HeaderValue::from_static("github.v3; format=json"),
    );
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-github-request-id", v);
    }
    res
}

/// Drops the connection without a response: unwinding out of the connection task makes
/// hyper close the socket. `resume_unwind` skips the panic hook, so nothing is printed.
fn drop_connection() -> ! {
    std::panic::resume_unwind(Box::new("infra-ci-emulator: injected connection drop"))
}
