//! [`GitHubClient`]: configuration, auth and pagination shared by every endpoint
//! (the endpoints themselves are in `rest.rs` and `graphql.rs`).

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use reqwest::Method;
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use tokio::sync::OnceCell;

use crate::app::AppTokens;
use crate::config::{Auth, ClientConfig};
use crate::error::{ForgeError, Permission};
use crate::forge::RepoId;
use crate::http::{Http, Reply, Request};

/// Pages followed at most by one listing (100 × 100 items): a loop guard, not a limit we expect.
const MAX_PAGES: usize = 100;

/// Characters escaped inside one path segment (a ref name keeps its `/` separators).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// The GitHub REST (and GraphQL) client. Implements [`crate::Forge`].
///
/// `Debug` shows where it points and how it authenticates, never a secret.
pub struct GitHubClient {
    pub(crate) cfg: ClientConfig,
    pub(crate) http: Http,
    app: Option<AppTokens>,
    pub(crate) login: OnceCell<String>,
}

impl std::fmt::Debug for GitHubClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let auth = match &self.cfg.auth {
            Auth::Token(_) => "token".to_owned(),
            Auth::App(app) => format!("GitHub App {}", app.app_id),
        };
        f.debug_struct("GitHubClient")
            .field("base_url", &self.cfg.base_url)
            .field("graphql_url", &self.cfg.graphql_url)
            .field("auth", &auth)
            .field("login", &self.login.get())
            .finish_non_exhaustive()
    }
}

impl GitHubClient {
    /// A client for `cfg`. The command's deadline (`cfg.deadline`) starts now.
    pub fn new(cfg: ClientConfig) -> Result<Self, ForgeError> {
        let http = Http::new(&cfg)?;
        let app = match &cfg.auth {
            Auth::App(creds) => Some(AppTokens::new(creds.clone(), &cfg.base_url)),
            Auth::Token(_) => None,
        };
        Ok(Self {
            cfg,
            http,
            app,
            login: OnceCell::new(),
        })
    }

    /// A client configured from the environment (see [`crate::env`]).
    pub fn from_env() -> Result<Self, ForgeError> {
        Self::new(ClientConfig::from_env()?)
    }

    /// The configuration in use.
    pub fn config(&self) -> &ClientConfig {
        &self.cfg
    }

    /// `<base>/repos/{owner}/{name}{tail}`; `tail` starts with `/` and is already encoded.
    pub(crate) fn repo_url(&self, repo: &RepoId, tail: &str) -> String {
        format!(
            "{}/repos/{}/{}{tail}",
            self.cfg.base_url,
            segment(&repo.owner),
            segment(&repo.name)
        )
    }

