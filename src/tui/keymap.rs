//! The one place where keys become [`Action`]s.
//!
//! Bindings come from `assets/default_keymap.toml`, compiled in, with an optional user file in
//! the config directory whose entries replace the default keys of the actions they name. The
//! status-bar hints and the help overlay are generated from the same bindings, so they cannot
//! drift from what a key really does.

use crate::tui::action::{Action, Screen, bindables};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// The compiled-in default bindings.
pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/default_keymap.toml");

/// Where a key press lands: a screen's bindings (plus the global ones), or a focused text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// A screen, with `[global]` and its own section.
    Screen(Screen),
    /// A focused text field: `[input]`, and printable keys are typed.
    Input,
}

/// A key with the modifiers that matter. Shift is folded into the character ("A" is shift+a),
/// so a binding never depends on how a terminal reports shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    code: KeyCode,
    ctrl: bool,
    alt: bool,
}

impl Key {
    /// Reads a key as written in a keymap file; fails on names it does not know.
    pub fn parse(text: &str) -> Option<Key> {
        let mut rest = text;
        let (mut ctrl, mut alt) = (false, false);
        loop {
            let lower = rest.to_ascii_lowercase();
            if lower.starts_with("ctrl+") && rest.len() > 5 {
                ctrl = true;
                rest = &rest[5..];
            } else if lower.starts_with("alt+") && rest.len() > 4 {
                alt = true;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let mut characters = rest.chars();
        let code = match (characters.next(), characters.next()) {
            (Some(single), None) => KeyCode::Char(single),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" => KeyCode::Enter,
                "esc" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" => KeyCode::Delete,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "pageup" => KeyCode::PageUp,
                "pagedown" => KeyCode::PageDown,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                name => {
                    let number: u8 = name.strip_prefix('f')?.parse().ok()?;
                    if !(1..=12).contains(&number) {
                        return None;
                    }
                    KeyCode::F(number)
                }
            },
        };
        // Control characters are case-insensitive on terminals: ctrl+R arrives as ctrl+r.
        let code = match code {
            KeyCode::Char(c) if ctrl => KeyCode::Char(c.to_ascii_lowercase()),
            other => other,
        };
        Some(Key { code, ctrl, alt })
    }

    /// The key a terminal event stands for.
    pub fn from_event(event: &KeyEvent) -> Key {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        let code = match event.code {
            KeyCode::Char(c) if ctrl => KeyCode::Char(c.to_ascii_lowercase()),
            other => other,
        };
        Key {
            code,
            ctrl,
            alt: event.modifiers.contains(KeyModifiers::ALT),
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl+")?;
        }
        if self.alt {
            f.write_str("Alt+")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("S-Tab"),
            KeyCode::Backspace => f.write_str("Bksp"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::F(number) => write!(f, "F{number}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// Why a keymap file cannot be used. Each variant names the file and what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    /// The file is not valid TOML of sections holding lists of keys.
    #[error("{file}: {message}")]
    Syntax {
        /// The keymap file.
        file: String,
        /// The TOML parser's message, with line and column.
        message: String,
    },
    /// A section that is neither a screen, `global` nor `input`.
    #[error("{file}: [{section}] is not a screen; expected one of: {expected}")]
    UnknownSection {
        /// The keymap file.
        file: String,
        /// The section found.
        section: String,
        /// The valid section names.
        expected: String,
    },
    /// An action name that does not exist.
    #[error("{file}: [{section}] {name}: no such action")]
    UnknownAction {
        /// The keymap file.
        file: String,
        /// The section.
        section: String,
        /// The action name found.
        name: String,
    },
    /// A key that cannot be read.
    #[error("{file}: [{section}] {name}: '{key}' is not a key")]
    UnknownKey {
        /// The keymap file.
        file: String,
        /// The section.
        section: String,
        /// The action.
        name: String,
        /// The key text found.
        key: String,
    },
    /// One key does two things on one screen.
    #[error("key '{key}' is bound to both '{first}' and '{second}' on the {context} screen")]
    Duplicate {
        /// The screen (or `input`).
        context: String,
        /// The key, as displayed.
        key: String,
        /// One action.
        first: String,
        /// The other action.
        second: String,
    },
}

/// One action with its keys in one section.
#[derive(Debug, Clone)]
pub struct Binding {
    /// The action name in the keymap file.
    pub name: &'static str,
    /// What the keys do.
    pub action: Action,
    /// Short label for hints and help.
    pub label: &'static str,
    /// The keys, in the order the file gives them (the first one is shown in hints).
    pub keys: Vec<Key>,
}

/// The bindings of every section, validated: no key is bound twice on one screen.
#[derive(Debug, Clone)]
pub struct Keymap {
    sections: BTreeMap<&'static str, Vec<Binding>>,
}

/// The section names a keymap file may use.
fn section_names() -> Vec<&'static str> {
    let mut names = vec!["global", "input"];
    names.extend(Screen::ALL.iter().map(|screen| screen.section()));
    names
}

type RawKeymap = BTreeMap<String, BTreeMap<String, Vec<String>>>;

impl Keymap {
    /// The compiled-in bindings. Fails only if the shipped file is broken, which a test guards.
    pub fn defaults() -> Result<Keymap, KeymapError> {
        Keymap::from_sources(DEFAULT_KEYMAP, None)
    }

    /// The defaults, overridden by the user's file when it exists. A missing file is not an
    /// error; an unreadable or invalid one is, so a typo is never silently ignored.
    pub fn load(user_file: Option<&Path>) -> Result<Keymap, KeymapError> {
        let Some(path) = user_file.filter(|path| path.exists()) else {
            return Keymap::defaults();
        };
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| KeymapError::Syntax {
            file: name.clone(),
            message: error.to_string(),
        })?;
        Keymap::from_sources(DEFAULT_KEYMAP, Some((&name, &text)))
    }

    /// Builds a keymap from the default text and an optional `(file name, text)` override.
    pub fn from_sources(defaults: &str, user: Option<(&str, &str)>) -> Result<Keymap, KeymapError> {
        let mut keymap = Keymap {
            sections: BTreeMap::new(),
        };
        keymap.apply("default_keymap.toml", defaults)?;
        if let Some((file, text)) = user {
            keymap.apply(file, text)?;
        }
        keymap.validate()?;
        Ok(keymap)
    }

    fn apply(&mut self, file: &str, text: &str) -> Result<(), KeymapError> {
        let raw: RawKeymap = toml::from_str(text).map_err(|error| KeymapError::Syntax {
            file: file.to_string(),
            message: error.to_string(),
        })?;
        let known_sections = section_names();
        let table = bindables();
        for (section, entries) in raw {
            let Some(section_name) = known_sections.iter().copied().find(|s| *s == section) else {
                return Err(KeymapError::UnknownSection {
                    file: file.to_string(),
                    section,
                    expected: known_sections.join(", "),
                });
            };
            let bindings = self.sections.entry(section_name).or_default();
            for (name, key_texts) in entries {
                let Some(bindable) = table.iter().find(|b| b.name == name) else {
                    return Err(KeymapError::UnknownAction {
                        file: file.to_string(),
                        section,
                        name,
                    });
                };
                let mut keys = Vec::with_capacity(key_texts.len());
                for text in key_texts {
                    keys.push(Key::parse(&text).ok_or_else(|| KeymapError::UnknownKey {
                        file: file.to_string(),
                        section: section.clone(),
                        name: name.clone(),
                        key: text.clone(),
                    })?);
                }
                bindings.retain(|binding| binding.name != bindable.name);
                bindings.push(Binding {
                    name: bindable.name,
                    action: bindable.action.clone(),
                    label: bindable.label,
                    keys,
                });
            }
            let order = |name: &str| table.iter().position(|b| b.name == name);
            bindings.sort_by_key(|binding| order(binding.name));
        }
        Ok(())
    }

    /// Fails on the first key that is bound twice in one context.
    fn validate(&self) -> Result<(), KeymapError> {
        let mut contexts: Vec<(String, Vec<&Binding>)> =
            vec![("input".to_string(), self.bindings_of("input").collect())];
        for screen in Screen::ALL {
            let all = self
                .bindings_of("global")
                .chain(self.bindings_of(screen.section()))
                .collect();
            contexts.push((screen.section().to_string(), all));
        }
        for (context, bindings) in contexts {
            let mut seen_keys: Vec<(Key, &str)> = Vec::new();
            for binding in bindings {
                for key in &binding.keys {
                    if let Some((_, first)) = seen_keys.iter().find(|(k, _)| k == key) {
                        return Err(KeymapError::Duplicate {
                            context,
                            key: key.to_string(),
                            first: first.to_string(),
                            second: binding.name.to_string(),
                        });
                    }
                    seen_keys.push((*key, binding.name));
                }
            }
        }
        Ok(())
    }

    fn bindings_of(&self, section: &str) -> impl Iterator<Item = &Binding> {
        self.sections.get(section).into_iter().flatten()
    }

    /// The action a key press means in a context, if any. In a text field, an unbound printable
    /// key is typed into the field.
    pub fn resolve(&self, context: Context, event: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(event);
        let bound = |section: &str| {
            self.bindings_of(section)
                .find(|binding| binding.keys.contains(&key))
                .map(|binding| binding.action.clone())
        };
        match context {
            Context::Input => bound("input").or(match key {
                Key {
                    code: KeyCode::Char(c),
                    ctrl: false,
                    alt: false,
                } => Some(Action::InputChar(c)),
                _ => None,
            }),
            Context::Screen(screen) => bound(screen.section()).or_else(|| bound("global")),
        }
    }

    /// The first key bound to an action in a section, as displayed; None when unbound.
    pub fn key_for(&self, section: &str, action: &Action) -> Option<String> {
        self.bindings_of(section)
            .find(|binding| binding.action == *action)
            .and_then(|binding| binding.keys.first())
            .map(Key::to_string)
    }

    /// The keys and labels for the status bar: the context's own bindings first, then help and
    /// quit, so the way out is always on screen.
    pub fn hints(&self, context: Context) -> Vec<(String, &'static str)> {
        let own = match context {
            Context::Input => "input",
            Context::Screen(screen) => screen.section(),
        };
        let mut hints: Vec<(String, &'static str)> = self
            .bindings_of(own)
            .filter(|binding| !matches!(binding.action, Action::MoveUp | Action::MoveDown))
            .filter_map(|binding| Some((binding.keys.first()?.to_string(), binding.label)))
            .collect();
        if let Context::Screen(_) = context {
            for binding in self.bindings_of("global") {
                if matches!(binding.action, Action::ToggleHelp | Action::Quit) {
                    if let Some(key) = binding.keys.first() {
                        hints.push((key.to_string(), binding.label));
                    }
                }
            }
        }
        hints
    }

    /// Every binding that applies in a context, grouped for the help overlay: the screen's own
    /// section, then the global one. Each entry is (all keys joined, label).
    pub fn help(&self, context: Context) -> Vec<(&'static str, Vec<(String, &'static str)>)> {
        let entries = |section: &str| -> Vec<(String, &'static str)> {
            self.bindings_of(section)
                .map(|binding| {
                    let keys: Vec<String> = binding.keys.iter().map(Key::to_string).collect();
                    (keys.join(" "), binding.label)
                })
                .collect()
        };
        match context {
            Context::Input => vec![("Text field", entries("input"))],
            Context::Screen(screen) => vec![
                (screen.title(), entries(screen.section())),
                ("Everywhere", entries("global")),
            ],
        }
    }
}
