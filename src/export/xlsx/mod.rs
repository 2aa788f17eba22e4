//! The Excel report, laid out as a billing owner would: a Summary sheet (coverage, money at
//! stake per month and per year, the counts of the four delta sections), a Gaps sheet with one
//! typed row per gap, a Clients sheet, a Fixed sheet and a Coverage sheet.
//!
//! The sheets are first built as plain data ([`Sheet`] of [`Cell`]s, in `sheets.rs`), then
//! written with `rust_xlsxwriter`. The cell type has no formula variant and text is only ever
//! written with `write_string`, so a client named `=1+2` is stored as that text: formula
//! injection is impossible by construction, and the text needs no quote prefix.

mod cell;
mod sheets;

pub(crate) use cell::{Cell, Sheet};

use super::error::ExportError;
use crate::domain::money::Money;
use chrono::{Datelike, NaiveDate};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use rust_xlsxwriter::{
    ColNum, ExcelDateTime, Format, FormatBorder, RowNum, Workbook, Worksheet, XlsxError,
};
use std::collections::HashMap;
use std::io::Write;

/// Writes the report as an XLSX workbook: built in memory, then written out in one piece.
pub(super) fn write(
    report: &crate::domain::report::Report,
    out: &mut dyn Write,
) -> Result<(), ExportError> {
    let mut workbook = workbook(&sheets::build(report))?;
    let bytes = workbook.save_to_buffer()?;
    out.write_all(&bytes)?;
    Ok(())
}

/// The workbook of some sheets.
fn workbook(sheets: &[Sheet]) -> Result<Workbook, XlsxError> {
    let mut workbook = Workbook::new();
    let mut formats = Formats::default();
    for sheet in sheets {
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(sheet.name)?;
        for (row_index, row) in sheet.rows.iter().enumerate() {
            let row_number = row_number(row_index)?;
            for (column, cell) in row.iter().enumerate() {
                write_cell(
                    worksheet,
                    row_number,
                    column_number(column)?,
                    cell,
                    &mut formats,
                )?;
            }
        }
        for (column, width) in sheet.widths().into_iter().enumerate() {
            worksheet.set_column_width(column_number(column)?, width)?;
        }
        if sheet.list {
            let last_row = row_number(sheet.rows.len().saturating_sub(1))?;
            let last_column = column_number(sheet.columns().saturating_sub(1))?;
            worksheet.set_freeze_panes(1, 0)?;
            worksheet.autofilter(0, 0, last_row, last_column)?;
            worksheet.set_repeat_rows(0, 0)?;
            worksheet.set_landscape();
            worksheet.set_print_fit_to_pages(1, 0);
        }
    }
    Ok(workbook)
}

fn row_number(index: usize) -> Result<RowNum, XlsxError> {
    RowNum::try_from(index).map_err(|_| XlsxError::RowColumnLimitError)
}

fn column_number(index: usize) -> Result<ColNum, XlsxError> {
    ColNum::try_from(index).map_err(|_| XlsxError::RowColumnLimitError)
}

/// The number formats and styles used, made once each.
#[derive(Default)]
struct Formats {
    by_code: HashMap<String, Format>,
}

impl Formats {
    fn number(&mut self, code: &str) -> &Format {
        self.by_code
            .entry(code.to_string())
            .or_insert_with(|| Format::new().set_num_format(code))
    }

    fn header(&mut self) -> &Format {
        self.by_code.entry("\u{0}header".into()).or_insert_with(|| {
            Format::new()
                .set_bold()
                .set_background_color(0xE7E6E6)
                .set_border_bottom(FormatBorder::Thin)
        })
    }

    fn title(&mut self) -> &Format {
        self.by_code
            .entry("\u{0}title".into())
            .or_insert_with(|| Format::new().set_bold().set_font_size(14))
    }
}

/// Excel's number format for money in a currency: `#,##0.00 "USD"`, with more decimals for unit
/// prices. The code is three ASCII letters (a `Currency` invariant), so it is safe in quotes.
fn money_format(money: &Money, unit: bool) -> String {
    let pattern = if unit { "#,##0.00####" } else { "#,##0.00" };
    format!("{pattern} \"{}\"", money.currency.code())
}

/// Converts an exact amount to the spreadsheet's own number type, an IEEE double, at the cell
/// and nowhere else. The amount is rounded first (to cents for totals, to six decimals for unit
/// prices, half away from zero like an invoice line), so the cell holds the double nearest to
/// that rounded amount and shows it exactly. `None` if it has no double, which `Decimal`'s
/// range rules out; the caller then writes the exact amount as text rather than a wrong number.
fn spreadsheet_number(amount: Decimal, decimals: u32) -> Option<f64> {
    amount
        .round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero)
        .to_f64()
}

