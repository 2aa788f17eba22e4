//! Whether a CSV row has the header's shape.
//!
//! The csv reader is flexible, so a download cut inside its last row, or a lone quote that
//! swallows the lines after it, would otherwise read as rows whose missing cells are blank:
//! 14 seats stored as 1, five rows imported as two. Each is refused at its place instead.

use super::row::{CellError, CellProblem};
use super::table::Table;
use crate::import::contract::Location;
use csv::StringRecord;

/// The shape problem of a row, if any, and the 0-based column it shows at.
fn problem(table: &Table, record: &StringRecord) -> Option<(usize, String)> {
    if table.is_json {
        return None;
    }
    let expected = table.headers.len();
    let cells = record.len();
    if cells < expected {
        return Some((
            cells,
            format!(
                "the row has {cells} of the header's {expected} cells: it is cut short (a \
                 truncated download, or a line break outside quotes)"
            ),
        ));
    }
    // Trailing empty cells (`…,,`) are what some writers pad rows with; anything in them is not.
    // A row of exactly the header's cells has none, and is not walked for them.
    if let Some(extra) = (cells > expected)
        .then(|| {
            record
                .iter()
                .skip(expected)
                .position(|c| !c.trim().is_empty())
        })
        .flatten()
    {
        return Some((
            expected.saturating_add(extra),
            format!(
                "the row has {cells} cells but the header has {expected}: a cell belongs to \
                 no column (an unquoted separator?)"
            ),
        ));
    }
    // Most rows hold no line break at all: one look over the row's bytes settles it.
    memchr::memchr2(b'\n', b'\r', record.as_slice().as_bytes())?;
    let delimiter = char::from(table.delimiter);
    let row_like = expected.saturating_sub(1).max(2);
    for (index, cell) in record.iter().enumerate() {
        if !cell.contains(['\n', '\r']) {
            continue;
        }
        let swallowed = cell
            .split(['\n', '\r'])
            .skip(1)
            .filter(|line| line.matches(delimiter).count() >= row_like)
            .count();
        if swallowed > 0 {
            return Some((
                index,
                format!(
                    "a quoted cell that starts in this row holds {swallowed} more line(s) that \
                     look like rows of their own: a quote is not closed"
                ),
            ));
        }
    }
    None
}

/// Fails when the row is shorter or longer than the header, or swallows later rows.
pub fn check(table: &Table, record: &StringRecord) -> Result<(), CellError> {
    match problem(table, record) {
        Some((_, reason)) => Err(CellError {
            role: None,
            problem: CellProblem::Shape(reason),
        }),
        None => Ok(()),
    }
}

/// Where a row's shape problem shows: the first missing or extra cell, or the swallowing one.
pub fn locate(table: &Table, record: &StringRecord, line: u64) -> Location {
    let column = problem(table, record).map(|(column, _)| column);
    Location {
        file: table.file.clone(),
        line,
        column: column
            .and_then(|c| u64::try_from(c).ok())
            .map(|c| c.saturating_add(1)),
        column_name: column.and_then(|c| table.headers.get(c).cloned()),
    }
}
