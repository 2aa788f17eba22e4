//! Which product words name a vendor (brand) and which only name a tier, from
//! `assets/catalog/product_words.csv`: "Proofpoint Essentials Business" and "Microsoft 365
//! Business Basic" share "business", a tier word, and differ in their brands, so they are
//! different products whatever their word overlap says.

use crate::domain::normalize::table::{is_normalised_token, read_table, record};
use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

const PRODUCT_WORDS_CSV: &str = include_str!("../../../assets/catalog/product_words.csv");

/// The columns of `product_words.csv`: a normalised word, its role (`brand` or `tier`) and,
/// for a brand word, the vendor it names (several words may name one vendor: "exchange" and
/// "intune" are both Microsoft).
const COLUMNS: [&str; 3] = ["word", "role", "brand"];

/// Weight factor of a tier word in product names: it tells editions of one product apart but
/// says little about which product it is.
pub const TIER_WORD_FACTOR: f64 = 0.3;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Role {
    Brand(String),
    Tier,
}

fn table() -> &'static HashMap<String, Role> {
    static TABLE: OnceLock<HashMap<String, Role>> = OnceLock::new();
    TABLE.get_or_init(|| {
        // A bad line is left out rather than failing a match; the test
        // `every_line_of_the_bundled_product_words_reads` fails on any such line.
        parse(PRODUCT_WORDS_CSV)
            .into_iter()
            .filter_map(Result::ok)
            .collect()
    })
}

fn parse(text: &str) -> Vec<Result<(String, Role), String>> {
    read_table(text, &COLUMNS, parse_line)
        .into_iter()
        .map(|line| line.map_err(|problem| problem.to_string()))
        .collect()
}

fn parse_line(line: &str) -> Result<(String, Role), String> {
    let [word, role, brand] = record(line)?;
    if !is_normalised_token(&word) {
        return Err(format!("`{word}` is not one normalised token"));
    }
    match role.as_str() {
        "brand" if is_normalised_token(&brand) => Ok((word, Role::Brand(brand))),
        "brand" => Err(format!("the brand word `{word}` names no vendor")),
        "tier" if brand.is_empty() => Ok((word, Role::Tier)),
        "tier" => Err(format!("the tier word `{word}` names a vendor")),
        other => Err(format!("the role `{other}` is not brand or tier")),
    }
}

/// The vendor the first brand word of `tokens` names, if any.
pub fn brand_of(tokens: &[String]) -> Option<&'static str> {
    tokens.iter().find_map(|token| match table().get(token) {
        Some(Role::Brand(brand)) => Some(brand.as_str()),
        _ => None,
    })
}

/// The weight factor of a word in a product name: [`TIER_WORD_FACTOR`] for a tier word.
pub fn product_word_factor(token: &str) -> f64 {
    match table().get(token) {
        Some(Role::Tier) => TIER_WORD_FACTOR,
        _ => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_the_bundled_product_words_reads() {
        let parsed = parse(PRODUCT_WORDS_CSV);
        let problems: Vec<&String> = parsed
            .iter()
            .filter_map(|line| line.as_ref().err())
            .collect();
        assert!(problems.is_empty(), "{problems:#?}");
        assert_eq!(table().len(), parsed.len(), "a word is listed twice");
    }

    #[test]
    fn bad_lines_are_named() {
        let text = "word,role,brand\nacme,brand,\nbasic,tier,acme\nfoo,colour,\nAcme,brand,acme";
        let problems: Vec<Option<String>> = parse(text).into_iter().map(Result::err).collect();
        assert_eq!(
            problems,
            vec![
                Some("line 2: the brand word `acme` names no vendor".into()),
                Some("line 3: the tier word `basic` names a vendor".into()),
                Some("line 4: the role `colour` is not brand or tier".into()),
                Some("line 5: `Acme` is not one normalised token".into()),
            ]
        );
    }

    #[test]
    fn brands_and_tiers() {
        let words = |text: &str| text.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            brand_of(&words("proofpoint essentials business")),
            Some("proofpoint")
        );
        assert_eq!(brand_of(&words("exchange online p1")), Some("microsoft"));
        assert_eq!(brand_of(&words("email security")), None);
        assert_eq!(product_word_factor("business"), TIER_WORD_FACTOR);
        assert_eq!(product_word_factor("proofpoint"), 1.0);
    }
}
