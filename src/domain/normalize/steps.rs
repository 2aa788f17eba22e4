//! The steps every kind of name shares: folding, the site tail, `&`, punctuation, tokens,
//! initials and a leading "the". They need no table, and the rules that do build on them.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

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

/// Splits a site tail that begins with a bracketed aside ("PL-TLD) North Campus", the opening
/// bracket having been the cut) into the aside and the words after its closing bracket, the
/// site. A tail without a closing bracket followed by words is all site.
pub fn split_aside(tail: &str) -> (Option<String>, String) {
    let close = tail.find([')', ']']);
    let open = tail.find(['(', '[']);
    match close {
        Some(close) if open.is_none_or(|open| open > close) => {
            let (aside, after) = (tail[..close].trim(), tail[close + 1..].trim());
            if aside.chars().any(char::is_alphanumeric) && after.chars().any(char::is_alphanumeric)
            {
                (Some(aside.to_string()), after.to_string())
            } else {
                (None, tail.to_string())
            }
        }
        _ => (None, tail.to_string()),
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
/// becomes "llc" (which the legal-suffix rule can then remove). An "and" between two single
/// letters is part of the run, because "K&S", "K & S" and "KS" are one company's initials
/// (`&` has been read as "and" already).
pub fn join_initials(tokens: Vec<String>) -> Vec<String> {
    let mut joined: Vec<String> = Vec::with_capacity(tokens.len());
    let mut run = String::new();
    let mut run_length = 0;
    let is_initial =
        |token: &str| token.chars().count() == 1 && token.chars().all(char::is_alphabetic);
    for (index, token) in tokens.iter().enumerate() {
        if is_initial(token) {
            run.push_str(token);
            run_length += 1;
            continue;
        }
        let links_initials = token == "and"
            && run_length > 0
            && tokens.get(index + 1).is_some_and(|next| is_initial(next));
        if links_initials {
            continue;
        }
        flush_initials(&mut joined, &mut run, &mut run_length);
        joined.push(token.clone());
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
