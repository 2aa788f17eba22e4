//! API JSON to a table: the records of a list response, flattened to named text cells.
//!
//! Partner Center answers `{"items":[…]}`, Pax8 `{"content":[…],"page":{…}}`, Autotask
//! `{"items":[…],"pageDetails":{…}}`, Halo `{"invoices":[{…,"lines":[…]}]}` and ConnectWise a
//! bare array. Each record becomes one row whose headers are its field paths
//! (`company.identifier`), so the CSV machinery and the profiles apply unchanged.
//!
//! The document is walked as raw text (serde_json's `RawValue`), never as `serde_json::Value`:
//! a `Value` number is an `f64` unless the whole crate graph turns on `arbitrary_precision`, and
//! `99999999999999999999` or `0.1 + 0.2`-style prices must reach `Decimal` as written. Walking
//! the raw text also gives every record and cell its line and column in the file, so a bad
//! cell is reported where it is, and a key written twice in one object is an error rather than
//! "the last one wins". API pulls are paged and small, so the document is held whole.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;

/// A 1-based line and column in the document.
pub type Position = (u64, u64);

/// One record as a row: its line, and each header's cell with where it is.
#[derive(Debug, Default)]
pub struct JsonRow {
    /// The line of the record's opening brace.
    pub line: u64,
    /// One cell per header; absent fields are empty.
    pub cells: Vec<String>,
    /// Where each cell's value is, when the record has it.
    pub positions: Vec<Option<Position>>,
    /// Which file each cell was written in, for a table joined with beside files: 0 is the
    /// file itself, `i` the `i`-th beside file. Empty when every cell is the file's own.
    pub origins: Vec<usize>,
}

/// The header and rows of a JSON document.
#[derive(Debug, Default)]
pub struct JsonTable {
    /// Every field path seen, in first-seen order.
    pub headers: Vec<String>,
    /// One row per record, in document order.
    pub rows: Vec<JsonRow>,
}

/// Why a document cannot be read as records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonProblem {
    /// Where.
    pub position: Position,
    /// What was expected.
    pub expected: String,
    /// What was found.
    pub found: String,
}

/// Keys under which list responses keep their records, in the order they are tried.
const LIST_KEYS: [&str; 9] = [
    "items",
    "content",
    "invoices",
    "charges",
    "schedules",
    "value",
    "data",
    "results",
    "records",
];

/// The fields of one object, in order, each with its raw value.
struct Fields<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Fields<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for FieldsVisitor<'a> {
            type Value = Fields<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Fields<'a>, M::Error> {
                let mut fields: Vec<(String, &'a RawValue)> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if fields.iter().any(|(seen, _)| *seen == key) {
                        return Err(serde::de::Error::custom(format!(
                            "the key {key:?} twice in one object"
                        )));
                    }
                    let value: &'a RawValue = map.next_value()?;
                    fields.push((key, value));
                }
                Ok(Fields(fields))
            }
        }
        deserializer.deserialize_map(FieldsVisitor(std::marker::PhantomData))
    }
}

