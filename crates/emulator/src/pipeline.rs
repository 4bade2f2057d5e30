//! The middleware every GitHub API request goes through, in GitHub's order: latency,
//! authentication (401), primary rate limit (403), injected faults, then the handler; and
//! on the way out the `x-ratelimit-*` / `x-github-request-id` headers and the request log.

use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use rand::Rng as _;
use serde_json::json;

use crate::Emulator;
use crate::auth::{self, Caller};
use crate::error::ApiError;
use crate::faults::{FaultKind, Injected, glob_match};
use crate::reply;
use crate::world::{LogEntry, RateWindow, World};

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
    rate: RateInfo,
    verdict: Result<Option<Injected>, ApiError>,
    as_of: Option<Instant>,
}

/// Routes authenticated by a GitHub App JWT rather than a user token.
fn is_app_route(path: &str) -> bool {
    path.starts_with("/app/") || path == "/app" || glob_match("/repos/*/*/installation", path)
}

/// The middleware itself.
pub async fn api(State(emu): State<Emulator>, mut req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let token = auth::bearer(req.headers()).map(str::to_owned);

    let latency = emu.world().latency;
    if latency.ms > 0 || latency.jitter_ms > 0 {
        let jitter = rand::rng().random_range(0..=latency.jitter_ms);
        tokio::time::sleep(Duration::from_millis(latency.ms + jitter)).await;
    }

    let adm = {
        let mut world = emu.world();
        admit(&mut world, token.as_deref(), &method, &path)
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
    let res = finish(next.run(req).await, &adm.request_id, adm.rate);
    if fault.is_some_and(|f| f.kind == FaultKind::LostResponse) {
        log(&emu, None, Some(FaultKind::LostResponse));
        drop_connection();
    }
    log(&emu, Some(res.status().as_u16()), None);
    res
}

/// Authentication, rate limit, fault and stale-read decisions, under one lock.
fn admit(world: &mut World, token: Option<&str>, method: &str, path: &str) -> Admission {
    let request_id = world.next_request_id();
    let now = Timestamp::now().as_second();
    let anonymous = RateInfo {
        limit: 60,
        used: 0,
        reset: now + 3600,
    };
    let mut adm = Admission {
        request_id,
        caller: None,
        rate: anonymous,
        verdict: Ok(None),
        as_of: None,
    };
    if !is_app_route(path) {
        let Some(user) = token.and_then(|t| world.user_for_token(t)) else {
            adm.verdict = Err(ApiError::bad_credentials());
            return adm;
        };
        let caller = Caller::from_user(user);
        let limit = world.rate_limit;
        let window = world
            .rate_windows
            .entry(caller.user_id)
            .or_insert(RateWindow {
                reset: now + 3600,
                used: 0,
            });
        if now >= window.reset {
            *window = RateWindow {
                reset: now + 3600,
                used: 0,
            };
        }
        let counts = path != "/rate_limit";
        if counts && window.used >= limit {
            adm.rate = RateInfo {
                limit,
                used: window.used,
                reset: window.reset,
            };
            adm.verdict = Err(primary_limit(caller.user_id, &adm.request_id));
            adm.caller = Some(caller);
            return adm;
        }
        if counts {
            window.used += 1;
        }
        adm.rate = RateInfo {
            limit,
            used: window.used,
            reset: window.reset,
        };
        adm.caller = Some(caller);
    }
    adm.verdict = Ok(world.faults.decide(method, path));
    if method == "GET" && STALE_READS.iter().any(|p| glob_match(p, path)) {
        adm.as_of = world.faults.stale_as_of(Instant::now());
    }
    adm
}

fn primary_limit(user_id: u64, request_id: &str) -> ApiError {
    ApiError::forbidden(
        &format!(
            "API rate limit exceeded for user ID {user_id}. If you reach out to GitHub Support for help, please include the request ID {request_id}."
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
