//! The labelled evaluation set for the matcher: a deterministic generator of vendor-style and
//! PSA-style variants of `tests/data/matching/companies.txt`, plus distractors (similar names
//! of different companies). `benches/matching_eval.rs` includes this file; the test below
//! keeps the committed CSVs in `tests/data/matching/` equal to what the generator produces.
//! Regenerate them with `BILLGAP_WRITE_CORPUS=1 cargo test --test matching_corpus`.

#![allow(dead_code, unused_imports)]

/// One row of a generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub domain: String,
    pub external_id: String,
    /// Ids of the right answers in the PSA pool, `|`-separated; empty when the company is not
    /// in the pool at all.
    pub truth: String,
}

/// The generated set.
pub struct Corpus {
    pub psa: Vec<Row>,
    pub vendor: Vec<Row>,
}

/// SplitMix64: tiny, deterministic, good enough to pick distortions.
pub struct Dice(u64);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice(seed)
    }
    pub fn roll(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.roll() % 100 < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.roll() % items.len() as u64) as usize]
    }
}

const LEGAL: &[&str] = &[
    "LLC",
    "Inc.",
    "Inc",
    "Ltd.",
    "Limited",
    "Corp.",
    "Corporation",
    "Co.",
    "P.C.",
    "PLLC",
    "LLP",
    "P.A.",
    "GmbH",
    "AG",
    "B.V.",
    "Pty Ltd",
    "SARL",
    "S.A.",
    "Oy",
    "AB",
    "Ltd",
    "Company",
];
const SITES: &[&str] = &[
    " - Main Office",
    " (HQ)",
    " - Billing",
    " - Downtown",
    " (Old)",
    " - Head Office",
    " - Corporate",
    " | Main",
    " (Main Campus)",
    " - Admin",
];
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("Associates", "Assoc."),
    ("Services", "Svcs"),
    ("International", "Intl"),
    ("Management", "Mgmt"),
    ("Brothers", "Bros."),
    ("Technologies", "Tech"),
    ("Center", "Ctr"),
    ("Manufacturing", "Mfg"),
    ("Engineering", "Eng."),
    ("Consulting", "Consultants"),
    ("Holdings", "Hldgs"),
    ("Company", "Co."),
];
const NEAR_SURNAMES: &[(&str, &str)] = &[
    ("Johnson", "Johnston"),
    ("Smith", "Smyth"),
    ("Peterson", "Petersen"),
    ("Hansen", "Hanson"),
    ("Allen", "Allan"),
    ("Meyer", "Meyers"),
    ("Reed", "Reid"),
    ("Gray", "Grey"),
    ("Clark", "Clarke"),
    ("Stevens", "Stephens"),
    ("Thompson", "Thomson"),
    ("Phillips", "Philips"),
    ("Morris", "Morrison"),
    ("Wilson", "Willson"),
    ("Harris", "Harrison"),
    ("Daniels", "Daniel"),
    ("Nelson", "Neilson"),
    ("Peters", "Petersen"),
    ("Roberts", "Robertson"),
    ("Evans", "Evens"),
];
const OTHER_INDUSTRY: &[&str] = &[
    "Dental Lab",
    "Pediatrics",
    "Auto Body",
    "Realty",
    "Insurance",
    "Wealth Partners",
    "Landscaping",
    "Electric",
    "Roofing",
    "Foundation",
    "Academy",
    "Imaging",
];
const QUALIFIERS: &[&str] = &["North", "West", "New", "United", "First", "Premier"];

fn strip_legal(name: &str) -> String {
    let trimmed = name.trim_end();
    for legal in LEGAL {
        for separator in [", ", " "] {
            let tail = format!("{separator}{legal}");
            if let Some(head) = trimmed.strip_suffix(&tail) {
                return head.to_string();
            }
        }
    }
    trimmed.to_string()
}

