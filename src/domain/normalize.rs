//! Company-name, domain and product-name normalisation, one rule per function.
//!
//! Names from vendor exports and PSAs disagree in case, punctuation, legal form, abbreviations
//! and site tails. Each rule here removes one kind of disagreement, and [`normalize_company`]
//! records every rule that changed the name in a [`Trail`], so a suggestion can say why two
//! names were considered equal. The catalog data (legal suffixes, abbreviations) is bundled with
//! `include_str!` and parsed once on first use: no I/O happens here.
//!
//! The shared steps (folding, the site tail, punctuation, initials) live here; the rules that
//! need a bundled table or serve one kind of name have their own module.

mod abbreviation;
mod legal_suffix;
mod product;
pub(crate) mod table;
mod web_domain;

pub use abbreviation::expand_abbreviations;
pub use legal_suffix::{legal_suffix_of, remove_legal_suffixes};
pub use product::{
    NormalizedProduct, expand_product_shorthand, normalize_product, set_aside_term_words,
    term_in_words,
};
pub use web_domain::{registrable_domain, tenant_prefix};

use std::fmt;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

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
    fn begin_folded(raw: &str) -> (Trail, String) {
        let mut trail = Trail {
            raw: raw.to_string(),
            steps: Vec::new(),
        };
        let folded = fold_case_and_diacritics(raw);
        trail.record(Rule::FoldCase, folded.clone());
        (trail, folded)
    }

    fn record(&mut self, rule: Rule, after: String) {
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

/// A company name reduced to comparable tokens.
///
/// Invariant: `tokens` is never empty when the raw name had at least one letter or digit,
/// because no rule removes a name's only token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedName {
    /// The name's tokens without its site tail.
    pub tokens: Vec<String>,
    /// Tokens of a site or branch tail ("main office"), kept apart for scoring.
    pub site: Vec<String>,
    /// How the raw name became `tokens`.
    pub trail: Trail,
}

impl NormalizedName {
    /// The tokens joined with single spaces.
    pub fn text(&self) -> String {
        self.tokens.join(" ")
    }

    /// The tokens joined without spaces, so "bio merieux" equals "biomerieux".
    pub fn squashed(&self) -> String {
        self.tokens.concat()
    }
}

/// Normalises a company name with every rule, in the order that makes them compose:
/// fold, split the site tail, read `&`, strip punctuation, join initials, drop a leading "the",
/// remove legal suffixes, expand abbreviations.
pub fn normalize_company(raw: &str) -> NormalizedName {
    let (mut trail, folded) = Trail::begin_folded(raw);
    let (head, site_text) = split_site_tail(&folded);
    trail.record(Rule::SplitSite, head.clone());
    let head = read_ampersand(&head);
    trail.record(Rule::ReadAmpersand, head.clone());
    let mut tokens = tokenize(&strip_punctuation(&head));
    trail.record(Rule::StripPunctuation, tokens.join(" "));
    tokens = join_initials(tokens);
    trail.record(Rule::JoinInitials, tokens.join(" "));
    tokens = drop_leading_the(tokens);
    trail.record(Rule::DropLeadingThe, tokens.join(" "));
    tokens = remove_legal_suffixes(tokens);
    trail.record(Rule::RemoveLegalSuffix, tokens.join(" "));
    tokens = expand_abbreviations(tokens);
    trail.record(Rule::ExpandAbbreviation, tokens.join(" "));
    let site = site_text
        .map(|text| expand_abbreviations(tokenize(&strip_punctuation(&read_ampersand(&text)))))
        .unwrap_or_default();
    NormalizedName {
        tokens,
        site,
        trail,
    }
}

/// Lower case with compatibility folding and without diacritics, so "Müller" equals "MULLER"
/// and full-width letters equal ASCII ones. Letters NFKD does not decompose (ß, æ, ø, ł) are
/// spelled out.
pub fn fold_case_and_diacritics(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for character in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        match character {
            'ß' => folded.push_str("ss"),
            'æ' | 'Æ' => folded.push_str("ae"),
            'ø' | 'Ø' => folded.push('o'),
            'ł' | 'Ł' => folded.push('l'),
            'œ' | 'Œ' => folded.push_str("oe"),
            _ => folded.extend(character.to_lowercase()),
        }
    }
    folded
}

/// Splits a site, branch or status tail off a name: "contoso - main office", "contoso (hq)",
/// "contoso | dallas", "contoso: old". Returns the head and the tail. A name whose head would be
/// empty ("(old) contoso") is returned whole, and a hyphen without spaces ("hewlett-packard")
/// is part of the name.
pub fn split_site_tail(text: &str) -> (String, Option<String>) {
    let separators = [" - ", " – ", " — ", " | ", "(", "[", ":", " / "];
    let cut = separators
        .iter()
        .filter_map(|separator| text.find(separator))
        .filter(|position| text[..*position].chars().any(char::is_alphanumeric))
        .min();
    match cut {
        Some(position) => {
            let tail = text[position..]
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_string();
            let head = text[..position].trim().to_string();
            (head, (!tail.is_empty()).then_some(tail))
        }
        None => (text.trim().to_string(), None),
    }
}

/// Reads `&` and `+` as the word "and", so "A & B" equals "A AND B".
pub fn read_ampersand(text: &str) -> String {
    text.replace(['&', '+'], " and ")
}

/// Turns punctuation into spaces, except apostrophes, which are removed so "int'l" stays one
/// word ("intl") and "o'brien" stays "obrien".
pub fn strip_punctuation(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '\'' | '’' | '`'))
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect()
}

/// Splits on whitespace.
pub fn tokenize(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

/// Joins runs of two or more single letters, so "j r smith" equals "jr smith" and "l l c"
/// becomes "llc" (which the legal-suffix rule can then remove).
pub fn join_initials(tokens: Vec<String>) -> Vec<String> {
    let mut joined: Vec<String> = Vec::with_capacity(tokens.len());
    let mut run = String::new();
    let mut run_length = 0;
    let is_initial =
        |token: &str| token.chars().count() == 1 && token.chars().all(char::is_alphabetic);
    for token in tokens {
        if is_initial(&token) {
            run.push_str(&token);
            run_length += 1;
            continue;
        }
        flush_initials(&mut joined, &mut run, &mut run_length);
        joined.push(token);
    }
    flush_initials(&mut joined, &mut run, &mut run_length);
    joined
}

fn flush_initials(joined: &mut Vec<String>, run: &mut String, run_length: &mut usize) {
    if *run_length > 0 {
        joined.push(std::mem::take(run));
    }
    *run_length = 0;
}

/// Drops a leading "the" unless it is the only token.
pub fn drop_leading_the(mut tokens: Vec<String>) -> Vec<String> {
    if tokens.len() > 1 && tokens[0] == "the" {
        tokens.remove(0);
    }
    tokens
}
