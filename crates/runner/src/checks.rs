//! Apply safety: everything that must hold before a saved plan is applied, as a pure
//! function of facts read beforehand, so every refusal is unit-testable.

use std::collections::BTreeMap;

use infra_ci_config::Requirement;
use infra_ci_core::Status;
use infra_ci_github::{PullRequest, Review};

use crate::plans::PlanRecord;

/// What was read from GitHub and disk before deciding.
#[derive(Debug, Clone)]
pub struct ApplyFacts {
    /// `owner/name` of the repository.
    pub repo: String,
    /// The commit the apply was asked for (the head when the command was given).
    pub sha: String,
    pub pull: PullRequest,
    pub reviews: Vec<Review>,
    /// The commit's stages as its `infra-dashboard/<stage>` statuses tell them.
    pub stages: BTreeMap<String, Status>,
    /// The base branch's tip now, when known.
    pub base_tip: Option<String>,
    /// Commits of the base branch's tip the head lacks (`GET compare/{base_tip}...{sha}`'s
    /// `behind_by`); `None` when not read (the `undiverged` requirement is off).
    pub behind_by: Option<u64>,
}

/// What one project brings: its plan stage, the saved record and the file's checksum now.
#[derive(Debug, Clone)]
pub struct PlanEvidence<'a> {
    pub stage: &'a str,
    pub record: Option<&'a PlanRecord>,
    /// sha256 of the plan file now; `None` when the file is missing.
    pub checksum: Option<&'a str>,
}

/// Why an apply is refused. The message is what the dashboard shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("pull request is {0}, not open")]
    NotOpen(String),
    #[error("no saved plan for {0}: run /plan on this commit first")]
    NoSavedPlan(String),
    #[error("the head moved from {planned} to {now} since the plan: run /plan again")]
    HeadMoved { planned: String, now: String },
    #[error(
        "the saved plan file does not match its checksum (missing or altered): run /plan again"
    )]
    Checksum,
    #[error("plan stage {stage} is {status} on {sha}: the plan must succeed first")]
    PlanNotSucceeded {
        stage: String,
        status: String,
        sha: String,
    },
    #[error("not approved: no approving review of {0} (approvals of earlier commits do not count)")]
    NotApproved(String),
    #[error("changes requested by {0}")]
    ChangesRequested(String),
    #[error("the head branch is in a fork; forks never apply")]
    Fork,
    #[error("not mergeable: {0}")]
    NotMergeable(String),
    #[error("diverged: {0}; then run /plan again")]
    Diverged(String),
    #[error("locked by {holder}: it holds {project} until it is merged or closed")]
    Locked { project: String, holder: String },
}

/// Every reason to refuse applying one project; empty means go (the lock comes next).
pub fn refusals(
    facts: &ApplyFacts,
    evidence: &PlanEvidence<'_>,
    other_plan_stages: &[&str],
    requirements: &[Requirement],
) -> Vec<Refusal> {
    let mut out = Vec::new();
    let sha7 = short(&facts.sha);
    if facts.pull.state != "open" {
        out.push(Refusal::NotOpen(facts.pull.state.clone()));
    }
    if facts.pull.head.sha != facts.sha {
        out.push(Refusal::HeadMoved {
            planned: sha7.clone(),
            now: short(&facts.pull.head.sha),
        });
    }
    match evidence.record {
        None => out.push(Refusal::NoSavedPlan(sha7.clone())),
        Some(r) => {
            if r.head_sha != facts.sha {
                out.push(Refusal::HeadMoved {
                    planned: short(&r.head_sha),
                    now: sha7.clone(),
                });
            }
            if evidence.checksum != Some(r.plan_sha256.as_str()) {
                out.push(Refusal::Checksum);
            }
        }
    }
    // The plan being applied must be the one that succeeded and was shown: always checked.
    let own = facts
        .stages
        .get(evidence.stage)
        .copied()
        .unwrap_or(Status::Pending);
    if own != Status::Success {
        out.push(not_succeeded(evidence.stage, own, &sha7));
    }
    for r in requirements {
        match r {
            Requirement::PlansSucceeded => {
                for stage in other_plan_stages.iter().filter(|s| **s != evidence.stage) {
                    let st = facts.stages.get(*stage).copied().unwrap_or(Status::Pending);
                    if matches!(st, Status::Failure | Status::Running | Status::Cancelled) {
                        out.push(not_succeeded(stage, st, &sha7));
                    }
                }
            }
            Requirement::Approved => approval(facts, &mut out),
            Requirement::SameRepo => {
                let same = facts
                    .pull
                    .head
                    .repo
                    .as_ref()
                    .is_some_and(|h| !h.fork && h.full_name.eq_ignore_ascii_case(&facts.repo));
                if !same {
                    out.push(Refusal::Fork);
                }
            }
            Requirement::Mergeable => mergeable(&facts.pull, &mut out),
            Requirement::Undiverged => undiverged(facts, evidence.record, &mut out),
        }
    }
    out
}

