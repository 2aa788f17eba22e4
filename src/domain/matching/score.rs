//! Name similarity: IDF-weighted soft token overlap blended with whole-string similarity.
//!
//! Token weights come from the candidate pool (rare tokens identify, frequent ones do not),
//! from the generic-word list (service, group, consulting carry little), and from operator
//! feedback (noise tokens). Near tokens count through Jaro-Winkler, so a typo costs a little
//! rather than everything.

use crate::domain::matching::feedback::Feedback;
// The token tables are looked up for every word of every candidate compared: SipHash was a
// tenth of the matcher's time, and these keys come from the user's own files.
use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

const GENERIC_WORDS_CSV: &str = include_str!("../../../assets/catalog/generic_words.csv");

/// Weight multiplier for generic company words; they still count, just less.
const GENERIC_WORD_FACTOR: f64 = 0.5;
/// Jaro-Winkler below this is not a near token.
const NEAR_TOKEN_FLOOR: f64 = 0.90;
/// Credit for a near token, relative to its Jaro-Winkler similarity: a near token is
/// evidence, but "johnson" and "johnston" are different families.
const NEAR_TOKEN_CREDIT: f64 = 0.75;
/// Credit for two different words of the same generic class ("consulting" and "consultancy").
const SAME_CLASS_CREDIT: f64 = 0.8;
/// Share of the blended score given to the token overlap; the rest is character similarity.
const TOKEN_SHARE: f64 = 0.7;

/// Document frequencies of the candidate pool, turned into token weights.
#[derive(Debug, Clone)]
pub struct TokenWeights {
    /// IDF times the generic-word factor, per token of the pool, computed once.
    base: HashMap<String, f64>,
    documents: u32,
    /// A further factor per token for the kind of name compared (tier words of products).
    factor: fn(&str) -> f64,
}

impl TokenWeights {
    /// Counts each token once per candidate.
    pub fn learn<'a>(names: impl Iterator<Item = &'a [String]>) -> TokenWeights {
        TokenWeights::learn_with(names, |_| 1.0)
    }

    /// Like [`TokenWeights::learn`], with a further weight factor per token: product names
    /// weigh tier words ("business", "standard") below brand and edition words.
    pub fn learn_with<'a>(
        names: impl Iterator<Item = &'a [String]>,
        factor: fn(&str) -> f64,
    ) -> TokenWeights {
        let mut document_frequency: HashMap<String, u32> = HashMap::default();
        let mut documents = 0;
        for tokens in names {
            documents += 1;
            let mut seen: Vec<&String> = Vec::with_capacity(tokens.len());
            for token in tokens {
                if !seen.contains(&token) {
                    seen.push(token);
                    *document_frequency.entry(token.clone()).or_default() += 1;
                }
            }
        }
        let base = document_frequency
            .into_iter()
            .map(|(token, frequency)| {
                let weight =
                    smoothed_idf(documents, frequency) * generic_factor(&token) * factor(&token);
                (token, weight)
            })
            .collect();
        TokenWeights {
            base,
            documents,
            factor,
        }
    }

    /// The weight a token carries in a comparison: smoothed IDF (a token the pool has never
    /// seen weighs the most), lowered for generic words and for learned noise.
    pub fn weight(&self, token: &str, feedback: &Feedback) -> f64 {
        let base = match self.base.get(token) {
            Some(weight) => *weight,
            None => smoothed_idf(self.documents, 0) * generic_factor(token) * (self.factor)(token),
        };
        base * feedback.noise_factor(token)
    }
}

fn smoothed_idf(documents: u32, frequency: u32) -> f64 {
    ((f64::from(documents) + 1.0) / (f64::from(frequency) + 1.0)).ln() + 1.0
}

fn generic_factor(token: &str) -> f64 {
    if generic_class(token).is_some() {
        GENERIC_WORD_FACTOR
    } else {
        1.0
    }
}

/// The class of the connecting words ("and", "of", "de"): low weight like every class word,
/// but two different connectors are not near each other, and initials skip them.
const CONNECTOR_CLASS: &str = "connector";

/// True for a connecting word ("and", "of", "de", "la"), which initials leave out: "CNRS" is
/// "Centre National de la Recherche Scientifique".
pub fn is_connector(token: &str) -> bool {
    generic_class(token) == Some(CONNECTOR_CLASS)
}

/// The initials of a name's words, without connecting words ("cdt" of "center for democracy
/// and technology").
pub fn initials(tokens: &[String]) -> String {
    tokens
        .iter()
        .filter(|token| !is_connector(token))
        .filter_map(|token| token.chars().next())
        .collect()
}

