//! Semantic styles: views ask for "an unbilled row", never for a colour.
//!
//! Only the terminal's own named colours are used, and never as backgrounds (the selection is
//! reverse video), so the palette follows the user's light or dark scheme. With `NO_COLOR` set
//! every style falls back to bold, underline or reverse video, and meaning is always carried by
//! a word or a symbol as well.

use ratatui::style::{Color, Modifier, Style};

/// The styles the views draw with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    color: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to a non-empty value (see no-color.org).
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        Theme { color: !no_color }
    }

    /// The colour theme, regardless of the environment (tests pin it).
    pub fn colored() -> Theme {
        Theme { color: true }
    }

    /// The theme without colour.
    pub fn monochrome() -> Theme {
        Theme { color: false }
    }

    fn pick(&self, color: Color, fallback: Modifier) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new().add_modifier(fallback)
        }
    }

    /// An over-threshold gap where seats are bought but not billed: red.
    pub fn unbilled(&self) -> Style {
        self.pick(Color::Red, Modifier::BOLD)
    }

    /// An over-threshold gap where the client pays for seats no longer bought: amber.
    pub fn overbilled(&self) -> Style {
        self.pick(Color::Yellow, Modifier::UNDERLINED)
    }

    /// Good news: full coverage, a finished import.
    pub fn good(&self) -> Style {
        self.pick(Color::Green, Modifier::BOLD)
    }

    /// An error message.
    pub fn error(&self) -> Style {
        self.pick(Color::Red, Modifier::BOLD)
    }

    /// Keys in hints and help.
    pub fn key(&self) -> Style {
        self.pick(Color::Cyan, Modifier::BOLD)
            .add_modifier(Modifier::BOLD)
    }

    /// Titles and headers.
    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// Secondary text.
    pub fn muted(&self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    /// The selected row.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// The gauge of a running import and the coverage bar.
    pub fn gauge(&self) -> Style {
        self.pick(Color::Cyan, Modifier::BOLD)
    }
}
