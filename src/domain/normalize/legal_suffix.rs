//! Legal forms (Inc, LLC, GmbH, Pty Ltd) at the end of company names, from the bundled table.

use super::steps::{
    fold_case_and_diacritics, join_initials, read_ampersand, split_site_tail, strip_punctuation,
    tokenize,
};
use super::table::{TableProblem, read_table, record};
use std::collections::HashMap;
use std::sync::OnceLock;

const LEGAL_SUFFIXES_CSV: &str = include_str!("../../../assets/catalog/legal_suffixes.csv");

/// The columns of `legal_suffixes.csv`: the country or source a form comes from, and the form.
const COLUMNS: [&str; 2] = ["group", "term"];

/// Removes trailing legal forms ("inc", "llc", "pty ltd", "gmbh and co kg"), repeatedly, so
/// "co inc" goes too. Never removes a name's only remaining token: "The Limited" keeps
/// "limited".
pub fn remove_legal_suffixes(mut tokens: Vec<String>) -> Vec<String> {
    let suffixes = legal_suffixes();
    loop {
        let Some(last) = tokens.last() else {
            return tokens;
        };
        let Some(forms) = suffixes.get(last) else {
            return tokens;
        };
        let removable = forms.iter().find(|form| {
            form.len() < tokens.len() && tokens[tokens.len() - form.len()..] == form[..]
        });
        match removable {
            Some(form) => tokens.truncate(tokens.len() - form.len()),
            None => return tokens,
        }
    }
}

/// Splits a name whose legal form is followed by a short tail ("meinberg funkuhren gmbh and co
/// kg annex") into the name before the form and the tail after it, the site: the form ends the
/// company's name, so what follows names a place or a branch. `None` when no known form sits
/// between a non-empty name and a tail of one to three words.
pub fn split_after_legal_form(tokens: &[String]) -> Option<(Vec<String>, Vec<String>)> {
    const LONGEST_TAIL: usize = 3;
    let suffixes = legal_suffixes();
    let shortest_end = tokens.len().saturating_sub(LONGEST_TAIL).max(2);
    // The latest end first: "x gmbh and co kg annex" ends its form at "kg", not at "gmbh".
    (shortest_end..tokens.len()).rev().find_map(|end| {
        let forms = suffixes.get(&tokens[end - 1])?;
        let form = forms
            .iter()
            .find(|form| form.len() < end && tokens[end - form.len()..end] == form[..])?;
        let head = tokens[..end - form.len()].to_vec();
        Some((head, tokens[end..].to_vec()))
    })
}

/// The known legal form a raw company name ends in, as normalised tokens joined with spaces:
/// "llc" for "Contoso, L.L.C.", "pty ltd" for "Contoso Pty. Ltd. (Sydney)" (the site tail is
/// ignored). `None` when the name ends in no known form, or when the form is its only word.
/// Matching compares the two names' forms to report an Inc-versus-LLC difference as weak
/// evidence, which the normalised tokens cannot show because the form is removed from them.
pub fn legal_suffix_of(raw: &str) -> Option<String> {
    let folded = fold_case_and_diacritics(raw);
    let (head, _) = split_site_tail(&folded);
    let tokens = suffix_tokens(&head);
    let kept = remove_legal_suffixes(tokens.clone());
    (kept.len() < tokens.len()).then(|| tokens[kept.len()..].join(" "))
}

/// Folded text read as [`super::normalize_company`] reads a name before it removes legal forms
/// (`&`, punctuation, initials), so table entries and names meet on the same tokens: "L.L.C."
/// and "LLC" both become "llc".
fn suffix_tokens(folded: &str) -> Vec<String> {
    join_initials(tokenize(&strip_punctuation(&read_ampersand(folded))))
}

/// Legal forms indexed by their last token; each list is longest first.
fn legal_suffixes() -> &'static HashMap<String, Vec<Vec<String>>> {
    static TABLE: OnceLock<HashMap<String, Vec<Vec<String>>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: HashMap<String, Vec<Vec<String>>> = HashMap::new();
        // A line that does not read is left out rather than failing a match; the test
        // `every_line_of_the_bundled_legal_suffixes_reads` fails on any such line, so a shipped
        // table has none.
        for tokens in parse_legal_suffixes(LEGAL_SUFFIXES_CSV)
            .into_iter()
            .filter_map(Result::ok)
        {
            if let Some(last) = tokens.last() {
                let forms = table.entry(last.clone()).or_default();
                if !forms.contains(&tokens) {
                    forms.push(tokens);
                }
            }
        }
        for forms in table.values_mut() {
            forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        }
        table
    })
}