fn not_succeeded(stage: &str, status: Status, sha7: &str) -> Refusal {
    Refusal::PlanNotSucceeded {
        stage: stage.to_owned(),
        status: status.word().to_owned(),
        sha: sha7.to_owned(),
    }
}

/// Each reviewer's latest deciding review counts; an approval counts only on the head.
fn approval(facts: &ApplyFacts, out: &mut Vec<Refusal>) {
    let mut latest: BTreeMap<String, &Review> = BTreeMap::new();
    for r in &facts.reviews {
        if matches!(
            r.state.as_str(),
            "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED"
        ) {
            let who = r.user.as_ref().map_or("ghost", |u| u.login.as_str());
            latest.insert(who.to_ascii_lowercase(), r);
        }
    }
    let author = facts
        .pull
        .user
        .as_ref()
        .map(|u| u.login.to_ascii_lowercase());
    let blockers: Vec<String> = latest
        .iter()
        .filter(|(_, r)| r.state == "CHANGES_REQUESTED")
        .map(|(who, _)| who.clone())
        .collect();
    if !blockers.is_empty() {
        out.push(Refusal::ChangesRequested(blockers.join(", ")));
    }
    let approved = latest.iter().any(|(who, r)| {
        r.state == "APPROVED"
            && Some(who) != author.as_ref()
            && r.commit_id.as_deref() == Some(facts.pull.head.sha.as_str())
    });
    if !approved {
        out.push(Refusal::NotApproved(short(&facts.pull.head.sha)));
    }
}

/// GitHub's `mergeable` decides conflicts. `mergeable_state` is read only for what it
/// alone knows: `blocked` and `unstable` are ignored on purpose, because our own pending or
/// failing `infra-dashboard/*` statuses (or missing reviews, checked above) cause them, and
/// our own contexts must never block our own mergeability check.
fn mergeable(pull: &PullRequest, out: &mut Vec<Refusal>) {
    let state = pull.mergeable_state.as_deref().unwrap_or("unknown");
    if pull.draft == Some(true) || state == "draft" {
        out.push(Refusal::NotMergeable("the pull request is a draft".into()));
    } else if pull.mergeable == Some(false) || state == "dirty" {
        out.push(Refusal::NotMergeable(
            "it has conflicts with its base".into(),
        ));
    } else if pull.mergeable.is_none() {
        out.push(Refusal::NotMergeable(
            "GitHub has not computed mergeability yet; try again in a minute".into(),
        ));
    }
}

/// The head must contain the base branch's latest commit (GitHub's compare says how many
/// it lacks), and a base tip that moved since the plan means the plan was made against an
/// old base.
fn undiverged(facts: &ApplyFacts, record: Option<&PlanRecord>, out: &mut Vec<Refusal>) {
    let base = facts.pull.base.git_ref.as_str();
    match facts.behind_by {
        Some(0) => {}
        Some(n) => {
            out.push(Refusal::Diverged(format!(
                "the head branch is {n} commit{} behind {base}: merge {base} into it (or rebase it onto {base}) and push",
                if n == 1 { "" } else { "s" }
            )));
            return;
        }
        None => {
            out.push(Refusal::Diverged(format!(
                "infra-ci did not compare the head with {base}: retry"
            )));
            return;
        }
    }
    if let (Some(planned), Some(now)) = (
        record.and_then(|r| r.base_sha.as_deref()),
        facts.base_tip.as_deref(),
    ) && planned != now
    {
        out.push(Refusal::Diverged(format!(
            "the base branch moved from {} to {} since the plan",
            short(planned),
            short(now)
        )));
    }
}

fn short(sha: &str) -> String {
    sha.chars().take(7).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::unnecessary_wraps)]
mod tests {
    use super::*;
    use infra_ci_github::{GitSide, RepoRef, User};

    const HEAD: &str = "1111111111111111111111111111111111111111";
    const BASE: &str = "2222222222222222222222222222222222222222";

    fn user(login: &str) -> Option<User> {
        Some(User {
            login: login.into(),
            id: 1,
            kind: "User".into(),
        })
    }

    fn facts() -> ApplyFacts {
        let side = |sha: &str, fork: bool| GitSide {
            git_ref: "x".into(),
            sha: sha.into(),
            repo: Some(RepoRef {
                full_name: "acme/infra".into(),
                fork,
            }),
        };
        ApplyFacts {
            repo: "acme/infra".into(),
            sha: HEAD.into(),
            pull: PullRequest {
                number: 7,
                state: "open".into(),
                merged: Some(false),
                mergeable: Some(true),
                mergeable_state: Some("blocked".into()),
                draft: Some(false),
                user: user("author"),
                head: side(HEAD, false),
                base: side(BASE, false),
                html_url: String::new(),
                merge_commit_sha: None,
            },
            reviews: vec![Review {
                id: 1,
                user: user("rev"),
                state: "APPROVED".into(),
                commit_id: Some(HEAD.into()),
            }],
            stages: [
                ("plan-a".to_owned(), Status::Success),
                ("plan-b".to_owned(), Status::Pending),
            ]
            .into(),
            base_tip: Some(BASE.into()),
            behind_by: Some(0),
        }
    }

