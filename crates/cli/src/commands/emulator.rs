//! `infra-ci emulator`: serve the GitHub API emulator until Ctrl-C.

use infra_ci_emulator::{EmulatorOptions, serve_forever};

use crate::args::EmulatorArgs;
use crate::exit::CliError;

pub async fn run(a: EmulatorArgs) -> Result<(), CliError> {
    let opts = EmulatorOptions {
        web_base: a.web_base,
        repos: a.repos,
        ..EmulatorOptions::default()
    };
    serve_forever(a.listen, opts)
        .await
        .map_err(|e| CliError::failed(format!("cannot serve on {}: {e}", a.listen)))
}
