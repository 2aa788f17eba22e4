//! The synthetic export writers: a vendor and a PSA export of one fictional MSP, written with
//! the standard library only, deterministic for a seed.
//!
//! The files have the shape of the bundled samples (`assets/sample/`): a Partner Center NCE
//! invoice reconciliation CSV with the 46 documented columns, and a ConnectWise agreement
//! additions CSV with the sample's 15 headers. Both are deterministic for a seed, so a bench
//! measures the same input on every run.
//!
//! How the two files line up:
//! * customer `i` (0-based) is the tenant `customer_keys(i).0` in the NCE file and the company
//!   `customer_keys(i).1` in the ConnectWise file;
//! * every product is bought on a one-month commitment, so the product mapping is
//!   (`microsoft`, vendor key, `monthly`) → PSA id for each pair of [`product_pairs`];
//! * each customer holds a subset of the products. Its first row per product is a `Renew` with
//!   the base seat count; further rows for that product alternate `addQuantity` and
//!   `removeQuantity` of equal size, and when their number is odd the `Renew` is lowered by the
//!   unpaired add. The net seats per (customer, product) are therefore the base count whatever
//!   `rows` is, which is what lets the ConnectWise file be written without knowing `rows`;
//! * the ConnectWise file bills the base counts except for deliberate gaps, chosen per
//!   (customer, product) from the seed: about 2 % unbilled, 2 % overbilled, 1 % missing (no
//!   line), 1 % priced below cost, and an orphan line for about 2 % of the customers.
//!
//! Usage from a bench (`use billgap::generate as synthetic;`):
//!
//! ```ignore
//! let dir = tempfile::tempdir()?;
//! let nce = dir.path().join("nce.csv");
//! let psa = dir.path().join("cw.csv");
//! synthetic::write_nce_csv(&nce, 1_000_000, 2_000, 42)?;      // 1M rows (~520 MB), 2,000 tenants
//! synthetic::write_connectwise_csv(&psa, 2_000, 42)?;          // same customers, same seed
//! for i in 0..2_000 {
//!     let (tenant, company) = synthetic::customer_keys(i);
//!     // map ("microsoft", tenant) -> company
//! }
//! for (vendor_key, psa_product) in synthetic::product_pairs() {
//!     // map ("microsoft", vendor_key, monthly) -> psa_product
//! }
//! ```
//!
//! Self-check a bench can assert: with every mapping above in place, coverage is 100 %, and for
//! `customers = 2_000, seed = 42` (any `rows` ≥ 9,271) the (company, product) gaps are 181
//! unbilled, 194 overbilled, 91 missing, 45 orphan and 97 priced below cost, out of 9,271
//! (customer, product) pairs held at the vendor. These counts were computed from the written
//! files by an independent script applying the seat rules of `assets/sample/README.md`. For
//! `customers = 300, seed = 7`: 22 unbilled, 23 overbilled, 10 missing, 8 orphan, 14 price,
//! of 1,410 pairs.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// One synthetic product: NCE ids, display name, monthly unit price in cents, PSA product id
/// and the PSA's usual price in cents.
pub(super) struct Product {
    /// `ProductId:SkuId`, split at the colon when a row is written.
    pub(super) key: &'static str,
    availability_id: &'static str,
    name: &'static str,
    price_cents: u64,
    pub(super) psa_id: &'static str,
    psa_price_cents: u64,
}

