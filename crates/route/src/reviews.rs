//! Which reviews count, once: for the apply gate's `approved` rule and for the dashboard's
//! review row, so that the row never shows as approved what the gate will not count.
//!
//! A review counts when its author is allowed to apply (association, user or team of
//! `permissions.apply`), is not the pull request's author and is not a bot; each reviewer's
//! latest deciding word is the one that counts (a dismissal withdraws it), and an approval
//! counts on the head only.

use std::collections::BTreeMap;

use infra_ci_config::Principals;
use infra_ci_core::Status;

use crate::gate::{ReviewFact, ReviewWord};
use crate::policy::is_allowed;

/// Why a review does not count, or `None` when it does.
pub fn disqualified(r: &ReviewFact, author: &str, allowed: &Principals) -> Option<&'static str> {
    if r.is_bot || r.reviewer.login.ends_with("[bot]") {
        Some("a bot")
    } else if r.reviewer.login.eq_ignore_ascii_case(author) {
        Some("the author")
    } else if !is_allowed(&r.reviewer, allowed) {
        Some("not allowed to apply")
    } else {
        None
    }
}

/// The latest deciding word of every reviewer who counts, by lowercase login. A dismissal
/// withdraws the reviewer's earlier word (it decides nothing itself).
pub fn latest_counted<'a>(
    reviews: &'a [ReviewFact],
    author: &str,
    allowed: &Principals,
) -> BTreeMap<String, &'a ReviewFact> {
    let mut latest: BTreeMap<String, &ReviewFact> = BTreeMap::new();
    for r in reviews {
        if disqualified(r, author, allowed).is_some() || r.word == ReviewWord::Other {
            continue;
        }
        let who = r.reviewer.login.to_ascii_lowercase();
        if r.word == ReviewWord::Dismissed {
            latest.remove(&who);
        } else {
            latest.insert(who, r);
        }
    }
    latest
}

/// The review row: its status and its Output, as the gate counts the reviews.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRow {
    /// `Failure` when changes are requested, `Success` when the head is approved, else `Pending`.
    pub status: Status,
    /// The text of the row's Output column (who approved, or why no approval counts).
    pub output: String,
}

/// What the reviews of the pull request come to on `head`:
/// - ❌ `changes requested by @carol` when a reviewer who counts asks for changes;
/// - ✅ `approved by @bob at abc1234` when one who counts approved the head;
/// - ⏳ otherwise, saying why the approvals given do not count (`@eve (not allowed to
///   apply)`, `@alice (the author)`, an approval of an earlier commit).
///
/// Logins are written with `@` and escaped by the renderer, so nobody is pinged.
pub fn review_row(
    reviews: &[ReviewFact],
    author: &str,
    head: &str,
    allowed: &Principals,
) -> ReviewRow {
    let latest = latest_counted(reviews, author, allowed);
    let head7 = short(head);
    let names = |word: ReviewWord, on_head: bool| -> Vec<String> {
        latest
            .values()
            .filter(|r| r.word == word)
            .filter(|r| !on_head || r.commit_id.as_deref() == Some(head))
            .map(|r| format!("@{}", safe_login(&r.reviewer.login)))
            .collect()
    };
    let blockers = names(ReviewWord::ChangesRequested, false);
    if !blockers.is_empty() {
        return ReviewRow {
            status: Status::Failure,
            output: format!("changes requested by {}", blockers.join(", ")),
        };
    }
    let approvers = names(ReviewWord::Approved, true);
    if !approvers.is_empty() {
        return ReviewRow {
            status: Status::Success,
            output: format!("approved by {} at {head7}", approvers.join(", ")),
        };
    }
    // Nothing that counts on the head: say what was given and why it does not count.
    let mut why: Vec<String> = Vec::new();
    for r in latest.values().filter(|r| r.word == ReviewWord::Approved) {
        let on = r.commit_id.as_deref().map_or_else(String::new, short);
        why.push(format!(
            "@{} approved {on}, not the head",
            safe_login(&r.reviewer.login)
        ));
    }
    let mut uncounted: BTreeMap<String, &'static str> = BTreeMap::new();
    for r in reviews
        .iter()
        .filter(|r| r.word == ReviewWord::Approved && r.commit_id.as_deref() == Some(head))
    {
        if let Some(reason) = disqualified(r, author, allowed) {
            uncounted.insert(safe_login(&r.reviewer.login), reason);
        }
    }
    for (login, reason) in uncounted {
        why.push(format!("@{login} ({reason})"));
    }
    let output = if why.is_empty() {
        format!("no approval of {head7} yet")
    } else {
        format!("no approval that counts: {}", why.join("; "))
    };
    ReviewRow {
        status: Status::Pending,
        output,
    }
}

