//! The evidence of a file's number cells about its decimal mark: collected by the row loop
//! as it reads, or by a pass of its own over the first rows, or over all of them when the row
//! loop stopped early.

use super::decimal_mark::{Asked, Evidence, Undecided, decide};
use super::decode::Utf8Scan;
use super::number::parse_decimal;
use super::parse::locate;
use super::profile::{ColumnMap, Role};
use super::table::Table;
use crate::import::contract::{ImportError, ImportOptions, Location};
use csv::StringRecord;
use std::path::Path;

/// The roles whose cells are numbers.
const NUMBER_ROLES: [Role; 8] = [
    Role::Quantity,
    Role::BillableQuantity,
    Role::LessIncluded,
    Role::UnitPrice,
    Role::EffectiveUnitPrice,
    Role::ExchangeRate,
    Role::UnitCost,
    Role::Amount,
];

/// The decimal mark the user's flags ask for; both flags at once contradict each other.
pub fn asked(path: &Path, options: &ImportOptions) -> Result<Asked, ImportError> {
    match (options.decimal_comma, options.decimal_point) {
        (true, true) => Err(ImportError::Profile {
            file: super::table::display_name(path),
            reason: "--decimal-comma and --decimal-point contradict each other; pass one"
                .to_string(),
        }),
        (true, false) => Ok(Asked::Comma),
        (false, true) => Ok(Asked::Point),
        (false, false) => Ok(Asked::Nothing),
    }
}

/// The columns of a file whose cells are numbers, with their roles.
pub fn number_cells(columns: &ColumnMap) -> Vec<(Role, usize)> {
    NUMBER_ROLES
        .iter()
        .filter_map(|role| columns.position(*role).map(|p| (*role, p)))
        .collect()
}

/// Adds the number cells of one row to the evidence; `locate` places a cell of a role.
pub fn collect(
    evidence: &mut Evidence<Location>,
    number_cells: &[(Role, usize)],
    record: &StringRecord,
    locate: impl Fn(Role) -> Location,
) {
    // Evidence both ways refuses the file whatever the rest says.
    if evidence.settled_against_itself() {
        return;
    }
    for (role, position) in number_cells {
        if let Some(cell) = record.get(*position) {
            evidence.add(cell, || locate(*role));
        }
    }
}

/// Whether commas are decimal marks in the CSV `path`, from the flag and the number cells of
/// up to `limit` rows. A preview (`strict` false) never fails on the evidence: it reads what
/// was asked, or dots.
pub fn decimal_comma(
    path: &Path,
    scan: &Utf8Scan,
    columns: &ColumnMap,
    asked: Asked,
    limit: u64,
    strict: bool,
) -> Result<bool, ImportError> {
    let number_cells = number_cells(columns);
    let mut table = Table::open(path, scan)?;
    let mut evidence: Evidence<Location> = Evidence::default();
    let mut record = StringRecord::new();
    let mut rows: u64 = 0;
    while rows < limit && !evidence.settled_against_itself() {
        let line = match table.next_row(&mut record) {
            Ok(Some(line)) => line,
            Ok(None) => break,
            // The row loop reports malformed rows at their place; here they only end the scan.
            Err(error) if strict => return Err(error),
            Err(_) => break,
        };
        rows = rows.saturating_add(1);
        collect(&mut evidence, &number_cells, &record, |role| {
            locate(&table, columns, line, Some(role))
        });
    }
    match decide(asked, &evidence) {
        Ok(comma) => Ok(comma),
        Err(_) if !strict => Ok(asked == Asked::Comma),
        Err(undecided) => Err(refusal(undecided)),
    }
}

/// The error that refuses a file whose decimal mark is undecided, at the cell that shows it.
pub fn refusal(undecided: Undecided<Location>) -> ImportError {
    let reading = |cell: &str, comma: bool| {
        parse_decimal(cell, comma).map_or_else(|| "nothing".to_string(), |n| n.to_string())
    };
    let (location, reason) = match undecided {
        Undecided::Ambiguous {
            cell: (location, cell),
        } => {
            let reason = format!(
                "{cell:?} is {} with a decimal point and {} with a decimal comma, and no other \
                 number in the file settles which; pass --decimal-point or --decimal-comma",
                reading(&cell, false),
                reading(&cell, true)
            );
            (location, reason)
        }
        Undecided::Mixed { point, comma } => {
            let reason = format!(
                "{:?} needs a decimal comma, but {} {:?} needs a decimal point; the file mixes \
                 both, so its numbers cannot be read safely: re-export it with one decimal mark",
                comma.1, point.0, point.1
            );
            (comma.0, reason)
        }
        Undecided::Contradicts {
            asked,
            cell: (location, cell),
        } => {
            let (given, other) = match asked {
                Asked::Comma => ("--decimal-comma", "decimal point"),
                _ => ("--decimal-point", "decimal comma"),
            };
            let reason = format!(
                "{cell:?} can only be read with a {other}, but {given} was given; drop {given}"
            );
            (location, reason)
        }
    };
    ImportError::DecimalMark { location, reason }
}