/// The catalogue the synthetic files use; ids follow `assets/sample/README.md`.
pub(super) const PRODUCTS: [Product; 9] = [
    product(
        "CFQ7TTC0LH18:0001",
        "CFQ7TTC0KL30",
        "Microsoft 365 Business Basic",
        840,
        "M365-BB-M",
        950,
    ),
    product(
        "CFQ7TTC0LDPB:0001",
        "CFQ7TTC0K6FX",
        "Microsoft 365 Business Standard",
        1680,
        "M365-BS-M",
        1900,
    ),
    product(
        "CFQ7TTC0LCHC:0002",
        "CFQ7TTC0725P",
        "Microsoft 365 Business Premium",
        2640,
        "M365-BP-M",
        3000,
    ),
    product(
        "CFQ7TTC0LH16:0001",
        "CFQ7TTC09XB2",
        "Exchange Online (Plan 1)",
        480,
        "EXO-P1-M",
        600,
    ),
    product(
        "CFQ7TTC0LHSF:0001",
        "CFQ7TTC0Q7WV",
        "Power BI Pro",
        1680,
        "PBI-PRO-M",
        1950,
    ),
    product(
        "CFQ7TTC0HD32:0002",
        "CFQ7TTC0Q5VN",
        "Visio Plan 2",
        1800,
        "VISIO-P2-M",
        2100,
    ),
    product(
        "CFQ7TTC0LFLS:0001",
        "CFQ7TTC0HB2K",
        "Microsoft Entra ID P1",
        720,
        "ENTRA-P1",
        850,
    ),
    product(
        "CFQ7TTC0LH04:0001",
        "CFQ7TTC0J3DM",
        "Microsoft Defender for Office 365 (Plan 1)",
        240,
        "DEF-O365",
        350,
    ),
    product(
        "CFQ7TTC0MCH5:0001",
        "CFQ7TTC0MCH6",
        "Microsoft Defender for Business",
        360,
        "DEF-BUS",
        500,
    ),
];

/// Builds a catalogue entry from its `ProductId:SkuId` key.
const fn product(
    key: &'static str,
    availability_id: &'static str,
    name: &'static str,
    price_cents: u64,
    psa_id: &'static str,
    psa_price_cents: u64,
) -> Product {
    Product {
        key,
        availability_id,
        name,
        price_cents,
        psa_id,
        psa_price_cents,
    }
}

const NCE_HEADER: &str = "PartnerId,CustomerId,CustomerName,CustomerDomainName,CustomerCountry,\
InvoiceNumber,MpnId,ResellerMpnId,OrderId,OrderDate,ProductId,SkuId,AvailabilityId,SkuName,\
ProductName,ChargeType,UnitPrice,Quantity,Subtotal,TaxTotal,Total,Currency,\
PriceAdjustmentDescription,PublisherName,PublisherId,SubscriptionDescription,SubscriptionId,\
ChargeStartDate,ChargeEndDate,TermAndBillingCycle,EffectiveUnitPrice,UnitType,AlternateId,\
BillableQuantity,BillingFrequency,PricingCurrency,PCToBCExchangeRate,PCToBCExchangeRateDate,\
MeterDescription,ReservationOrderId,CreditReasonCode,SubscriptionStartDate,SubscriptionEndDate,\
ReferenceId,ProductQualifiers,PromotionId";

const CONNECTWISE_HEADER: &str = "Company ID,Company Name,Agreement ID,Agreement Name,\
Agreement Status,Product ID,Description,Quantity,Less Included,Unit Price,Unit Cost,\
Bill Customer,Effective Date,Cancelled Date,Currency";

/// Salts that keep the independent per-(customer, product) choices uncorrelated.
const SALT_HOLDS: u64 = 0x486f_6c64;
const SALT_SEATS: u64 = 0x5365_6174;
const SALT_GAP: u64 = 0x4761_7073;
pub(super) const SALT_ORPHAN: u64 = 0x4f72_7068;
const SALT_CHANGE: u64 = 0x4368_6e67;
const SALT_KEYS: u64 = 0x4b65_7973;

/// splitmix64: a tiny, well-mixed generator; good enough for test data, not for anything else.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A stateless hash of a few words, so both writers derive the same per-pair facts. Each word
/// goes through a full splitmix64 round, so neighbouring customers and products get
/// independent values.
pub(super) fn mix(words: &[u64]) -> u64 {
    words.iter().fold(0x0123_4567_89ab_cdef_u64, |hash, word| {
        let mut state = hash ^ word;
        splitmix64(&mut state)
    })
}

