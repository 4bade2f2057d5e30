//! GitHub App auth: an RS256 JWT from the app's private key, exchanged for an installation
//! token, cached and refreshed before it expires.

use jiff::Timestamp;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, OnceCell};

use crate::config::{AppCredentials, Auth, ClientConfig};
use crate::error::{ForgeError, Permission};
use crate::forge::RepoId;
use crate::http::{Http, Request};

/// Refresh an installation token this long before GitHub says it expires.
const REFRESH_MARGIN_SECS: i64 = 5 * 60;
/// Assumed lifetime when GitHub's `expires_at` cannot be read (real tokens last 60 minutes).
const FALLBACK_LIFETIME_SECS: i64 = 50 * 60;

#[derive(Serialize)]
struct Claims<'a> {
    iat: i64,
    exp: i64,
    iss: Issuer<'a>,
}

/// A numeric app id is sent as a JSON integer (GitHub long required that); a client id
/// (`Iv1.…`) as a string.
#[derive(Serialize)]
#[serde(untagged)]
enum Issuer<'a> {
    AppId(u64),
    ClientId(&'a str),
}

/// Signs the app JWT: `iat` 60 s in the past (clock drift, as GitHub recommends),
/// `exp` 9 minutes ahead (GitHub's maximum is 10), `iss` the app id.
pub fn app_jwt(
    app_id: &str,
    private_key_pem: &SecretString,
    now_epoch: i64,
) -> Result<SecretString, ForgeError> {
    let key = EncodingKey::from_rsa_pem(private_key_pem.expose_secret().as_bytes()).map_err(|e| {
        ForgeError::Config(format!(
            "GITHUB_APP_PRIVATE_KEY is not an RSA private key in PEM form ({e}): paste the whole .pem file the app settings page generated, BEGIN and END lines included"
        ))
    })?;
    let iss = app_id
        .parse::<u64>()
        .map_or(Issuer::ClientId(app_id), Issuer::AppId);
    let claims = Claims {
        iat: now_epoch - 60,
        exp: now_epoch + 9 * 60,
        iss,
    };
    jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &key)
        .map(SecretString::from)
        .map_err(|e| {
            ForgeError::Config(format!(
                "cannot sign the GitHub App JWT with GITHUB_APP_PRIVATE_KEY: {e}"
            ))
        })
}

#[derive(Deserialize)]
struct InstallationTokenBody {
    token: String,
    #[serde(default)]
    expires_at: Option<String>,
}

/// `installation`: its id, and the app's slug (which saves a `GET /app` for the bot login).
#[derive(Deserialize)]
struct InstallationBody {
    id: u64,
    #[serde(default)]
    app_slug: Option<String>,
}

#[derive(Deserialize)]
struct AppBody {
    slug: String,
}

struct CachedToken {
    token: SecretString,
    expires_epoch: i64,
}

/// The App auth state of one client: credentials, the installation, the current token.
pub(crate) struct AppTokens {
    creds: AppCredentials,
    base_url: String,
    installation: OnceCell<u64>,
    current: Mutex<Option<CachedToken>>,
    slug: OnceCell<String>,
}

impl std::fmt::Debug for AppTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppTokens")
            .field("app_id", &self.creds.app_id)
            .field("installation", &self.installation.get())
            .finish_non_exhaustive()
    }
}

impl AppTokens {
    pub fn new(creds: AppCredentials, base_url: &str) -> Self {
        let installation = OnceCell::new_with(creds.installation_id);
        let slug = OnceCell::new_with(creds.slug.clone());
        Self {
            creds,
            base_url: base_url.to_owned(),
            installation,
            current: Mutex::new(None),
            slug,
        }
    }

    fn jwt(&self) -> Result<SecretString, ForgeError> {
        app_jwt(
            &self.creds.app_id,
            &self.creds.private_key_pem,
            Timestamp::now().as_second(),
        )
    }

    /// A valid installation token, minted when there is none or it is about to expire.
    /// `repo` locates the installation when neither an id nor a repository was configured.
    pub async fn token(
        &self,
        http: &Http,
        repo: Option<&RepoId>,
    ) -> Result<SecretString, ForgeError> {
        let mut current = self.current.lock().await;
        let now = Timestamp::now().as_second();
        if let Some(cached) = current
            .as_ref()
            .filter(|c| c.expires_epoch - REFRESH_MARGIN_SECS > now)
        {
            return Ok(cached.token.clone());
        }
        let installation = self.installation(http, repo).await?;
        let url = format!(
            "{}/app/installations/{installation}/access_tokens",
            self.base_url
        );
        let what = format!(
            "an installation token for GitHub App {} (installation {installation})",
            self.creds.app_id
        );
        // Minting twice is harmless (two valid tokens), so this POST may be retried.
        let req = Request::new(Method::POST, url, what.clone(), Permission::None);
        let body: InstallationTokenBody = http.send(&req, &self.jwt()?).await?.json(&what)?;
        let expires_epoch = body
            .expires_at
            .and_then(|s| s.parse::<Timestamp>().ok())
            .map_or(now + FALLBACK_LIFETIME_SECS, Timestamp::as_second);
        let token = SecretString::from(body.token);
        *current = Some(CachedToken {
            token: token.clone(),
            expires_epoch,
        });
        Ok(token)
    }

