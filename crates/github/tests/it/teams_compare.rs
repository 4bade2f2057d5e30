//! `Forge::team_membership` and `Forge::compare` against the emulator.

use infra_ci_github::{Forge, GitHubClient};
use infra_ci_testkit::admin::{NewCommit, NewMember, NewUser};

use crate::support::Emu;

async fn member(emu: &Emu, login: &str, state: &str) {
    let member = NewMember {
        state: Some(state.into()),
        ..NewMember::new(login)
    };
    emu.admin()
        .team_member("octo", "platform", &member)
        .await
        .unwrap();
}

#[tokio::test]
async fn active_members_only() {
    let emu = Emu::start().await;
    emu.admin()
        .user(&NewUser::new("infra-ci[bot]").kind("Bot").token("app-token"))
        .await
        .unwrap();
    member(&emu, "ada", "active").await;
    member(&emu, "bob", "pending").await;
    let gh = GitHubClient::new(emu.config("app-token")).unwrap();
    assert!(gh.team_membership("octo", "platform", "ada").await.unwrap());
    assert!(
        !gh.team_membership("octo", "platform", "bob").await.unwrap(),
        "pending is not yet a member"
    );
    assert!(
        !gh.team_membership("octo", "platform", "eve").await.unwrap(),
        "404 is no"
    );
    assert!(!gh.team_membership("octo", "other", "ada").await.unwrap());
    assert_eq!(
        emu.requests_to("GET", "/orgs/octo/teams/platform/memberships/ada")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn github_token_is_told_it_cannot_read_teams() {
    let emu = Emu::start().await;
    member(&emu, "ada", "active").await;
    let err = emu
        .bot()
        .team_membership("octo", "platform", "ada")
        .await
        .unwrap_err();
    assert!(err.is_forbidden(), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("GITHUB_TOKEN cannot read organization teams"),
        "{text}"
    );
    assert!(text.contains("`members: read`"), "{text}");
}

#[tokio::test]
async fn compare_reports_ahead_and_behind() {
    let emu = Emu::start().await;
    let sha = |c: char| c.to_string().repeat(40);
    let (base1, head, base2) = (sha('1'), sha('2'), sha('3'));
    for (c, parents) in [
        (&base1, vec![]),
        (&head, vec![&base1]),
        (&base2, vec![&base1]),
    ] {
        emu.admin()
            .commit("octo/infra", &NewCommit::new(c, parents))
            .await
            .unwrap();
    }
    let gh = emu.bot();
    gh.create_ref(
        &emu.repo,
        "refs/heads/main",
        &infra_ci_github::Sha::new(&base2),
    )
    .await
    .unwrap();
    let up = gh.compare(&emu.repo, &base1, &head).await.unwrap();
    assert_eq!(
        (up.status.as_str(), up.ahead_by, up.behind_by),
        ("ahead", 1, 0)
    );
    let behind = gh.compare(&emu.repo, &base2, &head).await.unwrap();
    assert_eq!(
        (behind.status.as_str(), behind.ahead_by, behind.behind_by),
        ("diverged", 1, 1)
    );
    // A branch name resolves to its tip, as on GitHub.
    let by_name = gh.compare(&emu.repo, "main", &head).await.unwrap();
    assert_eq!(by_name.behind_by, 1);
    let same = gh.compare(&emu.repo, &head, &head).await.unwrap();
    assert_eq!((same.status.as_str(), same.behind_by), ("identical", 0));
}
