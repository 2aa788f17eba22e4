//! Raw API responses that name no company, imported with the file beside them (`--with`): the
//! ConnectWise `/additions` answer with its agreements, and the Autotask `ContractServiceUnits`
//! answer with its contracts (and companies and services). Seats, keys and money are checked,
//! and every refusal is located in the file that holds the fault.

use billgap::domain::lines::Line;
use billgap::import::{ImportError, ImportOptions, ImportSummary, parse_file};
use rust_decimal_macros::dec;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A raw `/finance/agreements/{id}/additions` answer: two agreements' additions, one of an
/// agreement that is no longer active, one not billable.
const ADDITIONS: &str = r#"[
  {"id": 1, "agreementId": 101, "product": {"id": 9001, "identifier": "M365-BP"},
   "quantity": 12, "lessIncluded": 2, "unitPrice": 22.10, "unitCost": 18.70,
   "billCustomer": "Billable", "effectiveDate": "2026-01-01T00:00:00Z",
   "description": "Microsoft 365 Business Premium", "agreementStatus": "Active"},
  {"id": 2, "agreementId": 102, "product": {"id": 9002, "identifier": "AV"},
   "quantity": 5, "lessIncluded": 0, "unitPrice": 3.333, "unitCost": 1,
   "billCustomer": "Billable", "effectiveDate": "2026-01-01T00:00:00Z",
   "description": "Antivirus", "agreementStatus": "Active"},
  {"id": 3, "agreementId": 101, "product": {"id": 9002, "identifier": "AV"},
   "quantity": 4, "lessIncluded": 0, "unitPrice": 3, "unitCost": 1,
   "billCustomer": "DoNotBill", "effectiveDate": "2026-01-01T00:00:00Z",
   "description": "Antivirus", "agreementStatus": "Active"}
]"#;

/// The `/finance/agreements` answer beside it; agreement 102 was cancelled since.
const AGREEMENTS: &str = r#"[
  {"id": 101, "name": "Contoso managed services", "agreementStatus": "Active",
   "company": {"id": 1010, "identifier": "CONTOSO", "name": "Contoso Ltd"},
   "currency": {"id": 1, "currencyCode": "EUR"}},
  {"id": 102, "name": "Fabrikam managed services", "agreementStatus": "Cancelled",
   "company": {"id": 1020, "identifier": "FABRIKAM", "name": "Fabrikam"},
   "currency": {"id": 1, "currencyCode": "EUR"}}
]"#;

struct Files {
    folder: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        Files {
            folder: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.folder.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    }
}

fn with(beside: &[&Path]) -> ImportOptions {
    ImportOptions {
        period: Some("2026-10".parse().expect("period")),
        with: beside.iter().map(|path| path.to_path_buf()).collect(),
        ..ImportOptions::default()
    }
}

fn read(path: &Path, options: &ImportOptions) -> Result<(ImportSummary, Vec<Line>), ImportError> {
    let mut lines = Vec::new();
    parse_file(path, options, &mut lines, &mut |_| {}).map(|summary| (summary, lines))
}

