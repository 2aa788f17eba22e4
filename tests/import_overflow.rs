//! Numbers too large to be real bills: refused where they are written, with file:line:column,
//! so that neither the import nor any later sum or product over the stored lines can overflow.

use billgap::domain::lines::Line;
use billgap::import::{ImportError, ImportOptions, parse_file};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The largest value a `Decimal` holds, which `parse_decimal` reads without complaint.
const DECIMAL_MAX: &str = "79228162514264337593543950335";

const HALO_HEADER: &str = "client_id,item_code,qty_order,unit_price,net_amount,currency_code";

/// A Partner Center NCE file reduced to its fingerprint and the cells the seat rule reads.
const NCE_HEADER: &str = "CustomerId,ProductId,SkuId,AvailabilityId,ChargeType,UnitPrice,Currency,EffectiveUnitPrice,BillableQuantity,PCToBCExchangeRate";

fn write(directory: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = directory.path().join(name);
    std::fs::write(&path, text).expect("written");
    path
}

fn import(path: &Path, options: &ImportOptions) -> Result<Vec<Line>, ImportError> {
    let mut lines = Vec::new();
    parse_file(path, options, &mut lines, &mut |_| {}).map(|_| lines)
}

fn halo(directory: &tempfile::TempDir, row: &str) -> PathBuf {
    write(directory, "halo.csv", &format!("{HALO_HEADER}\n{row}\n"))
}

fn refusal(location: &str, what: &str, found: &str, limit: &str) -> String {
    format!(
        "{location}: implausible {what} {found:?} (beyond ±{limit}); billgap refuses values this large"
    )
}

#[test]
fn price_times_a_huge_quantity_is_refused_at_the_quantity() {
    let directory = tempfile::tempdir().expect("a temp dir");
    let path = halo(&directory, &format!("7,M365,{DECIMAL_MAX},2,,USD"));
    let error = import(&path, &ImportOptions::default()).expect_err("implausible");
    assert!(matches!(error, ImportError::Implausible { .. }), "{error}");
    assert_eq!(
        error.to_string(),
        refusal(
            "halo.csv:2:3 (qty_order)",
            "seat quantity",
            DECIMAL_MAX,
            "1000000000"
        )
    );
}

#[test]
fn seat_counts_above_a_billion_are_refused_even_without_a_price() {
    let directory = tempfile::tempdir().expect("a temp dir");
    let path = halo(&directory, "7,M365,1000000001,,,USD");
    let error = import(&path, &ImportOptions::default()).expect_err("implausible");
    assert_eq!(
        error.to_string(),
        refusal(
            "halo.csv:2:3 (qty_order)",
            "seat quantity",
            "1000000001",
            "1000000000"
        )
    );
    let negative = halo(&directory, "7,M365,-1000000001,,,USD");
    assert!(matches!(
        import(&negative, &ImportOptions::default()),
        Err(ImportError::Implausible { .. })
    ));
}

#[test]
fn money_cells_above_ten_to_the_fifteen_are_refused() {
    let directory = tempfile::tempdir().expect("a temp dir");
    let path = halo(&directory, "7,M365,1,,-1000000000000000.01,USD");
    let error = import(&path, &ImportOptions::default()).expect_err("implausible");
    assert_eq!(
        error.to_string(),
        refusal(
            "halo.csv:2:5 (net_amount)",
            "amount",
            "-1000000000000000.01",
            "1000000000000000"
        )
    );
}

#[test]
fn the_bounds_themselves_are_accepted() {
    let directory = tempfile::tempdir().expect("a temp dir");
    let path = halo(&directory, "7,M365,1000000000,,1000000000000000,USD");
    let lines = import(&path, &ImportOptions::default()).expect("within the bounds");
    assert_eq!(lines[0].seats, Decimal::from(1_000_000_000_u64));
    let amount = lines[0].amount.as_ref().expect("an amount");
    assert_eq!(amount.amount, Decimal::from(1_000_000_000_000_000_u64));
}

#[test]
fn an_extended_amount_beyond_the_bound_is_refused_at_the_unit_price() {
    let directory = tempfile::tempdir().expect("a temp dir");
    // Each cell is within its bound; their product, the line's amount, is not.
    let path = halo(&directory, "7,M365,1000000000,1000000000000000,,USD");
    let error = import(&path, &ImportOptions::default()).expect_err("implausible");
    assert_eq!(
        error.to_string(),
        refusal(
            "halo.csv:2:4 (unit_price)",
            "amount",
            "1000000000000000 × 1000000000",
            "1000000000000000"
        )
    );
}

#[test]
fn an_nce_unit_price_times_its_exchange_rate_cannot_overflow() {
    let directory = tempfile::tempdir().expect("a temp dir");
    let cells = "6d7c0404,CFQ7TTC0LCHC,0002,CFQ7TTC0725P,Renew,22,USD";
    // Both within bounds, but their product overflows a Decimal: the old code panicked here.
    let huge = write(
        &directory,
        "nce.csv",
        &format!(
            "{NCE_HEADER}\n{cells},1000000000000000,1,1000000000000000\n{cells},22,1,{DECIMAL_MAX}\n"
        ),
    );
    let error = import(&huge, &ImportOptions::default()).expect_err("overflow");
    assert_eq!(
        error.to_string(),
        refusal(
            "nce.csv:2:8 (EffectiveUnitPrice)",
            "amount",
            "1000000000000000 × 1000000000000000",
            "1000000000000000"
        )
    );
    let options = ImportOptions {
        skip_bad_rows: true,
        ..ImportOptions::default()
    };
    let mut lines: Vec<Line> = Vec::new();
    let summary = parse_file(&huge, &options, &mut lines, &mut |_| {}).expect("skips both");
    let reasons: Vec<String> = summary
        .rejected
        .iter()
        .map(|reject| format!("{}: {}", reject.location, reject.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            refusal(
                "nce.csv:2:8 (EffectiveUnitPrice)",
                "amount",
                "1000000000000000 × 1000000000000000",
                "1000000000000000"
            ),
            refusal(
                "nce.csv:3:10 (PCToBCExchangeRate)",
                "number",
                DECIMAL_MAX,
                "1000000000000000"
            ),
        ]
    );
    assert!(lines.is_empty());
}

#[test]
fn the_cli_refuses_an_overflowing_file_with_exit_code_2_and_stores_nothing() {
    let directory = tempfile::tempdir().expect("a temp dir");
    let path = halo(&directory, &format!("7,M365,{DECIMAL_MAX},2,,USD"));
    let output = Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(["import", path.to_str().expect("utf-8")])
        .env("BILLGAP_DB", directory.path().join("billgap.sqlite"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run billgap");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("halo.csv:2:3 (qty_order)"), "{stderr}");
    assert!(
        stderr.contains("billgap refuses values this large"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
