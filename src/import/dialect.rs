//! The CSV dialect of a file: which character separates its cells.

/// Picks the separator from the header line: the most frequent of `,` `;` and tab outside
/// quotes. A header with none of them (a single column) is read as comma-separated.
///
/// Excel writes `;` where the regional list separator is `;`, which is the case exactly where
/// the decimal mark is a comma; the caller uses that to read numbers.
pub fn sniff_delimiter(first_line: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for character in first_line.chars() {
        match character {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] = counts[0].saturating_add(1),
            ';' if !quoted => counts[1] = counts[1].saturating_add(1),
            '\t' if !quoted => counts[2] = counts[2].saturating_add(1),
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let mut best = 0;
    for index in 1..candidates.len() {
        if counts[index] > counts[best] {
            best = index;
        }
    }
    candidates[best]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_frequent_separator_wins() {
        assert_eq!(sniff_delimiter("a,b,c"), b',');
        assert_eq!(sniff_delimiter("a;b;\"c,d,e\""), b';');
        assert_eq!(sniff_delimiter("a\tb\tc,d"), b'\t');
        assert_eq!(sniff_delimiter("single"), b',');
    }
}
