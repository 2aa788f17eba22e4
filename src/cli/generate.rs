//! `billgap generate`: a deterministic pair of exports at any scale, with the truth beside it.

use super::outcome::Outcome;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `billgap generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How many clients (vendor tenants and PSA companies).
    #[arg(long, default_value_t = 300)]
    pub clients: usize,
    /// How many vendor (Partner Center NCE) lines; at least about 4.5 per client.
    #[arg(long, default_value_t = 10_000)]
    pub lines: usize,
    /// The seed: the same seed and sizes always write the same bytes.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The folder to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Writes the files and says what they hold and how to use them.
pub fn run(args: &GenerateArgs) -> color_eyre::Result<Outcome> {
    let generated = crate::generate::generate(&args.out, args.clients, args.lines, args.seed)?;
    let [unbilled, overbilled, missing, orphan, price] = generated.gap_counts;
    eprintln!(
        "wrote {} ({} lines), {}, {} and {}\nthe files hold {unbilled} unbilled, {overbilled} overbilled, {missing} missing, {orphan} orphan and {price} price gap(s)\ntry: billgap --db demo.sqlite import {} {} && billgap --db demo.sqlite map --from {} && billgap --db demo.sqlite gaps",
        generated.vendor.display(),
        args.lines,
        generated.psa.display(),
        generated.mappings.display(),
        generated.expected_gaps.display(),
        generated.vendor.display(),
        generated.psa.display(),
        generated.mappings.display(),
    );
    Ok(Outcome::Done)
}
