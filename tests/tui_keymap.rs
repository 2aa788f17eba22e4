//! The keymap: the shipped defaults are valid, user files override them, and a key bound twice
//! on one screen is refused with both action names.

use billgap::tui::action::{Action, Screen};
use billgap::tui::keymap::{Context, DEFAULT_KEYMAP, Keymap, KeymapError};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

#[test]
fn the_default_keymap_parses_and_binds_no_key_twice_on_any_screen() {
    // from_sources validates every screen (its section plus [global]) and [input].
    let keymap = Keymap::defaults().expect("the shipped keymap is valid");
    for screen in Screen::ALL {
        let context = Context::Screen(screen);
        assert_eq!(
            keymap.resolve(context, &key(KeyCode::Char('q'))),
            Some(Action::Quit)
        );
        assert_eq!(
            keymap.resolve(context, &key(KeyCode::Char('?'))),
            Some(Action::ToggleHelp)
        );
    }
}

#[test]
fn the_issue_keys_do_what_the_issue_says_on_the_clients_screen() {
    let keymap = Keymap::defaults().expect("defaults");
    let clients = Context::Screen(Screen::Clients);
    let cases = [
        (KeyCode::Enter, Action::ConfirmSuggestion),
        (KeyCode::Char('y'), Action::ConfirmSuggestion),
        (KeyCode::Char('n'), Action::RejectSuggestion),
        (KeyCode::Char('s'), Action::SkipEntry),
        (KeyCode::Char('i'), Action::IgnoreEntry),
        (KeyCode::Char('u'), Action::Undo),
        (KeyCode::Char('r'), Action::Redo),
        (KeyCode::Char('/'), Action::SearchTargets),
        (KeyCode::Char('A'), Action::BulkAccept),
    ];
    for (code, action) in cases {
        assert_eq!(
            keymap.resolve(clients, &key(code)),
            Some(action),
            "{code:?}"
        );
    }
    // Shift is folded into the character, however the terminal reports it.
    let shifted = KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT);
    assert_eq!(keymap.resolve(clients, &shifted), Some(Action::BulkAccept));
    // Enter means something else on the gaps screen.
    assert_eq!(
        keymap.resolve(Context::Screen(Screen::Gaps), &key(KeyCode::Enter)),
        Some(Action::OpenDrilldown)
    );
}

#[test]
fn in_a_text_field_letters_are_typed_and_only_input_keys_are_bound() {
    let keymap = Keymap::defaults().expect("defaults");
    assert_eq!(
        keymap.resolve(Context::Input, &key(KeyCode::Char('q'))),
        Some(Action::InputChar('q'))
    );
    assert_eq!(
        keymap.resolve(Context::Input, &key(KeyCode::Tab)),
        Some(Action::InputComplete)
    );
    assert_eq!(
        keymap.resolve(Context::Input, &key(KeyCode::Esc)),
        Some(Action::InputCancel)
    );
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(keymap.resolve(Context::Input, &ctrl_c), Some(Action::Quit));
}

#[test]
fn a_user_file_replaces_the_keys_of_the_actions_it_names_only() {
    let user = "[clients]\nconfirm = [\"c\"]\n";
    let keymap =
        Keymap::from_sources(DEFAULT_KEYMAP, Some(("keymap.toml", user))).expect("valid override");
    let clients = Context::Screen(Screen::Clients);
    assert_eq!(
        keymap.resolve(clients, &key(KeyCode::Char('c'))),
        Some(Action::ConfirmSuggestion)
    );
    assert_eq!(keymap.resolve(clients, &key(KeyCode::Enter)), None);
    assert_eq!(
        keymap.resolve(clients, &key(KeyCode::Char('n'))),
        Some(Action::RejectSuggestion)
    );
    // The hints follow the override.
    let hints = keymap.hints(clients);
    assert_eq!(hints.first(), Some(&("c".to_string(), "confirm")));
}

#[test]
fn a_key_bound_twice_on_one_screen_is_refused_naming_both_actions() {
    // "q" already quits everywhere, so binding it to reject on the clients screen collides.
    let user = "[clients]\nreject = [\"q\"]\n";
    let error =
        Keymap::from_sources(DEFAULT_KEYMAP, Some(("keymap.toml", user))).expect_err("duplicate");
    match &error {
        KeymapError::Duplicate {
            context,
            key,
            first,
            second,
        } => {
            assert_eq!(context, "clients");
            assert_eq!(key, "q");
            assert_eq!((first.as_str(), second.as_str()), ("quit", "reject"));
        }
        other => panic!("expected a duplicate, got {other:?}"),
    }
    assert!(
        error
            .to_string()
            .contains("'q' is bound to both 'quit' and 'reject'")
    );
}

#[test]
fn unknown_names_and_keys_are_errors_not_silently_ignored() {
    let unknown_action = Keymap::from_sources(
        DEFAULT_KEYMAP,
        Some(("k.toml", "[gaps]\nexplode = [\"x\"]\n")),
    );
    assert!(matches!(
        unknown_action,
        Err(KeymapError::UnknownAction { .. })
    ));
    let unknown_key = Keymap::from_sources(
        DEFAULT_KEYMAP,
        Some(("k.toml", "[gaps]\ndrilldown = [\"hyper+x\"]\n")),
    );
    assert!(matches!(unknown_key, Err(KeymapError::UnknownKey { .. })));
    let unknown_section = Keymap::from_sources(DEFAULT_KEYMAP, Some(("k.toml", "[bogus]\n")));
    assert!(matches!(
        unknown_section,
        Err(KeymapError::UnknownSection { .. })
    ));
    let syntax = Keymap::from_sources(DEFAULT_KEYMAP, Some(("k.toml", "[gaps\n")));
    assert!(matches!(syntax, Err(KeymapError::Syntax { .. })));
}

#[test]
fn help_lists_every_binding_of_the_screen_and_the_global_ones() {
    let keymap = Keymap::defaults().expect("defaults");
    let help = keymap.help(Context::Screen(Screen::Gaps));
    let titles: Vec<&str> = help.iter().map(|(title, _)| *title).collect();
    assert_eq!(titles, vec!["Gaps", "Everywhere"]);
    assert!(help[0].1.contains(&("Enter".to_string(), "drill down")));
    assert!(help[0].1.contains(&("+ =".to_string(), "threshold +")));
    assert!(help[1].1.contains(&("q Ctrl+c".to_string(), "quit")));
}
