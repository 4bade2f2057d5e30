//! Every `Forge` method round-trips against the emulator.

use infra_ci_github::{Forge, IssueState, StatusState};
use infra_ci_testkit::admin::{BulkComments, NewReview, NewUser};

use crate::support::{Emu, SHA};

#[tokio::test]
async fn whoami_falls_back_to_the_bot_login_and_is_cached() {
    let emu = Emu::start().await;
    let gh = emu.bot();
    // The bot's token is an installation token: GET /user is 403 for it.
    assert!(gh.current_user().await.unwrap_err().is_forbidden());
    assert_eq!(gh.whoami().await.unwrap(), "github-actions[bot]");
    assert_eq!(gh.whoami().await.unwrap(), "github-actions[bot]");
    assert_eq!(
        emu.requests_to("GET", "/user").await.len(),
        2,
        "one explicit call, one whoami: cached after"
    );
}

#[tokio::test]
async fn whoami_of_a_user_token_is_its_login() {
    let emu = Emu::start().await;
    emu.admin()
        .user(&NewUser::new("alice").kind("User").token("alice-token"))
        .await
        .unwrap();
    let gh = infra_ci_github::GitHubClient::new(emu.config("alice-token")).unwrap();
    assert_eq!(gh.current_user().await.unwrap().login, "alice");
    assert_eq!(gh.whoami().await.unwrap(), "alice");
}

