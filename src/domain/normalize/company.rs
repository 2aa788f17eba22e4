//! Company names: every rule composed, from the raw name to comparable tokens.

use super::abbreviation::expand_abbreviations;
use super::legal_suffix::{remove_legal_suffixes, split_after_legal_form};
use super::steps::{
    drop_leading_the, join_initials, read_ampersand, split_aside, split_site_tail,
    strip_punctuation, tokenize,
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
    /// Tokens of a bracketed aside between the name and its site, as in "NASK (PL-TLD) North
    /// Campus": another name for the organisation, not part of the site, so it is compared only
    /// as an alias.
    pub aside: Vec<String>,
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
    let words =
        |text: &str| expand_abbreviations(tokenize(&strip_punctuation(&read_ampersand(text))));
    let (aside, site) = match site_text.as_deref().map(split_aside) {
        Some((Some(aside), site)) if !only_legal_forms(&words(&site)) => {
            (words(&aside), words(&site))
        }
        Some(_) => (
            Vec::new(),
            site_text.as_deref().map(words).unwrap_or_default(),
        ),
        None => (
            Vec::new(),
            split_tail.map(expand_abbreviations).unwrap_or_default(),
        ),
    };
    NormalizedName {
        tokens,
        site,
        aside,
        trail,
    }
}

/// True when every word is a legal form: "Acme (UK) Ltd" has no site after its aside.
fn only_legal_forms(words: &[String]) -> bool {
    let mut with_name = vec![String::new()];
    with_name.extend_from_slice(words);
    remove_legal_suffixes(with_name).len() == 1
}
