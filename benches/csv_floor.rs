//! The parse-only floor for the import benchmark: the csv crate reading every record of a file
//! and nothing else. `cargo bench --bench csv_floor -- FILE` prints the records and seconds;
//! `bench/run.sh` compares billgap's import with it.

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(path) = std::env::args().skip(1).find(|arg| !arg.starts_with("--")) else {
        // `cargo bench` runs every bench binary without a file: nothing to measure then.
        println!("csv_floor: pass a CSV file to measure (bench/run.sh does)");
        return Ok(());
    };
    let started = Instant::now();
    let mut reader = csv::ReaderBuilder::new().from_path(&path)?;
    let mut record = csv::ByteRecord::new();
    let mut records = 0_u64;
    let mut bytes = 0_usize;
    while reader.read_byte_record(&mut record)? {
        records += 1;
        bytes += record.as_slice().len();
    }
    println!(
        "{records} records, {bytes} bytes of fields, {:.3} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
