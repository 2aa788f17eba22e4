//! The export screen: format, path, and where the report went.

use super::cells::percent;
use crate::domain::text::strip_control;
use crate::tui::app::App;
use crate::tui::input::PromptKind;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// Draws the export screen into `area`.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let muted = app.theme.muted();
    let export = &app.export;
    let path = match app
        .prompt
        .as_ref()
        .filter(|p| p.kind == PromptKind::ExportPath)
    {
        Some(prompt) => vec![
            Span::raw(strip_control(&prompt.text)),
            Span::styled("█", muted),
        ],
        None => vec![Span::raw(strip_control(&export.path))],
    };
    let gap_count: usize = app
        .overview
        .gap_totals
        .iter()
        .map(|total| total.count)
        .fold(0_usize, usize::saturating_add);
    let mut lines = vec![
        Line::from(vec![
            Span::styled("format     ", muted),
            Span::raw(export.format.extension()),
        ]),
        Line::from([vec![Span::styled("path       ", muted)], path].concat()),
        Line::from(Span::styled(
            if std::path::Path::new(&export.path).is_absolute() {
                "           an existing file is replaced only after you confirm"
            } else {
                "           relative to the folder billgap was started in; an existing file is replaced only after you confirm"
            },
            muted,
        )),
        Line::from(""),
        Line::from(vec![
            Span::styled("contents   ", muted),
            Span::raw(format!(
                "delta report: coverage {}, {gap_count} gaps, {} clients over the threshold of {}",
                percent(app.overview.coverage.lowest_share().unwrap_or_default()),
                app.overview.clients_over_threshold,
                app.threshold
            )),
        ]),
        Line::from(""),
    ];
    match &export.written {
        Some(Ok(path)) => lines.push(Line::from(Span::styled(
            format!(
                "✓ written to {}",
                strip_control(&path.display().to_string())
            ),
            app.theme.good(),
        ))),
        Some(Err(error)) => lines.push(Line::from(Span::styled(
            format!("✗ {}", strip_control(error)),
            app.theme.error(),
        ))),
        None => {}
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title("Export the delta report");
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(block),
        area,
    );
}
