//! Pieces every screen draws with: money, seats and shares as table cells, and pop-ups.

use crate::domain::money::{Currency, Money};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear};
use rust_decimal::Decimal;

/// A centred rectangle of at most `width`×`height` inside `area`.
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Clears `area` and draws a bordered block titled `title` in it; returns the inner area.
pub(crate) fn popup(frame: &mut Frame, area: Rect, title: &str) -> Rect {
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title.to_string());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// Money for a table cell: grouped thousands, two decimals, the currency code.
pub(crate) fn money(value: &Money) -> String {
    format!("{} {}", amount(value.round_cents().amount), value.currency)
}

/// Several currencies' money joined with " + ". Nothing at all is zero in each of
/// `currencies` (the currencies in play), so that a zero never loses its currency.
pub(crate) fn moneys(values: &[Money], currencies: &[Currency]) -> String {
    if values.is_empty() {
        if currencies.is_empty() {
            return "none".to_string();
        }
        return currencies
            .iter()
            .map(|currency| format!("0.00 {currency}"))
            .collect::<Vec<_>>()
            .join(" + ");
    }
    values.iter().map(money).collect::<Vec<_>>().join(" + ")
}

/// A list cell for money that may be in several currencies: all of it when it fits in `width`
/// columns, else the largest with "+N" saying how many more currencies the row holds (the
/// detail box names them), so a CAD share never disappears silently behind the USD one.
pub(crate) fn moneys_in(values: &[Money], width: usize) -> String {
    let all = values.iter().map(money).collect::<Vec<_>>().join(" + ");
    if all.chars().count() <= width || values.len() < 2 {
        return all;
    }
    format!("{} +{}", money(&values[0]), values.len() - 1)
}

/// The columns left for the one flexible column of a bordered table whose other columns have
/// these fixed widths (ratatui puts one column of space between neighbours).
pub(crate) fn flexible_width(area: Rect, fixed: &[u16]) -> usize {
    let taken: u16 = fixed.iter().sum::<u16>() + fixed.len() as u16 + 2;
    usize::from(area.width.saturating_sub(taken))
}

/// A short vendor or PSA badge for a system key, so two records with one name stay apart:
/// "MS" and "Pax8" in a list of customers.
pub(crate) fn badge(system: &str) -> String {
    let known = match system {
        "microsoft" | "partner-center" => "MS",
        "pax8" => "Pax8",
        "ingram" | "ingram-micro" => "Ingram",
        "sherweb" => "Sherweb",
        "tdsynnex" | "td-synnex" | "streamone" => "SYNNEX",
        "connectwise" => "CW",
        "autotask" => "AT",
        "halopsa" | "halo" => "Halo",
        "syncro" => "Syncro",
        "kaseya-bms" | "bms" => "BMS",
        _ => "",
    };
    if known.is_empty() {
        crate::domain::text::fit_middle(system, 7)
    } else {
        known.to_string()
    }
}

/// A decimal amount with thousands grouped and two decimals.
pub(crate) fn amount(value: Decimal) -> String {
    let text = format!("{:.2}", value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if value.is_sign_negative() && !value.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}{grouped}.{fraction}")
}

/// A seat count without trailing zeros.
pub(crate) fn seats(value: Decimal) -> String {
    value.normalize().to_string()
}

/// A share from 0 to 1 as a percentage, rounded down as the reports do (99.96% is never 100%).
pub(crate) fn percent(share: Decimal) -> String {
    crate::domain::reconcile::coverage_percent(share)
}
