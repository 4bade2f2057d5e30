//! [`ClientConfig`]: where GitHub is, how we authenticate, and how long we may take.

use std::time::Duration;

use secrecy::SecretString;
use url::Url;

use crate::env;
use crate::error::ForgeError;
use crate::forge::RepoId;
use crate::retry::RetryPolicy;

/// github.com's REST base URL.
pub const DEFAULT_API_URL: &str = "https://api.github.com";
/// The login `GITHUB_TOKEN` comments are authored by.
pub const DEFAULT_BOT_LOGIN: &str = "github-actions[bot]";

/// How requests authenticate. `Debug` never shows the secrets (`SecretString` redacts).
#[derive(Debug, Clone)]
pub enum Auth {
    /// A token: `GITHUB_TOKEN`, a PAT, or an installation token minted elsewhere.
    Token(SecretString),
    /// A GitHub App: installation tokens are minted (and refreshed) from its private key.
    App(AppCredentials),
}

/// A GitHub App's credentials and how to find its installation.
#[derive(Debug, Clone)]
pub struct AppCredentials {
    /// The app id (or client id): the JWT's `iss`.
    pub app_id: String,
    /// PEM private key, PKCS#1 or PKCS#8.
    pub private_key_pem: SecretString,
    /// The installation to mint tokens for; looked up from `repo` (or the first request's
    /// repository) when `None`.
    pub installation_id: Option<u64>,
    /// The repository whose installation to use.
    pub repo: Option<RepoId>,
    /// The app's slug, so the bot login `<slug>[bot]` is known; asked from `GET /app` otherwise.
    pub slug: Option<String>,
}

/// Everything [`crate::GitHubClient`] needs. Build with [`ClientConfig::new`] or
/// [`ClientConfig::from_env`], then adjust fields.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// REST base URL without a trailing slash (`https://ghe.example.com/api/v3` on GHES).
    pub base_url: String,
    /// GraphQL endpoint.
    pub graphql_url: String,
    /// Credentials.
    pub auth: Auth,
    /// Explicit bot login (`INFRA_CI_BOT_LOGIN`); see [`ClientConfig::fallback_bot_login`].
    pub bot_login: Option<String>,
    /// `User-Agent` header (GitHub rejects requests without one).
    pub user_agent: String,
    /// Timeout of one HTTP attempt.
    pub request_timeout: Duration,
    /// Budget for everything this client sends (one CLI command), retries and waits included.
    pub deadline: Duration,
    /// Retry rules.
    pub retry: RetryPolicy,
}

impl ClientConfig {
    /// github.com with default timeouts (30 s per request, 300 s in all) and retry policy.
    pub fn new(auth: Auth) -> Self {
        Self {
            base_url: DEFAULT_API_URL.to_owned(),
            graphql_url: derive_graphql_url(DEFAULT_API_URL),
            auth,
            bot_login: None,
            user_agent: concat!("infra-ci/", env!("CARGO_PKG_VERSION")).to_owned(),
            request_timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(300),
            retry: RetryPolicy::default(),
        }
    }

    /// Points the client at another REST base URL (GHES, the emulator) and derives the
    /// GraphQL URL from it.
    pub fn with_base_url(mut self, base_url: &str) -> Result<Self, ForgeError> {
        self.base_url = normalize_base_url(base_url)?;
        self.graphql_url = derive_graphql_url(&self.base_url);
        Ok(self)
    }

    /// Reads the process environment (see [`crate::env`]).
    pub fn from_env() -> Result<Self, ForgeError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`ClientConfig::from_env`] over any lookup, so it is testable without touching
    /// the process environment. Empty values count as unset (Actions expands missing
    /// secrets to `""`).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ForgeError> {
        Self::from_lookup_with_token(lookup, None)
    }

    /// Like [`ClientConfig::from_lookup`], but `token` (a `--token` flag), when given, is the
    /// credential and no credential variable is required; URLs, bot login and timeouts are
    /// still read from the environment.
    pub fn from_lookup_with_token(
        lookup: impl Fn(&str) -> Option<String>,
        token: Option<SecretString>,
    ) -> Result<Self, ForgeError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let auth = match token {
            Some(token) => Auth::Token(token),
            None => auth_from(&get)?,
        };
        let mut cfg = Self::new(auth);
        if let Some(base) = get(env::GITHUB_API_URL) {
            cfg = cfg.with_base_url(&base)?;
        }
        if let Some(graphql) = get(env::GITHUB_GRAPHQL_URL) {
            cfg.graphql_url = normalize_base_url(&graphql)?;
        }
        cfg.bot_login = get(env::INFRA_CI_BOT_LOGIN);
        if let Some(secs) = parse_num::<u64>(&get, env::INFRA_CI_HTTP_TIMEOUT_SECS)? {
            cfg.request_timeout = Duration::from_secs(secs);
        }
        if let Some(secs) = parse_num::<u64>(&get, env::INFRA_CI_DEADLINE_SECS)? {
            cfg.deadline = Duration::from_secs(secs);
        }
        if let Some(n) = parse_num::<u32>(&get, env::INFRA_CI_MAX_ATTEMPTS)? {
            cfg.retry.max_attempts = n.max(1);
        }
        Ok(cfg)
    }

    /// The login to use when `GET /user` is forbidden: the explicit one, else `<slug>[bot]`
    /// for an App whose slug is known, else `github-actions[bot]`. `None` for an App whose
    /// slug must first be asked from GitHub.
    pub fn fallback_bot_login(&self) -> Option<String> {
        if let Some(login) = &self.bot_login {
            return Some(login.clone());
        }
        match &self.auth {
            Auth::Token(_) => Some(DEFAULT_BOT_LOGIN.to_owned()),
            Auth::App(app) => app.slug.as_ref().map(|s| format!("{s}[bot]")),
        }
    }
}

