//! The token never shows in `Debug` output or in errors.

use std::io::Write;
use std::sync::{Arc, Mutex};

use infra_ci_github::{AppCredentials, Auth, ClientConfig, Forge, GitHubClient};
use infra_ci_testkit::admin::NewUser;
use secrecy::SecretString;

use crate::support::{Emu, SHA};

const TOKEN: &str = "ghp_SuperSecretTokenValue1234567890";

#[tokio::test]
async fn debug_of_client_and_config_never_shows_the_token() {
    let emu = Emu::start().await;
    let cfg = emu.config(TOKEN);
    let client = GitHubClient::new(cfg.clone()).unwrap();
    for text in [
        format!("{cfg:?}"),
        format!("{client:?}"),
        format!("{cfg:#?}"),
        format!("{client:#?}"),
    ] {
        assert!(!text.contains(TOKEN), "leaked: {text}");
        assert!(!text.contains("SuperSecret"), "leaked: {text}");
    }
    assert!(
        format!("{client:?}").contains(emu.base_url()),
        "Debug is still useful"
    );
    // A rejected token is not echoed in the error either.
    let err = client.get_pull(&emu.repo, 1).await.unwrap_err();
    assert!(!format!("{err} {err:?}").contains(TOKEN));
}

#[test]
fn debug_of_app_credentials_never_shows_the_key() {
    let pem = include_str!("../keys/app-pkcs8.pem");
    let cfg = ClientConfig::new(Auth::App(AppCredentials {
        app_id: "1".to_owned(),
        private_key_pem: SecretString::from(pem.to_owned()),
        installation_id: None,
        repo: None,
        slug: None,
    }));
    let text = format!("{cfg:?} {:?}", GitHubClient::new(cfg.clone()).unwrap());
    let key_line = pem.lines().nth(1).unwrap();
    assert!(!text.contains(key_line), "leaked: {text}");
}

/// Collects every formatted log line in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_log_line_contains_the_token() {
    let logs = Captured::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .finish();
    // current-thread runtime: every task of this test logs through this subscriber.
    let _guard = tracing::subscriber::set_default(subscriber);

    let emu = Emu::start().await;
    emu.admin()
        .user(&NewUser::new("leaky").kind("User").token(TOKEN))
        .await
        .unwrap();
    emu.pull(5, SHA).await;
    emu.fail_next_pull_read_with_502().await;
    let gh = GitHubClient::new(emu.config(TOKEN)).unwrap();
    gh.get_pull(&emu.repo, 5).await.unwrap();
    gh.whoami().await.unwrap();
    let _ = gh.get_comment(&emu.repo, 404).await;

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("retrying GitHub request"),
        "the capture works: {text}"
    );
    assert!(!text.contains(TOKEN), "token in logs:\n{text}");
    assert!(
        !text.to_ascii_lowercase().contains("authorization: bearer"),
        "auth header in logs:\n{text}"
    );
}
