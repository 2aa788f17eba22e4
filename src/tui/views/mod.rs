//! Drawing. Every function here reads `&App` and draws; none changes state.
//!
//! The frame is a tab bar (with coverage always in view), the screen, a status line and a line
//! of key hints generated from the keymap. Lists are virtualised: only the rows that fit are
//! turned into widgets, whatever the length of the list.

mod cells;
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
    let [tabs, body, prompt_area, status, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(if generic_prompt(app) { 3 } else { 0 }),
        Constraint::Length(1),
        Constraint::Length(1),
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
    draw_hints(frame, app, hints);
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

/// The tab labels with their start columns, for drawing and for mouse clicks.
fn tab_labels(app: &App) -> Vec<(u16, Screen, String)> {
    let mut column = 0u16;
    Screen::ALL
        .iter()
        .map(|screen| {
            let key = app
                .keymap
                .key_for("global", &Action::ShowScreen(*screen))
                .unwrap_or_default();
            let label = format!(" {key} {} ", screen.title());
            let start = column;
            column += label.chars().count() as u16;
            (start, *screen, label)
        })
        .collect()
}

/// Draws the tab bar and returns where each tab went.
fn draw_tabs(frame: &mut Frame, app: &App, area: Rect) -> Vec<TabHit> {
    let theme = app.theme;
    let hits: Vec<TabHit> = tab_labels(app)
        .into_iter()
        .map(|(start, screen, label)| TabHit {
            row: area.y,
            column: area.x.saturating_add(start),
            width: u16::try_from(label.chars().count()).unwrap_or(u16::MAX),
            screen,
        })
        .collect();
    let mut spans: Vec<Span> = tab_labels(app)
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
    // Every currency's share when it fits (it climbs as the queue is worked), else the lowest.
    let coverage = &app.overview.coverage;
    let lowest = coverage.lowest_share().unwrap_or_default();
    let shares: Vec<(String, Decimal)> = coverage
        .total
        .iter()
        .filter_map(|total| {
            Some((
                total.currency.code().to_string(),
                coverage.share(&total.currency)?,
            ))
        })
        .collect();
    let each: Vec<String> = shares
        .iter()
        .map(|(currency, share)| format!("{currency} {}", percent(*share)))
        .collect();
    let detailed = format!("coverage {}", each.join(" "));
    let coverage = if shares.len() > 1 && used + detailed.chars().count() < usize::from(area.width)
    {
        detailed
    } else {
        format!("coverage {}", percent(lowest))
    };
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

fn draw_hints(frame: &mut Frame, app: &App, area: Rect) {
    let context = if app.help_open {
        Context::Screen(app.screen)
    } else {
        app.context()
    };
    let hints = app.keymap.hints(context);
    // Help and quit come last in the list but are always shown: the way out stays in view.
    let always = |label: &str| matches!(label, "help" | "quit");
    let width_of = |(key, label): &(String, &str)| key.chars().count() + label.chars().count() + 3;
    let reserved: usize = hints
        .iter()
        .filter(|hint| always(hint.1))
        .map(width_of)
        .sum();
    let mut room = usize::from(area.width).saturating_sub(reserved);
    let mut shown: Vec<&(String, &str)> = Vec::new();
    for hint in hints.iter().filter(|hint| !always(hint.1)) {
        let width = width_of(hint);
        if width > room {
            break;
        }
        room -= width;
        shown.push(hint);
    }
    shown.extend(hints.iter().filter(|hint| always(hint.1)));
    let mut spans = Vec::new();
    for (key, label) in shown {
        spans.push(Span::styled(key.clone(), app.theme.key()));
        spans.push(Span::raw(format!(" {label}  ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
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