fn squash(name: &str) -> String {
    strip_legal(name)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

fn abbreviate(name: &str, dice: &mut Dice) -> String {
    let mut text = name.to_string();
    for (long, short) in ABBREVIATIONS {
        if text.contains(long) && dice.chance(70) {
            text = text.replacen(long, short, 1);
        }
    }
    text
}

fn typo(name: &str, dice: &mut Dice) -> String {
    let words: Vec<&str> = name.split(' ').collect();
    let Some((index, word)) = words
        .iter()
        .enumerate()
        .filter(|(_, w)| w.chars().count() >= 6 && w.chars().all(char::is_alphabetic))
        .max_by_key(|(i, w)| (w.len(), usize::MAX - i))
    else {
        return name.to_string();
    };
    let mut letters: Vec<char> = word.chars().collect();
    let at = 1 + (dice.roll() % (letters.len() as u64 - 2)) as usize;
    if dice.chance(50) {
        letters.remove(at);
    } else {
        letters.swap(at, at + 1);
    }
    let mut words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    words[index] = letters.into_iter().collect();
    words.join(" ")
}

/// "Harbor View Dental Group" → "Harbor View Dental": the shorter trade name.
fn drop_last_word(name: &str) -> String {
    let words: Vec<&str> = name.split(' ').collect();
    let dangling = words.len() >= 2 && matches!(words[words.len() - 2], "&" | "and");
    if words.len() >= 3 && !dangling {
        words[..words.len() - 1].join(" ")
    } else {
        name.to_string()
    }
}

/// "Harbor View Dental Group" → "HVDG": some PSAs keep only the initials.
fn acronym(name: &str) -> String {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty() && *word != "and")
        .filter_map(|word| word.chars().next())
        .flat_map(char::to_uppercase)
        .collect()
}

fn psa_variant(name: &str, dice: &mut Dice) -> String {
    let mut text = name.to_string();
    if dice.chance(50) {
        text = strip_legal(&text);
    }
    if dice.chance(35) {
        text = abbreviate(&text, dice);
    }
    if dice.chance(20) {
        text = text.replace(" & ", " and ");
    }
    if dice.chance(3) {
        text = acronym(&strip_legal(&text));
    }
    if dice.chance(40) {
        let site = dice.pick::<&str>(SITES);
        text.push_str(site);
    }
    if dice.chance(30) {
        text = text.to_uppercase();
    }
    text
}

fn vendor_variant(name: &str, dice: &mut Dice) -> String {
    let mut text = name.to_string();
    if dice.chance(45) {
        let legal = *dice.pick(LEGAL);
        text = format!("{} {}", strip_legal(&text), legal);
    }
    if dice.chance(25) {
        text = if text.contains(" & ") {
            text.replace(" & ", " and ")
        } else {
            text.replace(" and ", " & ")
        };
    }
    if dice.chance(20) {
        text = abbreviate(&text, dice);
    }
    if dice.chance(15) {
        text = typo(&text, dice);
    }
    if dice.chance(8) {
        text = format!("The {text}");
    }
    if dice.chance(8) {
        text = drop_last_word(&strip_legal(&text));
    }
    if dice.chance(20) {
        text = text.to_lowercase();
    }
    if dice.chance(10) {
        text = text.replace(['.', ','], "");
    }
    text
}

fn distractor(name: &str, dice: &mut Dice) -> Option<String> {
    let base = strip_legal(name);
    for (a, b) in NEAR_SURNAMES {
        let word_boundary = |text: &str, word: &str| {
            text.split(|c: char| !c.is_alphanumeric())
                .any(|w| w == word)
        };
        if word_boundary(&base, a) {
            return Some(base.replacen(a, b, 1));
        }
        if word_boundary(&base, b) {
            return Some(base.replacen(b, a, 1));
        }
    }
    let words: Vec<&str> = base.split(' ').collect();
    match dice.roll() % 3 {
        0 if words.len() >= 2 => {
            let keep = words[..words.len() - 1].join(" ");
            Some(format!("{keep} {}", dice.pick(OTHER_INDUSTRY)))
        }
        1 => Some(format!("{} {base}", dice.pick(QUALIFIERS))),
        _ => Some(format!("{base} {}", dice.pick(OTHER_INDUSTRY))),
    }
}

