//! Taking over a predecessor's dashboard: one live dashboard per commit when the identity
//! that writes them changed (issue 9, item 4; ADR 0011).
//!
//! A repository that moves from the seed's GitHub App to `GITHUB_TOKEN` (or back), or whose
//! jobs once mixed tokens, has dashboards written by another login. Ours are found only by
//! our own authorship (a pasted marker is a hijack attempt), so without this a job would
//! ignore them and create a second dashboard beside them. The configuration names those
//! logins (`dashboard.predecessors`); when a commit has no dashboard of ours but one of
//! theirs, ours is created with their rows carried over, and theirs is minimized as
//! outdated: the commit keeps one live dashboard.
//!
//! Carried rows are display only. They get revision 0, so the next render keeps them until
//! a status of ours for the same stage replaces them (`reconcile::project`), and they are
//! never evidence: the apply gate reads our own statuses and records, never a comment.

use infra_ci_core::marker::is_dashboard_of;
use infra_ci_core::{Dashboard, Status, parse};
use infra_ci_github::Comment;
use tracing::{info, warn};

use crate::error::EngineError;
use crate::fence::Seen;
use crate::locate::{find_or_create, ours_of, scan_newest};
use crate::minimize::{OUTDATED_MARK, minimize_earlier_best_effort};
use crate::reconcile::{Ctx, Own, project};

/// True when `c` is a dashboard of this commit, on this pull request, by one of
/// `predecessors`, not hidden already.
fn is_predecessors_dashboard(c: &Comment, ctx: &Ctx<'_>, predecessors: &[String]) -> bool {
    predecessors
        .iter()
        .any(|p| c.author().eq_ignore_ascii_case(p))
        && c.issue_number() == Some(ctx.target.pr)
        && is_dashboard_of(c.body(), &ctx.target.sha)
        && !c.body().contains(OUTDATED_MARK)
}

/// Rows `theirs` shows that ours does not know yet (no status of ours), carried over as
/// they were shown, with revision 0 (older than any status of ours).
pub fn carry_over(ours: &mut Dashboard, theirs: &Dashboard) {
    for row in &theirs.stages {
        if row.status == Status::Pending {
            continue;
        }
        let Some(have) = ours.stages.iter_mut().find(|r| r.key == row.key) else {
            continue; // a row our configuration does not have: not ours to show
        };
        if have.revision.is_some() {
            continue;
        }
        have.status = row.status;
        have.output.clone_from(&row.output);
        have.link.clone_from(&row.link);
        have.updated_at.clone_from(&row.updated_at);
        have.revision = Some(0);
    }
}

/// When the commit has no dashboard of ours yet (no anchor in `seen`) but one by a
/// predecessor, creates ours with its rows and minimizes theirs; returns our comment
/// (anchored: `seen`'s anchor is set to it). `None` when there is nothing to adopt (one
/// marker scan, only when predecessors are configured and our anchor is missing).
pub async fn adopt(
    ctx: &Ctx<'_>,
    seen: &mut Seen,
    predecessors: &[String],
) -> Result<Option<Comment>, EngineError> {
    if predecessors.is_empty() || seen.truth.anchor.is_some() {
        return Ok(None);
    }
    let comments = scan_newest(ctx.forge, ctx.target, ctx.tuning.scan_pages).await?;
    if !ours_of(&comments, ctx.target, ctx.me).is_empty() {
        return Ok(None); // ours exists, unanchored: the reconcile finds it by its marker
    }
    // This commit gets its first dashboard of ours: the predecessors' dashboards of earlier
    // commits are hidden as ours would be (only from the head's; marked once, so each is
    // minimized once).
    for p in predecessors {
        minimize_earlier_best_effort(ctx.forge, ctx.target, p, &comments).await;
    }
    let Some(theirs) = comments
        .iter()
        .filter(|c| is_predecessors_dashboard(c, ctx, predecessors))
        .max_by_key(|c| c.id)
    else {
        return Ok(None);
    };
    let mut d = project(ctx, &seen.truth, None, &Own::default());
    if let Ok(shown) = parse(theirs.body(), ctx.stages) {
        carry_over(&mut d, &shown);
    }
    let ours = find_or_create(ctx, &d, true).await?;
    seen.truth.anchor = Some(ours.id);
    info!(
        predecessor = theirs.author(),
        theirs = theirs.id,
        ours = ours.id,
        "adopted a predecessor's dashboard"
    );
    hide(ctx, theirs).await;
    Ok(Some(ours))
}

/// Minimizes the predecessor's dashboard as outdated. Best effort: theirs staying visible
/// is a cosmetic loss, and never fails the job (a token that may not minimize it is named).
async fn hide(ctx: &Ctx<'_>, theirs: &Comment) {
    if theirs.node_id.is_empty() {
        warn!(
            comment = theirs.id,
            "the predecessor's dashboard has no node_id; it stays visible"
        );
        return;
    }
    if let Err(e) = ctx.forge.minimize_comment(&theirs.node_id).await {
        warn!(
            comment = theirs.id,
            error = %e,
            "could not minimize the predecessor's dashboard; it stays visible (hide it by hand)"
        );
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use infra_ci_core::default_stages;

    use super::*;

    #[test]
    fn only_rows_we_do_not_know_are_carried_and_they_are_older_than_ours() {
        let defs = default_stages();
        let mut ours = Dashboard::new("abc1234", &defs);
        ours.update_stage("ci", Status::Failure, None, Some("ours".into()));
        ours.stages[0].revision = Some(41);
        let mut theirs = Dashboard::new("abc1234", &defs);
        theirs.update_stage("ci", Status::Success, None, Some("theirs".into()));
        theirs.update_stage(
            "plan-platform",
            Status::Success,
            Some("https://github.com/acme/infra/actions/runs/3".into()),
            Some("+1 ~0 -0".into()),
        );
        theirs.update_stage("unknown-to-us", Status::Success, None, None);
        carry_over(&mut ours, &theirs);
        let ci = ours.stage("ci").unwrap();
        assert_eq!(
            (ci.status, ci.output.as_deref()),
            (Status::Failure, Some("ours"))
        );
        let plan = ours.stage("plan-platform").unwrap();
        assert_eq!(plan.status, Status::Success);
        assert_eq!(plan.output.as_deref(), Some("+1 ~0 -0"));
        assert_eq!(plan.revision, Some(0));
        assert!(ours.stage("unknown-to-us").is_none());
        assert_eq!(ours.stage("apply").unwrap().status, Status::Pending);
    }
}
