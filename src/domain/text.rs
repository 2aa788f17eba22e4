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

/// The text cleaned with [`strip_control`] and cut to at most `width` terminal columns. A name
/// too long is cut in the middle, keeping its start and its end, because the end is what tells
/// neighbours apart: "Microsoft 365 Business Premium (annual)" and "(monthly)", or the site of
/// "Northside Health - Eastside".
pub fn fit_middle(text: &str, width: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    let clean = strip_control(text);
    if clean.width() <= width {
        return clean;
    }
    if width == 0 {
        return String::new();
    }
    // One column for the ellipsis. A closing "(term)" is kept whole when it leaves room for a
    // start; otherwise the start gets the larger share, since it names the thing.
    let budget = width - 1;
    let bracketed = clean
        .rfind(" (")
        .filter(|_| clean.ends_with(')'))
        .map(|start| clean[start..].width())
        .filter(|size| *size * 2 <= budget);
    let tail_budget = bracketed.unwrap_or(budget * 2 / 5);
    let head_budget = budget - tail_budget;
    let mut head = String::new();
    let mut used = 0;
    for character in clean.chars() {
        let size = character.width().unwrap_or(0);
        if used + size > head_budget {
            break;
        }
        used += size;
        head.push(character);
    }
    let mut tail: Vec<char> = Vec::new();
    let mut used = 0;
    for character in clean.chars().rev() {
        let size = character.width().unwrap_or(0);
        if used + size > tail_budget {
            break;
        }
        used += size;
        tail.push(character);
    }
    let tail: String = tail.into_iter().rev().collect();
    format!("{}…{}", head.trim_end(), tail)
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

    #[test]
    fn long_names_keep_their_start_and_their_end() {
        let annual = fit_middle("Microsoft 365 Business Premium (annual)", 24);
        let monthly = fit_middle("Microsoft 365 Business Premium (monthly)", 24);
        assert_ne!(annual, monthly, "the term tells them apart");
        assert!(annual.ends_with("(annual)"), "{annual}");
        assert!(annual.starts_with("Microsoft 365"), "{annual}");
        assert!(unicode_width::UnicodeWidthStr::width(annual.as_str()) <= 24);
        assert_eq!(fit_middle("Short", 24), "Short");
        assert_eq!(fit_middle("Bad\u{1b}[2J name", 40), "Bad[2J name");
        assert_eq!(fit_middle("anything", 0), "");
        // Wide characters count as two columns.
        let wide = fit_middle("東京都港区株式会社テスト", 9);
        assert!(
            unicode_width::UnicodeWidthStr::width(wide.as_str()) <= 9,
            "{wide}"
        );
    }
}
