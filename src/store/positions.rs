//! Reading the current state back: positions per side, the mapping set, the lists the mapping
//! queue shows, and the lines behind a gap.

use super::connection::{Store, StoreError};
use super::party_positions::positions_at;
use super::values::decimal_from;
use crate::domain::holdings::PartyDetails;
use crate::domain::lines::{Side, SourceKey, Term};
use crate::domain::money::Currency;
use crate::domain::positions::merge_slices;
use crate::domain::reconcile::{IgnoreRule, MappingSet, Position, Thresholds};
use rusqlite::params;
use rust_decimal::Decimal;
use std::collections::HashMap;

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
        let products = self.products_by_id(side)?;
        let mut statement = self.connection.prepare_cached(
            "SELECT pa.system, pa.key, pa.name, pp.positions
             FROM party_positions pp
             JOIN imports i ON i.id = pp.import_id
             JOIN parties pa ON pa.id = pp.party_id
             WHERE i.side = ?1 AND i.period = ?2 AND i.superseded_by IS NULL
             ORDER BY i.id",
        )?;
        let mut rows = statement.query(params![side.as_str(), period])?;
        let mut read = Vec::new();
        while let Some(row) = rows.next()? {
            let customer = SourceKey::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?);
            let customer_name: String = row.get(2)?;
            for position in positions_at(row, 3)? {
                let (product, product_name) = products.named(position.product_id)?;
                read.push(Position {
                    customer: customer.clone(),
                    customer_name: customer_name.clone(),
                    product: product.clone(),
                    product_name: product_name.to_string(),
                    term: position.term,
                    currency: Currency::parse(&position.currency).map_err(|_| {
                        StoreError::Corrupt {
                            column: "party_positions.currency",
                            value: position.currency.clone(),
                        }
                    })?,
                    seats: position.seats,
                    spend: position.spend,
                    unit_price: position.unit_price,
                    unit_cost: position.unit_cost,
                });
            }
        }
        Ok(merge_slices(read)?)
    }

    /// Every product of a side by its row id: positions name their product by id.
    pub(super) fn products_by_id(&self, side: Side) -> Result<ProductsById, StoreError> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT id, system, key, name FROM products WHERE side = ?1")?;
        let mut rows = statement.query([side.as_str()])?;
        let mut products = HashMap::new();
        while let Some(row) = rows.next()? {
            products.insert(
                row.get::<_, i64>(0)?,
                (
                    SourceKey::new(row.get::<_, String>(1)?, row.get::<_, String>(2)?),
                    row.get::<_, String>(3)?,
                ),
            );
        }
        Ok(ProductsById(products))
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
            .prepare_cached("SELECT subject, system, key, reason, until, term FROM ignore_rules")?;
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
                // '*' is the every-term rule, as in product_mappings.
                let term: String = row.get(5)?;
                let term = (term != "*").then(|| term.parse().unwrap_or(Term::Unspecified));
                set.ignored_products.insert((key, term), rule);
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

    /// The domain and carried id of every party of a side: they are not part of a position,
    /// so they are read once for the whole side rather than once per row.
    pub fn party_details(
        &self,
        side: Side,
    ) -> Result<HashMap<SourceKey, PartyDetails>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT system, key, domain, external_id FROM parties WHERE side = ?1",
        )?;
        let mut found = statement.query([side.as_str()])?;
        let mut details = HashMap::new();
        while let Some(row) = found.next()? {
            details.insert(
                SourceKey::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
                PartyDetails {
                    domain: row.get(2)?,
                    external_id: row.get(3)?,
                },
            );
        }
        Ok(details)
    }
}

/// The products of a side by row id, with their names.
pub(super) struct ProductsById(HashMap<i64, (SourceKey, String)>);

impl ProductsById {
    /// The key and name of product `id`, which a stored position names.
    pub(super) fn named(&self, id: i64) -> Result<(&SourceKey, &str), StoreError> {
        self.0
            .get(&id)
            .map(|(key, name)| (key, name.as_str()))
            .ok_or(StoreError::Corrupt {
                column: "party_positions.positions",
                value: format!("a position names product #{id}, which is not of its side"),
            })
    }
}

pub(super) fn optional_decimal(
    column: &'static str,
    text: Option<String>,
) -> Result<Option<Decimal>, StoreError> {
    text.map(|text| decimal_from(column, &text)).transpose()
}
