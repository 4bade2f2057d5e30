//! Plan provenance: infra-ci's own record that it planned project P on commit C.
//!
//! The record is a commit status on C, context `infra-ci/plan/<P>`, written by our identity
//! only: `success` with the description `sha256:<digest of the saved plan file> base:<base
//! tip>` for a native plan, `success` with `base:<sha>` (or nothing) for a plan infra-ci
//! reported without a file (a Digger leg), `failure` for a failed plan, `pending` while it
//! runs. Before an apply, the gate reads it back (ours only) and the runner checks the plan
//! file it was handed against the digest; a plan file or run anyone else produced, or a
//! record anyone else wrote, proves nothing.

use std::collections::BTreeMap;

use infra_ci_config::Config;
use infra_ci_core::Status;
use infra_ci_github::{CommitStatus, Forge, RepoId, Sha, StatusState};
use infra_ci_route::{PlanProof, PlanState};

use crate::error::EngineError;
use crate::truth::{Truth, is_by};

/// Prefix of the plan record's status context.
pub const PLAN_CONTEXT_PREFIX: &str = "infra-ci/plan/";

/// The status context of project `project`'s plan record.
pub fn plan_context(project: &str) -> String {
    format!("{PLAN_CONTEXT_PREFIX}{project}")
}

/// The description of a plan record (at most 7 + 64 + 6 + 40 characters: under GitHub's 140).
pub fn encode(digest: Option<&str>, base: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(d) = digest {
        parts.push(format!("sha256:{d}"));
    }
    if let Some(b) = base {
        parts.push(format!("base:{b}"));
    }
    if parts.is_empty() {
        "planned".to_owned()
    } else {
        parts.join(" ")
    }
}

/// Reads a plan record back from its status (which the caller checked is ours).
pub fn decode(s: &CommitStatus) -> PlanProof {
    let state = match s.state.as_str() {
        "success" => PlanState::Succeeded,
        "failure" | "error" => PlanState::Failed,
        _ => PlanState::Running,
    };
    let mut proof = PlanProof {
        state,
        digest: None,
        base: None,
    };
    for word in s.description.as_deref().unwrap_or("").split_whitespace() {
        if let Some(d) = word.strip_prefix("sha256:").filter(|d| is_hex(d, 64)) {
            proof.digest = Some(d.to_ascii_lowercase());
        } else if let Some(b) = word.strip_prefix("base:").filter(|b| is_hex(b, 40)) {
            proof.base = Some(Sha::new(b.to_ascii_lowercase()));
        }
    }
    proof
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.chars().all(|c| c.is_ascii_hexdigit())
}

/// Writes project `project`'s plan record on `sha` as our identity.
pub async fn record(
    forge: &dyn Forge,
    repo: &RepoId,
    sha: &Sha,
    project: &str,
    status: Status,
    digest: Option<&str>,
    base: Option<&Sha>,
) -> Result<(), EngineError> {
    let state = match status {
        Status::Success => StatusState::Success,
        Status::Failure | Status::Cancelled => StatusState::Failure,
        Status::Pending | Status::Running | Status::Skipped => StatusState::Pending,
    };
    let description = if status == Status::Success {
        encode(digest, base.map(Sha::as_str))
    } else {
        status.word().to_owned()
    };
    forge
        .create_status(repo, sha, state, &plan_context(project), &description, None)
        .await?;
    Ok(())
}