fn refusal(path: &Path, options: &ImportOptions) -> String {
    match read(path, options) {
        Ok((summary, lines)) => panic!("expected a refusal, read {summary:?} {lines:?}"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn additions_get_their_agreements_company_status_and_currency() {
    let files = Files::new();
    let additions = files.write("additions.json", ADDITIONS);
    let agreements = files.write("agreements.json", AGREEMENTS);
    let (summary, lines) = read(&additions, &with(&[&agreements])).expect("imports");
    assert_eq!(summary.source.format, "connectwise-additions-json");
    assert_eq!(summary.rows_read, 3);
    assert_eq!(
        summary.excluded, 2,
        "the cancelled agreement's addition and the DoNotBill one are not billed"
    );
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert_eq!(
        (line.customer.key.as_str(), line.customer.name.as_str()),
        ("CONTOSO", "Contoso Ltd")
    );
    assert_eq!(line.product.key, "M365-BP");
    assert_eq!(line.seats, dec!(10), "quantity 12 less 2 included");
    let amount = line.amount.as_ref().expect("an amount");
    assert_eq!(
        (amount.amount, amount.currency.code()),
        (dec!(221.00), "EUR"),
        "the agreement's currency, exact money"
    );
    assert_eq!(line.subscription.as_deref(), Some("101"));
}

#[test]
fn an_addition_whose_agreement_is_not_beside_it_is_refused_at_its_agreement_id() {
    let files = Files::new();
    let additions = files.write("additions.json", ADDITIONS);
    let only_contoso = files.write(
        "agreements.json",
        r#"[{"id": 101, "name": "Contoso", "company": {"identifier": "CONTOSO"}}]"#,
    );
    let message = refusal(&additions, &with(&[&only_contoso]));
    // The second addition's agreementId is on line 6, column 28 of additions.json.
    assert!(
        message.starts_with("additions.json:6:28 (agreementId): "),
        "{message}"
    );
    assert!(
        message.contains("agreement 102, which is not in agreements.json"),
        "{message}"
    );
}

#[test]
fn a_bad_cell_copied_from_the_agreement_is_located_in_the_agreements_file() {
    let files = Files::new();
    let additions = files.write("additions.json", ADDITIONS);
    let agreements = files.write(
        "agreements.json",
        &AGREEMENTS.replace(
            r#""currencyCode": "EUR"}},"#,
            r#""currencyCode": "EURO"}},"#,
        ),
    );
    let message = refusal(&additions, &with(&[&agreements]));
    assert!(
        message.starts_with("agreements.json:4:42 (currency.currencyCode): "),
        "{message}"
    );
}

#[test]
fn a_raw_response_without_its_beside_file_says_which_flag_reads_it() {
    let files = Files::new();
    let additions = files.write("additions.json", ADDITIONS);
    let message = refusal(&additions, &with(&[]));
    assert!(message.contains("raw ConnectWise /additions"), "{message}");
    assert!(message.contains("--with agreements.json"), "{message}");
    let units = files.write("units.json", UNITS);
    let message = refusal(&units, &with(&[]));
    assert!(message.contains("--with contracts.json"), "{message}");
}

#[test]
fn with_is_refused_for_a_file_that_names_its_companies() {
    let files = Files::new();
    let agreements = files.write("agreements.json", AGREEMENTS);
    let joined = files.write(
        "joined.json",
        r#"[{"agreementId": 101, "company": {"identifier": "CONTOSO"},
             "product": {"identifier": "AV"}, "quantity": 1, "lessIncluded": 0,
             "billCustomer": "Billable", "currency": "EUR"}]"#,
    );
    let message = refusal(&joined, &with(&[&agreements]));
    assert!(message.contains("drop --with"), "{message}");
    let csv = files.write("additions.csv", "a,b\n1,2\n");
    let message = refusal(&csv, &with(&[&agreements]));
    assert!(message.contains("not JSON"), "{message}");
    let additions = files.write("additions.json", ADDITIONS);
    let not_agreements = files.write("other.json", r#"[{"id": 1, "title": "x"}]"#);
    let message = refusal(&additions, &with(&[&not_agreements]));
    assert!(
        message.starts_with("other.json: ") && message.contains("ConnectWise agreements"),
        "{message}"
    );
}

/// A raw `ContractServiceUnits` answer: the October row and a September row of one contract
/// service, and a row of another contract.
const UNITS: &str = r#"{"items": [
  {"id": 1, "contractID": 501, "contractServiceID": 7001, "serviceID": 31,
   "startDate": "2026-10-01T00:00:00", "endDate": "2026-10-31T00:00:00", "units": 14,
   "price": 21.50, "cost": 17.00},
  {"id": 2, "contractID": 501, "contractServiceID": 7001, "serviceID": 31,
   "startDate": "2026-09-01T00:00:00", "endDate": "2026-09-30T00:00:00", "units": 12,
   "price": 21.50, "cost": 17.00},
  {"id": 3, "contractID": 502, "contractServiceID": 7002, "serviceID": 32,
   "startDate": "2026-10-01T00:00:00", "endDate": "2026-10-31T00:00:00", "units": 3,
   "price": 5, "cost": 2}
], "pageDetails": {"count": 3, "requestCount": 500, "nextPageUrl": null}}"#;

const CONTRACTS: &str = r#"{"items": [
  {"id": 501, "companyID": 29683, "contractName": "Managed M365"},
  {"id": 502, "companyID": 29684, "contractName": "Security"}
]}"#;

const COMPANIES: &str = r#"{"items": [{"id": 29683, "companyName": "Contoso Ltd"}, {"id": 29684, "companyName": "Fabrikam"}]}"#;

const SERVICES: &str = r#"{"items": [{"id": 31, "name": "M365 Business Premium"}]}"#;

