//! `billgap clients` and `billgap products`: what the vendor side holds, with mappings, and the
//! mapping queue with ranked suggestions and why.

use super::outcome::Outcome;
use super::stdout::out;
use crate::domain::matching::Band;
use crate::domain::text::strip_control;
use crate::workflow::{Candidate, MappingKind, MappingState, QueueEntry, QueueFilter};
use clap::Args;
use std::path::Path;

/// `billgap clients` / `billgap products`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only those neither mapped nor ignored, with the top suggestions and why: the mapping queue.
    #[arg(long, conflicts_with = "mapped")]
    pub unmapped: bool,
    /// Only those mapped.
    #[arg(long)]
    pub mapped: bool,
}

/// Lists the vendor customers or products, coverage first.
pub fn list(database: &Path, kind: MappingKind, args: &ListArgs) -> color_eyre::Result<Outcome> {
    let mut workspace = super::workspace::open(database)?;
    out!("{}", workspace.coverage()?.headline())?;
    let filter = if args.unmapped {
        QueueFilter::Unmapped
    } else {
        QueueFilter::All
    };
    for entry in workspace.queue(kind, filter)? {
        let mapped = matches!(entry.state, MappingState::Mapped { .. });
        if args.mapped && !mapped {
            continue;
        }
        print_entry(&entry)?;
        if args.unmapped {
            print_candidates(&workspace.candidates(kind, &entry, 3)?)?;
        }
    }
    Ok(Outcome::Done)
}

fn print_entry(entry: &QueueEntry) -> std::io::Result<()> {
    let status = match &entry.state {
        MappingState::Mapped {
            target_key,
            target_name,
            ..
        } => match &entry.made_by {
            Some(made) => format!(
                "→ {target_key} ({}) · {}",
                strip_control(target_name),
                made.words()
            ),
            None => format!("→ {target_key} ({})", strip_control(target_name)),
        },
        MappingState::Ignored { reason, .. } => format!("ignored: {}", strip_control(reason)),
        MappingState::Unmapped => "UNMAPPED".to_string(),
    };
    let spend: Vec<String> = entry.spend.iter().map(ToString::to_string).collect();
    out!(
        "{:<50} {:<44} {:<14} {:>8} seats  {:>16}  {}",
        strip_control(&entry.key.to_string()),
        strip_control(&entry.name),
        strip_control(entry.detail.as_deref().unwrap_or_default()),
        entry.seats.normalize(),
        spend.join(" + "),
        status
    )
}

/// The candidates worth showing (review band and above), with score, band and why.
fn print_candidates(candidates: &[Candidate]) -> std::io::Result<()> {
    let shown: Vec<&Candidate> = candidates
        .iter()
        .filter(|candidate| candidate.suggestion.band != Band::None)
        .collect();
    if shown.is_empty() {
        out!("    no suggestion: map by hand with `billgap map`")?;
    }
    for candidate in shown {
        out!(
            "    {:>3} {:<6} {:<28} {}  ({})",
            candidate.suggestion.score,
            candidate.suggestion.band.as_str(),
            strip_control(&candidate.key.to_string()),
            strip_control(&candidate.suggestion.candidate_name),
            strip_control(&candidate.suggestion.summary())
        )?;
    }
    Ok(())
}
