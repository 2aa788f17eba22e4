//! Candidate generation: an inverted index on tokens, token prefixes and squashed-name
//! prefixes, so a query is scored against a few dozen names rather than the whole pool.

use crate::domain::matching::score::{initials, is_connector};
// Looked up per query word; see `score` for why the hasher is Fx.
use rustc_hash::FxHashMap as HashMap;

/// Characters of a token prefix used as a blocking key: long enough to be selective, short
/// enough that "contoso" and "contosso" share it.
const PREFIX_LENGTH: usize = 4;
/// Characters of the squashed name used as a blocking key ("biomerieux" / "bio merieux").
const SQUASHED_PREFIX_LENGTH: usize = 5;
/// Posting lists longer than this are only read when the query has nothing more selective.
const COMMON_POSTING: usize = 4_000;
/// Candidates passed on to full scoring. On the labelled set the truth was always within
/// the first 20 by block score; 40 leaves room for noisy names.
const SHORTLIST: usize = 40;
/// An acronym key shared by at most this many names always reaches full scoring.
const ACRONYM_KEPT: usize = 3;
/// At most this many names join the shortlist through [`ACRONYM_KEPT`].
const ACRONYM_EXTRA: usize = 6;
/// Weight of a prefix hit relative to a whole-token hit.
const PREFIX_HIT_SHARE: f64 = 0.6;

