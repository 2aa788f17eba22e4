//! The configuration file: alert settings, SMTP and webhooks, in TOML.
//!
//! It lives in billgap's config directory (`config.toml`, for example
//! `~/.config/billgap/config.toml` on Linux); `--config PATH` or `BILLGAP_CONFIG` choose
//! another. Secrets never come from it: a key that looks like one is refused, and the SMTP
//! password and webhook signing secrets are read from the environment.

use crate::alert::email::SmtpSettings;
use crate::alert::webhook::WebhookSettings;
use crate::connectors::ApiSettings;
use crate::domain::alerting::{Cadence, Measure};
use crate::workflow::AlertSettings;
use serde::Deserialize;
use std::path::{Path, PathBuf};

mod thresholds;

/// The environment variable that holds the SMTP password.
pub const SMTP_PASSWORD_VARIABLE: &str = "BILLGAP_SMTP_PASSWORD";

/// The environment variable that holds a webhook's signing secret: this prefix and the
/// webhook's name in upper case (`BILLGAP_WEBHOOK_SECRET_TEAMS`), or the prefix alone for
/// every webhook.
pub const WEBHOOK_SECRET_VARIABLE: &str = "BILLGAP_WEBHOOK_SECRET";

/// A configuration that cannot be used, with the file and what to change.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the config file {file}: {source}")]
    Read {
        /// The file.
        file: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML, or a key or value is wrong.
    #[error("{file}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong, with the line and column TOML gives.
        message: String,
    },
    /// The file holds a secret.
    #[error(
        "{file}: [{section}] {key}: secrets never go in the config file; set {variable} in the environment instead"
    )]
    Secret {
        /// The file.
        file: String,
        /// The table.
        section: String,
        /// The key.
        key: String,
        /// Where the secret goes instead.
        variable: String,
    },
}

/// The `[alerts]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertsTable {
    owner: Option<String>,
    /// Read from the raw text by [`thresholds::read`], never as a float; declared here so the
    /// typed parse accepts the key.
    #[allow(dead_code)]
    threshold: Option<toml::Value>,
    /// Likewise: `[alerts.thresholds]`, per currency.
    #[allow(dead_code)]
    thresholds: Option<toml::Value>,
    measure: Option<Measure>,
    cadence: Option<Cadence>,
    weekday: Option<String>,
    reminder_days: Option<u32>,
    min_age_days: Option<u32>,
    email_resolved: Option<bool>,
}

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    alerts: AlertsTable,
    smtp: Option<SmtpSettings>,
    #[serde(default)]
    webhooks: Vec<WebhookSettings>,
    pax8: Option<ApiSettings>,
    connectwise: Option<ApiSettings>,
    partner_center: Option<ApiSettings>,
    sherweb: Option<ApiSettings>,
    ingram: Option<ApiSettings>,
    autotask: Option<ApiSettings>,
    halo: Option<ApiSettings>,
}

/// The configuration in force, with where it came from.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file read, or `None` when there is none (every default applies).
    pub file: Option<PathBuf>,
    /// The alert settings, secrets included from the environment.
    pub alerts: AlertSettings,
    /// The API sources with a table in the file (`[pax8]`, `[connectwise]`…), by name.
    pub sources: Vec<(String, ApiSettings)>,
}

/// The default config file: `config.toml` in billgap's config directory.
pub fn default_path() -> Option<PathBuf> {
    crate::paths::config_dir().map(|dir| dir.join("config.toml"))
}

impl Config {
    /// Reads the config file at `path`, or the default one. A missing default file means the
    /// defaults; a missing file the user named is an error. `environment` looks up a variable
    /// (the process environment in production, a map in tests).
    pub fn load(
        path: Option<&Path>,
        environment: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let (file, named) = match path {
            Some(path) => (Some(path.to_path_buf()), true),
            None => (default_path(), false),
        };
        let text = match &file {
            Some(file) if named || file.exists() => Some(std::fs::read_to_string(file).map_err(
                |source| ConfigError::Read {
                    file: file.display().to_string(),
                    source,
                },
            )?),
            _ => None,
        };
        let Some(text) = text else {
            return Ok(Config::from_file(None, ConfigFile::default(), environment));
        };
        let name = file
            .as_ref()
            .map(|file| file.display().to_string())
            .unwrap_or_default();
        refuse_secrets(&name, &text)?;
        let parsed: ConfigFile = toml::from_str(&text).map_err(|error| ConfigError::Invalid {
            file: name.clone(),
            message: error.to_string(),
        })?;
        let thresholds = thresholds::read(&text).map_err(|message| ConfigError::Invalid {
            file: name.clone(),
            message,
        })?;
        if let Some(weekday) = &parsed.alerts.weekday {
            weekday
                .parse::<chrono::Weekday>()
                .map_err(|_| ConfigError::Invalid {
                    file: name.clone(),
                    message: format!(
                        "[alerts] weekday: '{weekday}' is not a weekday (monday … sunday)"
                    ),
                })?;
        }
        let mut config = Config::from_file(file, parsed, environment);
        config.alerts.threshold = thresholds.default;
        config.alerts.currency_thresholds = thresholds.per_currency;
        Ok(config)
    }

