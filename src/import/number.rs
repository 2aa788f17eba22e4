//! Decimal numbers as exports write them: signs, parentheses, symbols and separators.

use crate::domain::money::MAX_AMOUNT;
use rust_decimal::Decimal;
use std::fmt;
use std::str::FromStr;

/// The largest seat count, in absolute value, that a cell may state: a billion seats, far
/// beyond any real subscription. Refusing more keeps every product of seats and a bounded
/// price (see [`MAX_AMOUNT`]) and every sum of seats over a file exact.
pub const MAX_SEATS: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

/// The smallest limit of a [`Bound`] as an integer: [`MAX_SEATS`].
const SEATS_MANTISSA: u128 = 1_000_000_000;

/// The bound a number cell is held to, by what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Seats: at most [`MAX_SEATS`] either way.
    SeatQuantity,
    /// Money, read or computed: at most [`MAX_AMOUNT`] either way.
    Amount,
    /// Any other number (an exchange rate): at most [`MAX_AMOUNT`] either way, a bound no
    /// real rate or price comes near, so that its products with amounts stay representable.
    Number,
}

impl Bound {
    /// The largest magnitude allowed.
    pub fn limit(self) -> Decimal {
        match self {
            Bound::SeatQuantity => MAX_SEATS,
            Bound::Amount | Bound::Number => MAX_AMOUNT,
        }
    }

    /// Whether `number` is within the limit either way.
    ///
    /// A decimal is its integer mantissa scaled down, never up, so a mantissa within
    /// [`SEATS_MANTISSA`] settles it without the scale-aligning comparison, which is most of
    /// the cost of reading a number cell.
    pub fn holds(self, number: Decimal) -> bool {
        number.mantissa().unsigned_abs() <= SEATS_MANTISSA || number.abs() <= self.limit()
    }

    /// What the value is, for messages: "seat quantity", "amount" or "number".
    pub fn what(self) -> &'static str {
        match self {
            Bound::SeatQuantity => "seat quantity",
            Bound::Amount => "amount",
            Bound::Number => "number",
        }
    }
}

/// A number too large to be real, as written or as computed, and the bound it broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImplausibleValue {
    /// The bound the value is beyond.
    pub bound: Bound,
    /// The cell as written, or the calculation (`price × seats`) for a computed amount.
    pub found: String,
}

impl fmt::Display for ImplausibleValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "implausible {} {:?} (beyond ±{}); billgap refuses values this large",
            self.bound.what(),
            self.found,
            self.bound.limit()
        )
    }
}

/// Reads a number cell exactly; `None` when the cell is not a number.
///
/// Accepts `-12.50`, `12.50-`, `(12.50)`, `$1,234.50`, `USD 12.50`, `1 234,50` and
/// scientific `1.5E-05`. With `decimal_comma` the comma is the decimal mark and dots or spaces
/// group thousands (`1.234,50`); a lone dot that cannot be a thousands group (`0.045`) is still
/// a decimal mark. Without it, a comma is accepted only as a real thousands group, so a regional
/// `12,50` in a file declared as dot-decimal is an error rather than a silent 1250.
/// The caller handles empty cells.
pub fn parse_decimal(cell: &str, decimal_comma: bool) -> Option<Decimal> {
    // In a decimal-comma file a dot groups thousands, so only dotless cells take the fast path.
    if is_plain(cell) && !(decimal_comma && cell.contains('.')) {
        return Decimal::from_str(cell).ok();
    }
    let mut text = cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{A0}');
    let mut negative = false;
    if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        negative = true;
        text = inner;
    }
    text = strip_currency_code(text);
    let mut cleaned: String = text
        .chars()
        .filter(|c| {
            !is_currency_symbol(*c) && !c.is_whitespace() && !matches!(c, '\u{A0}' | '\u{202F}')
        })
        .collect();
    if let Some(rest) = cleaned.strip_prefix('-') {
        negative = !negative;
        cleaned = rest.to_string();
    } else if let Some(rest) = cleaned.strip_prefix('+') {
        cleaned = rest.to_string();
    } else if let Some(rest) = cleaned.strip_suffix('-') {
        negative = !negative;
        cleaned = rest.to_string();
    }
    let plain = if cleaned.contains(['e', 'E']) {
        Decimal::from_scientific(&cleaned).ok()
    } else {
        let canonical = if decimal_comma {
            with_decimal_mark(&cleaned, ',', '.')
        } else {
            with_decimal_mark(&cleaned, '.', ',')
        }?;
        Decimal::from_str(&canonical).ok()
    }?;
    Some(if negative { negated(plain) } else { plain })
}

