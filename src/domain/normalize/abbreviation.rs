//! Business abbreviations spelled out, from the bundled table.

use super::steps::tokenize;
use super::table::{TableProblem, is_normalised_token, read_table, record};
use std::collections::HashMap;
use std::sync::OnceLock;

const ABBREVIATIONS_CSV: &str = include_str!("../../../assets/catalog/abbreviations.csv");

/// The columns of `abbreviations.csv`: a variant as it appears in names, what it spells, where
/// in a name the reading holds, and where the reading comes from (the sources are described in
/// `assets/catalog/NOTICE.md`).
const COLUMNS: [&str; 4] = ["variant", "canonical", "context", "source"];

/// Where in a name a variant has a reading: "St" before another word is "Saint" ("St Mary
/// Clinic") but last it is "Street" ("Main St"); "PT" first is the Indonesian legal form, after
/// a word it is "Physical Therapy".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    /// Anywhere.
    Any,
    /// Followed by another word.
    NotLast,
    /// The last of two or more words.
    Last,
    /// After another word.
    NotFirst,
}

impl Context {
    fn parse(text: &str) -> Option<Context> {
        match text {
            "any" => Some(Context::Any),
            "not-last" => Some(Context::NotLast),
            "last" => Some(Context::Last),
            "not-first" => Some(Context::NotFirst),
            _ => None,
        }
    }

    fn holds(self, index: usize, count: usize) -> bool {
        match self {
            Context::Any => true,
            Context::NotLast => index + 1 < count,
            Context::Last => count > 1 && index + 1 == count,
            Context::NotFirst => index > 0,
        }
    }
}

/// One reading of a variant.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reading {
    context: Context,
    expansion: Vec<String>,
}

/// Spells out business abbreviations ("assoc" → "associates", "intl" → "international",
/// "ctr"/"centre" → "center", "st" → "saint" or "street" by position), so both spellings meet
/// on one token.
pub fn expand_abbreviations(tokens: Vec<String>) -> Vec<String> {
    let table = abbreviations();
    let count = tokens.len();
    tokens
        .into_iter()
        .enumerate()
        .flat_map(|(index, token)| {
            let reading = table.get(&token).and_then(|readings| {
                readings
                    .iter()
                    .find(|reading| reading.context.holds(index, count))
            });
            match reading {
                Some(reading) => reading.expansion.clone(),
                None => vec![token],
            }
        })
        .collect()
}

fn abbreviations() -> &'static HashMap<String, Vec<Reading>> {
    static TABLE: OnceLock<HashMap<String, Vec<Reading>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        // A line that does not read is left out rather than failing a match; the test
        // `every_line_of_the_bundled_abbreviations_reads` fails on any such line, so a shipped
        // table has none.
        let mut table: HashMap<String, Vec<Reading>> = HashMap::new();
        for (variant, reading) in parse_abbreviations(ABBREVIATIONS_CSV)
            .into_iter()
            .filter_map(Result::ok)
        {
            table.entry(variant).or_default().push(reading);
        }
        table
    })
}

/// Reads `abbreviations.csv`: the header `variant,canonical,context,source`, then one reading
/// per line.
fn parse_abbreviations(text: &str) -> Vec<Result<(String, Reading), TableProblem>> {
    read_table(text, &COLUMNS, parse_abbreviation)
}

/// One abbreviation line. Both sides must be normalised tokens, because the rule runs on the
/// tokens of a folded name without punctuation: a variant like "Assoc." could never meet one,
/// and a canonical form with capitals or punctuation would put tokens into a name that no other
/// name's tokens can equal. Every line names its source, so a reading can be traced.
fn parse_abbreviation(line: &str) -> Result<(String, Reading), String> {
    let [variant, canonical, context, source] = record(line)?;
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
    let context = Context::parse(&context).ok_or_else(|| {
        format!("the context `{context}` is not any, not-last, last or not-first")
    })?;
    if source.is_empty() {
        return Err(format!("`{variant}` has no source"));
    }
    Ok((variant, Reading { context, expansion }))
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
        let readings: usize = abbreviations().values().map(Vec::len).sum();
        assert_eq!(readings, record_lines);
        for readings in abbreviations().values() {
            for (index, reading) in readings.iter().enumerate() {
                assert!(
                    readings[..index]
                        .iter()
                        .all(|earlier| earlier.context != reading.context),
                    "a variant listed twice for one context keeps only its first reading: {readings:?}"
                );
            }
        }
    }

    #[test]
    fn a_bad_abbreviation_line_is_reported_with_its_number() {
        let table = [
            "variant,canonical,context,source",
            "assoc,associates,any,notes",
            "intl",
            "Assoc.,associates,any,notes",
            "ctr,,any,notes",
            "mgmt,Management Co.,any,notes",
            "svc,services,service,any,notes",
            "st,saint,first,notes",
            "st,saint,any,",
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
                    "line 3: expected 4 fields, found 1 (quote a field that holds a comma)".into()
                ),
                Some("line 4: the variant `Assoc.` is not one normalised token".into()),
                Some("line 5: the canonical form `` is not normalised tokens".into()),
                Some("line 6: the canonical form `Management Co.` is not normalised tokens".into()),
                Some(
                    "line 7: expected 4 fields, found 5 (quote a field that holds a comma)".into()
                ),
                Some("line 8: the context `first` is not any, not-last, last or not-first".into()),
                Some("line 9: `st` has no source".into()),
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
        let table = "variant,canonical,context,source\nbros,brothers,any,notes\ncpa,certified  public accountants,any,billgap";
        let parsed: Vec<(String, Vec<String>)> = parse_abbreviations(table)
            .into_iter()
            .filter_map(Result::ok)
            .map(|(variant, reading)| (variant, reading.expansion))
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

    #[test]
    fn a_variant_reads_by_its_place_in_the_name() {
        let expand = |text: &str| expand_abbreviations(tokenize(text)).join(" ");
        assert_eq!(expand("st mary clinic"), "saint mary clinic");
        assert_eq!(expand("mount st joseph"), "mount saint joseph");
        assert_eq!(expand("main st"), "main street");
        assert_eq!(expand("st"), "st", "one word has no context");
        assert_eq!(expand("summit pt"), "summit physical therapy");
        assert_eq!(
            expand("pt telkom"),
            "pt telkom",
            "the Indonesian legal form stays"
        );
        assert_eq!(expand("ks mfg ctr"), "ks manufacturing center");
    }
}
