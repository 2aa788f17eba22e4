//! Workbench responsiveness on large databases: the first frame, a keypress redraw and a
//! mapping decision (which reconciles again), measured on `App` with a `TestBackend`, over the
//! real store. Run with `cargo bench --bench tui` (`BILLGAP_BENCH_ROWS=10000,100000` to choose
//! sizes, `BILLGAP_BENCH_CLIENTS=20000` the number of clients; the default is 10k, 100k and 1M vendor lines). Budgets from the issue: first frame
//! ≤ 300 ms and keypress redraw ≤ 50 ms at 1M lines.

use billgap::domain::lines::{ChargeKind, Line, Party, Period, Product, Side, SourceKey, Term};
use billgap::domain::money::{Currency, Money};
use billgap::import::SourceInfo;
use billgap::store::{Decision, Origin, Store};
use billgap::tui::action::{Action, Screen};
use billgap::tui::app::App;
use billgap::tui::keymap::Keymap;
use billgap::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rust_decimal::Decimal;
use std::time::{Duration, Instant};

const PRODUCTS: usize = 10;
/// Vendor lines per import: one Partner Center file of up to a million lines, as in real use.
const CHUNK: usize = 1_000_000;

fn source(side: Side, slice: String) -> SourceInfo {
    SourceInfo {
        format: "bench".to_string(),
        system: match side {
            Side::Vendor => "microsoft".to_string(),
            Side::Psa => "connectwise".to_string(),
        },
        side,
        slice,
        period: Some(Period {
            year: 2026,
            month: 10,
        }),
    }
}

fn line(number: u64, customer: usize, product: usize, seats: i64, side: Side) -> Line {
    let usd = Currency::parse("USD").expect("USD");
    let unit = Money::new(Decimal::from(10 + product as i64), usd);
    let prefix = if side == Side::Vendor { "T" } else { "C" };
    Line {
        source_line: number,
        customer: Party {
            key: format!("{prefix}{customer:05}"),
            name: format!("Customer {customer:05} Ltd"),
            domain: None,
            external_id: None,
        },
        product: Product {
            key: format!("{prefix}P{product:02}"),
            name: format!("Product {product:02}"),
        },
        term: Term::Monthly,
        charge: ChargeKind::Recurring,
        seats: Decimal::from(seats),
        unit_price: (side == Side::Psa).then(|| unit.clone()),
        unit_cost: (side == Side::Vendor).then(|| unit.clone()),
        amount: unit.checked_times(Decimal::from(seats)),
        period_start: None,
        period_end: None,
        subscription: None,
        line_id: None,
    }
}

/// A database with `rows` vendor lines over `customers` tenants, 90% of them mapped.
fn build(folder: &std::path::Path, rows: usize, customers: usize) -> std::path::PathBuf {
    let database = folder.join("bench.sqlite");
    let mut store = Store::open(&database).expect("store");
    let mut number = 0u64;
    for chunk in 0..rows.div_ceil(CHUNK) {
        let count = CHUNK.min(rows - chunk * CHUNK);
        let lines: Vec<Line> = (0..count)
            .map(|offset| {
                let index = chunk * CHUNK + offset;
                number += 1;
                line(
                    number,
                    index % customers,
                    (index / customers) % PRODUCTS,
                    1,
                    Side::Vendor,
                )
            })
            .collect();
        store
            .import_lines(
                &source(Side::Vendor, format!("chunk-{chunk}")),
                &format!("vendor-{chunk}.csv"),
                lines,
            )
            .expect("vendor import");
    }
    let per_position = (rows / (customers * PRODUCTS)).max(1) as i64;
    let psa: Vec<Line> = (0..customers * PRODUCTS)
        .map(|index| {
            let (customer, product) = (index / PRODUCTS, index % PRODUCTS);
            let seats = if customer % 7 == 0 {
                per_position - 2
            } else {
                per_position
            };
            line(index as u64 + 2, customer, product, seats, Side::Psa)
        })
        .collect();
    store
        .import_lines(&source(Side::Psa, "all".to_string()), "psa.csv", psa)
        .expect("psa import");
    for customer in (0..customers).filter(|customer| customer % 10 != 0) {
        let decision = Decision::MapClient {
            vendor: SourceKey::new("microsoft", format!("T{customer:05}")),
            company: SourceKey::new("connectwise", format!("C{customer:05}")),
        };
        store.decide(&decision, Origin::Manual).expect("map client");
    }
    for product in 0..PRODUCTS {
        let decision = Decision::MapProduct {
            vendor: SourceKey::new("microsoft", format!("TP{product:02}")),
            term: None,
            product: SourceKey::new("connectwise", format!("CP{product:02}")),
        };
        store
            .decide(&decision, Origin::Manual)
            .expect("map product");
    }
    database
}

