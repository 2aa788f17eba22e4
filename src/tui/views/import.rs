//! The import screen: the path, what the file was detected to be, then the progress gauge.

use crate::domain::text::strip_control;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::import_screen::names;
use crate::tui::input::PromptKind;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Gauge, Paragraph, Wrap};

/// Draws the import screen into `area`.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let [field, detected, gauge, outcome, sources] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(8),
        Constraint::Length(1),
        Constraint::Length(4),
        Constraint::Min(4),
    ])
    .areas(area);
    draw_field(frame, app, field);
    let [detected, options] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(detected);
    draw_detected(frame, app, detected);
    draw_options(frame, app, options);
    if let Some(progress) = &app.import.running {
        let percent = (progress.bytes_read * 100)
            .checked_div(progress.total_bytes)
            .unwrap_or(0)
            .min(100);
        frame.render_widget(
            Gauge::default()
                .percent(u16::try_from(percent).unwrap_or(100))
                .label(format!("{percent}% · {} rows", progress.rows))
                .gauge_style(app.theme.gauge()),
            gauge,
        );
    }
    draw_outcome(frame, app, outcome);
    super::overview::draw_sources(frame, app, sources);
}

fn draw_field(frame: &mut Frame, app: &App, area: Rect) {
    let editing = app
        .prompt
        .as_ref()
        .filter(|p| p.kind == PromptKind::ImportPath);
    let title = if editing.is_some() {
        "File to import (Tab completes, Enter detects)"
    } else {
        "File to import"
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    let line = match editing {
        Some(prompt) => Line::from(vec![
            Span::raw(strip_control(&prompt.text)),
            Span::styled("█", app.theme.muted()),
        ]),
        None => Line::from(strip_control(&app.import.path)),
    };
    frame.render_widget(Paragraph::new(line).block(block), area);
}

fn draw_detected(frame: &mut Frame, app: &App, area: Rect) {
    let muted = app.theme.muted();
    let completions = app.prompt.as_ref().filter(|p| {
        matches!(p.kind, PromptKind::ImportPath | PromptKind::ImportWith)
            && !p.completions.is_empty()
    });
    if let Some(prompt) = completions {
        let block = Block::default().borders(Borders::ALL).title("Matches");
        let text = prompt
            .completions
            .iter()
            .map(|name| strip_control(name))
            .collect::<Vec<_>>()
            .join("  ");
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: true }).block(block),
            area,
        );
        return;
    }
    if !app.import.folder.is_empty() {
        draw_folder(frame, app, area);
        return;
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title("Detected (nothing written yet)");
    let Some(info) = &app.import.detected else {
        let edit = app
            .keymap
            .key_for("import", &Action::EditPath)
            .unwrap_or_default();
        let hint = if app.import.detecting {
            "Detecting…".to_string()
        } else {
            format!("Press {edit} to type or paste the path of a vendor or PSA export.")
        };
        frame.render_widget(
            Paragraph::new(Span::styled(hint, muted))
                .wrap(Wrap { trim: true })
                .block(block),
            area,
        );
        return;
    };
    let field = |name: &'static str, value: String| {
        Line::from(vec![
            Span::styled(format!("{name:<8}"), muted),
            Span::raw(value),
        ])
    };
    let lines = vec![
        field("format", strip_control(&info.format)),
        field("system", strip_control(&info.system)),
        field("side", info.side.to_string()),
        field("slice", strip_control(&info.slice)),
        field(
            "period",
            info.period
                .map_or("from the charge dates".to_string(), |p| p.to_string()),
        ),
    ];
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// A folder's files, one line each: what it was detected to be, or why it will be left out.
fn draw_folder(frame: &mut Frame, app: &App, area: Rect) {
    let files = &app.import.folder;
    let recognised = files.iter().filter(|file| file.imported()).count();
    let block = Block::default().borders(Borders::ALL).title(format!(
        "{recognised} of {} file(s) recognised (nothing written yet; Enter imports them in order)",
        files.len()
    ));
    let lines: Vec<Line> = files
        .iter()
        .map(|file| {
            let name = file.path.file_name().map_or_else(
                || file.path.display().to_string(),
                |name| name.to_string_lossy().into_owned(),
            );
            let name = strip_control(&name);
            if let Some(main) = &file.beside_of {
                let main = std::slice::from_ref(main);
                return Line::from(Span::styled(
                    format!("· {name}  read beside {}", names(main)),
                    app.theme.muted(),
                ));
            }
            let joined = if file.with.is_empty() {
                String::new()
            } else {
                format!(" · with {}", names(&file.with))
            };
            match &file.detected {
                Ok(info) => Line::from(vec![
                    Span::raw(format!("✓ {name}  ")),
                    Span::styled(
                        strip_control(&format!(
                            "{} · {} · {}{joined}",
                            info.format,
                            info.side,
                            info.period
                                .map_or("period from the dates".to_string(), |p| p.to_string())
                        )),
                        app.theme.muted(),
                    ),
                ]),
                Err(error) => Line::from(Span::styled(
                    format!("✗ {name}  left out: {}", strip_control(error)),
                    app.theme.error(),
                )),
            }
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(block),
        area,
    );
}

/// The options the import will run with, each with the key that changes it: what the CLI
/// takes as flags, so a file without a currency column can be imported from here too.
fn draw_options(frame: &mut Frame, app: &App, area: Rect) {
    let block = Block::default().borders(Borders::ALL).title("Options");
    let options = &app.import.options;
    let key = |action: Action| app.keymap.key_for("import", &action).unwrap_or_default();
    let on_off = |on: bool| if on { "on" } else { "off" }.to_string();
    let rows = [
        (
            key(Action::SetImportCurrency),
            "currency",
            options
                .currency
                .as_ref()
                .map_or("from the file".to_string(), ToString::to_string),
        ),
        (
            key(Action::SetImportPeriod),
            "period",
            options
                .period
                .map_or("from the dates".to_string(), |period| period.to_string()),
        ),
        (
            key(Action::ToggleDayFirst),
            "day-first",
            on_off(options.day_first),
        ),
        (
            key(Action::ToggleDecimalComma),
            "dec. comma",
            on_off(options.decimal_comma),
        ),
        (
            key(Action::ToggleSkipBadRows),
            "skip bad",
            on_off(options.skip_bad_rows),
        ),
        (
            key(Action::AddImportWith),
            "with",
            if options.with.is_empty() {
                "no file".to_string()
            } else {
                names(&options.with)
            },
        ),
    ];
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|(key, name, value)| {
            Line::from(vec![
                Span::styled(format!("{key:>5} "), app.theme.key()),
                Span::styled(format!("{name:<11}"), app.theme.muted()),
                Span::raw(value),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_outcome(frame: &mut Frame, app: &App, area: Rect) {
    let block = Block::default().borders(Borders::ALL).title("Last import");
    let line = match &app.import.finished {
        None => Line::from(""),
        Some(Ok(summary)) => Line::from(Span::styled(
            format!("✓ {}", strip_control(summary)),
            app.theme.good(),
        )),
        Some(Err(error)) => Line::from(Span::styled(
            format!("✗ {}", strip_control(error)),
            app.theme.error(),
        )),
    };
    frame.render_widget(
        Paragraph::new(line).wrap(Wrap { trim: true }).block(block),
        area,
    );
}
