//! Company-name, domain and product-name normalisation, one rule per function.
//!
//! Names from vendor exports and PSAs disagree in case, punctuation, legal form, abbreviations
//! and site tails. Each rule here removes one kind of disagreement, and [`normalize_company`]
//! records every rule that changed the name in a [`Trail`], so a suggestion can say why two
//! names were considered equal. The catalog data (legal suffixes, abbreviations) is bundled with
//! `include_str!` and parsed once on first use: no I/O happens here.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

const LEGAL_SUFFIXES_CSV: &str = include_str!("../../assets/catalog/legal_suffixes.csv");
const ABBREVIATIONS_CSV: &str = include_str!("../../assets/catalog/abbreviations.csv");

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
    let mut trail = Trail {
        raw: raw.to_string(),
        steps: Vec::new(),
    };
    let folded = fold_case_and_diacritics(raw);
    trail.record(Rule::FoldCase, folded.clone());
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

/// True when the tokens end in a known legal form, used to report an Inc-versus-LLC
/// difference as weak evidence.
pub fn legal_suffix_of(raw: &str) -> Option<String> {
    let folded = fold_case_and_diacritics(raw);
    let (head, _) = split_site_tail(&folded);
    let tokens = join_initials(tokenize(&strip_punctuation(&read_ampersand(&head))));
    let kept = remove_legal_suffixes(tokens.clone());
    (kept.len() < tokens.len()).then(|| tokens[kept.len()..].join(" "))
}

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

/// Legal forms indexed by their last token; each list is longest first.
fn legal_suffixes() -> &'static HashMap<String, Vec<Vec<String>>> {
    static TABLE: OnceLock<HashMap<String, Vec<Vec<String>>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: HashMap<String, Vec<Vec<String>>> = HashMap::new();
        for line in LEGAL_SUFFIXES_CSV.lines().skip(1) {
            let Some((_group, term)) = line.split_once(',') else {
                continue;
            };
            let tokens = join_initials(tokenize(&strip_punctuation(&read_ampersand(
                &fold_case_and_diacritics(term),
            ))));
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

fn abbreviations() -> &'static HashMap<String, Vec<String>> {
    static TABLE: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        ABBREVIATIONS_CSV
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once(','))
            .map(|(variant, canonical)| (variant.trim().to_string(), tokenize(canonical)))
            .collect()
    })
}

/// Mail and hosting domains shared by unrelated companies; equal domains there prove nothing.
const GENERIC_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "ymail.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "protonmail.com",
    "proton.me",
    "gmx.com",
    "gmx.de",
    "web.de",
    "mail.com",
    "zoho.com",
    "comcast.net",
    "att.net",
    "sbcglobal.net",
    "verizon.net",
    "bellsouth.net",
    "cox.net",
    "charter.net",
    "bigpond.com",
    "bigpond.net.au",
    "optusnet.com.au",
    "btinternet.com",
    "sky.com",
    "shaw.ca",
    "rogers.com",
    "sympatico.ca",
    "xtra.co.nz",
    "onmicrosoft.com",
];

/// Second-level public suffixes common among MSP clients. This is a deliberate subset of the
/// public-suffix list; a domain under an unlisted multi-label suffix keeps one label too few,
/// which only makes an equal-domain match less likely, never wrong.
const MULTI_LABEL_SUFFIXES: &[&str] = &[
    "co.uk", "org.uk", "ac.uk", "gov.uk", "ltd.uk", "plc.uk", "me.uk", "com.au", "net.au",
    "org.au", "edu.au", "gov.au", "asn.au", "id.au", "co.nz", "org.nz", "net.nz", "govt.nz",
    "co.za", "org.za", "com.br", "com.mx", "com.ar", "co.jp", "co.in", "co.il", "com.sg", "com.hk",
    "com.cn", "co.kr", "com.tr", "com.my", "com.ph", "qc.ca", "on.ca", "bc.ca",
];

/// The registrable domain (eTLD+1) of a domain, URL or e-mail address, lower case:
/// "https://www.Contoso.co.uk/about" → "contoso.co.uk", "ap@contoso.com" → "contoso.com".
/// `None` for text without a dot and for generic mail domains, which identify nobody.
/// Tenant domains (`*.onmicrosoft.com`) are `None` too: use [`tenant_prefix`] for them.
pub fn registrable_domain(text: &str) -> Option<String> {
    let host = host_of(text)?;
    if host.ends_with(".onmicrosoft.com") {
        return None;
    }
    let labels: Vec<&str> = host.split('.').filter(|label| !label.is_empty()).collect();
    if labels.len() < 2 {
        return None;
    }
    let last_two = labels[labels.len() - 2..].join(".");
    let keep = if MULTI_LABEL_SUFFIXES.contains(&last_two.as_str()) {
        3
    } else {
        2
    };
    if labels.len() < keep {
        return None;
    }
    let registrable = labels[labels.len() - keep..].join(".");
    (!GENERIC_MAIL_DOMAINS.contains(&registrable.as_str())).then_some(registrable)
}

/// The tenant name of a Microsoft initial domain: "contosoltd.onmicrosoft.com" → "contosoltd".
/// Tenant names are chosen once and globally unique, so they are usually the squashed company
/// name plus noise: good evidence, but not proof.
pub fn tenant_prefix(text: &str) -> Option<String> {
    let host = host_of(text)?;
    let prefix = host.strip_suffix(".onmicrosoft.com")?;
    (!prefix.is_empty() && !prefix.contains('.')).then(|| prefix.to_string())
}

fn host_of(text: &str) -> Option<String> {
    let lowered = text.trim().to_ascii_lowercase();
    let without_scheme = lowered
        .split_once("://")
        .map_or(lowered.as_str(), |(_, rest)| rest);
    let after_at = without_scheme
        .rsplit_once('@')
        .map_or(without_scheme, |(_, host)| host);
    let host = after_at
        .split(['/', '?', '#', ':'])
        .next()?
        .trim_end_matches('.');
    let host = host.strip_prefix("www.").unwrap_or(host);
    (host.contains('.') && !host.contains(char::is_whitespace)).then(|| host.to_string())
}

/// A product name reduced to comparable tokens, with the term its words state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedProduct {
    /// Tokens and trail, as for company names; `site` is always empty.
    pub name: NormalizedName,
    /// The commitment the name states ("NCE Monthly", "1 Year"), if any.
    pub term: Option<crate::domain::lines::Term>,
}

/// Normalises a product name or id: fold, read `&`/`+`, strip punctuation, set aside term
/// words (remembering the term), and spell out shorthand ("m365" → "microsoft 365",
/// "plan 1" → "p1"). "Microsoft 365 Business Premium (NCE Monthly)" becomes
/// "microsoft 365 business premium" with the term Monthly.
pub fn normalize_product(raw: &str) -> NormalizedProduct {
    let mut trail = Trail {
        raw: raw.to_string(),
        steps: Vec::new(),
    };
    let folded = fold_case_and_diacritics(raw);
    trail.record(Rule::FoldCase, folded.clone());
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
            trail,
        },
        term,
    }
}

/// Reads the commitment stated by a product name's words. The commitment decides, not the
/// billing frequency: "1 Year Monthly Billing" is annual. Numbers alone never state a term,
/// because "Project Plan 3" and "E3" are product names.
pub fn term_in_words(tokens: &[String]) -> Option<crate::domain::lines::Term> {
    use crate::domain::lines::Term;
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