/// `-value`, spelled as a function because the module's arithmetic lint cannot tell that
/// negating a `Decimal` only flips its sign bit and so, unlike an integer's, never overflows.
#[allow(clippy::arithmetic_side_effects)]
pub(crate) fn negated(value: Decimal) -> Decimal {
    -value
}

/// `-12.50`, `3`: digits with an optional leading minus and at most one dot, which every
/// spelling reads the same way; most cells of a large file are like this.
fn is_plain(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let mut dots: usize = 0;
    let mut count: usize = 0;
    for byte in digits.bytes() {
        match byte {
            b'0'..=b'9' => count = count.saturating_add(1),
            b'.' => dots = dots.saturating_add(1),
            _ => return false,
        }
    }
    count > 0 && count <= 20 && dots <= 1
}

/// Rewrites `text` with `.` as the decimal mark and no grouping, or `None` if it is not a number.
fn with_decimal_mark(text: &str, mark: char, group: char) -> Option<String> {
    let (integer, fraction) = match text.split_once(mark) {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (text, None),
    };
    let integer = if integer.contains(group) {
        match ungroup(integer, group) {
            Some(digits) => digits,
            // `0.045` in a decimal-comma file: a dot that groups nothing is a decimal mark.
            None if mark == ',' && fraction.is_none() && integer.matches(group).count() == 1 => {
                return digits_only(&integer.replace(group, "."))
                    .then(|| integer.replace(group, "."));
            }
            None => return None,
        }
    } else {
        integer.to_string()
    };
    let fraction = fraction.unwrap_or("");
    let has_digit = integer.chars().any(|c| c.is_ascii_digit()) || !fraction.is_empty();
    if !has_digit || !digits_only(&integer) || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if fraction.is_empty() {
        Some(integer)
    } else {
        Some(format!(
            "{}.{fraction}",
            if integer.is_empty() { "0" } else { &integer }
        ))
    }
}

fn digits_only(text: &str) -> bool {
    text.chars().all(|c| c.is_ascii_digit() || c == '.') && text.matches('.').count() <= 1
}

/// `1,234,567` to `1234567`; `None` unless every group after the first has three digits.
fn ungroup(integer: &str, group: char) -> Option<String> {
    let mut parts = integer.split(group);
    let first = parts.next()?;
    // A group never starts with a zero: `0.045` is a fraction, not forty-five.
    if first.is_empty()
        || first.len() > 3
        || first.starts_with('0')
        || !first.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let mut digits = first.to_string();
    for part in parts {
        if part.len() != 3 || !part.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        digits.push_str(part);
    }
    Some(digits)
}

/// The currency a number cell names, by code (`USD 12.50`, `12,50 EUR`) or symbol (`€26.40`),
/// and whether it can be `code`. `None` when the cell names none, or names one `code` may be
/// (`$` is a dollar or peso of any country).
pub fn contradicting_currency(cell: &str, code: &str) -> Option<String> {
    // Digits, marks, signs and spaces name no currency: nearly every money cell.
    if cell.bytes().all(|byte| {
        byte.is_ascii_digit() || matches!(byte, b'.' | b',' | b'-' | b'+' | b'(' | b')' | b' ')
    }) {
        return None;
    }
    let text = cell.trim_matches(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '-' | '+'));
    let stripped = strip_currency_code(text);
    if stripped.len() != text.len() {
        let named = text.replace(stripped, "");
        let named = named.trim();
        return (!named.eq_ignore_ascii_case(code)).then(|| named.to_string());
    }
    let symbol = text.chars().find(|c| is_currency_symbol(*c))?;
    let fits = match symbol {
        '€' => code == "EUR",
        '£' => matches!(code, "GBP" | "GIP" | "FKP" | "SHP" | "EGP"),
        '¥' => matches!(code, "JPY" | "CNY"),
        '₹' => code == "INR",
        '₩' => code == "KRW",
        '₽' => code == "RUB",
        '$' => {
            code.ends_with('D')
                || matches!(
                    code,
                    "MXN" | "ARS" | "CLP" | "COP" | "BRL" | "UYU" | "DOP" | "CUP"
                )
        }
        _ => true,
    };
    (!fits).then(|| symbol.to_string())
}

