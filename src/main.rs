//! The billgap command: installs error reporting, parses the command line and dispatches.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    if let Err(error) = color_eyre::install() {
        eprintln!("billgap: cannot install error reporting: {error}");
    }
    let cli = billgap::cli::Cli::parse();
    match billgap::cli::run(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
