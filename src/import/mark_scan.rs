//! The evidence of a file's number cells about its decimal mark: collected by the row loop
//! as it reads, or by a pass of its own over the first rows, or over all of them when the row
//! loop stopped early.

use super::decimal_mark::{Asked, Evidence, Reading, Undecided, decide};
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

/// Has the reader thread of `table` read the number cells, for [`collect`]; a table opened
/// for the evidence calls it before its first row.
pub fn watch(table: &mut Table, number_cells: &[(Role, usize)]) {
    table.watch_numbers(number_cells.iter().map(|(_, position)| *position).collect());
}

/// Adds the number cells of the current row of `table` to the evidence; `locate` places a
/// cell of a role.
pub fn collect(
    evidence: &mut Evidence<Location>,
    number_cells: &[(Role, usize)],
    table: &Table,
    record: &StringRecord,
    locate: impl Fn(Role) -> Location,
) {
    // Evidence both ways refuses the file whatever the rest says.
    if evidence.settled_against_itself() {
        return;
    }
    match table.look().and_then(|look| look.first_reading) {
        Some(first_reading) => {
            add_first_readings(evidence, number_cells, first_reading, record, locate);
        }
        None => add_cells(evidence, number_cells, record, locate),
    }
}

/// Reads every number cell of `record` into the evidence.
fn add_cells<L>(
    evidence: &mut Evidence<L>,
    number_cells: &[(Role, usize)],
    record: &StringRecord,
    locate: impl Fn(Role) -> L,
) {
    for (role, position) in number_cells {
        if let Some(cell) = record.get(*position) {
            evidence.add(cell, || locate(*role));
        }
    }
}

/// [`add_cells`] for a record whose cells the reader thread has read already: only the first
/// cell of each reading can count, and only for a reading the evidence lacks, so the record
/// is not touched at all for most rows.
fn add_first_readings<L>(
    evidence: &mut Evidence<L>,
    number_cells: &[(Role, usize)],
    first_reading: [Option<u8>; 3],
    record: &StringRecord,
    locate: impl Fn(Role) -> L,
) {
    let readings = [Reading::Point, Reading::Comma, Reading::Ambiguous];
    for (reading, first) in readings.into_iter().zip(first_reading) {
        if evidence.holds(reading) {
            continue;
        }
        let Some((role, position)) = first.and_then(|index| number_cells.get(usize::from(index)))
        else {
            continue;
        };
        if let Some(cell) = record.get(*position) {
            evidence.add_read(reading, cell, || locate(*role));
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
    watch(&mut table, &number_cells);
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
        collect(&mut evidence, &number_cells, &table, &record, |role| {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::record_stream::Watch;

    /// The reader thread's look must leave the evidence exactly as reading every cell does:
    /// the same first cell of each reading, at the same place, over rows of every kind.
    #[test]
    fn evidence_from_the_reader_threads_look_is_the_evidence_of_every_cell() {
        let cells = [
            "14",
            "12.495",
            "14,28",
            "1,234.50",
            "",
            "5,625",
            "x",
            "1.234.567",
            "0.5",
        ];
        let number_cells = [(Role::Quantity, 1), (Role::UnitPrice, 3), (Role::Amount, 4)];
        let watch = Watch {
            cells: 5,
            numbers: Some(number_cells.iter().map(|(_, p)| *p).collect()),
        };
        // Every order of a few rows, each with three number cells drawn from `cells`.
        for seed in 0..400_usize {
            let rows: Vec<StringRecord> = (0..4_usize)
                .map(|row| {
                    let pick = |n: usize| cells[(seed / (n + 1) + row * 7 + n * 3) % cells.len()];
                    StringRecord::from(vec!["id", pick(0), "name", pick(1), pick(2)])
                })
                .collect();
            let (mut every, mut looked) = (Evidence::default(), Evidence::default());
            for (line, record) in (2_u64..).zip(&rows) {
                let locate = |role: Role| (line, role);
                add_cells(&mut every, &number_cells, record, locate);
                let first_reading = watch.look(record).first_reading.expect("watched");
                add_first_readings(&mut looked, &number_cells, first_reading, record, locate);
            }
            assert_eq!(looked, every, "{rows:?}");
        }
    }
}