/// The class of a frequent company word ("services" → "srv"), if it is one.
pub fn generic_class(token: &str) -> Option<&'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            // A line that does not parse is left out rather than failing a match; the test
            // `every_line_of_the_bundled_generic_words_is_a_word` fails on any such line, so a
            // shipped table has none.
            parse_generic_words(GENERIC_WORDS_CSV)
                .into_iter()
                .filter_map(Result::ok)
                .collect()
        })
        .get(token)
        .copied()
}

/// Reads `generic_words.csv`: the header `word,class`, then one word and its class per line
/// (blank lines are skipped). Returns one result per word line, so a test can name every line
/// that does not parse.
fn parse_generic_words(text: &str) -> Vec<Result<(&str, &str), String>> {
    crate::domain::normalize::table::read_table(text, &["word", "class"], parse_generic_word)
        .into_iter()
        .map(|line| line.map_err(|problem| problem.to_string()))
        .collect()
}

/// One word line. The word must be a single normalised token (lower-case ASCII letters and
/// digits), because names are compared token by token after folding: any other word could never
/// meet a name, and its line would be dead without anyone noticing.
fn parse_generic_word(line: &str) -> Result<(&str, &str), String> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let [word, class] = fields.as_slice() else {
        return Err(format!("expected 2 fields, found {}", fields.len()));
    };
    let is_token = |text: &str| {
        !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    };
    if !is_token(word) {
        return Err(format!("`{word}` is not one normalised token"));
    }
    if class.is_empty() {
        return Err(format!("`{word}` has no class"));
    }
    Ok((word, class))
}

/// How similar two tokens are, 0 to 1 (1 only when equal), given their generic classes.
fn classed_similarity(
    left: &str,
    right: &str,
    left_class: Option<&str>,
    right_class: Option<&str>,
) -> f64 {
    if left == right {
        return 1.0;
    }
    if let (Some(a), Some(b)) = (left_class, right_class) {
        if a == b && a != CONNECTOR_CLASS {
            return SAME_CLASS_CREDIT;
        }
    }
    let has_digit = |token: &str| token.chars().any(|c| c.is_ascii_digit());
    if left.len() < 4 || right.len() < 4 || has_digit(left) || has_digit(right) {
        return 0.0;
    }
    if !may_reach_near_floor(left, right) {
        return 0.0;
    }
    let similarity = strsim::jaro_winkler(left, right);
    if similarity >= NEAR_TOKEN_FLOOR {
        similarity * NEAR_TOKEN_CREDIT
    } else {
        0.0
    }
}

/// A cheap upper bound on Jaro-Winkler, so most token pairs skip the full computation.
///
/// Jaro counts matching characters `m`, which cannot exceed the characters the two tokens
/// have in common as multisets. With `m` at that bound and no transpositions, Jaro is at most
/// `(c/|a| + c/|b| + 1) / 3`, and the Winkler prefix bonus (at most four characters, factor
/// 0.1) lifts it to at most `j + 0.4 (1 - j)`.
fn may_reach_near_floor(left: &str, right: &str) -> bool {
    let mut histogram = [0i16; 64];
    let (mut left_length, mut right_length) = (0usize, 0usize);
    for character in left.chars() {
        histogram[(character as usize) & 63] += 1;
        left_length += 1;
    }
    let mut common = 0usize;
    for character in right.chars() {
        let bucket = &mut histogram[(character as usize) & 63];
        if *bucket > 0 {
            common += 1;
        }
        *bucket -= 1;
        right_length += 1;
    }
    let common = common as f64;
    let jaro = (common / left_length as f64 + common / right_length as f64 + 1.0) / 3.0;
    jaro + 0.4 * (1.0 - jaro) >= NEAR_TOKEN_FLOOR
}

/// One token of one side and how well the other side covers it.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenCover {
    /// The token's index in its side's token list.
    pub token: usize,
    /// Its weight in this comparison.
    pub weight: f64,
    /// The index of the other side's closest token and the similarity, when any.
    pub best: Option<(usize, f64)>,
}

/// The result of comparing two token lists.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlap {
    /// Weighted soft Dice of the two sides, 0 to 1.
    pub score: f64,
    /// Share of the total weight carried by tokens matched only nearly (typo, same class):
    /// a score built on near tokens is never certain enough to auto-accept.
    pub near_share: f64,
    /// How each left token is covered.
    pub left: Vec<TokenCover>,
    /// How each right token is covered.
    pub right: Vec<TokenCover>,
}

