//! Alert thresholds read from the TOML text itself, never through a float.
//!
//! TOML has no decimal type: a serde parse turns `threshold = 100.10` into an `f64`. So the
//! `[alerts] threshold` and `[alerts.thresholds]` values are read from the parsed document's
//! raw text (`toml::de::DeTable`), which keeps each number as written. Accepted: a decimal
//! integer (`100`), a plain decimal (`99.50`) or a string of either (`"99.50"`). Refused, with
//! the key and its line:column: exponents (`1e2`), `inf`/`nan`, hex/octal/binary integers,
//! negative amounts, and strings with a comma (`"1,000"` or `"99,50"`: a thousands separator
//! or a decimal comma cannot be told apart).

use rust_decimal::Decimal;
use std::collections::BTreeMap;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The thresholds found in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct ThresholdSettings {
    /// `[alerts] threshold`.
    pub(super) default: Option<Decimal>,
    /// `[alerts.thresholds]`, keyed by ISO currency code.
    pub(super) per_currency: BTreeMap<String, Decimal>,
}

/// Reads the thresholds of `text`; an error names the key and its line:column.
pub(super) fn read(text: &str) -> Result<ThresholdSettings, String> {
    let document = DeTable::parse(text).map_err(|error| error.to_string())?;
    let mut settings = ThresholdSettings::default();
    let Some(alerts) = entry(document.get_ref(), "alerts") else {
        return Ok(settings);
    };
    let DeValue::Table(alerts) = alerts.get_ref() else {
        return Ok(settings); // the typed parse says what is wrong
    };
    if let Some(value) = entry(alerts, "threshold") {
        settings.default = Some(amount(text, "[alerts] threshold", value)?);
    }
    let Some(table) = entry(alerts, "thresholds") else {
        return Ok(settings);
    };
    let DeValue::Table(table) = table.get_ref() else {
        return Err(format!(
            "{}: [alerts] thresholds must be a table of currency = amount, for example [alerts.thresholds] USD = 100",
            place(text, table.span().start)
        ));
    };
    for (key, value) in table {
        let name = format!("[alerts.thresholds] {}", key.get_ref());
        let currency = crate::domain::money::Currency::parse(key.get_ref())
            .ok()
            .filter(|currency| currency.code() == key.get_ref().as_ref())
            .ok_or_else(|| {
                format!(
                    "{}: {name}: not an ISO currency code: write it in capitals, for example USD or CAD",
                    place(text, key.span().start)
                )
            })?;
        settings
            .per_currency
            .insert(currency.code().to_string(), amount(text, &name, value)?);
    }
    Ok(settings)
}

fn entry<'a, 'i>(table: &'a DeTable<'i>, name: &str) -> Option<&'a Spanned<DeValue<'i>>> {
    table
        .iter()
        .find(|(key, _)| key.get_ref().as_ref() == name)
        .map(|(_, value)| value)
}

/// One amount, exactly as written.
fn amount(text: &str, key: &str, value: &Spanned<DeValue<'_>>) -> Result<Decimal, String> {
    let at = place(text, value.span().start);
    let refuse = |why: &str| format!("{at}: {key}: {why}");
    let written = match value.get_ref() {
        DeValue::Integer(integer) if integer.radix() == 10 => integer.as_str().to_string(),
        DeValue::Integer(_) => return Err(refuse("write the amount in decimal digits")),
        DeValue::Float(float) => float.as_str().to_string(),
        DeValue::String(string) => string.trim().to_string(),
        _ => return Err(refuse("expected an amount such as 100 or 99.50")),
    };
    if written.contains(',') {
        return Err(refuse(&format!(
            "'{written}' is ambiguous (thousands separator or decimal comma?): write it with a dot and no separators, for example 1000 or 99.50"
        )));
    }
    let plain = written
        .chars()
        .all(|character| character.is_ascii_digit() || character == '.' || character == '-')
        && written.chars().any(|character| character.is_ascii_digit());
    let parsed = plain
        .then(|| Decimal::from_str_exact(&written).ok())
        .flatten()
        .ok_or_else(|| {
            refuse(&format!(
                "'{written}' is not a plain decimal amount: write it like 100 or 99.50 (no exponent, inf or nan)"
            ))
        })?;
    if parsed.is_sign_negative() {
        return Err(refuse("a threshold is 0 or more"));
    }
    Ok(parsed)
}

/// `line N, column M` of a byte offset, as TOML's own errors give it.
fn place(text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count().saturating_add(1);
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |last| last.chars().count())
        .saturating_add(1);
    format!("line {line}, column {column}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn amounts_keep_every_digit_as_written() {
        let settings = read(
            "[alerts]\nthreshold = 100.10\n\n[alerts.thresholds]\nUSD = 100\nCAD = \"150.25\"\nEUR = 0.1\n",
        )
        .expect("valid");
        assert_eq!(settings.default, Some(dec!(100.10)));
        assert_eq!(
            settings.default.map(|d| d.to_string()).as_deref(),
            Some("100.10")
        );
        assert_eq!(settings.per_currency["USD"], dec!(100));
        assert_eq!(settings.per_currency["CAD"], dec!(150.25));
        assert_eq!(settings.per_currency["EUR"], dec!(0.1));
    }

    #[test]
    fn an_ambiguous_amount_is_refused_with_its_key_and_place() {
        for (text, key, place) in [
            (
                "[alerts.thresholds]\nUSD = \"1,000\"\n",
                "[alerts.thresholds] USD",
                "line 2, column 7",
            ),
            (
                "[alerts]\nthreshold = 1e2\n",
                "[alerts] threshold",
                "line 2, column 13",
            ),
            ("[alerts]\nthreshold = -5\n", "[alerts] threshold", "line 2"),
            (
                "[alerts]\nthreshold = 0x10\n",
                "[alerts] threshold",
                "line 2",
            ),
            (
                "[alerts]\nthreshold = nan\n",
                "[alerts] threshold",
                "line 2",
            ),
            (
                "[alerts.thresholds]\nusd = 100\n",
                "[alerts.thresholds] usd",
                "line 2, column 1",
            ),
        ] {
            let message = read(text).expect_err(text);
            assert!(message.contains(key), "{text}: {message}");
            assert!(message.contains(place), "{text}: {message}");
        }
    }

    #[test]
    fn no_alerts_table_means_no_thresholds() {
        assert_eq!(
            read("[smtp]\nhost = \"x\"\n"),
            Ok(ThresholdSettings::default())
        );
    }
}