/// Whether customer `customer` holds product `product`; every customer holds at least one.
fn holds(seed: u64, customer: usize, product: usize) -> bool {
    product == customer % PRODUCTS.len()
        || mix(&[seed, SALT_HOLDS, customer as u64, product as u64]) % 100 < 45
}

/// The net seats of (customer, product) for the period: at least 5, so a `Renew` can be
/// lowered by an unpaired add of up to 3 seats and stay positive.
fn base_seats(seed: u64, customer: usize, product: usize) -> u64 {
    5 + mix(&[seed, SALT_SEATS, customer as u64, product as u64]) % 60
}

/// Size of the `pair`-th add/remove pair of (customer, product): 1 to 3 seats.
fn change_seats(seed: u64, customer: usize, product: usize, pair: u64) -> u64 {
    1 + mix(&[seed, SALT_CHANGE, customer as u64, product as u64, pair]) % 3
}

/// The products a customer holds at the vendor, in catalogue order.
pub(super) fn held_products(seed: u64, customer: usize) -> Vec<usize> {
    (0..PRODUCTS.len())
        .filter(|&product| holds(seed, customer, product))
        .collect()
}

fn push_guid(out: &mut String, high: u64, low: u64) {
    // Version 4, RFC 4122 variant, like the GUIDs in real exports.
    let _ = write!(
        out,
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0x0fff,
        0x8000 | (low >> 48) & 0x3fff,
        low & 0xffff_ffff_ffff
    );
}

const FIRST_WORDS: [&str; 40] = [
    "Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Ginkgo", "Hawthorn", "Ironwood",
    "Juniper", "Kestrel", "Linden", "Maple", "Nettle", "Oakmont", "Pine", "Quarry", "Redwood",
    "Sycamore", "Tamarack", "Upland", "Valley", "Willow", "Yarrow", "Zephyr", "Ashford", "Brook",
    "Clear", "Drift", "Eastgate", "Fairview", "Glenwood", "Harbor", "Lakeview", "Meadow", "North",
    "Orchard", "Prairie", "River", "Summit",
];
const TRADES: [&str; 30] = [
    "Dental", "Law", "Plumbing", "Vet", "Tax", "Realty", "Agency", "Clinic", "Builders", "Freight",
    "Design", "Studio", "Kids", "Brewing", "Gardens", "Title", "Marina", "Ortho", "Partners",
    "Electric", "Roofing", "Pharmacy", "Bakery", "Printing", "Staffing", "Optical", "Auto",
    "Winery", "Fitness", "Survey",
];
const VENDOR_SUFFIXES: [&str; 5] = ["LLC", "Inc", "GROUP", "CO", "PLLC"];
const PSA_SUFFIXES: [&str; 5] = [", LLC", ", Inc.", " Group", " Co.", ", PLLC"];

/// The parts of customer `i`'s name: (first word, trade, suffix index, disambiguating number).
fn name_parts(i: usize) -> (&'static str, &'static str, usize, usize) {
    let first = FIRST_WORDS[i % FIRST_WORDS.len()];
    let trade = TRADES[(i / FIRST_WORDS.len()) % TRADES.len()];
    let round = i / (FIRST_WORDS.len() * TRADES.len());
    (first, trade, i % VENDOR_SUFFIXES.len(), round)
}

/// The customer key and PSA company id the two files use for customer `i`.
///
/// The key is the tenant GUID (`CustomerId`) of the NCE file and the id is the ConnectWise
/// `Company ID`; both depend on `i` only, never on the seed, so a bench can build its mappings
/// before or after writing the files.
pub fn customer_keys(i: usize) -> (String, String) {
    let mut tenant = String::with_capacity(36);
    push_guid(
        &mut tenant,
        mix(&[SALT_KEYS, i as u64, 1]),
        mix(&[SALT_KEYS, i as u64, 2]),
    );
    (tenant, format!("CUST{i:06}"))
}

