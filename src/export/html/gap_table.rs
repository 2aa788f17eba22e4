//! One table of gaps, written by one function for the HTML report and for the HTML part of the
//! alert emails, so an account manager's email and the billing owner's report cannot show a
//! gap differently. Each face picks its columns; a cell is written the same way wherever it
//! appears.
//!
//! The table carries plain attributes (`border`, `cellpadding`, `align`) besides its classes:
//! some mail clients drop a `<style>` block, and the table must still read there.

use super::escape;
use crate::domain::lines::Term;
use crate::domain::money::Money;
use crate::domain::reconcile::GapKind;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// One gap as a row of the table: what every face knows about a gap, in display terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapRow {
    /// The client (PSA company) name, as the file gave it.
    pub client: String,
    /// The product, with any work recorded on the gap.
    pub product: String,
    /// The term.
    pub term: Term,
    /// The kind of gap.
    pub kind: GapKind,
    /// Vendor seats.
    pub vendor_seats: Decimal,
    /// PSA billed seats.
    pub psa_seats: Decimal,
    /// Vendor minus PSA seats.
    pub delta: Decimal,
    /// Value per month; `None` when unpriced.
    pub value: Option<Money>,
    /// Vendor cost of the seat difference per month; `None` when unknown.
    pub cost: Option<Money>,
    /// The first day the gap was seen, when the face knows it.
    pub first_seen: Option<NaiveDate>,
    /// Days since first seen.
    pub age_days: i64,
    /// Money it has cost since first seen; `None` when unpriced.
    pub cost_to_date: Option<Money>,
    /// Where it stands: `new`, `worse`, `still open`...
    pub status: String,
}

/// A column of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GapColumn {
    /// The client.
    Client,
    /// The product.
    Product,
    /// The term.
    Term,
    /// The kind of gap.
    Kind,
    /// Vendor seats.
    VendorSeats,
    /// PSA seats.
    PsaSeats,
    /// Seat difference.
    Delta,
    /// Value per month.
    Value,
    /// Cost per month.
    Cost,
    /// First seen.
    FirstSeen,
    /// Age in days.
    Age,
    /// Cost to date.
    CostToDate,
    /// Status.
    Status,
}

/// The report's columns: every one.
pub const REPORT_COLUMNS: [GapColumn; 13] = [
    GapColumn::Client,
    GapColumn::Product,
    GapColumn::Term,
    GapColumn::Kind,
    GapColumn::VendorSeats,
    GapColumn::PsaSeats,
    GapColumn::Delta,
    GapColumn::Value,
    GapColumn::Cost,
    GapColumn::FirstSeen,
    GapColumn::Age,
    GapColumn::CostToDate,
    GapColumn::Status,
];

/// An alert's columns: the email is about one client already, and an account manager acts on
/// the value rather than on the vendor cost.
pub const ALERT_COLUMNS: [GapColumn; 10] = [
    GapColumn::Product,
    GapColumn::Term,
    GapColumn::Kind,
    GapColumn::VendorSeats,
    GapColumn::PsaSeats,
    GapColumn::Delta,
    GapColumn::Value,
    GapColumn::Age,
    GapColumn::CostToDate,
    GapColumn::Status,
];