    async fn installation(&self, http: &Http, repo: Option<&RepoId>) -> Result<u64, ForgeError> {
        let repo = self.creds.repo.as_ref().or(repo).cloned();
        self.installation
            .get_or_try_init(|| async {
                let repo = repo.ok_or_else(|| {
                    ForgeError::Config(
                        "GitHub App auth needs GITHUB_APP_INSTALLATION_ID or GITHUB_REPOSITORY to find the installation".to_owned(),
                    )
                })?;
                let url = format!("{}/repos/{}/{}/installation", self.base_url, repo.owner, repo.name);
                let what = format!("an installation of GitHub App {} on {repo} (install the app on the repository)", self.creds.app_id);
                let req = Request::new(Method::GET, url, what.clone(), Permission::None);
                let found: InstallationBody = http.send(&req, &self.jwt()?).await?.json(&what)?;
                if let Some(slug) = found.app_slug {
                    let _ = self.slug.set(slug); // already known is fine: same app
                }
                Ok(found.id)
            })
            .await
            .copied()
    }

    /// The app's slug (`GET /app`), for the bot login `<slug>[bot]`.
    pub async fn slug(&self, http: &Http) -> Result<String, ForgeError> {
        self.slug
            .get_or_try_init(|| async {
                let what = format!("GitHub App {}", self.creds.app_id);
                let req = Request::new(
                    Method::GET,
                    format!("{}/app", self.base_url),
                    what.clone(),
                    Permission::None,
                );
                Ok(http
                    .send(&req, &self.jwt()?)
                    .await?
                    .json::<AppBody>(&what)?
                    .slug)
            })
            .await
            .cloned()
    }
}

/// Mints an installation token for `repo` from the App credentials in `cfg` (a token
/// config returns its token as is), so the CLI can print `::add-mask::` and hand it on.
pub async fn mint_installation_token(
    cfg: &ClientConfig,
    repo: &RepoId,
) -> Result<SecretString, ForgeError> {
    match &cfg.auth {
        Auth::Token(token) => Ok(token.clone()),
        Auth::App(creds) => {
            let http = Http::new(cfg)?;
            // The repository asked for wins over GITHUB_REPOSITORY.
            let creds = AppCredentials {
                repo: Some(repo.clone()),
                ..creds.clone()
            };
            AppTokens::new(creds, &cfg.base_url)
                .token(&http, None)
                .await
        }
    }
}

/// An installation token and the login its comments are authored by (`<slug>[bot]`).
#[derive(Debug, Clone)]
pub struct MintedToken {
    /// The installation token (redacted in `Debug`).
    pub token: SecretString,
    /// `<slug>[bot]`, or `None` for a plain token configuration.
    pub bot_login: Option<String>,
}

/// Like [`mint_installation_token`], also telling the App's bot login, so a client built
/// from the minted token knows whose comments are its own.
pub async fn mint_installation_token_with_login(
    cfg: &ClientConfig,
    repo: &RepoId,
) -> Result<MintedToken, ForgeError> {
    match &cfg.auth {
        Auth::Token(token) => Ok(MintedToken {
            token: token.clone(),
            bot_login: None,
        }),
        Auth::App(creds) => {
            let http = Http::new(cfg)?;
            let creds = AppCredentials {
                repo: Some(repo.clone()),
                ..creds.clone()
            };
            let tokens = AppTokens::new(creds, &cfg.base_url);
            let token = tokens.token(&http, None).await?;
            let slug = tokens.slug(&http).await?;
            Ok(MintedToken {
                token,
                bot_login: Some(format!("{slug}[bot]")),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use jsonwebtoken::{DecodingKey, Validation};

    #[derive(Deserialize)]
    struct Decoded {
        iat: i64,
        exp: i64,
        iss: serde_json::Value,
    }

    fn verify(jwt: &SecretString) -> Decoded {
        let public = DecodingKey::from_rsa_pem(include_bytes!("../tests/keys/app-public.pem"))
            .expect("public key");
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false; // the test clock is fixed in the past
        validation.set_required_spec_claims(&["exp"]); // iss is an integer here, which the iss check rejects
        jsonwebtoken::decode::<Decoded>(jwt.expose_secret(), &public, &validation)
            .expect("valid signature")
            .claims
    }

    #[test]
    fn jwt_claims_and_signature_from_pkcs1_and_pkcs8() {
        for pem in [
            include_str!("../tests/keys/app-pkcs1.pem"),
            include_str!("../tests/keys/app-pkcs8.pem"),
        ] {
            let jwt = app_jwt("4242", &SecretString::from(pem), 1_700_000_000).expect("signed");
            let claims = verify(&jwt);
            assert_eq!(
                claims.iss,
                serde_json::json!(4242),
                "numeric app ids are integers"
            );
            assert_eq!(claims.iat, 1_700_000_000 - 60);
            assert_eq!(claims.exp, 1_700_000_000 + 540);
        }
    }

    #[test]
    fn client_ids_are_strings() {
        let jwt = app_jwt(
            "Iv1.abc",
            &SecretString::from(include_str!("../tests/keys/app-pkcs8.pem")),
            1_700_000_000,
        )
        .expect("signed");
        assert_eq!(verify(&jwt).iss, serde_json::json!("Iv1.abc"));
    }

    #[test]
    fn bad_pem_says_what_to_paste() {
        let e = app_jwt("1", &SecretString::from("not a key"), 0).expect_err("bad key");
        assert!(e.to_string().contains("GITHUB_APP_PRIVATE_KEY"), "{e}");
    }
}