#[tokio::test]
async fn comments_create_get_update_react_minimize_delete() {
    let emu = Emu::start().await;
    emu.pull(7, SHA).await;
    let gh = emu.bot();
    let repo = &emu.repo;

    let created = gh
        .create_comment(repo, 7, "<!-- infra-dashboard:0123456 -->\nhello")
        .await
        .unwrap();
    assert_eq!(created.author(), "github-actions[bot]");
    assert!(!created.node_id.is_empty());

    let got = gh.get_comment(repo, created.id).await.unwrap();
    assert_eq!(got.body(), "<!-- infra-dashboard:0123456 -->\nhello");

    let updated = gh.update_comment(repo, created.id, "edited").await.unwrap();
    assert_eq!(updated.body(), "edited");

    let reaction = gh.add_reaction(repo, created.id, "eyes").await.unwrap();
    assert_eq!(reaction.content, "eyes");
    let again = gh.add_reaction(repo, created.id, "eyes").await.unwrap();
    assert_eq!(again.id, reaction.id, "a repeated reaction is the same one");

    gh.minimize_comment(&created.node_id).await.unwrap();
    let state = emu.state().await;
    let stored = state["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == created.id)
        .unwrap()
        .clone();
    assert_eq!(stored["minimized"], "outdated");

    gh.delete_comment(repo, created.id).await.unwrap();
    assert!(
        gh.get_comment(repo, created.id)
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[tokio::test]
async fn minimizing_an_unknown_node_is_a_graphql_error() {
    let emu = Emu::start().await;
    let err = emu.bot().minimize_comment("IC_nope").await.unwrap_err();
    assert!(
        matches!(err, infra_ci_github::ForgeError::GraphQl { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("IC_nope"), "{err}");
}

#[tokio::test]
async fn comment_pages_report_the_last_page_across_250_comments() {
    let emu = Emu::start().await;
    emu.pull(9, SHA).await;
    let seeded = emu
        .admin()
        .bulk_comments(
            "octo/infra",
            9,
            &BulkComments {
                user: "octocat".into(),
                count: 250,
                body: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(seeded["created"], 250);
    let gh = emu.bot();

    let first = gh.list_comments_page(&emu.repo, 9, 1, 100).await.unwrap();
    assert_eq!(first.comments.len(), 100);
    assert_eq!(first.last_page, Some(3));
    assert_eq!(first.comments[0].body(), "comment 0");

    let last = gh.list_comments_page(&emu.repo, 9, 3, 100).await.unwrap();
    assert_eq!(last.comments.len(), 50);
    assert_eq!(last.last_page, None, "the last page has no rel=last");
    assert_eq!(last.comments[49].body(), "comment 249");

    let mut seen = 0;
    let mut page = 1;
    loop {
        let p = gh.list_comments_page(&emu.repo, 9, page, 30).await.unwrap();
        seen += p.comments.len();
        match p.last_page {
            Some(last) if page < last => page += 1,
            _ => break,
        }
    }
    assert_eq!(seen, 250);
    assert_eq!(page, 9, "⌈250/30⌉ pages");
}

#[tokio::test]
async fn statuses_are_created_and_merged_across_pages() {
    let emu = Emu::start().await;
    emu.commit(SHA).await;
    let gh = emu.bot();
    let repo = &emu.repo;
    let s = gh
        .create_status(
            repo,
            &infra_ci_github::Sha::new(SHA),
            StatusState::Pending,
            "infra-dashboard/plan",
            "running",
            Some("https://example.com/run/1"),
        )
        .await
        .unwrap();
    assert_eq!(s.state, StatusState::Pending);
    assert_eq!(s.target_url.as_deref(), Some("https://example.com/run/1"));
    assert_eq!(
        s.creator.as_ref().map(|u| u.login.as_str()),
        Some("github-actions[bot]")
    );
    gh.create_status(
        repo,
        &infra_ci_github::Sha::new(SHA),
        StatusState::Success,
        "infra-dashboard/plan",
        "done",
        None,
    )
    .await
    .unwrap();
    // 120 distinct contexts: more than one page of 100. GitHub allows 80 content-creating
    // requests a minute: the emulator's clock moves a minute on every 60 writes.
    for i in 0..120 {
        if i % 60 == 59 {
            emu.admin().advance_clock(60).await.unwrap();
        }
        gh.create_status(
            repo,
            &infra_ci_github::Sha::new(SHA),
            StatusState::Success,
            &format!("ctx/{i}"),
            "ok",
            None,
        )
        .await
        .unwrap();
    }
    emu.admin().clear_requests().await.unwrap();
    let combined = gh
        .combined_status(repo, &infra_ci_github::Sha::new(SHA))
        .await
        .unwrap();
    assert_eq!(combined.sha, SHA);
    assert_eq!(
        combined.statuses.len(),
        121,
        "latest per context, every page"
    );
    let plan = combined
        .statuses
        .iter()
        .find(|s| s.context == "infra-dashboard/plan")
        .unwrap();
    assert_eq!(plan.state, StatusState::Success);
    let gets = emu
        .requests_to("GET", &emu.repo_path(&format!("/commits/{SHA}/status")))
        .await;
    assert_eq!(gets.len(), 2, "two pages of 100");
}

#[tokio::test]
async fn pulls_and_reviews() {
    let emu = Emu::start().await;
    emu.pull(12, SHA).await;
    for i in 0..105 {
        let state = if i == 104 { "APPROVED" } else { "COMMENTED" };
        let review = NewReview {
            user: format!("reviewer{i}"),
            state: state.into(),
            ..NewReview::default()
        };
        emu.admin().review("octo/infra", 12, &review).await.unwrap();
    }
    let gh = emu.bot();
    let pr = gh.get_pull(&emu.repo, 12).await.unwrap();
    assert_eq!(pr.number, 12);
    assert_eq!(pr.head.sha, SHA);
    let for_commit = gh
        .pulls_for_commit(&emu.repo, &infra_ci_github::Sha::new(SHA))
        .await
        .unwrap();
    assert_eq!(
        for_commit.iter().map(|p| p.number).collect::<Vec<_>>(),
        vec![12]
    );
    let reviews = gh.list_reviews(&emu.repo, 12).await.unwrap();
    assert_eq!(reviews.len(), 105, "all pages");
    assert_eq!(reviews[104].state, infra_ci_github::ReviewState::Approved);
    assert!(gh.get_pull(&emu.repo, 13).await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn issues_create_list_update() {
    let emu = Emu::start().await;
    emu.pull(1, SHA).await; // a pull request, which /issues also lists
    let gh = emu.bot();
    let labels = vec!["drift".to_owned()];
    let issue = gh
        .create_issue(&emu.repo, "Drift detected", "body", &labels)
        .await
        .unwrap();
    assert_eq!(issue.state, IssueState::Open);
    gh.create_issue(&emu.repo, "Unrelated", "x", &[])
        .await
        .unwrap();

    let found = gh
        .list_issues(&emu.repo, "drift", Some("github-actions[bot]"))
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|i| i.number).collect::<Vec<_>>(),
        vec![issue.number]
    );
    let all = gh.list_issues(&emu.repo, "", None).await.unwrap();
    assert_eq!(all.len(), 2, "pull requests are left out: {all:?}");

    let closed = gh
        .update_issue(
            &emu.repo,
            issue.number,
            Some("fixed"),
            Some(IssueState::Closed),
        )
        .await
        .unwrap();
    assert_eq!(closed.state, IssueState::Closed);
    assert_eq!(closed.body.as_deref(), Some("fixed"));
    let reopened = gh
        .update_issue(&emu.repo, issue.number, None, Some(IssueState::Open))
        .await
        .unwrap();
    assert_eq!(
        (reopened.state.as_str(), reopened.body.as_deref()),
        ("open", Some("fixed"))
    );
}

#[tokio::test]
async fn refs_create_conflict_get_delete() {
    let emu = Emu::start().await;
    let gh = emu.bot();
    let r = gh
        .create_ref(
            &emu.repo,
            "refs/heads/infra-ci/lock/platform",
            &infra_ci_github::Sha::new(SHA),
        )
        .await
        .unwrap();
    assert_eq!(r.full_ref, "refs/heads/infra-ci/lock/platform");
    assert_eq!(r.object.sha, SHA);

    let dup = gh
        .create_ref(
            &emu.repo,
            "refs/heads/infra-ci/lock/platform",
            &infra_ci_github::Sha::new(SHA),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(dup, infra_ci_github::ForgeError::AlreadyExists { .. }),
        "{dup:?}"
    );

    let got = gh
        .get_ref(&emu.repo, "heads/infra-ci/lock/platform")
        .await
        .unwrap();
    assert_eq!(
        got.map(|g| g.object.sha),
        Some(infra_ci_github::Sha::new(SHA.to_owned()))
    );

    gh.delete_ref(&emu.repo, "heads/infra-ci/lock/platform")
        .await
        .unwrap();
    assert_eq!(
        gh.get_ref(&emu.repo, "heads/infra-ci/lock/platform")
            .await
            .unwrap(),
        None
    );
    let again = gh
        .delete_ref(&emu.repo, "heads/infra-ci/lock/platform")
        .await
        .unwrap_err();
    assert!(again.is_not_found(), "{again:?}");
}

/// A read of something unchanged is conditional: the client sends back the `ETag` it got,
/// GitHub answers `304 Not Modified` (not counted against the primary rate limit), and the
/// client serves the answer it kept; a change is read in full (issue 10).
#[tokio::test]
async fn an_unchanged_read_is_answered_304_and_served_from_the_kept_answer() {
    let emu = Emu::start().await;
    let gh = emu.bot();
    let repo = &emu.repo;
    emu.commit(SHA).await;
    gh.create_status(
        repo,
        &infra_ci_github::Sha::new(SHA),
        StatusState::Pending,
        "infra-dashboard/a",
        "running",
        None,
    )
    .await
    .unwrap();
    let path = emu.repo_path(&format!("/commits/{SHA}/statuses"));
    let first = gh
        .list_statuses(repo, &infra_ci_github::Sha::new(SHA))
        .await
        .unwrap();
    let again = gh
        .list_statuses(repo, &infra_ci_github::Sha::new(SHA))
        .await
        .unwrap();
    assert_eq!(first, again);
    gh.create_status(
        repo,
        &infra_ci_github::Sha::new(SHA),
        StatusState::Success,
        "infra-dashboard/a",
        "success",
        None,
    )
    .await
    .unwrap();
    let changed = gh
        .list_statuses(repo, &infra_ci_github::Sha::new(SHA))
        .await
        .unwrap();
    assert_eq!(changed.len(), 2, "{changed:?}");
    let codes: Vec<Option<u16>> = emu
        .requests_to("GET", &path)
        .await
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(codes, [Some(200), Some(304), Some(200)]);
    // Another client (another job) has nothing kept: it reads in full.
    let other = emu
        .bot()
        .list_statuses(repo, &infra_ci_github::Sha::new(SHA))
        .await
        .unwrap();
    assert_eq!(other, changed);
    assert_eq!(
        emu.requests_to("GET", &path).await.last().unwrap().status,
        Some(200)
    );
}

/// A list read oldest first is never asked conditionally: its first page does not change
/// when a comment is added on a new page, so a 304 (with the kept Link header) would hide
/// that page and the dashboard created on it.
#[tokio::test]
async fn a_list_read_oldest_first_sees_a_new_last_page() {
    let emu = Emu::start().await;
    let gh = emu.bot();
    let repo = &emu.repo;
    emu.pull(6, SHA).await;
    emu.admin()
        .bulk_comments(
            "octo/infra",
            6,
            &BulkComments {
                user: "octocat".into(),
                count: 100,
                body: Some("lgtm {i}".into()),
            },
        )
        .await
        .unwrap();
    let before = gh.list_comments_page(repo, 6, 1, 100).await.unwrap();
    assert_eq!(before.last_page, None, "one page");
    gh.create_comment(repo, 6, "one more").await.unwrap();
    let after = gh.list_comments_page(repo, 6, 1, 100).await.unwrap();
    assert_eq!(after.last_page, Some(2), "the new page is seen");
}
