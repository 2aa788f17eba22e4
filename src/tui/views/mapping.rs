//! The mapping screens (clients and products): the queue on the left, candidates on the right.

use super::cells::{badge, centered, flexible_width, money, moneys_in, popup, seats};
use crate::domain::text::{fit_middle, strip_control};
use crate::tui::app::App;
use crate::tui::cursor::first_visible;
use crate::tui::hit_map::ListHit;
use crate::tui::mapping_screen::MappingScreen;
use crate::workflow::{MappingState, QueueFilter};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

/// Draws one mapping queue into `area`; returns where the queue's rows went.
pub fn draw(frame: &mut Frame, app: &App, screen: &MappingScreen, area: Rect) -> Option<ListHit> {
    // The queue gets the larger share on a narrow terminal: its names are what is decided,
    // and more again when it lists mappings to review, each with its PSA name.
    let left_share = match (area.width < 120, screen.filter) {
        (true, QueueFilter::Unmapped) => 60,
        (true, _) => 68,
        (false, _) => 52,
    };
    let [left, right] = Layout::horizontal([
        Constraint::Percentage(left_share),
        Constraint::Percentage(100 - left_share),
    ])
    .areas(area);
    let [queue, detail] = Layout::vertical([Constraint::Min(5), Constraint::Length(6)]).areas(left);
    let hits = draw_queue(frame, app, screen, queue);
    draw_detail(frame, app, screen, detail);
    let [candidates, why] =
        Layout::vertical([Constraint::Min(5), Constraint::Length(7)]).areas(right);
    draw_candidates(frame, app, screen, candidates);
    draw_why(frame, app, screen, why);
    hits
}

fn state_mark(state: &MappingState) -> &'static str {
    match state {
        MappingState::Unmapped => "·",
        MappingState::Mapped { .. } => "✓",
        MappingState::Ignored { .. } => "–",
    }
}

fn draw_queue(frame: &mut Frame, app: &App, screen: &MappingScreen, area: Rect) -> Option<ListHit> {
    let mut title = format!(
        "Vendor {}s · {} ({}) by spend",
        screen.noun(),
        screen.filter.label(),
        screen.entries.len()
    );
    if !screen.text_filter.is_empty() {
        title.push_str(&format!(" · \"{}\"", strip_control(&screen.text_filter)));
    }
    let block = Block::default().borders(Borders::ALL).title(title);
    let visible = usize::from(area.height.saturating_sub(3));
    let first = first_visible(screen.selected, visible);
    // The vendor badge tells apart one name under two vendors; the name is cut in the middle
    // so that the term and the distinguishing words stay in view.
    // Columns as wide as what the visible rows hold, so the name gets the rest.
    let shown = || screen.entries.iter().skip(first).take(visible);
    let widest = |texts: &mut dyn Iterator<Item = String>, least: usize, most: usize| {
        texts
            .map(|text| text.chars().count())
            .max()
            .unwrap_or(0)
            .clamp(least, most)
    };
    let spend_width = widest(&mut shown().map(|e| moneys_in(&e.spend, 16)), 5, 16);
    let badge_width = widest(&mut shown().map(|e| badge(&e.key.system)), 4, 7);
    let seat_width = widest(&mut shown().map(|e| seats(e.seats)), 5, 9);
    let fixed = [1, badge_width, seat_width, spend_width].map(|w| w as u16);
    // Reviewing mappings needs "vendor name → PSA name" on each row, not one row at a time:
    // when a mapped row is in view, the name column shares its width with the PSA name.
    let any_mapped = shown().any(|e| matches!(e.state, MappingState::Mapped { .. }));
    let flexible = flexible_width(area, &fixed);
    let target_text = |state: &MappingState| match state {
        MappingState::Mapped { target_name, .. } => format!("→ {target_name}"),
        MappingState::Ignored { reason, .. } => format!("ignored: {reason}"),
        MappingState::Unmapped => String::new(),
    };
    let (name_width, target_width) = if any_mapped {
        // Each side gets what its longest visible text needs, or a share in proportion.
        let room = flexible.saturating_sub(1);
        let want_name = widest(&mut shown().map(|e| e.name.clone()), 4, room);
        let want_target = widest(&mut shown().map(|e| target_text(&e.state)), 4, room);
        if want_name + want_target <= room {
            (room - want_target, want_target)
        } else {
            let target = room * want_target / (want_name + want_target);
            (room - target, target)
        }
    } else {
        (flexible, 0)
    };
    let target_cell = |state: &MappingState| fit_middle(&target_text(state), target_width);
    let rows: Vec<Row> = shown()
        .enumerate()
        .map(|(offset, entry)| {
            let index = first + offset;
            let mut cells = vec![
                Cell::from(state_mark(&entry.state)),
                Cell::from(badge(&entry.key.system)),
                Cell::from(fit_middle(&entry.name, name_width)),
            ];
            if any_mapped {
                cells.push(Cell::from(target_cell(&entry.state)));
            }
            cells.extend([
                Cell::from(seats(entry.seats)),
                Cell::from(moneys_in(&entry.spend, spend_width)),
            ]);
            let row = Row::new(cells);
            if index == screen.selected {
                row.style(app.theme.selected())
            } else {
                row
            }
        })
        .collect();
    if rows.is_empty() {
        let text = match screen.filter {
            QueueFilter::Unmapped => "Nothing left to map.",
            _ => "Nothing here.",
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, app.theme.good())).block(block),
            area,
        );
        return None;
    }
    let mut header = vec!["", "from", "name"];
    let mut widths = vec![
        Constraint::Length(fixed[0]),
        Constraint::Length(fixed[1]),
        Constraint::Length(u16::try_from(name_width).unwrap_or(u16::MAX)),
    ];
    if any_mapped {
        header.push("PSA");
        widths.push(Constraint::Min(4));
    }
    header.extend(["seats", "spend"]);
    widths.extend([Constraint::Length(fixed[2]), Constraint::Length(fixed[3])]);
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

