//! GitHub App shapes: `installation` and `installation-token`.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::{Ctx, account, ts};
use crate::model::{App, Installation};
use crate::world::World;

/// Permissions every emulated installation is granted.
pub fn installation_permissions() -> Value {
    json!({
        "issues": "write", "pull_requests": "write", "statuses": "write",
        "contents": "write", "checks": "write", "metadata": "read",
    })
}

/// `installation` of `app` on `inst.account`.
pub fn installation(ctx: Ctx<'_>, world: &World, app: &App, inst: &Installation) -> Value {
    let acct = account(ctx, world, &inst.account);
    json!({
        "id": inst.id,
        "account": acct,
        "repository_selection": "all",
        "access_tokens_url": format!("{}/app/installations/{}/access_tokens", ctx.api, inst.id),
        "repositories_url": format!("{}/installation/repositories", ctx.api),
        "html_url": format!("{}/organizations/{}/settings/installations/{}", ctx.web, inst.account, inst.id),
        "app_id": app.id,
        "app_slug": app.slug,
        "client_id": format!("Iv1.{:016x}", app.id),
        "target_id": acct["id"],
        "target_type": acct["type"],
        "permissions": installation_permissions(),
        "events": ["issue_comment", "pull_request", "push"],
        "created_at": ts(app.created_at),
        "updated_at": ts(app.created_at),
        "single_file_name": null,
        "has_multiple_single_files": false,
        "single_file_paths": [],
        "suspended_by": null,
        "suspended_at": null,
    })
}

/// `installation-token`.
pub fn installation_token(token: &str, expires_at: Timestamp) -> Value {
    json!({
        "token": token,
        "expires_at": ts(expires_at),
        "permissions": installation_permissions(),
        "repository_selection": "all",
    })
}
