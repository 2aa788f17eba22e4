//! Business abbreviations spelled out, from the bundled table.

use super::steps::tokenize;
use super::table::{TableProblem, is_normalised_token, read_table, record};
use std::collections::HashMap;
use std::sync::OnceLock;

const ABBREVIATIONS_CSV: &str = include_str!("../../../assets/catalog/abbreviations.csv");

/// The columns of `abbreviations.csv`: a variant as it appears in names, and what it spells.
const COLUMNS: [&str; 2] = ["variant", "canonical"];

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
        // A line that does not read is left out rather than failing a match; the test
        // `every_line_of_the_bundled_abbreviations_reads` fails on any such line, so a shipped
        // table has none.
        parse_abbreviations(ABBREVIATIONS_CSV)
            .into_iter()
            .filter_map(Result::ok)
            .collect()
    })
}

/// Reads `abbreviations.csv`: the header `variant,canonical`, then one abbreviation per line.
fn parse_abbreviations(text: &str) -> Vec<Result<(String, Vec<String>), TableProblem>> {
    read_table(text, &COLUMNS, parse_abbreviation)
}

/// One abbreviation line. Both sides must be normalised tokens, because the rule runs on the
/// tokens of a folded name without punctuation: a variant like "Assoc." could never meet one,
/// and a canonical form with capitals or punctuation would put tokens into a name that no other
/// name's tokens can equal.
fn parse_abbreviation(line: &str) -> Result<(String, Vec<String>), String> {
    let [variant, canonical] = record(line)?;
    if !is_normalised_token(&variant) {
        return Err(format!(
            "the variant `{variant}` is not one normalised token"
        ));
    }
    let expansion = tokenize(&canonical);
    if expansion.is_empty() || !expansion.iter().all(|token| is_normalised_token(token)) {
        return Err(format!(
            "the canonical form `{canonical}` is not normalised tokens"
        ));
    }
    Ok((variant, expansion))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_the_bundled_abbreviations_reads() {
        let parsed = parse_abbreviations(ABBREVIATIONS_CSV);
        let problems: Vec<String> = parsed
            .iter()
            .filter_map(|line| line.as_ref().err().map(ToString::to_string))
            .collect();
        assert!(problems.is_empty(), "{problems:#?}");
        let record_lines = ABBREVIATIONS_CSV
            .lines()
            .skip(1)
            .filter(|line| !line.trim().is_empty())
            .count();
        assert_eq!(parsed.len(), record_lines);
        assert_eq!(
            abbreviations().len(),
            record_lines,
            "a variant listed twice keeps only its last expansion"
        );
    }

    #[test]
    fn a_bad_abbreviation_line_is_reported_with_its_number() {
        let table = [
            "variant,canonical",
            "assoc,associates",
            "intl",
            "Assoc.,associates",
            "ctr,",
            "mgmt,Management Co.",
            "svc,services,service",
        ]
        .join("\n");
        let problems: Vec<Option<String>> = parse_abbreviations(&table)
            .into_iter()
            .map(|line| line.err().map(|problem| problem.to_string()))
            .collect();
        assert_eq!(
            problems,
            vec![
                None,
                Some(
                    "line 3: expected 2 fields, found 1 (quote a field that holds a comma)".into()
                ),
                Some("line 4: the variant `Assoc.` is not one normalised token".into()),
                Some("line 5: the canonical form `` is not normalised tokens".into()),
                Some("line 6: the canonical form `Management Co.` is not normalised tokens".into()),
                Some(
                    "line 7: expected 2 fields, found 3 (quote a field that holds a comma)".into()
                ),
            ]
        );
        assert_eq!(
            parse_abbreviations("abbreviation,expansion\nassoc,associates").len(),
            1,
            "a wrong header is one problem, not records read under the wrong columns"
        );
        assert!(parse_abbreviations("abbreviation,expansion\nassoc,associates")[0].is_err());
    }

    #[test]
    fn a_canonical_form_may_be_several_tokens() {
        let table = "variant,canonical\nbros,brothers\ncpa,certified  public accountants";
        let parsed: Vec<(String, Vec<String>)> = parse_abbreviations(table)
            .into_iter()
            .filter_map(Result::ok)
            .collect();
        assert_eq!(
            parsed,
            vec![
                ("bros".to_string(), vec!["brothers".to_string()]),
                (
                    "cpa".to_string(),
                    vec![
                        "certified".to_string(),
                        "public".to_string(),
                        "accountants".to_string()
                    ]
                ),
            ]
        );
    }
}
