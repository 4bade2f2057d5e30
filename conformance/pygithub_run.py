"""PyGithub, unmodified, against the emulator (issue 11).

scripts/ci-conformance.sh seeds the repository, the users, pull request #2 with 250
comments and a review, and the commits; this drives the rest the way a real client does
and fails on any exception or miscount. Usage: EMU=http://127.0.0.1:PORT python pygithub_run.py
"""

import os
import sys

from github import Auth, Github, GithubException

EMU = os.environ.get("EMU")
if not EMU:
    print("EMU is not set: the emulator's address, e.g. http://127.0.0.1:8787", file=sys.stderr)
    sys.exit(2)
HEAD = os.environ["HEAD_SHA"]
NEXT = os.environ["NEXT_SHA"]
OTHER = os.environ["OTHER_SHA"]
PR = 2


def client(token):
    # retry=None: a retry would hide a wrong status; the emulator must answer right first time.
    return Github(auth=Auth.Token(token), base_url=EMU, retry=None, per_page=100)


def fails_with(status, f):
    try:
        f()
    except GithubException as e:
        assert e.status == status, f"expected {status}, got {e.status}: {e.data}"
        return e
    raise AssertionError(f"expected HTTP {status}, the request succeeded")


def main():
    bot = client("emulator-bot-token")
    alice = client("alice-token")
    steps = []

    def step(name):
        def wrap(f):
            steps.append((name, f))
            return f

        return wrap

    @step("GET /user for a person")
    def _():
        assert alice.get_user().login == "alice"

    repo = bot.get_repo("acme/infra")

    @step("the repository, case-insensitive, unknown ones 404")
    def _():
        assert repo.full_name == "acme/infra"
        assert bot.get_repo("Acme/INFRA").default_branch == "main"
        fails_with(404, lambda: bot.get_repo("acme/nope"))

    issue = repo.get_issue(PR)

    @step("paginate 250 comments; totalCount from the last page's Link")
    def _():
        comments = list(issue.get_comments())
        assert len(comments) == 250, len(comments)
        assert [c.body for c in comments] == [f"noise {i}" for i in range(250)]
        assert issue.get_comments().totalCount == 250

    @step("create, edit and delete a comment")
    def _():
        c = issue.create_comment("first")
        assert c.user.login == "github-actions[bot]"
        c.edit("second")
        assert repo.get_issue(PR).get_comment(c.id).body == "second"
        c.delete()
        fails_with(404, lambda: issue.get_comment(c.id))
        e = fails_with(422, lambda: issue.create_comment("y" * 65537))
        assert e.data["message"] == "Validation Failed", e.data

    @step("reactions")
    def _():
        c = issue.create_comment("react")
        alice.get_repo("acme/infra").get_issue(PR).get_comment(c.id).create_reaction("heart")
        reactions = list(c.get_reactions())
        assert [(r.content, r.user.login) for r in reactions] == [("heart", "alice")], reactions

    @step("statuses, the combined status and the status list")
    def _():
        commit = repo.get_commit(HEAD)
        assert commit.sha == HEAD
        commit.create_status("success", "https://example.com/1", "lint ok", "lint")
        commit.create_status("pending", "https://example.com/2", "tests", "test")
        commit.create_status("error", "https://example.com/3", "lint broke", "Lint")
        combined = commit.get_combined_status()
        assert combined.state == "failure", combined.state
        assert combined.total_count == 2, combined.total_count
        assert sorted(s.context.lower() for s in combined.statuses) == ["lint", "test"]
        statuses = list(commit.get_statuses())
        assert len(statuses) == 3 and statuses[0].state == "error", statuses
        fails_with(422, lambda: commit.create_status("success", context="z" * 256))
        fails_with(422, lambda: repo.get_commit("0" * 40))

    @step("the pull request and its reviews")
    def _():
        pull = repo.get_pull(PR)
        assert pull.head.sha == HEAD and pull.state == "open"
        reviews = list(pull.get_reviews())
        assert [(r.state, r.user.login) for r in reviews] == [("APPROVED", "bob")], reviews
        fails_with(404, lambda: repo.get_pull(998))

    @step("refs: create, read, fast-forward, refuse a non-fast-forward, delete")
    def _():
        ref = repo.create_git_ref("refs/heads/pygithub-conformance", HEAD)
        assert repo.get_git_ref("heads/pygithub-conformance").object.sha == HEAD
        ref.edit(NEXT)
        assert repo.get_git_ref("heads/pygithub-conformance").object.sha == NEXT
        fails_with(422, lambda: ref.edit(OTHER))
        ref.edit(OTHER, force=True)
        ref.delete()
        fails_with(404, lambda: repo.get_git_ref("heads/pygithub-conformance"))

    @step("the rate limit the headers report")
    def _():
        core = bot.get_rate_limit().resources.core
        assert core.limit in (1000, 5000) and 0 < core.remaining <= core.limit, core

    for name, f in steps:
        try:
            f()
        except Exception as e:  # noqa: BLE001 - report every failure the same way
            print(f"FAIL pygithub: {name}: {type(e).__name__}: {e}", file=sys.stderr)
            return 1
        print(f"ok   pygithub: {name}")
    print("pygithub conformance passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
