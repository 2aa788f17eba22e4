//! The evaluation sets of `matching_eval`: each is a pool of PSA-style names and queries with
//! the keys of their right answers, built in the same shape whatever the source.
//!
//! * `synthetic`: the generated set of `tests/data/matching/` (built next to the matcher).
//! * `ietf-affiliations`: real organisation names with links made by others: the affiliation
//!   spellings of IETF participants that the ietfdata maintainers mapped by hand to one
//!   organisation (`assets/eval/ietf_affiliations.csv`, provenance and licence in
//!   `assets/eval/NOTICE.md`). The pool is every organisation of the list; each query is one
//!   spelling, and its truth is the organisation the maintainers mapped it to.
//! * `ietf-sites`: the "Org - Site" shape many PSAs use, built from the same real organisation
//!   names: a PSA keeps one company per site (spelled "Org - Site", "Org Site" or
//!   "Org (Site)"), sometimes next to the bare organisation; the vendor names the site in its own
//!   style, sometimes with one of the organisation's real other spellings, or names only the
//!   organisation. A bare query of an organisation with several records has no single right
//!   answer: it counts for no top-k, and any auto-accept of it is wrong.

#![allow(dead_code)]

use billgap::domain::lines::{Party, SourceKey};
use std::collections::BTreeMap;

/// One query with the keys of its right answers; empty when no single record is right.
pub struct Query {
    pub key: SourceKey,
    pub party: Party,
    pub truth: Vec<String>,
}

/// A pool and its queries.
pub struct EvalSet {
    pub label: &'static str,
    pub pool: Vec<(SourceKey, Party)>,
    pub queries: Vec<Query>,
}

pub fn party(key: &str, name: &str) -> Party {
    Party {
        key: key.to_string(),
        name: name.to_string(),
        domain: None,
        external_id: None,
    }
}

/// The organisations and the other spellings of `ietf_affiliations.csv`.
pub struct Affiliations {
    pub organisations: Vec<String>,
    /// (spelling, organisation).
    pub variants: Vec<(String, String)>,
    /// Labels that contradict the list itself, set aside from the scored spellings.
    pub contradictory: Vec<Contradiction>,
}

/// (spelling, organisation it was mapped to, organisation whose name it is).
pub type Contradiction = (String, String, String);

