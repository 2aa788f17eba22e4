//! The rules a normalisation applies and the trail it leaves, so a suggestion can say why two
//! names were considered equal.

use super::steps::fold_case_and_diacritics;
use std::fmt;

/// One normalisation rule, named so that an explanation can cite it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Lower case, Unicode compatibility folding, diacritics removed.
    FoldCase,
    /// A site or branch tail split off: "- Main Office", "(HQ)".
    SplitSite,
    /// `&` and `+` read as "and".
    ReadAmpersand,
    /// Punctuation turned into spaces (apostrophes simply removed).
    StripPunctuation,
    /// Runs of single letters joined: "j r" becomes "jr".
    JoinInitials,
    /// A leading "the" dropped.
    DropLeadingThe,
    /// A trailing legal form dropped: Inc, LLC, GmbH, Pty Ltd, ….
    RemoveLegalSuffix,
    /// A business abbreviation spelled out: Assoc becomes associates.
    ExpandAbbreviation,
    /// A product term word (monthly, annual, NCE) set aside as the term.
    SetAsideTerm,
    /// A product shorthand spelled out: M365 becomes "microsoft 365", "plan 1" becomes p1.
    ExpandProductShorthand,
}

impl Rule {
    /// A short human label used in explanations.
    pub fn label(self) -> &'static str {
        match self {
            Rule::FoldCase => "case/diacritics",
            Rule::SplitSite => "site tail",
            Rule::ReadAmpersand => "&→and",
            Rule::StripPunctuation => "punctuation",
            Rule::JoinInitials => "initials",
            Rule::DropLeadingThe => "leading the",
            Rule::RemoveLegalSuffix => "legal suffix",
            Rule::ExpandAbbreviation => "abbreviation",
            Rule::SetAsideTerm => "term words",
            Rule::ExpandProductShorthand => "product shorthand",
        }
    }
}

/// One rule that changed a name, with the text it produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailStep {
    /// The rule applied.
    pub rule: Rule,
    /// The name after the rule.
    pub after: String,
}

/// Every rule that changed a name, in order. Rules that changed nothing are not recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trail {
    /// The name as it came from the source.
    pub raw: String,
    /// The rules that changed it.
    pub steps: Vec<TrailStep>,
}

impl Trail {
    /// Starts the trail of `raw` with the rule every normalisation begins with, case and
    /// diacritic folding, and returns the folded text with it.
    pub(super) fn begin_folded(raw: &str) -> (Trail, String) {
        let mut trail = Trail {
            raw: raw.to_string(),
            steps: Vec::new(),
        };
        let folded = fold_case_and_diacritics(raw);
        trail.record(Rule::FoldCase, folded.clone());
        (trail, folded)
    }

    pub(super) fn record(&mut self, rule: Rule, after: String) {
        let previous = self
            .steps
            .last()
            .map_or(self.raw.as_str(), |step| &step.after);
        if previous != after {
            self.steps.push(TrailStep { rule, after });
        }
    }
}

impl fmt::Display for Trail {
    /// `"Contoso Ltd." → "contoso" (case/diacritics, punctuation, legal suffix)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let last = self
            .steps
            .last()
            .map_or(self.raw.as_str(), |step| &step.after);
        write!(f, "\"{}\" → \"{}\"", self.raw, last)?;
        if !self.steps.is_empty() {
            let labels: Vec<&str> = self.steps.iter().map(|step| step.rule.label()).collect();
            write!(f, " ({})", labels.join(", "))?;
        }
        Ok(())
    }
}
