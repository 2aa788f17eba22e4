//! Raw API responses that name no company, joined with the file beside them that does.
//!
//! ConnectWise answers `/finance/agreements/{id}/additions` with additions that carry an
//! `agreementId` but no company; the company is on the agreement (`/finance/agreements`).
//! Autotask answers `ContractServiceUnits` with a `contractID` and a `serviceID`; the company is
//! on the contract (`Contracts.companyID`), and the names on `Companies` and `Services`. A user
//! who saved those answers imports the first with the others beside it (`--with`), and the API
//! connectors hand their pulls to the same join, so a pulled record and a saved one read alike.
//!
//! The join works on the flattened records ([`JsonTable`]), before any profile is chosen, so the
//! joined table is recognised and read by the ordinary `connectwise-additions` and
//! `autotask-service-units` profiles. A copied cell keeps where it was written in the beside
//! file, so a bad one is reported there; a record whose agreement or contract is not in the
//! beside file is refused at its own key cell. Nothing is guessed: no company, no import.

use super::header::normalize_header;
use super::json::{JsonRow, JsonTable};
use crate::import::contract::{ImportError, Location};
use std::collections::HashMap;

/// A beside file, read and flattened.
pub struct Beside {
    /// Its name, as messages show it.
    pub file: String,
    /// Its records.
    pub table: JsonTable,
}

/// The raw responses that need a beside file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Raw {
    /// ConnectWise agreement additions: `agreementId`, no company.
    Additions,
    /// Autotask contract service units: `contractID`, no `companyID`.
    ServiceUnits,
}

impl Raw {
    fn of(table: &JsonTable) -> Option<Raw> {
        let has = |name: &str| column(table, name).is_some();
        let named = has("company.identifier") || has("company.id") || has("company.name");
        if has("agreementId") && has("product.identifier") && !named {
            return Some(Raw::Additions);
        }
        if has("contractID") && has("serviceID") && has("units") && !has("companyID") {
            return Some(Raw::ServiceUnits);
        }
        None
    }

    fn describe(self) -> &'static str {
        match self {
            Raw::Additions => {
                "a raw ConnectWise /additions response, which names no company; pass the \
                 agreements it belongs to (the /finance/agreements response) with --with \
                 agreements.json"
            }
            Raw::ServiceUnits => {
                "a raw Autotask ContractServiceUnits response, which names no company; pass \
                 the Contracts response with --with contracts.json (and, for names, the \
                 Companies and Services responses, each with its own --with)"
            }
        }
    }
}

/// How `billgap formats` tells that a format's raw API response is read with `--with`.
pub fn beside_note(format: &str) -> Option<&'static str> {
    match format {
        "connectwise-additions" => Some(
            "a raw /additions response names no company: import it with its agreements, \
             `billgap import additions.json --with agreements.json`",
        ),
        "autotask-service-units" => Some(
            "a raw ContractServiceUnits response names no company: import it with its \
             contracts, `billgap import units.json --with contracts.json` (add --with \
             companies.json --with services.json for names)",
        ),
        _ => None,
    }
}

/// Joins `main` with its beside files; returns the joined table and the file of each origin
/// (index 0 is `main`, index `i` the `i`-th beside file).
///
/// A table that needs no join is returned as it is when no beside file is given. Fails when a
/// raw response has no beside file, when beside files are given for a file that names its
/// companies, when a beside file is not what the join needs, and at the key cell of a record
/// whose agreement or contract the beside file does not hold.
pub fn join(
    file: &str,
    main: JsonTable,
    beside: Vec<Beside>,
) -> Result<(JsonTable, Vec<String>), ImportError> {
    let mut files = vec![file.to_string()];
    files.extend(beside.iter().map(|b| b.file.clone()));
    let refuse = |reason: String| ImportError::Profile {
        file: file.to_string(),
        reason,
    };
    let table = match (Raw::of(&main), beside.is_empty()) {
        (None, true) => main,
        (None, false) => {
            return Err(refuse(
                "--with joins a raw ConnectWise /additions or Autotask ContractServiceUnits \
                 response with the agreements or contracts beside it, and this file is neither \
                 (it names its companies, or is another export): drop --with"
                    .to_string(),
            ));
        }
        (Some(raw), true) => {
            return Err(refuse(format!("the file looks like {}", raw.describe())));
        }
        (Some(Raw::Additions), false) => additions(file, main, beside)?,
        (Some(Raw::ServiceUnits), false) => service_units(file, main, beside)?,
    };
    Ok((table, files))
}