/// Reads `legal_suffixes.csv`: the header `group,term`, then one legal form per line. Returns
/// each form as the tokens a name ends in, one result per line.
fn parse_legal_suffixes(text: &str) -> Vec<Result<Vec<String>, TableProblem>> {
    read_table(text, &COLUMNS, parse_legal_suffix)
}

/// One legal-form line. The group only documents where the form comes from, but it must be
/// there: a line whose group is missing has its columns shifted. A group holding a comma must
/// be quoted, or the line has three fields and is reported instead of read with part of the
/// group as its term. The term must leave at least one token once read like a name, or it could
/// never match one.
fn parse_legal_suffix(line: &str) -> Result<Vec<String>, String> {
    let [group, term] = record(line)?;
    if group.is_empty() {
        return Err(format!("the term `{term}` has no group"));
    }
    let tokens = suffix_tokens(&fold_case_and_diacritics(&term));
    if tokens.is_empty() {
        return Err(format!("the term `{term}` has no letter or digit"));
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_the_bundled_legal_suffixes_reads() {
        let parsed = parse_legal_suffixes(LEGAL_SUFFIXES_CSV);
        let problems: Vec<String> = parsed
            .iter()
            .filter_map(|line| line.as_ref().err().map(ToString::to_string))
            .collect();
        assert!(problems.is_empty(), "{problems:#?}");
        let record_lines = LEGAL_SUFFIXES_CSV
            .lines()
            .skip(1)
            .filter(|line| !line.trim().is_empty())
            .count();
        assert_eq!(parsed.len(), record_lines);
        let indexed: usize = legal_suffixes().values().map(Vec::len).sum();
        let mut distinct: Vec<&Vec<String>> = parsed
            .iter()
            .filter_map(|line| line.as_ref().ok())
            .collect();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(indexed, distinct.len(), "every distinct form is indexed");
    }

    #[test]
    fn a_bad_legal_suffix_line_is_reported_with_its_number() {
        let table = [
            "group,term",
            "Australia,pty. ltd.",
            "Korea, Republic of,co. ltd.",
            "\"Korea, Republic of\",co. ltd.",
            "llc",
            ",gmbh",
            "Common (billgap),...",
        ]
        .join("\n");
        let problems: Vec<Option<String>> = parse_legal_suffixes(&table)
            .into_iter()
            .map(|line| line.err().map(|problem| problem.to_string()))
            .collect();
        assert_eq!(
            problems,
            vec![
                None,
                Some(
                    "line 3: expected 2 fields, found 3 (quote a field that holds a comma)".into()
                ),
                None,
                Some(
                    "line 5: expected 2 fields, found 1 (quote a field that holds a comma)".into()
                ),
                Some("line 6: the term `gmbh` has no group".into()),
                Some("line 7: the term `...` has no letter or digit".into()),
            ]
        );
        assert!(parse_legal_suffixes("country,suffix\nAustralia,pty ltd")[0].is_err());
    }

    #[test]
    fn a_term_is_read_as_the_tokens_a_name_ends_in() {
        let table = "group,term\nAustralia,Pty. Ltd.\nUnited States,L.L.C.\nGermany,GmbH & Co. KG";
        let forms: Vec<Vec<String>> = parse_legal_suffixes(table)
            .into_iter()
            .filter_map(Result::ok)
            .collect();
        let words = |text: &str| tokenize(text);
        assert_eq!(
            forms,
            vec![words("pty ltd"), words("llc"), words("gmbh and co kg")]
        );
    }

    #[test]
    fn the_legal_form_a_raw_name_ends_in_is_reported_as_read() {
        let table = [
            ("Contoso, L.L.C.", Some("llc")),
            ("Contoso Inc.", Some("inc")),
            ("Contoso Pty. Ltd. (Sydney)", Some("pty ltd")),
            ("Contoso Consulting", None),
            ("LLC", None),
        ];
        for (raw, expected) in table {
            assert_eq!(legal_suffix_of(raw).as_deref(), expected, "{raw}");
        }
    }
}
