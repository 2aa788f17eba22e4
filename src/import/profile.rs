//! Declarative format profiles: what a format is called, which side it feeds, how to recognise
//! its header, and which column plays which role.
//!
//! The profiles of the known formats live in `assets/formats/*.toml` and are compiled in, so
//! adding a header alias is a data change. The seat rules that turn a row into a line are code,
//! one module per format in `import::formats`.

use super::header::normalize_header;
use crate::domain::lines::Side;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Declares [`Role`] and [`Role::ALL`] from one list, so that a role cannot be added to one
/// and forgotten in the other: the column map is sized by `ALL`, and indexed by `role as usize`.
macro_rules! roles {
    ($($(#[doc = $doc:literal])+ $role:ident,)+) => {
        /// What a column means to an importer, whatever the source calls it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Role {
            $($(#[doc = $doc])+ $role,)+
        }

        impl Role {
            /// Every role, in declaration order, so `Role::ALL[role as usize] == role`.
            pub const ALL: &'static [Role] = &[$(Role::$role,)+];
        }
    };
}

roles! {
    /// The source's stable customer id (tenant GUID, companyId, company identifier).
    CustomerId,
    /// The customer's display name.
    CustomerName,
    /// A domain the customer is known by.
    CustomerDomain,
    /// The other side's id for the customer (Pax8 `externalId`).
    ExternalId,
    /// The partner account the file belongs to; part of the slice.
    PartnerId,
    /// The product id (Microsoft ProductId, Pax8 productId, CW product identifier).
    ProductId,
    /// The SKU id (Microsoft SkuId, Pax8 sku).
    SkuId,
    /// A second product key for rows whose product id is blank (HaloPSA `_itemid`).
    ItemId,
    /// Microsoft's AvailabilityId, only used to recognise the NCE file.
    AvailabilityId,
    /// The product's display name.
    ProductName,
    /// The SKU's display name.
    SkuName,
    /// The kind of charge (ChargeType, Pax8 type).
    ChargeType,
    /// Units on the row.
    Quantity,
    /// Units Microsoft bills (NCE BillableQuantity).
    BillableQuantity,
    /// Units included in an agreement and not billed (ConnectWise lessIncluded).
    LessIncluded,
    /// Price per unit.
    UnitPrice,
    /// Microsoft's prorated unit price after discounts.
    EffectiveUnitPrice,
    /// Pricing-to-billing currency rate (Microsoft PCToBCExchangeRate).
    ExchangeRate,
    /// Cost per unit to the MSP.
    UnitCost,
    /// The row's extended amount.
    Amount,
    /// ISO currency code.
    Currency,
    /// First day the row covers.
    Start,
    /// Last day the row covers.
    End,
    /// Commitment term, free text.
    Term,
    /// Billing cycle, free text, used for the term when nothing better exists.
    BillingCycle,
    /// A description that may name the term.
    Description,
    /// Microsoft ProductQualifiers (a JSON array in a cell).
    Qualifiers,
    /// Subscription, agreement or contract id for drill-down.
    Subscription,
    /// Status of the subscription or agreement.
    Status,
    /// ConnectWise billCustomer (Billable, DoNotBill, NoCharge).
    BillCustomer,
    /// Date a PSA line was cancelled.
    CancelledDate,
    /// Date a PSA line took effect.
    EffectiveDate,
    /// Halo isinactive flag; Syncro's paused schedule.
    Inactive,
    /// A line billed once, not recurring (Syncro one_time_charge).
    OneTime,
    /// Free-form tags that may name the customer (Sherweb charge tags, a JSON array).
    Tags,
    /// PSA contract id.
    ContractId,
    /// Autotask ContractServiceID.
    ContractServiceId,
    /// ConnectWise agreement id.
    AgreementId,
    /// ConnectWise agreement name.
    AgreementName,
    /// The row's own id in its source: a ConnectWise addition, a Halo or Syncro line.
    LineId,
}

/// How many roles exist; sizes the per-file column map.
pub const ROLE_COUNT: usize = Role::ALL.len();

/// Which seat rules turn a row of this format into a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleSet {
    /// Microsoft NCE invoice reconciliation.
    PartnerCenterNce,
    /// Microsoft legacy license-based reconciliation.
    PartnerCenterLegacy,
    /// Pax8 invoice items or subscriptions.
    Pax8,
    /// ConnectWise Manage agreement additions.
    ConnectwiseAdditions,
    /// Autotask contract service units.
    AutotaskServiceUnits,
    /// HaloPSA recurring invoice lines.
    HaloRecurringLines,
    /// A user-described CSV, and bundled formats whose rows state recurring seats outright.
    Generic,
    /// Sherweb payable charges.
    Sherweb,
    /// Syncro recurring invoice schedule lines.
    Syncro,
}

/// One format: its identity, how to recognise it and where each role's column is.
///
/// Invariant: every role named in `fingerprints` and `slice` has aliases in `columns`.
#[derive(Debug, Clone, Deserialize)]
pub struct Profile {
    /// The format name, as `--format` takes it.
    pub name: String,
    /// The name of the same data as API JSON, if the format has one.
    pub json_name: Option<String>,
    /// The source system.
    pub system: String,
    /// The side the format feeds.
    pub side: Side,
    /// One sentence for `billgap formats`.
    pub description: String,
    /// True when the profile was checked against a real file layout of the format; false when
    /// it was built from a spec or description only, and real files may differ.
    #[serde(default)]
    pub verified: bool,
    /// What the profile was built from or checked against, for `billgap formats`.
    #[serde(default)]
    pub evidence: String,
    /// The seat rules.
    pub rules: RuleSet,
    /// Roles whose first-row values, joined by `/`, name the slice of the period.
    #[serde(default)]
    pub slice: Vec<Role>,
    /// Alternative sets of roles; a header that has every role of one set is this format.
    pub fingerprints: Vec<Vec<Role>>,
    /// Roles the file must have a column for once it is taken to be this format: without
    /// them it would import with a silent fallback (customers keyed by name instead of id).
    #[serde(default)]
    pub required: Vec<Role>,
    /// For each role, the header spellings that carry it, best first.
    pub columns: BTreeMap<Role, Vec<String>>,
    /// Currency to use when the file has none and the user gave none (generic profiles).
    #[serde(default)]
    pub default_currency: Option<String>,
}

const BUNDLED: [&str; 11] = [
    include_str!("../../assets/formats/partner-center-nce.toml"),
    include_str!("../../assets/formats/partner-center-legacy.toml"),
    include_str!("../../assets/formats/pax8.toml"),
    include_str!("../../assets/formats/connectwise-additions.toml"),
    include_str!("../../assets/formats/autotask-service-units.toml"),
    include_str!("../../assets/formats/halo-recurring-lines.toml"),
    include_str!("../../assets/formats/sherweb-charges.toml"),
    include_str!("../../assets/formats/ingram-micro-rde.toml"),
    include_str!("../../assets/formats/streamone-billing.toml"),
    include_str!("../../assets/formats/syncro-schedules.toml"),
    include_str!("../../assets/formats/kaseya-bms-services.toml"),
];

/// The profiles compiled into the binary, in detection order.
///
/// Parsed once per process: every import and every preview asks for them. Fails only if a
/// bundled file is malformed, which the test suite rules out.
pub fn bundled_profiles() -> Result<Vec<Profile>, toml::de::Error> {
    static PARSED: std::sync::OnceLock<Result<Vec<Profile>, toml::de::Error>> =
        std::sync::OnceLock::new();
    PARSED
        .get_or_init(|| BUNDLED.iter().map(|text| toml::from_str(text)).collect())
        .clone()
}

/// A file's header by its normalised spellings: each spelling's first column.
#[derive(Debug, Clone, Default)]
pub struct HeaderIndex {
    first: std::collections::HashMap<String, usize>,
}

impl HeaderIndex {
    /// Indexes `headers`; a spelling that appears twice keeps its first column.
    pub fn new(headers: &[String]) -> Self {
        let mut first = std::collections::HashMap::with_capacity(headers.len());
        for (position, header) in headers.iter().enumerate() {
            first.entry(normalize_header(header)).or_insert(position);
        }
        Self { first }
    }
}

/// Where each role's column is in one file's header.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    positions: [Option<usize>; ROLE_COUNT],
}

impl ColumnMap {
    /// Resolves every role of `profile` against `headers`: the first alias present wins.
    pub fn resolve(profile: &Profile, headers: &[String]) -> ColumnMap {
        Self::resolve_indexed(profile, &HeaderIndex::new(headers))
    }

    /// [`ColumnMap::resolve`] against a header already indexed, for trying many profiles on
    /// one file without normalising its header (which may have thousands of cells) each time.
    pub fn resolve_indexed(profile: &Profile, index: &HeaderIndex) -> ColumnMap {
        let mut positions = [None; ROLE_COUNT];
        for (role, aliases) in &profile.columns {
            // `ROLE_COUNT` counts every role, so the slot always exists.
            if let Some(slot) = positions.get_mut(*role as usize) {
                *slot = aliases
                    .iter()
                    .find_map(|alias| index.first.get(&normalize_header(alias)).copied());
            }
        }
        ColumnMap { positions }
    }

    /// A role whose header appears twice in the file, spelled the same (but for case and
    /// surrounding spaces), with both 0-based columns: the file does not say which one to read
    /// (a duplicated `BillableQuantity`). Spellings that only normalise alike, such as a JSON
    /// record's `agreement.id` and `agreementId`, are different fields and not duplicates.
    pub fn duplicate(&self, headers: &[String]) -> Option<(Role, usize, usize)> {
        let normalized: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
        Role::ALL.iter().find_map(|role| {
            let first = self.position(*role)?;
            let wanted = normalized.get(first)?;
            let second = normalized
                .iter()
                .enumerate()
                .skip(first.saturating_add(1))
                .find(|(_, header)| *header == wanted)?
                .0;
            Some((*role, first, second))
        })
    }

    /// The 0-based column of a role, if the file has it.
    pub fn position(&self, role: Role) -> Option<usize> {
        self.positions.get(role as usize).copied().flatten()
    }

    /// True when the file has a column for every role of one of the profile's fingerprints;
    /// returns the size of the largest set matched, so the most specific profile can win.
    pub fn fingerprint_score(&self, profile: &Profile) -> Option<usize> {
        profile
            .fingerprints
            .iter()
            .filter(|set| set.iter().all(|role| self.position(*role).is_some()))
            .map(Vec::len)
            .max()
    }
}

/// The columns a file lacks for `roles`, by the profile's first spelling of each.
pub fn missing_columns(profile: &Profile, columns: &ColumnMap, roles: &[Role]) -> Vec<String> {
    roles
        .iter()
        .filter(|role| columns.position(**role).is_none())
        .map(|role| {
            profile
                .columns
                .get(role)
                .and_then(|aliases| aliases.first())
                .cloned()
                .unwrap_or_else(|| format!("{role:?}"))
        })
        .collect()
}

/// The header spellings of a profile's first fingerprint, for `billgap formats`.
pub fn fingerprint_columns(profile: &Profile) -> Vec<String> {
    profile
        .fingerprints
        .first()
        .map(|set| {
            set.iter()
                .filter_map(|role| profile.columns.get(role).and_then(|a| a.first()).cloned())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_profiles_are_consistent() {
        let profiles = bundled_profiles().expect("bundled profiles parse");
        for profile in &profiles {
            for role in profile
                .fingerprints
                .iter()
                .flatten()
                .chain(&profile.slice)
                .chain(&profile.required)
            {
                assert!(
                    profile.columns.contains_key(role),
                    "{}: {role:?}",
                    profile.name
                );
            }
            assert!(!fingerprint_columns(profile).is_empty(), "{}", profile.name);
        }
    }

    #[test]
    fn every_role_has_its_own_column_slot() {
        assert_eq!(ROLE_COUNT, Role::ALL.len());
        for (index, role) in Role::ALL.iter().enumerate() {
            assert_eq!(*role as usize, index, "{role:?}");
        }
        // A profile naming every role, each at its own header: each must resolve to it.
        let headers: Vec<String> = Role::ALL.iter().map(|role| format!("{role:?}")).collect();
        let profile = Profile {
            name: "every-role".to_string(),
            json_name: None,
            system: "test".to_string(),
            side: Side::Vendor,
            description: String::new(),
            verified: false,
            evidence: String::new(),
            rules: RuleSet::Generic,
            slice: Vec::new(),
            fingerprints: vec![Role::ALL.to_vec()],
            required: Vec::new(),
            columns: Role::ALL
                .iter()
                .zip(&headers)
                .map(|(role, header)| (*role, vec![header.clone()]))
                .collect(),
            default_currency: None,
        };
        let columns = ColumnMap::resolve(&profile, &headers);
        for (index, role) in Role::ALL.iter().enumerate() {
            assert_eq!(columns.position(*role), Some(index), "{role:?}");
        }
        assert_eq!(columns.fingerprint_score(&profile), Some(ROLE_COUNT));
    }
}