    fn from_file(
        file: Option<PathBuf>,
        parsed: ConfigFile,
        environment: &dyn Fn(&str) -> Option<String>,
    ) -> Config {
        let sources = [
            ("pax8", parsed.pax8),
            ("connectwise", parsed.connectwise),
            ("partner_center", parsed.partner_center),
            ("sherweb", parsed.sherweb),
            ("ingram", parsed.ingram),
            ("autotask", parsed.autotask),
            ("halo", parsed.halo),
        ]
        .into_iter()
        .filter_map(|(name, table)| table.map(|table| (name.to_string(), table)))
        .collect();
        let alerts = parsed.alerts;
        let webhooks = parsed
            .webhooks
            .into_iter()
            .enumerate()
            .map(|(index, hook)| {
                let name = hook
                    .name
                    .clone()
                    .unwrap_or_else(|| index.to_string())
                    .to_uppercase();
                let secret = environment(&format!("{WEBHOOK_SECRET_VARIABLE}_{name}"))
                    .or_else(|| environment(WEBHOOK_SECRET_VARIABLE));
                (hook, secret)
            })
            .collect();
        Config {
            file,
            sources,
            alerts: AlertSettings {
                threshold: None,
                currency_thresholds: std::collections::BTreeMap::new(),
                measure: alerts.measure.unwrap_or_default(),
                owner: alerts.owner,
                cadence: alerts.cadence.unwrap_or_default(),
                weekday: alerts.weekday.and_then(|weekday| weekday.parse().ok()),
                reminder_days: alerts.reminder_days.unwrap_or(7),
                min_age_days: alerts.min_age_days.unwrap_or(0),
                email_resolved: alerts.email_resolved.unwrap_or(false),
                smtp: parsed.smtp,
                smtp_password: environment(SMTP_PASSWORD_VARIABLE),
                webhooks,
                retry: crate::alert::RetryPolicy::default(),
            },
        }
    }
}

/// Reads the config the way the commands do: variables from the process environment, and a
/// secret that is not there (`BILLGAP_SMTP_PASSWORD`) from the OS keyring.
pub fn load_for_process(path: Option<&Path>) -> Result<Config, ConfigError> {
    let keyring = crate::secrets::Keyring::os();
    let environment = |name: &str| std::env::var(name).ok();
    Config::load(path, &|name| {
        crate::secrets::variable_or_keyring(name, &environment, &keyring)
    })
}

/// Refuses a key that looks like a secret anywhere in the file, naming where it goes instead.
fn refuse_secrets(file: &str, text: &str) -> Result<(), ConfigError> {
    let Ok(table) = text.parse::<toml::Table>() else {
        // Not TOML at all: the typed parse reports where.
        return Ok(());
    };
    let mut found = None;
    visit(&table, "", &mut |section, key| {
        let lower = key.to_lowercase();
        // An endpoint's address (`token_url`) is not a secret.
        if found.is_none()
            && !lower.ends_with("_url")
            && ["password", "secret", "token", "api_key", "apikey"]
                .iter()
                .any(|word| lower.contains(word))
        {
            found = Some((section.to_string(), key.to_string()));
        }
    });
    match found {
        Some((section, key)) => Err(ConfigError::Secret {
            file: file.to_string(),
            variable: if section.starts_with("webhooks") {
                format!("{WEBHOOK_SECRET_VARIABLE}_<NAME>")
            } else if crate::secrets::fields(&section).is_some() && section != "smtp" {
                format!(
                    "{} (or `billgap secret set {section}`)",
                    crate::secrets::variable(&section, &key)
                )
            } else {
                SMTP_PASSWORD_VARIABLE.to_string()
            },
            section,
            key,
        }),
        None => Ok(()),
    }
}

