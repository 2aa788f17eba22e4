//! `billgap gaps`, `billgap report` and `billgap threshold`.

use super::outcome::Outcome;
use crate::domain::lines::Side;
use crate::export::{ExportFormat, write_report};
use crate::workflow::Baseline;
use clap::{Args, ValueEnum};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

/// How `gaps` prints.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GapsFormat {
    /// An aligned table for people.
    Table,
    /// The full report as JSON.
    Json,
    /// The report as CSV.
    Csv,
}

/// Arguments of `billgap gaps`.
#[derive(Debug, Args)]
pub struct GapsArgs {
    /// Threshold per client for this run only (see `billgap threshold` to store one).
    #[arg(long)]
    pub threshold: Option<Decimal>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GapsFormat::Table)]
    pub format: GapsFormat,
    /// Accepted for old scripts: `gaps` never records a ledger run (only `billgap check` and
    /// the workbench's "save this review" do).
    #[arg(long, hide = true)]
    pub no_record: bool,
}

/// Arguments of `billgap report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Report format.
    #[arg(long, default_value = "csv")]
    pub format: ExportFormat,
    /// Where to write it.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// Compare with the latest review saved on or before this day (YYYY-MM-DD) instead of the
    /// latest one.
    #[arg(long, value_name = "DATE", conflicts_with = "since_run")]
    pub since: Option<chrono::NaiveDate>,
    /// Compare with saved review number N (a `billgap check` run).
    #[arg(long, value_name = "N")]
    pub since_run: Option<i64>,
    /// For `--format csv`: which table the file holds, one row type per file: `gaps` (one row
    /// per gap, new, worse, still open or fixed), `clients` (totals against thresholds) or
    /// `coverage` (vendor spend mapped, per currency).
    #[arg(long, value_name = "TABLE", default_value = "gaps")]
    pub what: crate::export::CsvTable,
    /// The day the report is made as (YYYY-MM-DD), for replays: ages and costs to date run to
    /// it, as with `check --as-of`.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
}

/// Arguments of `billgap threshold`.
#[derive(Debug, Args)]
pub struct ThresholdArgs {
    /// The monthly amount above which a client's gaps need action.
    pub amount: Decimal,
    /// Only for this PSA company (key or exact name); default: the global default.
    #[arg(long)]
    pub client: Option<String>,
}

/// Prints the gaps of the current state, with each gap's history from the saved reviews.
pub fn run(database: &Path, args: &GapsArgs) -> color_eyre::Result<Outcome> {
    let mut workspace = super::workspace::open(database)?;
    // Viewing never records: a run in the ledger is a saved review, so that "new since the
    // last review" does not depend on how often someone looked.
    let report = workspace.report(args.threshold, false)?;
    let mut stdout = std::io::stdout().lock();
    match args.format {
        GapsFormat::Table => {
            use std::io::Write;
            write!(stdout, "{}", super::table::render(&report))?;
        }
        GapsFormat::Json => write_report(
            &workspace.with_references(&report)?,
            ExportFormat::Json,
            &mut stdout,
        )?,
        GapsFormat::Csv => write_report(
            &workspace.with_references(&report)?,
            ExportFormat::Csv,
            &mut stdout,
        )?,
    }
    Ok(Outcome::of(report.verdict))
}

/// Writes the delta report to a file, atomically.
pub fn report(database: &Path, args: &ReportArgs) -> color_eyre::Result<Outcome> {
    let mut workspace = match args.as_of {
        Some(day) => super::workspace::open_as_of(database, day)?,
        None => super::workspace::open(database)?,
    };
    let baseline = match (args.since_run, args.since) {
        (Some(run), _) => Baseline::Run(run),
        (None, Some(day)) => Baseline::OnOrBefore(day),
        (None, None) => Baseline::Latest,
    };
    let report = match (args.format, args.what) {
        (_, crate::export::CsvTable::Gaps) => {
            workspace.write_report(args.format, &args.output, None, baseline)?
        }
        (ExportFormat::Csv, table) => {
            let report = workspace.report_against(None, baseline)?;
            crate::export::write_atomically(&args.output, |out| {
                crate::export::write_csv_table(&report, table, out)
            })?;
            report
        }
        (format, _) => color_eyre::eyre::bail!(
            "--what chooses a CSV table; the {} report holds every table already",
            format.extension()
        ),
    };
    eprintln!(
        "wrote the {} report to {} ({} gaps; {})",
        args.format.extension(),
        args.output.display(),
        report.gaps.len(),
        report.coverage.headline()
    );
    Ok(Outcome::of(report.verdict))
}

/// Stores the default threshold, or one client's.
pub fn threshold(database: &Path, args: &ThresholdArgs) -> color_eyre::Result<Outcome> {
    let mut workspace = super::workspace::open(database)?;
    let client = args
        .client
        .as_deref()
        .map(|client| workspace.find_party(Side::Psa, client))
        .transpose()?;
    eprintln!("{}", workspace.set_threshold(client.as_ref(), args.amount)?);
    Ok(Outcome::Done)
}
