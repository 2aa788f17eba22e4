//! Secrets: API credentials and the SMTP password, from the environment first and then the
//! OS keyring; never from the config file, and never in output, logs or errors.
//!
//! A secret's variable is `BILLGAP_<SOURCE>_<FIELD>` (`BILLGAP_PAX8_CLIENT_SECRET`,
//! `BILLGAP_CONNECTWISE_PUBLIC_KEY`, `BILLGAP_SMTP_PASSWORD`). In the keyring it is the entry
//! `<source>.<field>` of the service `billgap`, except the SMTP password, whose entry is `smtp`.
//! `billgap secret set SOURCE` stores them without echoing.
//!
//! The keyring is the platform's own store through keyring-core: the kernel keyutils store on
//! Linux (no D-Bus or system library needed; it lasts until reboot, so a headless server keeps
//! its secrets in the service's environment instead), the Keychain on macOS and the Credential
//! Manager on Windows. `BILLGAP_KEYRING=none` turns it off.

use keyring_core::{CredentialStore, Entry};
use std::collections::HashMap;
use std::sync::Arc;

/// The keyring service every billgap entry is filed under.
pub const SERVICE: &str = "billgap";

/// Setting this variable to `none` keeps billgap out of the keyring (environment only).
pub const KEYRING_SWITCH: &str = "BILLGAP_KEYRING";

/// Every source with secrets, and its fields in the order `billgap secret set` asks for them.
pub const CATALOGUE: &[(&str, &[&str])] = &[
    ("pax8", &["client_id", "client_secret"]),
    ("connectwise", &["public_key", "private_key", "client_id"]),
    ("partner_center", &["client_id", "client_secret"]),
    (
        "sherweb",
        &["client_id", "client_secret", "subscription_key"],
    ),
    ("ingram", &["username", "password", "subscription_key"]),
    ("autotask", &["username", "secret", "integration_code"]),
    ("halo", &["client_id", "client_secret"]),
    ("smtp", &["password"]),
];

/// Why a secret could not be read or stored. It names the source and the variable to use
/// instead, never the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// No such source or field.
    #[error("'{0}' is not a secret billgap knows; expected one of: {list}", list = known_names())]
    Unknown(String),
    /// The keyring failed.
    #[error(
        "the OS keyring could not {action} {entry}: {reason}; set {variable} in the environment instead"
    )]
    Keyring {
        /// read or store.
        action: &'static str,
        /// The entry.
        entry: String,
        /// What failed, in the keyring's words (never the value).
        reason: String,
        /// The variable that works without a keyring.
        variable: String,
    },
    /// No keyring on this machine.
    #[error("there is no OS keyring here ({reason}); set {variable} in the environment instead")]
    NoKeyring {
        /// Why.
        reason: String,
        /// The variable to use.
        variable: String,
    },
}

fn known_names() -> String {
    CATALOGUE
        .iter()
        .map(|(source, _)| *source)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The fields of a source, or `None` when billgap knows no such source.
pub fn fields(source: &str) -> Option<&'static [&'static str]> {
    let source = canonical(source);
    CATALOGUE
        .iter()
        .find(|(name, _)| *name == source)
        .map(|(_, fields)| *fields)
}

fn canonical(source: &str) -> String {
    source.trim().to_ascii_lowercase().replace('-', "_")
}

/// The environment variable of a field: `BILLGAP_PAX8_CLIENT_SECRET`.
pub fn variable(source: &str, field: &str) -> String {
    format!(
        "BILLGAP_{}_{}",
        canonical(source).to_ascii_uppercase(),
        field.to_ascii_uppercase()
    )
}

/// The keyring entry of a field: `pax8.client_secret`, and `smtp` for the SMTP password.
pub fn entry_name(source: &str, field: &str) -> String {
    let source = canonical(source);
    if source == "smtp" {
        source
    } else {
        format!("{source}.{field}")
    }
}

