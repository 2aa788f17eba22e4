//! A small database built through the real store, for the workbench tests and the bench.
//!
//! Vendor side (microsoft, 2026-10): Contoso buys 12 Business Premium seats and is billed 8
//! (unbilled, over the threshold: red); Fabrikam buys 20 Business Basic and is billed 25
//! (overbilled, over the threshold: amber); Northwind buys 3 E3 seats and has no PSA line for
//! them (missing). Tailspin Toys and a customer whose name carries an escape sequence are not
//! mapped yet, and neither is Exchange Online, so coverage is incomplete.

#![allow(dead_code)]

use billgap::domain::lines::{ChargeKind, Line, Party, Period, Product, Side, SourceKey, Term};
use billgap::domain::money::{Currency, Money};
use billgap::import::SourceInfo;
use billgap::store::{Decision, Origin, Store};
use billgap::tui::action::Action;
use billgap::tui::app::App;
use billgap::tui::keymap::Keymap;
use billgap::tui::theme::Theme;
use chrono::NaiveDate;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

/// The day the fixture is looked at.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 2).expect("date")
}

fn usd(amount: i64) -> Money {
    Money::new(Decimal::from(amount), Currency::parse("USD").expect("USD"))
}

/// One recurring line.
pub fn line(
    number: u64,
    customer: (&str, &str, Option<&str>),
    product: (&str, &str),
    seats: i64,
    unit: i64,
    side: Side,
) -> Line {
    let unit = usd(unit);
    Line {
        source_line: number,
        customer: Party {
            key: customer.0.to_string(),
            name: customer.1.to_string(),
            domain: customer.2.map(str::to_string),
            external_id: None,
        },
        product: Product {
            key: product.0.to_string(),
            name: product.1.to_string(),
        },
        term: if side == Side::Vendor {
            Term::Annual
        } else {
            Term::Unspecified
        },
        charge: ChargeKind::Recurring,
        seats: Decimal::from(seats),
        unit_price: (side == Side::Psa).then(|| unit.clone()),
        unit_cost: (side == Side::Vendor).then(|| unit.clone()),
        amount: unit.checked_times(Decimal::from(seats)),
        period_start: NaiveDate::from_ymd_opt(2026, 10, 1),
        period_end: NaiveDate::from_ymd_opt(2026, 10, 31),
        subscription: Some(format!("sub-{number}")),
        line_id: None,
    }
}

/// The source of a side's fixture import.
pub fn source(side: Side) -> SourceInfo {
    let (format, system) = match side {
        Side::Vendor => ("partner-center-nce", "microsoft"),
        Side::Psa => ("connectwise-additions", "connectwise"),
    };
    SourceInfo {
        format: format.to_string(),
        system: system.to_string(),
        side,
        slice: "USD".to_string(),
        period: Some(Period {
            year: 2026,
            month: 10,
        }),
    }
}

const PREMIUM: (&str, &str) = ("CFQ7TTC0LCHC:0002", "Microsoft 365 Business Premium");
const BASIC: (&str, &str) = ("CFQ7TTC0LH18:0001", "Microsoft 365 Business Basic");
const E3: (&str, &str) = ("CFQ7TTC0LFLX:0001", "Microsoft 365 E3");
const EXCHANGE: (&str, &str) = ("CFQ7TTC0LH16:0001", "Exchange Online (Plan 1)");

