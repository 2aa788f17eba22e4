//! Reading the current state back: positions per side, the mapping set, the lists the mapping
//! queue shows, and the lines behind a gap.

use super::{Store, StoreError, decimal_from};
use crate::domain::lines::{Party, Product, Side, SourceKey, Term};
use crate::domain::money::{Currency, Money, MoneyByCurrency};
use crate::domain::reconcile::{IgnoreRule, MappingSet, Position, Thresholds};
use rusqlite::params;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// Everything a reconcile needs, read in one go.
#[derive(Debug, Clone)]
pub struct CurrentState {
    /// The vendor period compared (the latest with a current vendor import).
    pub vendor_period: Option<String>,
    /// The PSA period compared (the latest with a current PSA import).
    pub psa_period: Option<String>,
    /// Vendor positions of that period, summed over its current imports.
    pub vendor: Vec<Position>,
    /// PSA positions of that period.
    pub psa: Vec<Position>,
    /// Confirmed mappings and ignore rules.
    pub mappings: MappingSet,
    /// Threshold settings.
    pub thresholds: Thresholds,
}

/// A vendor customer or PSA company with what it holds in the current period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyRow {
    /// System and key.
    pub key: SourceKey,
    /// Name, domain and external id as last imported.
    pub party: Party,
    /// Seats over every product.
    pub seats: Decimal,
    /// Spend (vendor) or billed amount (PSA), per currency.
    pub spend: MoneyByCurrency,
    /// The PSA company it is mapped to (vendor customers only).
    pub mapped_to: Option<SourceKey>,
    /// The ignore rule in force, if any.
    pub ignored: Option<IgnoreRule>,
}

/// A vendor or PSA product with what is held of it in the current period, per term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRow {
    /// System and key.
    pub key: SourceKey,
    /// Name as last imported.
    pub product: Product,
    /// The term.
    pub term: Term,
    /// Seats over every customer.
    pub seats: Decimal,
    /// Spend per currency.
    pub spend: MoneyByCurrency,
    /// The PSA product it maps to (vendor products only).
    pub mapped_to: Option<SourceKey>,
    /// The ignore rule in force, if any.
    pub ignored: Option<IgnoreRule>,
}

/// One stored line, for the drill-down behind a gap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillDownLine {
    /// The import's file name.
    pub file_name: String,
    /// Line in that file.
    pub source_line: i64,
    /// Customer or company.
    pub customer: SourceKey,
    /// Product.
    pub product: SourceKey,
    /// Product name.
    pub product_name: String,
    /// Term.
    pub term: Term,
    /// Charge kind, as stored.
    pub charge: String,
    /// Signed seats.
    pub seats: Decimal,
    /// Unit price or cost shown for the line.
    pub unit_amount: Option<Money>,
    /// Extended amount.
    pub amount: Option<Money>,
    /// Subscription, agreement or contract.
    pub subscription: Option<String>,
}

impl CurrentState {
    /// The positions of one side.
    pub fn side(&self, side: Side) -> &[Position] {
        match side {
            Side::Vendor => &self.vendor,
            Side::Psa => &self.psa,
        }
    }
}

impl Store {
    /// The latest period with a current import on a side.
    pub fn latest_period(&self, side: Side) -> Result<Option<String>, StoreError> {
        Ok(self.connection.query_row(
            "SELECT max(period) FROM imports WHERE side = ?1 AND superseded_by IS NULL",
            [side.as_str()],
            |row| row.get(0),
        )?)
    }

