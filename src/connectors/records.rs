//! API records to lines, through the same format profile and seat rule as an import of the
//! same source's export.
//!
//! A connector joins what the API spreads over several calls (a Pax8 subscription gets its
//! product's `sku` and its company's name; a ConnectWise addition gets its agreement's company)
//! into records with the API's own field names, then hands them to the importer's JSON reader
//! under the source's profile. So a pulled record has exactly the key, seats, term and money of
//! the same record imported from a file, and a mapping confirmed on a CSV import carries over.

use crate::domain::lines::{Line, Period};
use crate::domain::money::Currency;
use crate::import::ImportOptions;
use serde_json::Value;

/// Reads records as the importer reads the same source's API JSON export.
///
/// `format` is the profile's JSON name (`pax8-json`); `period` files the lines under the month
/// of the snapshot; `currency` is used for records that carry none. Returns the lines and
/// the slice the profile names (as an import of the same records would file them). Fails with
/// the record number and the field when a record cannot be read.
pub fn lines_of(
    source: &str,
    format: &str,
    records: &[Value],
    period: Period,
    currency: Option<Currency>,
) -> Result<Read, String> {
    lines_joined(source, format, records, &[], period, currency)
}

/// [`lines_of`] for records that name no company, joined with the records beside them
/// exactly as `billgap import FILE --with BESIDE` joins the same answers saved to files (the
/// ConnectWise agreements of the additions; the Autotask contracts, companies and services of
/// the service units). Each beside list is named for its errors (`agreements`).
pub fn lines_joined(
    source: &str,
    format: &str,
    records: &[Value],
    beside: &[(&str, &[Value])],
    period: Period,
    currency: Option<Currency>,
) -> Result<Read, String> {
    if records.is_empty() {
        // Nothing to read; the caller refuses an empty pull in its own words.
        return Ok(Read::default());
    }
    let folder = tempfile::tempdir()
        .map_err(|error| format!("cannot create a temporary folder: {error}"))?;
    let write = |name: String, records: &[Value]| -> Result<std::path::PathBuf, String> {
        let path = folder.path().join(name);
        // One record to a line, so that an error's line is the record's number.
        let mut document = b"[".to_vec();
        for (number, record) in records.iter().enumerate() {
            if number > 0 {
                document.extend_from_slice(b",\n");
            }
            serde_json::to_writer(&mut document, record).map_err(|error| error.to_string())?;
        }
        document.push(b']');
        std::fs::write(&path, document)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
        Ok(path)
    };
    // The importer reads files; the name shows in its errors as "<source>-pull.json:<record>".
    let path = write(format!("{source}-pull.json"), records)?;
    // An empty answer is no file: the join then says what is missing (no contracts), or
    // names by id as it does without a names file (no companies or services readable).
    let with = beside
        .iter()
        .filter(|(_, records)| !records.is_empty())
        .map(|(name, records)| write(format!("{source}-{name}.json"), records))
        .collect::<Result<Vec<_>, _>>()?;
    let options = ImportOptions {
        format: Some(format.to_string()),
        period: Some(period),
        currency,
        with,
        ..ImportOptions::default()
    };
    let mut lines: Vec<Line> = Vec::new();
    let summary = crate::import::parse_file(&path, &options, &mut lines, &mut |_| {})
        .map_err(|error| format!("{error} (line N is the N-th record pulled)"))?;
    Ok(Read {
        lines,
        slice: Some(summary.source.slice),
    })
}

/// What reading the records gave.
#[derive(Debug, Clone, Default)]
pub struct Read {
    /// The lines.
    pub lines: Vec<Line>,
    /// The slice of the period, as the import profile names it.
    pub slice: Option<String>,
}

/// A text field of a JSON object, numbers included as their exact text.
pub fn text_of(record: &Value, field: &str) -> Option<String> {
    match record.get(field)? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// A field of a JSON object whatever the case of its name: Autotask's specification spells
/// fields `ContractID` and its answers `contractID`.
pub fn field<'v>(record: &'v Value, name: &str) -> Option<&'v Value> {
    let object = record.as_object()?;
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    })
}

/// [`text_of`] whatever the case of the field's name.
pub fn text_any_case(record: &Value, name: &str) -> Option<String> {
    match field(record, name)? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}