/// Builds the fixture database in `folder` and returns its path.
pub fn build(folder: &Path) -> PathBuf {
    let database = folder.join("fixture.sqlite");
    let mut store = Store::open(&database).expect("open store");
    let contoso = (
        "tenant-contoso",
        "Contoso Ltd.",
        Some("contoso.onmicrosoft.com"),
    );
    let fabrikam = ("tenant-fabrikam", "Fabrikam, Inc", Some("fabrikam.com"));
    let northwind = ("tenant-northwind", "Northwind Traders", None);
    let tailspin = ("tenant-tailspin", "Tailspin Toys", Some("tailspintoys.com"));
    let woodgrove = ("tenant-woodgrove", "Woodgrove\u{1b}[31m Bank", None);
    let vendor = vec![
        line(2, contoso, PREMIUM, 12, 22, Side::Vendor),
        line(3, fabrikam, BASIC, 20, 6, Side::Vendor),
        line(4, northwind, E3, 3, 36, Side::Vendor),
        line(5, northwind, PREMIUM, 10, 22, Side::Vendor),
        line(6, tailspin, PREMIUM, 40, 22, Side::Vendor),
        line(7, tailspin, EXCHANGE, 15, 4, Side::Vendor),
        line(8, woodgrove, BASIC, 5, 6, Side::Vendor),
    ];
    let psa = vec![
        line(
            2,
            ("CW-CONTOSO", "Contoso", None),
            ("M365-BP", "M365 Business Premium"),
            8,
            30,
            Side::Psa,
        ),
        line(
            3,
            ("CW-FABRIKAM", "Fabrikam", None),
            ("M365-BB", "M365 Business Basic"),
            25,
            22,
            Side::Psa,
        ),
        line(
            4,
            ("CW-NORTHWIND", "Northwind Traders", None),
            ("M365-BP", "M365 Business Premium"),
            10,
            30,
            Side::Psa,
        ),
        line(
            5,
            ("CW-TAILSPIN", "Tailspin Toys Ltd", None),
            ("M365-BP", "M365 Business Premium"),
            40,
            30,
            Side::Psa,
        ),
        line(
            6,
            ("CW-WOODGROVE", "Woodgrove Bank Corp", None),
            ("M365-BB", "M365 Business Basic"),
            5,
            8,
            Side::Psa,
        ),
        line(
            7,
            ("CW-ADATUM", "Adatum Corporation", None),
            ("M365-E3", "M365 E3"),
            1,
            45,
            Side::Psa,
        ),
        line(
            8,
            ("CW-TAILSPIN", "Tailspin Toys Ltd", None),
            ("EXO-P1", "Exchange Online Plan 1"),
            15,
            5,
            Side::Psa,
        ),
    ];
    store
        .import_lines(&source(Side::Vendor), "vendor-2026-10.csv", vendor)
        .expect("vendor import");
    store
        .import_lines(&source(Side::Psa), "psa-2026-10.csv", psa)
        .expect("psa import");
    let vendor_key = |key: &str| SourceKey::new("microsoft", key);
    let psa_key = |key: &str| SourceKey::new("connectwise", key);
    let decisions = [
        Decision::MapClient {
            vendor: vendor_key("tenant-contoso"),
            company: psa_key("CW-CONTOSO"),
        },
        Decision::MapClient {
            vendor: vendor_key("tenant-fabrikam"),
            company: psa_key("CW-FABRIKAM"),
        },
        Decision::MapClient {
            vendor: vendor_key("tenant-northwind"),
            company: psa_key("CW-NORTHWIND"),
        },
        Decision::MapProduct {
            vendor: vendor_key(PREMIUM.0),
            term: None,
            product: psa_key("M365-BP"),
        },
        Decision::MapProduct {
            vendor: vendor_key(BASIC.0),
            term: None,
            product: psa_key("M365-BB"),
        },
        Decision::MapProduct {
            vendor: vendor_key(E3.0),
            term: None,
            product: psa_key("M365-E3"),
        },
    ];
    for decision in &decisions {
        store.decide(decision, Origin::Manual).expect("decide");
    }
    database
}

/// A workbench on the fixture database, as of [`today`], in colour.
pub fn app(database: &Path) -> App {
    let workspace =
        billgap::workflow::Workspace::open_as_of(database, today()).expect("open fixture");
    let mut app = App::new(
        workspace,
        Keymap::defaults().expect("keymap"),
        Theme::colored(),
        "fixture",
    )
    .expect("app");
    app.settle();
    app
}

/// Applies an action and waits for the background work it started (the reconciliation).
pub fn act(app: &mut App, action: Action) {
    app.update(action);
    app.settle();
}

/// Draws the app at a size and returns the terminal for inspection.
pub fn render(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|frame| {
            billgap::tui::views::draw(frame, app);
        })
        .expect("draw");
    terminal
}

/// The rendered text with import timestamps (which depend on when the test ran) masked.
pub fn text(terminal: &Terminal<TestBackend>) -> String {
    let mut out = String::new();
    let buffer = terminal.backend().buffer();
    for y in 0..buffer.area.height {
        let mut row = String::new();
        for x in 0..buffer.area.width {
            row.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(&mask_timestamps(&row));
        out.push('\n');
    }
    out
}

/// Replaces every `YYYY-MM-DD` with a fixed date (imports are stamped with the real clock).
fn mask_timestamps(row: &str) -> String {
    let chars: Vec<char> = row.chars().collect();
    let shape = "dddd-dd-dd";
    let mut out = String::new();
    let mut index = 0;
    while index < chars.len() {
        let fits = index + shape.len() <= chars.len()
            && shape.chars().zip(&chars[index..]).all(|(expected, found)| {
                if expected == 'd' {
                    found.is_ascii_digit()
                } else {
                    expected == *found
                }
            });
        if fits {
            out.push_str("2000-01-01");
            index += shape.len();
        } else {
            out.push(chars[index]);
            index += 1;
        }
    }
    out
}
