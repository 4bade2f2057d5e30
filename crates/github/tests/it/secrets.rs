//! The token never shows in `Debug` output or in errors.

use infra_ci_github::{AppCredentials, Auth, ClientConfig, Forge, GitHubClient};
use secrecy::SecretString;

use crate::support::Emu;

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
        format!("{client:?}").contains(&emu.base_url()),
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
