//! Legal forms (Inc, LLC, GmbH, Pty Ltd) at the end of company names, from the bundled table.

use super::{
    fold_case_and_diacritics, join_initials, read_ampersand, split_site_tail, strip_punctuation,
    tokenize,
};
use std::collections::HashMap;
use std::sync::OnceLock;

const LEGAL_SUFFIXES_CSV: &str = include_str!("../../../assets/catalog/legal_suffixes.csv");

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
        for line in LEGAL_SUFFIXES_CSV.lines().skip(1) {
            let Some((_group, term)) = line.split_once(',') else {
                continue;
            };
            let tokens = suffix_tokens(&fold_case_and_diacritics(term));
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
