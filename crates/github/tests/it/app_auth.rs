//! GitHub App auth end to end: JWT → installation → installation token → API calls.

use infra_ci_github::{
    AppCredentials, Auth, ClientConfig, Forge, ForgeError, GitHubClient, mint_installation_token,
};
use infra_ci_testkit::admin::{NewApp, NewInstallation};
use secrecy::{ExposeSecret, SecretString};

use crate::support::{Emu, SHA, fast_retry};

const APP_ID: u64 = 4242;

async fn register_app(emu: &Emu) {
    emu.admin()
        .app(&NewApp {
            id: APP_ID,
            slug: "infra-flash".into(),
            public_key_pem: include_str!("../keys/app-public.pem").into(),
            installations: vec![NewInstallation {
                id: 77,
                account: emu.repo.owner.clone(),
            }],
        })
        .await
        .unwrap();
}

fn app_config(emu: &Emu, pem: &str, slug: Option<&str>) -> ClientConfig {
    let mut cfg = ClientConfig::new(Auth::App(AppCredentials {
        app_id: APP_ID.to_string(),
        private_key_pem: SecretString::from(pem.to_owned()),
        installation_id: None,
        repo: Some(emu.repo.clone()),
        slug: slug.map(str::to_owned),
    }))
    .with_base_url(emu.base_url())
    .unwrap();
    cfg.retry = fast_retry();
    cfg
}

#[tokio::test]
async fn app_client_mints_one_token_and_acts_as_the_app_bot() {
    let emu = Emu::start().await;
    register_app(&emu).await;
    emu.pull(2, SHA).await;
    let gh = GitHubClient::new(app_config(
        &emu,
        include_str!("../keys/app-pkcs1.pem"),
        Some("infra-flash"),
    ))
    .unwrap();

    let c = gh
        .create_comment(&emu.repo, 2, "from the app")
        .await
        .unwrap();
    assert_eq!(c.author(), "infra-flash[bot]");
    gh.update_comment(&emu.repo, c.id, "again").await.unwrap();
    assert_eq!(gh.whoami().await.unwrap(), "infra-flash[bot]");

    let log = emu.requests().await;
    let paths: Vec<&str> = log.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths
            .iter()
            .filter(|p| p.ends_with("/installation"))
            .count(),
        1,
        "{paths:?}"
    );
    assert_eq!(
        paths
            .iter()
            .filter(|p| p.ends_with("/access_tokens"))
            .count(),
        1,
        "token cached: {paths:?}"
    );
}

#[tokio::test]
async fn mint_installation_token_from_a_pkcs8_key() {
    let emu = Emu::start().await;
    emu.commit(SHA).await;
    register_app(&emu).await;
    let cfg = app_config(&emu, include_str!("../keys/app-pkcs8.pem"), None);
    let token = mint_installation_token(&cfg, &emu.repo).await.unwrap();
    assert!(token.expose_secret().starts_with("ghs_"));
    // The minted token works as a plain token.
    let gh = GitHubClient::new(emu.config(token.expose_secret())).unwrap();
    let s = gh
        .create_status(
            &emu.repo,
            &infra_ci_github::Sha::new(SHA),
            infra_ci_github::StatusState::Success,
            "c",
            "d",
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        s.creator.map(|u| u.login),
        Some("infra-flash[bot]".to_owned())
    );
}

#[tokio::test]
async fn a_key_the_app_does_not_have_is_unauthorized_with_an_app_hint() {
    let emu = Emu::start().await;
    register_app(&emu).await;
    let other = include_str!("../../../emulator/tests/keys/other-private.pem");
    let err = mint_installation_token(&app_config(&emu, other, None), &emu.repo)
        .await
        .unwrap_err();
    assert!(matches!(err, ForgeError::Unauthorized { .. }), "{err:?}");
    assert!(err.to_string().contains("GITHUB_APP_PRIVATE_KEY"), "{err}");
}

#[tokio::test]
async fn an_app_not_installed_on_the_owner_is_not_found() {
    let emu = Emu::start().await;
    register_app(&emu).await;
    let cfg = app_config(&emu, include_str!("../keys/app-pkcs8.pem"), None);
    let elsewhere = infra_ci_github::RepoId::parse("someone-else/repo").unwrap();
    let err = mint_installation_token(&cfg, &elsewhere).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(err.to_string().contains("install the app"), "{err}");
}

#[tokio::test]
async fn whoami_of_an_app_uses_the_slug_from_its_installation() {
    let emu = Emu::start().await;
    register_app(&emu).await;
    let gh = GitHubClient::new(app_config(
        &emu,
        include_str!("../keys/app-pkcs8.pem"),
        None,
    ))
    .unwrap();
    assert_eq!(gh.whoami().await.unwrap(), "infra-flash[bot]");
    assert!(
        emu.requests_to("GET", "/app").await.is_empty(),
        "the slug came with the installation"
    );
}
