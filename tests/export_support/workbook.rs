//! An XLSX report read back by readers billgap does not write with: `calamine` for the sheets,
//! their cells and their types, and the `zip` crate for the few parts calamine does not expose
//! (the number format of a cell, frozen panes, autofilters, column widths).

use calamine::{Data, Reader};
use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read};

/// A workbook read back.
pub struct Book {
    workbook: calamine::Xlsx<Cursor<Vec<u8>>>,
    parts: BTreeMap<String, String>,
}

impl Book {
    /// Reads an XLSX file's bytes.
    pub fn read(bytes: &[u8]) -> Book {
        let workbook =
            calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("an XLSX workbook");
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip archive");
        let mut parts = BTreeMap::new();
        for index in 0..archive.len() {
            let mut member = archive.by_index(index).expect("member");
            if member.name().ends_with(".xml") {
                let mut text = String::new();
                member.read_to_string(&mut text).expect("utf-8 XML");
                parts.insert(member.name().to_string(), text);
            }
        }
        Book { workbook, parts }
    }

    /// The sheets' names, in tab order.
    pub fn sheet_names(&self) -> Vec<String> {
        self.workbook.sheet_names()
    }

    /// A sheet's cells, by (row, column) from A1 = (0, 0).
    pub fn range(&mut self, sheet: &str) -> calamine::Range<Data> {
        self.workbook
            .worksheet_range(sheet)
            .unwrap_or_else(|error| panic!("sheet {sheet}: {error}"))
    }

    /// Every formula of a sheet that has one.
    pub fn formulas(&mut self, sheet: &str) -> Vec<String> {
        self.workbook
            .worksheet_formula(sheet)
            .unwrap_or_else(|error| panic!("formulas of {sheet}: {error}"))
            .used_cells()
            .map(|(_, _, formula)| formula.clone())
            .filter(|formula| !formula.is_empty())
            .collect()
    }

    /// The rows of a list sheet below its header, each keyed by header text; empty cells left
    /// out.
    pub fn records(&mut self, sheet: &str) -> Vec<BTreeMap<String, Data>> {
        let range = self.range(sheet);
        let mut rows = range.rows();
        let header: Vec<String> = rows
            .next()
            .expect("a header row")
            .iter()
            .map(|cell| match cell {
                Data::String(name) => name.clone(),
                other => panic!("header cell {other:?}"),
            })
            .collect();
        rows.map(|row| {
            header
                .iter()
                .zip(row)
                .filter(|(_, cell)| !matches!(cell, Data::Empty))
                .map(|(name, cell)| (name.clone(), cell.clone()))
                .collect()
        })
        .collect()
    }

    /// The XML of a sheet by its name (rust_xlsxwriter numbers the sheet files in tab order).
    pub fn sheet_xml(&self, sheet: &str) -> &str {
        let index = self
            .sheet_names()
            .iter()
            .position(|name| name == sheet)
            .unwrap_or_else(|| panic!("sheet {sheet}"));
        &self.parts[&format!("xl/worksheets/sheet{}.xml", index + 1)]
    }

    /// The number format code of a cell ("General" when it has none), from the workbook's
    /// styles: `row` and `column` from A1 = (0, 0).
    pub fn number_format(&self, sheet: &str, row: u32, column: u32) -> String {
        let reference = format!("{}{}", column_letters(column), row + 1);
        let cell = xml::elements(self.sheet_xml(sheet), "c")
            .into_iter()
            .find(|cell| xml::attribute(cell, "r").as_deref() == Some(reference.as_str()))
            .unwrap_or_else(|| panic!("cell {reference} of {sheet}"));
        let style: usize = xml::attribute(cell, "s").map_or(0, |s| s.parse().expect("style"));
        let styles = &self.parts["xl/styles.xml"];
        let custom: HashMap<String, String> = xml::elements(styles, "numFmt")
            .into_iter()
            .filter_map(|format| {
                Some((
                    xml::attribute(format, "numFmtId")?,
                    xml::attribute(format, "formatCode")?,
                ))
            })
            .collect();
        let cell_styles = xml::elements(styles, "cellXfs")
            .into_iter()
            .next()
            .expect("cellXfs");
        let format = xml::elements(cell_styles, "xf")
            .into_iter()
            .nth(style)
            .and_then(|style| xml::attribute(style, "numFmtId"))
            .unwrap_or_else(|| "0".into());
        match custom.get(&format) {
            Some(code) => code.clone(),
            None if format == "0" => "General".to_string(),
            None => format!("builtin {format}"),
        }
    }

    /// The position (row, column) of the first cell of a sheet holding `text`.
    pub fn find(&mut self, sheet: &str, text: &str) -> (u32, u32) {
        self.range(sheet)
            .used_cells()
            .find(|(_, _, cell)| matches!(cell, Data::String(found) if found == text))
            .map(|(row, column, _)| (row as u32, column as u32))
            .unwrap_or_else(|| panic!("{text} in {sheet}"))
    }
}

/// Column letters of a zero-based column: 0 → A, 26 → AA.
pub fn column_letters(column: u32) -> String {
    let mut letters = Vec::new();
    let mut rest = column + 1;
    while rest > 0 {
        let digit = (rest - 1) % 26;
        letters.push(char::from(b'A' + digit as u8));
        rest = (rest - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// The Excel serial number of a day (days since 1899-12-30).
pub fn excel_serial(day: chrono::NaiveDate) -> f64 {
    (day - chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("epoch")).num_days() as f64
}

/// Just enough of XML to find a style or a sheet setting in the parts rust_xlsxwriter writes.
pub mod xml {
    /// Each `<tag …>…</tag>` or `<tag …/>` element, whole, in document order.
    pub fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
        let open = format!("<{tag}");
        let close = format!("</{tag}>");
        let mut found = Vec::new();
        let mut rest = xml;
        while let Some(start) = rest.find(&open) {
            let after = &rest[start + open.len()..];
            // `<c` must not match `<cols`: the tag name ends at a space, `>` or `/`.
            if !after.starts_with([' ', '>', '/']) {
                rest = after;
                continue;
            }
            let head_end = after.find('>').expect("tag end");
            let end = if after[..head_end].ends_with('/') {
                start + open.len() + head_end + 1
            } else {
                start + open.len() + after.find(&close).expect("closing tag") + close.len()
            };
            found.push(&rest[start..end]);
            rest = &rest[end..];
        }
        found
    }

    /// An attribute of an element's opening tag, unescaped.
    pub fn attribute(element: &str, name: &str) -> Option<String> {
        let head = &element[..element.find('>').unwrap_or(element.len())];
        let key = format!(" {name}=\"");
        let start = head.find(&key)? + key.len();
        let end = head[start..].find('"')? + start;
        Some(
            head[start..end]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&"),
        )
    }
}
