//! GitHub App credentials inside Actions: the installation token is minted once, masked
//! with `::add-mask::`, and the dashboard is authored (and recognised) as `<slug>[bot]`.

use infra_ci_testkit::admin::{NewApp, NewInstallation};

use crate::support::{Gh, ok, sha};

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../emulator/tests/keys");

#[test]
fn app_tokens_are_masked_and_the_bot_knows_its_own_dashboard() {
    let gh = Gh::start();
    let public = std::fs::read_to_string(format!("{KEYS}/app-public.pem")).unwrap();
    let private = std::fs::read_to_string(format!("{KEYS}/app-private.pem")).unwrap();
    let app = NewApp {
        id: 4242,
        slug: "infra-bot".into(),
        public_key_pem: public,
        installations: vec![NewInstallation {
            id: 77,
            account: "acme".into(),
        }],
    };
    gh.admin(async |a| a.app(&app).await);
    let head = sha(50);
    gh.pull(50, &head);
    let run = |args: &[&str]| {
        let out = gh
            .command(args)
            .env_remove("GITHUB_TOKEN")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_APP_ID", "4242")
            .env("GITHUB_APP_PRIVATE_KEY", &private)
            .output()
            .unwrap();
        let stdout = ok(&out);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (stdout, stderr)
    };
    let (stdout, stderr) = run(&["init", "--pr", "50"]);
    // The mask goes to stderr (the runner reads workflow commands there too), so stdout
    // stays what the command prints: `x=$(infra-ci …)` never captures the token.
    let first = stderr.lines().next().unwrap_or_default();
    let token = first
        .strip_prefix("::add-mask::")
        .unwrap_or_else(|| panic!("first stderr line: {first}"));
    assert!(!token.is_empty());
    // Nothing else the command printed contains the token.
    assert!(!stdout.contains(token) && !stderr.lines().skip(1).any(|l| l.contains(token)));
    assert!(!stdout.contains("::add-mask::"), "{stdout}");
    // `show --json` stays JSON with App auth.
    let (json, _) = run(&["show", "--pr", "50", "--json"]);
    serde_json::from_str::<serde_json::Value>(&json).unwrap();
    run(&["init", "--pr", "50"]);
    run(&[
        "update", "--pr", "50", "--stage", "ci", "--status", "success",
    ]);
    let comments = gh.comments(50);
    let ours: Vec<_> = comments
        .iter()
        .filter(|c| c["user"]["login"] == "infra-bot[bot]")
        .collect();
    assert_eq!(
        ours.len(),
        1,
        "the App's dashboard was not recognised as its own: {comments:#?}"
    );
    assert!(
        ours[0]["body"]
            .as_str()
            .unwrap()
            .contains("| CI Validate | ✅ success |")
    );
}
