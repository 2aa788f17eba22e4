//! API JSON to a table: the records of a list response, flattened to named text cells.
//!
//! Partner Center answers `{"items":[…]}`, Pax8 `{"content":[…],"page":{…}}`, Autotask
//! `{"items":[…],"pageDetails":{…}}`, Halo `{"invoices":[{…,"lines":[…]}]}` and ConnectWise a
//! bare array. Each record becomes one row whose headers are its field paths
//! (`company.identifier`), so the CSV machinery and the profiles apply unchanged.
//! API pulls are paged and small, so the document is read whole.

use serde_json::{Map, Value};

/// The header and rows of a JSON document; row `i` is record `i + 1`.
#[derive(Debug, Default)]
pub struct JsonTable {
    /// Every field path seen, in first-seen order.
    pub headers: Vec<String>,
    /// One cell per header for every record; absent fields are empty.
    pub rows: Vec<Vec<String>>,
}

/// Keys under which list responses keep their records, in the order they are tried.
const LIST_KEYS: [&str; 7] = [
    "items", "content", "invoices", "value", "data", "results", "records",
];

/// Finds the records of a document and flattens them; `None` when it holds no list of objects.
pub fn flatten_document(document: Value) -> Option<JsonTable> {
    let records = match document {
        Value::Array(records) => records,
        Value::Object(mut object) => {
            let key = LIST_KEYS
                .iter()
                .find(|key| matches!(object.get(**key), Some(Value::Array(_))))
                .map(|key| key.to_string())
                .or_else(|| {
                    object
                        .iter()
                        .find(|(_, value)| matches!(value, Value::Array(items) if items.iter().any(Value::is_object)))
                        .map(|(key, _)| key.clone())
                })?;
            match object.remove(&key) {
                Some(Value::Array(records)) => records,
                _ => return None,
            }
        }
        _ => return None,
    };
    let mut flat_records: Vec<Vec<(String, String)>> = Vec::new();
    for record in records {
        let Value::Object(fields) = record else {
            continue;
        };
        flat_records.extend(explode_lines(fields));
    }
    let mut table = JsonTable::default();
    let mut index = std::collections::HashMap::new();
    for record in &flat_records {
        for (key, _) in record {
            if !index.contains_key(key) {
                index.insert(key.clone(), table.headers.len());
                table.headers.push(key.clone());
            }
        }
    }
    for record in flat_records {
        let mut row = vec![String::new(); table.headers.len()];
        for (key, value) in record {
            if let Some(position) = index.get(&key) {
                row[*position] = value;
            }
        }
        table.rows.push(row);
    }
    Some(table)
}

/// A record with a `lines` array of objects (a Halo invoice) becomes one record per line, each
/// carrying the header's fields that the line does not have itself.
fn explode_lines(mut fields: Map<String, Value>) -> Vec<Vec<(String, String)>> {
    let lines = match fields.get("lines") {
        Some(Value::Array(lines)) if lines.iter().any(Value::is_object) => fields.remove("lines"),
        _ => None,
    };
    let mut parent = Vec::new();
    flatten_into("", &Value::Object(fields), &mut parent);
    let Some(Value::Array(lines)) = lines else {
        return vec![parent];
    };
    lines
        .into_iter()
        .filter(Value::is_object)
        .map(|line| {
            let mut cells = Vec::new();
            flatten_into("", &line, &mut cells);
            for (key, value) in &parent {
                if !cells.iter().any(|(own, _)| own == key) {
                    cells.push((key.clone(), value.clone()));
                }
            }
            cells
        })
        .collect()
}

fn flatten_into(prefix: &str, value: &Value, cells: &mut Vec<(String, String)>) {
    match value {
        Value::Object(fields) => {
            for (key, inner) in fields {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten_into(&path, inner, cells);
            }
        }
        // Arrays such as productQualifiers keep their JSON text, as the CSV cell does.
        Value::Array(_) => cells.push((prefix.to_string(), value.to_string())),
        Value::String(text) => cells.push((prefix.to_string(), text.clone())),
        Value::Null => cells.push((prefix.to_string(), String::new())),
        Value::Bool(flag) => cells.push((prefix.to_string(), flag.to_string())),
        Value::Number(number) => cells.push((prefix.to_string(), number.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_records_flatten_and_lines_inherit_their_header() {
        let document = serde_json::json!({"invoices": [{"client_id": 7, "currency_code": "EUR",
            "lines": [{"item_code": "M365", "qty_order": "3"}, {"item_code": "AV", "qty_order": 2}]}]});
        let table = flatten_document(document).expect("a list");
        assert_eq!(table.rows.len(), 2);
        let column = |name: &str| {
            table
                .headers
                .iter()
                .position(|h| h == name)
                .expect("header")
        };
        assert_eq!(table.rows[1][column("client_id")], "7");
        assert_eq!(table.rows[1][column("qty_order")], "2");
        let addition = serde_json::json!([{"company": {"identifier": "ACME"}, "tags": ["a", "b"]}]);
        let table = flatten_document(addition).expect("a list");
        assert_eq!(table.headers, ["company.identifier", "tags"]);
        assert_eq!(table.rows[0], ["ACME", "[\"a\",\"b\"]"]);
    }
}