impl GapColumn {
    /// The header a reader sees.
    pub fn header(self) -> &'static str {
        match self {
            GapColumn::Client => "Client",
            GapColumn::Product => "Product",
            GapColumn::Term => "Term",
            GapColumn::Kind => "Kind",
            GapColumn::VendorSeats => "Vendor",
            GapColumn::PsaSeats => "PSA",
            GapColumn::Delta => "Delta",
            GapColumn::Value => "Value / month",
            GapColumn::Cost => "Cost / month",
            GapColumn::FirstSeen => "First seen",
            GapColumn::Age => "Age (days)",
            GapColumn::CostToDate => "Cost to date",
            GapColumn::Status => "Status",
        }
    }

    /// True for the columns of numbers, right-aligned so that digits line up.
    fn numeric(self) -> bool {
        matches!(
            self,
            GapColumn::VendorSeats
                | GapColumn::PsaSeats
                | GapColumn::Delta
                | GapColumn::Value
                | GapColumn::Cost
                | GapColumn::Age
                | GapColumn::CostToDate
        )
    }

    /// The cell's content, escaped.
    fn content(self, row: &GapRow) -> String {
        match self {
            GapColumn::Client => escape(&row.client),
            GapColumn::Product => escape(&row.product),
            GapColumn::Term => row.term.to_string(),
            GapColumn::Kind => row.kind.as_str().to_string(),
            GapColumn::VendorSeats => row.vendor_seats.normalize().to_string(),
            GapColumn::PsaSeats => row.psa_seats.normalize().to_string(),
            GapColumn::Delta => row.delta.normalize().to_string(),
            GapColumn::Value => money(row.value.as_ref()),
            GapColumn::Cost => money(row.cost.as_ref()),
            GapColumn::FirstSeen => row
                .first_seen
                .map_or_else(|| "-".to_string(), |day| day.to_string()),
            GapColumn::Age => row.age_days.to_string(),
            GapColumn::CostToDate => money(row.cost_to_date.as_ref()),
            GapColumn::Status => escape(&row.status),
        }
    }

    /// The cell's attributes: numbers right-aligned by class and by attribute.
    fn attributes(self) -> &'static str {
        if self.numeric() {
            " class=\"num\" align=\"right\""
        } else {
            ""
        }
    }
}

/// Money as "412.00 USD"; an unknown amount says so, and is never shown as zero.
pub fn money(value: Option<&Money>) -> String {
    value.map_or_else(
        || "unpriced".to_string(),
        |money| escape(&money.to_string()),
    )
}

/// Writes a table of gaps with the columns given, one row per gap, in the order given.
pub fn gap_table(columns: &[GapColumn], rows: &[GapRow], out: &mut String) {
    out.push_str("<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><thead><tr>");
    for column in columns {
        let _ = write!(out, "<th{}>{}</th>", column.attributes(), column.header());
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for column in columns {
            let _ = write!(
                out,
                "<td{}>{}</td>",
                column.attributes(),
                column.content(row)
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;
    use rust_decimal_macros::dec;

    fn row() -> GapRow {
        let usd = Currency::parse("USD").expect("USD");
        GapRow {
            client: "<b>Contoso</b>".into(),
            product: "M365 & more".into(),
            term: Term::Monthly,
            kind: GapKind::Unbilled,
            vendor_seats: dec!(12),
            psa_seats: dec!(8.0),
            delta: dec!(4),
            value: Some(Money::new(dec!(412), usd)),
            cost: None,
            first_seen: NaiveDate::from_ymd_opt(2026, 11, 3),
            age_days: 3,
            cost_to_date: None,
            status: "new".into(),
        }
    }

    #[test]
    fn each_row_has_one_cell_per_column_and_text_is_escaped() {
        let mut out = String::new();
        gap_table(&REPORT_COLUMNS, &[row(), row()], &mut out);
        let headers = out.matches("<th>").count() + out.matches("<th ").count();
        assert_eq!(headers, REPORT_COLUMNS.len());
        assert_eq!(out.matches("<td").count(), 2 * REPORT_COLUMNS.len());
        assert!(out.contains("<td>&lt;b&gt;Contoso&lt;/b&gt;</td><td>M365 &amp; more</td>"));
        assert!(out.contains("<td class=\"num\" align=\"right\">412.00 USD</td>"));
        assert!(out.contains("<td class=\"num\" align=\"right\">unpriced</td>"));
        assert!(out.contains("<td class=\"num\" align=\"right\">8</td>"));
    }

    #[test]
    fn the_alert_columns_leave_out_the_client_and_the_cost() {
        let mut out = String::new();
        gap_table(&ALERT_COLUMNS, &[row()], &mut out);
        assert!(!out.contains("Contoso"));
        assert!(!out.contains("Cost / month"));
        assert!(out.contains("<th class=\"num\" align=\"right\">Value / month</th>"));
    }
}