/// The vendor product keys (`ProductId:SkuId`) and PSA product ids used, paired.
///
/// Every product in the synthetic NCE file is on a one-month commitment, so the term of each
/// pair is `monthly`.
pub fn product_pairs() -> Vec<(String, String)> {
    PRODUCTS
        .iter()
        .map(|product| (product.key.to_string(), product.psa_id.to_string()))
        .collect()
}

/// How many rows each product of one customer gets, given that customer's share of rows.
fn rows_per_product(customer_rows: usize, held: usize) -> impl Fn(usize) -> usize {
    move |slot| customer_rows / held + usize::from(slot < customer_rows % held)
}

/// Writes an NCE recon CSV with `rows` data rows over `customers` tenants, deterministic for a
/// seed.
///
/// Fails with `InvalidInput` when `customers` is zero or when `rows` is smaller than the number
/// of (customer, product) pairs held (about half of `customers × 9`), because every held
/// product needs its `Renew` row for the seat counts to be those the ConnectWise file bills.
/// Other failures are those of creating and writing the file.
pub fn write_nce_csv(path: &Path, rows: usize, customers: usize, seed: u64) -> io::Result<()> {
    if customers == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "an NCE file needs at least one customer",
        ));
    }
    let holdings: Vec<Vec<usize>> = (0..customers).map(|c| held_products(seed, c)).collect();
    let pairs: usize = holdings.iter().map(Vec::len).sum();
    if rows < pairs {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{rows} rows cannot hold the {pairs} Renew rows of {customers} customers"),
        ));
    }
    let extra = rows - pairs;
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    out.write_all(NCE_HEADER.as_bytes())?;
    out.write_all(b"\r\n")?;

    let mut random = seed ^ 0x6e63_6572_6f77_7300;
    let mut partner = String::new();
    push_guid(&mut partner, mix(&[seed, 0x5041]), mix(&[seed, 0x5042]));
    let invoice = format!("G0{:08}", mix(&[seed, 0x494e]) % 100_000_000);
    let mut row = String::with_capacity(1024);
    for (customer, held) in holdings.iter().enumerate() {
        let customer_extra = extra / customers + usize::from(customer < extra % customers);
        let per_product = rows_per_product(customer_extra, held.len());
        let (tenant, _) = customer_keys(customer);
        let (first, trade, suffix, round) = name_parts(customer);
        let mut name = format!(
            "{} {} {}",
            first.to_uppercase(),
            trade,
            VENDOR_SUFFIXES[suffix]
        );
        let mut domain = format!("{}{}", first.to_lowercase(), trade.to_lowercase());
        if round > 0 {
            let _ = write!(name, " {round}");
            let _ = write!(domain, "{round}");
        }
        domain.push_str(".onmicrosoft.com");
        for (slot, &product) in held.iter().enumerate() {
            let changes = per_product(slot) as u64;
            let seats = base_seats(seed, customer, product);
            let unpaired = if changes % 2 == 1 {
                change_seats(seed, customer, product, changes / 2)
            } else {
                0
            };
            let subscription = (
                mix(&[seed, customer as u64, product as u64, 0x5355]),
                mix(&[seed, customer as u64, product as u64, 0x5356]),
            );
            let fields = RowFields {
                partner: &partner,
                tenant: &tenant,
                name: &name,
                domain: &domain,
                invoice: &invoice,
                product: &PRODUCTS[product],
                subscription,
            };
            fields.push(&mut row, &mut random, Charge::Renew, seats - unpaired);
            out.write_all(row.as_bytes())?;
            for change in 0..changes {
                let size = change_seats(seed, customer, product, change / 2);
                let day = 2 + change % 28;
                let charge = if change % 2 == 0 {
                    Charge::Add { day }
                } else {
                    Charge::Remove { day }
                };
                fields.push(&mut row, &mut random, charge, size);
                out.write_all(row.as_bytes())?;
            }
        }
    }
    out.flush()
}

