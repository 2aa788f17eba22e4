//! Two saved reviews of the sample, a corrected PSA export between them: one gap fixed, one
//! new, one worse, and every format (CSV, JSON, Markdown, XLSX, HTML) puts each in the same
//! section, with the same counts.

#[allow(dead_code)]
mod export_support;

use billgap::domain::report::Report;
use billgap::export::{ExportFormat, write_report};
use calamine::Data;
use export_support::workbook::Book;

/// (company key, product key, section) of the three gaps that moved between the reviews.
const MOVED: [(&str, &str, &str); 3] = [
    ("ContosoDen", "M365-BP-M", "new"),
    ("Kowalski", "SEC-EDR", "worse"),
    ("SmithAssoc", "M365-BP-M", "fixed"),
];

/// A gap that did not move: Meridian is still overbilled.
const STILL_OPEN: (&str, &str) = ("Meridian", "M365-BS-M");

fn bytes(report: &Report, format: ExportFormat) -> Vec<u8> {
    let mut out = Vec::new();
    write_report(report, format, &mut out).expect("report");
    out
}

fn report() -> std::sync::Arc<Report> {
    let folder = tempfile::tempdir().expect("temp");
    export_support::second_review(folder.path())
}

/// The client name of a company in the report, current or fixed.
fn name(report: &Report, company: &str) -> String {
    report
        .gaps
        .iter()
        .map(|tracked| (&tracked.gap.company.key, &tracked.gap.company_name))
        .chain(
            report
                .resolved
                .iter()
                .map(|prior| (&prior.identity.company.key, &prior.company_name)),
        )
        .find(|(key, _)| *key == company)
        .map(|(_, name)| name.clone())
        .unwrap_or_else(|| panic!("{company} in the report"))
}

#[test]
fn the_csv_puts_each_gap_in_its_section() {
    let report = report();
    let csv = bytes(&report, ExportFormat::Csv);
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let headers = reader.headers().expect("headers").clone();
    let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let rows: Vec<csv::StringRecord> = reader.records().map(|row| row.expect("row")).collect();
    let section_of = |company: &str, product: &str| -> Vec<String> {
        rows.iter()
            .filter(|row| {
                &row[column("company_id")] == company && &row[column("product_id")] == product
            })
            .map(|row| row[column("section")].to_string())
            .collect()
    };
    for (company, product, section) in MOVED {
        assert_eq!(section_of(company, product), [section], "{company}");
    }
    assert_eq!(section_of(STILL_OPEN.0, STILL_OPEN.1), ["still open"]);
    for section in ["new", "worse", "fixed"] {
        let count = rows
            .iter()
            .filter(|row| &row[column("section")] == section)
            .count();
        assert_eq!(count, 1, "{section}");
    }
}

#[test]
fn the_json_carries_the_statuses_and_the_resolved_gap() {
    let report = report();
    let json: serde_json::Value =
        serde_json::from_slice(&bytes(&report, ExportFormat::Json)).expect("json");
    let status = |company: &str, product: &str| -> Vec<String> {
        json["gaps"]
            .as_array()
            .expect("gaps")
            .iter()
            .filter(|gap| {
                gap["gap"]["company"]["key"] == company && gap["gap"]["product"]["key"] == product
            })
            .map(|gap| gap["status"].as_str().expect("status").to_string())
            .collect()
    };
    assert_eq!(status("ContosoDen", "M365-BP-M"), ["new"]);
    assert_eq!(status("Kowalski", "SEC-EDR"), ["worse"]);
    assert_eq!(status("SmithAssoc", "M365-BP-M"), Vec::<String>::new());
    assert_eq!(status(STILL_OPEN.0, STILL_OPEN.1), ["unchanged"]);
    let resolved: Vec<(&str, &str)> = json["resolved"]
        .as_array()
        .expect("resolved")
        .iter()
        .map(|gap| {
            (
                gap["identity"]["company"]["key"].as_str().expect("key"),
                gap["identity"]["product"]["key"].as_str().expect("key"),
            )
        })
        .collect();
    assert_eq!(resolved, [("SmithAssoc", "M365-BP-M")]);
}

/// The text of a Markdown section, from its heading to the next one.
fn markdown_section<'a>(text: &'a str, heading: &str) -> &'a str {
    let start = text.find(heading).unwrap_or_else(|| panic!("{heading}"));
    let rest = &text[start + heading.len()..];
    &rest[..rest.find("\n## ").unwrap_or(rest.len())]
}

#[test]
fn the_markdown_lists_each_gap_under_its_heading() {
    let report = report();
    let text = String::from_utf8(bytes(&report, ExportFormat::Md)).expect("utf-8");
    for (company, _, section) in MOVED {
        let heading = match section {
            "new" => "## New since the previous saved review (1)",
            "worse" => "## Worse since the previous saved review (1)",
            _ => "## Fixed since the previous saved review (1)",
        };
        let name = name(&report, company).replace('&', "\\&");
        let part = markdown_section(&text, heading);
        assert!(
            part.contains(&format!("| {name} |")),
            "{name} under {heading}:\n{part}"
        );
    }
    let smith = name(&report, "SmithAssoc").replace('&', "\\&");
    let still_open = markdown_section(&text, "## Still open");
    assert!(
        !still_open.contains(&smith),
        "a fixed gap is not still open"
    );
}

#[test]
fn the_workbook_has_each_gap_in_its_section_and_the_fixed_one_on_its_sheet() {
    let report = report();
    let mut book = Book::read(&bytes(&report, ExportFormat::Xlsx));
    let gaps = book.records("Gaps");
    let section_of = |company: &str, product: &str| -> Vec<Data> {
        gaps.iter()
            .filter(|row| {
                row["Client ID"] == Data::String(company.into())
                    && row["Product ID"] == Data::String(product.into())
            })
            .map(|row| row["Section"].clone())
            .collect()
    };
    for (company, product, section) in &MOVED[..2] {
        assert_eq!(
            section_of(company, product),
            [Data::String((*section).into())]
        );
    }
    assert_eq!(section_of("SmithAssoc", "M365-BP-M"), Vec::<Data>::new());
    let fixed = book.records("Fixed");
    assert_eq!(fixed.len(), 1);
    assert_eq!(fixed[0]["Client ID"], Data::String("SmithAssoc".into()));
    assert_eq!(fixed[0]["Value / month then"], Data::Float(60.0));
}

#[test]
fn the_html_page_has_each_gap_in_its_section() {
    let report = report();
    let page = String::from_utf8(bytes(&report, ExportFormat::Html)).expect("utf-8");
    for (company, _, section) in MOVED {
        let start = page
            .find(&format!("<section id=\"{section}\" data-count=\"1\">"))
            .unwrap_or_else(|| panic!("one gap in {section}"));
        let part = &page[start..start + page[start..].find("</section>").expect("end")];
        let name = billgap::export::html::escape(&name(&report, company));
        assert!(
            part.contains(&format!("<td>{name}</td>")),
            "{name} in {section}"
        );
    }
}
