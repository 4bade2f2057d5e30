//! `infra-ci`: the command line. Arguments and the Actions environment in, use cases out;
//! no dashboard logic lives here.
//!
//! Exit codes: 0 ok, 1 the operation failed, 2 bad usage or input.

mod actions_env;
mod args;
mod client;
mod commands;
mod config;
mod env_vars;
mod exit;
mod requester;

use clap::{CommandFactory, FromArgMatches};

fn main() -> std::process::ExitCode {
    // `--help` ends with every environment variable, from the one registry.
    let matches = args::Cli::command()
        .after_long_help(format!("{}\n\n{}", args::AFTER_HELP, env_vars::help()))
        .get_matches();
    let cli = match args::Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    init_tracing(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::FAILED.into();
        }
    };
    let code = runtime.block_on(commands::dispatch(cli));
    std::process::ExitCode::from(code)
}

/// Logs go to stderr (stdout carries results). `RUST_LOG` overrides the level.
fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