/// App credentials when `GITHUB_APP_ID` and `GITHUB_APP_PRIVATE_KEY` are both set, else a token.
fn auth_from(get: &impl Fn(&str) -> Option<String>) -> Result<Auth, ForgeError> {
    match (get(env::GITHUB_APP_ID), get(env::GITHUB_APP_PRIVATE_KEY)) {
        (Some(app_id), Some(pem)) => {
            let installation_id = parse_num::<u64>(get, env::GITHUB_APP_INSTALLATION_ID)?;
            let repo = match get(env::GITHUB_REPOSITORY) {
                Some(r) => Some(RepoId::parse(&r).ok_or_else(|| {
                    ForgeError::Config(format!("{} must be owner/name, got {r:?}", env::GITHUB_REPOSITORY))
                })?),
                None => None,
            };
            Ok(Auth::App(AppCredentials {
                app_id,
                // Secrets stored with literal "\n" (a common copy-paste form) still parse.
                private_key_pem: SecretString::from(pem.replace("\\n", "\n")),
                installation_id,
                repo,
                slug: get(env::GITHUB_APP_SLUG),
            }))
        }
        (Some(_), None) | (None, Some(_)) => Err(ForgeError::Config(format!(
            "GitHub App auth needs both {} and {}: set the missing one, or unset both to use {}",
            env::GITHUB_APP_ID,
            env::GITHUB_APP_PRIVATE_KEY,
            env::GITHUB_TOKEN
        ))),
        (None, None) => get(env::GITHUB_TOKEN)
            .or_else(|| get(env::GH_TOKEN))
            .map(|t| Auth::Token(SecretString::from(t)))
            .ok_or_else(|| {
                ForgeError::Config(format!(
                    "no GitHub credentials: set {} (in a workflow: `env: {}: ${{{{ github.token }}}}`), or {} and {}",
                    env::GITHUB_TOKEN,
                    env::GITHUB_TOKEN,
                    env::GITHUB_APP_ID,
                    env::GITHUB_APP_PRIVATE_KEY
                ))
            }),
    }
}

fn parse_num<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &str,
) -> Result<Option<T>, ForgeError> {
    get(name)
        .map(|v| {
            v.parse::<T>().map_err(|_| {
                ForgeError::Config(format!("{name} must be a whole number, got {v:?}"))
            })
        })
        .transpose()
}

