//! GitHub's rate limits, per identity, on the emulator's clock.
//!
//! - **Primary**: an hourly budget. Installation-style (`Bot`) tokens get 1,000 requests per
//!   hour *per repository* (GitHub's `GITHUB_TOKEN` limit), people 5,000 per hour; an admin
//!   override replaces both. A `304 Not Modified` is refunded (GitHub does not count it).
//! - **Secondary**: at most 100 requests in flight, 80 content-generating requests per
//!   minute and 500 per hour, and 900 points per minute per endpoint (2,000 for GraphQL),
//!   where a read costs 1 point and a write 5. Content-generating is taken to be every
//!   write (`POST`, `PATCH`, `PUT`, `DELETE`): GitHub does not list which writes count, so
//!   the emulator takes the stricter reading.
//!
//! Windows slide over the emulator's clock ([`World::now`]), which the admin API can move
//! forward so tests never sleep through a minute.

use std::collections::{HashMap, VecDeque};

use crate::world::World;

/// GitHub's hourly limit for `GITHUB_TOKEN` and installation tokens, per repository.
pub const INSTALLATION_PER_HOUR: u32 = 1_000;
/// GitHub's hourly limit for a person's token.
pub const USER_PER_HOUR: u32 = 5_000;
/// At most this many requests of one identity in flight.
pub const MAX_CONCURRENT: u32 = 100;
/// Content-generating requests per minute.
pub const CONTENT_PER_MINUTE: usize = 80;
/// Content-generating requests per hour.
pub const CONTENT_PER_HOUR: usize = 500;
/// Points per minute per REST endpoint.
pub const REST_POINTS_PER_MINUTE: u32 = 900;
/// Points per minute for the GraphQL endpoint.
pub const GRAPHQL_POINTS_PER_MINUTE: u32 = 2_000;

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 3_600_000;

/// Whose primary budget a request spends: the user, and for installation tokens the
/// repository (lower case) the request is about.
pub type PrimaryKey = (u64, Option<String>);

/// One primary-limit window.
#[derive(Debug, Clone, Copy)]
pub struct RateWindow {
    /// Epoch seconds when the window resets.
    pub reset: i64,
    pub used: u32,
}

/// One identity's secondary-limit history.
#[derive(Debug, Default)]
pub struct Secondary {
    /// Instants (epoch ms) of content-generating requests in the last hour.
    content: VecDeque<i64>,
    /// Endpoint → (instant in epoch ms, points) in the last minute.
    points: HashMap<String, VecDeque<(i64, u32)>>,
    /// Requests in flight.
    pub in_flight: u32,
}

/// Whether `method` writes (costs 5 points and counts as content-generating).
pub fn is_write(method: &str) -> bool {
    matches!(method, "POST" | "PATCH" | "PUT" | "DELETE")
}

/// The repository a path is about (`owner/repo`, lower case), if any.
pub fn repo_of(path: &str) -> Option<String> {
    let mut parts = path.trim_start_matches('/').split('/');
    (parts.next()? == "repos").then_some(())?;
    let (owner, repo) = (parts.next()?, parts.next()?);
    Some(format!("{owner}/{repo}").to_ascii_lowercase())
}

/// Seconds a client must wait, when a secondary limit refuses a request.
#[derive(Debug, Clone, Copy)]
pub struct Refused {
    pub retry_after: u64,
}