thread_local! {
    static SCRATCH: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Blocking keys of every candidate.
#[derive(Debug, Clone, Default)]
pub struct CandidateIndex {
    postings: HashMap<String, Vec<u32>>,
    candidates: usize,
}

/// The blocking keys of one name, each with its kind.
pub fn blocking_keys(tokens: &[String], site: &[String], extra_prefixes: &[String]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for token in tokens.iter().chain(site) {
        keys.push(format!("t:{token}"));
        if token.chars().count() >= PREFIX_LENGTH {
            keys.push(format!("p:{}", prefix(token, PREFIX_LENGTH)));
        }
    }
    // Acronyms meet their long form: "hvdg" and "harbor view dental group" share "a:hvdg".
    match tokens {
        [single] if (2..=6).contains(&single.chars().count()) => keys.push(format!("a:{single}")),
        [_, _, ..] => {
            let every_initial: String = tokens.iter().filter_map(|t| t.chars().next()).collect();
            keys.push(format!("a:{every_initial}"));
            let initials = initials(tokens);
            if initials.chars().count() >= 2 {
                keys.push(format!("a:{initials}"));
            }
        }
        _ => {}
    }
    let squashed: String = tokens.concat();
    if squashed.chars().count() >= SQUASHED_PREFIX_LENGTH {
        keys.push(format!("s:{}", prefix(&squashed, SQUASHED_PREFIX_LENGTH)));
    }
    for extra in extra_prefixes {
        if extra.chars().count() >= PREFIX_LENGTH {
            keys.push(format!("p:{}", prefix(extra, PREFIX_LENGTH)));
        }
        if extra.chars().count() >= SQUASHED_PREFIX_LENGTH {
            keys.push(format!("s:{}", prefix(extra, SQUASHED_PREFIX_LENGTH)));
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

/// The keys a query looks up: its own blocking keys, plus the looser acronyms a name is often
/// known by that are not its plain initials: one word left out ("nict" of "national institute
/// of information and communications technology"), a short first word kept whole ("hkust"),
/// or a first word that is itself an acronym followed by a site ("LJMU Austin"). They are
/// looked up, never indexed, so the index stays as small as the plain keys make it.
pub fn query_keys(tokens: &[String], site: &[String], extra_prefixes: &[String]) -> Vec<String> {
    let mut keys = blocking_keys(tokens, site, extra_prefixes);
    if tokens.len() >= 2 {
        let words: Vec<&String> = tokens.iter().filter(|t| !is_connector(t)).collect();
        for skipped in 1..words.len() {
            let loose: String = words
                .iter()
                .enumerate()
                .filter(|(index, _)| *index != skipped)
                .filter_map(|(_, word)| word.chars().next())
                .collect();
            if loose.chars().count() >= 3 {
                keys.push(format!("a:{loose}"));
            }
        }
        if let Some((first, rest)) = words.split_first() {
            if (2..=3).contains(&first.chars().count()) && !rest.is_empty() {
                let rest_initials: String = rest.iter().filter_map(|w| w.chars().next()).collect();
                keys.push(format!("a:{first}{rest_initials}"));
                // With the last word left out too: "hk university of science and technology
                // chicago" is "hkust" of Chicago.
                if rest.len() >= 2 {
                    let without_last: String = rest[..rest.len() - 1]
                        .iter()
                        .filter_map(|w| w.chars().next())
                        .collect();
                    keys.push(format!("a:{first}{without_last}"));
                }
            }
            if (2..=6).contains(&first.chars().count()) {
                keys.push(format!("a:{first}"));
            }
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

fn prefix(text: &str, length: usize) -> String {
    text.chars().take(length).collect()
}

impl CandidateIndex {
    /// Indexes candidates by their blocking keys; candidate `i` is the `i`-th item.
    pub fn build(keys_per_candidate: impl Iterator<Item = Vec<String>>) -> CandidateIndex {
        let mut postings: HashMap<String, Vec<u32>> = HashMap::default();
        let mut candidates = 0;
        for (position, keys) in keys_per_candidate.enumerate() {
            candidates += 1;
            for key in keys {
                postings.entry(key).or_default().push(position as u32);
            }
        }
        CandidateIndex {
            postings,
            candidates,
        }
    }

    /// The candidates worth scoring for a query, best block score first (ties by position).
    pub fn shortlist(&self, query_keys: &[String]) -> Vec<u32> {
        let mut lists: Vec<(&String, &Vec<u32>)> = query_keys
            .iter()
            .filter_map(|key| self.postings.get(key).map(|list| (key, list)))
            .collect();
        lists.sort_by(|a, b| a.1.len().cmp(&b.1.len()).then_with(|| a.0.cmp(b.0)));
        // A dense score array beats a hash map: postings touch thousands of candidates. It is
        // kept per thread and only the touched entries are reset, so a query costs what it
        // touches, not the size of the pool.
        SCRATCH.with_borrow_mut(|block_score| {
            if block_score.len() < self.candidates {
                block_score.resize(self.candidates, 0.0);
            }
            let mut shortlist = self.rank_blocks(&lists, block_score);
            // An acronym shared with few names is kept whatever the block scores say: "CDT"
            // shares one key with "Center for Democracy and Technology", while forty other
            // names share "center", "for" and "and".
            let mut extra = 0;
            for (key, list) in &lists {
                if key.starts_with("a:") && list.len() <= ACRONYM_KEPT {
                    for position in list.iter() {
                        if extra < ACRONYM_EXTRA && !shortlist.contains(position) {
                            shortlist.push(*position);
                            extra += 1;
                        }
                    }
                }
            }
            shortlist
        })
    }

    fn rank_blocks(&self, lists: &[(&String, &Vec<u32>)], block_score: &mut [f64]) -> Vec<u32> {
        let mut touched: Vec<u32> = Vec::new();
        for (rank, (key, list)) in lists.iter().enumerate() {
            if list.len() > COMMON_POSTING && rank > 0 {
                continue;
            }
            // Selectivity straight from the posting list, so prefixes and tokens compare.
            let rarity = ((self.candidates as f64 + 1.0) / (list.len() as f64 + 1.0)).ln() + 1.0;
            // A whole token or an acronym is as specific as it is rare; a prefix is weaker. An
            // acronym must not lose its place to names that merely share "center" and "for".
            let weight = if key.starts_with("t:") || key.starts_with("a:") {
                rarity
            } else {
                PREFIX_HIT_SHARE * rarity
            };
            for position in list.iter() {
                let score = &mut block_score[*position as usize];
                if *score == 0.0 {
                    touched.push(*position);
                }
                *score += weight;
            }
        }
        let mut ranked: Vec<(u32, f64)> = touched
            .into_iter()
            .map(|position| {
                let score = std::mem::take(&mut block_score[position as usize]);
                (position, score)
            })
            .collect();
        let order = |a: &(u32, f64), b: &(u32, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if ranked.len() > SHORTLIST {
            ranked.select_nth_unstable_by(SHORTLIST - 1, order);
            ranked.truncate(SHORTLIST);
        }
        ranked.sort_unstable_by(order);
        ranked.into_iter().map(|(position, _)| position).collect()
    }
}
