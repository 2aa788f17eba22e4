//! Text fields: the path, search, reason and threshold prompts, and path completion.

use std::path::{MAIN_SEPARATOR, Path};

/// What a focused text field is for; it decides what submitting it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    /// The file to import.
    ImportPath,
    /// Where to write the report.
    ExportPath,
    /// Fuzzy search of the PSA list, to map the selected vendor entry.
    Search,
    /// The reason for ignoring the selected vendor entry.
    IgnoreReason,
    /// The optional expiry date (YYYY-MM-DD) of the ignore rule being made, with its reason.
    IgnoreExpiry(String),
    /// A text filter over the mapping queue.
    QueueFilter,
    /// A new per-client threshold.
    Threshold,
    /// The currency of a file that carries none.
    ImportCurrency,
    /// The billing period a file covers.
    ImportPeriod,
    /// A file to read beside the one to import (`--with`): the agreements or contracts of a
    /// raw API answer that names no company.
    ImportWith,
    /// The last day a gap is snoozed.
    SnoozeUntil,
    /// The note on a gap's work, for the state (and snooze day) chosen.
    GapNote(
        crate::domain::gap_work::GapWorkState,
        Option<chrono::NaiveDate>,
    ),
}

impl PromptKind {
    /// The label in front of the field.
    pub fn label(&self) -> &'static str {
        match self {
            PromptKind::ImportPath => "File to import",
            PromptKind::ExportPath => "Write report to",
            PromptKind::Search => "Search",
            PromptKind::IgnoreReason => "Reason to ignore",
            PromptKind::IgnoreExpiry(_) => "Ignore until (YYYY-MM-DD, empty: forever)",
            PromptKind::QueueFilter => "Filter",
            PromptKind::Threshold => "Threshold per client",
            PromptKind::ImportCurrency => "Currency of the file (e.g. USD; empty: from the file)",
            PromptKind::ImportPeriod => "Billing period (YYYY-MM; empty: from the charge dates)",
            PromptKind::ImportWith => {
                "File to join it with: its agreements or contracts (Tab completes; empty: none)"
            }
            PromptKind::SnoozeUntil => "Snooze until (YYYY-MM-DD)",
            PromptKind::GapNote(..) => "Note (how it is handled; may be empty)",
        }
    }
}

/// A focused one-line text field. The cursor is always at the end: fields are short, and
/// editing is typing, deleting and pasting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// What the text is for.
    pub kind: PromptKind,
    /// The text typed so far.
    pub text: String,
    /// For path fields: the completions offered by the last Tab, shown under the field.
    pub completions: Vec<String>,
}

impl Prompt {
    /// An empty field, or one pre-filled with `text`.
    pub fn new(kind: PromptKind, text: impl Into<String>) -> Prompt {
        Prompt {
            kind,
            text: text.into(),
            completions: Vec::new(),
        }
    }

    /// Inserts typed or pasted text; line breaks from a paste become nothing, since every
    /// field is one line.
    pub fn insert(&mut self, text: &str) {
        self.text
            .extend(text.chars().filter(|c| *c != '\n' && *c != '\r'));
        self.completions.clear();
    }

    /// Deletes the last character.
    pub fn backspace(&mut self) {
        self.text.pop();
        self.completions.clear();
    }

    /// Completes the text as a path from `matches`, the entries [`path_matches`] found for
    /// `for_text`: to the only match, or to the longest common prefix of several, which are then
    /// listed. Matches found for an older text (the operator kept typing) are ignored.
    pub fn apply_path_matches(&mut self, for_text: &str, matches: Vec<String>) {
        if self.text != for_text {
            return;
        }
        let directory = split_path(&self.text).0.to_string();
        match matches.as_slice() {
            [] => self.completions.clear(),
            [only] => {
                self.text = format!("{directory}{only}");
                self.completions.clear();
            }
            [first, rest @ ..] => {
                let common = rest.iter().fold(first.clone(), |common, name| {
                    common
                        .chars()
                        .zip(name.chars())
                        .take_while(|(a, b)| a == b)
                        .map(|(a, _)| a)
                        .collect()
                });
                self.text = format!("{directory}{common}");
                self.completions = matches;
            }
        }
    }
}

/// What submitting a field means, once its text is read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Detect this file for import.
    ImportPath(String),
    /// Write the report here.
    ExportPath(String),
    /// Use this per-client threshold.
    Threshold(rust_decimal::Decimal),
    /// Import with this currency for rows that carry none (`None`: only the file's own).
    ImportCurrency(Option<crate::domain::money::Currency>),
    /// Import under this billing period (`None`: from the charge dates).
    ImportPeriod(Option<crate::domain::lines::Period>),
    /// Read this file beside the one to import (`None`: join no file).
    ImportWith(Option<std::path::PathBuf>),
    /// Record this work on the selected gap.
    GapWork {
        /// Where it stands.
        state: crate::domain::gap_work::GapWorkState,
        /// The note.
        note: String,
        /// For a snooze, the last day.
        until: Option<chrono::NaiveDate>,
    },
    /// Map the selected entry to the selected search result.
    SearchResult,
    /// Ignore the selected entry.
    Ignore {
        /// Why.
        reason: String,
        /// The last day the rule applies.
        until: Option<chrono::NaiveDate>,
    },
    /// Filter the queue by this text.
    QueueFilter(String),
    /// Ask for another field (the ignore rule's expiry, after its reason).
    Next(Prompt),
    /// The text is not valid: say why and keep the field focused.
    Invalid {
        /// Why, for the status line.
        message: String,
        /// The field, as it was.
        prompt: Prompt,
    },
}

