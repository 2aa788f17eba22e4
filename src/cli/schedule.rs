//! `billgap schedule`: the line that runs `billgap check` every day, for cron or Task
//! Scheduler. The cadence itself is applied by `check`, so the scheduler runs it daily.

use super::outcome::Outcome;
use clap::Args;
use color_eyre::eyre::{WrapErr, bail};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Arguments of `billgap schedule`.
#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// Print the crontab line and the Windows schtasks command.
    #[arg(long, conflicts_with = "install")]
    pub print: bool,
    /// Add the daily run to this user's crontab (or create the scheduled task on Windows).
    #[arg(long)]
    pub install: bool,
    /// The time of day to run, HH:MM.
    #[arg(long, default_value = "07:00")]
    pub at: String,
}

/// The marker that identifies billgap's crontab line, so that installing twice never adds a
/// second run.
const MARKER: &str = "# billgap check";

/// Prints or installs the daily check.
pub fn run(
    database: &Path,
    config: Option<&Path>,
    args: &ScheduleArgs,
) -> color_eyre::Result<Outcome> {
    let (hour, minute) = parse_time(&args.at)?;
    let program = std::env::current_exe().wrap_err("cannot find the billgap program")?;
    let mut command = format!("\"{}\" --db \"{}\"", program.display(), database.display());
    if let Some(config) = config {
        command.push_str(&format!(" --config \"{}\"", config.display()));
    }
    command.push_str(" check");
    let cron = format!(
        "{minute} {hour} * * * {command} >> \"{}\" 2>&1 {MARKER}",
        log_path(database).display()
    );
    let schtasks = format!(
        "schtasks /Create /F /SC DAILY /TN billgap-check /ST {hour:02}:{minute:02} /TR \"{}\"",
        command.replace('"', "\\\"")
    );
    if !args.install {
        println!("crontab (Linux, macOS):\n{cron}\n");
        println!("Task Scheduler (Windows):\n{schtasks}");
        return Ok(Outcome::Done);
    }
    if cfg!(windows) {
        let status = Command::new("schtasks")
            .args([
                "/Create",
                "/F",
                "/SC",
                "DAILY",
                "/TN",
                "billgap-check",
                "/ST",
                &format!("{hour:02}:{minute:02}"),
                "/TR",
                &command,
            ])
            .status()
            .wrap_err("cannot run schtasks")?;
        if !status.success() {
            bail!("schtasks failed ({status})");
        }
        eprintln!("created the scheduled task billgap-check, daily at {hour:02}:{minute:02}");
        return Ok(Outcome::Done);
    }
    let current = Command::new("crontab")
        .arg("-l")
        .output()
        .wrap_err("cannot run crontab")?;
    let existing = String::from_utf8_lossy(&current.stdout).into_owned();
    let mut lines: Vec<&str> = existing
        .lines()
        .filter(|line| !line.ends_with(MARKER))
        .collect();
    lines.push(&cron);
    let mut child = Command::new("crontab")
        .arg("-")
        .stdin(Stdio::piped())
        .spawn()
        .wrap_err("cannot run crontab")?;
    if let Some(stdin) = child.stdin.as_mut() {
        stdin.write_all(format!("{}\n", lines.join("\n")).as_bytes())?;
    }
    let status = child.wait()?;
    if !status.success() {
        bail!("crontab refused the new table ({status})");
    }
    eprintln!("added to your crontab (an earlier billgap line was replaced):\n{cron}");
    Ok(Outcome::Done)
}

/// The log file next to the database.
fn log_path(database: &Path) -> std::path::PathBuf {
    database.with_extension("check.log")
}

fn parse_time(text: &str) -> color_eyre::Result<(u32, u32)> {
    let parsed = text
        .split_once(':')
        .and_then(|(hour, minute)| Some((hour.parse::<u32>().ok()?, minute.parse::<u32>().ok()?)))
        .filter(|(hour, minute)| *hour < 24 && *minute < 60);
    match parsed {
        Some(time) => Ok(time),
        None => bail!("'{text}' is not a time of day: expected HH:MM, for example 07:00"),
    }
}