    /// `<base>{path}`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.cfg.base_url)
    }

    /// The bearer token for a request about `repo` (App auth mints or reuses one).
    async fn token(&self, repo: Option<&RepoId>) -> Result<SecretString, ForgeError> {
        match (&self.cfg.auth, &self.app) {
            (_, Some(app)) => app.token(&self.http, repo).await,
            (Auth::Token(token), None) => Ok(token.clone()),
            (Auth::App(_), None) => Err(ForgeError::Config(
                "App auth without App state (a bug)".to_owned(),
            )),
        }
    }

    /// Sends one request (with retries) and returns the 2xx answer.
    pub(crate) async fn send(
        &self,
        req: &Request,
        repo: Option<&RepoId>,
    ) -> Result<Reply, ForgeError> {
        let token = self.token(repo).await?;
        self.http.send(req, &token).await
    }

    /// Sends `req` and parses the JSON answer.
    pub(crate) async fn json<T: DeserializeOwned>(
        &self,
        req: &Request,
        repo: Option<&RepoId>,
    ) -> Result<T, ForgeError> {
        self.send(req, repo).await?.json(&req.what)
    }

    /// `GET url`, parsed; asked with `If-None-Match` when read before (`Request::conditional`).
    pub(crate) async fn get_conditional<T: DeserializeOwned>(
        &self,
        repo: &RepoId,
        url: String,
        what: String,
        permission: Permission,
    ) -> Result<T, ForgeError> {
        self.json(
            &Request::new(Method::GET, url, what, permission).conditional(),
            Some(repo),
        )
        .await
    }

    /// `GET url`, parsed.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        repo: &RepoId,
        url: String,
        what: String,
        permission: Permission,
    ) -> Result<T, ForgeError> {
        self.json(
            &Request::new(Method::GET, url, what, permission),
            Some(repo),
        )
        .await
    }

    /// GETs `first` and every page its `Link: rel="next"` chain leads to, handing each
    /// answer to `on_page`. Refuses a `next` on another origin (it would receive our token).
    pub(crate) async fn each_page(
        &self,
        repo: &RepoId,
        first: Request,
        mut on_page: impl FnMut(&Reply) -> Result<(), ForgeError>,
    ) -> Result<(), ForgeError> {
        let mut req = first;
        for _ in 0..MAX_PAGES {
            let reply = self.send(&req, Some(repo)).await?;
            on_page(&reply)?;
            let Some(next) = reply.links().next else {
                return Ok(());
            };
            if !same_origin(&next, &self.cfg.base_url) {
                return Err(ForgeError::Unexpected {
                    what: req.what.clone(),
                    status: 200,
                    message: format!(
                        "the next page is on another host ({next}); set GITHUB_API_URL to the API's public URL"
                    ),
                });
            }
            req.url = next;
        }
        Err(ForgeError::Unexpected {
            what: req.what.clone(),
            status: 200,
            message: format!("more than {MAX_PAGES} pages; stopped following the Link header"),
        })
    }

    /// Every item of a paginated JSON array.
    pub(crate) async fn get_all<T: DeserializeOwned>(
        &self,
        repo: &RepoId,
        url: String,
        what: String,
        permission: Permission,
    ) -> Result<Vec<T>, ForgeError> {
        let first = Request::new(Method::GET, url, what, permission);
        self.get_all_of(repo, first).await
    }

    /// Every item of a paginated JSON array whose first page changes with every new item
    /// (newest first), asked with `If-None-Match` when read before: a single page unchanged
    /// is a 304 (pages of a longer list are never kept: `Http::keep`).
    pub(crate) async fn get_all_newest_first<T: DeserializeOwned>(
        &self,
        repo: &RepoId,
        url: String,
        what: String,
        permission: Permission,
    ) -> Result<Vec<T>, ForgeError> {
        let first = Request::new(Method::GET, url, what, permission).conditional();
        self.get_all_of(repo, first).await
    }

    async fn get_all_of<T: DeserializeOwned>(
        &self,
        repo: &RepoId,
        first: Request,
    ) -> Result<Vec<T>, ForgeError> {
        let mut all = Vec::new();
        let what = first.what.clone();
        self.each_page(repo, first, |reply| {
            all.extend(reply.json::<Vec<T>>(&what)?);
            Ok(())
        })
        .await?;
        Ok(all)
    }

    /// The login to use when `GET /user` is forbidden.
    pub(crate) async fn fallback_login(&self) -> Result<String, ForgeError> {
        if let Some(login) = self.cfg.fallback_bot_login() {
            return Ok(login);
        }
        match &self.app {
            Some(app) => Ok(format!("{}[bot]", app.slug(&self.http).await?)),
            None => Ok(crate::config::DEFAULT_BOT_LOGIN.to_owned()),
        }
    }
}

/// Percent-encodes one path segment.
pub(crate) fn segment(s: &str) -> String {
    const SEGMENT_NO_SLASH: &AsciiSet = &SEGMENT.add(b'/');
    utf8_percent_encode(s, SEGMENT_NO_SLASH).to_string()
}

/// Percent-encodes a ref name, keeping its `/`s (GitHub's `git/ref/{ref}` takes them raw).
pub(crate) fn ref_path(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

fn same_origin(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_segments_and_refs() {
        assert_eq!(segment("a b/c"), "a%20b%2Fc");
        assert_eq!(ref_path("heads/infra-ci/lock#1"), "heads/infra-ci/lock%231");
    }

    #[test]
    fn origin_check() {
        assert!(same_origin(
            "https://api.github.com/x?page=2",
            "https://api.github.com"
        ));
        assert!(!same_origin(
            "https://evil.example/x",
            "https://api.github.com"
        ));
        assert!(!same_origin(
            "http://api.github.com/x",
            "https://api.github.com"
        ));
        assert!(!same_origin("not a url", "https://api.github.com"));
    }
}
