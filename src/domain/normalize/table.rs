//! The one strict reader of the bundled catalog tables, the small CSV files under
//! `assets/catalog/` that the domain brings in with `include_str!`.
//!
//! A table read leniently loses lines without anyone noticing: a line without a comma simply
//! disappears, and a field holding a comma pushes part of itself into the next column. So every
//! table is read the same way: the header must be exactly the expected columns, and each line
//! after it is either a record or a [`TableProblem`] naming its line number. At runtime a caller
//! leaves a bad line out (a match must not stop half-way over a data file); each table has a
//! test that reads the bundled file and fails on any problem, so a shipped table has none.
//!
//! Fields are written the way spreadsheets write them: a field may be quoted so it can hold a
//! comma, and `""` inside quotes is one quote. Blank lines are skipped.

use std::fmt;

/// A table line that does not read, with its 1-based line number in the file, so whoever edits
/// the table can find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableProblem {
    /// The line number in the file, counting the header as line 1.
    pub(crate) line: usize,
    /// What is wrong with the line.
    pub(crate) message: String,
}

impl fmt::Display for TableProblem {
    /// `line 12: expected 2 fields, found 3 (quote a field that holds a comma)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Reads a table whose first non-blank line is the header `columns`, then one record per line.
/// Returns one result per record line, in file order, so a test can name every line that does
/// not read; `parse_line` gets the raw line and says what is wrong with it. A wrong or missing
/// header gives a single problem and no records, because the columns cannot be trusted.
pub(crate) fn read_table<'t, T>(
    text: &'t str,
    columns: &[&str],
    mut parse_line: impl FnMut(&'t str) -> Result<T, String>,
) -> Vec<Result<T, TableProblem>> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line))
        .filter(|(_, line)| !line.trim().is_empty());
    match lines.next() {
        Some((_, header)) if split_record(header).is_ok_and(|names| names == columns) => {}
        found => {
            return vec![Err(TableProblem {
                line: found.map_or(1, |(number, _)| number),
                message: format!("the header must be {}", columns.join(",")),
            })];
        }
    }
    lines
        .map(|(number, line)| {
            parse_line(line).map_err(|message| TableProblem {
                line: number,
                message,
            })
        })
        .collect()
}

/// Splits one line into exactly `N` fields (see [`split_record`]). Any other count is an
/// error, because a missing or extra comma shifts every field after it.
pub(crate) fn record<const N: usize>(line: &str) -> Result<[String; N], String> {
    let fields = split_record(line)?;
    let found = fields.len();
    fields.try_into().map_err(|_| {
        format!("expected {N} fields, found {found} (quote a field that holds a comma)")
    })
}

/// Splits one line into fields: a field may be quoted, so it can hold a comma, and `""` inside
/// quotes is one quote. Unquoted fields are trimmed. A quoted field may not span lines; no
/// catalog entry needs that.
pub(crate) fn split_record(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.next_if_eq(&'"').is_some() {
            loop {
                match chars.next() {
                    Some('"') if chars.next_if_eq(&'"').is_some() => field.push('"'),
                    Some('"') => break,
                    Some(other) => field.push(other),
                    None => return Err("a quoted field is not closed".to_string()),
                }
            }
            fields.push(field);
            match chars.next() {
                None => return Ok(fields),
                Some(',') => {}
                Some(other) => return Err(format!("`{other}` after a closing quote")),
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        fields.push(field.trim().to_string());
                        return Ok(fields);
                    }
                    Some(',') => break,
                    Some('"') => return Err("a quote inside an unquoted field".to_string()),
                    Some(other) => field.push(other),
                }
            }
            fields.push(field.trim().to_string());
        }
    }
}

/// True for one normalised token: lower-case ASCII letters and digits, as names are after
/// folding and punctuation stripping. A table entry compared token by token that is not one
/// could never meet a name, and its line would be dead without anyone noticing.
pub(crate) fn is_normalised_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<Option<String>> {
        read_table(text, &["variant", "canonical"], record::<2>)
            .into_iter()
            .map(|line| line.err().map(|problem| problem.to_string()))
            .collect()
    }

    #[test]
    fn every_bad_line_is_reported_with_its_number_and_blank_lines_are_skipped() {
        let table = [
            "variant,canonical",
            "assoc,associates",
            "",
            "intl",
            "ctr,center,centre",
            r#""svc, svcs",services"#,
            r#""svc,services"#,
            r#""svc"x,services"#,
            r#"s"vc,services"#,
        ]
        .join("\n");
        assert_eq!(
            problems(&table),
            vec![
                None,
                Some(
                    "line 4: expected 2 fields, found 1 (quote a field that holds a comma)".into()
                ),
                Some(
                    "line 5: expected 2 fields, found 3 (quote a field that holds a comma)".into()
                ),
                None,
                Some("line 7: a quoted field is not closed".into()),
                Some("line 8: `x` after a closing quote".into()),
                Some("line 9: a quote inside an unquoted field".into()),
            ]
        );
    }

    #[test]
    fn a_quoted_field_keeps_its_commas_and_quotes_and_others_are_trimmed() {
        assert_eq!(
            record::<3>(r#"Korea, Republic of ,"a, ""b""", c "#),
            Err("expected 3 fields, found 4 (quote a field that holds a comma)".to_string())
        );
        assert_eq!(
            record::<2>(r#""Korea, Republic of", c "#),
            Ok(["Korea, Republic of".to_string(), "c".to_string()])
        );
        assert_eq!(
            split_record(r#"a,"b ""c""",,"#),
            Ok(vec![
                "a".to_string(),
                r#"b "c""#.to_string(),
                String::new(),
                String::new()
            ])
        );
    }

    #[test]
    fn a_wrong_or_missing_header_is_one_problem_and_no_records() {
        assert_eq!(
            problems("word,class\nassoc,associates"),
            vec![Some("line 1: the header must be variant,canonical".into())]
        );
        assert_eq!(
            problems("\n\nassoc,associates\nintl,international"),
            vec![Some("line 3: the header must be variant,canonical".into())]
        );
        assert_eq!(
            problems(""),
            vec![Some("line 1: the header must be variant,canonical".into())]
        );
        assert_eq!(
            problems(" variant , canonical \nassoc,associates"),
            vec![None]
        );
    }

    #[test]
    fn normalised_tokens_are_lower_case_ascii_letters_and_digits() {
        for token in ["assoc", "365", "p1"] {
            assert!(is_normalised_token(token), "{token}");
        }
        for text in ["", "Assoc", "assoc.", "two words", "müller"] {
            assert!(!is_normalised_token(text), "{text}");
        }
    }
}