    fn record() -> PlanRecord {
        PlanRecord {
            version: 1,
            project: "a".into(),
            head_sha: HEAD.into(),
            base_sha: Some(BASE.into()),
            plan_sha256: "abc".into(),
            summary: "+1 ~0 -0".into(),
            destructive: false,
            binary: "terraform".into(),
            created_at: String::new(),
        }
    }

    fn check(f: &ApplyFacts, r: Option<&PlanRecord>, sum: Option<&str>) -> Vec<Refusal> {
        let ev = PlanEvidence {
            stage: "plan-a",
            record: r,
            checksum: sum,
        };
        refusals(f, &ev, &["plan-a", "plan-b"], &Requirement::all())
    }

    #[test]
    fn all_good_is_allowed_even_when_our_own_statuses_block_the_merge_box() {
        let r = record();
        assert_eq!(check(&facts(), Some(&r), Some("abc")), vec![]);
        let mut f = facts();
        f.pull.mergeable_state = Some("unstable".into());
        assert_eq!(check(&f, Some(&r), Some("abc")), vec![]);
    }

    #[test]
    fn each_reason_is_reported() {
        let r = record();
        assert_eq!(
            check(&facts(), None, None),
            vec![Refusal::NoSavedPlan("1111111".into())]
        );
        assert_eq!(
            check(&facts(), Some(&r), Some("zzz")),
            vec![Refusal::Checksum]
        );

        let mut f = facts();
        f.pull.head.sha = "3333333333".into();
        f.reviews[0].commit_id = Some("3333333333".into());
        assert_eq!(
            check(&f, Some(&r), Some("abc")),
            vec![Refusal::HeadMoved {
                planned: "1111111".into(),
                now: "3333333".into()
            }]
        );

        let mut f = facts();
        f.stages.insert("plan-a".into(), Status::Failure);
        assert!(matches!(
            &check(&f, Some(&r), Some("abc"))[..],
            [Refusal::PlanNotSucceeded { .. }]
        ));

        let mut f = facts();
        f.stages.insert("plan-b".into(), Status::Failure);
        assert!(
            matches!(&check(&f, Some(&r), Some("abc"))[..], [Refusal::PlanNotSucceeded { stage, .. }] if stage == "plan-b")
        );

        let mut f = facts();
        f.reviews[0].commit_id = Some("old".into());
        assert_eq!(
            check(&f, Some(&r), Some("abc")),
            vec![Refusal::NotApproved("1111111".into())]
        );

        let mut f = facts();
        f.reviews.push(Review {
            id: 2,
            user: user("other"),
            state: "CHANGES_REQUESTED".into(),
            commit_id: Some(HEAD.into()),
        });
        assert_eq!(
            check(&f, Some(&r), Some("abc")),
            vec![Refusal::ChangesRequested("other".into())]
        );

        let mut f = facts();
        f.pull.head.repo.as_mut().unwrap().fork = true;
        assert_eq!(check(&f, Some(&r), Some("abc")), vec![Refusal::Fork]);

        let mut f = facts();
        f.pull.mergeable = Some(false);
        f.pull.mergeable_state = Some("dirty".into());
        assert!(matches!(
            &check(&f, Some(&r), Some("abc"))[..],
            [Refusal::NotMergeable(_)]
        ));

        // GitHub's `mergeable_state` is not what decides: the comparison is.
        let mut f = facts();
        f.pull.mergeable_state = Some("behind".into());
        assert_eq!(check(&f, Some(&r), Some("abc")), vec![]);
        let mut f = facts();
        f.behind_by = Some(2);
        let refused = check(&f, Some(&r), Some("abc"));
        assert!(
            matches!(&refused[..], [Refusal::Diverged(m)] if m.contains("2 commits behind x: merge x into it (or rebase it onto x)")),
            "{refused:?}"
        );
        let mut f = facts();
        f.behind_by = None;
        assert!(matches!(
            &check(&f, Some(&r), Some("abc"))[..],
            [Refusal::Diverged(_)]
        ));

        let mut f = facts();
        f.base_tip = Some("4444444".into());
        assert!(
            matches!(&check(&f, Some(&r), Some("abc"))[..], [Refusal::Diverged(m)] if m.contains("moved"))
        );
    }

    #[test]
    fn requirements_can_be_turned_off_but_the_plan_integrity_cannot() {
        let f = ApplyFacts {
            reviews: vec![],
            ..facts()
        };
        let ev = PlanEvidence {
            stage: "plan-a",
            record: None,
            checksum: None,
        };
        assert_eq!(
            refusals(&f, &ev, &["plan-a"], &[]),
            vec![Refusal::NoSavedPlan("1111111".into())]
        );
    }
}
