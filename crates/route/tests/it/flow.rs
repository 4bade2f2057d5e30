//! After `decide`: `complete` with lookup facts, `refuse` with a policy decision.

use infra_ci_config::Config;
use infra_ci_route::{Facts, Lookup, Mode, ReactionContent, authorize, complete, refuse};
use serde_json::json;

use crate::support::{fixture, pr_comment, route};

#[test]
fn a_comment_route_takes_the_head_sha_from_the_lookup() {
    let r = route("issue_comment", &pr_comment("/plan"));
    assert_eq!(r.needs, Some(Lookup::PullHead { pr: 1 }));
    let done = complete(
        r.clone(),
        &Facts::PullHead {
            sha: "abc1234def".into(),
            open: true,
        },
    );
    assert_eq!(
        (done.sha.as_deref(), done.needs.clone(), done.should_run),
        (Some("abc1234def"), None, true)
    );

    // Facts that answer another question change nothing.
    assert_eq!(
        complete(r.clone(), &Facts::PullsForCommit { prs: vec![9] }),
        r
    );

    // The PR closed between the comment and the lookup.
    let closed = complete(
        r,
        &Facts::PullHead {
            sha: "abc".into(),
            open: false,
        },
    );
    assert_eq!(
        (closed.mode, closed.should_run, closed.init_dashboard),
        (Mode::None, false, false)
    );
    assert_eq!(closed.react.unwrap().content, ReactionContent::Confused);
}

#[test]
fn a_post_merge_route_finds_its_pull_request() {
    let r = route("push", &fixture("push/with-new-branch.payload.json"));
    let with_pr = complete(r.clone(), &Facts::PullsForCommit { prs: vec![42, 7] });
    assert_eq!(
        (
            with_pr.pr_number,
            with_pr.init_dashboard,
            with_pr.needs.clone()
        ),
        (Some(42), true, None)
    );
    assert!(
        with_pr.reason.ends_with("; dashboard on PR #42"),
        "{}",
        with_pr.reason
    );
    assert!(with_pr.should_run);

    let direct = complete(r, &Facts::PullsForCommit { prs: vec![] });
    assert_eq!(
        (direct.pr_number, direct.init_dashboard, direct.should_run),
        (None, false, true)
    );
}

#[test]
fn a_refusal_stops_the_run_and_says_why() {
    let mut payload = pr_comment("/apply");
    payload["comment"]["author_association"] = json!("CONTRIBUTOR");
    let r = route("issue_comment", &payload);
    assert!(r.authorize);
    let cmd = r.as_command().unwrap();
    let decision = authorize(&cmd, r.actor.as_ref().unwrap(), &Config::default());
    assert!(!decision.allowed);
    let refused = refuse(r, &decision);
    assert_eq!(
        (refused.mode, refused.should_run, refused.authorize),
        (Mode::None, false, false)
    );
    assert!(refused.stages.is_empty() && !refused.init_dashboard);
    assert_eq!(refused.react.unwrap().content, ReactionContent::MinusOne);
    let reply = refused.reply.unwrap();
    assert!(
        reply.contains("@runatlantis (CONTRIBUTOR) is not allowed"),
        "{reply}"
    );
    assert!(reply.contains("permissions.apply.users"), "{reply}");

    // An allowed decision leaves the route running.
    let r = route("issue_comment", &pr_comment("/plan"));
    let ok = authorize(
        &r.as_command().unwrap(),
        r.actor.as_ref().unwrap(),
        &Config::default(),
    );
    assert!(ok.allowed);
    let kept = refuse(r.clone(), &ok);
    assert_eq!(
        (kept.mode, kept.should_run, kept.authorize),
        (r.mode, true, false)
    );
}

#[test]
fn routes_serialize_as_job_outputs() {
    let r = route("push", &fixture("push/with-new-branch.payload.json"));
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["mode"], "post-merge");
    assert_eq!(v["command"], "verify");
    assert_eq!(
        v["stages"],
        json!([
            "plan-bootstrap",
            "plan-platform",
            "plan-data-staging",
            "plan-data-prod"
        ])
    );
    assert_eq!(
        v["needs"],
        json!({"kind": "pulls_for_commit", "sha": "6113728f27ae82c7b1a177c8d03f9e96e0adf246"})
    );
    let c = serde_json::to_value(route("issue_comment", &pr_comment("/bootstrap apply"))).unwrap();
    assert_eq!(
        (c["command"].as_str(), c["react"]["content"].as_str()),
        (Some("bootstrap-apply"), Some("eyes"))
    );
}

