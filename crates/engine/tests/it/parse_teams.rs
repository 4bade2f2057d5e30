//! `permissions.*.teams`: the parse job looks team membership up over HTTP (emulator) only
//! when teams are configured, and a team grants what an association would.
#![allow(clippy::unwrap_used)]

use crate::support::{APP_TOKEN, Env, OWNER, PR, REPO, sha};
use infra_ci_config::Config;
use infra_ci_testkit::DEFAULT_BOT_TOKEN;
use infra_ci_testkit::admin::{NewMember, PullFields};

const TEAMS: &str = "permissions:\n  plan:\n    teams: [platform]\n";

async fn open_pr(env: &Env) {
    env.admin()
        .pull(REPO, &PullFields::new(PR, sha('a')))
        .await
        .unwrap();
}

async fn join(env: &Env, login: &str, state: &str) {
    let member = NewMember {
        state: Some(state.into()),
        ..NewMember::new(login)
    };
    env.admin()
        .team_member(OWNER, "platform", &member)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_member_without_association_may_plan() {
    let env = Env::start().await;
    open_pr(&env).await;
    join(&env, "ada", "active").await;
    let cfg = Config::from_yaml(TEAMS).unwrap();
    let route = env
        .comment(APP_TOKEN, &cfg, "/plan", "ada", "CONTRIBUTOR")
        .await;
    assert!(route.should_run, "{}", route.reason);
    assert_eq!(route.reply, None);
    let lookups = env.requests_under("/orgs/").await;
    assert_eq!(lookups.len(), 1, "{lookups:?}");
    assert_eq!(
        lookups[0].path,
        format!("/orgs/{OWNER}/teams/platform/memberships/ada")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_member_or_pending_member_is_refused_visibly() {
    let env = Env::start().await;
    open_pr(&env).await;
    join(&env, "bob", "pending").await;
    let cfg = Config::from_yaml(TEAMS).unwrap();
    for login in ["eve", "bob"] {
        let route = env
            .comment(APP_TOKEN, &cfg, "/plan", login, "CONTRIBUTOR")
            .await;
        assert!(!route.should_run, "{login}: {}", route.reason);
        let reply = route.reply.unwrap();
        assert!(
            reply.contains(&format!("@{login} (CONTRIBUTOR) is not allowed")),
            "{reply}"
        );
    }
    let comments = env.comments().await;
    assert_eq!(
        comments
            .iter()
            .filter(|c| c.contains("is not allowed"))
            .count(),
        2,
        "both refusals are replied on the pull request: {comments:?}"
    );
    assert_eq!(env.requests_under("/orgs/").await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_team_lookup_without_teams_or_when_the_association_suffices() {
    let env = Env::start().await;
    open_pr(&env).await;
    join(&env, "ada", "active").await;
    // No teams configured: a team member who is only a CONTRIBUTOR is refused, unasked.
    let route = env
        .comment(APP_TOKEN, &Config::default(), "/plan", "ada", "CONTRIBUTOR")
        .await;
    assert!(!route.should_run);
    // Teams configured, but the association already allows.
    let cfg = Config::from_yaml(TEAMS).unwrap();
    let route = env.comment(APP_TOKEN, &cfg, "/plan", "ada", "MEMBER").await;
    assert!(route.should_run, "{}", route.reason);
    assert_eq!(env.requests_under("/orgs/").await, []);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_token_cannot_read_teams_and_the_refusal_says_so() {
    let env = Env::start().await;
    open_pr(&env).await;
    join(&env, "ada", "active").await;
    let cfg = Config::from_yaml(TEAMS).unwrap();
    let route = env
        .comment(DEFAULT_BOT_TOKEN, &cfg, "/plan", "ada", "CONTRIBUTOR")
        .await;
    assert!(!route.should_run);
    let reply = route.reply.unwrap();
    assert!(
        reply.contains("could not check membership of team `runatlantis/platform`"),
        "{reply}"
    );
    assert!(
        reply.contains("GITHUB_TOKEN cannot read organization teams"),
        "{reply}"
    );
}
