//! The gap table, grouped per client with subtotal rows, and the drill-down.

use super::cells::{flexible_width, money, moneys, seats};
use crate::domain::reconcile::{PriceBasis, Verdict};
use crate::domain::text::{fit_middle, strip_control};
use crate::tui::app::App;
use crate::tui::cursor::first_visible;
use crate::tui::gap_screen::{GapRow, TableRow};
use crate::tui::hit_map::ListHit;
use crate::workflow::{DrillDown, EvidenceLine};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

/// Terminals at least this wide also show the cost column.
const WIDE: u16 = 110;

/// Draws the gap screen into `area`; returns where the table's rows went.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) -> Option<ListHit> {
    if let Some(account) = &app.gaps.account {
        super::account::draw(frame, app, account, area);
        return None;
    }
    match &app.gaps.drilldown {
        Some((gap, lines)) => {
            draw_drilldown(frame, app, gap, lines, area);
            None
        }
        None => draw_table(frame, app, area),
    }
}

/// The words for the price that valued a gap.
fn basis_words(basis: PriceBasis) -> &'static str {
    match basis {
        PriceBasis::ClientPrice => "client price",
        PriceBasis::OtherClientsPrice => "other clients' price",
        PriceBasis::VendorCost => "vendor cost",
        PriceBasis::MarginLoss => "margin lost",
        PriceBasis::Unpriced => "unpriced",
    }
}

/// The style of a gap row: red when unbilled and over the threshold, amber when overbilled and
/// over the threshold, plain otherwise. The kind word and the marker carry the same meaning.
pub fn gap_style(app: &App, row: &GapRow) -> Style {
    match (row.over_threshold, !row.gap.gap.kind.is_under_billing()) {
        (false, _) => Style::new(),
        (true, false) => app.theme.unbilled(),
        (true, true) => app.theme.overbilled(),
    }
}

/// The term as a table cell: "any" when the PSA line states none and so covers every term.
fn term_text(term: crate::domain::lines::Term) -> &'static str {
    match term {
        crate::domain::lines::Term::Unspecified => "any",
        other => other.as_str(),
    }
}

fn marker(row: &GapRow) -> String {
    let direction = if !row.gap.gap.kind.is_under_billing() {
        "▼"
    } else {
        "▲"
    };
    let over = if row.over_threshold { "!" } else { " " };
    format!("{over}{direction}")
}

