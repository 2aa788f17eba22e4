//! `billgap import` and `billgap formats`.

use super::outcome::Outcome;
use super::stdout::out;
use crate::domain::lines::{Period, Side};
use crate::domain::money::Currency;
use crate::import::{ImportOptions, Progress};
use clap::Args;
use color_eyre::eyre::bail;
use std::path::{Path, PathBuf};

/// Arguments of `billgap import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Export files to import, or folders of them (every file directly inside, by name); each
    /// file is one transaction.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Which side the files feed (normally known from the format).
    #[arg(long, value_parser = parse_side)]
    pub side: Option<Side>,
    /// Force a format instead of detecting it (see `billgap formats`).
    #[arg(long)]
    pub format: Option<String>,
    /// A generic profile (TOML) naming which column is which, for exports billgap does not
    /// know; use with `--format generic` (example: assets/formats/generic-example.toml).
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// The billing period the files cover, YYYY-MM (normally taken from their dates).
    #[arg(long)]
    pub period: Option<Period>,
    /// Currency for files that have no currency column.
    #[arg(long)]
    pub currency: Option<Currency>,
    /// Numbers use a decimal comma (12,50). Without it or --decimal-point, the file's own
    /// number cells decide, and a file they leave ambiguous (only cells like 12.495) is refused.
    #[arg(long, conflicts_with = "decimal_point")]
    pub decimal_comma: bool,
    /// Numbers use a decimal point (12.50); settles a file whose cells read both ways.
    #[arg(long)]
    pub decimal_point: bool,
    /// Slash dates are day first (31/01/2026).
    #[arg(long)]
    pub day_first: bool,
    /// Read the files even if the same bytes were imported before (to apply other options),
    /// and let each replace every current import of its period whose slice it overlaps.
    #[arg(long)]
    pub replace: bool,
    /// Import the good rows and write the bad ones, with reasons, to FILE.rejected.csv.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// A file to join with a raw API response that names no company: the ConnectWise
    /// agreements (/finance/agreements) beside an /additions response, or the Autotask
    /// Contracts (and Companies, Services) beside a ContractServiceUnits response. Repeat it
    /// for each file.
    #[arg(long = "with", value_name = "FILE")]
    pub with: Vec<PathBuf>,
}

fn parse_side(text: &str) -> Result<Side, String> {
    text.parse()
        .map_err(|error: crate::domain::lines::InvalidSide| error.to_string())
}

/// Imports every file; stops at the first failure, which leaves the database unchanged for
/// that file.
pub fn run(database: &Path, args: &ImportArgs) -> color_eyre::Result<Outcome> {
    let mut workspace = super::workspace::open_or_create(database)?;
    let options = ImportOptions {
        format: args.format.clone(),
        side: args.side,
        period: args.period,
        skip_bad_rows: args.skip_bad_rows,
        decimal_comma: args.decimal_comma,
        decimal_point: args.decimal_point,
        day_first: args.day_first,
        currency: args.currency.clone(),
        profile: args.profile.clone(),
        replace: args.replace,
        with: args.with.clone(),
    };
    // A folder stands for the exports directly in it, in name order; the files in it that are
    // not exports are named and left out, and a raw API answer is read with the agreements or
    // contracts saved beside it. A file named on its own must be an export.
    let mut files: Vec<(PathBuf, ImportOptions)> = Vec::new();
    for path in &args.files {
        if !path.is_dir() {
            files.push((path.clone(), options.clone()));
            continue;
        }
        for file in crate::workflow::detect_folder(path, &options)? {
            let name =
                |path: &Path| crate::domain::text::strip_control(&path.display().to_string());
            match (&file.beside_of, &file.detected) {
                (Some(main), _) => eprintln!("read {} beside {}", name(&file.path), name(main)),
                (None, Ok(_)) => files.push((file.path.clone(), file.options(&options))),
                (None, Err(reason)) => eprintln!(
                    "left out {}: {}",
                    name(&file.path),
                    reason.lines().next().unwrap_or_default()
                ),
            }
        }
    }
    for (index, (file, options)) in files.iter().enumerate() {
        let bar = progress_bar(file);
        let receipt = workspace.import(file, options, &mut |progress: Progress| {
            bar.set_length(progress.total_bytes);
            bar.set_position(progress.bytes_read);
            bar.set_message(format!("{} rows", progress.rows));
        });
        bar.finish_and_clear();
        match receipt {
            Ok(receipt) => eprintln!("{}", receipt.sentence()),
            // "The database is unchanged" is true of this file only: say what the earlier
            // files did and which later ones were not read.
            Err(error) => {
                let names = |files: &[(PathBuf, ImportOptions)]| {
                    let names: Vec<String> = files
                        .iter()
                        .map(|(f, _)| crate::domain::text::strip_control(&f.display().to_string()))
                        .collect();
                    names.join(", ")
                };
                let before = files.get(..index).unwrap_or_default();
                let after = files.get(index.saturating_add(1)..).unwrap_or_default();
                let mut context = String::new();
                if !before.is_empty() {
                    context.push_str(&format!(
                        "\nthe files before it were imported and stay: {}",
                        names(before)
                    ));
                }
                if !after.is_empty() {
                    context.push_str(&format!(
                        "\nnot read, because billgap stops at the first failure: {}",
                        names(after)
                    ));
                }
                return Err(color_eyre::eyre::eyre!("{error}{context}"));
            }
        }
    }
    Ok(Outcome::Done)
}

fn progress_bar(file: &Path) -> indicatif::ProgressBar {
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {bytes}/{total_bytes} {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(file.display().to_string());
    bar
}

/// Prints the known formats.
pub fn list_formats() -> color_eyre::Result<Outcome> {
    let formats = crate::import::known_formats();
    if formats.is_empty() {
        bail!("no formats are built in");
    }
    for format in formats {
        let side = format.side.map_or("either side", |side| side.as_str());
        out!(
            "{:<28} {:<12} {:<11} {}",
            format.name,
            format.system,
            side,
            format.description
        )?;
        if !format.fingerprint.is_empty() {
            out!("{:<28} detected by: {}", "", format.fingerprint.join(", "))?;
        }
        let layout = if format.verified {
            "verified against a real layout"
        } else {
            "UNVERIFIED: built from the spec only"
        };
        out!("{:<28} {layout}: {}", "", format.evidence)?;
    }
    Ok(Outcome::Done)
}