/// The charge type of one NCE row and, for seat changes, the day of October it takes effect.
#[derive(Clone, Copy)]
enum Charge {
    Renew,
    Add { day: u64 },
    Remove { day: u64 },
}

/// What stays the same across the rows of one subscription.
struct RowFields<'a> {
    partner: &'a str,
    tenant: &'a str,
    name: &'a str,
    domain: &'a str,
    invoice: &'a str,
    product: &'a Product,
    subscription: (u64, u64),
}

impl RowFields<'_> {
    /// Replaces `row` with one CRLF-terminated NCE row; money follows the documented
    /// `ROUNDDOWN(EffectiveUnitPrice × rate, 2) × BillableQuantity` with a rate of 1.
    fn push(&self, row: &mut String, random: &mut u64, charge: Charge, seats: u64) {
        row.clear();
        let product = self.product;
        // The effective unit price in units of 1e-10 dollars: prorated from `day` for changes.
        let (charge_name, start_day, sign, effective) = match charge {
            Charge::Renew => ("Renew", 1, 1_i64, product.price_cents * 100_000_000),
            Charge::Add { day } => ("addQuantity", day, 1, prorate(product.price_cents, day)),
            Charge::Remove { day } => {
                ("removeQuantity", day, -1, prorate(product.price_cents, day))
            }
        };
        let (product_id, sku_id) = product.key.split_once(':').unwrap_or((product.key, ""));
        let unit_cents = (effective / 100_000_000) as i64 * sign;
        let subtotal = unit_cents * seats as i64;
        let _ = write!(
            row,
            "{},{},{},{},US,{},6184420,,",
            self.partner, self.tenant, self.name, self.domain, self.invoice
        );
        let _ = write!(
            row,
            "{:018},10/{}/2026,",
            splitmix64(random) % 1_000_000_000_000_000_000,
            start_day
        );
        let _ = write!(
            row,
            "{},{},{},{},{},{},{}.{:02},{},",
            product_id,
            sku_id,
            product.availability_id,
            product.name,
            product.name,
            charge_name,
            product.price_cents / 100,
            product.price_cents % 100,
            seats
        );
        push_cents(row, subtotal);
        row.push_str(",0.00,");
        push_cents(row, subtotal);
        row.push_str(",USD,[],Microsoft Corporation,,,");
        push_guid(row, self.subscription.0, self.subscription.1);
        let _ = write!(
            row,
            ",10/{start_day}/2026,10/31/2026,One-Month commitment for monthly billing,"
        );
        if sign < 0 {
            row.push('-');
        }
        // Full-month rows carry the list price; prorated rows carry ten decimals, as real files do.
        let decimals = if matches!(charge, Charge::Renew) {
            2
        } else {
            10
        };
        let scale = 10_u64.pow(10 - decimals);
        let _ = write!(
            row,
            "{}.{:0width$},Licenses,{:012x},{},Monthly,USD,1,10/1/2026,,,,1/1/2025,10/31/2026,,,\r\n",
            effective / 10_000_000_000,
            effective % 10_000_000_000 / scale,
            splitmix64(random) & 0xffff_ffff_ffff,
            seats,
            width = decimals as usize
        );
    }
}

/// The price of the rest of October from `day`, in units of 1e-10 dollars, truncated.
fn prorate(price_cents: u64, day: u64) -> u64 {
    price_cents * 100_000_000 * (32 - day) / 31
}

fn push_cents(row: &mut String, cents: i64) {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let _ = write!(row, "{sign}{}.{:02}", cents / 100, cents % 100);
}

