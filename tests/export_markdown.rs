//! The Markdown report carries the same four delta sections as every other format, each with
//! its count and its money per currency, and the money at stake.

#[allow(dead_code)]
mod export_support;

use billgap::export::{ExportFormat, write_report};
use rust_decimal_macros::dec;

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

/// Names that try to restructure a Markdown table or carry live content into it: the kinds the
/// reliability review (F10) found, and their neighbours.
const HOSTILE_NAMES: [&str; 23] = [
    "Evil\\|Pipe|Name",
    "a|b|c",
    "Trailing backslash\\",
    "\\\\|double",
    "[click](javascript:alert(1))",
    "![t](http://evil.example/p.png)",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<http://evil.example/auto>",
    "Visit http://evil.example/x now",
    "or www.evil.example",
    "Mail billing@evil.example",
    "*bold* _it_ ~~gone~~",
    "`code` here",
    "&lt;b&gt; &amp; &#60;i&#62;",
    "Line\nbreak | with pipe",
    "[ref]: http://evil.example",
    "# Heading",
    "> quote",
    "- list item",
    "=1+2",
    "Esc \u{1b}[31mred",
    "Plain \"Quotes\" & 'apostrophes'",
];

/// A report whose clients, products, warnings and fixed gaps carry the hostile names.
fn hostile_report() -> billgap::domain::report::Report {
    use billgap::domain::ledger::track;
    use billgap::domain::reconcile::{GapKind, reconcile};
    let keys: Vec<String> = (0..HOSTILE_NAMES.len())
        .map(|i| format!("H{i:02}"))
        .collect();
    let lines: Vec<export_support::ClientLine> = keys
        .iter()
        .zip(HOSTILE_NAMES)
        .map(|(key, name)| (key.as_str(), name, "USD", dec!(5), dec!(3), dec!(10)))
        .collect();
    let (vendor, psa, mappings) = export_support::positions(&lines);
    let today = export_support::today();
    let result = reconcile(&vendor, &psa, &mappings, &Default::default(), today);
    let previous = HOSTILE_NAMES
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let mut prior = export_support::prior(
                &format!("GONE{index}"),
                name,
                GapKind::Unbilled,
                "USD",
                dec!(20),
            );
            prior.product_name = (*name).to_string();
            (prior.identity.clone(), prior)
        })
        .collect();
    let (mut gaps, resolved) = track(&result.gaps, &previous, today);
    for (index, tracked) in gaps.iter_mut().enumerate() {
        tracked.gap.product_name = HOSTILE_NAMES[(index + 1) % HOSTILE_NAMES.len()].to_string();
    }
    let mut report = billgap::domain::report::Report::new(
        today,
        Some("2026-11".into()),
        Some("2026-11".into()),
        result,
        gaps,
        resolved,
    );
    report.has_previous_run = true;
    report.warnings.push(HOSTILE_NAMES[5].to_string());
    report
}

/// The cells of a Markdown table row: split at every pipe not escaped by a backslash, as a
/// GFM table is.
fn cells(row: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut characters = row.chars();
    while let Some(character) = characters.next() {
        match character {
            '\\' => {
                let last = cells.last_mut().expect("a cell");
                last.push('\\');
                if let Some(next) = characters.next() {
                    last.push(next);
                }
            }
            '|' => cells.push(String::new()),
            other => cells.last_mut().expect("a cell").push(other),
        }
    }
    // The leading and trailing pipes frame the row.
    cells[1..cells.len() - 1].to_vec()
}

/// Text as a Markdown renderer writes it into HTML.
fn html_text(text: &str) -> String {
    billgap::domain::text::strip_control(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[test]
fn every_table_row_has_as_many_cells_as_its_header() {
    let text = markdown(&hostile_report());
    let mut header_cells = None;
    let mut rows = 0;
    for line in text.lines() {
        if !line.starts_with('|') {
            header_cells = None;
            continue;
        }
        let count = cells(line).len();
        match header_cells {
            None => header_cells = Some(count),
            Some(expected) => {
                assert_eq!(count, expected, "{line}");
                rows += 1;
            }
        }
    }
    // Separator rows included: every client, gap and fixed gap was checked.
    assert!(rows > 3 * HOSTILE_NAMES.len(), "{rows} rows");
}

#[test]
fn a_rendered_report_shows_every_name_as_text() {
    let text = markdown(&hostile_report());
    let mut options = comrak::Options::default();
    options.extension.table = true;
    options.extension.autolink = true;
    options.extension.strikethrough = true;
    // Raw HTML is let through, as a lenient previewer would: none may be there to let through.
    options.render.r#unsafe = true;
    let page = comrak::markdown_to_html(&text, &options);
    // The word joiners that keep addresses from being linked are invisible.
    let page = page.replace('\u{2060}', "");
    for live in [
        "<a ",
        "<img",
        "<script",
        "<em>",
        "<del>",
        "<code>",
        "<blockquote>",
        "<ul>",
    ] {
        assert!(!page.contains(live), "{live} in\n{page}");
    }
    assert_eq!(page.matches("<h1>").count(), 1, "only the title");
    for name in HOSTILE_NAMES {
        let shown = format!("<td>{}</td>", html_text(name).trim());
        assert!(page.contains(&shown), "{shown} in\n{page}");
    }
}

#[test]
fn a_name_cannot_break_the_table() {
    let text = markdown(&export_support::delta_report());
    assert!(!text.replace("\\<", "").contains('<'), "no raw HTML");
    assert!(
        text.contains("| \\<img src=x onerror=alert\\(1\\)\\> |"),
        "{text}"
    );
    let worse = &text[text.find("## Worse").expect("worse")..];
    let row = worse
        .lines()
        .find(|line| line.starts_with("| =1+2 |"))
        .expect("the formula client's row");
    assert_eq!(row.matches(" | ").count(), 12, "{row}");
}
