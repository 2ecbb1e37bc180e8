//! Passwords, sessions, invitations and login throttling.
//!
//! - Passwords are hashed with argon2id at OWASP's parameters (19 MiB,
//!   t = 2, p = 1). Hashing runs on the blocking pool behind a semaphore, so
//!   a login storm queues instead of allocating 19 MiB per request.
//! - A login answers the same for an unknown login and a wrong password,
//!   and takes the same time (an unknown login is verified against a dummy
//!   hash). Failures are counted per login string in the database, so every
//!   server process sees the same count.
//! - A session is a JWT signed with HS256 (pinned), with `exp`, `aud` and
//!   `iss` checked. Each request re-reads the account, so a disabled account
//!   or a logout (the account's "valid after" instant) ends every session.

use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordVerifier, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::{Caller, Login};
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use store::{Millis, NewInvitation, Store};
use tokio::sync::Semaphore;

use crate::error::Failure;

/// How long a session lasts.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// How long an invitation link stays valid.
pub const INVITATION_TTL: Duration = Duration::from_secs(14 * 24 * 3600);
/// Failed logins for one login string allowed within [`FAILURE_WINDOW`].
pub const MAX_FAILURES: u32 = 5;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// The shortest password a person may set.
pub const MIN_PASSWORD_CHARS: usize = 10;

const AUDIENCE: &str = "marshrut";

pub fn now_millis() -> Millis {
    chrono::Utc::now().timestamp_millis()
}

/// A secret that never shows in `Debug` output or logs.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Self {
        Secret(bytes)
    }
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    aud: String,
    iss: String,
    iat: i64,
    exp: i64,
    /// Issue instant in milliseconds, compared with the account's
    /// "valid after" (a second's precision would let a token issued just
    /// before a logout survive it).
    auth_ms: i64,
}

/// An issued session token.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// The outcome of a login attempt.
#[derive(Debug)]
pub enum LoginOutcome {
    Ok {
        caller: Caller,
        session: Session,
    },
    /// Unknown login, wrong password, no password yet, disabled account:
    /// one answer for all.
    Rejected,
    /// Too many failures for this login string: retry after this many seconds.
    Throttled {
        retry_after_secs: u64,
    },
}

pub struct Auth {
    store: Arc<dyn Store>,
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    hashing: Semaphore,
    dummy_hash: String,
    argon: Argon2<'static>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

fn argon() -> Argon2<'static> {
    // OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1.
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password (blocking; call from the blocking pool).
pub fn hash_password_blocking(password: &str) -> Result<String, Failure> {
    let salt = SaltString::generate(&mut OsRng);
    argon()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Failure::internal(format!("argon2: {e}")))
}

/// The normalised key failed logins are counted under.
fn failure_key(login: &str) -> String {
    // Longer strings are no login (Login::parse allows 100 characters);
    // capping the key keeps the table small whatever is sent.
    login.trim().to_lowercase().chars().take(120).collect()
}

/// A random URL-safe token and its SHA-256 (only the hash is stored).
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// SHA-256 in lower-case hex (tokens, bank file contents).
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks a new password against the rules; the message is for the user.
pub fn check_new_password(password: &str, repeat: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "Пароль должен содержать не менее {MIN_PASSWORD_CHARS} символов"
        ));
    }
    if password.len() > 1024 {
        return Err("Пароль слишком длинный".into());
    }
    if password != repeat {
        return Err("Пароли не совпадают".into());
    }
    Ok(())
}

impl Auth {
    pub fn new(store: Arc<dyn Store>, secret: &Secret, issuer: String) -> Self {
        let argon = argon();
        let dummy_salt = SaltString::encode_b64(b"marshrut-dummy-salt").expect("salt");
        let dummy_hash = argon
            .hash_password(b"not a password anyone has", &dummy_salt)
            .expect("dummy hash")
            .to_string();
        // Two hashes at a time: one per core, ~19 MiB each.
        let permits = std::thread::available_parallelism().map_or(2, |n| n.get());
        Auth {
            store,
            encoding: EncodingKey::from_secret(secret.expose()),
            decoding: DecodingKey::from_secret(secret.expose()),
            issuer,
            hashing: Semaphore::new(permits),
            dummy_hash,
            argon,
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Runs argon2 on the blocking pool, at most one per core at a time.
    async fn with_hashing<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Argon2<'static>) -> T + Send + 'static,
    ) -> Result<T, Failure> {
        let _permit = tokio::time::timeout(Duration::from_secs(20), self.hashing.acquire())
            .await
            .map_err(|_| Failure::Overloaded)?
            .map_err(|_| Failure::internal("hashing semaphore closed"))?;
        let argon = self.argon.clone();
        tokio::task::spawn_blocking(move || work(&argon))
            .await
            .map_err(|e| Failure::internal(format!("hashing task: {e}")))
    }

    pub async fn hash_password(&self, password: &str) -> Result<String, Failure> {
        let password = password.to_string();
        self.with_hashing(move |argon| {
            let salt = SaltString::generate(&mut OsRng);
            argon
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| Failure::internal(format!("argon2: {e}")))
        })
        .await?
    }