/// Symmetric IDF-weighted soft token overlap: each side's tokens are covered by their best
/// match on the other side, and the covered weight of both sides is divided by the total.
pub fn soft_overlap(
    left: &[String],
    right: &[String],
    weights: &TokenWeights,
    feedback: &Feedback,
) -> Overlap {
    // One similarity matrix serves both directions; classes are looked up once per token.
    let left_classes: Vec<Option<&str>> = left.iter().map(|t| generic_class(t)).collect();
    let right_classes: Vec<Option<&str>> = right.iter().map(|t| generic_class(t)).collect();
    let mut matrix = vec![0.0; left.len() * right.len()];
    for (i, a) in left.iter().enumerate() {
        for (j, b) in right.iter().enumerate() {
            matrix[i * right.len() + j] =
                classed_similarity(a, b, left_classes[i], right_classes[j]);
        }
    }
    let best = |similarities: &mut dyn Iterator<Item = (usize, f64)>| {
        similarities
            .filter(|(_, similarity)| *similarity > 0.0)
            .fold(
                None,
                |best: Option<(usize, f64)>, (index, similarity)| match best {
                    Some((_, top)) if top >= similarity => best,
                    _ => Some((index, similarity)),
                },
            )
    };
    let left_cover: Vec<TokenCover> = left
        .iter()
        .enumerate()
        .map(|(i, token)| TokenCover {
            token: i,
            weight: weights.weight(token, feedback),
            best: best(&mut (0..right.len()).map(|j| (j, matrix[i * right.len() + j]))),
        })
        .collect();
    let right_cover: Vec<TokenCover> = right
        .iter()
        .enumerate()
        .map(|(j, token)| TokenCover {
            token: j,
            weight: weights.weight(token, feedback),
            best: best(&mut (0..left.len()).map(|i| (i, matrix[i * right.len() + j]))),
        })
        .collect();
    let covered = |covers: &[TokenCover]| -> (f64, f64, f64) {
        covers
            .iter()
            .fold((0.0, 0.0, 0.0), |(matched, total, near), cover| {
                let similarity = cover.best.as_ref().map_or(0.0, |(_, s)| *s);
                let inexact = if similarity > 0.0 && similarity < 1.0 {
                    cover.weight
                } else {
                    0.0
                };
                (
                    matched + cover.weight * similarity,
                    total + cover.weight,
                    near + inexact,
                )
            })
    };
    let (left_matched, left_total, left_near) = covered(&left_cover);
    let (right_matched, right_total, right_near) = covered(&right_cover);
    let total = left_total + right_total;
    let (score, near_share) = if total > 0.0 {
        (
            (left_matched + right_matched) / total,
            (left_near + right_near) / total,
        )
    } else {
        (0.0, 0.0)
    };
    Overlap {
        score,
        near_share,
        left: left_cover,
        right: right_cover,
    }
}

/// Whole-string similarity of the space-squashed forms: the mean of Jaro-Winkler and bigram
/// Dice, so "biomerieux" meets "bio merieux" and a dropped letter costs little.
pub fn character_similarity(left: &str, right: &str) -> f64 {
    if left.is_empty() || right.is_empty() {
        return 0.0;
    }
    if left == right {
        return 1.0;
    }
    0.5 * strsim::jaro_winkler(left, right) + 0.5 * bigram_dice(left, right)
}

/// Sørensen-Dice over character bigrams, on sorted vectors rather than hash maps: the same
/// value as `strsim::sorensen_dice` for whitespace-free text, several times faster.
fn bigram_dice(left: &str, right: &str) -> f64 {
    if left.is_ascii() && right.is_ascii() {
        // Normalised names are nearly always ASCII: bigrams of bytes need no `char` vector.
        let bigrams = |text: &str| {
            let mut pairs: Vec<u16> = text
                .as_bytes()
                .windows(2)
                .map(|w| u16::from_be_bytes([w[0], w[1]]))
                .collect();
            pairs.sort_unstable();
            pairs
        };
        return dice_of_sorted(&bigrams(left), &bigrams(right));
    }
    let bigrams = |text: &str| {
        let characters: Vec<char> = text.chars().collect();
        let mut pairs: Vec<(char, char)> = characters.windows(2).map(|w| (w[0], w[1])).collect();
        pairs.sort_unstable();
        pairs
    };
    dice_of_sorted(&bigrams(left), &bigrams(right))
}

