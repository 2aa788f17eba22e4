//! Matcher evaluation: top-1, top-5 and the precision and recall of the auto-accept (safe)
//! band on every evaluation set, next to two plain baselines measured in the same run
//! (Jaro-Winkler and a token-set ratio on normalised names), plus the 20,000 × 20,000 wall time.
//!
//! The sets (`support/eval_sets.rs`): the generated set of `tests/data/matching/`, and two
//! built from real organisation names with links made by others (`assets/eval/`, provenance
//! and licence in `assets/eval/NOTICE.md`).
//!
//! Run with `cargo bench --bench matching_eval`; `BILLGAP_EVAL_VERBOSE=1` lists the misses and
//! every wrong auto-accept, `BILLGAP_EVAL_SIZE=N` changes the wall-time size.

#[path = "support/baselines.rs"]
mod baselines;
#[path = "../tests/matching_corpus.rs"]
mod corpus;
#[path = "support/eval_sets.rs"]
mod eval_sets;

use billgap::domain::lines::{Party, SourceKey};
use billgap::domain::matching::{
    AUTO_ACCEPT_MARGIN, Band, ClientMatcher, Feedback, HIGH_THRESHOLD, Hold, REVIEW_THRESHOLD,
    safe_band,
};
use corpus::{Dice, Row, base_names, generate};
use eval_sets::{EvalSet, Query};
use std::collections::BTreeMap;
use std::time::Instant;

const AFFILIATIONS_CSV: &str = include_str!("../assets/eval/ietf_affiliations.csv");

fn party(row: &Row) -> Party {
    let optional = |text: &str| (!text.is_empty()).then(|| text.to_string());
    Party {
        key: row.id.clone(),
        name: row.name.clone(),
        domain: optional(&row.domain),
        external_id: optional(&row.external_id),
    }
}

/// A labelled row with its system-qualified key; the labelled set's two sides are two systems.
fn keyed(system: &str, row: &Row) -> (SourceKey, Party) {
    (SourceKey::new(system, row.id.clone()), party(row))
}

fn is_true(row: &Row, key: &str) -> bool {
    row.truth.split('|').any(|truth| truth == key)
}

/// The generated set as an evaluation set; with `name_only` the queries lose their keys.
fn synthetic_set(vendor: &[Row], psa: &[Row], name_only: bool) -> EvalSet {
    EvalSet {
        label: if name_only {
            "synthetic (names only)"
        } else {
            "synthetic (names + keys)"
        },
        pool: psa.iter().map(|row| keyed("psa", row)).collect(),
        queries: vendor
            .iter()
            .map(|row| {
                let (key, mut party) = keyed("vendor", row);
                if name_only {
                    party.domain = None;
                    party.external_id = None;
                }
                Query {
                    key,
                    party,
                    truth: row
                        .truth
                        .split('|')
                        .filter(|truth| !truth.is_empty())
                        .map(str::to_string)
                        .collect(),
                }
            })
            .collect(),
    }
}

#[derive(Default)]
struct Tally {
    with_truth: usize,
    top1: usize,
    top5: usize,
    accepted: usize,
    accepted_right: usize,
    nanos: u128,
    queries: usize,
    /// Right best answers the safe band held, by reason.
    held_right: BTreeMap<&'static str, usize>,
}

