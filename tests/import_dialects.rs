//! Encodings, separators, number and date spellings: the same rows written the ways real
//! exports write them must read the same.

use billgap::domain::lines::Line;
use billgap::import::{ImportOptions, ImportSummary, parse_file};
use rust_decimal_macros::dec;
use std::path::Path;

const HALO: &str = "client_id,client_name,item_code,qty_order,unit_price,currency_code\n\
                    7,Café Müller,M365,3,12.50,EUR\n\
                    8,Zoë Ltd,AV,4,1.25,EUR\n";

fn import_bytes(bytes: &[u8], options: &ImportOptions) -> (ImportSummary, Vec<Line>) {
    let directory = tempfile::tempdir().expect("a temp dir");
    let path = directory.path().join("export.csv");
    std::fs::write(&path, bytes).expect("written");
    import_path(&path, options)
}

fn import_path(path: &Path, options: &ImportOptions) -> (ImportSummary, Vec<Line>) {
    let mut lines = Vec::new();
    let summary = parse_file(path, options, &mut lines, &mut |_| {}).expect("imports");
    (summary, lines)
}

/// Names, seats and source lines: what must survive every spelling.
fn essentials(lines: &[Line]) -> Vec<(String, String, rust_decimal::Decimal, u64)> {
    lines
        .iter()
        .map(|l| {
            (
                l.customer.name.clone(),
                l.product.key.clone(),
                l.seats,
                l.source_line,
            )
        })
        .collect()
}

fn expected() -> Vec<(String, String, rust_decimal::Decimal, u64)> {
    vec![
        ("Café Müller".to_string(), "M365".to_string(), dec!(3), 2),
        ("Zoë Ltd".to_string(), "AV".to_string(), dec!(4), 3),
    ]
}

fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    let mut bytes = if little_endian {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for unit in text.encode_utf16() {
        let pair = if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        };
        bytes.extend_from_slice(&pair);
    }
    bytes
}

#[test]
fn plain_utf8_and_utf8_with_a_bom() {
    let options = ImportOptions::default();
    assert_eq!(
        essentials(&import_bytes(HALO.as_bytes(), &options).1),
        expected()
    );
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), HALO.as_bytes()].concat();
    assert_eq!(essentials(&import_bytes(&with_bom, &options).1), expected());
}

#[test]
fn a_stray_bom_at_the_start_of_a_later_line_is_dropped() {
    let stray = HALO.replace("8,Zoë", "\u{FEFF}8,Zoë");
    let (_, lines) = import_bytes(stray.as_bytes(), &ImportOptions::default());
    assert_eq!(essentials(&lines), expected());
    assert_eq!(lines[1].customer.key, "8");
}

#[test]
fn utf16_little_and_big_endian_with_tabs() {
    let tabbed = HALO.replace(',', "\t").replace("\n", "\r\n");
    for little_endian in [true, false] {
        let (_, lines) = import_bytes(&utf16(&tabbed, little_endian), &ImportOptions::default());
        assert_eq!(
            essentials(&lines),
            expected(),
            "little endian: {little_endian}"
        );
        assert_eq!(
            lines[0].unit_price.as_ref().map(|m| m.amount),
            Some(dec!(12.50))
        );
    }
}

#[test]
fn windows_1252_when_the_bytes_are_not_utf8() {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(HALO);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture must not be UTF-8"
    );
    let (_, lines) = import_bytes(&bytes, &ImportOptions::default());
    assert_eq!(essentials(&lines), expected());
}

#[test]
fn semicolons_mean_decimal_commas() {
    let regional = "client_id;client_name;item_code;qty_order;unit_price;currency_code\n\
                    7;Café Müller;M365;3;1.234,50;EUR\n";
    let (_, lines) = import_bytes(regional.as_bytes(), &ImportOptions::default());
    assert_eq!(
        lines[0].unit_price.as_ref().map(|m| m.amount),
        Some(dec!(1234.50))
    );
    assert_eq!(
        lines[0].amount.as_ref().map(|m| m.amount),
        Some(dec!(3703.50))
    );
}

#[test]
fn decimal_comma_on_request_with_commas_between_cells() {
    let quoted = "client_id,client_name,item_code,qty_order,unit_price,currency_code\n\
                  7,\"Müller, Café\",M365,\"2,5\",\"12,50\",EUR\n";
    let options = ImportOptions {
        decimal_comma: true,
        ..ImportOptions::default()
    };
    let (_, lines) = import_bytes(quoted.as_bytes(), &options);
    assert_eq!(lines[0].customer.name, "Müller, Café");
    assert_eq!(lines[0].seats, dec!(2.5));
    assert_eq!(
        lines[0].unit_price.as_ref().map(|m| m.amount),
        Some(dec!(12.50))
    );
}

#[test]
fn json_array_cells_with_quotes_and_commas_stay_in_one_cell() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/nce.csv");
    let text = std::fs::read_to_string(&path).expect("fixture");
    assert!(text.contains(
        r#""[""15.0% Partner earned credit for services managed"", ""Promo, limited""]""#
    ));
    let (summary, lines) = import_path(&path, &ImportOptions::default());
    assert_eq!(summary.rows_read, 6);
    assert!(summary.rejected.is_empty());
    assert_eq!(lines[0].seats, dec!(10));
}

#[test]
fn day_first_dates_on_request() {
    let regional = "CompanyID,Company Name,ContractID,ServiceID,Service Name,StartDate,EndDate,Units,Price,Currency\n\
                    1,Contoso,9,31,M365,01/10/2026,31/10/2026,4,30,GBP\n";
    let options = ImportOptions {
        day_first: true,
        ..ImportOptions::default()
    };
    let (summary, lines) = import_bytes(regional.as_bytes(), &options);
    assert_eq!(
        lines[0].period_end,
        chrono::NaiveDate::from_ymd_opt(2026, 10, 31)
    );
    assert_eq!(
        summary.source.period,
        Some("2026-10".parse().expect("period"))
    );
}

#[test]
fn a_file_without_currency_takes_the_option() {
    let bare = "client_id,client_name,item_code,qty_order,unit_price\n7,Contoso,M365,3,12.50\n";
    let options = ImportOptions {
        currency: Some(billgap::domain::money::Currency::parse("CAD").expect("code")),
        ..ImportOptions::default()
    };
    let (_, lines) = import_bytes(bare.as_bytes(), &options);
    assert_eq!(lines[0].currency().map(|c| c.code()), Some("CAD"));
}