fn draw_table(frame: &mut Frame, app: &App, area: Rect) -> Option<ListHit> {
    let gaps = &app.gaps;
    let kind = gaps.kind_filter.map_or("all kinds", |kind| kind.as_str());
    let client = gaps
        .client_filter
        .as_ref()
        .map_or("all clients".to_string(), |(_, name)| strip_control(name));
    let over = if gaps.over_only {
        " · over threshold only"
    } else {
        ""
    };
    // The table shows the previous reconciliation until the worker delivers the new one.
    let pending = if app.reconciling {
        " · recalculating…"
    } else {
        ""
    };
    let search = if gaps.text_filter.is_empty() {
        String::new()
    } else {
        format!(" · \"{}\"", strip_control(&gaps.text_filter))
    };
    let title = format!(
        "Gaps · threshold {} · {kind} · {client}{over} · {}{search}{pending}",
        app.threshold,
        gaps.sort.label()
    );
    let block = Block::default().borders(Borders::ALL).title(title);
    let nothing_compared = app.overview.verdict == Some(Verdict::NothingCompared);
    if gaps.table.is_empty() || nothing_compared {
        // The verdict is the domain's, computed with the report: "no gaps" is said only of a
        // clean run at full coverage of real comparisons (DESIGN.md §2).
        let text = if nothing_compared {
            "Nothing was compared: no vendor or PSA lines, or every vendor line is ignored."
        } else if !gaps.rows.is_empty() {
            "No gap matches the filters."
        } else {
            match app.overview.verdict {
                Some(Verdict::Clean) => "No gaps, at full coverage.",
                Some(Verdict::NothingCompared) => {
                    "Nothing was compared: no vendor or PSA lines, or every vendor line is ignored."
                }
                Some(Verdict::IncompleteCoverage) | Some(Verdict::OverThreshold) => {
                    "No gaps among what is mapped; coverage is incomplete, so gaps may be hidden."
                }
                None => "Recalculating the gaps…",
            }
        };
        frame.render_widget(Paragraph::new(text).block(block), area);
        return None;
    }
    let wide = area.width >= WIDE;
    let visible = usize::from(area.height.saturating_sub(3));
    let first = first_visible(gaps.selected, visible);
    let mut fixed: Vec<u16> = vec![2, 7, 6, 5, 5, 13];
    if wide {
        fixed.push(13);
    }
    fixed.extend([10, 4]);
    // Names are cut in the middle, keeping the edition or site that tells rows apart.
    let name_width = flexible_width(area, &fixed);
    let rows: Vec<Row> = gaps
        .table
        .iter()
        .enumerate()
        .skip(first)
        .take(visible)
        .filter_map(|(index, row)| {
            let drawn = match row {
                TableRow::Subtotal {
                    client,
                    count,
                    total,
                    over_threshold,
                } => {
                    let flag = if *over_threshold { "OVER" } else { "" };
                    let mut cells = vec![
                        Cell::from(if *over_threshold { "!" } else { "" }),
                        Cell::from(fit_middle(&format!("{client} ({count})"), name_width)),
                        Cell::from(""),
                        Cell::from(""),
                        Cell::from(""),
                        Cell::from(""),
                        Cell::from(moneys(total, &[])),
                    ];
                    if wide {
                        cells.push(Cell::from(""));
                    }
                    cells.extend([Cell::from(flag), Cell::from("")]);
                    Row::new(cells).style(app.theme.title())
                }
                TableRow::Gap(gap_index) => {
                    let row = gaps.rows.get(*gap_index)?;
                    let gap = &row.gap.gap;
                    let mut cells = vec![
                        Cell::from(marker(row)),
                        // The work recorded on the gap rides at the end of its name, where
                        // a middle cut keeps it in view.
                        Cell::from(format!(
                            "  {}",
                            fit_middle(
                                &match &row.gap.work {
                                    Some(work) =>
                                        format!("{} [{}]", gap.product_name, work.label()),
                                    None => gap.product_name.clone(),
                                },
                                name_width.saturating_sub(2)
                            )
                        )),
                        Cell::from(term_text(gap.term)),
                        Cell::from(seats(gap.vendor_seats)),
                        Cell::from(seats(gap.psa_seats)),
                        Cell::from(format!("{:+}", gap.delta.normalize())),
                        Cell::from(gap.value.as_ref().map_or("unpriced".to_string(), money)),
                    ];
                    if wide {
                        cells.push(Cell::from(gap.cost.as_ref().map(money).unwrap_or_default()));
                    }
                    cells.extend([
                        Cell::from(gap.kind.as_str()),
                        Cell::from(format!("{}d", row.gap.age_days)),
                    ]);
                    Row::new(cells).style(gap_style(app, row))
                }
            };
            Some(if index == gaps.selected {
                drawn.style(app.theme.selected())
            } else {
                drawn
            })
        })
        .collect();
    let mut header = vec![
        "",
        "client / product",
        "term",
        "vendor",
        "PSA",
        "Δ",
        "value",
    ];
    if wide {
        header.push("cost");
    }
    header.extend(["kind", "age"]);
    let mut widths: Vec<Constraint> = fixed.iter().map(|&w| Constraint::Length(w)).collect();
    widths.insert(1, Constraint::Min(12));
    let header = Row::new(header).style(app.theme.title());
    let drawn = u16::try_from(rows.len()).unwrap_or(u16::MAX);
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
    // Rows start under the block's border and the header row.
    Some(ListHit {
        top: area.y.saturating_add(2),
        rows: drawn,
        first_index: first,
    })
}