/// The kind of a hold, without its numbers, for counting.
fn hold_kind(hold: &Hold) -> &'static str {
    match hold {
        Hold::NoSuggestion => "no suggestion",
        Hold::BelowHighBand { .. } => "below high band",
        Hold::BelowThreshold { .. } => "below threshold",
        Hold::RunnerUpClose { .. } => "runner-up close",
        Hold::SitesOfOneOrganisation { .. } => "sites of one organisation",
        Hold::TailOnlyInVendorName { .. } => "tail only in vendor name",
        Hold::ShortCommonName => "short common name",
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

impl Tally {
    fn print(&self, set: &str, scorer: &str, has_accept: bool) {
        let accept = if has_accept {
            format!(
                "{:>6.4} ({:>4}/{:<4}) {:>6.4}",
                ratio(self.accepted_right, self.accepted),
                self.accepted_right,
                self.accepted,
                ratio(self.accepted_right, self.with_truth)
            )
        } else {
            format!("{:^27}", "n/a")
        };
        println!(
            "| {set:<36} | {scorer:<24} | {:>6.4} | {:>6.4} | {accept} | {:>8.1} |",
            ratio(self.top1, self.with_truth),
            ratio(self.top5, self.with_truth),
            self.nanos as f64 / 1000.0 / self.queries.max(1) as f64
        );
    }

    fn count(&mut self, truth: &[String], ranked: &[&str]) {
        self.queries += 1;
        if truth.is_empty() {
            return;
        }
        self.with_truth += 1;
        let right = |key: &&str| truth.iter().any(|t| t == key);
        if ranked.first().is_some_and(right) {
            self.top1 += 1;
        }
        if ranked.iter().take(5).any(right) {
            self.top5 += 1;
        }
    }
}

fn evaluate_matcher(set: &EvalSet, verbose: bool) -> Tally {
    let matcher = ClientMatcher::new(set.pool.clone());
    let names: std::collections::HashMap<&str, &str> = set
        .pool
        .iter()
        .map(|(key, party)| (key.key.as_str(), party.name.as_str()))
        .collect();
    let feedback = Feedback::new();
    let mut tally = Tally::default();
    let mut misses = Vec::new();
    for query in &set.queries {
        let start = Instant::now();
        let suggestions = matcher.suggest(&query.key, &query.party, &feedback, 5);
        tally.nanos += start.elapsed().as_nanos();
        let ranked: Vec<&str> = suggestions
            .iter()
            .map(|s| s.candidate_key.key.as_str())
            .collect();
        tally.count(&query.truth, &ranked);
        let truth_names: Vec<&str> = query
            .truth
            .iter()
            .map(|key| names.get(key.as_str()).copied().unwrap_or("?"))
            .collect();
        if !query.truth.is_empty()
            && !ranked
                .first()
                .is_some_and(|k| query.truth.iter().any(|t| t == k))
        {
            misses.push(format!(
                "  miss: {:?} → {:?} ({}) truth {:?}",
                query.party.name,
                suggestions.first().map(|b| b.candidate_name.as_str()),
                suggestions.first().map_or(0, |b| b.score),
                truth_names
            ));
        }
        let right_first = suggestions
            .first()
            .is_some_and(|best| query.truth.contains(&best.candidate_key.key));
        if let (true, Err(hold)) = (right_first, safe_band(&suggestions, HIGH_THRESHOLD)) {
            *tally.held_right.entry(hold_kind(&hold)).or_default() += 1;
        }
        if let Ok(accepted) = safe_band(&suggestions, HIGH_THRESHOLD) {
            tally.accepted += 1;
            if query.truth.contains(&accepted.candidate_key.key) {
                tally.accepted_right += 1;
            } else {
                misses.push(format!(
                    "  WRONG AUTO-ACCEPT: {:?} → {:?} ({}) truth {:?}",
                    query.party.name, accepted.candidate_name, accepted.score, truth_names
                ));
            }
        }
    }
    if verbose {
        for miss in &misses {
            println!("{miss}");
        }
    }
    tally
}

fn evaluate_baseline(set: &EvalSet, score: fn(&str, &str) -> f64) -> Tally {
    let pool: Vec<(&str, String)> = set
        .pool
        .iter()
        .map(|(key, party)| (key.key.as_str(), baselines::normalised(&party.name)))
        .collect();
    let mut tally = Tally::default();
    for query in &set.queries {
        let start = Instant::now();
        let text = baselines::normalised(&query.party.name);
        let mut scored: Vec<(f64, &str)> = pool
            .iter()
            .map(|(key, name)| (score(&text, name), *key))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        tally.nanos += start.elapsed().as_nanos();
        let ranked: Vec<&str> = scored.iter().take(5).map(|(_, key)| *key).collect();
        tally.count(&query.truth, &ranked);
    }
    tally
}

/// The table rows of one set: the matcher, then both baselines.
fn evaluate_set(set: &EvalSet, verbose: bool) {
    let with_truth = set.queries.iter().filter(|q| !q.truth.is_empty()).count();
    println!(
        "| {:<36} | {} queries ({} with one right answer), {} PSA names {:>width$} |",
        set.label,
        set.queries.len(),
        with_truth,
        set.pool.len(),
        "",
        width = 31
    );
    let tally = evaluate_matcher(set, verbose);
    tally.print(set.label, "billgap", true);
    let held: Vec<String> = tally
        .held_right
        .iter()
        .map(|(kind, count)| format!("{kind} {count}"))
        .collect();
    println!("|   right best answers held back: {}", held.join(", "));
    evaluate_baseline(set, strsim::jaro_winkler).print(
        set.label,
        "jaro-winkler (normalised)",
        false,
    );
    evaluate_baseline(set, baselines::token_set_ratio).print(
        set.label,
        "token-set ratio (norm.)",
        false,
    );
}

fn band_counts(vendor: &[Row], psa: &[Row]) {
    let matcher = ClientMatcher::new(psa.iter().map(|row| keyed("psa", row)).collect());
    let (mut true_scores, mut false_scores) = (Vec::new(), Vec::new());
    for row in vendor {
        let (key, query) = keyed("vendor", row);
        for suggestion in matcher.suggest(&key, &query, &Feedback::new(), 3) {
            if is_true(row, &suggestion.candidate_key.key) {
                true_scores.push(suggestion.score);
            } else {
                false_scores.push(suggestion.score);
            }
        }
    }
    // Reliability: how often a suggestion in each score bucket is a right pair.
    let mut buckets = [(0usize, 0usize); 11];
    for (score, right) in true_scores
        .iter()
        .map(|s| (*s, true))
        .chain(false_scores.iter().map(|s| (*s, false)))
    {
        let bucket = &mut buckets[usize::from(score / 10)];
        bucket.0 += 1;
        bucket.1 += usize::from(right);
    }
    let table: Vec<String> = buckets
        .iter()
        .enumerate()
        .filter(|(_, (count, _))| *count > 0)
        .map(|(index, (count, right))| {
            format!(
                "{}+: {:.3} of {count}",
                index * 10,
                *right as f64 / *count as f64
            )
        })
        .collect();
    println!("right-pair rate by score bucket: {}", table.join(", "));
    let share = |scores: &[u8], band: Band| {
        scores.iter().filter(|s| Band::of(**s) == band).count() as f64 / scores.len().max(1) as f64
    };
    println!(
        "score bands (top 3 per query): true pairs high {:.3} review {:.3} none {:.3}; \
         wrong pairs high {:.3} review {:.3} none {:.3}",
        share(&true_scores, Band::High),
        share(&true_scores, Band::Review),
        share(&true_scores, Band::None),
        share(&false_scores, Band::High),
        share(&false_scores, Band::Review),
        share(&false_scores, Band::None),
    );
}

/// Parties with their system-qualified keys, as the matcher takes them.
type Keyed = Vec<(SourceKey, Party)>;

/// A large synthetic pool and vendor-style queries for the wall-time measurement.
fn large_pool(size: usize) -> (Keyed, Keyed) {
    let bases = base_names(corpus::COMPANIES);
    let words: Vec<String> = bases
        .iter()
        .flat_map(|name| name.split(' ').map(str::to_string).collect::<Vec<_>>())
        .filter(|word| word.len() > 3 && word.chars().all(char::is_alphabetic))
        .collect();
    let mut dice = Dice::new(42);
    let mut pool = Vec::with_capacity(size);
    let mut queries = Vec::with_capacity(size);
    for index in 0..size {
        let count = 2 + (dice.roll() % 3) as usize;
        let name: Vec<&str> = (0..count).map(|_| dice.pick(&words).as_str()).collect();
        let name = format!(
            "{} {}",
            name.join(" "),
            dice.pick(&["LLC", "Inc", "Ltd", ""])
        );
        let (pool_key, query_key) = (format!("P{index:05}"), format!("Q{index:05}"));
        pool.push((
            SourceKey::new("psa", pool_key.clone()),
            Party {
                key: pool_key,
                name: name.clone(),
                domain: None,
                external_id: None,
            },
        ));
        queries.push((
            SourceKey::new("vendor", query_key.clone()),
            Party {
                key: query_key,
                name: name.to_uppercase().replace(" LLC", ", Inc."),
                domain: None,
                external_id: None,
            },
        ));
    }
    (pool, queries)
}

/// CPU seconds this process has used (user + system), from `/proc/self/stat`; `None` where
/// there is no such file. The machine running the bench may be shared, so the CPU time of the
/// query phase is printed next to its wall time.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn wall_time(size: usize) {
    let (pool, queries) = large_pool(size);
    let start = Instant::now();
    let matcher = ClientMatcher::new(pool);
    let built = start.elapsed();
    let feedback = Feedback::new();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(2);
    let chunk = queries.len().div_ceil(threads);
    // The machine is shared: the best of three runs is the least disturbed one.
    let mut best = std::time::Duration::MAX;
    let mut found = 0;
    let mut least_cpu = f64::MAX;
    for _ in 0..3 {
        let cpu_start = cpu_seconds();
        let query_start = Instant::now();
        found = std::thread::scope(|scope| {
            let handles: Vec<_> = queries
                .chunks(chunk)
                .map(|part| {
                    let (matcher, feedback) = (&matcher, &feedback);
                    scope.spawn(move || {
                        part.iter()
                            .filter(|(key, query)| {
                                !matcher.suggest(key, query, feedback, 3).is_empty()
                            })
                            .count()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
        });
        best = best.min(query_start.elapsed());
        if let (Some(start), Some(end)) = (cpu_start, cpu_seconds()) {
            least_cpu = least_cpu.min(end - start);
        }
    }
    let queried = best;
    if least_cpu < f64::MAX {
        println!(
            "{size} queries used {least_cpu:.2} s of CPU (least of 3): {:.2} s on {threads} idle cores",
            least_cpu / threads as f64
        );
    }
    println!(
        "{size} × {size}: index built in {:.2} s, {size} queries in {:.2} s on {threads} threads (best of 3) \
         (total {:.2} s, {found} with candidates)",
        built.as_secs_f64(),
        queried.as_secs_f64(),
        (built + queried).as_secs_f64()
    );
}

fn main() {
    let verbose = std::env::var_os("BILLGAP_EVAL_VERBOSE").is_some();
    let corpus = generate(&base_names(corpus::COMPANIES));
    let affiliations = eval_sets::read_affiliations(AFFILIATIONS_CSV);
    println!(
        "ietf labels set aside as contradicting the list ({}), each a spelling of another \
         organisation of the pool:",
        affiliations.contradictory.len()
    );
    for (spelling, labelled, named) in &affiliations.contradictory {
        println!("  {spelling:?} labelled {labelled:?}, but it names {named:?}");
    }
    println!(
        "safe band: high {HIGH_THRESHOLD}, review {REVIEW_THRESHOLD}, margin {AUTO_ACCEPT_MARGIN}, \
         no sibling sites, no short common name without a key"
    );
    println!(
        "| {:<36} | {:<24} | {:>6} | {:>6} | {:<27} | {:>8} |",
        "set", "scorer", "top-1", "top-5", "auto: precision (n) recall", "µs/query"
    );
    let sets = [
        synthetic_set(&corpus.vendor, &corpus.psa, false),
        synthetic_set(&corpus.vendor, &corpus.psa, true),
        eval_sets::affiliation_set(&affiliations, "ietf-affiliations (real)"),
        eval_sets::affiliation_set(&affiliations.as_labelled(), "ietf-affil. (every label)"),
        eval_sets::site_set(&affiliations, &mut Dice::new(0x0051_75E5)),
    ];
    let only_wall = std::env::var("BILLGAP_EVAL_ONLY").is_ok_and(|only| only == "wall");
    if !only_wall {
        for set in &sets {
            evaluate_set(set, verbose);
        }
        band_counts(&corpus.vendor, &corpus.psa);
    }
    let size = std::env::var("BILLGAP_EVAL_SIZE")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(20_000);
    wall_time(size);
}
