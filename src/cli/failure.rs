//! How a failure reaches the terminal: an error as one line with each reason said once, and
//! panic reports without colour when `NO_COLOR` asks for none.
//!
//! An error carries its cause twice when its message already quotes its source (`cannot read
//! the file: Is a directory` over the `io::Error` itself), and eyre's alternate format prints
//! every cause of the chain again after it: "Is a directory (os error 21): Is a directory (os
//! error 21)". So a cause is printed only when it adds to what is already said.

use color_eyre::config::{HookBuilder, Theme};

/// True when the `NO_COLOR` convention (<https://no-color.org>) asks for no colour: the
/// variable is set and not empty.
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
}

/// The error and panic reporters: coloured, or plain when `no_color` is true (a panic report
/// otherwise writes ANSI colour codes into a log or a terminal that asked for none).
pub fn hooks(no_color: bool) -> HookBuilder {
    let builder = HookBuilder::default();
    if no_color {
        builder.theme(Theme::new())
    } else {
        builder
    }
}

/// An error and its causes in one line, `outer: cause: cause`, with each reason once and no
/// control character (a path or a cell in a message may carry an escape sequence).
///
/// A cause is left out when the line already says it, or when it only repeats the reason
/// before it behind a code (`Error code 5: database is locked` under `database is locked`).
pub fn one_line(error: &(dyn std::error::Error + 'static)) -> String {
    let mut shown = String::new();
    let mut previous = String::new();
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        let text = current.to_string();
        let repeats = text.trim().is_empty()
            || shown.contains(&text)
            || (!previous.is_empty() && text.ends_with(&previous));
        if !repeats {
            if !shown.is_empty() {
                shown.push_str(": ");
            }
            shown.push_str(&text);
        }
        previous = text;
        cause = current.source();
    }
    // Line breaks between sentences stay; everything else that steers a terminal goes.
    shown
        .split('\n')
        .map(crate::domain::text::strip_control)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_quoted_by_its_error_is_said_once() {
        let io = std::io::Error::from_raw_os_error(21);
        let reason = io.to_string();
        let error = crate::import::ImportError::Io {
            file: "x".into(),
            source: io,
        };
        let line = one_line(&error);
        assert_eq!(line.matches(&reason).count(), 1, "{line}");
        assert!(line.starts_with("x: cannot read the file: "), "{line}");
    }

    #[test]
    fn a_locked_database_is_said_once() {
        let locked = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(5),
            Some("database is locked".to_string()),
        );
        let error = crate::store::StoreError::from(locked);
        let line = one_line(&error);
        assert_eq!(line.matches("database is locked").count(), 1, "{line}");
    }

    #[test]
    fn causes_that_add_something_are_kept_in_order() {
        let report = color_eyre::eyre::eyre!("inner reason").wrap_err("outer \u{1b}]0;x\u{7}step");
        let line = one_line(report.as_ref());
        assert_eq!(line, "outer ]0;xstep: inner reason");
    }
}
