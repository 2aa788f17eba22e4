//! The billgap command: installs error reporting, parses the command line and dispatches.

use clap::Parser;

fn main() {
    if let Err(error) = color_eyre::install() {
        eprintln!("billgap: cannot install error reporting: {error}");
    }
    let cli = billgap::cli::Cli::parse();
    let code = match billgap::cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            2
        }
    };
    std::process::exit(code);
}