    pub async fn login(&self, login: &str, password: &str) -> Result<LoginOutcome, Failure> {
        let key = failure_key(login);
        let now = now_millis();
        let window = FAILURE_WINDOW.as_millis() as Millis;
        // Count the attempt before checking the password: requests racing
        // in parallel each take their own count, so at most MAX_FAILURES
        // passwords are ever tried per login string and window. A success
        // clears the count.
        let counted = self.store.record_login_failure(&key, now, window).await?;
        if counted.failures > MAX_FAILURES {
            let until = counted.window_started + window;
            return Ok(LoginOutcome::Throttled {
                retry_after_secs: ((until - now).max(0) as u64).div_ceil(1000).max(1),
            });
        }
        let credentials = match Login::parse(login) {
            Ok(l) => self.store.credentials(&l).await?,
            Err(_) => None,
        };
        let stored_hash = credentials
            .as_ref()
            .and_then(|c| c.password_hash.clone())
            .unwrap_or_else(|| self.dummy_hash.clone());
        let password = password.to_string();
        let verified = self
            .with_hashing(move |argon| {
                PasswordHash::new(&stored_hash)
                    .map(|h| argon.verify_password(password.as_bytes(), &h).is_ok())
                    .unwrap_or(false)
            })
            .await?;
        match credentials {
            Some(c) if verified && c.active && c.password_hash.is_some() => {
                self.store.clear_login_failures(&key).await?;
                let session = self.issue(&c.caller.login)?;
                Ok(LoginOutcome::Ok {
                    caller: c.caller,
                    session,
                })
            }
            _ => Ok(LoginOutcome::Rejected),
        }
    }

    pub fn issue(&self, login: &Login) -> Result<Session, Failure> {
        let now = chrono::Utc::now();
        let expires_at = now + chrono::Duration::from_std(SESSION_TTL).expect("ttl");
        let claims = Claims {
            sub: login.as_str().to_string(),
            aud: AUDIENCE.into(),
            iss: self.issuer.clone(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            auth_ms: now.timestamp_millis(),
        };
        let token = jsonwebtoken::encode(
            &Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &self.encoding,
        )
        .map_err(|e| Failure::internal(format!("jwt encode: {e}")))?;
        Ok(Session { token, expires_at })
    }

    /// The caller a token stands for, or `None` when the token is invalid,
    /// expired, revoked, or its account is disabled.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Caller>, Failure> {
        let mut validation = Validation::new(jsonwebtoken::Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[self.issuer.as_str()]);
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        validation.leeway = 5;
        let Ok(data) = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation) else {
            return Ok(None);
        };
        let Ok(login) = Login::parse(&data.claims.sub) else {
            return Ok(None);
        };
        let Some(c) = self.store.credentials(&login).await? else {
            return Ok(None);
        };
        if !c.active || data.claims.auth_ms < c.valid_after {
            return Ok(None);
        }
        Ok(Some(c.caller))
    }

    /// Ends every session of this account issued until now.
    pub async fn logout(&self, login: &Login) -> Result<(), Failure> {
        self.store.revoke_sessions(login, now_millis()).await?;
        Ok(())
    }

    /// A new invitation for `login`: the token to put in the link and what
    /// the store keeps.
    pub fn invitation(login: &Login) -> (String, NewInvitation) {
        let (token, hash) = new_token();
        let expires_at = now_millis() + INVITATION_TTL.as_millis() as Millis;
        (
            token,
            NewInvitation {
                login: login.clone(),
                token_hash: hash,
                expires_at,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new(b"very secret".to_vec());
        assert_eq!(format!("{s:?}"), "Secret(***)");
    }

    #[test]
    fn token_hash_is_stable_hex() {
        let (token, hash) = new_token();
        assert_eq!(hash, token_hash(&token));
        assert_eq!(hash.len(), 64);
        assert!(token.len() >= 43);
    }

    #[test]
    fn password_rules() {
        assert!(check_new_password("короткий", "короткий").is_err());
        assert!(check_new_password("достаточно-длинный", "другой-пароль").is_err());
        assert!(check_new_password("достаточно-длинный", "достаточно-длинный").is_ok());
    }
}