/// Generates the set from base names. Deterministic: same input, same output.
pub fn generate(bases: &[String]) -> Corpus {
    let mut dice = Dice::new(0x0B11_16A9);
    let mut psa = Vec::new();
    let mut vendor = Vec::new();
    let mut distractors = Vec::new();
    for (index, base) in bases.iter().enumerate() {
        let id = format!("PSA-{index:04}");
        let in_pool = !dice.chance(8);
        let website = if dice.chance(35) {
            format!("www.{}.com", squash(base))
        } else {
            String::new()
        };
        let mut truth = Vec::new();
        if in_pool {
            if dice.chance(4) {
                for (suffix, site) in [("a", " - North Campus"), ("b", " - South Campus")] {
                    let site_id = format!("{id}{suffix}");
                    psa.push(row(
                        &site_id,
                        &format!("{}{site}", strip_legal(base)),
                        &website,
                    ));
                    truth.push(site_id);
                }
            } else {
                psa.push(row(&id, &psa_variant(base, &mut dice), &website));
                truth.push(id.clone());
            }
        }
        if dice.chance(40) {
            if let Some(name) = distractor(base, &mut dice) {
                distractors.push(name);
            }
        }
        let queries = if dice.chance(50) { 2 } else { 1 };
        for query in 0..queries {
            let mut domain = String::new();
            if !website.is_empty() && dice.chance(15) {
                domain = website.trim_start_matches("www.").to_string();
            } else if dice.chance(50) {
                let noise = ["", "ltd", "inc", "2", "llc", "online"][(dice.roll() % 6) as usize];
                domain = format!("{}{noise}.onmicrosoft.com", squash(base));
            }
            let external_id = if in_pool && truth.len() == 1 && dice.chance(10) {
                truth[0].clone()
            } else {
                String::new()
            };
            vendor.push(Row {
                id: format!("V-{index:04}-{query}"),
                name: vendor_variant(base, &mut dice),
                domain,
                external_id,
                truth: truth.join("|"),
            });
        }
    }
    // A distractor must be a different company: drop those that collide with a real one.
    let real: std::collections::HashSet<String> = bases.iter().map(|b| squash(b)).collect();
    let distractors: Vec<String> = distractors
        .into_iter()
        .filter(|name| !real.contains(&squash(name)))
        .collect();
    for (index, name) in distractors.into_iter().enumerate() {
        let text = if dice.chance(30) {
            name.to_uppercase()
        } else {
            name
        };
        psa.push(row(&format!("PSA-D{index:04}"), &text, ""));
    }
    Corpus { psa, vendor }
}

fn row(id: &str, name: &str, domain: &str) -> Row {
    Row {
        id: id.to_string(),
        name: name.to_string(),
        domain: domain.to_string(),
        external_id: String::new(),
        truth: String::new(),
    }
}

/// Base names from the committed list (comments and blank lines skipped).
pub fn base_names(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// The rows as CSV with the header `id,name,domain,external_id,truth`.
pub fn to_csv(rows: &[Row]) -> String {
    let mut text = String::from("id,name,domain,external_id,truth\n");
    for row in rows {
        let fields = [
            &row.id,
            &row.name,
            &row.domain,
            &row.external_id,
            &row.truth,
        ];
        let line: Vec<String> = fields.iter().map(|f| quote(f)).collect();
        text.push_str(&line.join(","));
        text.push('\n');
    }
    text
}

pub const COMPANIES: &str = include_str!("data/matching/companies.txt");
pub const PSA_CSV_PATH: &str = "tests/data/matching/psa.csv";
pub const VENDOR_CSV_PATH: &str = "tests/data/matching/vendor.csv";

#[cfg(test)]
mod tests {
    use super::{COMPANIES, PSA_CSV_PATH, VENDOR_CSV_PATH, base_names, generate, to_csv};

    #[test]
    fn committed_labelled_set_matches_the_generator() {
        let corpus = generate(&base_names(COMPANIES));
        let (psa, vendor) = (to_csv(&corpus.psa), to_csv(&corpus.vendor));
        let root = env!("CARGO_MANIFEST_DIR");
        let psa_path = format!("{root}/{PSA_CSV_PATH}");
        let vendor_path = format!("{root}/{VENDOR_CSV_PATH}");
        if std::env::var_os("BILLGAP_WRITE_CORPUS").is_some() {
            std::fs::write(&psa_path, &psa).expect("write psa.csv");
            std::fs::write(&vendor_path, &vendor).expect("write vendor.csv");
        }
        assert_eq!(
            std::fs::read_to_string(&psa_path).expect("read psa.csv"),
            psa
        );
        assert_eq!(
            std::fs::read_to_string(&vendor_path).expect("read vendor.csv"),
            vendor
        );
        assert!(corpus.vendor.len() > 400, "{}", corpus.vendor.len());
        assert!(corpus.psa.len() > corpus.vendor.len() / 2);
    }
}
