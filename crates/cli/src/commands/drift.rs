//! `infra-ci drift`: plan every project and keep the "Infrastructure drift" issue in step.
//! Exit 0 when everything matches the code, 1 when something drifted (or a plan failed).

use clap::Args;
use infra_ci_runner::Runner;

use crate::client;
use crate::commands::run::{CommonArgs, cli, print_results, setup};
use crate::exit::CliError;

#[derive(Debug, Args)]
pub struct DriftArgs {
    #[command(flatten)]
    pub common: CommonArgs,
}

pub async fn run(a: DriftArgs) -> Result<(), CliError> {
    let forge = client::github(&a.common.conn).await?;
    let report = Runner::new(&forge, setup(&a.common, &forge).await?)
        .drift()
        .await
        .map_err(cli)?;
    print_results(&report.results);
    let issue = report
        .issue
        .as_ref()
        .map(|(n, state)| format!("issue #{n} ({state})"));
    if report.clean() {
        println!(
            "no drift{}",
            issue.map(|i| format!("; {i}")).unwrap_or_default()
        );
        Ok(())
    } else {
        Err(CliError::failed(format!(
            "drift found: {}",
            issue.unwrap_or_else(|| "see the job summary".into())
        )))
    }
}