/// ConnectWise: each addition gets its agreement's company, name, status and (when it has
/// none) currency.
fn additions(
    file: &str,
    mut main: JsonTable,
    beside: Vec<Beside>,
) -> Result<JsonTable, ImportError> {
    let mut beside = beside.into_iter();
    let (Some(agreements), None) = (beside.next(), beside.next()) else {
        return Err(ImportError::Profile {
            file: file.to_string(),
            reason: "ConnectWise additions join one agreements file; pass --with once".to_string(),
        });
    };
    let has_company = agreements
        .table
        .headers
        .iter()
        .any(|header| header.starts_with("company."));
    if column(&agreements.table, "id").is_none() || !has_company {
        return Err(not_holding(
            &agreements,
            "ConnectWise agreements (records with an id and a company)",
        ));
    }
    // What is copied, and whether it replaces the addition's own cell.
    let mut copies: Vec<(usize, usize, Fill)> = Vec::new();
    for (index, header) in agreements.table.headers.iter().enumerate() {
        let (target, fill) = if header.starts_with("company.") {
            (header.clone(), Fill::Always)
        } else if header.starts_with("currency.") {
            (header.clone(), Fill::IfEmpty)
        } else if header == "name" {
            ("agreement.name".to_string(), Fill::Always)
        } else if normalize_header(header) == "agreementstatus" {
            // The agreement's status is the one that decides whether it bills.
            ("agreementStatus".to_string(), Fill::Always)
        } else {
            continue;
        };
        copies.push((index, ensure_column(&mut main, &target), fill));
    }
    let Some(key) = column(&main, "agreementId") else {
        return Ok(main);
    };
    let index = index_by(&agreements, "id")?;
    for row in &mut main.rows {
        let agreement = find(
            file,
            row,
            key,
            &agreements,
            &index,
            "agreementId",
            "agreement",
        )?;
        copy(row, agreement, &copies, 1);
    }
    Ok(main)
}

/// Autotask: each unit gets its contract's company, and the company's and service's names
/// when those files are given (else their ids, as the connector names them).
fn service_units(
    file: &str,
    mut main: JsonTable,
    beside: Vec<Beside>,
) -> Result<JsonTable, ImportError> {
    let mut contracts: Option<(usize, &Beside)> = None;
    let mut companies: Option<(usize, &Beside)> = None;
    let mut services: Option<(usize, &Beside)> = None;
    for (offset, candidate) in beside.iter().enumerate() {
        let origin = offset.saturating_add(1);
        let has = |name: &str| column(&candidate.table, name).is_some();
        let slot = if !has("id") {
            None
        } else if has("companyID") {
            Some(&mut contracts)
        } else if has("companyName") {
            Some(&mut companies)
        } else if has("name") {
            Some(&mut services)
        } else {
            None
        };
        let Some(slot) = slot else {
            return Err(not_holding(
                candidate,
                "Autotask Contracts (id, companyID), Companies (id, companyName) or \
                 Services (id, name)",
            ));
        };
        if let Some((_, first)) = slot {
            return Err(ImportError::Profile {
                file: candidate.file.clone(),
                reason: format!(
                    "holds the same kind of Autotask records as {}; pass each of Contracts, \
                     Companies and Services once",
                    first.file
                ),
            });
        }
        *slot = Some((origin, candidate));
    }
    let Some((contracts_origin, contracts)) = contracts else {
        return Err(ImportError::Profile {
            file: file.to_string(),
            reason: "service units need the Contracts response beside them (--with \
                     contracts.json): the company is on the contract"
                .to_string(),
        });
    };
    let company_column = ensure_column(&mut main, "CompanyID");
    let company_name_column = ensure_column(&mut main, "CompanyName");
    let service_name_column = ensure_column(&mut main, "ServiceName");
    let (Some(contract_key), Some(service_key), Some(company_in_contract)) = (
        column(&main, "contractID"),
        column(&main, "serviceID"),
        column(&contracts.table, "companyID"),
    ) else {
        return Ok(main);
    };
    let contract_index = index_by(contracts, "id")?;
    let company_names = names(companies, "companyName")?;
    let service_names = names(services, "name")?;
    for row in &mut main.rows {
        let contract = find(
            file,
            row,
            contract_key,
            contracts,
            &contract_index,
            "contractID",
            "contract",
        )?;
        let company = cell_of(contract, company_in_contract, contracts_origin);
        if company.text.trim().is_empty() {
            return Err(ImportError::Row {
                location: place(&contracts.file, contract, company_in_contract, "companyID"),
                expected: "the company id of the contract".to_string(),
                found: String::new(),
            });
        }
        let company_name = lookup(&company_names, &company.text).unwrap_or_else(|| company.clone());
        let service = cell_of(row, service_key, 0);
        let service_name = lookup(&service_names, &service.text).unwrap_or(service);
        set(row, company_column, company);
        set(row, company_name_column, company_name);
        set(row, service_name_column, service_name);
    }
    Ok(main)
}

/// Whether a copied cell replaces the record's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fill {
    /// Always: the beside record decides.
    Always,
    /// Only where the record's own cell is empty.
    IfEmpty,
}

/// One cell with where it was written.
#[derive(Debug, Clone)]
struct Placed {
    text: String,
    position: Option<(u64, u64)>,
    origin: usize,
}

fn cell_of(row: &JsonRow, column: usize, origin: usize) -> Placed {
    Placed {
        text: row.cells.get(column).cloned().unwrap_or_default(),
        position: row.positions.get(column).copied().flatten(),
        // A cell copied earlier keeps the file it came from.
        origin: row
            .origins
            .get(column)
            .copied()
            .filter(|from| *from != 0)
            .unwrap_or(origin),
    }
}

