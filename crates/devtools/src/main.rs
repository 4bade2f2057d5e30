//! `infra-ci-soak`: randomized concurrent writers against an embedded GitHub emulator that
//! injects GitHub's faults; fails (exit 1) on any lost update, duplicate dashboard or foreign
//! edit. A development tool (docs/reliability.md), kept out of the product binary.
//!
//! ```sh
//! cargo run -p infra-ci-devtools --bin infra-ci-soak -- --scenarios 200 --seed 1
//! ```

mod error;
mod soak;

use std::process::ExitCode;

use clap::Parser;

/// Randomized concurrent writers under injected GitHub faults; checks nothing is lost.
#[derive(Debug, Parser)]
#[command(name = "infra-ci-soak", version)]
struct Cli {
    #[command(flatten)]
    args: soak::SoakArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Logs to stderr (stdout's last line is the totals). `RUST_LOG` overrides the level.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    match soak::run(cli.args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
