// @octokit/rest, unmodified, against the emulator (issue 11). scripts/ci-conformance.sh
// seeds the repository, the users, pull request #1 with 250 comments and a review, and
// the commits; this script drives the rest the way a real client does and fails on any
// exception or miscount. Usage: EMU=http://127.0.0.1:PORT node octokit.mjs
import { Octokit } from "@octokit/rest";
import assert from "node:assert/strict";

const baseUrl = process.env.EMU;
if (!baseUrl) {
  console.error("EMU is not set: the emulator's address, e.g. http://127.0.0.1:8787");
  process.exit(2);
}
const owner = "acme";
const repo = "infra";
const pr = 1;
const head = process.env.HEAD_SHA;
const next = process.env.NEXT_SHA; // a declared child of HEAD_SHA
const other = process.env.OTHER_SHA; // a declared commit unrelated to HEAD_SHA

const bot = new Octokit({ auth: "emulator-bot-token", baseUrl });
const alice = new Octokit({ auth: "alice-token", baseUrl });
const nobody = new Octokit({ auth: "no-such-token", baseUrl });

// Expect a request to fail with one HTTP status; returns octokit's RequestError.
async function failsWith(status, promise) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.status, status, `expected ${status}, got ${e.status}: ${e.message}`);
    return e;
  }
  assert.fail(`expected HTTP ${status}, the request succeeded`);
}

let step = "";
const run = async (name, f) => {
  step = name;
  await f();
  console.log(`ok   octokit: ${name}`);
};

