//! Product names: term words set aside (remembering the term) and vendor shorthand spelled out.

use super::company::NormalizedName;
use super::steps::{read_ampersand, strip_punctuation, tokenize};
use super::trail::{Rule, Trail};
use crate::domain::lines::Term;

/// A product name reduced to comparable tokens, with the term its words state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedProduct {
    /// Tokens and trail, as for company names; `site` is always empty.
    pub name: NormalizedName,
    /// The commitment the name states ("NCE Monthly", "1 Year"), if any.
    pub term: Option<Term>,
}

/// Normalises a product name or id: fold, read `&`/`+`, strip punctuation, set aside term
/// words (remembering the term), and spell out shorthand ("m365" → "microsoft 365",
/// "plan 1" → "p1"). "Microsoft 365 Business Premium (NCE Monthly)" becomes
/// "microsoft 365 business premium" with the term Monthly.
pub fn normalize_product(raw: &str) -> NormalizedProduct {
    let (mut trail, folded) = Trail::begin_folded(raw);
    let mut tokens = tokenize(&strip_punctuation(&read_ampersand(&folded)));
    trail.record(Rule::StripPunctuation, tokens.join(" "));
    let term = term_in_words(&tokens);
    tokens = set_aside_term_words(tokens);
    trail.record(Rule::SetAsideTerm, tokens.join(" "));
    tokens = expand_product_shorthand(tokens);
    trail.record(Rule::ExpandProductShorthand, tokens.join(" "));
    NormalizedProduct {
        name: NormalizedName {
            tokens,
            site: Vec::new(),
            aside: Vec::new(),
            trail,
        },
        term,
    }
}

/// Reads the commitment stated by a product name's words. The commitment decides, not the
/// billing frequency: "1 Year Monthly Billing" is annual. Numbers alone never state a term,
/// because "Project Plan 3" and "E3" are product names.
pub fn term_in_words(tokens: &[String]) -> Option<Term> {
    let word = |index: usize| tokens.get(index).map_or("", String::as_str);
    let mut years = None;
    let mut monthly = false;
    for index in 0..tokens.len() {
        let next_is_year = matches!(word(index + 1), "year" | "years" | "yr" | "yrs");
        match word(index) {
            "3yr" | "p3y" | "triennial" => years = Some(3),
            "three" | "3" if next_is_year => years = Some(3),
            "1yr" | "p1y" | "annual" | "annually" | "yearly" | "annum" => years = years.or(Some(1)),
            "one" | "1" | "12" if next_is_year => years = years.or(Some(1)),
            "year" if index == 0 || !matches!(word(index - 1), "three" | "3") => {
                years = years.or(Some(1))
            }
            "monthly" | "month" | "mth" | "p1m" | "mo" => monthly = true,
            "trial" => return Some(Term::Trial),
            _ => {}
        }
    }
    match (years, monthly) {
        (Some(3), _) => Some(Term::ThreeYear),
        (Some(_), _) => Some(Term::Annual),
        (None, true) => Some(Term::Monthly),
        (None, false) => None,
    }
}

/// Words that describe how a product is sold rather than what it is.
fn is_term_word(token: &str) -> bool {
    matches!(
        token,
        "nce"
            | "monthly"
            | "month"
            | "months"
            | "mth"
            | "mo"
            | "annual"
            | "annually"
            | "yearly"
            | "year"
            | "years"
            | "yr"
            | "yrs"
            | "1yr"
            | "3yr"
            | "p1m"
            | "p1y"
            | "p3y"
            | "annum"
            | "commitment"
            | "commit"
            | "billing"
            | "billed"
            | "subscription"
            | "csp"
            | "trial"
            | "triennial"
    )
}

/// Removes term words, and the numbers that belong to them ("1 year", "12 months").
pub fn set_aside_term_words(tokens: Vec<String>) -> Vec<String> {
    let mut kept: Vec<String> = Vec::with_capacity(tokens.len());
    for (index, token) in tokens.iter().enumerate() {
        let next_is_term = tokens.get(index + 1).is_some_and(|next| is_term_word(next));
        let number_of_term =
            matches!(token.as_str(), "1" | "3" | "12" | "36" | "one" | "three") && next_is_term;
        if is_term_word(token) || number_of_term {
            continue;
        }
        kept.push(token.clone());
    }
    if kept.is_empty() { tokens } else { kept }
}

/// Spells out vendor shorthand so "M365 Business Premium" meets "Microsoft 365 Business
/// Premium", and compresses "plan 1" to "p1" so "Exchange Online (Plan 1)" meets "EXO P1".
pub fn expand_product_shorthand(tokens: Vec<String>) -> Vec<String> {
    let mut expanded: Vec<String> = Vec::with_capacity(tokens.len() + 2);
    let mut index = 0;
    while index < tokens.len() {
        let token = tokens[index].as_str();
        let next = tokens.get(index + 1).map(String::as_str);
        match (token, next) {
            ("plan", Some(number)) if number.chars().all(|c| c.is_ascii_digit()) => {
                expanded.push(format!("p{number}"));
                index += 1;
            }
            ("m365", _) => expanded.extend(["microsoft".to_string(), "365".to_string()]),
            ("o365", _) => expanded.extend(["office".to_string(), "365".to_string()]),
            ("d365", _) => expanded.extend(["dynamics".to_string(), "365".to_string()]),
            ("ms", _) => expanded.push("microsoft".to_string()),
            ("exo", _) => expanded.extend(["exchange".to_string(), "online".to_string()]),
            ("prem", _) => expanded.push("premium".to_string()),
            ("std", _) => expanded.push("standard".to_string()),
            ("bus" | "biz", _) => expanded.push("business".to_string()),
            _ => expanded.push(token.to_string()),
        }
        index += 1;
    }
    expanded
}
