//! What a sheet is before it is written: rows of typed cells. Text is a string cell by
//! construction, so a formula can never be written.

use crate::domain::money::Money;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// One cell of a sheet, typed: numbers stay numbers, money keeps its currency, dates are dates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// Nothing.
    Empty,
    /// Text from a file or from billgap, always written as a string cell.
    Text(String),
    /// A sentence that may overflow into the empty cells beside it; it does not widen its
    /// column.
    Note(String),
    /// The sheet's title.
    Title(String),
    /// A column or block header.
    Header(String),
    /// A count or a number of seats.
    Number(Decimal),
    /// A total in a currency, shown in cents with the currency code.
    Money(Money),
    /// A unit price, which may have fractions of a cent, shown with the currency code.
    UnitPrice(Money),
    /// A day.
    Date(NaiveDate),
    /// A share from 0 to 1, shown as a percentage.
    Percent(Decimal),
}

impl Cell {
    /// Text from a file: control characters stripped, and cut at Excel's limit of 32,767
    /// characters per cell (no real name comes near it).
    pub(crate) fn text(value: &str) -> Cell {
        Cell::Text(
            crate::domain::text::strip_control(value)
                .chars()
                .take(MAX_TEXT)
                .collect(),
        )
    }

    /// A whole count.
    pub(crate) fn count(value: usize) -> Cell {
        Cell::Number(Decimal::from(value))
    }

    /// The characters the cell takes on screen, to size its column; `None` when it must not
    /// widen the column.
    pub(super) fn display_width(&self) -> Option<usize> {
        match self {
            Cell::Empty | Cell::Note(_) | Cell::Title(_) => None,
            Cell::Text(text) | Cell::Header(text) => Some(text.chars().count()),
            Cell::Number(value) => Some(value.normalize().to_string().len()),
            // Digits, thousands separators, then a sign, ".00" and " USD".
            Cell::Money(money) | Cell::UnitPrice(money) => {
                let digits = money.amount.trunc().abs().to_string().len();
                Some(digits + digits / 3 + 8)
            }
            Cell::Date(_) => Some(10),
            Cell::Percent(_) => Some(6),
        }
    }
}

/// Excel's limit on the characters of one cell.
pub(super) const MAX_TEXT: usize = 32_767;

/// A sheet as data: its rows, which rows are a list's header, and how it is set up.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sheet {
    /// The tab's name.
    pub(crate) name: &'static str,
    /// The rows, top to bottom.
    pub(crate) rows: Vec<Vec<Cell>>,
    /// True for a list sheet: its first row is a header that stays in view (frozen), carries
    /// an autofilter over the whole list, and repeats on every printed page.
    pub(crate) list: bool,
}

impl Sheet {
    /// A list sheet: a header row, then one row per record.
    pub(super) fn table(name: &'static str, header: &[&str], rows: Vec<Vec<Cell>>) -> Sheet {
        let mut all = vec![header.iter().map(|h| Cell::Header((*h).into())).collect()];
        all.extend(rows);
        Sheet {
            name,
            rows: all,
            list: true,
        }
    }

    /// The number of columns of the widest row.
    pub(crate) fn columns(&self) -> usize {
        self.rows.iter().map(Vec::len).max().unwrap_or(0)
    }

    /// Column widths in characters that fit the content: the widest cell plus a margin (and
    /// room for the filter button on a list header), from 8 to 60.
    pub(crate) fn widths(&self) -> Vec<f64> {
        let mut widths = vec![8_usize; self.columns()];
        for (row_index, row) in self.rows.iter().enumerate() {
            for (column, cell) in row.iter().enumerate() {
                let filter_button = if self.list && row_index == 0 { 3 } else { 0 };
                if let (Some(width), Some(slot)) = (cell.display_width(), widths.get_mut(column)) {
                    *slot = (*slot).max(width + 2 + filter_button);
                }
            }
        }
        widths
            .into_iter()
            .map(|width| width.min(60) as f64)
            .collect()
    }
}
