//! Parse throughput on a generated Partner Center NCE file (the widest and largest export).
//!
//! `cargo bench --bench parse` parses 10k and 100k rows; pass row counts to choose others,
//! for example `cargo bench --bench parse -- 1000000`.

use billgap::domain::lines::Line;
use billgap::import::{ImportOptions, LineSink, SinkError, parse_file};
use rust_decimal::Decimal;
use std::io::Write;
use std::time::Instant;

const HEADER: &str = "PartnerId,CustomerId,CustomerName,CustomerDomainName,CustomerCountry,InvoiceNumber,MpnId,ResellerMpnId,OrderId,OrderDate,ProductId,SkuId,AvailabilityId,SkuName,ProductName,ChargeType,UnitPrice,Quantity,Subtotal,TaxTotal,Total,Currency,PriceAdjustmentDescription,PublisherName,PublisherId,SubscriptionDescription,SubscriptionId,ChargeStartDate,ChargeEndDate,TermAndBillingCycle,EffectiveUnitPrice,UnitType,AlternateId,BillableQuantity,BillingFrequency,PricingCurrency,PCToBCExchangeRate,PCToBCExchangeRateDate,MeterDescription,ReservationOrderId,CreditReasonCode,SubscriptionStartDate,SubscriptionEndDate,ReferenceId,ProductQualifiers,PromotionId";

/// Counts lines and seats so the work cannot be optimised away.
#[derive(Default)]
struct Tally {
    lines: u64,
    seats: Decimal,
}

impl LineSink for Tally {
    fn accept(&mut self, line: Line) -> Result<(), SinkError> {
        self.lines += 1;
        self.seats += line.seats;
        Ok(())
    }

    fn restart(&mut self) -> Result<(), SinkError> {
        *self = Tally::default();
        Ok(())
    }
}

fn write_file(path: &std::path::Path, rows: u64) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "{HEADER}\r")?;
    let charges = [
        "Renew",
        "new",
        "addQuantity",
        "removeQuantity",
        "cycleCharge",
    ];
    for row in 0..rows {
        let customer = row % 5_000;
        let charge = charges[(row % 5) as usize];
        writeln!(
            out,
            "3b6e1a2c-0d4f-4c5e-9a7b-1c2d3e4f5a6b,6d7c0404-84d9-41ee-8106-{customer:012},Customer {customer} Ltd,c{customer}.onmicrosoft.com,US,G000773581,6184420,0,5691424136640{row:05},10/1/2026,CFQ7TTC0LCHC,000{sku},CFQ7TTC0725P,Microsoft 365 Business Premium,Microsoft 365 Business Premium,{charge},22.00,{qty},{subtotal}.00,0.00,{subtotal}.00,USD,\"[\"\"15.0% Partner earned credit for services managed\"\"]\",Microsoft Corporation,,Microsoft 365 Business Premium,86646af9-e80a-4aa0-da80-{row:012},10/1/2026,10/31/2026,One-Year commitment for monthly/yearly billing,22.0,Licenses,7b8b6b6f6671,{qty},Monthly,USD,1,10/1/2026,,,,5/1/2023,4/30/2027,,[],\r",
            sku = row % 3 + 1,
            qty = row % 40 + 1,
            subtotal = (row % 40 + 1) * 22,
        )?;
    }
    out.flush()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut sizes: Vec<u64> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .filter_map(|arg| arg.parse().ok())
        .collect();
    if sizes.is_empty() {
        sizes = vec![10_000, 100_000];
    }
    let directory = tempfile::tempdir()?;
    for rows in sizes {
        let path = directory.path().join(format!("nce-{rows}.csv"));
        write_file(&path, rows)?;
        let megabytes = std::fs::metadata(&path)?.len() as f64 / 1e6;
        let mut best = f64::MAX;
        for _ in 0..3 {
            let mut tally = Tally::default();
            let started = Instant::now();
            let summary = parse_file(&path, &ImportOptions::default(), &mut tally, &mut |_| {})?;
            best = best.min(started.elapsed().as_secs_f64());
            assert_eq!(summary.lines, rows);
            assert_eq!(tally.lines, rows);
        }
        println!(
            "parse nce {rows} rows ({megabytes:.1} MB): best of 3 {:.3} s = {:.0} rows/s, {:.0} MB/s",
            best,
            rows as f64 / best,
            megabytes / best
        );
    }
    Ok(())
}
