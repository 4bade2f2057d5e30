//! Every environment variable the GitHub client reads, by name, in one place so docs and
//! code cannot disagree.

/// A token (`${{ secrets.GITHUB_TOKEN }}` or a PAT). Used when no App credentials are set.
pub const GITHUB_TOKEN: &str = "GITHUB_TOKEN";
/// Alternative token variable (the `gh` CLI's name); read when `GITHUB_TOKEN` is unset.
pub const GH_TOKEN: &str = "GH_TOKEN";
/// REST base URL. Actions sets it; `https://ghe.example.com/api/v3` on GitHub Enterprise Server.
pub const GITHUB_API_URL: &str = "GITHUB_API_URL";
/// GraphQL endpoint. Actions sets it; derived from [`GITHUB_API_URL`] when unset.
pub const GITHUB_GRAPHQL_URL: &str = "GITHUB_GRAPHQL_URL";
/// GitHub App id (or client id): with [`GITHUB_APP_PRIVATE_KEY`] selects App auth.
pub const GITHUB_APP_ID: &str = "GITHUB_APP_ID";
/// The App's PEM private key (PKCS#1 `RSA PRIVATE KEY` or PKCS#8 `PRIVATE KEY`).
pub const GITHUB_APP_PRIVATE_KEY: &str = "GITHUB_APP_PRIVATE_KEY";
/// Optional: the App installation id; looked up from [`GITHUB_REPOSITORY`] when unset.
pub const GITHUB_APP_INSTALLATION_ID: &str = "GITHUB_APP_INSTALLATION_ID";
/// Optional: the App's slug, so the bot login `<slug>[bot]` is known without asking GitHub.
pub const GITHUB_APP_SLUG: &str = "GITHUB_APP_SLUG";
/// `owner/name` of the repository the workflow runs in (set by Actions).
pub const GITHUB_REPOSITORY: &str = "GITHUB_REPOSITORY";
/// The login our comments are authored by when `GET /user` is forbidden (installation tokens).
pub const INFRA_CI_BOT_LOGIN: &str = "INFRA_CI_BOT_LOGIN";
/// Per-request timeout in seconds (default 30).
pub const INFRA_CI_HTTP_TIMEOUT_SECS: &str = "INFRA_CI_HTTP_TIMEOUT_SECS";
/// Total deadline in seconds for everything one command sends to GitHub (default 300).
pub const INFRA_CI_DEADLINE_SECS: &str = "INFRA_CI_DEADLINE_SECS";
/// Maximum attempts per request, first one included (default 6).
pub const INFRA_CI_MAX_ATTEMPTS: &str = "INFRA_CI_MAX_ATTEMPTS";
