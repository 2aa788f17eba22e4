//! The overview: coverage first, then what is unmapped, the gaps, the sources and the changes.

use super::cells::{amount, badge, flexible_width, money, moneys, percent};
use crate::domain::money::Currency;
use crate::domain::text::{fit_middle, strip_control};
use crate::tui::app::App;
use crate::workflow::Unmapped;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Gauge, Paragraph, Row, Table};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Draws the overview into `area`.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    // One gauge per currency (amounts in two currencies are never blended), then one line that
    // says what "covered" means.
    let gauges = app
        .overview
        .coverage
        .total
        .iter()
        .count()
        .clamp(1, MAX_GAUGES);
    // On a narrow terminal the gap totals sit in the bottom row, which needs the height more.
    // On a wide one they sit in the middle row, which grows to hold every line of them.
    let gap_lines = 2 + 5 + 2 * app.overview.stake.len() as u16;
    let middle_rows = if area.width < WIDE {
        7
    } else {
        gap_lines.clamp(8, 13)
    };
    let [coverage, middle, bottom] = Layout::vertical([
        Constraint::Length(gauges as u16 + 4),
        Constraint::Length(middle_rows),
        Constraint::Min(4),
    ])
    .areas(area);
    draw_coverage(frame, app, coverage);
    let overview = &app.overview;
    // On a narrow terminal the unmapped lists get half the width each, so their names stay
    // readable; the gap totals move down beside the warnings, and the sources are listed on
    // the Import screen instead.
    let narrow = area.width < WIDE;
    let (clients, products, gaps) = if narrow {
        let [clients, products] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(middle);
        let [gaps, _, _] = bottom_panes(bottom, narrow);
        (clients, products, gaps)
    } else {
        let [clients, products, gaps] = Layout::horizontal([
            Constraint::Percentage(30),
            Constraint::Percentage(30),
            Constraint::Percentage(40),
        ])
        .areas(middle);
        (clients, products, gaps)
    };
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
    let [_, sources, changes] = bottom_panes(bottom, narrow);
    if !narrow {
        draw_sources(frame, app, sources);
    }
    draw_changes(frame, app, changes);
}

/// From this width on, the overview has room for three panes side by side.
const WIDE: u16 = 110;

/// The bottom row: (gap totals, sources, changes); a pane with no room is empty.
fn bottom_panes(bottom: Rect, narrow: bool) -> [Rect; 3] {
    if narrow {
        let [gaps, changes] =
            Layout::horizontal([Constraint::Percentage(52), Constraint::Percentage(48)])
                .areas(bottom);
        [gaps, Rect::default(), changes]
    } else {
        let [sources, changes] =
            Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)])
                .areas(bottom);
        [Rect::default(), sources, changes]
    }
}

/// Currencies given a gauge of their own; more than this are listed in the text line.
const MAX_GAUGES: usize = 3;

fn draw_coverage(frame: &mut Frame, app: &App, area: Rect) {
    let coverage = &app.overview.coverage;
    let lowest = coverage.lowest_share().unwrap_or_default();
    let block = Block::default()
        .borders(Borders::ALL)
        .title("Coverage: vendor spend mapped or ignored, per currency");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let totals: Vec<_> = coverage.total.iter().collect();
    let gauge_rows = totals.len().clamp(1, MAX_GAUGES);
    let mut rows = vec![Constraint::Length(1); gauge_rows];
    rows.push(Constraint::Length(2));
    let areas = Layout::vertical(rows).split(inner);
    if totals.is_empty() {
        frame.render_widget(
            Paragraph::new(
                "Nothing imported yet: press 2 to import a vendor export and a PSA export.",
            ),
            areas[0],
        );
        return;
    }
    for (total, row) in totals.iter().take(MAX_GAUGES).zip(areas.iter()) {
        let share = coverage.share(&total.currency).unwrap_or_default();
        let covered = coverage
            .mapped
            .get(&total.currency)
            .amount
            .saturating_add(coverage.ignored.get(&total.currency).amount);
        let whole = (share * Decimal::from(100))
            .round()
            .clamp(Decimal::ZERO, Decimal::from(100));
        let style = if share >= Decimal::ONE {
            app.theme.good()
        } else {
            app.theme.gauge()
        };
        // "USD 50.5% · 6,653.04 of 13,162.78"
        let label = format!(
            "{} {} · {} of {}",
            total.currency.code(),
            percent(share),
            amount(covered),
            amount(total.amount)
        );
        frame.render_widget(
            Gauge::default()
                .percent(whole.to_u16().unwrap_or(0))
                .label(label)
                .gauge_style(style),
            *row,
        );
    }
    let more: Vec<String> = totals
        .iter()
        .skip(MAX_GAUGES)
        .filter_map(|total| {
            Some(format!(
                "{} {}",
                total.currency.code(),
                percent(coverage.share(&total.currency)?)
            ))
        })
        .collect();
    let mut explanation = if lowest >= Decimal::ONE {
        "Full coverage: every vendor line is compared.".to_string()
    } else {
        "Spend counts as covered when both its customer and its product are mapped (or ignored). Gaps are trusted only at full coverage.".to_string()
    };
    if !more.is_empty() {
        explanation = format!("Also {}. {explanation}", more.join(", "));
    }
    frame.render_widget(
        Paragraph::new(Span::styled(explanation, app.theme.muted()))
            .wrap(ratatui::widgets::Wrap { trim: true }),
        areas[gauge_rows],
    );
}

