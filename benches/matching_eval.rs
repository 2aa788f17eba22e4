//! Matcher evaluation: accuracy on the labelled set in `tests/data/matching/`, against two
//! baselines measured in the same run, plus the 20,000 × 20,000 wall time.
//!
//! Run with `cargo bench --bench matching_eval`.

#[path = "../tests/matching_corpus.rs"]
mod corpus;

use billgap::domain::lines::{Party, SourceKey};
use billgap::domain::matching::{
    AUTO_ACCEPT_MARGIN, Band, ClientMatcher, Feedback, HIGH_THRESHOLD, REVIEW_THRESHOLD,
    auto_acceptable,
};
use corpus::{Dice, Row, base_names, generate};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use std::time::Instant;

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

struct Tally {
    label: &'static str,
    with_truth: usize,
    top1: usize,
    accepted: usize,
    accepted_right: usize,
    nanos: u128,
    queries: usize,
}

impl Tally {
    fn new(label: &'static str) -> Tally {
        Tally {
            label,
            with_truth: 0,
            top1: 0,
            accepted: 0,
            accepted_right: 0,
            nanos: 0,
            queries: 0,
        }
    }

    fn print(&self, has_accept: bool) {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let accept = if has_accept {
            format!(
                "precision@auto {:.4} ({}/{})  recall@auto {:.4}",
                ratio(self.accepted_right, self.accepted),
                self.accepted_right,
                self.accepted,
                ratio(self.accepted_right, self.with_truth)
            )
        } else {
            "precision@auto n/a (scores not comparable across queries)".to_string()
        };
        println!(
            "{:<28} top-1 {:.4} ({}/{})  {}  {:.1} µs/query",
            self.label,
            ratio(self.top1, self.with_truth),
            self.top1,
            self.with_truth,
            accept,
            self.nanos as f64 / 1000.0 / self.queries.max(1) as f64
        );
    }
}

fn evaluate_matcher(vendor: &[Row], psa: &[Row], name_only: bool) -> Tally {
    let pool: Vec<(SourceKey, Party)> = psa.iter().map(|row| keyed("psa", row)).collect();
    let matcher = ClientMatcher::new(pool);
    let feedback = Feedback::new();
    let mut tally = Tally::new(if name_only {
        "billgap (names only)"
    } else {
        "billgap (names + keys)"
    });
    let mut misses = Vec::new();
    for row in vendor {
        let (key, mut query) = keyed("vendor", row);
        if name_only {
            query.domain = None;
            query.external_id = None;
        }
        let start = Instant::now();
        let suggestions = matcher.suggest(&key, &query, &feedback, 5);
        tally.nanos += start.elapsed().as_nanos();
        tally.queries += 1;
        let has_truth = !row.truth.is_empty();
        if has_truth {
            tally.with_truth += 1;
            match suggestions.first() {
                Some(best) if is_true(row, &best.candidate_key.key) => tally.top1 += 1,
                best => misses.push(format!(
                    "  miss: {:?} → {:?} ({}) truth {}",
                    row.name,
                    best.map(|b| b.candidate_name.as_str()),
                    best.map_or(0, |b| b.score),
                    row.truth
                )),
            }
        }
        if let Some(accepted) = auto_acceptable(&suggestions, HIGH_THRESHOLD) {
            tally.accepted += 1;
            if is_true(row, &accepted.candidate_key.key) {
                tally.accepted_right += 1;
            } else {
                misses.push(format!(
                    "  WRONG AUTO-ACCEPT: {:?} → {:?} ({}) truth {}",
                    row.name, accepted.candidate_name, accepted.score, row.truth
                ));
            }
        }
    }
    if std::env::var_os("BILLGAP_EVAL_VERBOSE").is_some() {
        for miss in &misses {
            println!("{miss}");
        }
    }
    tally
}

fn evaluate_baseline(
    vendor: &[Row],
    psa: &[Row],
    label: &'static str,
    score: impl Fn(&str, &str) -> Option<f64>,
) -> Tally {
    let mut tally = Tally::new(label);
    for row in vendor {
        let start = Instant::now();
        let best = psa
            .iter()
            .filter_map(|candidate| score(&row.name, &candidate.name).map(|s| (candidate, s)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.id.cmp(&a.0.id)));
        tally.nanos += start.elapsed().as_nanos();
        tally.queries += 1;
        if !row.truth.is_empty() {
            tally.with_truth += 1;
            if best.is_some_and(|(candidate, _)| is_true(row, &candidate.id)) {
                tally.top1 += 1;
            }
        }
    }
    tally
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
    for _ in 0..3 {
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
    }
    let queried = best;
    println!(
        "{size} × {size}: index built in {:.2} s, {size} queries in {:.2} s on {threads} threads (best of 3) \
         (total {:.2} s, {found} with candidates)",
        built.as_secs_f64(),
        queried.as_secs_f64(),
        (built + queried).as_secs_f64()
    );
}

fn main() {
    let corpus = generate(&base_names(corpus::COMPANIES));
    println!(
        "labelled set: {} vendor queries ({} with the truth in the pool), {} PSA candidates",
        corpus.vendor.len(),
        corpus
            .vendor
            .iter()
            .filter(|row| !row.truth.is_empty())
            .count(),
        corpus.psa.len()
    );
    println!(
        "thresholds: high {HIGH_THRESHOLD}, review {REVIEW_THRESHOLD}, margin {AUTO_ACCEPT_MARGIN}"
    );
    evaluate_matcher(&corpus.vendor, &corpus.psa, false).print(true);
    evaluate_matcher(&corpus.vendor, &corpus.psa, true).print(true);
    let skim = SkimMatcherV2::default();
    evaluate_baseline(
        &corpus.vendor,
        &corpus.psa,
        "skim (raw names)",
        |query, choice| skim.fuzzy_match(choice, query).map(|score| score as f64),
    )
    .print(false);
    evaluate_baseline(
        &corpus.vendor,
        &corpus.psa,
        "jaro-winkler (lowercased)",
        |query, choice| {
            Some(strsim::jaro_winkler(
                &query.to_lowercase(),
                &choice.to_lowercase(),
            ))
        },
    )
    .print(false);
    band_counts(&corpus.vendor, &corpus.psa);
    let size = std::env::var("BILLGAP_EVAL_SIZE")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(20_000);
    wall_time(size);
}
