//! Hiding the dashboards of earlier commits once a pull request's new head has its own.
//!
//! When a commit's dashboard is created, our dashboards of other commits among the newest
//! comment pages (read by the marker scan that follows the create) are minimized as OUTDATED through
//! GraphQL, then marked with a hidden line so a later commit does not minimize them again.
//! Minimizing first and marking second makes a failure in between harmless: the next new
//! dashboard minimizes again (idempotent) and marks. Best effort: a failure here never fails
//! the update that created the new dashboard.

use infra_ci_core::marker::{is_dashboard_of, marker_sha7};
use infra_ci_github::{Comment, Forge};
use tracing::{info, warn};

use crate::error::EngineError;
use crate::locate::is_ours;
use crate::target::Target;

/// The hidden line appended to a dashboard once it has been minimized as outdated.
pub const OUTDATED_MARK: &str = "<!-- infra-dashboard-outdated -->";

/// What [`minimize_earlier`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Minimized {
    /// Comment ids minimized and marked now.
    pub minimized: Vec<u64>,
}

/// True for our dashboard of a commit other than `t.sha`, minimized or not.
pub fn is_other_commits_dashboard(c: &Comment, me: &str, t: &Target) -> bool {
    is_ours(c, me) && marker_sha7(c.body()).is_some() && !is_dashboard_of(c.body(), &t.sha)
}

/// True for our dashboard of another commit that has not been minimized by us yet.
pub fn is_earlier_dashboard(c: &Comment, me: &str, t: &Target) -> bool {
    is_other_commits_dashboard(c, me, t) && !c.body().contains(OUTDATED_MARK)
}

/// The body of a minimized dashboard: unchanged but for the mark at the end.
pub fn marked(body: &str) -> String {
    let mut out = body.trim_end_matches('\n').to_owned();
    out.push('\n');
    out.push_str(OUTDATED_MARK);
    out.push('\n');
    out
}

/// Minimizes (then marks) our dashboards of commits other than `t.sha` among `comments`
/// (the newest pages, as the marker scan read them): two requests (GraphQL minimize, PATCH)
/// per earlier dashboard, each done once.
pub async fn minimize_earlier(
    forge: &dyn Forge,
    t: &Target,
    me: &str,
    comments: &[Comment],
) -> Result<Minimized, EngineError> {
    let mut earlier: Vec<&Comment> = comments
        .iter()
        .filter(|c| is_earlier_dashboard(c, me, t))
        .collect();
    earlier.sort_by_key(|c| c.id);
    earlier.dedup_by_key(|c| c.id);
    let mut done = Minimized::default();
    for c in earlier {
        if c.node_id.is_empty() {
            warn!(
                comment = c.id,
                "an earlier dashboard has no node_id; cannot minimize it"
            );
            continue;
        }
        forge.minimize_comment(&c.node_id).await?;
        let body = marked(c.body());
        if body != c.body() {
            match forge.update_comment(&t.repo, c.id, &body).await {
                Ok(_) => {}
                Err(e) if e.is_not_found() => continue, // deleted meanwhile: nothing to mark
                Err(e) => return Err(e.into()),
            }
        }
        info!(
            comment = c.id,
            "minimized an earlier commit's dashboard as outdated"
        );
        done.minimized.push(c.id);
    }
    Ok(done)
}

/// [`minimize_earlier`], logging instead of failing: hiding old dashboards must never fail
/// the job that created the new one.
///
/// Only a dashboard of the pull request's head hides the others: a dashboard created for
/// the merge commit (post-merge verify) or for an earlier commit (a late job) must not hide
/// the head's, which holds the results people look for (issue 9, item 3). One request
/// when the target does not know whether it is the head.
pub async fn minimize_earlier_best_effort(
    forge: &dyn Forge,
    t: &Target,
    me: &str,
    comments: &[Comment],
) {
    let head = match t.is_head {
        Some(known) => Ok(known),
        None => forge
            .get_pull(&t.repo, t.pr)
            .await
            .map(|p| p.head.sha.is(&t.sha)),
    };
    match head {
        Ok(true) => {}
        Ok(false) => {
            info!(sha = %t.sha, "a dashboard of a commit other than the head: the earlier ones stay visible");
            return;
        }
        Err(e) => {
            warn!(error = %e, "could not read the pull request's head; the earlier dashboards stay visible");
            return;
        }
    }
    if let Err(e) = minimize_earlier(forge, t, me, comments).await {
        warn!(error = %e, "could not minimize the earlier commits' dashboards; they stay visible");
    }
}

#[cfg(test)]
mod tests {
    use infra_ci_github::{RepoId, User};

    use super::*;

    fn comment(login: &str, body: &str) -> Comment {
        Comment {
            id: 1,
            node_id: "IC_1".into(),
            body: Some(body.into()),
            user: Some(User {
                login: login.into(),
                id: 1,
                kind: "Bot".into(),
            }),
            author_association: None,
            html_url: String::new(),
            created_at: String::new(),
            updated_at: String::new(),
            issue_url: String::new(),
        }
    }

    fn target() -> Target {
        Target {
            repo: RepoId::parse("o/r").expect("valid"),
            pr: 1,
            sha: "bbbbbbb0000".into(),
            is_head: None,
        }
    }

    #[test]
    fn only_our_unmarked_dashboards_of_other_commits_are_earlier() {
        let me = "github-actions[bot]";
        let old = "<!-- infra-dashboard:aaaaaaa -->\n## x\n";
        assert!(is_earlier_dashboard(&comment(me, old), me, &target()));
        assert!(!is_earlier_dashboard(
            &comment("mallory", old),
            me,
            &target()
        ));
        assert!(!is_earlier_dashboard(
            &comment(me, "<!-- infra-dashboard:bbbbbbb -->\n"),
            me,
            &target()
        ));
        assert!(!is_earlier_dashboard(
            &comment(me, &marked(old)),
            me,
            &target()
        ));
        assert!(!is_earlier_dashboard(&comment(me, "hello"), me, &target()));
    }

    #[test]
    fn marking_is_idempotent_in_effect() {
        let body = "<!-- infra-dashboard:aaaaaaa -->\nrow\n";
        let once = marked(body);
        assert!(once.ends_with(&format!("{OUTDATED_MARK}\n")));
        assert!(once.starts_with(body.trim_end()));
        assert_eq!(marker_sha7(&once), Some("aaaaaaa"));
    }
}