fn set(row: &mut JsonRow, column: usize, value: Placed) {
    if row.origins.len() < row.cells.len() {
        row.origins.resize(row.cells.len(), 0);
    }
    if let (Some(cell), Some(position), Some(origin)) = (
        row.cells.get_mut(column),
        row.positions.get_mut(column),
        row.origins.get_mut(column),
    ) {
        *cell = value.text;
        *position = value.position;
        *origin = value.origin;
    }
}

fn copy(row: &mut JsonRow, from: &JsonRow, copies: &[(usize, usize, Fill)], origin: usize) {
    for &(source, target, fill) in copies {
        let value = cell_of(from, source, origin);
        let own_empty = row
            .cells
            .get(target)
            .is_none_or(|cell| cell.trim().is_empty());
        let empty = value.text.trim().is_empty();
        if !empty && (fill == Fill::Always || own_empty) {
            set(row, target, value);
        }
    }
}

/// The record of a beside file whose `key` cell matches the row's, or the located refusal.
fn find<'b>(
    file: &str,
    row: &JsonRow,
    key: usize,
    beside: &'b Beside,
    index: &HashMap<String, usize>,
    key_name: &str,
    what: &str,
) -> Result<&'b JsonRow, ImportError> {
    let wanted = row
        .cells
        .get(key)
        .map(|cell| cell.trim())
        .unwrap_or_default();
    let location = || place(file, row, key, key_name);
    if wanted.is_empty() {
        return Err(ImportError::Row {
            location: location(),
            expected: format!("the {what} id, to find its company in {}", beside.file),
            found: String::new(),
        });
    }
    index
        .get(wanted)
        .and_then(|found| beside.table.rows.get(*found))
        .ok_or_else(|| ImportError::Row {
            location: location(),
            expected: format!("a {what} that {} holds", beside.file),
            found: format!("{what} {wanted}, which is not in {}", beside.file),
        })
}

/// The rows of a beside file by one cell; the same id twice is refused where it repeats.
fn index_by(beside: &Beside, key: &str) -> Result<HashMap<String, usize>, ImportError> {
    let Some(column) = column(&beside.table, key) else {
        return Ok(HashMap::new());
    };
    let mut index = HashMap::new();
    for (number, row) in beside.table.rows.iter().enumerate() {
        let id = row
            .cells
            .get(column)
            .map(|cell| cell.trim())
            .unwrap_or_default();
        if id.is_empty() {
            continue;
        }
        if index.insert(id.to_string(), number).is_some() {
            return Err(ImportError::Row {
                location: place(&beside.file, row, column, key),
                expected: "each id once".to_string(),
                found: format!("{id} a second time"),
            });
        }
    }
    Ok(index)
}

type Names<'b> = Option<(usize, &'b Beside, HashMap<String, usize>, Option<usize>)>;

/// A names file indexed by id, with the column of the name.
fn names<'b>(beside: Option<(usize, &'b Beside)>, field: &str) -> Result<Names<'b>, ImportError> {
    beside
        .map(|(origin, beside)| {
            let index = index_by(beside, "id")?;
            Ok((origin, beside, index, column(&beside.table, field)))
        })
        .transpose()
}

/// A name from a names file, or `None` when no such file was given or it lacks the id.
fn lookup(names: &Names<'_>, id: &str) -> Option<Placed> {
    let (origin, beside, index, column) = names.as_ref()?;
    let row = beside.table.rows.get(*index.get(id.trim())?)?;
    let name = cell_of(row, (*column)?, *origin);
    (!name.text.trim().is_empty()).then_some(name)
}

fn place(file: &str, row: &JsonRow, column: usize, name: &str) -> Location {
    let (line, column) = row
        .positions
        .get(column)
        .copied()
        .flatten()
        .map_or((row.line, None), |(line, column)| (line, Some(column)));
    Location {
        file: file.to_string(),
        line,
        column,
        column_name: Some(name.to_string()),
    }
}

fn not_holding(beside: &Beside, expected: &str) -> ImportError {
    ImportError::Profile {
        file: beside.file.clone(),
        reason: format!(
            "given with --with, but it does not hold {expected}; its fields are: {}",
            crate::domain::text::strip_control(&super::parse::shorten(
                &beside.table.headers.join(", ")
            ))
        ),
    }
}

/// The column whose header normalises as `name` does (`agreementId` is `agreement.id`).
fn column(table: &JsonTable, name: &str) -> Option<usize> {
    let wanted = normalize_header(name);
    table
        .headers
        .iter()
        .position(|header| normalize_header(header) == wanted)
}

/// The column of `header`, added (empty in every row) when the table has none.
fn ensure_column(table: &mut JsonTable, header: &str) -> usize {
    if let Some(existing) = column(table, header) {
        return existing;
    }
    table.headers.push(header.to_string());
    for row in &mut table.rows {
        row.cells.push(String::new());
        row.positions.push(None);
        if !row.origins.is_empty() {
            row.origins.push(0);
        }
    }
    table.headers.len().saturating_sub(1)
}
