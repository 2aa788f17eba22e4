//! Acronyms: a short name that spells the initials of a long one ("ibm" and "international
//! business machines"), with or without its connecting words.

use super::score::{initials, is_connector};

/// True when one side is a single short token that spells the initials of the other's tokens
/// ("ibm" and "international business machines"), with or without the connecting words
/// ("cnrs" and "centre national de la recherche scientifique").
pub fn is_acronym_of(short: &[String], long: &[String]) -> bool {
    if short.len() != 1 || long.len() < 2 {
        return false;
    }
    let every_initial: String = long
        .iter()
        .filter_map(|token| token.chars().next())
        .collect();
    let acronym = &short[0];
    acronym.len() >= 2 && (*acronym == every_initial || *acronym == initials(long))
}

/// Shortest acronym read through [`spells_abbreviation`]: shorter ones spell too many names.
const LOOSE_ACRONYM: usize = 3;

/// True when `acronym` reads as the leading letters of the words of `long`, in order: every
/// word but the connecting ones gives its first letter, a word of up to three letters may give
/// more ("hkust" of "hk university of science and technology"), a connecting word gives nothing or its first
/// letter, and at most one word after the first gives nothing ("nict" of "national institute
/// of information and communications technology").
pub fn spells_abbreviation(acronym: &str, long: &[String]) -> bool {
    let letters: Vec<char> = acronym.chars().collect();
    if letters.len() < LOOSE_ACRONYM || long.len() < 2 {
        return false;
    }
    // States: (letters read, skips used) reachable after each word.
    let mut states: Vec<(usize, u8)> = vec![(0, 0)];
    for (index, word) in long.iter().enumerate() {
        let word: Vec<char> = word.chars().collect();
        let connector = is_connector(&long[index]);
        let mut next: Vec<(usize, u8)> = Vec::new();
        for &(read, skips) in &states {
            let mut push = |state: (usize, u8)| {
                if !next.contains(&state) {
                    next.push(state);
                }
            };
            if connector {
                push((read, skips));
            } else if index > 0 && skips == 0 {
                push((read, 1));
            }
            // Only a short word ("hk") gives more than its first letter, or "acme" would be
            // an acronym of "acme clinic".
            let longest = if connector || word.len() > 3 {
                1
            } else {
                word.len()
            };
            for taken in 1..=longest {
                if read + taken > letters.len() || letters[read..read + taken] != word[..taken] {
                    break;
                }
                push((read + taken, skips));
            }
        }
        states = next;
        if states.is_empty() {
            return false;
        }
    }
    states.iter().any(|(read, _)| *read == letters.len())
}
