//! Drawing. Every function here reads `&App` and draws; none changes state.
//!
//! The frame is a tab bar (with coverage always in view), the screen, a status line and a line
//! of key hints generated from the keymap. Lists are virtualised: only the rows that fit are
//! turned into widgets, whatever the length of the list.

mod account;
mod cells;

pub(crate) use cells::badge;
mod export;
mod gaps;
mod help;
mod import;
mod mapping;
mod overview;

use crate::domain::text::strip_control;
use crate::tui::action::{Action, Screen};
use crate::tui::app::App;
use crate::tui::hit_map::{HitMap, TabHit};
use crate::tui::input::PromptKind;
use crate::tui::keymap::Context;
use crate::tui::outcome::Tone;
use cells::percent;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use rust_decimal::Decimal;

/// The smallest terminal the workbench draws into.
pub const MIN_SIZE: (u16, u16) = (80, 24);

/// Draws the whole workbench, and returns where its tabs and list went, for the mouse.
pub fn draw(frame: &mut Frame, app: &App) -> HitMap {
    let mut hits = HitMap::default();
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        draw_too_small(frame, app, area);
        return hits;
    }
    let hint_lines = hint_lines(app, area.width);
    let [tabs, body, prompt_area, status, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(if generic_prompt(app) { 3 } else { 0 }),
        Constraint::Length(1),
        Constraint::Length(hint_lines.len() as u16),
    ])
    .areas(area);
    hits.tabs = draw_tabs(frame, app, tabs);
    match app.screen {
        Screen::Overview => overview::draw(frame, app, body),
        Screen::Import => import::draw(frame, app, body),
        Screen::Clients => hits.list = mapping::draw(frame, app, &app.clients, body),
        Screen::Products => hits.list = mapping::draw(frame, app, &app.products, body),
        Screen::Gaps => hits.list = gaps::draw(frame, app, body),
        Screen::Export => export::draw(frame, app, body),
    }
    if generic_prompt(app) {
        draw_prompt(frame, app, prompt_area);
    }
    draw_status(frame, app, status);
    frame.render_widget(Paragraph::new(hint_lines), hints);
    if matches!(
        app.prompt.as_ref().map(|p| &p.kind),
        Some(PromptKind::Search)
    ) {
        mapping::draw_search(frame, app, body);
    }
    if app.help_open {
        help::draw(frame, app, area);
        hits.list = None;
    }
    hits
}

/// True when the focused field is drawn above the status line rather than by its screen.
fn generic_prompt(app: &App) -> bool {
    app.prompt.as_ref().is_some_and(|prompt| {
        !matches!(
            prompt.kind,
            PromptKind::ImportPath | PromptKind::ExportPath | PromptKind::Search
        )
    })
}

fn draw_too_small(frame: &mut Frame, app: &App, area: Rect) {
    let quit = app
        .keymap
        .key_for("global", &Action::Quit)
        .unwrap_or_default();
    let text = vec![
        Line::from("Terminal too small"),
        Line::from(format!(
            "{}×{} now; billgap needs at least {}×{}.",
            area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
        )),
        Line::from(format!("Enlarge the window, or press {quit} to quit.")),
    ];
    let top = area.height.saturating_sub(3) / 2;
    let middle = Rect {
        y: area.y + top,
        height: area.height.min(3),
        ..area
    };
    frame.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        middle,
    );
}

/// The tab labels with their start columns, for drawing and for mouse clicks. Compact labels
/// (narrow terminals) drop the padding so that coverage per currency still fits beside them.
fn tab_labels(app: &App, compact: bool) -> Vec<(u16, Screen, String)> {
    let mut column = 0u16;
    Screen::ALL
        .iter()
        .map(|screen| {
            let key = app
                .keymap
                .key_for("global", &Action::ShowScreen(*screen))
                .unwrap_or_default();
            let label = if compact {
                format!("{key} {} ", screen.title())
            } else {
                format!(" {key} {} ", screen.title())
            };
            let start = column;
            column += label.chars().count() as u16;
            (start, *screen, label)
        })
        .collect()
}

