//! GitHub's error answers become typed errors whose messages say what to do.

use infra_ci_github::{Forge, ForgeError, GitHubClient, StatusState};
use infra_ci_testkit::admin::NewUser;

use crate::support::{Emu, SHA};

#[tokio::test]
async fn bad_token_is_unauthorized_and_says_to_set_one() {
    let emu = Emu::start().await;
    let gh = GitHubClient::new(emu.config("not-a-token")).unwrap();
    let err = gh.get_pull(&emu.repo, 1).await.unwrap_err();
    assert!(matches!(err, ForgeError::Unauthorized { .. }), "{err:?}");
    assert!(err.to_string().contains("set GITHUB_TOKEN"), "{err}");
    assert_eq!(emu.requests().await.len(), 1, "401 is not retried");
}

#[tokio::test]
async fn missing_permission_names_it_with_the_yaml_to_add() {
    let emu = Emu::start().await;
    emu.admin()
        .user(
            &NewUser::new("ro-bot")
                .kind("Bot")
                .token("ro-token")
                .permission("statuses", "read")
                .permission("contents", "read")
                .permission("issues", "read"),
        )
        .await
        .unwrap();
    let gh = GitHubClient::new(emu.config("ro-token")).unwrap();

    let err = gh
        .create_status(
            &emu.repo,
            &infra_ci_github::Sha::new(SHA),
            StatusState::Success,
            "c",
            "d",
            None,
        )
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ForgeError::Forbidden { .. }), "{err:?}");
    assert!(
        text.contains("Resource not accessible by integration"),
        "{text}"
    );
    assert!(text.contains("permissions:\n    statuses: write"), "{text}");
    assert!(
        text.contains("accepts: `statuses=write`"),
        "GitHub's x-accepted-github-permissions: {text}"
    );

    let err = gh
        .create_ref(
            &emu.repo,
            "refs/heads/lock",
            &infra_ci_github::Sha::new(SHA),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("contents: write"), "{err}");

    emu.pull(3, SHA).await;
    let err = gh.create_comment(&emu.repo, 3, "hi").await.unwrap_err();
    assert!(err.to_string().contains("issues: write"), "{err}");
    assert_eq!(emu.requests().await.len(), 3, "403 is not retried");
}

#[tokio::test]
async fn not_found_says_what_was_missing() {
    let emu = Emu::start().await;
    let err = emu.bot().get_comment(&emu.repo, 999_999).await.unwrap_err();
    assert!(err.is_not_found());
    assert!(
        err.to_string().contains("comment 999999 in octo/infra"),
        "{err}"
    );
}

#[tokio::test]
async fn too_long_body_is_invalid_with_githubs_message() {
    let emu = Emu::start().await;
    emu.pull(4, SHA).await;
    let err = emu
        .bot()
        .create_comment(&emu.repo, 4, &"x".repeat(70_000))
        .await
        .unwrap_err();
    assert!(matches!(err, ForgeError::Invalid { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("is too long (maximum is 65536 characters)"),
        "{err}"
    );
}