impl Secondary {
    /// Checks and records one request (`endpoint` = the route template). Nothing is
    /// recorded when it is refused.
    pub fn admit(&mut self, now_ms: i64, method: &str, endpoint: &str) -> Result<(), Refused> {
        while self.content.front().is_some_and(|t| now_ms - t >= HOUR_MS) {
            self.content.pop_front();
        }
        let window = self.points.entry(endpoint.to_owned()).or_default();
        while window.front().is_some_and(|(t, _)| now_ms - t >= MINUTE_MS) {
            window.pop_front();
        }
        if self.in_flight >= MAX_CONCURRENT {
            return Err(Refused { retry_after: 1 });
        }
        let write = is_write(method);
        let cost = if write { 5 } else { 1 };
        let budget = if endpoint == "/graphql" {
            GRAPHQL_POINTS_PER_MINUTE
        } else {
            REST_POINTS_PER_MINUTE
        };
        let spent: u32 = window.iter().map(|(_, p)| p).sum();
        if spent + cost > budget {
            return Err(wait_until(
                now_ms,
                window.front().map(|(t, _)| *t),
                MINUTE_MS,
            ));
        }
        if write {
            let last_minute = self
                .content
                .iter()
                .filter(|t| now_ms - **t < MINUTE_MS)
                .count();
            if last_minute >= CONTENT_PER_MINUTE {
                let oldest = self.content.iter().find(|t| now_ms - **t < MINUTE_MS);
                return Err(wait_until(now_ms, oldest.copied(), MINUTE_MS));
            }
            if self.content.len() >= CONTENT_PER_HOUR {
                return Err(wait_until(now_ms, self.content.front().copied(), HOUR_MS));
            }
            self.content.push_back(now_ms);
        }
        window.push_back((now_ms, cost));
        Ok(())
    }
}

/// Seconds until the event at `oldest` leaves a window of `span` ms (at least 1).
fn wait_until(now_ms: i64, oldest: Option<i64>, span: i64) -> Refused {
    let left = oldest.map_or(span, |t| t + span - now_ms).max(1000);
    Refused {
        retry_after: u64::try_from((left + 999) / 1000).unwrap_or(60),
    }
}

impl World {
    /// The hourly primary limit for a caller of `kind`.
    pub fn primary_limit(&self, bot: bool) -> u32 {
        self.rate_limit_override.unwrap_or(if bot {
            INSTALLATION_PER_HOUR
        } else {
            USER_PER_HOUR
        })
    }

    /// The primary window of `key`, renewed when its hour is over.
    pub fn primary_window(&mut self, key: PrimaryKey) -> &mut RateWindow {
        let now = self.now().as_second();
        let window = self.rate_windows.entry(key).or_insert(RateWindow {
            reset: now + 3600,
            used: 0,
        });
        if now >= window.reset {
            *window = RateWindow {
                reset: now + 3600,
                used: 0,
            };
        }
        window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_81st_write_in_a_minute_is_refused_and_a_minute_later_admitted() {
        let mut s = Secondary::default();
        for i in 0..80 {
            s.admit(i * 10, "POST", "/a").expect("under the limit");
        }
        let refused = s.admit(900, "POST", "/b").expect_err("81st write");
        assert_eq!(refused.retry_after, 60);
        assert!(s.admit(900, "GET", "/b").is_ok(), "reads are not content");
        assert!(s.admit(60_000, "POST", "/b").is_ok());
    }

    #[test]
    fn the_501st_write_in_an_hour_is_refused() {
        let mut s = Secondary::default();
        for i in 0..500 {
            s.admit(i * 1_000, "POST", &format!("/e{i}"))
                .expect("under the limit");
        }
        assert!(s.admit(600_000, "POST", "/x").is_err());
        assert!(s.admit(HOUR_MS, "POST", "/x").is_ok());
    }

    #[test]
    fn an_endpoint_has_900_points_a_minute() {
        let mut s = Secondary::default();
        for i in 0..900 {
            s.admit(i, "GET", "/a").expect("under the limit");
        }
        assert!(s.admit(950, "GET", "/a").is_err());
        assert!(s.admit(950, "GET", "/other").is_ok());
    }

    #[test]
    fn the_101st_request_in_flight_is_refused() {
        let mut s = Secondary {
            in_flight: MAX_CONCURRENT,
            ..Secondary::default()
        };
        assert!(s.admit(0, "GET", "/a").is_err());
        s.in_flight -= 1;
        assert!(s.admit(0, "GET", "/a").is_ok());
    }

    #[test]
    fn repo_of_lowers_case() {
        assert_eq!(
            repo_of("/repos/Acme/Infra/issues/1").as_deref(),
            Some("acme/infra")
        );
        assert_eq!(repo_of("/user"), None);
    }
}