/// Draws the tab bar and returns where each tab went.
fn draw_tabs(frame: &mut Frame, app: &App, area: Rect) -> Vec<TabHit> {
    let theme = app.theme;
    let compact = area.width < 120;
    let hits: Vec<TabHit> = tab_labels(app, compact)
        .into_iter()
        .map(|(start, screen, label)| TabHit {
            row: area.y,
            column: area.x.saturating_add(start),
            width: u16::try_from(label.chars().count()).unwrap_or(u16::MAX),
            screen,
        })
        .collect();
    let mut spans: Vec<Span> = tab_labels(app, compact)
        .into_iter()
        .map(|(_, screen, label)| {
            if screen == app.screen {
                Span::styled(label, theme.selected())
            } else {
                Span::raw(label)
            }
        })
        .collect();
    let used: usize = spans.iter().map(|span| span.width()).sum();
    // Every currency's share, never one blended or lowest figure without its currency:
    // "coverage USD 50.5% · CAD 0.0%", shortened as the room requires.
    let coverage = &app.overview.coverage;
    let lowest = coverage.lowest_share().unwrap_or_default();
    let each: Vec<String> = coverage
        .total
        .iter()
        .filter_map(|total| {
            Some(format!(
                "{} {}",
                total.currency.code(),
                percent(coverage.share(&total.currency)?)
            ))
        })
        .collect();
    let room = usize::from(area.width).saturating_sub(used + 1);
    let coverage = [
        format!("coverage {}", each.join(" · ")),
        each.join(" · "),
        each.join(" "),
    ]
    .into_iter()
    .find(|text| text.chars().count() <= room)
    .unwrap_or_else(|| {
        // More currencies than fit: the lowest, named, and how many more.
        let lowest_named = coverage
            .total
            .iter()
            .filter_map(|total| {
                Some((
                    coverage.share(&total.currency)?,
                    total.currency.code().to_string(),
                ))
            })
            .min()
            .map(|(share, code)| format!("{code} {}", percent(share)))
            .unwrap_or_default();
        format!("{lowest_named} +{}", each.len().saturating_sub(1))
    });
    let room = usize::from(area.width).saturating_sub(used + coverage.chars().count());
    spans.push(Span::raw(" ".repeat(room)));
    let style = if lowest >= Decimal::ONE {
        theme.good()
    } else {
        theme.title()
    };
    spans.push(Span::styled(coverage, style));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    hits
}

fn draw_prompt(frame: &mut Frame, app: &App, area: Rect) {
    let Some(prompt) = &app.prompt else {
        return;
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(prompt.kind.label());
    let line = Line::from(vec![
        Span::raw(strip_control(&prompt.text)),
        Span::styled("█", app.theme.muted()),
    ]);
    frame.render_widget(Paragraph::new(line).block(block), area);
}

fn draw_status(frame: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme;
    let line = match &app.status {
        Some((text, tone)) => {
            let style = match tone {
                Tone::Info => theme.title(),
                Tone::Good => theme.good(),
                Tone::Error => theme.error(),
            };
            let mark = match tone {
                Tone::Info => "",
                Tone::Good => "✓ ",
                Tone::Error => "✗ ",
            };
            Line::from(Span::styled(
                format!("{mark}{}", strip_control(text)),
                style,
            ))
        }
        None => Line::from(Span::styled(
            format!("billgap · {}", strip_control(&app.title)),
            theme.muted(),
        )),
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The key hints for the current context, on one line, or two when one is not enough. Help
/// and quit close the last line, so the way out stays in view; a hint that fits on neither
/// line is left to the help screen, and "? help" then says "? more keys".
fn hint_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let context = if app.help_open {
        Context::Screen(app.screen)
    } else {
        app.context()
    };
    let hints = app.keymap.hints(context);
    let always = |label: &str| matches!(label, "help" | "quit");
    let width_of = |(key, label): &(String, &str)| key.chars().count() + label.chars().count() + 3;
    let width = usize::from(width);
    let reserved: usize = hints
        .iter()
        .filter(|hint| always(hint.1))
        .map(width_of)
        .sum::<usize>()
        + " more keys".len();
    let mut lines: Vec<Vec<&(String, &str)>> = vec![Vec::new()];
    let mut used = 0;
    let mut dropped = false;
    for hint in hints.iter().filter(|hint| !always(hint.1)) {
        let size = width_of(hint);
        let last_line = lines.len() == 2;
        let room = if last_line {
            width.saturating_sub(reserved)
        } else {
            width
        };
        if used + size <= room {
            used += size;
        } else if !last_line {
            lines.push(Vec::new());
            used = size;
        } else {
            dropped = true;
            continue;
        }
        if let Some(line) = lines.last_mut() {
            line.push(hint);
        }
    }
    // Help and quit go on the last line; if they do not fit beside the first line, they start
    // a second.
    let tail: usize = hints
        .iter()
        .filter(|hint| always(hint.1))
        .map(width_of)
        .sum();
    if lines.len() == 1 && used + tail > width {
        lines.push(Vec::new());
    }
    let mut drawn: Vec<Line<'static>> = lines
        .into_iter()
        .map(|hints| {
            let mut spans = Vec::new();
            for (key, label) in hints {
                spans.push(Span::styled(key.clone(), app.theme.key()));
                spans.push(Span::raw(format!(" {label}  ")));
            }
            Line::from(spans)
        })
        .collect();
    if let Some(last) = drawn.last_mut() {
        for (key, label) in hints.iter().filter(|hint| always(hint.1)) {
            let label = if *label == "help" && dropped {
                "help, more keys"
            } else {
                label
            };
            last.spans.push(Span::styled(key.clone(), app.theme.key()));
            last.spans.push(Span::raw(format!(" {label}  ")));
        }
    }
    drawn
}

#[cfg(test)]
mod tests {
    use super::cells::{amount, percent};
    use rust_decimal::Decimal;

    #[test]
    fn amounts_group_thousands_and_keep_the_sign() {
        assert_eq!(amount(Decimal::new(123456789, 2)), "1,234,567.89");
        assert_eq!(amount(Decimal::new(-5000, 2)), "-50.00");
        assert_eq!(amount(Decimal::ZERO), "0.00");
        assert_eq!(percent(Decimal::new(7245, 4)), "72.4%");
        assert_eq!(percent(Decimal::new(9996, 4)), "99.9%");
    }
}