/// Every configured project's plan on the head as our own statuses tell it: the plan record
/// when there is one; else, when the project is the only one reporting to its stage, that
/// stage's status (a plan reported with `infra-ci update` alone, as the seed's workflows
/// do); else missing (a shared stage cannot tell which of its projects was planned).
pub fn proofs(statuses: &[CommitStatus], me: &str, cfg: &Config) -> BTreeMap<String, PlanProof> {
    let mut records: BTreeMap<&str, &CommitStatus> = BTreeMap::new();
    for s in statuses.iter().filter(|s| is_by(s, me)) {
        if let Some(p) = s.context.strip_prefix(PLAN_CONTEXT_PREFIX)
            && records.get(p).is_none_or(|have| have.id < s.id)
        {
            records.insert(p, s);
        }
    }
    let truth = Truth::from_statuses(statuses, me);
    cfg.projects
        .iter()
        .map(|p| {
            let name = p.name.as_str();
            let shared = cfg.projects.iter().filter(|q| q.stage == p.stage).count() > 1;
            let stage = (!shared)
                .then(|| truth.stages.get(p.stage.as_str()))
                .flatten();
            let proof = match records.get(name) {
                // A later report on the project's own stage that says it did not succeed
                // (a re-plan that failed, say) outranks an earlier successful record.
                Some(s)
                    if stage.is_some_and(|t| t.revision > s.id && t.status != Status::Success) =>
                {
                    PlanProof {
                        state: stage
                            .map_or(PlanState::Missing, |t| PlanState::from_status(t.status)),
                        digest: None,
                        base: None,
                    }
                }
                Some(s) => decode(s),
                None if !shared => {
                    truth
                        .stages
                        .get(p.stage.as_str())
                        .map_or_else(PlanProof::missing, |t| PlanProof {
                            state: PlanState::from_status(t.status),
                            digest: None,
                            base: None,
                        })
                }
                None => PlanProof::missing(),
            };
            (name.to_owned(), proof)
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use infra_ci_github::User;

    fn status(id: u64, context: &str, state: &str, description: &str, by: &str) -> CommitStatus {
        CommitStatus {
            id,
            state: state.parse().unwrap(),
            context: context.into(),
            description: Some(description.into()),
            target_url: None,
            created_at: String::new(),
            updated_at: String::new(),
            creator: Some(User {
                login: by.into(),
                id: 1,
                kind: "Bot".into(),
            }),
        }
    }

    const D: &str = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    const B: &str = "2222222222222222222222222222222222222222";

    #[test]
    fn records_round_trip_within_githubs_140_characters() {
        let text = encode(Some(D), Some(B));
        assert_eq!(text, format!("sha256:{D} base:{B}"));
        assert!(text.chars().count() <= 140);
        let p = decode(&status(1, "infra-ci/plan/a", "success", &text, "me"));
        assert_eq!(p.state, PlanState::Succeeded);
        assert_eq!(p.digest.as_deref(), Some(D));
        assert_eq!(p.base.as_deref(), Some(B));
        assert_eq!(
            decode(&status(1, "x", "success", "sha256:abc base:zz", "me")),
            PlanProof {
                state: PlanState::Succeeded,
                digest: None,
                base: None
            }
        );
    }

    #[test]
    fn only_our_records_count_and_shared_stages_need_one() {
        let cfg = Config::from_yaml(
            "stages: [{key: plan-x, name: X}, {key: plan-s, name: S}]\nprojects:\n  - {name: x, dir: x, stage: plan-x}\n  - {name: s1, dir: s1, stage: plan-s}\n  - {name: s2, dir: s2, stage: plan-s, runner: native}\n",
        )
        .unwrap();
        let all = [
            // A forged record of x, newer than anything of ours.
            status(9, "infra-ci/plan/x", "success", "planned", "mallory"),
            status(8, "infra-dashboard/plan-x", "success", "success", "mallory"),
            // The shared stage succeeded (s1 was planned), and s2 has its own record.
            status(7, "infra-dashboard/plan-s", "success", "success", "me"),
            status(6, "infra-ci/plan/s2", "failure", "failure", "me"),
        ];
        let p = proofs(&all, "me", &cfg);
        assert_eq!(p["x"].state, PlanState::Missing);
        // s1 shares plan-s with s2: the stage alone cannot tell it was planned.
        assert_eq!(p["s1"].state, PlanState::Missing);
        assert_eq!(p["s2"].state, PlanState::Failed);
        let mut more = all.to_vec();
        more.push(status(
            10,
            "infra-dashboard/plan-x",
            "success",
            "success",
            "me",
        ));
        assert_eq!(proofs(&more, "me", &cfg)["x"].state, PlanState::Succeeded);
    }
}