/// What the ConnectWise file does with one held (customer, product) pair.
pub(super) enum Billing {
    Exact,
    Unbilled(u64),
    Overbilled(u64),
    Missing,
    BelowCost,
}

pub(super) fn billing(seed: u64, customer: usize, product: usize) -> Billing {
    let roll = mix(&[seed, SALT_GAP, customer as u64, product as u64]);
    match roll % 100 {
        0 | 1 => Billing::Unbilled(1 + (roll >> 8) % 3),
        2 | 3 => Billing::Overbilled(1 + (roll >> 8) % 2),
        4 => Billing::Missing,
        5 => Billing::BelowCost,
        _ => Billing::Exact,
    }
}

/// Writes a ConnectWise additions CSV (sample headers) billing those customers' products, with
/// deliberate gaps.
///
/// With the same `customers` and `seed` as [`write_nce_csv`], every held product is billed at
/// its net NCE seats except the gaps described in the module documentation; each company also
/// has a `MANAGED-SVC` support line, which no vendor product maps to. Fails only when the file
/// cannot be created or written.
pub fn write_connectwise_csv(path: &Path, customers: usize, seed: u64) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    out.write_all(CONNECTWISE_HEADER.as_bytes())?;
    out.write_all(b"\n")?;
    let mut row = String::with_capacity(256);
    for customer in 0..customers {
        let (_, company) = customer_keys(customer);
        let (first, trade, suffix, round) = name_parts(customer);
        let mut name = format!("{first} {trade}{}", PSA_SUFFIXES[suffix]);
        if round > 0 {
            let _ = write!(name, " {round}");
        }
        // Names with a comma are quoted, as a CSV writer would.
        let quoted = format!("\"{name}\"");
        let name = if name.contains(',') {
            quoted.as_str()
        } else {
            name.as_str()
        };
        let agreement = 10_000 + customer;
        let agreement_name = format!("{company} - Managed IT");
        let mut users = 0;
        let held = held_products(seed, customer);
        for &product in &held {
            let seats = base_seats(seed, customer, product);
            users = users.max(seats);
            let item = &PRODUCTS[product];
            let (quantity, price) = match billing(seed, customer, product) {
                Billing::Exact => (seats, item.psa_price_cents),
                Billing::Unbilled(delta) => (seats - delta, item.psa_price_cents),
                Billing::Overbilled(delta) => (seats + delta, item.psa_price_cents),
                Billing::BelowCost => (seats, item.price_cents - item.price_cents / 10),
                Billing::Missing => continue,
            };
            row.clear();
            let _ = writeln!(
                row,
                "{company},{name},{agreement},{agreement_name},Active,{},{},{quantity},0,{}.{:02},{}.{:02},Billable,1/1/2025,,USD",
                item.psa_id,
                item.name,
                price / 100,
                price % 100,
                item.price_cents / 100,
                item.price_cents % 100
            );
            out.write_all(row.as_bytes())?;
        }
        if mix(&[seed, SALT_ORPHAN, customer as u64]) % 100 < 2 {
            if let Some(product) = (0..PRODUCTS.len()).find(|p| !held.contains(p)) {
                let item = &PRODUCTS[product];
                row.clear();
                let _ = writeln!(
                    row,
                    "{company},{name},{agreement},{agreement_name},Active,{},{},3,0,{}.{:02},{}.{:02},Billable,1/1/2025,,USD",
                    item.psa_id,
                    item.name,
                    item.psa_price_cents / 100,
                    item.psa_price_cents % 100,
                    item.price_cents / 100,
                    item.price_cents % 100
                );
                out.write_all(row.as_bytes())?;
            }
        }
        row.clear();
        let _ = writeln!(
            row,
            "{company},{name},{agreement},{agreement_name},Active,MANAGED-SVC,Managed IT support per user,{users},0,85.00,0.00,Billable,1/1/2025,,USD"
        );
        out.write_all(row.as_bytes())?;
    }
    out.flush()
}
