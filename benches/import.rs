//! Import and reconcile throughput at 10k, 100k and 1M NCE rows, through the real store on a
//! real SQLite file. Run with `cargo bench --bench import` (set `BILLGAP_BENCH_ROWS=10000,100000`
//! to choose sizes). Prints one line per size: rows/s for the import, and the time to read the
//! current state and reconcile it after every mapping is confirmed.

use billgap::generate as synthetic;

use billgap::domain::lines::{SourceKey, Term};
use billgap::domain::reconcile::reconcile;
use billgap::import::ImportOptions;
use billgap::store::{Decision, Origin, Store};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sizes: Vec<usize> = std::env::var("BILLGAP_BENCH_ROWS")
        .unwrap_or_else(|_| "10000,100000,1000000".to_string())
        .split(',')
        .filter_map(|size| size.trim().parse().ok())
        .collect();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 15).ok_or("date")?;
    for rows in sizes {
        let customers = (rows / 50).clamp(50, 2_000);
        let folder = tempfile::tempdir()?;
        let nce = folder.path().join("nce.csv");
        let psa = folder.path().join("cw.csv");
        synthetic::write_nce_csv(&nce, rows, customers, 42)?;
        synthetic::write_connectwise_csv(&psa, customers, 42)?;
        let size_mb = std::fs::metadata(&nce)?.len() as f64 / 1e6;

        let mut store = Store::open(&folder.path().join("bench.sqlite"))?;
        let started = Instant::now();
        store.import_file(&nce, &ImportOptions::default(), &mut |_| {})?;
        let import_seconds = started.elapsed().as_secs_f64();
        store.import_file(&psa, &ImportOptions::default(), &mut |_| {})?;

        let psa_system = store
            .sources()?
            .into_iter()
            .find(|source| source.side == billgap::domain::lines::Side::Psa)
            .map(|source| source.system)
            .ok_or("no PSA import")?;
        for index in 0..customers {
            let (tenant, company) = synthetic::customer_keys(index);
            store.decide(
                &Decision::MapClient {
                    vendor: SourceKey::new("microsoft", tenant),
                    company: SourceKey::new(&psa_system, company),
                },
                Origin::Manual,
            )?;
        }
        for (vendor, product) in synthetic::product_pairs() {
            store.decide(
                &Decision::MapProduct {
                    vendor: SourceKey::new("microsoft", vendor),
                    term: Some(Term::Monthly),
                    product: SourceKey::new(&psa_system, product),
                },
                Origin::Manual,
            )?;
        }

        // A refresh after a mapping edit is read + reconcile; the median of 7 runs is reported
        // because a single run on a shared 2-core machine is noisy.
        let (mut reads, mut reconciles) = (Vec::new(), Vec::new());
        let mut result = None;
        for _ in 0..7 {
            let started = Instant::now();
            let state = store.current_state()?;
            reads.push(started.elapsed().as_secs_f64() * 1e3);
            let started = Instant::now();
            result = Some(reconcile(
                &state.vendor,
                &state.psa,
                &state.mappings,
                &state.thresholds,
                today,
            ));
            reconciles.push(started.elapsed().as_secs_f64() * 1e3);
        }
        let result = result.ok_or("no run")?;
        let (read_ms, reconcile_ms) = (median(&mut reads), median(&mut reconciles));
        println!(
            "{rows:>9} rows ({size_mb:.0} MB, {customers} tenants): import {import_seconds:.2} s = {:.0} rows/s; \
             read state {read_ms:.1} ms; reconcile {reconcile_ms:.1} ms (medians of 7); {} gaps, coverage {}",
            rows as f64 / import_seconds,
            result.gaps.len(),
            result.coverage.headline()
        );
    }
    Ok(())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