fn draw_unmapped(
    frame: &mut Frame,
    app: &App,
    area: Rect,
    title: &str,
    top: &[Unmapped],
    count: usize,
) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!("{title} ({count})"));
    let widths = [
        Constraint::Length(4),
        Constraint::Min(6),
        Constraint::Length(13),
    ];
    let name_width = flexible_width(area, &[4, 13]);
    let rows: Vec<Row> = top
        .iter()
        .take(usize::from(area.height.saturating_sub(2)))
        .map(|item| {
            Row::new(vec![
                Cell::from(badge(&item.system)),
                Cell::from(fit_middle(&item.name, name_width)),
                Cell::from(money(&item.spend)),
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
    let table = Table::new(rows, widths).block(block);
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
    let currencies: Vec<Currency> = overview
        .coverage
        .total
        .iter()
        .map(|total| total.currency.clone())
        .collect();
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
                Cell::from(moneys(value, &currencies)),
            ])
            .style(style)
        })
        .collect();
    // The money at stake first, per currency, per month and per year: what the review is
    // worth. Then the count and value per kind.
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let yearly = |monthly| amount(crate::domain::stake::Stake::yearly(monthly));
    let stake: Vec<Line> = overview
        .stake
        .iter()
        .flat_map(|stake| {
            let code = stake.currency.code();
            [
                ("not billed ", stake.revenue_not_billed),
                ("refund risk", stake.refund_risk),
            ]
            .map(|(label, monthly)| {
                Line::from(Span::styled(
                    format!(
                        "{label} {} {code}/mo · {}/yr",
                        amount(monthly),
                        yearly(monthly)
                    ),
                    app.theme.title(),
                ))
            })
        })
        .collect();
    let [stake_area, kinds_area] = Layout::vertical([
        Constraint::Length(u16::try_from(stake.len()).unwrap_or(u16::MAX)),
        Constraint::Min(0),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(stake), stake_area);
    let table = Table::new(
        rows,
        [
            Constraint::Length(11),
            Constraint::Length(3),
            Constraint::Min(6),
        ],
    );
    frame.render_widget(table, kinds_area);
}

/// The current imports: which export, which side, which period, how many rows, and when.
pub(super) fn draw_sources(frame: &mut Frame, app: &App, area: Rect) {
    let block = Block::default().borders(Borders::ALL).title("Sources");
    if app.overview.sources.is_empty() && app.overview.pulls.is_empty() {
        frame.render_widget(Paragraph::new("No imports yet.").block(block), area);
        return;
    }
    let header =
        Row::new(vec!["source", "side", "period", "rows", "imported"]).style(app.theme.title());
    let name_width = flexible_width(area, &[6, 7, 7, 10]);
    let mut rows: Vec<Row> = app
        .overview
        .sources
        .iter()
        .map(|source| {
            Row::new(vec![
                fit_middle(&source.name, name_width),
                source.side.to_string(),
                source.period.clone(),
                source.rows.to_string(),
                source.imported.clone(),
            ])
        })
        .collect();
    // Each polled API's latest pull: a complete one feeds the sources above; an incomplete
    // one is marked, and resolves nothing until a complete pull follows.
    rows.extend(app.overview.pulls.iter().map(|pull| {
        let state = if pull.complete {
            "pulled ✓"
        } else {
            "pull ✗"
        };
        let row = Row::new(vec![
            fit_middle(&format!("{} (API)", pull.source), name_width),
            state.to_string(),
            format!("{}/{}", pull.requests, pull.request_budget),
            pull.records.to_string(),
            pull.finished_at.chars().take(10).collect(),
        ]);
        if pull.complete {
            row
        } else {
            row.style(app.theme.error())
        }
    }));
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
    let failing = app
        .overview
        .pulls
        .iter()
        .filter(|pull| !pull.complete)
        .map(|pull| {
            format!(
                "{} pull incomplete ({}): nothing it feeds is resolved until a complete pull",
                pull.source,
                pull.error.as_deref().unwrap_or("stopped early")
            )
        });
    let mut lines: Vec<Line> = app
        .overview
        .warnings
        .iter()
        .cloned()
        .chain(failing)
        .map(|warning| Line::from(Span::styled(strip_control(&warning), app.theme.error())))
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