/// A raw value, read one level deep.
enum Node<'a> {
    Object(Vec<(String, &'a RawValue)>),
    Array(Vec<&'a RawValue>),
    /// A string, number, boolean or null as its cell text.
    Scalar(String),
}

/// Walks one document, keeping the text to turn slices back into positions.
struct Walker<'a> {
    text: &'a str,
    /// Byte offsets of the line starts.
    line_starts: Vec<usize>,
}

impl<'a> Walker<'a> {
    fn position(&self, raw: &RawValue) -> Position {
        let offset = (raw.get().as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize);
        let line = self
            .line_starts
            .partition_point(|start| *start <= offset)
            .max(1);
        let start = self
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |prefix| prefix.chars().count());
        (line as u64, (column as u64).saturating_add(1))
    }

    fn problem(&self, raw: &RawValue, expected: &str, error: serde_json::Error) -> JsonProblem {
        let (line, column) = self.position(raw);
        // serde_json counts inside the value; the value starts at `line:column`.
        let position = if error.line() <= 1 {
            (
                line,
                column
                    .saturating_add(error.column() as u64)
                    .saturating_sub(1),
            )
        } else {
            (
                line.saturating_add(error.line() as u64).saturating_sub(1),
                error.column() as u64,
            )
        };
        JsonProblem {
            position,
            expected: expected.to_string(),
            found: error.to_string(),
        }
    }

    fn node(&self, raw: &'a RawValue) -> Result<Node<'a>, JsonProblem> {
        let text = raw.get();
        match text.as_bytes().first() {
            Some(b'{') => serde_json::from_str::<Fields<'a>>(text)
                .map(|fields| Node::Object(fields.0))
                .map_err(|error| self.problem(raw, "an object with distinct keys", error)),
            Some(b'[') => serde_json::from_str::<Vec<&'a RawValue>>(text)
                .map(Node::Array)
                .map_err(|error| self.problem(raw, "an array", error)),
            Some(b'"') => serde_json::from_str::<String>(text)
                .map(Node::Scalar)
                .map_err(|error| self.problem(raw, "a string", error)),
            Some(b'n') => Ok(Node::Scalar(String::new())),
            // Numbers keep the digits as written; booleans are `true` or `false`.
            _ => Ok(Node::Scalar(text.to_string())),
        }
    }

    /// Adds the cells of `raw` under `prefix`.
    fn flatten_into(
        &self,
        prefix: &str,
        raw: &'a RawValue,
        cells: &mut Vec<(String, String, Position)>,
    ) -> Result<(), JsonProblem> {
        match self.node(raw)? {
            Node::Object(fields) => {
                for (key, inner) in fields {
                    let path = if prefix.is_empty() {
                        key
                    } else {
                        format!("{prefix}.{key}")
                    };
                    self.flatten_into(&path, inner, cells)?;
                }
            }
            // Arrays such as productQualifiers keep their JSON text, as the CSV cell does.
            Node::Array(_) => cells.push((prefix.to_string(), compact(raw), self.position(raw))),
            Node::Scalar(text) => cells.push((prefix.to_string(), text, self.position(raw))),
        }
        Ok(())
    }
}

/// An array's JSON text without the layout whitespace, as a CSV export writes it.
fn compact(raw: &RawValue) -> String {
    let mut text = String::with_capacity(raw.get().len());
    let mut in_string = false;
    let mut escaped = false;
    for character in raw.get().chars() {
        if in_string {
            text.push(character);
            match (escaped, character) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if character == '"' {
            in_string = true;
            text.push(character);
        } else if !character.is_whitespace() {
            text.push(character);
        }
    }
    text
}

/// Reads a whole document; `Ok(None)` when it holds no list of objects.
pub fn read_document(text: &str) -> Result<Option<JsonTable>, JsonProblem> {
    let mut line_starts = vec![0];
    line_starts.extend(
        text.bytes()
            .enumerate()
            .filter(|(_, byte)| *byte == b'\n')
            .map(|(index, _)| index.saturating_add(1)),
    );
    let root: &RawValue = serde_json::from_str(text).map_err(|error| JsonProblem {
        position: (error.line() as u64, error.column() as u64),
        expected: "valid JSON".to_string(),
        found: error.to_string(),
    })?;
    let walker = Walker { text, line_starts };
    let records = match walker.node(root)? {
        Node::Array(records) => records,
        Node::Object(fields) => {
            let is_list = |raw: &RawValue| raw.get().starts_with('[');
            let by_name = LIST_KEYS.iter().find_map(|key| {
                fields
                    .iter()
                    .find(|(name, raw)| name == key && is_list(raw))
            });
            let chosen = match by_name {
                Some((_, raw)) => Some(*raw),
                None => {
                    let mut found = None;
                    for (_, raw) in &fields {
                        if let Node::Array(items) = walker.node(raw)? {
                            if items.iter().any(|item| item.get().starts_with('{')) {
                                found = Some(*raw);
                                break;
                            }
                        }
                    }
                    found
                }
            };
            match chosen.map(|raw| walker.node(raw)).transpose()? {
                Some(Node::Array(records)) => records,
                _ => return Ok(None),
            }
        }
        Node::Scalar(_) => return Ok(None),
    };
    let mut flat: Vec<FlatRecord> = Vec::new();
    for record in records {
        let Node::Object(fields) = walker.node(record)? else {
            continue;
        };
        let line = walker.position(record).0;
        flat.extend(explode_lines(&walker, fields, line)?);
    }
    let mut table = JsonTable::default();
    let mut index = std::collections::HashMap::new();
    for (_, record) in &flat {
        for (key, _, _) in record {
            if !index.contains_key(key) {
                index.insert(key.clone(), table.headers.len());
                table.headers.push(key.clone());
            }
        }
    }
    for (line, record) in flat {
        let mut row = JsonRow {
            line,
            cells: vec![String::new(); table.headers.len()],
            positions: vec![None; table.headers.len()],
            origins: Vec::new(),
        };
        for (key, value, position) in record {
            if let Some(column) = index.get(&key).copied() {
                if let (Some(cell), Some(slot)) =
                    (row.cells.get_mut(column), row.positions.get_mut(column))
                {
                    *cell = value;
                    *slot = Some(position);
                }
            }
        }
        table.rows.push(row);
    }
    Ok(Some(table))
}

type FlatRecord = (u64, Vec<(String, String, Position)>);

/// A record with a `lines` array of objects (a Halo invoice) becomes one record per line, each
/// carrying the header's fields that the line does not have itself, except the header's `id`:
/// that names the invoice or schedule, and a line without an id of its own must not seem to
/// have one.
fn explode_lines<'a>(
    walker: &Walker<'a>,
    fields: Vec<(String, &'a RawValue)>,
    line: u64,
) -> Result<Vec<FlatRecord>, JsonProblem> {
    let mut lines_raw = None;
    let mut parent = Vec::new();
    for (key, raw) in fields {
        if key == "lines" && lines_raw.is_none() {
            if let Node::Array(items) = walker.node(raw)? {
                if items.iter().any(|item| item.get().starts_with('{')) {
                    lines_raw = Some(items);
                    continue;
                }
            }
        }
        walker.flatten_into(&key, raw, &mut parent)?;
    }
    let Some(items) = lines_raw else {
        return Ok(vec![(line, parent)]);
    };
    let mut records = Vec::new();
    for item in items {
        if !item.get().starts_with('{') {
            continue;
        }
        let mut cells = Vec::new();
        walker.flatten_into("", item, &mut cells)?;
        for (key, value, position) in &parent {
            if key != "id" && !cells.iter().any(|(own, _, _)| own == key) {
                cells.push((key.clone(), value.clone(), *position));
            }
        }
        records.push((walker.position(item).0, cells));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell<'t>(table: &'t JsonTable, row: usize, name: &str) -> &'t str {
        let column = table
            .headers
            .iter()
            .position(|h| h == name)
            .expect("header");
        &table.rows[row].cells[column]
    }

    #[test]
    fn nested_records_flatten_and_lines_inherit_their_header() {
        let document = r#"{"invoices": [{"client_id": 7, "currency_code": "EUR",
            "lines": [{"item_code": "M365", "qty_order": "3"}, {"item_code": "AV", "qty_order": 2}]}]}"#;
        let table = read_document(document).expect("reads").expect("a list");
        assert_eq!(table.rows.len(), 2);
        assert_eq!(cell(&table, 1, "client_id"), "7");
        assert_eq!(cell(&table, 1, "qty_order"), "2");
        assert_eq!(table.rows[1].line, 2);
        let addition = r#"[{"company": {"identifier": "ACME"}, "tags": ["a", "b"]}]"#;
        let table = read_document(addition).expect("reads").expect("a list");
        assert_eq!(table.headers, ["company.identifier", "tags"]);
        assert_eq!(table.rows[0].cells, ["ACME", "[\"a\",\"b\"]"]);
    }

    #[test]
    fn numbers_keep_their_digits_and_cells_their_place() {
        let document = "{\"items\": [\n  {\"quantity\": 99999999999999999999,\n   \"price\": 0.1000000000000000055511151231257827}\n]}";
        let table = read_document(document).expect("reads").expect("a list");
        assert_eq!(cell(&table, 0, "quantity"), "99999999999999999999");
        assert_eq!(
            cell(&table, 0, "price"),
            "0.1000000000000000055511151231257827"
        );
        assert_eq!(table.rows[0].line, 2);
        assert_eq!(table.rows[0].positions[1], Some((3, 13)));
    }

    #[test]
    fn a_key_written_twice_is_refused_where_it_is() {
        let document = "[\n {\"quantity\": 1,\n  \"quantity\": 999}\n]";
        let problem = read_document(document).expect_err("duplicate key");
        assert_eq!(problem.position.0, 3, "{problem:?}");
        assert!(problem.found.contains("twice"), "{problem:?}");
    }
}
