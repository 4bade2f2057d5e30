//! What a soak writer runs for one operation: the real engine, or (in tests) the real
//! engine with one defect planted, so each rule of the checker is shown to catch it.

use infra_ci_engine::{Dashboards, EngineError, StageUpdate, Target};
#[cfg(test)]
use infra_ci_github::Forge;
use infra_ci_github::GitHubClient;

use super::scenario::Op;

/// The engine a writer runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Engine {
    /// `infra-ci init` / `infra-ci update`, as shipped.
    #[default]
    Real,
    /// The real engine with a planted defect.
    #[cfg(test)]
    Planted(Defect),
}

/// Defects planted in tests (each breaks one rule of the checker).
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// Fails every operation without doing anything.
    FailAlways,
    /// Posts its status, then gives up with `Contended` without reconciling.
    GiveUpEarly,
    /// Posts its status and reports success without reconciling the comment.
    SkipReconcile,
    /// Posts another status word than the one asked for.
    WrongWord,
    /// Posts another link than the one asked for.
    WrongLink,
    /// Updates, then drops its own stage's row from the comment.
    DropRow,
    /// Updates, then drops every row but its own stage's from the comment.
    HideOthers,
    /// Posts its status, then fails (as a job killed mid-way).
    PostThenFail,
    /// Updates, then also posts a status for `e2e` that no operation asked for.
    StrayStatus,
    /// Updates, then minimizes the current dashboard.
    MinimizeCurrent,
    /// Updates, then leaves a second comment with the marker.
    Duplicate,
    /// Updates, then leaves a comment that is not a dashboard.
    Litter,
}

impl Engine {
    /// Runs one operation.
    pub async fn run(
        self,
        d: &Dashboards<'_>,
        forge: &GitHubClient,
        target: &Target,
        op: &Op,
    ) -> Result<(), EngineError> {
        let _ = forge;
        match self {
            Self::Real => real(d, target, op).await.map(|_| ()),
            #[cfg(test)]
            Self::Planted(defect) => planted(defect, d, forge, target, op).await,
        }
    }
}

/// The real operation; the comment id on success.
async fn real(d: &Dashboards<'_>, target: &Target, op: &Op) -> Result<u64, EngineError> {
    let Some(w) = op.stage_write() else {
        return d.init(target).await.map(|o| o.comment_id);
    };
    let u = StageUpdate {
        stage: w.stage.to_owned(),
        status: w.status,
        link: w.link.map(str::to_owned),
        output: Some(w.output.to_owned()),
        details: None,
    };
    match op {
        Op::Post { .. } => d.post_status(target, u).await.map(|_| 0),
        Op::Update { leg: true, .. } => d
            .update_in_run(target, u, false)
            .await
            .map(|o| o.comment_id),
        _ => d.update(target, u).await.map(|o| o.comment_id),
    }
}

#[cfg(test)]
async fn planted(
    defect: Defect,
    d: &Dashboards<'_>,
    forge: &GitHubClient,
    target: &Target,
    op: &Op,
) -> Result<(), EngineError> {
    use infra_ci_core::Status;

    let Op::Update {
        stage,
        status,
        output,
        link,
        ..
    } = op
    else {
        return real(d, target, op).await.map(|_| ());
    };
    let post = |status: Status, link: Option<String>, stage: String, output: String| async move {
        let state = match status {
            Status::Pending | Status::Running => infra_ci_github::StatusState::Pending,
            Status::Success | Status::Skipped => infra_ci_github::StatusState::Success,
            Status::Failure => infra_ci_github::StatusState::Failure,
            Status::Cancelled => infra_ci_github::StatusState::Error,
        };
        let description = infra_ci_core::status_line::encode(status, Some(&output));
        forge
            .create_status(
                &target.repo,
                &target.sha,
                state,
                &format!("infra-dashboard/{stage}"),
                &description,
                link.as_deref(),
            )
            .await
            .map(|_| ())
            .map_err(EngineError::from)
    };
    let with = |status: Status, link: Option<String>| Op::Update {
        stage: stage.clone(),
        status,
        output: output.clone(),
        link,
        leg: false,
    };
    match defect {
        Defect::FailAlways => Err(EngineError::Usage("planted: always fails".into())),
        Defect::GiveUpEarly => {
            post(*status, link.clone(), stage.clone(), output.clone()).await?;
            Err(EngineError::Contended {
                rounds: 1,
                pr: target.pr,
            })
        }
        Defect::SkipReconcile => post(*status, link.clone(), stage.clone(), output.clone()).await,
        Defect::PostThenFail => {
            post(*status, link.clone(), stage.clone(), output.clone()).await?;
            Err(EngineError::Usage("planted: killed after posting".into()))
        }
        Defect::WrongWord => {
            let other = if *status == Status::Success {
                Status::Failure
            } else {
                Status::Success
            };
            real(d, target, &with(other, link.clone()))
                .await
                .map(|_| ())
        }
        Defect::WrongLink => {
            let other = Some("https://github.com/acme/infra/actions/runs/999999".to_owned());
            real(d, target, &with(*status, other)).await.map(|_| ())
        }
        Defect::DropRow | Defect::HideOthers => {
            let id = real(d, target, op).await?;
            let body = forge
                .get_comment(&target.repo, id)
                .await?
                .body
                .unwrap_or_default();
            let label = infra_ci_core::default_stages()
                .into_iter()
                .find(|s| s.key == *stage)
                .map_or_else(|| stage.clone(), |s| s.name);
            let own_row = format!("| {label} |");
            let header = "| Stage | Status | Output | Time |";
            let kept: Vec<&str> = body
                .lines()
                .filter(|l| {
                    let row = l.starts_with("| ") && *l != header;
                    let own = l.starts_with(&own_row);
                    !row || (defect == Defect::HideOthers) == own
                })
                .collect();
            forge
                .update_comment(&target.repo, id, &format!("{}\n", kept.join("\n")))
                .await?;
            Ok(())
        }
        Defect::StrayStatus => {
            real(d, target, op).await?;
            post(Status::Success, None, "e2e".into(), "stray".into()).await
        }
        Defect::MinimizeCurrent => {
            let id = real(d, target, op).await?;
            let c = forge.get_comment(&target.repo, id).await?;
            forge.minimize_comment(&c.node_id).await?;
            Ok(())
        }
        Defect::Duplicate | Defect::Litter => {
            real(d, target, op).await?;
            let body = if defect == Defect::Duplicate {
                format!("{}\nplanted", infra_ci_core::marker(&target.sha))
            } else {
                "planted".to_owned()
            };
            forge.create_comment(&target.repo, target.pr, &body).await?;
            Ok(())
        }
    }
}
