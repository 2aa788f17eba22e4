//! Company names: every rule composed, from the raw name to comparable tokens.

use super::abbreviation::expand_abbreviations;
use super::legal_suffix::{remove_legal_suffixes, split_after_legal_form};
use super::steps::{
    drop_leading_the, join_initials, read_ampersand, split_site_tail, strip_punctuation, tokenize,
};
use super::trail::{Rule, Trail};

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
    // "Org GmbH Annex": without a separator, a short tail after the legal form is the site.
    let mut split_tail = None;
    if site_text.is_none() {
        if let Some((head, tail)) = split_after_legal_form(&tokens) {
            tokens = head;
            split_tail = Some(tail);
        }
    }
    trail.record(Rule::RemoveLegalSuffix, tokens.join(" "));
    tokens = expand_abbreviations(tokens);
    trail.record(Rule::ExpandAbbreviation, tokens.join(" "));
    let site = match site_text {
        Some(text) => expand_abbreviations(tokenize(&strip_punctuation(&read_ampersand(&text)))),
        None => split_tail.map(expand_abbreviations).unwrap_or_default(),
    };
    NormalizedName {
        tokens,
        site,
        trail,
    }
}
