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
    let columns = Layout::horizontal(vec![
        Constraint::Ratio(1, sections.len().max(1) as u32);
        sections.len().max(1)
    ])
    .split(inner);
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