/// The OS keyring, or a stand-in store (keyring-core's mock store in tests).
#[derive(Clone)]
pub struct Keyring {
    store: Option<Arc<CredentialStore>>,
    unavailable: String,
}

impl Keyring {
    /// A keyring over a given store.
    pub fn with_store(store: Arc<CredentialStore>) -> Keyring {
        Keyring {
            store: Some(store),
            unavailable: String::new(),
        }
    }

    /// No keyring: every read finds nothing and every write says why.
    pub fn none(reason: &str) -> Keyring {
        Keyring {
            store: None,
            unavailable: reason.to_string(),
        }
    }

    /// The platform's keyring, unless `BILLGAP_KEYRING=none`.
    pub fn os() -> Keyring {
        if std::env::var(KEYRING_SWITCH).is_ok_and(|value| value.eq_ignore_ascii_case("none")) {
            return Keyring::none("BILLGAP_KEYRING=none");
        }
        match platform_store() {
            Ok(store) => Keyring::with_store(store),
            Err(reason) => Keyring::none(&reason),
        }
    }

    /// A field's value from the keyring; `Ok(None)` when there is no entry (or no keyring).
    pub fn get(&self, source: &str, field: &str) -> Result<Option<String>, SecretError> {
        let Some(store) = &self.store else {
            return Ok(None);
        };
        let entry = entry_name(source, field);
        let failure = |reason: String| SecretError::Keyring {
            action: "read",
            entry: entry.clone(),
            reason,
            variable: variable(source, field),
        };
        let handle = Entry::new_in_store(store, SERVICE, &entry)
            .map_err(|error| failure(describe(&error)))?;
        match handle.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(error) => Err(failure(describe(&error))),
        }
    }

    /// Stores a field's value in the keyring.
    pub fn set(&self, source: &str, field: &str, value: &str) -> Result<(), SecretError> {
        let Some(store) = &self.store else {
            return Err(SecretError::NoKeyring {
                reason: self.unavailable.clone(),
                variable: variable(source, field),
            });
        };
        let entry = entry_name(source, field);
        let failure = |reason: String| SecretError::Keyring {
            action: "store",
            entry: entry.clone(),
            reason,
            variable: variable(source, field),
        };
        Entry::new_in_store(store, SERVICE, &entry)
            .and_then(|handle| handle.set_password(value))
            .map_err(|error| failure(describe(&error)))
    }
}

/// A keyring error in words that never carry a value (`BadEncoding` holds the bytes).
fn describe(error: &keyring_core::Error) -> String {
    match error {
        keyring_core::Error::PlatformFailure(inner) => format!("platform failure: {inner}"),
        keyring_core::Error::NoStorageAccess(inner) => format!("no access to the store: {inner}"),
        keyring_core::Error::NoEntry => "no entry".to_string(),
        keyring_core::Error::BadEncoding(_) => "the stored value is not UTF-8".to_string(),
        keyring_core::Error::BadDataFormat(_, _) => {
            "the stored value is not in the expected format".to_string()
        }
        keyring_core::Error::BadStoreFormat(what) => format!("the store is malformed: {what}"),
        keyring_core::Error::TooLong(name, limit) => format!("{name} is longer than {limit}"),
        keyring_core::Error::Invalid(name, why) => format!("{name} is invalid: {why}"),
        keyring_core::Error::Ambiguous(_) => "several entries match".to_string(),
        keyring_core::Error::NoDefaultStore => "no default store".to_string(),
        keyring_core::Error::NotSupportedByStore(what) => format!("not supported: {what}"),
        _ => "the keyring failed".to_string(),
    }
}

#[cfg(target_os = "linux")]
fn platform_store() -> Result<Arc<CredentialStore>, String> {
    linux_keyutils_keyring_store::Store::new()
        .map(|store| store as Arc<CredentialStore>)
        .map_err(|error| describe(&error))
}

