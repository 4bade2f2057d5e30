//! Fuzz target `render_budget`: see `infra_ci_fuzz::core_checks::render_budget` for what it checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| infra_ci_fuzz::core_checks::render_budget(data));