fn visit(table: &toml::Table, section: &str, found: &mut dyn FnMut(&str, &str)) {
    for (key, value) in table {
        found(section, key);
        match value {
            toml::Value::Table(inner) => visit(inner, key, found),
            toml::Value::Array(items) => {
                for item in items {
                    if let toml::Value::Table(inner) = item {
                        visit(inner, key, found);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn no_environment(_: &str) -> Option<String> {
        None
    }

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let folder = tempfile::tempdir().expect("temp");
        let path = folder.path().join("config.toml");
        std::fs::write(&path, text).expect("write");
        (folder, path)
    }

    #[test]
    fn a_password_in_the_file_is_refused_and_the_message_says_where_it_goes() {
        let (_folder, path) = write(
            "[smtp]\nhost = \"smtp.example.com\"\nport = 587\nsecurity = \"starttls\"\nfrom = \"a@b.example\"\npassword = \"hunter2\"\n",
        );
        let error = Config::load(Some(&path), &no_environment).expect_err("refused");
        let message = error.to_string();
        assert!(message.contains("BILLGAP_SMTP_PASSWORD"), "{message}");
        assert!(!message.contains("hunter2"), "the secret is never repeated");
    }

    #[test]
    fn the_documented_example_reads_with_its_defaults_and_secrets_from_the_environment() {
        let (_folder, path) = write(
            "[alerts]\nowner = \"billing@msp.example\"\nthreshold = 100\ncadence = \"smart\"\nweekday = \"friday\"\nreminder_days = 7\n\n[smtp]\nhost = \"smtp.example.com\"\nport = 587\nsecurity = \"starttls\"\nfrom = \"billgap@msp.example\"\nusername = \"billgap@msp.example\"\n\n[[webhooks]]\nkind = \"teams\"\nname = \"teams\"\nurl = \"https://example.invalid/hook\"\n",
        );
        let environment = |name: &str| match name {
            "BILLGAP_SMTP_PASSWORD" => Some("from-env".to_string()),
            "BILLGAP_WEBHOOK_SECRET_TEAMS" => Some("signing".to_string()),
            _ => None,
        };
        let config = Config::load(Some(&path), &environment).expect("valid");
        assert_eq!(config.alerts.owner.as_deref(), Some("billing@msp.example"));
        assert_eq!(config.alerts.weekday, Some(chrono::Weekday::Fri));
        assert_eq!(config.alerts.smtp_password.as_deref(), Some("from-env"));
        assert_eq!(config.alerts.webhooks.len(), 1);
        assert_eq!(config.alerts.webhooks[0].1.as_deref(), Some("signing"));
        assert_eq!(config.alerts.threshold, Some(Decimal::ONE_HUNDRED));
    }

    #[test]
    fn source_tables_read_with_their_urls_and_refuse_secrets() {
        let (_folder, path) = write(
            "[pax8]\nbase_url = \"http://127.0.0.1:1/v1\"\ntoken_url = \"http://127.0.0.1:1/v1/token\"\n\n[connectwise]\nbase_url = \"https://cw.example/v4_6_release/apis/3.0\"\ncompany = \"msp\"\ncurrency = \"USD\"\n",
        );
        let config = Config::load(Some(&path), &no_environment).expect("valid");
        let names: Vec<&str> = config
            .sources
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(names, ["pax8", "connectwise"]);
        assert_eq!(
            config.sources[0].1.token_url.as_deref(),
            Some("http://127.0.0.1:1/v1/token")
        );
        let (_folder, path) = write("[pax8]\nclient_secret = \"abc123\"\n");
        let message = Config::load(Some(&path), &no_environment)
            .expect_err("a secret in the file")
            .to_string();
        assert!(message.contains("BILLGAP_PAX8_CLIENT_SECRET"), "{message}");
        assert!(!message.contains("abc123"), "{message}");
    }

    #[test]
    fn an_unknown_key_is_an_error_with_its_place() {
        let (_folder, path) = write("[alerts]\nreminder = 3\n");
        let message = Config::load(Some(&path), &no_environment)
            .expect_err("unknown key")
            .to_string();
        assert!(message.contains("reminder"), "{message}");
    }

    #[test]
    fn measure_and_currency_thresholds_read_exactly() {
        let (_folder, path) = write(
            "[alerts]\nmeasure = \"margin\"\nthreshold = 99.95\n\n[alerts.thresholds]\nUSD = 100\nCAD = \"150.50\"\n",
        );
        let config = Config::load(Some(&path), &no_environment).expect("valid");
        assert_eq!(config.alerts.measure, Measure::Margin);
        assert_eq!(config.alerts.threshold, Some(Decimal::new(9995, 2)));
        assert_eq!(
            config.alerts.currency_thresholds.get("CAD"),
            Some(&Decimal::new(15050, 2))
        );
        assert_eq!(
            config.alerts.currency_thresholds.get("USD"),
            Some(&Decimal::ONE_HUNDRED)
        );
        let (_folder, path) = write("[alerts.thresholds]\nCAD = \"1,500\"\n");
        let message = Config::load(Some(&path), &no_environment)
            .expect_err("ambiguous")
            .to_string();
        assert!(message.contains("[alerts.thresholds] CAD"), "{message}");
        assert!(message.contains("line 2, column 7"), "{message}");
        let (_folder, path) = write("[alerts]\nmeasure = \"profit\"\n");
        assert!(Config::load(Some(&path), &no_environment).is_err());
    }
}