#[test]
fn service_units_get_their_contracts_company_and_the_names_beside_them() {
    let files = Files::new();
    let units = files.write("units.json", UNITS);
    let contracts = files.write("contracts.json", CONTRACTS);
    let companies = files.write("companies.json", COMPANIES);
    let services = files.write("services.json", SERVICES);
    // Autotask units carry no currency; the user names it, as for any such file.
    let options = ImportOptions {
        currency: Some("USD".parse().expect("currency")),
        ..with(&[&services, &contracts, &companies])
    };
    let (summary, lines) = read(&units, &options).expect("imports");
    assert_eq!(summary.source.format, "autotask-service-units-json");
    assert_eq!(lines.len(), 2, "the September row is not October's seats");
    let contoso = &lines[0];
    assert_eq!(
        (
            contoso.customer.key.as_str(),
            contoso.customer.name.as_str()
        ),
        ("29683", "Contoso Ltd")
    );
    assert_eq!(
        (contoso.product.key.as_str(), contoso.product.name.as_str()),
        ("31", "M365 Business Premium")
    );
    assert_eq!(contoso.seats, dec!(14));
    assert_eq!(
        contoso.amount.as_ref().map(|money| money.amount),
        Some(dec!(301.00))
    );
    // Service 32 is not in services.json: its id is its name, as the connector names it.
    assert_eq!(lines[1].customer.name, "Fabrikam");
    assert_eq!(lines[1].product.name, "32");
    let (_, without_names) = read(
        &units,
        &ImportOptions {
            currency: Some("USD".parse().expect("currency")),
            ..with(&[&contracts])
        },
    )
    .expect("contracts alone are enough");
    assert_eq!(without_names[0].customer.key, "29683");
    assert_eq!(without_names[0].customer.name, "29683");
}

#[test]
fn a_unit_whose_contract_is_missing_or_has_no_company_is_refused_where_it_is() {
    let files = Files::new();
    let units = files.write("units.json", UNITS);
    let one_contract = files.write(
        "contracts.json",
        r#"{"items": [{"id": 501, "companyID": 29683}]}"#,
    );
    let options = ImportOptions {
        currency: Some("USD".parse().expect("currency")),
        ..with(&[&one_contract])
    };
    let message = refusal(&units, &options);
    // The third unit's contractID is on line 8, column 27 of units.json.
    assert!(
        message.starts_with("units.json:8:27 (contractID): "),
        "{message}"
    );
    assert!(message.contains("contract 502"), "{message}");
    let no_company = files.write(
        "contracts.json",
        "{\"items\": [\n {\"id\": 501, \"companyID\": null},\n {\"id\": 502, \"companyID\": 1}]}",
    );
    let message = refusal(&units, &options);
    let _ = no_company;
    assert!(
        message.starts_with("contracts.json:2:27 (companyID): "),
        "{message}"
    );
}

fn billgap(database: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(args)
        .env("BILLGAP_DB", database)
        .env("NO_COLOR", "1")
        .output()
        .expect("run billgap")
}

#[test]
fn the_cli_joins_with_and_new_agreements_beside_the_same_additions_are_a_new_import() {
    let files = Files::new();
    let database = files.folder.path().join("billgap.sqlite");
    let additions = files.write("additions.json", ADDITIONS);
    let agreements = files.write("agreements.json", AGREEMENTS);
    let run = |agreements: &Path| {
        billgap(
            &database,
            &[
                "import",
                "--period",
                "2026-10",
                additions.to_str().expect("path"),
                "--with",
                agreements.to_str().expect("path"),
            ],
        )
    };
    let first = run(&agreements);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let connection = rusqlite::Connection::open(&database).expect("open");
    let named: i64 = connection
        .query_row(
            "SELECT count(*) FROM parties WHERE name = 'Contoso Ltd'",
            [],
            |row| row.get(0),
        )
        .expect("count");
    assert_eq!(named, 1, "the company came from the agreement");
    let reactivated = files.write(
        "agreements-november.json",
        &AGREEMENTS.replace("\"Cancelled\"", "\"Active\""),
    );
    let second = run(&reactivated);
    let said = String::from_utf8_lossy(&second.stderr).into_owned();
    assert!(second.status.success(), "{said}");
    assert!(!said.contains("already imported"), "{said}");
    let current: i64 = connection
        .query_row(
            "SELECT count(*) FROM imports WHERE superseded_by IS NULL",
            [],
            |row| row.get(0),
        )
        .expect("count");
    assert_eq!(current, 1, "the second reading replaces the first");
    let formats = billgap(&database, &["formats"]);
    let listed = String::from_utf8_lossy(&formats.stdout).into_owned();
    assert!(listed.contains("--with"), "{listed}");
}
