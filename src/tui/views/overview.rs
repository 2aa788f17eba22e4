//! The overview: coverage first, then what is unmapped, the gaps, the sources and the changes.

use super::cells::{amount, money, moneys, percent};
use crate::domain::money::Money;
use crate::domain::text::strip_control;
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Gauge, Paragraph, Row, Table};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Draws the overview into `area`.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let [coverage, middle, bottom] = Layout::vertical([
        Constraint::Length(4),
        Constraint::Length(8),
        Constraint::Min(4),
    ])
    .areas(area);
    draw_coverage(frame, app, coverage);
    let [clients, products, gaps] = Layout::horizontal([
        Constraint::Percentage(30),
        Constraint::Percentage(30),
        Constraint::Percentage(40),
    ])
    .areas(middle);
    let overview = &app.overview;
    draw_unmapped(
        frame,
        app,
        clients,
        "Unmapped customers",
        &overview.unmapped_clients,
        overview.unmapped_client_count,
    );
    draw_unmapped(
        frame,
        app,
        products,
        "Unmapped products",
        &overview.unmapped_products,
        overview.unmapped_product_count,
    );
    draw_gap_totals(frame, app, gaps);
    let [sources, changes] =
        Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(bottom);
    draw_sources(frame, app, sources);
    draw_changes(frame, app, changes);
}

fn draw_coverage(frame: &mut Frame, app: &App, area: Rect) {
    let coverage = &app.overview.coverage;
    let lowest = coverage.lowest_share().unwrap_or_default();
    let block = Block::default()
        .borders(Borders::ALL)
        .title("Coverage: vendor spend mapped or ignored");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [gauge, text] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(inner);
    let whole = (lowest * Decimal::from(100))
        .round()
        .clamp(Decimal::ZERO, Decimal::from(100));
    let percent_value = whole.to_u16().unwrap_or(0);
    let style = if lowest >= Decimal::ONE {
        app.theme.good()
    } else {
        app.theme.gauge()
    };
    frame.render_widget(
        Gauge::default()
            .percent(percent_value)
            .label(percent(lowest))
            .gauge_style(style),
        gauge,
    );
    // Per currency, because amounts in different currencies are never added:
    // "USD 5,840.34 of 13,162.78 (44.3%) · CAD 0.00 of 310.57 (0.0%)".
    let each: Vec<String> = coverage
        .total
        .iter()
        .map(|total| {
            let code = total.currency.code();
            let covered = coverage
                .mapped
                .get(&total.currency)
                .amount
                .saturating_add(coverage.ignored.get(&total.currency).amount);
            let share = coverage
                .share(&total.currency)
                .map(percent)
                .unwrap_or_else(|| "no spend".to_string());
            format!(
                "{code} {} of {} ({share})",
                amount(covered),
                amount(total.amount)
            )
        })
        .collect();
    let verdict = if coverage.total.is_empty() {
        "Nothing imported yet: import a vendor export and a PSA export.".to_string()
    } else if lowest >= Decimal::ONE {
        format!("{}: full coverage.", each.join(" · "))
    } else {
        format!(
            "{}: gaps can only be trusted at full coverage.",
            each.join(" · ")
        )
    };
    frame.render_widget(Paragraph::new(verdict), text);
}

fn draw_unmapped(
    frame: &mut Frame,
    app: &App,
    area: Rect,
    title: &str,
    top: &[(String, Money)],
    count: usize,
) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!("{title} ({count})"));
    let rows: Vec<Row> = top
        .iter()
        .take(usize::from(area.height.saturating_sub(2)))
        .map(|(name, spend)| {
            Row::new(vec![
                Cell::from(strip_control(name)),
                Cell::from(money(spend)),
            ])
        })
        .collect();
    if rows.is_empty() {
        let text = if count == 0 { "None." } else { "" };
        frame.render_widget(
            Paragraph::new(Span::styled(text, app.theme.good())).block(block),
            area,
        );
        return;
    }
    let table = Table::new(rows, [Constraint::Min(6), Constraint::Length(13)]).block(block);
    frame.render_widget(table, area);
}

fn draw_gap_totals(frame: &mut Frame, app: &App, area: Rect) {
    let overview = &app.overview;
    let pending = if app.reconciling {
        " · recalculating…"
    } else {
        ""
    };
    let title = format!(
        "Gaps · {} over {}{pending}",
        overview.clients_over_threshold, app.threshold
    );
    let block = Block::default().borders(Borders::ALL).title(title);
    let rows: Vec<Row> = overview
        .gap_totals
        .iter()
        .map(|total| {
            let (kind, count, value) = (&total.kind, &total.count, &total.value);
            let style = if *count == 0 {
                app.theme.muted()
            } else if !kind.is_under_billing() {
                app.theme.overbilled()
            } else {
                app.theme.unbilled()
            };
            Row::new(vec![
                Cell::from(kind.as_str()),
                Cell::from(count.to_string()),
                Cell::from(moneys(value)),
            ])
            .style(style)
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(10),
            Constraint::Length(3),
            Constraint::Min(6),
        ],
    )
    .block(block);
    frame.render_widget(table, area);
}

fn draw_sources(frame: &mut Frame, app: &App, area: Rect) {
    let block = Block::default().borders(Borders::ALL).title("Sources");
    if app.overview.sources.is_empty() {
        frame.render_widget(Paragraph::new("No imports yet.").block(block), area);
        return;
    }
    let header =
        Row::new(vec!["source", "side", "period", "rows", "imported"]).style(app.theme.title());
    let rows: Vec<Row> = app
        .overview
        .sources
        .iter()
        .map(|source| {
            Row::new(vec![
                strip_control(&source.name),
                source.side.to_string(),
                source.period.clone(),
                source.rows.to_string(),
                source.imported.clone(),
            ])
        })
        .collect();
    let widths = [
        Constraint::Min(10),
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(10),
    ];
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
}

fn draw_changes(frame: &mut Frame, app: &App, area: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title("Warnings · changes");
    // What the reader must know before trusting the figures comes first, as in every report.
    let mut lines: Vec<Line> = app
        .overview
        .warnings
        .iter()
        .map(|warning| Line::from(Span::styled(strip_control(warning), app.theme.error())))
        .collect();
    if app.overview.changes.is_empty() {
        lines.push(Line::from(Span::styled(
            "No previous run.",
            app.theme.muted(),
        )));
    } else {
        lines.extend(
            app.overview
                .changes
                .iter()
                .map(|change| Line::from(strip_control(change))),
        );
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: true })
            .block(block),
        area,
    );
}
