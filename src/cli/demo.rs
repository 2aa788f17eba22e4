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

/// Imports the samples into a temporary database, maps what needs no judgement and the safe
/// band, then opens the workbench (or prints the gap table).
pub fn run(args: &DemoArgs) -> color_eyre::Result<Outcome> {
    let folder = tempfile::tempdir()?;
    let database = folder.path().join("demo.sqlite");
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
    // The demo plays an operator who runs `billgap match --accept-above 90`: only unambiguous,
    // very high scores are accepted, each logged as automatic; the rest stays in the queue.
    let accepted = workspace.accept_safe_band(crate::domain::matching::HIGH_THRESHOLD)?;
    eprintln!(
        "accepted {} client and {} product suggestion(s) in the safe band; {} await review, {} have no suggestion",
        accepted.clients_accepted,
        accepted.products_accepted,
        accepted.awaiting_review,
        accepted.without_suggestion
    );
    let report = workspace.report(None, true)?;
    if !args.no_tui && std::io::stdout().is_terminal() {
        drop(workspace);
        let mut options = crate::tui::WorkbenchOptions::new(database.clone());
        options.title = "demo (temporary database)".to_string();
        crate::tui::run(&options)?;
        return Ok(Outcome::Done);
    }
    print!("{}", super::table::render(&report));
    eprintln!(
        "\nThis demo database is temporary ({}). Map the rest with `billgap map`, or open the workbench.",
        database.display()
    );
    Ok(Outcome::Done)
}
