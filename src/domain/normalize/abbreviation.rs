//! Business abbreviations spelled out, from the bundled table.

use super::tokenize;
use std::collections::HashMap;
use std::sync::OnceLock;

const ABBREVIATIONS_CSV: &str = include_str!("../../../assets/catalog/abbreviations.csv");

/// Spells out business abbreviations ("assoc" → "associates", "intl" → "international",
/// "ctr"/"centre" → "center"), so both spellings meet on one token.
pub fn expand_abbreviations(tokens: Vec<String>) -> Vec<String> {
    let table = abbreviations();
    tokens
        .into_iter()
        .flat_map(|token| match table.get(&token) {
            Some(expansion) => expansion.clone(),
            None => vec![token],
        })
        .collect()
}

fn abbreviations() -> &'static HashMap<String, Vec<String>> {
    static TABLE: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        ABBREVIATIONS_CSV
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once(','))
            .map(|(variant, canonical)| (variant.trim().to_string(), tokenize(canonical)))
            .collect()
    })
}