/// Dice's coefficient of two sorted multisets.
fn dice_of_sorted<T: Ord>(a: &[T], b: &[T]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

pub use super::acronym::{is_acronym_of, spells_abbreviation};

/// Blends token overlap and character similarity into one 0..1 similarity.
pub fn blend(token_score: f64, character_score: f64) -> f64 {
    TOKEN_SHARE * token_score + (1.0 - TOKEN_SHARE) * character_score
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_jaro_winkler_bound_never_drops_a_near_token() {
        let words = [
            "contoso",
            "contosso",
            "johnson",
            "johnston",
            "smith",
            "smithson",
            "associates",
            "assoc",
            "meyer",
            "meyers",
            "williams",
            "wiliams",
            "plumbing",
            "plumbers",
            "abcd",
            "dcba",
            "harbor",
            "harbour",
            "center",
            "centre",
            "müller",
            "muller",
        ];
        for left in words {
            for right in words {
                if strsim::jaro_winkler(left, right) >= NEAR_TOKEN_FLOOR {
                    assert!(may_reach_near_floor(left, right), "{left} / {right}");
                }
            }
        }
        assert!(!may_reach_near_floor("contoso", "fabrikam"));
    }

    #[test]
    fn bigram_dice_agrees_with_strsim_on_squashed_names() {
        let pairs = [
            ("contosoltd", "contoso"),
            ("biomerieux", "biomerieux"),
            ("smithandassociates", "smithassociates"),
            ("aaaa", "aa"),
            ("ab", "cd"),
        ];
        for (left, right) in pairs {
            let expected = strsim::sorensen_dice(left, right);
            assert!(
                (bigram_dice(left, right) - expected).abs() < 1e-9,
                "{left} / {right}"
            );
        }
        // Beyond ASCII, bigrams of characters (strsim divides by byte lengths there): "mü",
        // "ül" against "mu", "ul", and 5 of 7 shared.
        assert!((bigram_dice("mullerag", "müllerag") - 10.0 / 14.0).abs() < 1e-9);
    }

    #[test]
    fn every_line_of_the_bundled_generic_words_is_a_word() {
        let parsed = parse_generic_words(GENERIC_WORDS_CSV);
        let problems: Vec<&String> = parsed
            .iter()
            .filter_map(|line| line.as_ref().err())
            .collect();
        assert!(problems.is_empty(), "{problems:#?}");
        let word_lines = GENERIC_WORDS_CSV
            .lines()
            .skip(1)
            .filter(|line| !line.trim().is_empty())
            .count();
        assert_eq!(parsed.len(), word_lines);
        let mut words: Vec<&str> = parsed
            .iter()
            .filter_map(|line| line.as_ref().ok())
            .map(|(word, _)| *word)
            .collect();
        words.sort_unstable();
        words.dedup();
        assert_eq!(
            words.len(),
            word_lines,
            "a word listed twice keeps one class"
        );
    }

    #[test]
    fn a_bad_generic_word_line_is_reported_with_its_number() {
        let table = "word,class\nservices,srv\n\nTwo Words,x\nconsulting\nab,c,d\ngroup,";
        let problems: Vec<Option<String>> = parse_generic_words(table)
            .into_iter()
            .map(|line| line.err())
            .collect();
        assert_eq!(
            problems,
            vec![
                None,
                Some("line 4: `Two Words` is not one normalised token".into()),
                Some("line 5: expected 2 fields, found 1".into()),
                Some("line 6: expected 2 fields, found 3".into()),
                Some("line 7: `group` has no class".into()),
            ]
        );
        assert!(parse_generic_words("token,class\nservices,srv")[0].is_err());
    }

    #[test]
    fn near_tokens_earn_partial_credit_and_numbers_must_be_equal() {
        let similarity =
            |a: &str, b: &str| classed_similarity(a, b, generic_class(a), generic_class(b));
        assert_eq!(similarity("contoso", "contoso"), 1.0);
        let typo = similarity("contoso", "contosso");
        assert!(typo > 0.7 && typo < 1.0, "{typo}");
        assert_eq!(similarity("2024", "2025"), 0.0);
        assert_eq!(similarity("abc", "abd"), 0.0);
        assert_eq!(similarity("consulting", "consultancy"), SAME_CLASS_CREDIT);
    }

    #[test]
    fn acronyms_skip_connecting_words_and_may_keep_a_short_first_word() {
        let words = |text: &str| text.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert!(is_acronym_of(
            &words("cnrs"),
            &words("centre national de la recherche scientifique")
        ));
        assert!(is_acronym_of(
            &words("cdt"),
            &words("center for democracy and technology")
        ));
        assert!(spells_abbreviation(
            "nict",
            &words("national institute of information and communications technology")
        ));
        assert!(spells_abbreviation(
            "hkust",
            &words("hk university of science and technology")
        ));
        assert!(
            !spells_abbreviation("nt", &words("national technology")),
            "too short"
        );
        assert!(
            !spells_abbreviation("abc", &words("xavier bright clinic")),
            "the first word always counts"
        );
        assert!(
            !spells_abbreviation("ac", &words("acme clinic")),
            "two letters only as plain initials"
        );
        assert!(
            !spells_abbreviation("nt", &words("national institute of information technology")),
            "one word may be left out, not two"
        );
        assert!(!spells_abbreviation(
            "ntx",
            &words("national institute of information technology")
        ),);
        assert!(!spells_abbreviation("acme", &words("acme clinic")));
    }
}
