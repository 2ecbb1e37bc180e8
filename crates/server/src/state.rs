//! What every handler shares: the store, the auth service, the settings.

use std::sync::Arc;

use rand::RngCore;
use store::Store;

use crate::auth::{Auth, Secret};
use crate::error::Failure;

/// Settings the server runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address people reach the server at (invitation links start with it).
    pub public_url: String,
    /// Mark cookies `Secure` (the public address is HTTPS).
    pub secure_cookies: bool,
    /// The region's time zone: every "today" and day boundary.
    pub timezone: chrono_tz::Tz,
    /// How often overdue attempts are looked for and finalised.
    pub sweep_every: std::time::Duration,
    /// How often the server checks that today's indicator snapshot is
    /// taken (and takes it if not).
    pub snapshot_every: std::time::Duration,
}

impl Config {
    pub fn new(public_url: &str) -> Self {
        let public_url = public_url.trim_end_matches('/').to_string();
        Config {
            secure_cookies: public_url.starts_with("https://"),
            public_url,
            timezone: chrono_tz::Europe::Moscow,
            sweep_every: std::time::Duration::from_secs(10),
            snapshot_every: std::time::Duration::from_secs(15 * 60),
        }
    }

    pub fn invitation_link(&self, token: &str) -> String {
        format!("{}/invite/{token}", self.public_url)
    }

    /// Today's date in the region's time zone.
    pub fn today(&self) -> chrono::NaiveDate {
        chrono::Utc::now()
            .with_timezone(&self.timezone)
            .date_naive()
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub auth: Arc<Auth>,
    pub config: Arc<Config>,
    pub diagnostics: Arc<crate::diagnostics::Diagnostics>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("backend", &self.store.backend())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

const SECRET_SETTING: &str = "session_secret";
pub const TIMEZONE_SETTING: &str = "timezone";

impl AppState {
    /// Builds the state: the session secret comes from `MARSHRUT_SESSION_SECRET`
    /// when set (several processes behind a load balancer share it), else from
    /// the database, where the first start stores a random one.
    pub async fn new(store: Arc<dyn Store>, mut config: Config) -> Result<Self, Failure> {
        let secret = match std::env::var("MARSHRUT_SESSION_SECRET") {
            Ok(s) if s.len() >= 32 => Secret::new(s.into_bytes()),
            Ok(_) => {
                return Err(Failure::internal(
                    "MARSHRUT_SESSION_SECRET must be at least 32 characters",
                ));
            }
            Err(_) => Secret::new(stored_secret(store.as_ref()).await?),
        };
        if let Some(tz) = store.setting(TIMEZONE_SETTING).await? {
            config.timezone = tz
                .parse()
                .map_err(|_| Failure::internal(format!("bad timezone setting {tz:?}")))?;
        }
        let auth = Arc::new(Auth::new(store.clone(), &secret, config.public_url.clone()));
        let config = Arc::new(config);
        let diagnostics = Arc::new(crate::diagnostics::Diagnostics::new(
            store.clone(),
            config.clone(),
        ));
        Ok(AppState {
            store,
            auth,
            config,
            diagnostics,
        })
    }
}

async fn stored_secret(store: &dyn Store) -> Result<Vec<u8>, Failure> {
    if let Some(hex) = store.setting(SECRET_SETTING).await? {
        return decode_hex(&hex)
            .ok_or_else(|| Failure::internal("stored session secret is not hex"));
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    store.set_setting(SECRET_SETTING, &hex).await?;
    // Another process may have stored its own at the same moment: use
    // whatever the database holds now, so that all processes agree.
    let hex = store
        .setting(SECRET_SETTING)
        .await?
        .ok_or_else(|| Failure::internal("session secret vanished"))?;
    decode_hex(&hex).ok_or_else(|| Failure::internal("stored session secret is not hex"))
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}
