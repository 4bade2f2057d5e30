//! GitHub App authentication: find a repository's installation and mint installation
//! tokens, both authenticated by the app's RS256 JWT.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use jiff::{SignedDuration, Timestamp};
use rand::Rng as _;
use rand::distr::Alphanumeric;

use crate::Emulator;
use crate::auth::{bearer, verify_app_jwt};
use crate::error::{ApiError, ApiResult};
use crate::model::Token;
use crate::reply;
use crate::shapes;

const DOC_INSTALLATION: &str = "https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app";
const DOC_TOKEN: &str =
    "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app";

fn jwt_app(emu: &Emulator, headers: &HeaderMap) -> Result<u64, ApiError> {
    let jwt = bearer(headers)
        .ok_or_else(|| ApiError::unauthorized("A JSON web token could not be decoded"))?;
    verify_app_jwt(&emu.world(), jwt, Timestamp::now().as_second())
}

/// `GET /repos/{owner}/{repo}/installation`.
pub async fn repo_installation(
    State(emu): State<Emulator>,
    headers: HeaderMap,
    Path((owner, _repo)): Path<(String, String)>,
) -> ApiResult {
    let app_id = jwt_app(&emu, &headers)?;
    let world = emu.world();
    let app = &world.apps[&app_id];
    let inst = app
        .installations
        .iter()
        .find(|i| i.account.eq_ignore_ascii_case(&owner))
        .ok_or_else(|| ApiError::not_found(DOC_INSTALLATION))?;
    Ok(reply::ok(&shapes::installation(
        emu.shapes(),
        &world,
        app,
        inst,
    )))
}

/// `POST /app/installations/{id}/access_tokens`: a one-hour `ghs_` token acting as the
/// app's bot user.
pub async fn access_token(
    State(emu): State<Emulator>,
    headers: HeaderMap,
    Path(installation_id): Path<u64>,
) -> ApiResult {
    let app_id = jwt_app(&emu, &headers)?;
    let mut world = emu.world();
    let app = &world.apps[&app_id];
    if !app.installations.iter().any(|i| i.id == installation_id) {
        return Err(ApiError::not_found(DOC_TOKEN));
    }
    let bot = app.bot_user_id;
    let suffix: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(36)
        .map(char::from)
        .collect();
    let token = format!("ghs_{suffix}");
    let expires_at = Timestamp::now() + SignedDuration::from_hours(1);
    world.tokens.insert(
        token.clone(),
        Token {
            user_id: bot,
            expires_at: Some(expires_at),
        },
    );
    let json = shapes::installation_token(&token, expires_at);
    Ok(reply::json(axum::http::StatusCode::CREATED, &json))
}
