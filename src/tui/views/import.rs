//! The import screen: the path, what the file was detected to be, then the progress gauge.

use crate::domain::text::strip_control;
use crate::tui::app::App;
use crate::tui::input::PromptKind;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Gauge, Paragraph, Wrap};

/// Draws the import screen into `area`.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let [field, detected, gauge, outcome] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(7),
        Constraint::Length(3),
        Constraint::Min(3),
    ])
    .areas(area);
    draw_field(frame, app, field);
    draw_detected(frame, app, detected);
    let gauge_block = Block::default().borders(Borders::ALL).title("Progress");
    match &app.import.running {
        Some(progress) => {
            let percent = (progress.bytes_read * 100)
                .checked_div(progress.total_bytes)
                .unwrap_or(0)
                .min(100);
            frame.render_widget(
                Gauge::default()
                    .block(gauge_block)
                    .percent(u16::try_from(percent).unwrap_or(100))
                    .label(format!("{percent}% · {} rows", progress.rows))
                    .gauge_style(app.theme.gauge()),
                gauge,
            );
        }
        None => frame.render_widget(Paragraph::new("").block(gauge_block), gauge),
    }
    draw_outcome(frame, app, outcome);
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
    let completions = app
        .prompt
        .as_ref()
        .filter(|p| p.kind == PromptKind::ImportPath && !p.completions.is_empty());
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
    let block = Block::default()
        .borders(Borders::ALL)
        .title("Detected (nothing written yet)");
    let Some(info) = &app.import.detected else {
        let hint = "Type or paste the path of a vendor or PSA export.";
        frame.render_widget(Paragraph::new(Span::styled(hint, muted)).block(block), area);
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