fn draw_drilldown(frame: &mut Frame, app: &App, row: &GapRow, lines: &DrillDown, area: Rect) {
    let gap = &row.gap.gap;
    let summary_rows = if row.gap.work.is_some() { 6 } else { 5 };
    let [summary, sides] =
        Layout::vertical([Constraint::Length(summary_rows), Constraint::Min(4)]).areas(area);
    let block = Block::default().borders(Borders::ALL).title(format!(
        "Drill-down ({} to go back)",
        app.keymap
            .key_for("global", &crate::tui::action::Action::Back)
            .unwrap_or_default()
    ));
    let text = vec![
        Line::from(vec![
            Span::styled(marker(row), gap_style(app, row)),
            Span::raw(format!(
                " {} · {} · {}",
                strip_control(&gap.company_name),
                strip_control(&gap.product_name),
                gap.term
            )),
        ]),
        Line::from(vec![
            Span::styled(gap.kind.as_str(), gap_style(app, row)),
            Span::raw(format!(
                ": vendor {} − PSA {} = {:+} seats, value {} ({})",
                seats(gap.vendor_seats),
                seats(gap.psa_seats),
                gap.delta.normalize(),
                gap.value.as_ref().map_or("unpriced".to_string(), money),
                basis_words(gap.price_basis)
            )),
        ]),
        // Both prices, side by side: a price gap is the difference between them.
        Line::from(Span::styled(
            format!(
                "PSA bills {} a seat · vendor costs {} a seat",
                gap.unit_price
                    .as_ref()
                    .map_or("no price".to_string(), money),
                gap.unit_cost.as_ref().map_or("no cost".to_string(), money)
            ),
            app.theme.muted(),
        )),
    ];
    let mut text = text;
    if let Some(work) = &row.gap.work {
        let note = if work.note.is_empty() {
            String::new()
        } else {
            format!(": {}", strip_control(&work.note))
        };
        text.push(Line::from(Span::styled(
            format!("Work: {}{note}", work.label()),
            app.theme.good(),
        )));
    }
    frame.render_widget(Paragraph::new(text).block(block), summary);
    let [vendor, psa] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(sides);
    draw_lines(
        frame,
        app,
        "Vendor lines",
        &lines.vendor,
        lines.vendor_total,
        vendor,
    );
    draw_lines(frame, app, "PSA lines", &lines.psa, lines.psa_total, psa);
}

fn draw_lines(
    frame: &mut Frame,
    app: &App,
    title: &str,
    lines: &[EvidenceLine],
    total: usize,
    area: Rect,
) {
    let more = if total > lines.len() {
        format!(", first {}", lines.len())
    } else {
        String::new()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!("{title} ({total}{more})"));
    if lines.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("none", app.theme.muted())).block(block),
            area,
        );
        return;
    }
    // Each line in business words, three rows per line: what it is (the subscription,
    // agreement or contract, else the customer), then seats × unit price = amount, then the
    // term, the charge and where it came from, so the fix in the PSA can start from it.
    let muted = app.theme.muted();
    let text: Vec<Line> = lines
        .iter()
        .flat_map(|evidence| {
            let line = &evidence.line;
            let what = match &line.subscription {
                Some(reference) => format!("{} · {reference}", evidence.customer_name),
                None => evidence.customer_name.clone(),
            };
            let price = match (&line.unit_amount, &line.amount) {
                (Some(unit), Some(amount)) => {
                    format!(
                        "{} × {} = {}",
                        seats(line.seats),
                        money(unit),
                        money(amount)
                    )
                }
                (None, Some(amount)) => format!("{} seats, {}", seats(line.seats), money(amount)),
                _ => format!("{} seats", seats(line.seats)),
            };
            let origin = format!(
                "  {} term, {} · {}:{}",
                term_text(line.term),
                line.charge,
                line.file_name,
                line.source_line
            );
            [
                Line::from(strip_control(&what)),
                Line::from(format!("  {price}")),
                Line::from(Span::styled(strip_control(&origin), muted)),
            ]
        })
        .collect();
    frame.render_widget(
        Paragraph::new(text)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .block(block),
        area,
    );
}