fn draw(terminal: &mut Terminal<TestBackend>, app: &App) {
    terminal
        .draw(|frame| {
            billgap::tui::views::draw(frame, app);
        })
        .expect("draw");
}

/// Mean and worst time of `runs` repetitions of `step`.
fn time(runs: usize, mut step: impl FnMut()) -> (Duration, Duration) {
    let mut total = Duration::ZERO;
    let mut worst = Duration::ZERO;
    for _ in 0..runs {
        let started = Instant::now();
        step();
        let elapsed = started.elapsed();
        total += elapsed;
        worst = worst.max(elapsed);
    }
    (total / runs as u32, worst)
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn main() {
    let sizes: Vec<usize> = std::env::var("BILLGAP_BENCH_ROWS")
        .unwrap_or_else(|_| "10000,100000,1000000".to_string())
        .split(',')
        .filter_map(|size| size.trim().parse().ok())
        .collect();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).expect("date");
    for rows in sizes {
        // `BILLGAP_BENCH_CLIENTS` sets the number of tenants, to see the workbench with
        // many clients; by default one per 50 lines, at most 2,000.
        let customers = std::env::var("BILLGAP_BENCH_CLIENTS")
            .ok()
            .and_then(|clients| clients.trim().parse().ok())
            .unwrap_or_else(|| (rows / 50).clamp(50, 2_000));
        let folder = tempfile::tempdir().expect("temp");
        let started = Instant::now();
        let database = build(folder.path(), rows, customers);
        let build_seconds = started.elapsed().as_secs_f64();

        let mut terminal = Terminal::new(TestBackend::new(140, 40)).expect("terminal");
        let started = Instant::now();
        let workspace = billgap::workflow::Workspace::open_as_of(&database, today).expect("open");
        let keymap = Keymap::defaults().expect("keymap");
        let mut app = App::new(workspace, keymap, Theme::colored(), "bench").expect("app");
        draw(&mut terminal, &app);
        let first_frame = started.elapsed();
        app.settle();
        let gaps_ready = started.elapsed();

        app.update(Action::ShowScreen(Screen::Gaps));
        let (gaps_mean, gaps_worst) = time(50, || {
            app.update(Action::MoveDown);
            draw(&mut terminal, &app);
        });
        app.update(Action::ShowScreen(Screen::Clients));
        let (keys_mean, keys_worst) = time(50, || {
            app.update(Action::MoveDown);
            draw(&mut terminal, &app);
        });
        app.update(Action::MoveTop);
        // A confirm answers at once (queue and coverage); the gaps follow from the worker.
        let mut settle = Duration::ZERO;
        let (decide_mean, decide_worst) = time(10, || {
            app.update(Action::ConfirmSuggestion);
            draw(&mut terminal, &app);
            let started = Instant::now();
            app.settle();
            settle += started.elapsed();
        });
        let decide_mean = decide_mean.saturating_sub(settle / 10);
        println!(
            "{rows:>9} vendor lines ({customers} tenants, built in {build_seconds:.1} s): first frame {:.0} ms \
             (gaps ready at {:.0} ms); keypress redraw: gaps {:.1} ms (worst {:.1}), clients {:.1} ms \
             (worst {:.1}); confirm + redraw {:.1} ms (worst incl. waiting {:.1}); background \
             reconcile {:.0} ms; {} gap rows",
            ms(first_frame),
            ms(gaps_ready),
            ms(gaps_mean),
            ms(gaps_worst),
            ms(keys_mean),
            ms(keys_worst),
            ms(decide_mean),
            ms(decide_worst),
            ms(settle / 10),
            app.gaps.rows.len()
        );
    }
}
