//! Pieces every screen draws with: money, seats and shares as table cells, and pop-ups.

use crate::domain::money::Money;
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

/// Several currencies' money joined with " + ", or "0" when empty.
pub(crate) fn moneys(values: &[Money]) -> String {
    if values.is_empty() {
        return "0".to_string();
    }
    values.iter().map(money).collect::<Vec<_>>().join(" + ")
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
