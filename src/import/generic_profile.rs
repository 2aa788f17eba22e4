//! The user's own profile for a CSV no bundled format knows (`--profile file.toml`).

use super::profile::{Profile, Role, RuleSet};
use crate::domain::lines::Side;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file a user writes; see `assets/formats/generic-example.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GenericFile {
    system: String,
    side: Side,
    #[serde(default)]
    currency: Option<String>,
    columns: BTreeMap<Role, String>,
}

/// Why a generic profile cannot be used; each message names the profile file.
#[derive(Debug, thiserror::Error)]
pub enum GenericProfileError {
    /// The profile file could not be read.
    #[error("cannot read the profile {}: {source}", shown(.path))]
    Read {
        /// The profile file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file is not valid TOML, or names an unknown role or key.
    #[error("the profile {} is not valid: {}", shown(.path), without_controls(&.source.to_string()))]
    Invalid {
        /// The profile file.
        path: PathBuf,
        /// The parser's reason, with its line and column.
        source: toml::de::Error,
    },
    /// A role every line needs has no column.
    #[error("the profile {} must name a column for {role} under [columns]", shown(.path))]
    MissingColumn {
        /// The profile file.
        path: PathBuf,
        /// The role or roles, as the profile spells them (`customer_id or customer_name`).
        role: &'static str,
    },
}

/// A path as shown in a message, without control characters.
fn shown(path: &Path) -> String {
    crate::domain::text::strip_control(&path.display().to_string())
}

/// The TOML parser's message keeps its line breaks (it quotes the bad line under its number),
/// but not the other control characters the quoted line may hold.
fn without_controls(text: &str) -> String {
    text.lines()
        .map(crate::domain::text::strip_control)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads a generic profile; every column it names becomes part of the fingerprint, so a file
/// missing one of them is refused instead of imported with blanks.
///
/// Fails when the file cannot be read, is not valid TOML, names an unknown role, or lacks a
/// quantity, a customer (id or name) or a product (id or name).
pub fn load_generic_profile(path: &Path) -> Result<Profile, GenericProfileError> {
    let text = read_capped(path).map_err(|source| GenericProfileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let file: GenericFile =
        toml::from_str(&text).map_err(|source| GenericProfileError::Invalid {
            path: path.to_path_buf(),
            source,
        })?;
    let has = |role: Role| file.columns.contains_key(&role);
    let missing = [
        (has(Role::Quantity), "quantity"),
        (
            has(Role::CustomerId) || has(Role::CustomerName),
            "customer_id or customer_name",
        ),
        (
            has(Role::ProductId) || has(Role::ProductName),
            "product_id or product_name",
        ),
    ];
    if let Some((_, role)) = missing.iter().find(|(present, _)| !present) {
        return Err(GenericProfileError::MissingColumn {
            path: path.to_path_buf(),
            role,
        });
    }
    Ok(Profile {
        name: "generic".to_string(),
        json_name: None,
        system: file.system,
        side: file.side,
        description: "a CSV described by a user profile".to_string(),
        verified: false,
        evidence: "the user's own profile".to_string(),
        rules: RuleSet::Generic,
        slice: Vec::new(),
        fingerprints: vec![file.columns.keys().copied().collect()],
        required: Vec::new(),
        columns: file
            .columns
            .into_iter()
            .map(|(role, header)| (role, vec![header]))
            .collect(),
        default_currency: file.currency,
    })
}

/// The largest profile read: a real one is a few hundred bytes.
const MAX_PROFILE_BYTES: u64 = 1 << 20;

/// Reads a profile that is a regular file of at most [`MAX_PROFILE_BYTES`]; `/dev/zero` or a
/// FIFO given as a profile must not hang the import or fill the memory.
fn read_capped(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let metadata = std::fs::metadata(path)?;
    if !metadata.is_file() {
        return Err(std::io::Error::other(
            "not a regular file; a profile must be a TOML file",
        ));
    }
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_PROFILE_BYTES.saturating_add(1))
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_PROFILE_BYTES {
        return Err(std::io::Error::other(format!(
            "larger than {MAX_PROFILE_BYTES} bytes; a profile is a short TOML file"
        )));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(directory: &tempfile::TempDir, text: &str) -> PathBuf {
        let path = directory.path().join("profile.toml");
        std::fs::write(&path, text).expect("written");
        path
    }

    #[test]
    fn each_failure_is_its_own_variant_and_names_the_profile() {
        let directory = tempfile::tempdir().expect("a temp dir");
        let absent = directory.path().join("absent.toml");
        assert!(matches!(
            load_generic_profile(&absent),
            Err(GenericProfileError::Read { .. })
        ));
        let invalid = profile(&directory, "system = \"x\"\nside = \"sideways\"\n");
        assert!(matches!(
            load_generic_profile(&invalid),
            Err(GenericProfileError::Invalid { .. })
        ));
        let partial = profile(
            &directory,
            "system = \"x\"\nside = \"psa\"\n[columns]\ncustomer_id = \"Client\"\nproduct_id = \"Item\"\n",
        );
        let error = load_generic_profile(&partial).expect_err("no quantity");
        assert!(
            matches!(
                error,
                GenericProfileError::MissingColumn {
                    role: "quantity",
                    ..
                }
            ),
            "{error}"
        );
        assert_eq!(
            error.to_string(),
            format!(
                "the profile {} must name a column for quantity under [columns]",
                partial.display()
            )
        );
    }
}
