//! Prints the JSON summary of a plan: `cargo run --example summarize -- <path>|-`.
//! Used by `scripts/bench-plan.sh`; any format `detect_and_summarize` knows is accepted.

use std::fs::File;
use std::io::{self, Read};
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: summarize <plan file | ->");
        return ExitCode::from(2);
    };
    let input: Box<dyn Read> = if path == "-" {
        Box::new(io::stdin().lock())
    } else {
        match File::open(&path) {
            Ok(file) => Box::new(file),
            Err(err) => {
                eprintln!("cannot open {path}: {err}");
                return ExitCode::from(2);
            }
        }
    };
    match infra_ci_plan::detect_and_summarize(input) {
        Ok(summary) => {
            match serde_json::to_string(&summary) {
                Ok(json) => println!("{json}"),
                Err(err) => {
                    eprintln!("cannot print the summary: {err}");
                    return ExitCode::FAILURE;
                }
            }
            eprintln!("{}", summary.one_line());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