#[test]
fn dispatch_fails_closed() {
    let base = fixture("workflow_dispatch/payload.json");
    let with = |sender: Option<serde_json::Value>, command: &str| {
        let mut v = base.clone();
        v["inputs"] = json!({"command": command, "pr": "2"});
        match sender {
            Some(s) => v["sender"] = s,
            None => {
                v.as_object_mut().unwrap().remove("sender");
            }
        }
        route("workflow_dispatch", &v)
    };
    // No sender: nobody asked, so no command runs.
    let r = with(None, "apply");
    assert!(!r.should_run && r.actor.is_none(), "{r:?}");
    assert!(r.reason.contains("without a sender"), "{}", r.reason);
    // A bot is never obeyed, whatever it asks.
    for command in ["plan", "apply", "bootstrap-apply"] {
        let r = with(
            Some(json!({"login": "renovate[bot]", "type": "Bot"})),
            command,
        );
        assert!(!r.should_run, "{command}: {r:?}");
        assert!(r.reason.contains("bots never run commands"), "{}", r.reason);
    }
    // Drift changes nothing: it still runs for a dispatch that names nobody.
    let r = with(None, "drift");
    assert!(r.should_run, "{r:?}");
}

/// `/unlock` releases the pull request's locks (the `unlock` job), asked by its author or
/// someone allowed to apply, also once it is closed; anyone else is refused and nothing runs.
#[test]
fn unlock_is_for_the_author_and_appliers_also_on_a_closed_pull_request() {
    use infra_ci_route::{CommandKind, authorize_unlock};
    let mut payload = pr_comment("/unlock");
    payload["comment"]["author_association"] = json!("CONTRIBUTOR");
    let r = route("issue_comment", &payload);
    assert_eq!(r.command, Some(CommandKind::Unlock));
    assert!(r.release_locks && r.authorize && !r.should_run && !r.init_dashboard);
    assert_eq!(r.needs, Some(Lookup::PullHead { pr: 1 }));
    assert!(r.stages.is_empty() && r.projects.is_empty());

    // Closed since: the locks should be gone, and /unlock is how to retry.
    let closed = complete(
        r.clone(),
        &Facts::PullHead {
            sha: "abc".into(),
            open: false,
        },
    );
    assert!(closed.release_locks, "{closed:?}");

    let cfg = Config::default();
    let actor = r.actor.clone().unwrap();
    assert_eq!(actor.login, "runatlantis");
    // A contributor who opened the pull request may release its locks.
    assert!(authorize_unlock(&actor, Some("RunAtlantis"), &cfg).allowed);
    // A contributor who did not is refused, with what would allow it.
    let no = authorize_unlock(&actor, Some("alice"), &cfg);
    assert!(!no.allowed);
    assert!(
        no.how_to_allow.contains("permissions.apply.users"),
        "{no:?}"
    );
    let refused = refuse(r, &no);
    assert!(!refused.release_locks && !refused.should_run);
    assert_eq!(refused.react.unwrap().content, ReactionContent::MinusOne);
    // A member (allowed to apply by default) may release anyone's pull request's locks.
    let mut member = actor;
    member.association = infra_ci_config::Association::Member;
    assert!(authorize_unlock(&member, Some("alice"), &cfg).allowed);

    // Arguments are refused with the usage; bots are never obeyed.
    let bad = route("issue_comment", &pr_comment("/unlock platform"));
    assert!(!bad.release_locks && bad.reply.unwrap().contains("takes no arguments"));
    let mut by_bot = pr_comment("/unlock");
    by_bot["comment"]["user"]["type"] = json!("Bot");
    by_bot["comment"]["user"]["login"] = json!("renovate[bot]");
    assert!(!route("issue_comment", &by_bot).release_locks);
}