/// A name's words without case, punctuation, legal forms or connecting words: two names with
/// the same words name the same thing to any reader.
fn plain_words(name: &str) -> String {
    const CONNECTORS: [&str; 14] = [
        "and", "of", "the", "de", "la", "le", "du", "des", "der", "di", "da", "do", "y", "for",
    ];
    let normalized = billgap::domain::normalize::normalize_company(name);
    normalized
        .tokens
        .iter()
        .chain(&normalized.site)
        .filter(|word| !CONNECTORS.contains(&word.as_str()))
        .cloned()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Affiliations {
    /// The same list with the contradictory labels scored as the maintainers made them.
    pub fn as_labelled(&self) -> Affiliations {
        let mut variants = self.variants.clone();
        variants.extend(
            self.contradictory
                .iter()
                .map(|(spelling, labelled, _)| (spelling.clone(), labelled.clone())),
        );
        variants.sort();
        Affiliations {
            organisations: self.organisations.clone(),
            variants,
            contradictory: Vec::new(),
        }
    }
}

/// Splits off the spellings whose words are those of a *different* organisation of the list
/// ("Dongguk Univ" mapped to Dongeui University while the list holds Dongguk University): no
/// name comparison can give the labelled answer, and a right one would be scored wrong. The
/// preparation of the file already left out spellings equal to another organisation's name
/// character for character; this catches the same contradiction through abbreviations and
/// connecting words.
fn set_aside_contradictions(
    organisations: &[String],
    variants: Vec<(String, String)>,
) -> (Vec<(String, String)>, Vec<Contradiction>) {
    let mut by_words: BTreeMap<String, Vec<&String>> = BTreeMap::new();
    for organisation in organisations {
        by_words
            .entry(plain_words(organisation))
            .or_default()
            .push(organisation);
    }
    let mut kept = Vec::new();
    let mut contradictory = Vec::new();
    for (spelling, organisation) in variants {
        let other = by_words
            .get(&plain_words(&spelling))
            .and_then(|named| named.iter().find(|named| **named != &organisation));
        match other {
            Some(other) => contradictory.push((spelling, organisation, other.to_string())),
            None => kept.push((spelling, organisation)),
        }
    }
    (kept, contradictory)
}

pub fn read_affiliations(text: &str) -> Affiliations {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut organisations = Vec::new();
    let mut variants = Vec::new();
    for record in reader.records() {
        let record = record.expect("the committed eval file reads");
        let (kind, name, canonical) = (&record[0], &record[1], &record[2]);
        match kind {
            "organisation" => organisations.push(name.to_string()),
            _ => variants.push((name.to_string(), canonical.to_string())),
        }
    }
    let (variants, contradictory) = set_aside_contradictions(&organisations, variants);
    Affiliations {
        organisations,
        variants,
        contradictory,
    }
}

/// Real spellings against the organisation list.
pub fn affiliation_set(affiliations: &Affiliations, label: &'static str) -> EvalSet {
    let key_of: BTreeMap<&str, String> = affiliations
        .organisations
        .iter()
        .enumerate()
        .map(|(index, name)| (name.as_str(), format!("org-{index:04}")))
        .collect();
    let pool = affiliations
        .organisations
        .iter()
        .map(|name| {
            let key = &key_of[name.as_str()];
            (SourceKey::new("psa", key.clone()), party(key, name))
        })
        .collect();
    let queries = affiliations
        .variants
        .iter()
        .enumerate()
        .map(|(index, (spelling, organisation))| {
            let key = format!("q-{index:04}");
            Query {
                key: SourceKey::new("vendor", key.clone()),
                party: party(&key, spelling),
                truth: key_of
                    .get(organisation.as_str())
                    .cloned()
                    .into_iter()
                    .collect(),
            }
        })
        .collect();
    EvalSet {
        label,
        pool,
        queries,
    }
}

/// Site names: places and the usual office words (facts, not anyone's data).
const SITES: &[&str] = &[
    "Boston",
    "Dallas",
    "Austin",
    "Denver",
    "Phoenix",
    "Portland",
    "Seattle",
    "Atlanta",
    "Chicago",
    "Houston",
    "Tampa",
    "Omaha",
    "Tulsa",
    "Reno",
    "Boise",
    "Fresno",
    "Raleigh",
    "Richmond",
    "Madison",
    "Lincoln",
    "Springfield",
    "Franklin",
    "Georgetown",
    "Salem",
    "Eastgate",
    "Westfield",
    "Riverside",
    "Lakeside",
    "Main Office",
    "Head Office",
    "Warehouse",
    "North Campus",
    "South Campus",
    "Downtown Clinic",
    "Research Lab",
    "Annex",
    "Plant 2",
    "West Wing",
];

const LEGAL: &[&str] = &["", "", "Inc", "LLC", "Ltd", "Corp."];

/// The site-style set: deterministic for the file and the seed.
pub fn site_set(affiliations: &Affiliations, dice: &mut super::corpus::Dice) -> EvalSet {
    let mut spellings: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (spelling, organisation) in &affiliations.variants {
        spellings
            .entry(organisation.as_str())
            .or_default()
            .push(spelling.as_str());
    }
    let mut pool = Vec::new();
    let mut queries = Vec::new();
    let add_query = |name: String, truth: Vec<String>, queries: &mut Vec<Query>| {
        let key = format!("q-{:05}", queries.len());
        queries.push(Query {
            key: SourceKey::new("vendor", key.clone()),
            party: party(&key, &name),
            truth,
        });
    };
    for (index, organisation) in affiliations.organisations.iter().enumerate() {
        // About one organisation in three, so the pool mixes multi-site and plain ones.
        if !dice.chance(35) {
            continue;
        }
        let sites_wanted = 1 + (dice.roll() % 4) as usize;
        let mut sites: Vec<&str> = Vec::new();
        while sites.len() < sites_wanted {
            let site = *dice.pick(SITES);
            if !sites.contains(&site) {
                sites.push(site);
            }
        }
        let mut records: Vec<String> = Vec::new();
        let with_bare = sites.len() >= 2 && dice.chance(30);
        if with_bare {
            let key = format!("s-{index:04}-0");
            pool.push((
                SourceKey::new("psa", key.clone()),
                party(&key, organisation),
            ));
            records.push(key);
        }
        let mut site_records = Vec::new();
        for (number, site) in sites.iter().enumerate() {
            let key = format!("s-{index:04}-{}", number + 1);
            let name = match dice.roll() % 20 {
                0..=11 => format!("{organisation} - {site}"),
                12..=16 => format!("{organisation} {site}"),
                _ => format!("{organisation} ({site})"),
            };
            pool.push((SourceKey::new("psa", key.clone()), party(&key, &name)));
            records.push(key.clone());
            site_records.push((key, *site));
        }
        let other_spellings = spellings.get(organisation.as_str());
        for (key, site) in site_records.iter().take(2) {
            let head = match other_spellings {
                Some(others) if dice.chance(40) => dice.pick(others).to_string(),
                _ => organisation.clone(),
            };
            let name = match dice.roll() % 4 {
                0 => format!("{head} {site}"),
                1 => format!("{head} - {site}"),
                2 => format!("{head}, {site} {}", dice.pick(LEGAL)),
                _ => format!("{} {}", head.to_uppercase(), site.to_uppercase()),
            };
            add_query(name.trim().to_string(), vec![key.clone()], &mut queries);
        }
        let bare_truth = if records.len() == 1 {
            records.clone()
        } else if with_bare {
            vec![records[0].clone()]
        } else {
            Vec::new()
        };
        let bare = format!("{organisation} {}", dice.pick(LEGAL));
        add_query(bare.trim().to_string(), bare_truth, &mut queries);
    }
    EvalSet {
        label: "ietf-sites (real names, site-style)",
        pool,
        queries,
    }
}
