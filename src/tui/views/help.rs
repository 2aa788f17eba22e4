//! The help overlay, generated from the keymap so it lists exactly what the keys do.

use super::cells::{centered, popup};
use crate::tui::action::Action;
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Draws the help overlay for the current context over `area`.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let outer = centered(
        area,
        area.width.saturating_sub(4).min(100),
        area.height.saturating_sub(2),
    );
    let key = |action: &Action| app.keymap.key_for("global", action).unwrap_or_default();
    let title = format!(
        "Keys ({} or {} to close)",
        key(&Action::ToggleHelp),
        key(&Action::Back)
    );
    let inner = popup(frame, outer, &title);
    let sections = app.keymap.help(app.context());
    // The key columns take what their longest line needs; the guide to the screen (what it
    // shows, what its marks mean, what to do next) gets the rest.
    let mut widths: Vec<Constraint> = sections
        .iter()
        .map(|(title, entries)| {
            // As drawn below: every label starts after the section's widest key.
            let key_width = entries
                .iter()
                .map(|(keys, _)| keys.chars().count().min(14))
                .max()
                .unwrap_or(0);
            let label_width = entries
                .iter()
                .map(|(_, label)| label.chars().count())
                .max()
                .unwrap_or(0);
            let widest = (key_width + 1 + label_width).max(title.chars().count());
            Constraint::Length(u16::try_from(widest + 2).unwrap_or(u16::MAX))
        })
        .collect();
    widths.push(Constraint::Min(20));
    let columns = Layout::horizontal(widths).split(inner);
    if let Some(last) = columns.last() {
        draw_guide(frame, app, *last);
    }
    for ((title, entries), column) in sections.into_iter().zip(columns.iter()) {
        let mut lines = vec![Line::from(Span::styled(title, app.theme.title()))];
        let key_width = entries
            .iter()
            .map(|(keys, _)| keys.chars().count())
            .max()
            .unwrap_or(0)
            .min(14);
        for (keys, label) in entries {
            lines.push(Line::from(vec![
                Span::styled(format!("{keys:<key_width$} "), app.theme.key()),
                Span::raw(label),
            ]));
        }
        frame.render_widget(Paragraph::new(lines), *column);
    }
}

fn draw_guide(frame: &mut Frame, app: &App, area: Rect) {
    let mut lines = vec![Line::from(Span::styled(
        format!("About {}", app.screen.title()),
        app.theme.title(),
    ))];
    for paragraph in crate::tui::guide::guide(app.screen) {
        lines.push(Line::from(paragraph));
        lines.push(Line::from(""));
    }
    frame.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: true }),
        area,
    );
}