pub(crate) fn short(sha: &str) -> String {
    infra_ci_wire::short_sha(sha).to_owned()
}

/// Logins are GitHub-validated, but the text goes into a comment: login characters only.
pub(crate) fn safe_login(login: &str) -> String {
    login
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '[' | ']' | '_'))
        .take(64)
        .collect()
}

#[cfg(test)]
mod tests {
    use infra_ci_config::{Association, Principals};

    use super::*;
    use crate::policy::Actor;

    const HEAD: &str = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";
    const OLD: &str = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";

    fn review(login: &str, assoc: &str, word: ReviewWord, on: &str) -> ReviewFact {
        ReviewFact {
            reviewer: Actor {
                login: login.into(),
                association: Association::parse(assoc),
                teams: Vec::new(),
            },
            is_bot: login.ends_with("[bot]"),
            word,
            commit_id: Some(on.into()),
        }
    }

    fn members() -> Principals {
        Principals {
            associations: vec![Association::Member, Association::Owner],
            users: Vec::new(),
            teams: Vec::new(),
        }
    }

    #[test]
    fn an_approval_that_counts_names_its_reviewer_and_commit() {
        let r = review_row(
            &[review("bob", "MEMBER", ReviewWord::Approved, HEAD)],
            "alice",
            HEAD,
            &members(),
        );
        assert_eq!(r.status, Status::Success);
        assert_eq!(r.output, "approved by @bob at b2b2b2b");
    }

    #[test]
    fn approvals_the_gate_will_not_count_never_show_as_approved() {
        let r = review_row(
            &[
                review("eve", "NONE", ReviewWord::Approved, HEAD),
                review("alice", "MEMBER", ReviewWord::Approved, HEAD),
                review("helper[bot]", "MEMBER", ReviewWord::Approved, HEAD),
            ],
            "alice",
            HEAD,
            &members(),
        );
        assert_eq!(r.status, Status::Pending);
        assert_eq!(
            r.output,
            "no approval that counts: @alice (the author); @eve (not allowed to apply); @helper[bot] (a bot)"
        );
    }

    #[test]
    fn an_approval_of_an_earlier_commit_is_named_as_such() {
        let r = review_row(
            &[review("bob", "MEMBER", ReviewWord::Approved, OLD)],
            "alice",
            HEAD,
            &members(),
        );
        assert_eq!(r.status, Status::Pending);
        assert_eq!(
            r.output,
            "no approval that counts: @bob approved a1a1a1a, not the head"
        );
        let none = review_row(&[], "alice", HEAD, &members());
        assert_eq!(none.output, "no approval of b2b2b2b yet");
    }

    #[test]
    fn a_change_request_blocks_only_from_someone_who_counts_and_a_dismissal_withdraws_it() {
        let outsider = review_row(
            &[
                review("bob", "MEMBER", ReviewWord::Approved, HEAD),
                review("eve", "NONE", ReviewWord::ChangesRequested, HEAD),
            ],
            "alice",
            HEAD,
            &members(),
        );
        assert_eq!(outsider.status, Status::Success, "{outsider:?}");
        let member = review_row(
            &[
                review("bob", "MEMBER", ReviewWord::Approved, HEAD),
                review("carol", "MEMBER", ReviewWord::ChangesRequested, HEAD),
            ],
            "alice",
            HEAD,
            &members(),
        );
        assert_eq!(member.status, Status::Failure);
        assert_eq!(member.output, "changes requested by @carol");
        let dismissed = review_row(
            &[
                review("bob", "MEMBER", ReviewWord::Approved, HEAD),
                review("carol", "MEMBER", ReviewWord::ChangesRequested, HEAD),
                review("carol", "MEMBER", ReviewWord::Dismissed, HEAD),
            ],
            "alice",
            HEAD,
            &members(),
        );
        assert_eq!(dismissed.status, Status::Success, "{dismissed:?}");
    }
}