fn write_cell(
    worksheet: &mut Worksheet,
    row: RowNum,
    column: ColNum,
    cell: &Cell,
    formats: &mut Formats,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Empty => {}
        Cell::Text(text) | Cell::Note(text) => {
            worksheet.write_string(row, column, text)?;
        }
        Cell::Header(text) => {
            worksheet.write_string_with_format(row, column, text, formats.header())?;
        }
        Cell::Title(text) => {
            worksheet.write_string_with_format(row, column, text, formats.title())?;
        }
        Cell::Number(value) => match value.normalize().to_f64() {
            Some(number) => {
                worksheet.write_number(row, column, number)?;
            }
            None => {
                worksheet.write_string(row, column, value.normalize().to_string())?;
            }
        },
        Cell::Money(money) | Cell::UnitPrice(money) => {
            let unit = matches!(cell, Cell::UnitPrice(_));
            match spreadsheet_number(money.amount, if unit { 6 } else { 2 }) {
                Some(number) => {
                    let format = formats.number(&money_format(money, unit));
                    worksheet.write_number_with_format(row, column, number, format)?;
                }
                None => {
                    worksheet.write_string(row, column, money.to_string())?;
                }
            }
        }
        Cell::Date(date) => match excel_date(*date) {
            Some(excel) => {
                let format = formats.number("yyyy-mm-dd");
                worksheet.write_datetime_with_format(row, column, excel, format)?;
            }
            None => {
                worksheet.write_string(row, column, date.to_string())?;
            }
        },
        Cell::Percent(share) => {
            // Rounded down to a tenth of a percent, as everywhere in billgap, so 99.96% never
            // shows as 100.0%.
            let share = share.round_dp_with_strategy(3, RoundingStrategy::ToZero);
            match share.to_f64() {
                Some(number) => {
                    let format = formats.number("0.0%");
                    worksheet.write_number_with_format(row, column, number, format)?;
                }
                None => {
                    worksheet.write_string(row, column, share.to_string())?;
                }
            }
        }
    }
    Ok(())
}

/// A day as an Excel date; `None` outside the years Excel can show (1900 to 9999).
fn excel_date(date: NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(date.year()).ok()?;
    let month = u8::try_from(date.month()).ok()?;
    let day = u8::try_from(date.day()).ok()?;
    ExcelDateTime::from_ymd(year, month, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;

    fn usd(amount: Decimal) -> Money {
        Money::new(amount, Currency::parse("USD").expect("USD"))
    }

    #[test]
    fn money_formats_show_the_currency_code() {
        assert_eq!(money_format(&usd(Decimal::ONE), false), "#,##0.00 \"USD\"");
        assert_eq!(
            money_format(&usd(Decimal::ONE), true),
            "#,##0.00#### \"USD\""
        );
    }

    #[test]
    fn amounts_are_rounded_to_cents_before_becoming_doubles() {
        assert_eq!(spreadsheet_number(Decimal::new(10_005, 3), 2), Some(10.01));
        assert_eq!(
            spreadsheet_number(Decimal::new(-10_005, 3), 2),
            Some(-10.01)
        );
        assert_eq!(spreadsheet_number(Decimal::new(3_825, 5), 6), Some(0.03825));
    }

    #[test]
    fn text_cells_are_cleaned_and_cut_at_the_excel_limit() {
        assert_eq!(Cell::text("A\u{1b}B"), Cell::Text("AB".into()));
        let long = "x".repeat(40_000);
        let Cell::Text(cut) = Cell::text(&long) else {
            panic!("text")
        };
        assert_eq!(cut.chars().count(), super::cell::MAX_TEXT);
    }

    #[test]
    fn columns_fit_their_widest_cell_within_bounds() {
        let sheet = Sheet::table(
            "Test",
            &["Client", "Value / month"],
            vec![
                vec![
                    Cell::text("Contoso"),
                    Cell::Money(usd(Decimal::new(123_456_789, 2))),
                ],
                vec![Cell::text(&"x".repeat(200)), Cell::Empty],
                vec![Cell::Note("a long sentence that overflows".repeat(5))],
            ],
        );
        // 200 characters are capped at 60; "-1,234,567.89 USD" (17, room for a sign) plus a
        // margin of 2 beats the header (13) plus its margin and filter button (5).
        assert_eq!(sheet.widths(), vec![60.0, 19.0]);
    }

    #[test]
    fn dates_excel_cannot_show_become_text() {
        assert!(excel_date(NaiveDate::from_ymd_opt(2026, 11, 25).expect("date")).is_some());
        assert!(excel_date(NaiveDate::from_ymd_opt(1800, 1, 1).expect("date")).is_none());
    }
}