/// Checks the URL is http(s) and strips the trailing slash.
pub fn normalize_base_url(raw: &str) -> Result<String, ForgeError> {
    let url = Url::parse(raw.trim()).map_err(|e| {
        ForgeError::Config(format!(
            "{} is not a URL ({e}): expected e.g. {DEFAULT_API_URL}",
            raw.trim()
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ForgeError::Config(format!(
            "{raw} must be an http(s) URL such as {DEFAULT_API_URL}"
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// The GraphQL endpoint for a REST base: `api.github.com` → `/graphql`, GHES `…/api/v3` →
/// `…/api/graphql`, anything else (the emulator, a proxy) → `<base>/graphql`.
pub fn derive_graphql_url(base_url: &str) -> String {
    let base = base_url.trim_end_matches('/');
    match base.strip_suffix("/api/v3") {
        Some(root) => format!("{root}/api/graphql"),
        None => format!("{base}/graphql"),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use secrecy::ExposeSecret;

    use super::*;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn graphql_url_is_derived_for_dotcom_ghes_and_others() {
        assert_eq!(
            derive_graphql_url("https://api.github.com"),
            "https://api.github.com/graphql"
        );
        assert_eq!(
            derive_graphql_url("https://ghe.example.com/api/v3/"),
            "https://ghe.example.com/api/graphql"
        );
        assert_eq!(
            derive_graphql_url("http://127.0.0.1:9000"),
            "http://127.0.0.1:9000/graphql"
        );
    }

    #[test]
    fn defaults_are_github_dot_com() {
        let cfg = ClientConfig::from_lookup(lookup(&[("GITHUB_TOKEN", "t")])).expect("config");
        assert_eq!(cfg.base_url, "https://api.github.com");
        assert_eq!(cfg.graphql_url, "https://api.github.com/graphql");
        assert!(cfg.user_agent.starts_with("infra-ci/"));
        assert_eq!(
            cfg.fallback_bot_login().as_deref(),
            Some("github-actions[bot]")
        );
        assert!(matches!(&cfg.auth, Auth::Token(t) if t.expose_secret() == "t"));
    }

    #[test]
    fn ghes_from_env() {
        let cfg = ClientConfig::from_lookup(lookup(&[
            ("GITHUB_TOKEN", "t"),
            ("GITHUB_API_URL", "https://ghe.example.com/api/v3/"),
            ("INFRA_CI_BOT_LOGIN", "infra-flash[bot]"),
            ("INFRA_CI_DEADLINE_SECS", "42"),
        ]))
        .expect("config");
        assert_eq!(cfg.base_url, "https://ghe.example.com/api/v3");
        assert_eq!(cfg.graphql_url, "https://ghe.example.com/api/graphql");
        assert_eq!(
            cfg.fallback_bot_login().as_deref(),
            Some("infra-flash[bot]")
        );
        assert_eq!(cfg.deadline, Duration::from_secs(42));
    }

    #[test]
    fn explicit_graphql_url_wins() {
        let cfg = ClientConfig::from_lookup(lookup(&[
            ("GITHUB_TOKEN", "t"),
            ("GITHUB_API_URL", "https://ghe.example.com/api/v3"),
            ("GITHUB_GRAPHQL_URL", "https://gql.example.com/graphql"),
        ]))
        .expect("config");
        assert_eq!(cfg.graphql_url, "https://gql.example.com/graphql");
    }

    #[test]
    fn app_credentials_take_precedence_and_unescape_newlines() {
        let cfg = ClientConfig::from_lookup(lookup(&[
            ("GITHUB_TOKEN", "t"),
            ("GITHUB_APP_ID", "123"),
            (
                "GITHUB_APP_PRIVATE_KEY",
                "-----BEGIN-----\\nabc\\n-----END-----",
            ),
            ("GITHUB_REPOSITORY", "o/r"),
            ("GITHUB_APP_SLUG", "infra-flash"),
        ]))
        .expect("config");
        let Auth::App(app) = &cfg.auth else {
            panic!("expected App auth")
        };
        assert_eq!(app.app_id, "123");
        assert_eq!(
            app.private_key_pem.expose_secret(),
            "-----BEGIN-----\nabc\n-----END-----"
        );
        assert_eq!(app.repo, RepoId::parse("o/r"));
        assert_eq!(
            cfg.fallback_bot_login().as_deref(),
            Some("infra-flash[bot]")
        );
    }

    #[test]
    fn helpful_config_errors() {
        let e = ClientConfig::from_lookup(lookup(&[])).expect_err("no token");
        assert!(e.to_string().contains("set GITHUB_TOKEN"), "{e}");
        let e = ClientConfig::from_lookup(lookup(&[("GITHUB_APP_ID", "1")])).expect_err("half app");
        assert!(e.to_string().contains("GITHUB_APP_PRIVATE_KEY"), "{e}");
        let e = ClientConfig::from_lookup(lookup(&[
            ("GITHUB_TOKEN", "t"),
            ("GITHUB_API_URL", "ftp://x"),
        ]))
        .expect_err("scheme");
        assert!(e.to_string().contains("http(s)"), "{e}");
        let e = ClientConfig::from_lookup(lookup(&[
            ("GITHUB_TOKEN", "t"),
            ("INFRA_CI_MAX_ATTEMPTS", "many"),
        ]))
        .expect_err("num");
        assert!(e.to_string().contains("INFRA_CI_MAX_ATTEMPTS"), "{e}");
    }

    #[test]
    fn an_explicit_token_needs_no_credential_variables() {
        let cfg = ClientConfig::from_lookup_with_token(
            lookup(&[
                ("GITHUB_API_URL", "https://ghe.example.com/api/v3"),
                ("GITHUB_APP_ID", "1"),
            ]),
            Some(SecretString::from("flag")),
        )
        .expect("config");
        assert!(matches!(&cfg.auth, Auth::Token(t) if t.expose_secret() == "flag"));
        assert_eq!(cfg.base_url, "https://ghe.example.com/api/v3");
    }

    #[test]
    fn empty_values_are_unset() {
        let cfg = ClientConfig::from_lookup(lookup(&[
            ("GITHUB_TOKEN", ""),
            ("GH_TOKEN", "g"),
            ("GITHUB_API_URL", " "),
        ]))
        .expect("config");
        assert!(matches!(&cfg.auth, Auth::Token(t) if t.expose_secret() == "g"));
        assert_eq!(cfg.base_url, DEFAULT_API_URL);
    }
}
