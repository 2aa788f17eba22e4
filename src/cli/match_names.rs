//! `billgap match-names LEFT.csv RIGHT.csv`: rank right-hand names for every left-hand name,
//! without a database, to try the matcher on real exports or to seed a mapping by hand.

use crate::domain::lines::{Party, SourceKey};
use crate::domain::matching::{ClientMatcher, Feedback, Suggestion, safe_band};
use crate::domain::text::strip_control;
use color_eyre::eyre::{WrapErr, eyre};
use std::path::{Path, PathBuf};

/// The systems the matcher's keys are qualified with. The files come from no database, so
/// their rows have no system of their own; naming the two sides apart keeps a left-hand and a
/// right-hand row with the same id distinct.
const LEFT: &str = "left";
const RIGHT: &str = "right";

/// Arguments of `match-names`.
#[derive(Debug, Clone, clap::Args)]
pub struct MatchNamesArgs {
    /// CSV of the names to match (for example vendor customers): a `name` column, and
    /// optionally `id`, `domain` and `external_id`.
    pub left: PathBuf,
    /// CSV of the candidates (for example PSA companies), same columns.
    pub right: PathBuf,
    /// How many candidates to print per left-hand name.
    #[arg(long, default_value_t = 3)]
    pub top: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = MatchFormat::Csv)]
    pub format: MatchFormat,
}

/// Output formats of `match-names`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MatchFormat {
    /// One row per (left, candidate) pair.
    Csv,
    /// One object per left-hand name with its candidates.
    Json,
}

/// Reads both files, ranks the right-hand rows for every left-hand row and writes the result.
/// Fails when a file cannot be read, is not CSV, or has no `name` column.
pub fn run(args: &MatchNamesArgs, out: &mut dyn std::io::Write) -> color_eyre::Result<()> {
    let left = read_parties(&args.left)?;
    let right = read_parties(&args.right)?;
    let matcher = ClientMatcher::new(
        right
            .into_iter()
            .map(|party| (SourceKey::new(RIGHT, party.key.clone()), party))
            .collect(),
    );
    let feedback = Feedback::new();
    let top = args.top.max(1);
    let ranked: Vec<(Party, Vec<Suggestion>)> = left
        .into_iter()
        .map(|party| {
            let key = SourceKey::new(LEFT, party.key.clone());
            let suggestions = matcher.suggest(&key, &party, &feedback, top);
            (party, suggestions)
        })
        .collect();
    match args.format {
        MatchFormat::Csv => write_csv(&ranked, out),
        MatchFormat::Json => write_json(&ranked, out),
    }
}

fn write_csv(
    ranked: &[(Party, Vec<Suggestion>)],
    out: &mut dyn std::io::Write,
) -> color_eyre::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "left_id",
        "left_name",
        "rank",
        "right_id",
        "right_name",
        "score",
        "band",
        "auto_accept",
        "reason",
        "hold",
    ])?;
    for (party, suggestions) in ranked {
        let verdict = safe_band(suggestions, 0);
        let accepted = verdict.as_ref().ok().map(|s| &s.candidate_key);
        // Why the best is not auto-accepted, in the words the workbench uses too.
        let hold = verdict
            .as_ref()
            .err()
            .map(|hold| hold.to_string())
            .unwrap_or_default();
        if suggestions.is_empty() {
            writer.write_record([
                cell(&party.key).as_str(),
                cell(&party.name).as_str(),
                "",
                "",
                "",
                "",
                "none",
                "false",
                "no candidate shares a token",
                hold.as_str(),
            ])?;
        }
        for (rank, suggestion) in suggestions.iter().enumerate() {
            let auto = rank == 0 && accepted == Some(&suggestion.candidate_key);
            writer.write_record([
                cell(&party.key),
                cell(&party.name),
                (rank + 1).to_string(),
                cell(&suggestion.candidate_key.key),
                cell(&suggestion.candidate_name),
                suggestion.score.to_string(),
                suggestion.band.as_str().to_string(),
                auto.to_string(),
                cell(&suggestion.summary()),
                if rank == 0 {
                    hold.clone()
                } else {
                    String::new()
                },
            ])?;
        }
    }
    writer.flush()?;
    Ok(())
}

fn write_json(
    ranked: &[(Party, Vec<Suggestion>)],
    out: &mut dyn std::io::Write,
) -> color_eyre::Result<()> {
    let rows: Vec<serde_json::Value> = ranked
        .iter()
        .map(|(party, suggestions)| {
            let verdict = safe_band(suggestions, 0);
            let accepted = verdict.as_ref().ok().map(|s| s.candidate_key.key.clone());
            let hold = verdict.as_ref().err().map(|hold| hold.to_string());
            let candidates: Vec<serde_json::Value> = suggestions
                .iter()
                .map(|suggestion| {
                    serde_json::json!({
                        "id": suggestion.candidate_key.key,
                        "name": suggestion.candidate_name,
                        "score": suggestion.score,
                        "band": suggestion.band.as_str(),
                        "reason": suggestion.summary(),
                    })
                })
                .collect();
            serde_json::json!({
                "id": party.key,
                "name": party.name,
                "auto_accept": accepted,
                "hold": hold,
                "candidates": candidates,
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &rows)?;
    writeln!(out)?;
    Ok(())
}

/// Names come from files: control characters go, and a leading formula character is
/// neutralised so the CSV is safe to open in a spreadsheet.
fn cell(text: &str) -> String {
    let clean = strip_control(text);
    if clean.starts_with(['=', '+', '-', '@']) {
        format!("'{clean}")
    } else {
        clean
    }
}

fn read_parties(path: &Path) -> color_eyre::Result<Vec<Party>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .wrap_err_with(|| format!("cannot open {}", path.display()))?;
    let headers: Vec<String> = reader
        .headers()
        .wrap_err_with(|| format!("cannot read the header of {}", path.display()))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_lowercase())
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let name_column = column("name").ok_or_else(|| {
        eyre!(
            "{} has no 'name' column (columns: {})",
            path.display(),
            headers.join(", ")
        )
    })?;
    let (id_column, domain_column) = (column("id"), column("domain"));
    let external_column = column("external_id");
    let mut parties = Vec::new();
    for record in reader.records() {
        let record = record.wrap_err_with(|| format!("cannot read {}", path.display()))?;
        let field = |index: Option<usize>| {
            index
                .and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_string)
        };
        let Some(name) = field(Some(name_column)) else {
            continue;
        };
        parties.push(Party {
            key: field(id_column).unwrap_or_else(|| name.clone()),
            name,
            domain: field(domain_column),
            external_id: field(external_column),
        });
    }
    Ok(parties)
}
