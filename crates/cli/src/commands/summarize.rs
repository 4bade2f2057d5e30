//! `infra-ci summarize FILE`, and `update --plan FILE`.

use std::io::Read;

use infra_ci_plan::{Summary, detect_and_summarize};

use crate::args::SummarizeArgs;
use crate::exit::CliError;

pub fn run(a: &SummarizeArgs) -> Result<(), CliError> {
    let summary = summarize(&a.file)?;
    if a.json {
        let json = serde_json::to_string(&summary).map_err(|e| CliError::failed(e.to_string()))?;
        println!("{json}");
    } else if a.line {
        println!("{}", summary.one_line());
    } else {
        println!("{}", summary.to_markdown());
    }
    Ok(())
}

/// The Output line and the details for a stage, from a plan file.
pub fn for_dashboard(path: &str) -> Result<(Option<String>, Option<String>), CliError> {
    let s = summarize(path)?;
    Ok((Some(s.one_line()), Some(s.to_markdown())))
}

fn summarize(path: &str) -> Result<Summary, CliError> {
    let reader: Box<dyn Read> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(
            std::fs::File::open(path)
                .map_err(|e| CliError::usage(format!("cannot read {path}: {e}")))?,
        )
    };
    let summary =
        detect_and_summarize(reader).map_err(|e| CliError::usage(format!("{path}: {e}")))?;
    if summary.not_a_plan {
        return Err(CliError::usage(format!(
            "{path}: {}",
            summary.error.as_deref().unwrap_or("not a Terraform plan")
        )));
    }
    Ok(summary)
}
