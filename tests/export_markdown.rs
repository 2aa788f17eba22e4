//! The Markdown report carries the same four delta sections as every other format, each with
//! its count and its money per currency, and the money at stake.

#[allow(dead_code)]
mod export_support;

use billgap::export::{ExportFormat, write_report};

fn markdown(report: &billgap::domain::report::Report) -> String {
    let mut bytes = Vec::new();
    write_report(report, ExportFormat::Md, &mut bytes).expect("md");
    String::from_utf8(bytes).expect("utf-8")
}

#[test]
fn the_four_sections_have_their_counts_and_money() {
    let text = markdown(&export_support::delta_report());
    for heading in [
        "## New since the previous saved review (1)",
        "## Worse since the previous saved review (1)",
        "## Still open (2)",
        "## Fixed since the previous saved review (1)",
    ] {
        assert!(text.contains(heading), "{heading}\n{text}");
    }
    assert!(text.contains("| New since the previous saved review | 1 | 50.00 USD a month |"));
    assert!(text.contains("| Still open | 2 | 7.50 CAD + 38.00 USD a month |"));
    assert!(text.contains("| Fixed since the previous saved review | 1 | 20.00 USD a month |"));
    assert!(
        text.contains("| USD | 110.00 | 38.00 | 148.00 | 1776.00 |"),
        "{text}"
    );
    assert!(
        text.contains("| CAD | 7.50 | 0.00 | 7.50 | 90.00 |"),
        "{text}"
    );
    assert!(
        text.contains("| Fixed Co | Microsoft 365 Business Premium | monthly | unbilled | 20.00 USD | 2026-10-01 | 2026-11-18 | 100.00 USD |"),
        "{text}"
    );
    let still_open = &text[text.find("## Still open").expect("still open")..];
    assert!(
        still_open.contains("| 2026-10-01 | 55 | 101.75 CAD | unchanged |"),
        "{still_open}"
    );
    // Coverage comes first, before any money.
    assert!(text.find("Coverage:") < text.find("## Money at stake"));
}

#[test]
fn without_a_saved_review_the_report_says_so() {
    let mut report = export_support::delta_report();
    report.has_previous_run = false;
    let text = markdown(&report);
    assert!(text.contains("No saved review to compare with yet"));
}

#[test]
fn a_name_cannot_break_the_table() {
    let text = markdown(&export_support::delta_report());
    assert!(!text.replace("\\<", "").contains('<'), "no raw HTML");
    assert!(
        text.contains("| \\<img src=x onerror=alert(1)\\> |"),
        "{text}"
    );
    let worse = &text[text.find("## Worse").expect("worse")..];
    let row = worse
        .lines()
        .find(|line| line.starts_with("| =1+2 |"))
        .expect("the formula client's row");
    assert_eq!(row.matches(" | ").count(), 12, "{row}");
}
