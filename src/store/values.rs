//! How values are stored as text: timestamps and exact decimals.

use super::error::StoreError;

/// The current time as RFC 3339 UTC text, the format every timestamp is stored in.
pub(super) fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Reads a stored decimal, naming the column when the text is not a number.
pub(super) fn decimal_from(
    column: &'static str,
    text: &str,
) -> Result<rust_decimal::Decimal, StoreError> {
    text.parse().map_err(|_| StoreError::Corrupt {
        column,
        value: text.to_string(),
    })
}