try {
  await run("GET /user for a person; 403 for an installation token; 401 for a bad one", async () => {
    const { data } = await alice.rest.users.getAuthenticated();
    assert.equal(data.login, "alice");
    await failsWith(403, bot.rest.users.getAuthenticated());
    const e = await failsWith(401, nobody.rest.users.getAuthenticated());
    assert.match(e.message, /Bad credentials/);
  });

  await run("repositories: names are case-insensitive, unknown ones 404", async () => {
    const { data } = await bot.rest.repos.get({ owner: "ACME", repo: "Infra" });
    assert.equal(data.full_name, "acme/infra");
    assert.equal(data.default_branch, "main");
    await failsWith(404, bot.rest.repos.get({ owner, repo: "nope" }));
  });

  await run("paginate 250 comments through Link headers", async () => {
    const comments = await bot.paginate(bot.rest.issues.listComments, {
      owner, repo, issue_number: pr, per_page: 100,
    });
    assert.equal(comments.length, 250);
    comments.forEach((c, i) => assert.equal(c.body, `noise ${i}`));
    const ids = new Set(comments.map((c) => c.id));
    assert.equal(ids.size, 250, "comment ids are unique");
    // The default page is 30 comments: 9 pages.
    let pages = 0;
    for await (const _ of bot.paginate.iterator(bot.rest.issues.listComments, {
      owner, repo, issue_number: pr,
    })) pages += 1;
    assert.equal(pages, 9);
  });

  await run("create, edit, get and delete a comment", async () => {
    const created = await bot.rest.issues.createComment({ owner, repo, issue_number: pr, body: "first" });
    assert.equal(created.status, 201);
    assert.equal(created.data.user.login, "github-actions[bot]");
    const id = created.data.id;
    const edited = await bot.rest.issues.updateComment({ owner, repo, comment_id: id, body: "second" });
    assert.equal(edited.data.body, "second");
    const got = await bot.rest.issues.getComment({ owner, repo, comment_id: id });
    assert.equal(got.data.body, "second");
    const del = await bot.rest.issues.deleteComment({ owner, repo, comment_id: id });
    assert.equal(del.status, 204);
    await failsWith(404, bot.rest.issues.getComment({ owner, repo, comment_id: id }));
    await failsWith(404, bot.rest.issues.createComment({ owner, repo, issue_number: 999, body: "x" }));
  });

  await run("a comment over 65,536 characters is a 422", async () => {
    const e = await failsWith(422, bot.rest.issues.createComment({
      owner, repo, issue_number: pr, body: "x".repeat(65537),
    }));
    assert.equal(e.response.data.message, "Validation Failed");
    const ok = await bot.rest.issues.createComment({ owner, repo, issue_number: pr, body: "x".repeat(65536) });
    assert.equal(ok.status, 201);
    await bot.rest.issues.deleteComment({ owner, repo, comment_id: ok.data.id });
  });

  await run("reactions: 201 new, 200 again, listed once", async () => {
    const { data: c } = await bot.rest.issues.createComment({ owner, repo, issue_number: pr, body: "react" });
    const a = await alice.rest.reactions.createForIssueComment({ owner, repo, comment_id: c.id, content: "+1" });
    assert.equal(a.status, 201);
    const b = await alice.rest.reactions.createForIssueComment({ owner, repo, comment_id: c.id, content: "+1" });
    assert.equal(b.status, 200);
    assert.equal(b.data.id, a.data.id);
    const { data: list } = await bot.rest.reactions.listForIssueComment({ owner, repo, comment_id: c.id });
    assert.equal(list.length, 1);
    assert.equal(list[0].user.login, "alice");
  });

  await run("statuses, the combined status and the status list", async () => {
    const mk = (context, state) => bot.rest.repos.createCommitStatus({
      owner, repo, sha: head, state, context, description: `${context} ${state}`,
      target_url: "https://example.com/run/1",
    });
    assert.equal((await mk("lint", "success")).status, 201);
    await mk("test", "pending");
    await mk("LINT", "failure"); // contexts are case-insensitive: replaces "lint"
    const { data: combined } = await bot.rest.repos.getCombinedStatusForRef({ owner, repo, ref: head });
    assert.equal(combined.state, "failure");
    assert.equal(combined.total_count, 2);
    assert.equal(combined.sha, head);
    const { data: byBranch } = await bot.rest.repos.getCombinedStatusForRef({ owner, repo, ref: "feature-1" });
    assert.equal(byBranch.sha, head, "a branch name resolves to its head");
    const all = await bot.paginate(bot.rest.repos.listCommitStatusesForRef, { owner, repo, ref: head });
    assert.equal(all.length, 3);
    assert.equal(all[0].state, "failure", "newest first");
    await failsWith(422, mk("x".repeat(256), "success"));
    await failsWith(422, bot.rest.repos.createCommitStatus({
      owner, repo, sha: head, state: "success", context: "c", target_url: "javascript:alert(1)",
    }));
    await failsWith(422, bot.rest.repos.createCommitStatus({
      owner, repo, sha: "f".repeat(40), state: "success", context: "c",
    }));
    const { data: commit } = await bot.rest.repos.getCommit({ owner, repo, ref: head });
    assert.equal(commit.sha, head);
  });

  await run("the pull request and its reviews", async () => {
    const { data: p } = await bot.rest.pulls.get({ owner, repo, pull_number: pr });
    assert.equal(p.head.sha, head);
    assert.equal(p.state, "open");
    const reviews = await bot.paginate(bot.rest.pulls.listReviews, { owner, repo, pull_number: pr });
    assert.equal(reviews.length, 1);
    assert.equal(reviews[0].state, "APPROVED");
    assert.equal(reviews[0].user.login, "bob");
    await failsWith(404, bot.rest.pulls.get({ owner, repo, pull_number: 999 }));
  });

  await run("refs: create, read, fast-forward, refuse a non-fast-forward, delete", async () => {
    const ref = "heads/octokit-conformance";
    const c = await bot.rest.git.createRef({ owner, repo, ref: `refs/${ref}`, sha: head });
    assert.equal(c.status, 201);
    await failsWith(422, bot.rest.git.createRef({ owner, repo, ref: `refs/${ref}`, sha: head }));
    const { data: got } = await bot.rest.git.getRef({ owner, repo, ref });
    assert.equal(got.object.sha, head);
    const { data: moved } = await bot.rest.git.updateRef({ owner, repo, ref, sha: next });
    assert.equal(moved.object.sha, next);
    await failsWith(422, bot.rest.git.updateRef({ owner, repo, ref, sha: other }));
    const { data: forced } = await bot.rest.git.updateRef({ owner, repo, ref, sha: other, force: true });
    assert.equal(forced.object.sha, other);
    assert.equal((await bot.rest.git.deleteRef({ owner, repo, ref })).status, 204);
    await failsWith(404, bot.rest.git.getRef({ owner, repo, ref }));
  });

  await run("ETag: If-None-Match answers 304", async () => {
    const first = await bot.rest.issues.listComments({ owner, repo, issue_number: pr, per_page: 5 });
    assert.ok(first.headers.etag, "an ETag on a 200 GET");
    const remaining = Number(first.headers["x-ratelimit-remaining"]);
    await failsWith(304, bot.rest.issues.listComments({
      owner, repo, issue_number: pr, per_page: 5, headers: { "if-none-match": first.headers.etag },
    }));
    // The next request is charged once: the 304 between them was not.
    const next = await bot.rest.issues.listComments({ owner, repo, issue_number: pr, per_page: 5 });
    assert.equal(Number(next.headers["x-ratelimit-remaining"]), remaining - 1, "a 304 is not charged");
  });
} catch (e) {
  console.error(`FAIL octokit: ${step}: ${e.stack ?? e}`);
  process.exit(1);
}
console.log("octokit conformance passed");