fn is_currency_symbol(character: char) -> bool {
    matches!(character, '$' | '€' | '£' | '¥' | '₹' | '₩' | '₽' | '¤')
}

/// Drops a leading or trailing three-letter code (`USD 12.50`, `12,50 EUR`).
fn strip_currency_code(text: &str) -> &str {
    let is_code = |code: &str| code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase());
    let text = text.trim();
    // A cell may hold any character, so every cut is checked to fall between characters.
    if let (Some(code), Some(rest)) = (text.get(..3), text.get(3..)) {
        if !rest.is_empty() && is_code(code) {
            return rest.trim();
        }
    }
    let cut = text.len().saturating_sub(3);
    if let (Some(rest), Some(code)) = (text.get(..cut), text.get(cut..)) {
        if !rest.is_empty() && is_code(code) {
            return rest.trim();
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn a_bound_holds_exactly_what_the_comparison_says() {
        let values = [
            dec!(0),
            dec!(53),
            dec!(-8.1290322580),
            dec!(999999999),
            dec!(1000000000),
            dec!(-1000000000),
            dec!(1000000000.0000000001),
            dec!(1000000001),
            dec!(100000000.00000000001),
            dec!(999999999999999.99),
            dec!(1000000000000000),
            dec!(1000000000000000.01),
            dec!(-1000000000000001),
            Decimal::MAX,
            Decimal::MIN,
            Decimal::new(1, 28),
        ];
        for bound in [Bound::SeatQuantity, Bound::Amount, Bound::Number] {
            for value in values {
                assert_eq!(
                    bound.holds(value),
                    value.abs() <= bound.limit(),
                    "{value} against {bound:?}"
                );
            }
        }
    }

    #[test]
    fn dot_decimal_cells() {
        let cases = [
            ("-12.50", dec!(-12.50)),
            ("(12.50)", dec!(-12.50)),
            ("12.50-", dec!(-12.50)),
            ("$1,234.50", dec!(1234.50)),
            ("-$5", dec!(-5)),
            ("USD 12.5", dec!(12.5)),
            ("0.08500671", dec!(0.08500671)),
            ("1.5E-05", dec!(0.000015)),
            (".5", dec!(0.5)),
            ("+3", dec!(3)),
        ];
        for (cell, expected) in cases {
            assert_eq!(parse_decimal(cell, false), Some(expected), "{cell}");
        }
        for cell in ["abc", "12,50", "1,23,4", "1.2.3", "-", "()", "12 EURO"] {
            assert_eq!(parse_decimal(cell, false), None, "{cell}");
        }
    }

    #[test]
    fn decimal_comma_cells() {
        let cases = [
            ("12,50", dec!(12.50)),
            ("1.234,50", dec!(1234.50)),
            ("1 234,50 €", dec!(1234.50)),
            ("(0,5)", dec!(-0.5)),
            ("0.045", dec!(0.045)),
            ("7", dec!(7)),
            ("1.234", dec!(1234)),
        ];
        for (cell, expected) in cases {
            assert_eq!(parse_decimal(cell, true), Some(expected), "{cell}");
        }
        assert_eq!(parse_decimal("1,2,3", true), None);
    }

    #[test]
    fn a_character_cut_where_a_currency_code_would_end_is_not_a_number() {
        for cell in ["ab€5", "5€ab", "é€", "€"] {
            assert_eq!(parse_decimal(cell, false), None, "{cell}");
        }
        assert_eq!(parse_decimal("EUR€5", false), Some(dec!(5)));
    }

    #[test]
    fn a_currency_in_a_cell_must_be_the_rows() {
        assert_eq!(
            contradicting_currency("EUR 369.60", "USD"),
            Some("EUR".to_string())
        );
        assert_eq!(
            contradicting_currency("€26.40", "USD"),
            Some("€".to_string())
        );
        assert_eq!(contradicting_currency("USD 369.60", "USD"), None);
        assert_eq!(contradicting_currency("$26.40", "CAD"), None);
        assert_eq!(contradicting_currency("26,40 €", "EUR"), None);
        assert_eq!(contradicting_currency("(£5)", "USD"), Some("£".to_string()));
        assert_eq!(contradicting_currency("26.40", "USD"), None);
    }

    #[test]
    fn the_seat_bound_is_a_billion() {
        assert_eq!(MAX_SEATS, Decimal::from(1_000_000_000_u32));
    }
}
