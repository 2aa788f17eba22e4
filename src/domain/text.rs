//! Text that came from a file and is about to be shown or written somewhere that interprets it.

/// Removes control characters (C0, DEL, C1, and bidirectional overrides) from a name taken from
/// a file, so that a crafted customer name cannot move the cursor, recolour the terminal or
/// reorder what the operator reads. Tabs and newlines become single spaces.
pub fn strip_control(text: &str) -> String {
    let mut clean = String::with_capacity(text.len());
    for character in text.chars() {
        if matches!(character, '\t' | '\n' | '\r') {
            clean.push(' ');
        } else if !character.is_control() && !is_bidi_control(character) {
            clean.push(character);
        }
    }
    clean
}

fn is_bidi_control(character: char) -> bool {
    matches!(character, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_removed() {
        assert_eq!(strip_control("Contoso\u{1b}[31m Ltd"), "Contoso[31m Ltd");
        assert_eq!(strip_control("A\tB\nC"), "A B C");
        assert_eq!(strip_control("evil\u{202E}txt.exe"), "eviltxt.exe");
        assert_eq!(strip_control("Café Müller"), "Café Müller");
    }
}