    /// Vendor systems that had a current import in an earlier period but have none in
    /// `period`: a month compared before all its exports arrived hides their spend.
    pub fn vendor_systems_missing_from(&self, period: &str) -> Result<Vec<String>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT DISTINCT system FROM imports
             WHERE side = 'vendor' AND superseded_by IS NULL AND period < ?1
               AND system NOT IN (SELECT system FROM imports
                                  WHERE side = 'vendor' AND superseded_by IS NULL AND period = ?1)
             ORDER BY system",
        )?;
        let systems = statement.query_map([period], |row| row.get(0))?;
        Ok(systems.collect::<Result<_, _>>()?)
    }

    /// Reads the positions of both sides for their latest periods, the mappings and the
    /// thresholds.
    pub fn current_state(&self) -> Result<CurrentState, StoreError> {
        let vendor_period = self.latest_period(Side::Vendor)?;
        let psa_period = self.latest_period(Side::Psa)?;
        Ok(CurrentState {
            vendor: self.positions(Side::Vendor, vendor_period.as_deref())?,
            psa: self.positions(Side::Psa, psa_period.as_deref())?,
            vendor_period,
            psa_period,
            mappings: self.mapping_set()?,
            thresholds: self.thresholds()?,
        })
    }

    /// Positions of a side and period, summed over that period's current imports (the slices).
    pub fn positions(&self, side: Side, period: Option<&str>) -> Result<Vec<Position>, StoreError> {
        let Some(period) = period else {
            return Ok(Vec::new());
        };
        let mut statement = self.connection.prepare_cached(
            "SELECT pa.system, pa.key, pa.name, pr.system, pr.key, pr.name, p.term, p.currency,
                    p.seats, p.spend, p.unit_price, p.unit_cost
             FROM positions p
             JOIN imports i ON i.id = p.import_id
             JOIN parties pa ON pa.id = p.party_id
             JOIN products pr ON pr.id = p.product_id
             WHERE i.side = ?1 AND i.period = ?2 AND i.superseded_by IS NULL
             ORDER BY i.id",
        )?;
        let mut rows = statement.query(params![side.as_str(), period])?;
        let mut merged: BTreeMap<(SourceKey, SourceKey, Term, Currency), Position> =
            BTreeMap::new();
        while let Some(row) = rows.next()? {
            let customer = SourceKey::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?);
            let product = SourceKey::new(row.get::<_, String>(3)?, row.get::<_, String>(4)?);
            let term: Term = row
                .get::<_, String>(6)?
                .parse()
                .unwrap_or(Term::Unspecified);
            let currency_text: String = row.get(7)?;
            let currency = Currency::parse(&currency_text).map_err(|_| StoreError::Corrupt {
                column: "positions.currency",
                value: currency_text.clone(),
            })?;
            let seats = decimal_from("positions.seats", &row.get::<_, String>(8)?)?;
            let spend = decimal_from("positions.spend", &row.get::<_, String>(9)?)?;
            let unit_price = optional_decimal("positions.unit_price", row.get(10)?)?;
            let unit_cost = optional_decimal("positions.unit_cost", row.get(11)?)?;
            let key = (customer.clone(), product.clone(), term, currency.clone());
            match merged.get_mut(&key) {
                Some(position) => {
                    position.seats += seats;
                    position.spend += spend;
                    position.unit_price = position.unit_price.or(unit_price);
                    position.unit_cost = position.unit_cost.or(unit_cost);
                }
                None => {
                    merged.insert(
                        key,
                        Position {
                            customer,
                            customer_name: row.get(2)?,
                            product,
                            product_name: row.get(5)?,
                            term,
                            currency,
                            seats,
                            spend,
                            unit_price,
                            unit_cost,
                        },
                    );
                }
            }
        }
        Ok(merged.into_values().collect())
    }

    /// Every confirmed mapping and ignore rule.
    pub fn mapping_set(&self) -> Result<MappingSet, StoreError> {
        let mut set = MappingSet::default();
        let mut statement = self.connection.prepare_cached(
            "SELECT vendor_system, vendor_key, psa_system, psa_key FROM client_mappings",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            set.clients.insert(
                SourceKey::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
                SourceKey::new(row.get::<_, String>(2)?, row.get::<_, String>(3)?),
            );
        }
        let mut statement = self.connection.prepare_cached(
            "SELECT vendor_system, vendor_key, term, psa_system, psa_key FROM product_mappings",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let term: String = row.get(2)?;
            let term = (term != "*").then(|| term.parse().unwrap_or(Term::Unspecified));
            set.products.insert(
                (
                    SourceKey::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
                    term,
                ),
                SourceKey::new(row.get::<_, String>(3)?, row.get::<_, String>(4)?),
            );
        }
        let mut statement = self
            .connection
            .prepare_cached("SELECT subject, system, key, reason, until FROM ignore_rules")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let subject: String = row.get(0)?;
            let key = SourceKey::new(row.get::<_, String>(1)?, row.get::<_, String>(2)?);
            let until: Option<String> = row.get(4)?;
            // A date that does not parse must not turn into "ignored for good".
            let until = until
                .map(|text| {
                    text.parse().map_err(|_| StoreError::Corrupt {
                        column: "ignore_rules.until",
                        value: text,
                    })
                })
                .transpose()?;
            let rule = IgnoreRule {
                reason: row.get(3)?,
                until,
            };
            if subject == "customer" {
                set.ignored_customers.insert(key, rule);
            } else {
                set.ignored_products.insert(key, rule);
            }
        }
        Ok(set)
    }

    /// The default threshold and every per-client override.
    pub fn thresholds(&self) -> Result<Thresholds, StoreError> {
        let mut thresholds = Thresholds::default();
        if let Some(text) = self.setting("threshold")? {
            thresholds.default = decimal_from("settings.threshold", &text)?;
        }
        let mut statement = self
            .connection
            .prepare_cached("SELECT psa_system, psa_key, amount FROM client_thresholds")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            thresholds.per_client.insert(
                SourceKey::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
                decimal_from("client_thresholds.amount", &row.get::<_, String>(2)?)?,
            );
        }
        Ok(thresholds)
    }

    /// Sets the default threshold, or one client's override.
    pub fn set_threshold(
        &self,
        client: Option<&SourceKey>,
        amount: Decimal,
    ) -> Result<(), StoreError> {
        match client {
            None => self.set_setting("threshold", &amount.to_string()),
            Some(client) => {
                self.connection.execute(
                    "INSERT INTO client_thresholds (psa_system, psa_key, amount) VALUES (?1, ?2, ?3)
                     ON CONFLICT (psa_system, psa_key) DO UPDATE SET amount = excluded.amount",
                    params![client.system, client.key, amount.to_string()],
                )?;
                Ok(())
            }
        }
    }

    /// The customers (vendor) or companies (PSA) of the current period, largest spend first,
    /// each with its mapping and ignore rule.
    pub fn parties(&self, side: Side, state: &CurrentState) -> Result<Vec<PartyRow>, StoreError> {
        // Domain and external id are not part of a position: read them for the whole side in
        // one query rather than once per row.
        let mut details: HashMap<SourceKey, (Option<String>, Option<String>)> = HashMap::new();
        let mut statement = self.connection.prepare_cached(
            "SELECT system, key, domain, external_id FROM parties WHERE side = ?1",
        )?;
        let mut found = statement.query([side.as_str()])?;
        while let Some(row) = found.next()? {
            details.insert(
                SourceKey::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
                (row.get(2)?, row.get(3)?),
            );
        }
        let rows = tally(state.side(side), |position| position.customer.clone())
            .into_iter()
            .map(|(key, (first, seats, spend))| {
                let (domain, external_id) = details.remove(&key).unwrap_or_default();
                let (mapped_to, ignored) = match side {
                    Side::Vendor => (
                        state.mappings.company_for(&key).cloned(),
                        rule_in_force(&state.mappings.ignored_customers, &key),
                    ),
                    Side::Psa => (None, None),
                };
                PartyRow {
                    party: Party {
                        key: key.key.clone(),
                        name: first.customer_name.clone(),
                        domain,
                        external_id,
                    },
                    key,
                    seats,
                    spend,
                    mapped_to,
                    ignored,
                }
            })
            .collect();
        Ok(by_spend(rows, |row| {
            (&row.spend, &row.key, Term::Unspecified)
        }))
    }

    /// The products of the current period per term, largest spend first, each with its
    /// mapping and ignore rule.
    pub fn products(
        &self,
        side: Side,
        state: &CurrentState,
    ) -> Result<Vec<ProductRow>, StoreError> {
        let rows = tally(state.side(side), |position| {
            (position.product.clone(), position.term)
        })
        .into_iter()
        .map(|((key, term), (first, seats, spend))| {
            let (mapped_to, ignored) = match side {
                Side::Vendor => (
                    state.mappings.product_for(&key, term).cloned(),
                    rule_in_force(&state.mappings.ignored_products, &key),
                ),
                Side::Psa => (None, None),
            };
            ProductRow {
                product: Product {
                    key: key.key.clone(),
                    name: first.product_name.clone(),
                },
                key,
                term,
                seats,
                spend,
                mapped_to,
                ignored,
            }
        })
        .collect();
        Ok(by_spend(rows, |row| (&row.spend, &row.key, row.term)))
    }

    /// The stored lines of one customer and product in a side's current imports of a period,
    /// in file order: the evidence behind a gap.
    pub fn lines_of(
        &self,
        side: Side,
        period: Option<&str>,
        customer: &SourceKey,
        product: &SourceKey,
    ) -> Result<Vec<DrillDownLine>, StoreError> {
        let Some(period) = period else {
            return Ok(Vec::new());
        };
        let mut statement = self.connection.prepare_cached(
            "SELECT i.file_name, l.source_line, pr.name, l.term, l.charge, l.seats,
                    coalesce(l.unit_price, l.unit_cost), l.amount, l.currency, l.subscription
             FROM lines l
             JOIN imports i ON i.id = l.import_id
             JOIN parties pa ON pa.id = l.party_id
             JOIN products pr ON pr.id = l.product_id
             WHERE pa.side = ?1 AND pa.system = ?2 AND pa.key = ?3
               AND pr.side = ?1 AND pr.system = ?4 AND pr.key = ?5
               AND i.period = ?6 AND i.superseded_by IS NULL
             ORDER BY i.id, l.source_line",
        )?;
        let mut rows = statement.query(params![
            side.as_str(),
            customer.system,
            customer.key,
            product.system,
            product.key,
            period
        ])?;
        let mut lines = Vec::new();
        while let Some(row) = rows.next()? {
            let currency: Option<String> = row.get(8)?;
            let currency = currency.and_then(|code| Currency::parse(&code).ok());
            let money = |text: Option<String>| -> Result<Option<Money>, StoreError> {
                Ok(match (optional_decimal("lines.amount", text)?, &currency) {
                    (Some(amount), Some(currency)) => Some(Money::new(amount, currency.clone())),
                    _ => None,
                })
            };
            lines.push(DrillDownLine {
                file_name: row.get(0)?,
                source_line: row.get(1)?,
                customer: customer.clone(),
                product: product.clone(),
                product_name: row.get(2)?,
                term: row
                    .get::<_, String>(3)?
                    .parse()
                    .unwrap_or(Term::Unspecified),
                charge: row.get(4)?,
                seats: decimal_from("lines.seats", &row.get::<_, String>(5)?)?,
                unit_amount: money(row.get(6)?)?,
                amount: money(row.get(7)?)?,
                subscription: row.get(9)?,
            });
        }
        Ok(lines)
    }
}