fn draw_detail(frame: &mut Frame, app: &App, screen: &MappingScreen, area: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!("Selected {}", screen.noun()));
    let Some(entry) = screen.selected_entry() else {
        frame.render_widget(block, area);
        return;
    };
    let muted = app.theme.muted();
    let spend: Vec<String> = entry.spend.iter().map(money).collect();
    let mut lines = vec![
        Line::from(strip_control(&entry.name)),
        Line::from(vec![
            Span::styled("key ", muted),
            Span::raw(strip_control(&entry.key.to_string())),
            Span::styled(
                entry
                    .detail
                    .as_ref()
                    .map_or(String::new(), |d| format!("  {d}")),
                muted,
            ),
        ]),
        Line::from(vec![
            Span::styled("seats ", muted),
            Span::raw(seats(entry.seats)),
            Span::styled("  spend ", muted),
            Span::raw(spend.join(" + ")),
        ]),
    ];
    lines.push(match &entry.state {
        MappingState::Unmapped => Line::from(Span::styled("unmapped", muted)),
        MappingState::Mapped { target_name, .. } => Line::from(Span::styled(
            match &entry.made_by {
                Some(made) => format!(
                    "✓ mapped to {} · {}",
                    strip_control(target_name),
                    made.words()
                ),
                None => format!("✓ mapped to {}", strip_control(target_name)),
            },
            app.theme.good(),
        )),
        MappingState::Ignored { reason, expires } => Line::from(format!(
            "– ignored: {}{}",
            strip_control(reason),
            expires.map_or(String::new(), |date| format!(" (until {date})"))
        )),
    });
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_candidates(frame: &mut Frame, app: &App, screen: &MappingScreen, area: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title("PSA candidates, best first");
    if screen.candidates.is_empty() {
        let search = app
            .keymap
            .key_for(
                app.screen.section(),
                &crate::tui::action::Action::SearchTargets,
            )
            .unwrap_or_default();
        let text = if screen.selected_entry().is_some() {
            format!("No candidate: search the full list with {search}.")
        } else {
            String::new()
        };
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: true }).block(block),
            area,
        );
        return;
    }
    let visible = usize::from(area.height.saturating_sub(3));
    let first = first_visible(screen.candidate, visible);
    let name_width = flexible_width(area, &[5, 4]);
    let rows: Vec<Row> = screen
        .candidates
        .iter()
        .enumerate()
        .skip(first)
        .take(visible)
        .map(|(index, candidate)| {
            let band = if candidate.safe { "safe" } else { "" };
            let row = Row::new(vec![
                Cell::from(candidate.suggestion.score.to_string()),
                Cell::from(fit_middle(&candidate.suggestion.candidate_name, name_width)),
                Cell::from(band),
            ]);
            if index == screen.candidate {
                row.style(app.theme.selected())
            } else {
                row
            }
        })
        .collect();
    let header = Row::new(vec!["score", "PSA name", ""]).style(app.theme.title());
    let widths = [
        Constraint::Length(5),
        Constraint::Min(8),
        Constraint::Length(4),
    ];
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
}

fn draw_why(frame: &mut Frame, app: &App, screen: &MappingScreen, area: Rect) {
    let block = Block::default().borders(Borders::ALL).title("Why");
    let lines: Vec<Line> = screen
        .candidates
        .get(screen.candidate)
        .map(|candidate| {
            candidate
                .why()
                .iter()
                .map(|reason| Line::from(strip_control(reason)))
                .collect()
        })
        .unwrap_or_default();
    let lines = if lines.is_empty() {
        vec![Line::from(Span::styled("", app.theme.muted()))]
    } else {
        lines
    };
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(block),
        area,
    );
}

/// The fuzzy search popup over the full PSA list, drawn on top of the screen.
pub fn draw_search(frame: &mut Frame, app: &App, area: Rect) {
    let (Some(screen), Some(prompt)) = (app.mapping(), &app.prompt) else {
        return;
    };
    let target = screen
        .selected_entry()
        .map(|entry| strip_control(&entry.name))
        .unwrap_or_default();
    let outer = centered(
        area,
        area.width.saturating_sub(8).min(70),
        area.height.saturating_sub(2),
    );
    let inner = popup(frame, outer, &format!("Map {target} to…"));
    let [field, list] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled("/ ", app.theme.key()),
                Span::raw(strip_control(&prompt.text)),
                Span::styled("█", app.theme.muted()),
            ]),
            Line::from(Span::styled(
                format!(
                    "{} of {} match",
                    screen.search_results.len(),
                    screen.targets.len()
                ),
                app.theme.muted(),
            )),
        ]),
        field,
    );
    let visible = usize::from(list.height);
    let first = first_visible(screen.search_selected, visible);
    let lines: Vec<Line> = screen
        .search_results
        .iter()
        .enumerate()
        .skip(first)
        .take(visible)
        .map(|(index, target)| {
            let line = Line::from(strip_control(&target.name));
            if index == screen.search_selected {
                line.style(app.theme.selected())
            } else {
                line
            }
        })
        .collect();
    let lines = if lines.is_empty()
        && screen.kind == crate::workflow::MappingKind::Product
        && !screen.search_query.is_empty()
    {
        vec![Line::from(Span::styled(
            format!(
                "Enter maps to the PSA product id '{}': a catalogue product no agreement bills yet.",
                strip_control(&screen.search_query)
            ),
            app.theme.muted(),
        ))]
    } else {
        lines
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), list);
}
