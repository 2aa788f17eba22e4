//! The billgap command: installs error reporting, parses the command line and dispatches.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // NO_COLOR (https://no-color.org) holds for panic reports too.
    if let Err(error) = billgap::cli::failure::hooks(billgap::cli::failure::no_color()).install() {
        eprintln!("billgap: cannot install error reporting: {error}");
    }
    let cli = billgap::cli::Cli::parse();
    match billgap::cli::run(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(error) => {
            eprintln!("error: {}", billgap::cli::failure::one_line(error.as_ref()));
            ExitCode::from(2)
        }
    }
}
