//! `billgap check`, what cron or Task Scheduler runs, and `billgap history`.

use super::outcome::Outcome;
use crate::config::Config;
use crate::domain::alerting::Cadence;
use crate::domain::text::strip_control;
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `billgap check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Print what would be sent; record and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The day to run as (YYYY-MM-DD), for replays and backfills: ageing and cadence use it.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
    /// When alerts go out: smart (daily in the first and last 7 days of the month, weekly in
    /// between), daily or weekly. Default: the config's, else smart.
    #[arg(long)]
    pub cadence: Option<Cadence>,
}

/// Arguments of `billgap history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this PSA company (key or exact name).
    pub client: Option<String>,
    /// How many messages of the delivery log to show.
    #[arg(long, default_value_t = 20)]
    pub messages: usize,
}

/// Reads the config with secrets from the process environment.
pub fn load_config(path: Option<&Path>) -> color_eyre::Result<Config> {
    Ok(crate::config::load_for_process(path)?)
}

/// Runs a scheduled check: exit 0 clean, 1 gaps over threshold or incomplete coverage, 2 an
/// error or a failed delivery (the next run sends it).
pub fn run(
    database: &Path,
    config: Option<&PathBuf>,
    args: &CheckArgs,
) -> color_eyre::Result<Outcome> {
    let config = load_config(config.map(PathBuf::as_path))?;
    let mut settings = config.alerts;
    if let Some(cadence) = args.cadence {
        settings.cadence = cadence;
    }
    let today = args
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let mut workspace = super::workspace::open_as_of(database, today)?;
    let outcome = workspace.check(&settings, args.dry_run, &mut crate::alert::Sleep)?;
    let report = &outcome.report;
    println!("{}", report.coverage.headline());
    println!("Verdict: {}", report.verdict_sentence());
    for warning in &report.warnings {
        println!("Warning: {}", strip_control(warning));
    }
    if !outcome.sending_day {
        println!(
            "Not a sending day for the {:?} cadence: nothing sent.",
            settings.cadence
        );
    }
    for message in &outcome.messages {
        let verb = if outcome.dry_run { "would send" } else { "due" };
        println!(
            "{verb}: {} — {}",
            strip_control(&message.channel),
            strip_control(&message.rendered.subject)
        );
    }
    if !outcome.dry_run {
        eprintln!(
            "recorded the run; {} message(s) delivered, {} already sent by an earlier or concurrent run",
            outcome.delivered, outcome.already_handled
        );
    }
    for failure in &outcome.failures {
        eprintln!("delivery failed: {}", strip_control(failure));
    }
    if !outcome.failures.is_empty() {
        color_eyre::eyre::bail!(
            "{} delivery(ies) failed; they stay due and the next check sends them",
            outcome.failures.len()
        );
    }
    Ok(if outcome.needs_action() {
        Outcome::NeedsAction
    } else {
        Outcome::Done
    })
}

/// Shows each open gap's history from the ledger, and the latest messages sent.
pub fn history(database: &Path, args: &HistoryArgs) -> color_eyre::Result<Outcome> {
    let mut workspace = super::workspace::open(database)?;
    let client = args
        .client
        .as_deref()
        .map(|client| workspace.find_party(crate::domain::lines::Side::Psa, client))
        .transpose()?;
    let report = workspace.report(None, false)?;
    println!(
        "{:<28} {:<30} {:<8} {:<10} {:>14} {:>5} {:>10} {:>14}  status",
        "Client", "Product", "Term", "Kind", "Value/month", "Age", "First seen", "Cost to date"
    );
    for tracked in &report.gaps {
        let gap = &tracked.gap;
        if client.as_ref().is_some_and(|client| *client != gap.company) {
            continue;
        }
        println!(
            "{:<28} {:<30} {:<8} {:<10} {:>14} {:>4}d {:>10} {:>14}  {}",
            strip_control(&gap.company_name),
            strip_control(&gap.product_name),
            gap.term.as_str(),
            gap.kind.as_str(),
            gap.value
                .as_ref()
                .map_or_else(|| "unpriced".to_string(), ToString::to_string),
            tracked.age_days,
            tracked.first_seen,
            gap.value.as_ref().map_or_else(
                || "-".to_string(),
                |value| format!("{:.2} {}", tracked.accumulated, value.currency)
            ),
            tracked.status.as_str()
        );
    }
    let log = workspace.notification_log(args.messages)?;
    if !log.is_empty() {
        println!("\nMessages (newest first):");
    }
    for row in log {
        println!(
            "#{:<5} run {:<4} {:<8} {:<40} {}{}",
            row.id,
            row.run_id,
            row.status,
            strip_control(&row.channel),
            strip_control(&row.subject),
            row.last_error
                .map(|error| format!(" ({})", strip_control(&error)))
                .unwrap_or_default()
        );
    }
    Ok(Outcome::Done)
}