/// Seats and spend per key over a side's positions, with the first position of each key (for
/// its names).
fn tally<K: Ord>(
    positions: &[Position],
    key_of: impl Fn(&Position) -> K,
) -> BTreeMap<K, (&Position, Decimal, MoneyByCurrency)> {
    let mut totals: BTreeMap<K, (&Position, Decimal, MoneyByCurrency)> = BTreeMap::new();
    for position in positions {
        let entry = totals
            .entry(key_of(position))
            .or_insert_with(|| (position, Decimal::ZERO, MoneyByCurrency::default()));
        entry.1 += position.seats;
        entry
            .2
            .add(&Money::new(position.spend, position.currency.clone()));
    }
    totals
}

/// Largest spend first (the largest single-currency amount, since currencies are never
/// added), then by key and term so the order is the same on every run.
fn by_spend<T>(
    mut rows: Vec<T>,
    sort_key: impl Fn(&T) -> (&MoneyByCurrency, &SourceKey, Term),
) -> Vec<T> {
    rows.sort_by(|a, b| {
        let ((a_spend, a_key, a_term), (b_spend, b_key, b_term)) = (sort_key(a), sort_key(b));
        b_spend
            .largest_amount()
            .cmp(&a_spend.largest_amount())
            .then_with(|| a_key.cmp(b_key))
            .then_with(|| a_term.cmp(&b_term))
    });
    rows
}

/// The ignore rule of a record if it is in force today; an expired rule puts the record back in
/// the mapping queue, as coverage already counts it as unmapped.
fn rule_in_force(
    rules: &std::collections::HashMap<SourceKey, IgnoreRule>,
    key: &SourceKey,
) -> Option<IgnoreRule> {
    let today = chrono::Local::now().date_naive();
    rules
        .get(key)
        .filter(|rule| rule.applies_on(today))
        .cloned()
}

fn optional_decimal(
    column: &'static str,
    text: Option<String>,
) -> Result<Option<Decimal>, StoreError> {
    text.map(|text| decimal_from(column, &text)).transpose()
}
