//! The user's own profile for a CSV no bundled format knows (`--profile file.toml`).

use super::profile::{Profile, Role, RuleSet};
use crate::domain::lines::Side;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

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

/// Reads a generic profile; every column it names becomes part of the fingerprint, so a file
/// missing one of them is refused instead of imported with blanks.
///
/// Fails, with a sentence for the user, when the file cannot be read, is not valid TOML, names
/// an unknown role, or lacks a quantity, a customer (id or name) or a product (id or name).
pub fn load_generic_profile(path: &Path) -> Result<Profile, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read the profile {}: {error}", path.display()))?;
    let file: GenericFile = toml::from_str(&text)
        .map_err(|error| format!("the profile {} is not valid: {error}", path.display()))?;
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
        return Err(format!(
            "the profile {} must name a column for {role} under [columns]",
            path.display()
        ));
    }
    Ok(Profile {
        name: "generic".to_string(),
        json_name: None,
        system: file.system,
        side: file.side,
        description: "a CSV described by a user profile".to_string(),
        rules: RuleSet::Generic,
        slice: Vec::new(),
        fingerprints: vec![file.columns.keys().copied().collect()],
        columns: file
            .columns
            .into_iter()
            .map(|(role, header)| (role, vec![header]))
            .collect(),
        default_currency: file.currency,
    })
}
