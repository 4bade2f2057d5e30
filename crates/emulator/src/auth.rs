//! Who is calling: bearer tokens (`Bearer T` / `token T`), per-token permissions, and
//! GitHub App JWTs (RS256, checked against the app's registered public key).

use std::collections::{BTreeMap, HashSet};

use axum::http::HeaderMap;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

use crate::error::ApiError;
use crate::model::{User, UserKind};
use crate::world::World;

/// The authenticated user of an API request (a request extension set by the pipeline).
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: u64,
    pub login: String,
    pub kind: UserKind,
    permissions: BTreeMap<String, String>,
}

impl Caller {
    pub fn from_user(user: &User) -> Self {
        Self {
            user_id: user.id,
            login: user.login.clone(),
            kind: user.kind,
            permissions: user.permissions.clone(),
        }
    }

    /// An unauthenticated reader of a public repository: reads only.
    pub fn anonymous() -> Self {
        Self {
            user_id: 0,
            login: String::new(),
            kind: UserKind::User,
            permissions: ["issues", "statuses", "pull_requests", "contents", "members"]
                .into_iter()
                .map(|p| (p.to_owned(), "read".to_owned()))
                .collect(),
        }
    }

    fn level(&self, permission: &str) -> &str {
        self.permissions
            .get(permission)
            .map_or("write", String::as_str)
    }

    /// 403 `Resource not accessible by integration` unless the token may write `permission`.
    pub fn can_write(&self, permission: &str, doc: &str) -> Result<(), ApiError> {
        if self.level(permission) == "write" {
            Ok(())
        } else {
            Err(ApiError::not_accessible(doc, permission))
        }
    }

    /// 403 unless the token may at least read `permission`.
    pub fn can_read(&self, permission: &str, doc: &str) -> Result<(), ApiError> {
        if self.level(permission) == "none" {
            Err(ApiError::not_accessible_read(doc, permission))
        } else {
            Ok(())
        }
    }
}

/// The token of an `Authorization: Bearer T` or `Authorization: token T` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let known = scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token");
    known.then(|| token.trim()).filter(|t| !t.is_empty())
}

/// GitHub's limit on a JWT's lifetime (`exp - iat`).
const MAX_JWT_LIFETIME_SECS: i64 = 600;
/// How far in the future `iat` may be (clock drift allowance).
const IAT_SKEW_SECS: i64 = 60;

/// Verifies a GitHub App JWT and returns the app id it was issued for.
pub fn verify_app_jwt(world: &World, jwt: &str, now: i64) -> Result<u64, ApiError> {
    let undecodable = || ApiError::unauthorized("A JSON web token could not be decoded");
    let claims = peek_claims(jwt).ok_or_else(undecodable)?;
    let app_id = match claims.get("iss") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    }
    .ok_or_else(|| ApiError::unauthorized("'Issuer' claim ('iss') must be an Integer"))?;
    let app = world
        .apps
        .get(&app_id)
        .ok_or_else(|| ApiError::unauthorized("Integration not found"))?;
    let key =
        DecodingKey::from_rsa_pem(app.public_key_pem.as_bytes()).map_err(|_| undecodable())?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims = HashSet::new();
    jsonwebtoken::decode::<Value>(jwt, &key, &validation).map_err(|_| undecodable())?;
    let iat = claims.get("iat").and_then(Value::as_i64).ok_or_else(|| {
        ApiError::unauthorized("'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued")
    })?;
    let exp = claims.get("exp").and_then(Value::as_i64).filter(|e| *e > now).ok_or_else(|| {
        ApiError::unauthorized("'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires")
    })?;
    if iat > now + IAT_SKEW_SECS {
        return Err(ApiError::unauthorized(
            "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
        ));
    }
    if exp - iat > MAX_JWT_LIFETIME_SECS {
        return Err(ApiError::unauthorized(
            "'Expiration time' claim ('exp') is too far in the future",
        ));
    }
    Ok(app_id)
}

/// The unverified claims of a JWT (to find which app's key verifies it).
fn peek_claims(jwt: &str) -> Option<Value> {
    let mut parts = jwt.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}
