//! The command line: one module per subcommand. Each returns the process exit code; data goes
//! to stdout, progress and diagnostics to stderr.
//!
//! Exit codes for headless runs ([`Outcome`]): 0 clean at full coverage, 1 gaps over threshold
//! or coverage incomplete, 2 error (set by `main` when a command fails).

mod account;
mod alerting;
mod check;
mod demo;
pub mod failure;
mod gaps;
mod generate;
mod importing;
mod lists;
mod mapping;
pub mod match_names;
mod outcome;
mod pull;
mod recipients;
mod schedule;
mod secret;
mod stdout;
mod watch;
mod workspace;

pub use outcome::Outcome;
mod table;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Find billing gaps between what you buy from vendors and what you bill from your PSA.
#[derive(Debug, Parser)]
#[command(name = "billgap", version, about, long_about = None)]
pub struct Cli {
    /// The database file [default: billgap.sqlite in your data directory].
    #[arg(long, env = "BILLGAP_DB", global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The config file (alerts, SMTP, webhooks) [default: config.toml in your config directory].
    #[arg(long, env = "BILLGAP_CONFIG", global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Open the workbench on a new database at the --db (or BILLGAP_DB) path. Without it a
    /// database named there must exist, so a mistyped path is an error, not an empty
    /// workbench; the default database is created on first run either way.
    #[arg(long)]
    pub new: bool,
    /// What to do; without one, the workbench opens. `billgap demo` shows everything on
    /// sample data.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Every subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import vendor or PSA exports (format detected from the header).
    Import(importing::ImportArgs),
    /// List the export formats billgap knows.
    Formats,
    /// Confirm a mapping: a vendor customer is a PSA company, or a vendor product a PSA product.
    #[command(args_conflicts_with_subcommands = true)]
    Map {
        /// What to map.
        #[command(subcommand)]
        subject: Option<mapping::MapSubject>,
        /// Apply every row of a mappings file (kind,vendor_system,vendor_key,term,psa_id,
        /// reason,expires: the format of assets/sample/mappings.csv) as one undoable step.
        /// Rows that disagree with a confirmed mapping are reported and left as they are.
        #[arg(long, value_name = "FILE")]
        from: Option<std::path::PathBuf>,
    },
    /// Say a suggested PSA company or product is wrong, so it is never suggested again.
    Reject {
        /// What to reject.
        #[command(subcommand)]
        subject: mapping::RejectSubject,
    },
    /// Show mapping suggestions per band, or auto-accept the unambiguous ones with --accept-above.
    Match(mapping::MatchArgs),
    /// Rank the names of one CSV against another (no database needed).
    MatchNames(match_names::MatchNamesArgs),
    /// Remove a mapping.
    Unmap {
        /// What to unmap.
        #[command(subcommand)]
        subject: mapping::UnmapSubject,
    },
    /// Leave a vendor customer or product out of the comparison, with a reason.
    Ignore(mapping::IgnoreArgs),
    /// Lift an ignore rule.
    Unignore(mapping::UnignoreArgs),
    /// Reverse the latest mapping decision.
    Undo,
    /// Re-apply the most recently undone decision.
    Redo,
    /// Show the decision log, newest first.
    Log {
        /// How many entries.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// `table` (business words) or `json` (the raw entries).
        #[arg(long, value_enum, default_value_t)]
        format: mapping::LogFormat,
    },
    /// List vendor customers by spend, with their mappings.
    Clients(lists::ListArgs),
    /// List vendor products by spend, with their mappings.
    Products(lists::ListArgs),
    /// Compute the gaps; exit 0 clean, 1 over threshold or incomplete coverage, 2 error.
    Gaps(gaps::GapsArgs),
    /// One client's whole account: every product, vendor seats against PSA seats, including
    /// the ones that agree.
    Account(account::AccountArgs),
    /// Write the delta report to a file.
    Report(gaps::ReportArgs),
    /// Set the default gap threshold, or one client's.
    Threshold(gaps::ThresholdArgs),
    /// Write a deterministic vendor and PSA export pair of any size, with the mappings and
    /// the gaps they hold, to try billgap at scale.
    Generate(generate::GenerateArgs),
    /// Run billgap on the bundled sample data in a fresh temporary database.
    Demo(demo::DemoArgs),
    /// The scheduled check: reconcile, record a ledger run, and alert each client's people
    /// when its gaps pass the threshold; exit 0 clean, 1 action needed, 2 error.
    Check(check::CheckArgs),
    /// Who is told about each client's gaps.
    Recipients {
        /// What to do.
        #[command(subcommand)]
        command: recipients::RecipientsCommand,
    },
    /// Each open gap's age, cost to date and status from the ledger, and the messages sent.
    History(check::HistoryArgs),
    /// Print or install the daily `billgap check` for cron or Task Scheduler.
    Schedule(schedule::ScheduleArgs),
    /// Alert channels: `billgap alert test` sends a sample to every configured channel.
    Alert {
        /// What to do.
        #[command(subcommand)]
        command: alerting::AlertCommand,
    },
    /// Check the database, the config, the secrets and the alert channels, one line each.
    Doctor,
    /// Pull one source from its API (pax8, partner_center, sherweb, ingram, connectwise,
    /// autotask, halo) into the store, as an import of its export would; exit 2 when the pull
    /// is incomplete (nothing is replaced then).
    Pull(pull::PullArgs),
    /// Pull every configured source, then run the check; with --once for cron, else every
    /// --every until Ctrl+C or SIGTERM.
    Watch(watch::WatchArgs),
    /// Store API credentials and the SMTP password in the OS keyring.
    Secret {
        /// What to do.
        #[command(subcommand)]
        command: secret::SecretCommand,
    },
}

