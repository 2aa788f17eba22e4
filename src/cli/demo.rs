//! `billgap demo`: the bundled sample exports in a fresh temporary database.

use super::outcome::Outcome;
use crate::import::ImportOptions;
use clap::Args;
use std::io::IsTerminal;

/// Arguments of `billgap demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Print the gap table instead of opening the workbench.
    #[arg(long)]
    pub no_tui: bool,
    /// Keep the demo database at this path (it must not exist yet), so the work done in the
    /// demo lasts; reopen it later with `billgap --db PATH`.
    #[arg(long, value_name = "PATH")]
    pub keep: Option<std::path::PathBuf>,
}

/// The sample exports, embedded so the demo works from any directory.
const SAMPLES: &[(&str, &[u8])] = &[
    (
        "partner-center-nce-2026-10.csv",
        include_bytes!("../../assets/sample/partner-center-nce-2026-10.csv"),
    ),
    (
        "pax8-2026-10.csv",
        include_bytes!("../../assets/sample/pax8-2026-10.csv"),
    ),
    (
        "connectwise-additions-2026-10.csv",
        include_bytes!("../../assets/sample/connectwise-additions-2026-10.csv"),
    ),
];

/// Imports the samples into a temporary database (or the `--keep` path), maps what needs no
/// judgement, then opens the workbench with the safe band left for `A`; without a workbench it
/// accepts the safe band itself and prints the gap table.
pub fn run(args: &DemoArgs) -> color_eyre::Result<Outcome> {
    let folder = tempfile::tempdir()?;
    let database = match &args.keep {
        Some(path) if path.exists() => {
            // The demo imports sample data: never mix it into a database that holds real work.
            color_eyre::eyre::bail!(
                "{} already exists; `demo --keep` only creates a new database. Open it with `billgap --db {}`.",
                path.display(),
                path.display()
            );
        }
        Some(path) => path.clone(),
        None => folder.path().join("demo.sqlite"),
    };
    let mut workspace = super::workspace::open_or_create(&database)?;
    for (name, bytes) in SAMPLES {
        let path = folder.path().join(name);
        std::fs::write(&path, bytes)?;
        workspace.import(&path, &ImportOptions::default(), &mut |_| {})?;
        eprintln!("imported sample {name}");
    }
    let made = workspace.map_certain()?;
    eprintln!(
        "mapped {} customer(s) by the PSA id they carry, {} by identical name, and {} product(s) by identical name",
        made.by_key, made.by_exact_name, made.products_by_exact_name
    );
    let farewell = farewell(args.keep.as_deref());
    if !args.no_tui && std::io::stdout().is_terminal() {
        // The workbench tour starts with the safe band still in the queue, so that `A` on the
        // Clients screen has something to accept.
        drop(workspace);
        let mut options = crate::tui::WorkbenchOptions::new(database.clone());
        options.title = match &args.keep {
            Some(path) => format!("demo ({})", path.display()),
            None => "demo (temporary database)".to_string(),
        };
        crate::tui::run(&options)?;
        eprintln!("{farewell}");
        return Ok(Outcome::Done);
    }
    // Without a workbench the demo plays an operator who runs `billgap match --accept-above
    // 90`: only unambiguous, very high scores are accepted, each logged as automatic.
    let accepted = workspace.accept_safe_band(crate::domain::matching::HIGH_THRESHOLD)?;
    eprintln!(
        "accepted {} client and {} product suggestion(s) in the safe band; {} await review, {} have no suggestion",
        accepted.clients_accepted,
        accepted.products_accepted,
        accepted.awaiting_review,
        accepted.without_suggestion
    );
    let report = workspace.report(None, true)?;
    print!("{}", super::table::render(&report));
    eprintln!("\n{farewell}");
    Ok(Outcome::Done)
}

/// What the user is told when the demo ends: whether the work lasts, and how to go on.
fn farewell(kept: Option<&std::path::Path>) -> String {
    match kept {
        Some(path) => format!(
            "The demo database is kept at {}. Carry on with `billgap --db {} map …`, or open the workbench with `billgap --db {}`.",
            path.display(),
            path.display(),
            path.display()
        ),
        None => "This was a temporary demo database: nothing you did in it was kept. Run `billgap demo --keep PATH` to keep a demo database, or `billgap import FILE…` to start on your own exports.".to_string(),
    }
}