#[cfg(target_os = "macos")]
fn platform_store() -> Result<Arc<CredentialStore>, String> {
    apple_native_keyring_store::keychain::Store::new()
        .map(|store| store as Arc<CredentialStore>)
        .map_err(|error| describe(&error))
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<Arc<CredentialStore>, String> {
    windows_native_keyring_store::Store::new()
        .map(|store| store as Arc<CredentialStore>)
        .map_err(|error| describe(&error))
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn platform_store() -> Result<Arc<CredentialStore>, String> {
    Err("this platform has no supported keyring".to_string())
}

/// A source's credentials: each field from its variable, else the keyring. Fields found in
/// neither are absent (the connector says which it needs); a keyring failure is an error only
/// when the environment does not have the field either.
pub fn credentials(
    source: &str,
    environment: &dyn Fn(&str) -> Option<String>,
    keyring: &Keyring,
) -> Result<HashMap<String, String>, SecretError> {
    let fields = fields(source).ok_or_else(|| SecretError::Unknown(source.to_string()))?;
    let mut found = HashMap::new();
    for field in fields {
        let value = match environment(&variable(source, field)).filter(|value| !value.is_empty()) {
            Some(value) => Some(value),
            None => keyring.get(source, field)?,
        };
        if let Some(value) = value {
            found.insert((*field).to_string(), value);
        }
    }
    Ok(found)
}

/// A variable from the environment, else, when it names a known secret
/// (`BILLGAP_SMTP_PASSWORD`), from the keyring; a keyring failure reads as absent.
pub fn variable_or_keyring(
    name: &str,
    environment: &dyn Fn(&str) -> Option<String>,
    keyring: &Keyring,
) -> Option<String> {
    if let Some(value) = environment(name) {
        return Some(value);
    }
    CATALOGUE.iter().find_map(|(source, fields)| {
        fields
            .iter()
            .find(|field| variable(source, field) == name)
            .and_then(|field| keyring.get(source, field).ok().flatten())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mock() -> Keyring {
        Keyring::with_store(keyring_core::mock::Store::new().expect("mock store"))
    }

    #[test]
    fn the_environment_wins_and_the_keyring_fills_in() {
        let keyring = mock();
        keyring
            .set("pax8", "client_secret", "from-keyring")
            .expect("set");
        keyring
            .set("pax8", "client_id", "id-from-keyring")
            .expect("set");
        let environment =
            |name: &str| (name == "BILLGAP_PAX8_CLIENT_ID").then(|| "id-from-env".to_string());
        let found = credentials("pax8", &environment, &keyring).expect("read");
        assert_eq!(found["client_id"], "id-from-env");
        assert_eq!(found["client_secret"], "from-keyring");
    }

    #[test]
    fn the_smtp_password_falls_back_to_the_keyring_entry_smtp() {
        let keyring = mock();
        keyring.set("smtp", "password", "mail-secret").expect("set");
        assert_eq!(entry_name("smtp", "password"), "smtp");
        assert_eq!(
            variable_or_keyring("BILLGAP_SMTP_PASSWORD", &|_| None, &keyring).as_deref(),
            Some("mail-secret")
        );
        assert_eq!(
            variable_or_keyring("BILLGAP_OTHER", &|_| None, &keyring),
            None
        );
    }

    #[test]
    fn a_keyring_failure_names_the_source_and_the_fallback_and_never_the_value() {
        let error = Keyring::none("no keyring in this test")
            .set("connectwise", "private_key", "pk-123456")
            .expect_err("no keyring");
        let message = error.to_string();
        assert!(
            message.contains("BILLGAP_CONNECTWISE_PRIVATE_KEY"),
            "{message}"
        );
        assert!(!message.contains("pk-123456"), "{message}");
        assert!(fields("ConnectWise").is_some());
        assert!(matches!(
            credentials("nosuch", &|_| None, &mock()),
            Err(SecretError::Unknown(_))
        ));
    }
}
