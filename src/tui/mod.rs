//! The workbench: an interactive terminal UI for the billing owner's weekly review.
//!
//! Three parts, kept apart (DESIGN.md §1): [`app::App::update`] is the only place state changes;
//! [`views`] only read the app and draw; [`keymap`] is the only place a key becomes an
//! [`action::Action`]. Each screen with behaviour of its own ([`mapping_screen`], [`gap_screen`])
//! has its own update, which returns a [`outcome::ScreenOutcome`] for the app to follow. The
//! library is reached only through the application core, [`crate::workflow::Workspace`].
//! Imports and reconciliations run on workers ([`jobs`]).
//!
//! The terminal is restored on every way out: normal quit, an error, and a panic (a hook
//! restores it before the previous hook, such as color-eyre's, prints the report).

pub mod action;
pub mod app;
pub mod cursor;
pub mod export_screen;
pub mod gap_screen;
pub mod guide;
pub mod hit_map;
pub mod import_screen;
pub mod input;
pub mod jobs;
pub mod keymap;
pub mod mapping_screen;
pub mod outcome;
pub mod theme;
pub mod views;

use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::{Context, Keymap};
use crate::tui::theme::Theme;
use color_eyre::eyre::{Result, WrapErr};
use crossterm::event::{self, Event, KeyEventKind, MouseButton, MouseEventKind};
use crossterm::{execute, terminal};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{Stdout, stdout};
use std::path::PathBuf;
use std::sync::Once;
use std::time::Duration;

/// What the workbench opens.
#[derive(Debug, Clone)]
pub struct WorkbenchOptions {
    /// The database file; created and migrated by the store if it does not exist.
    pub database: PathBuf,
    /// The user's keymap file; a missing file means the defaults.
    pub keymap_file: Option<PathBuf>,
    /// What the status line calls the data, such as the database path or "demo".
    pub title: String,
}

impl WorkbenchOptions {
    /// Options for a database, with the keymap file in billgap's config directory
    /// (`keymap.toml`; for example `~/.config/billgap/keymap.toml` on Linux).
    pub fn new(database: PathBuf) -> WorkbenchOptions {
        let keymap_file = crate::paths::config_dir().map(|dir| dir.join("keymap.toml"));
        WorkbenchOptions {
            title: database.display().to_string(),
            database,
            keymap_file,
        }
    }
}

/// Opens the workbench on a database and runs it until the operator quits.
///
/// Fails before touching the terminal when the keymap file is invalid or the database cannot
/// be opened; fails after restoring the terminal when drawing or reading input fails.
pub fn run(options: &WorkbenchOptions) -> Result<()> {
    let keymap =
        Keymap::load(options.keymap_file.as_deref()).wrap_err("the keymap cannot be used")?;
    let workspace = crate::workflow::Workspace::open(&options.database)
        .wrap_err_with(|| format!("cannot open {}", options.database.display()))?;
    let mut app = App::new(workspace, keymap, Theme::from_env(), options.title.clone())
        .wrap_err("cannot load the workbench data")?;
    let mut session = TerminalSession::enter().wrap_err("cannot set up the terminal")?;
    let outcome = event_loop(&mut session.terminal, &mut app);
    drop(session);
    outcome
}

fn event_loop(terminal: &mut Terminal<CrosstermBackend<Stdout>>, app: &mut App) -> Result<()> {
    let size = terminal.size()?;
    app.update(Action::Resize(size.width, size.height));
    while !app.quitting {
        let mut hit_map = hit_map::HitMap::default();
        terminal.draw(|frame| hit_map = views::draw(frame, app))?;
        app.hit_map = hit_map;
        let wait = if app.busy() {
            Duration::from_millis(50)
        } else {
            Duration::from_millis(500)
        };
        if event::poll(wait)? {
            // Drain what is queued before redrawing, so a burst of keys costs one frame.
            loop {
                if let Some(action) = translate(app, event::read()?) {
                    app.update(action);
                }
                if app.quitting || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        }
        app.pump_jobs(Duration::ZERO);
    }
    Ok(())
}

/// Turns a terminal event into an action: keys through the keymap, the mouse and paste here.
fn translate(app: &App, event: Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            app.keymap.resolve(app.context(), &key)
        }
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::ScrollUp => Some(Action::ScrollUp),
            MouseEventKind::ScrollDown => Some(Action::ScrollDown),
            MouseEventKind::Down(MouseButton::Left) => Some(Action::Click(mouse.column, mouse.row)),
            _ => None,
        },
        Event::Paste(text) if app.context() == Context::Input => Some(Action::InputText(text)),
        Event::Resize(columns, rows) => Some(Action::Resize(columns, rows)),
        _ => None,
    }
}

/// The terminal in raw mode on the alternate screen; dropping it restores the terminal.
struct TerminalSession {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalSession {
    fn enter() -> Result<TerminalSession> {
        install_panic_hook();
        terminal::enable_raw_mode()?;
        let entered = execute!(
            stdout(),
            terminal::EnterAlternateScreen,
            event::EnableMouseCapture,
            event::EnableBracketedPaste
        );
        if let Err(error) = entered {
            restore_terminal();
            return Err(error.into());
        }
        match Terminal::new(CrosstermBackend::new(stdout())) {
            Ok(terminal) => Ok(TerminalSession { terminal }),
            Err(error) => {
                restore_terminal();
                Err(error.into())
            }
        }
    }
}

impl Drop for TerminalSession {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Leaves raw mode and the alternate screen and shows the cursor. Safe to call more than once;
/// each step is attempted even if an earlier one fails, since this runs on the way out.
fn restore_terminal() {
    let _ = execute!(
        stdout(),
        event::DisableBracketedPaste,
        event::DisableMouseCapture,
        terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = terminal::disable_raw_mode();
}

/// Chains a hook that restores the terminal in front of the current panic hook, so the report
/// (color-eyre's, when main installed it first) prints on a usable terminal. Only a panic of
/// the UI thread restores it: a worker's panic is caught and reported by its job, and the UI
/// keeps drawing.
fn install_panic_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let ui_thread = std::thread::current().id();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().id() == ui_thread {
                restore_terminal();
                previous(info);
            }
        }));
    });
}
