//! `billgap watch [--once] [--every 1h]`: pull every configured source, then run the check.
//!
//! `--once` is for cron or Task Scheduler. Without it, the command polls until Ctrl+C or
//! SIGTERM, which is honoured between pulls and while waiting: a pull in progress always ends
//! (its calls have timeouts) and is stored in one transaction, so stopping never leaves half
//! a pull. Access tokens and Pax8 product SKUs are kept between polls.

use super::outcome::Outcome;
use crate::domain::alerting::Cadence;
use crate::domain::text::strip_control;
use clap::Args;
use color_eyre::eyre::bail;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Arguments of `billgap watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Pull and check once, then exit (exit codes as `billgap check`; 2 when a pull failed).
    #[arg(long)]
    pub once: bool,
    /// Time between polls: 1h, 30m, 90s.
    #[arg(long, default_value = "1h", value_parser = parse_interval)]
    pub every: Duration,
    /// When alerts go out (smart, daily, weekly). Default: the config's, else smart.
    #[arg(long)]
    pub cadence: Option<Cadence>,
}

/// Reads `1h`, `30m`, `90s`, `2d` or a number of seconds.
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text
        .find(|c: char| !c.is_ascii_digit())
        .map_or((text, "s"), |at| text.split_at(at));
    let count: u64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not an interval such as 1h, 30m or 90s"))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("'{text}': the unit is s, m, h or d")),
    };
    if count == 0 {
        return Err("the interval must be longer than zero".to_string());
    }
    Ok(Duration::from_secs(count.saturating_mul(seconds)))
}

/// Runs the watch loop.
pub fn run(
    database: &Path,
    config: Option<&PathBuf>,
    args: &WatchArgs,
) -> color_eyre::Result<Outcome> {
    let config = super::check::load_config(config.map(PathBuf::as_path))?;
    let sources = super::pull::configured_sources(&config);
    if sources.is_empty() {
        bail!("no source to pull: add a [pax8] or [connectwise] table with base_url to the config");
    }
    let mut settings = config.alerts.clone();
    if let Some(cadence) = args.cadence {
        settings.cadence = cadence;
    }
    let stop = Arc::new(AtomicBool::new(false));
    if !args.once {
        let flag = Arc::clone(&stop);
        ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))?;
    }
    let mut states = HashMap::new();
    let mut timing = crate::connectors::RealTiming::default();
    loop {
        let started = Instant::now();
        let mut workspace = super::workspace::open_or_create(database)?;
        let mut failed = 0_usize;
        for source in &sources {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            match super::pull::pull_one(&mut workspace, &config, *source, &mut states, &mut timing)
            {
                Ok(receipt) => {
                    failed += usize::from(!receipt.complete);
                    eprintln!("{}", receipt.sentence());
                }
                Err(error) => {
                    failed += 1;
                    eprintln!("{}: {}", source.name(), strip_control(&error.to_string()));
                }
            }
        }
        if stop.load(Ordering::SeqCst) {
            eprintln!("stopped before the check; every finished pull is stored");
            return Ok(Outcome::Done);
        }
        workspace.invalidate();
        let outcome = workspace.check(&settings, false, &mut crate::alert::Sleep)?;
        let report = &outcome.report;
        println!("{}", strip_control(&report.coverage.headline()));
        println!("Verdict: {}", report.verdict.describe());
        for warning in &report.warnings {
            println!("Warning: {}", strip_control(warning));
        }
        for message in &outcome.messages {
            println!(
                "due: {} — {}",
                strip_control(&message.channel),
                strip_control(&message.rendered.subject)
            );
        }
        eprintln!(
            "recorded the run; {} message(s) delivered, {} already sent",
            outcome.delivered, outcome.already_handled
        );
        for failure in &outcome.failures {
            eprintln!("delivery failed: {}", strip_control(failure));
        }
        if args.once {
            if !outcome.failures.is_empty() {
                bail!(
                    "{} delivery(ies) failed; the next run sends them",
                    outcome.failures.len()
                );
            }
            if failed > 0 {
                bail!(
                    "{failed} source(s) did not pull completely; their last complete data was used"
                );
            }
            return Ok(Outcome::of(report.verdict));
        }
        while started.elapsed() < args.every {
            if stop.load(Ordering::SeqCst) {
                eprintln!("stopped between polls");
                return Ok(Outcome::Done);
            }
            std::thread::sleep(Duration::from_millis(200).min(args.every));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_read_with_their_units() {
        assert_eq!(parse_interval("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_interval("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_interval("90"), Ok(Duration::from_secs(90)));
        assert!(parse_interval("0s").is_err());
        assert!(parse_interval("1w").is_err());
        assert!(parse_interval("soon").is_err());
    }
}