impl Prompt {
    /// Reads and checks the field's text. Pure: the app carries out what it means.
    pub fn submit(self) -> Submitted {
        let text = self.text.trim().to_string();
        match &self.kind {
            PromptKind::ImportPath => Submitted::ImportPath(text),
            PromptKind::ExportPath => Submitted::ExportPath(text),
            PromptKind::Threshold => match text.parse::<rust_decimal::Decimal>() {
                Ok(value) if !value.is_sign_negative() => Submitted::Threshold(value),
                _ => Submitted::Invalid {
                    message: format!("'{text}' is not a threshold: expected a number ≥ 0"),
                    prompt: self,
                },
            },
            PromptKind::ImportCurrency if text.is_empty() => Submitted::ImportCurrency(None),
            PromptKind::ImportCurrency => match text.to_uppercase().parse() {
                Ok(currency) => Submitted::ImportCurrency(Some(currency)),
                Err(_) => Submitted::Invalid {
                    message: format!("'{text}' is not a currency: expected a code such as USD"),
                    prompt: self,
                },
            },
            PromptKind::ImportWith if text.is_empty() => Submitted::ImportWith(None),
            PromptKind::ImportWith => Submitted::ImportWith(Some(text.into())),
            PromptKind::ImportPeriod if text.is_empty() => Submitted::ImportPeriod(None),
            PromptKind::ImportPeriod => match text.parse() {
                Ok(period) => Submitted::ImportPeriod(Some(period)),
                Err(_) => Submitted::Invalid {
                    message: format!("'{text}' is not a period: expected YYYY-MM"),
                    prompt: self,
                },
            },
            PromptKind::SnoozeUntil => match text.parse::<chrono::NaiveDate>() {
                Ok(day) => Submitted::Next(Prompt::new(
                    PromptKind::GapNote(crate::domain::gap_work::GapWorkState::Snoozed, Some(day)),
                    "",
                )),
                Err(_) => Submitted::Invalid {
                    message: format!("'{text}' is not a date: expected YYYY-MM-DD"),
                    prompt: self,
                },
            },
            PromptKind::GapNote(state, until) => Submitted::GapWork {
                state: *state,
                note: text,
                until: *until,
            },
            PromptKind::Search => Submitted::SearchResult,
            PromptKind::IgnoreReason if text.is_empty() => Submitted::Invalid {
                message: "An ignore rule needs a reason.".to_string(),
                prompt: self,
            },
            PromptKind::IgnoreReason => {
                Submitted::Next(Prompt::new(PromptKind::IgnoreExpiry(text), ""))
            }
            PromptKind::IgnoreExpiry(reason) if text.is_empty() => Submitted::Ignore {
                reason: reason.clone(),
                until: None,
            },
            PromptKind::IgnoreExpiry(reason) => {
                match chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
                    Ok(date) => Submitted::Ignore {
                        reason: reason.clone(),
                        until: Some(date),
                    },
                    Err(_) => Submitted::Invalid {
                        message: format!("'{text}' is not a date: expected YYYY-MM-DD"),
                        prompt: self,
                    },
                }
            }
            PromptKind::QueueFilter => Submitted::QueueFilter(text),
        }
    }
}

/// The directory part (with its trailing separator) and the name being typed.
fn split_path(text: &str) -> (&str, &str) {
    match text.rfind(['/', MAIN_SEPARATOR]) {
        Some(index) => text.split_at(index.saturating_add(1)),
        None => ("", text),
    }
}

/// The entries of the typed directory whose names start with the typed name, sorted, with a
/// trailing `/` on directories; hidden entries only when the name starts with a dot. Reads the
/// disk, so the workbench calls it on a worker: a slow network drive never freezes the screen.
/// An unreadable directory offers nothing.
pub fn path_matches(text: &str) -> Vec<String> {
    let (directory, prefix) = split_path(text);
    let listing = if directory.is_empty() {
        Path::new(".")
    } else {
        Path::new(directory)
    };
    let Ok(entries) = std::fs::read_dir(listing) else {
        return Vec::new();
    };
    let mut matches: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            let is_dir = entry.file_type().is_ok_and(|kind| kind.is_dir());
            Some(if is_dir { format!("{name}/") } else { name })
        })
        .collect();
    matches.sort();
    matches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_completes_a_unique_file_and_lists_ambiguous_ones() {
        let folder = tempfile::tempdir().expect("temp dir");
        std::fs::write(folder.path().join("pax8-nov.csv"), "x").expect("write");
        std::fs::write(folder.path().join("psa-nov.csv"), "x").expect("write");
        std::fs::create_dir(folder.path().join("archive")).expect("mkdir");
        let base = format!("{}/", folder.path().display());

        let complete = |text: String| {
            let mut prompt = Prompt::new(PromptKind::ImportPath, text.clone());
            prompt.apply_path_matches(&text, path_matches(&text));
            prompt
        };
        assert_eq!(
            complete(format!("{base}pa")).text,
            format!("{base}pax8-nov.csv")
        );

        let prompt = complete(format!("{base}p"));
        assert_eq!(prompt.text, format!("{base}p"));
        assert_eq!(prompt.completions, vec!["pax8-nov.csv", "psa-nov.csv"]);

        assert_eq!(
            complete(format!("{base}ar")).text,
            format!("{base}archive/")
        );

        let mut late = Prompt::new(PromptKind::ImportPath, format!("{base}pax"));
        late.apply_path_matches(&format!("{base}p"), vec!["psa-nov.csv".into()]);
        assert_eq!(
            late.text,
            format!("{base}pax"),
            "an outdated completion is ignored"
        );
    }
}