/// `billgap map --from FILE`: a spreadsheet of decisions, applied as one step.
fn bulk_mapping(database: &std::path::Path, file: &std::path::Path) -> color_eyre::Result<Outcome> {
    let mut workspace = workspace::open(database)?;
    let outcome = workspace.map_from_file(file)?;
    eprintln!("{}", outcome.sentence());
    Ok(if outcome.conflicts.is_empty() {
        Outcome::Done
    } else {
        Outcome::NeedsAction
    })
}

/// Runs a parsed command line and returns the exit code.
pub fn run(cli: Cli) -> color_eyre::Result<Outcome> {
    let named = cli.db.is_some();
    let database = cli
        .db
        .clone()
        .unwrap_or_else(crate::paths::default_database);
    let Some(command) = cli.command else {
        // Checked before the terminal is, so a script that names a wrong path fails too.
        if named && !cli.new {
            workspace::refuse_missing_for_workbench(&database)?;
        }
        // No subcommand: the workbench on the default database when a person is at a
        // terminal; otherwise (a script, a pipe) the help, since there is nothing to show.
        use std::io::IsTerminal;
        if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() {
            crate::tui::run(&crate::tui::WorkbenchOptions::new(database))?;
        } else {
            use clap::CommandFactory;
            Cli::command().print_help()?;
        }
        return Ok(Outcome::Done);
    };
    if cli.new {
        color_eyre::eyre::bail!(
            "--new opens the workbench on a new database and takes no command: `import` \
             creates the database it names, and every other command needs an existing one"
        );
    }
    // A listing piped into `head` ends when the reader has enough; that is success.
    stdout::finish(match command {
        Command::Import(args) => importing::run(&database, &args),
        Command::Formats => importing::list_formats(),
        Command::Map {
            from: Some(file), ..
        } => bulk_mapping(&database, &file),
        Command::Map {
            subject: Some(subject),
            ..
        } => mapping::map(&database, subject),
        Command::Map { .. } => {
            color_eyre::eyre::bail!(
                "name what to map (`map client …`, `map product …`) or a file with --from"
            )
        }
        Command::Reject { subject } => mapping::reject(&database, subject),
        Command::Match(args) => mapping::match_queue(&database, &args),
        Command::MatchNames(args) => {
            match_names::run(&args, &mut std::io::stdout().lock())?;
            Ok(Outcome::Done)
        }
        Command::Unmap { subject } => mapping::unmap(&database, subject),
        Command::Ignore(args) => mapping::ignore(&database, &args),
        Command::Unignore(args) => mapping::unignore(&database, &args),
        Command::Undo => mapping::step_history(&database, crate::workflow::HistoryStep::Undo),
        Command::Redo => mapping::step_history(&database, crate::workflow::HistoryStep::Redo),
        Command::Log { limit, format } => mapping::show_log(&database, limit, format),
        Command::Clients(args) => {
            lists::list(&database, crate::workflow::MappingKind::Client, &args)
        }
        Command::Products(args) => {
            lists::list(&database, crate::workflow::MappingKind::Product, &args)
        }
        Command::Gaps(args) => gaps::run(&database, &args),
        Command::Account(args) => account::run(&database, &args),
        Command::Report(args) => gaps::report(&database, &args),
        Command::Threshold(args) => gaps::threshold(&database, &args),
        Command::Demo(args) => demo::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Check(args) => check::run(&database, cli.config.as_ref(), &args),
        Command::Recipients { command } => recipients::run(&database, &command),
        Command::History(args) => check::history(&database, &args),
        Command::Schedule(args) => schedule::run(&database, cli.config.as_deref(), &args),
        Command::Alert {
            command: alerting::AlertCommand::Test(args),
        } => alerting::test(cli.config.as_deref(), &args),
        Command::Doctor => alerting::doctor(&database, cli.config.as_deref()),
        Command::Pull(args) => pull::run(&database, cli.config.as_ref(), &args),
        Command::Watch(args) => watch::run(&database, cli.config.as_ref(), &args),
        Command::Secret { command } => secret::run(&command),
    })
}
