//! One module per sub-command; each maps its arguments onto a use case and prints.

mod dashboard;
#[cfg(feature = "emulator")]
mod demo;
pub mod drift;
#[cfg(feature = "emulator")]
mod emulator;
pub mod gate;
mod parse;
pub mod pipeline;
pub mod pr_target;
pub mod run;
mod summarize;

use crate::args::{Cli, Command};
use crate::exit::report;

/// Runs the command and returns the exit code.
pub async fn dispatch(cli: Cli) -> u8 {
    report(match cli.command {
        Command::Run(a) => run::run(a).await,
        Command::Drift(a) => drift::run(a).await,
        Command::Gate(a) => gate::run(a).await,
        Command::Init(a) => dashboard::init(a, false).await,
        Command::Sync(a) => dashboard::init(a, true).await,
        Command::Update(a) => dashboard::update(a).await,
        Command::Show(a) => dashboard::show(a).await,
        Command::Parse(a) => parse::run(a).await,
        Command::Summarize(a) => summarize::run(&a),
        Command::Validate(a) => pipeline::validate(a).await,
        Command::Report(a) => pipeline::report(a).await,
        Command::PlanRun(a) => pipeline::find_plan_run(a).await,
        Command::PrTarget(a) => pr_target::run(a).await,
        #[cfg(feature = "emulator")]
        Command::Emulator(a) => emulator::run(a).await,
        #[cfg(feature = "emulator")]
        Command::Demo(a) => demo::run(a).await,
    })
}
