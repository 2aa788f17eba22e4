//! Reading right or refusing loudly (F7, F9, F12, F13, F14, F18, currencies in cells): each
//! case runs the binary on a real SQLite file and checks what was stored, or that nothing was.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn billgap(database: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(args)
        .env("BILLGAP_DB", database)
        .env("NO_COLOR", "1")
        .output()
        .expect("run billgap")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample/partner-center-nce-2026-10.csv")
}

/// One field of every stored line, import by import in file order, as the store reads it back.
fn stored(database: &Path, field: &str) -> Vec<String> {
    let store = billgap::store::Store::open(database).expect("store");
    let mut values = Vec::new();
    let mut sources = store.sources().expect("sources");
    sources.reverse();
    for source in sources {
        for audit in store.import_lines_stored(source.id).expect("lines") {
            let line = audit.line;
            let value = match field {
                "seats" => Some(line.seats),
                "unit_price" => line.unit_price,
                "unit_cost" => line.unit_cost,
                other => panic!("no field {other}"),
            };
            values.push(value.map_or_else(|| "Null".to_string(), |value| value.to_string()));
        }
    }
    values
}

fn query(database: &Path, sql: &str) -> Vec<String> {
    let connection = rusqlite::Connection::open(database).expect("open");
    let mut statement = connection.prepare(sql).expect("query");
    statement
        .query_map([], |row| {
            let value: rusqlite::types::Value = row.get(0)?;
            Ok(match value {
                rusqlite::types::Value::Text(text) => text,
                other => format!("{other:?}"),
            })
        })
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("values")
}

const HALO_HEADER: &str = "client_id,client_name,item_code,qty_order,unit_price,currency_code\n";

#[test]
fn f13_one_stray_byte_does_not_turn_the_rest_of_a_utf8_file_into_windows_1252() {
    let directory = tempfile::tempdir().expect("dir");
    let mut bytes = HALO_HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(b"7,CONTOSO DENTAL - Main Office\xFF,M365,3,12.50,EUR\n");
    bytes.extend_from_slice("8,Zoë Müller GmbH,AV,4,1.25,EUR\n".as_bytes());
    let path = directory.path().join("stray.csv");
    std::fs::write(&path, bytes).expect("write");
    let database = directory.path().join("f13.sqlite");
    let output = billgap(&database, &["import", path.to_str().expect("path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        query(&database, "SELECT name FROM parties ORDER BY key"),
        ["CONTOSO DENTAL - Main Office\u{FFFD}", "Zoë Müller GmbH"]
    );
    assert!(
        stderr(&output).contains("1 invalid UTF-8 bytes in an otherwise UTF-8 file"),
        "{}",
        stderr(&output)
    );
    // A file with no UTF-8 at all is still read as Windows-1252, from its first byte.
    let (legacy, _, _) = encoding_rs::WINDOWS_1252.encode("8,Zoë Müller GmbH,AV,4,1.25,EUR\n");
    let path = directory.path().join("legacy.csv");
    std::fs::write(&path, [HALO_HEADER.as_bytes(), &legacy].concat()).expect("write");
    let database = directory.path().join("legacy.sqlite");
    assert!(
        billgap(&database, &["import", path.to_str().expect("path")])
            .status
            .success()
    );
    assert_eq!(
        query(&database, "SELECT name FROM parties"),
        ["Zoë Müller GmbH"]
    );
}

#[test]
fn f14_a_partner_center_file_without_customer_id_is_refused() {
    let directory = tempfile::tempdir().expect("dir");
    let mut reader = csv::Reader::from_path(sample()).expect("sample");
    let headers = reader.headers().expect("header").clone();
    let keep: Vec<usize> = (0..headers.len())
        .filter(|index| &headers[*index] != "CustomerId")
        .collect();
    let path = directory.path().join("no-customer-id.csv");
    let mut writer = csv::Writer::from_path(&path).expect("create");
    writer
        .write_record(keep.iter().map(|index| &headers[*index]))
        .expect("header");
    for record in reader.records() {
        let record = record.expect("row");
        writer
            .write_record(keep.iter().map(|index| &record[*index]))
            .expect("row");
    }
    writer.flush().expect("flush");
    let database = directory.path().join("f14.sqlite");
    let output = billgap(&database, &["import", path.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("looks like partner-center-nce but has no CustomerId column"),
        "{}",
        stderr(&output)
    );
    assert!(query(&database, "SELECT key FROM parties").is_empty());
}

#[test]
fn f14_an_invisible_character_in_a_tenant_id_does_not_make_a_new_customer() {
    let directory = tempfile::tempdir().expect("dir");
    let text = std::fs::read_to_string(sample()).expect("sample");
    let marked = text.replace(
        "6d7c0404-84d9-41ee-8106-0b4bfcfd8ca2",
        "6d7c0404-84d9-41ee-8106-0b4bfcfd8ca2\u{200B}",
    );
    let path = directory.path().join("zero-width.csv");
    std::fs::write(&path, marked).expect("write");
    let database = directory.path().join("zw.sqlite");
    assert!(
        billgap(&database, &["import", path.to_str().expect("path")])
            .status
            .success()
    );
    let keys = query(
        &database,
        "SELECT key FROM parties WHERE key LIKE '6d7c0404%'",
    );
    assert_eq!(keys, ["6d7c0404-84d9-41ee-8106-0b4bfcfd8ca2"]);
}

#[test]
fn f18_json_numbers_reach_the_database_digit_for_digit() {
    let directory = tempfile::tempdir().expect("dir");
    let document = r#"{"items": [
  {"companyId": "c1", "companyName": "Contoso", "sku": "M365", "type": "subscription",
   "quantity": 3, "price": 12.345678901234567891, "cost": 0.1000000000000000055511151231,
   "currencyCode": "USD"}
]}"#;
    let path = directory.path().join("pax8.json");
    std::fs::write(&path, document).expect("write");
    let database = directory.path().join("f18.sqlite");
    let output = billgap(&database, &["import", path.to_str().expect("path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stored(&database, "unit_price"), ["12.345678901234567891"]);
    assert_eq!(
        stored(&database, "unit_cost"),
        ["0.1000000000000000055511151231"]
    );
    // A bad cell is reported at its own line and column in the file, not as a record number.
    let bad = document.replace("\"quantity\": 3", "\"quantity\": \"three\"");
    std::fs::write(&path, bad).expect("write");
    let database = directory.path().join("bad.sqlite");
    let output = billgap(&database, &["import", path.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("pax8.json:3:16 (quantity)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_currency_in_a_cell_that_contradicts_the_row_is_an_error() {
    let directory = tempfile::tempdir().expect("dir");
    for (name, cell) in [("code.csv", "EUR 369.60"), ("symbol.csv", "€26.40")] {
        let path = directory.path().join(name);
        std::fs::write(&path, format!("{HALO_HEADER}7,Contoso,M365,3,{cell},USD\n"))
            .expect("write");
        let database = directory.path().join(format!("{name}.sqlite"));
        let output = billgap(&database, &["import", path.to_str().expect("path")]);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(
            stderr(&output).contains(&format!("{name}:2:5 (unit_price)")),
            "{}",
            stderr(&output)
        );
        assert!(stderr(&output).contains("the row's currency USD"));
        assert!(stored(&database, "seats").is_empty());
    }
    let path = directory.path().join("same.csv");
    std::fs::write(&path, format!("{HALO_HEADER}7,Contoso,M365,3,$26.40,USD\n")).expect("write");
    let database = directory.path().join("same.sqlite");
    assert!(
        billgap(&database, &["import", path.to_str().expect("path")])
            .status
            .success()
    );
    assert_eq!(stored(&database, "unit_price"), ["26.40"]);
}

#[cfg(unix)]
#[test]
fn f7_a_fifo_or_a_device_is_refused_at_once() {
    let directory = tempfile::tempdir().expect("dir");
    let fifo = directory.path().join("pipe.csv");
    let made = Command::new("mkfifo").arg(&fifo).status();
    let database = directory.path().join("f7.sqlite");
    let started = std::time::Instant::now();
    if made.is_ok_and(|status| status.success()) {
        let output = billgap(&database, &["import", fifo.to_str().expect("path")]);
        assert_eq!(output.status.code(), Some(2));
        assert!(
            stderr(&output).contains("regular files only"),
            "{}",
            stderr(&output)
        );
    }
    let output = billgap(&database, &["import", "/dev/zero"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("regular files only"),
        "{}",
        stderr(&output)
    );
    let profile = billgap(
        &database,
        &[
            "import",
            "--profile",
            "/dev/zero",
            sample().to_str().expect("path"),
        ],
    );
    assert_eq!(profile.status.code(), Some(2));
    assert!(
        stderr(&profile).contains("not a regular file"),
        "{}",
        stderr(&profile)
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn f12_identical_bytes_say_options_were_not_applied_and_replace_reads_them_again() {
    let directory = tempfile::tempdir().expect("dir");
    let path = directory.path().join("cw.csv");
    let connectwise = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/sample/connectwise-additions-2026-10.csv");
    std::fs::copy(connectwise, &path).expect("copy");
    let file = path.to_str().expect("path");
    let database = directory.path().join("f12.sqlite");
    assert!(
        billgap(&database, &["import", "--period", "2026-09", file])
            .status
            .success()
    );
    let again = billgap(&database, &["import", "--period", "2026-10", file]);
    assert!(again.status.success());
    assert!(
        stderr(&again).contains("options given now were not applied"),
        "{}",
        stderr(&again)
    );
    assert!(stderr(&again).contains("--replace"));
    // An unknown format is an error even for bytes imported before.
    let nonsense = billgap(&database, &["import", "--format", "nonsense", file]);
    assert_eq!(nonsense.status.code(), Some(2), "{}", stderr(&nonsense));
    let replaced = billgap(
        &database,
        &["import", "--replace", "--period", "2026-10", file],
    );
    assert!(replaced.status.success(), "{}", stderr(&replaced));
    assert_eq!(
        query(
            &database,
            "SELECT period FROM imports WHERE superseded_by IS NULL"
        ),
        ["2026-10"]
    );
    assert_eq!(
        query(&database, "SELECT count(*) FROM imports"),
        ["Integer(2)"]
    );
}

#[test]
fn f9_a_header_or_file_name_with_escapes_prints_no_control_character() {
    let directory = tempfile::tempdir().expect("dir");
    let path = directory.path().join("evil\u{1b}]0;pwned\u{7}.csv");
    std::fs::write(
        &path,
        "client_id,client_name,item_code,qty_order,unit_price,\u{1b}currency_code\n7,A,M365,3,1,U$\n",
    )
    .expect("write");
    let database = directory.path().join("f9.sqlite");
    let output = billgap(&database, &["import", path.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        !message.contains('\u{1b}') && !message.contains('\u{7}'),
        "{message:?}"
    );
    assert!(message.contains(":2:6 (currency_code)"), "{message}");
    assert!(message.contains("evil]0;pwned.csv"), "{message}");
}

#[test]
fn f11_rejected_rows_are_written_before_the_import_commits() {
    let directory = tempfile::tempdir().expect("dir");
    let path = directory.path().join("x.csv");
    std::fs::write(
        &path,
        format!("{HALO_HEADER}7,A,M365,3,1.50,USD\n8,B,AV,three,2.50,USD\n9,C,AV,2,2.50,USD\n"),
    )
    .expect("write");
    let file = path.to_str().expect("path");
    let rejects = directory.path().join("x.csv.rejected.csv");
    let database = directory.path().join("f11.sqlite");
    // A directory where the rejects go: refused before anything is committed.
    std::fs::create_dir(&rejects).expect("mkdir");
    let output = billgap(&database, &["import", "--skip-bad-rows", file]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(query(&database, "SELECT id FROM imports").is_empty());
    std::fs::remove_dir(&rejects).expect("rmdir");
    // A symlink there is not followed: its target is never overwritten.
    #[cfg(unix)]
    {
        let victim = directory.path().join("victim.txt");
        std::fs::write(&victim, "keep me").expect("write");
        std::os::unix::fs::symlink(&victim, &rejects).expect("symlink");
        let output = billgap(&database, &["import", "--skip-bad-rows", file]);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep me");
        assert!(query(&database, "SELECT id FROM imports").is_empty());
        std::fs::remove_file(&rejects).expect("unlink");
    }
    let output = billgap(&database, &["import", "--skip-bad-rows", file]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stored(&database, "seats"), ["3", "2"]);
    let written = std::fs::read_to_string(&rejects).expect("rejects");
    assert!(
        written.contains("x.csv:3:4 (qty_order)") && written.contains("three"),
        "{written}"
    );
}

#[test]
fn f11_a_failure_among_several_files_says_what_the_others_did() {
    let directory = tempfile::tempdir().expect("dir");
    let good = directory.path().join("good.csv");
    let bad = directory.path().join("bad.csv");
    let more = directory.path().join("more.csv");
    std::fs::write(&good, format!("{HALO_HEADER}7,A,M365,3,1.50,USD\n")).expect("write");
    std::fs::write(&bad, format!("{HALO_HEADER}7,A,M365,x,1.50,USD\n")).expect("write");
    std::fs::write(&more, format!("{HALO_HEADER}8,B,M365,2,1.50,USD\n")).expect("write");
    let database = directory.path().join("multi.sqlite");
    let output = billgap(
        &database,
        &[
            "import",
            good.to_str().expect("path"),
            bad.to_str().expect("path"),
            more.to_str().expect("path"),
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("were imported and stay:") && message.contains("good.csv"),
        "{message}"
    );
    assert!(
        message.contains("not read") && message.contains("more.csv"),
        "{message}"
    );
    assert_eq!(stored(&database, "seats"), ["3"]);
}

#[test]
fn f12_the_same_file_imported_by_two_processes_at_once_is_imported_once() {
    let directory = tempfile::tempdir().expect("dir");
    let path = directory.path().join("big.csv");
    let mut text = HALO_HEADER.to_string();
    for row in 0..10_000 {
        text.push_str(&format!(
            "{},Client {row},M365,{},12.50,USD\n",
            row % 500,
            row % 7 + 1
        ));
    }
    std::fs::write(&path, text).expect("write");
    let database = directory.path().join("twice.sqlite");
    // The database exists first, so both processes only race for the import itself.
    let small = directory.path().join("small.csv");
    std::fs::write(&small, format!("{HALO_HEADER}7,A,AV,3,1.50,USD\n")).expect("write");
    assert!(
        billgap(&database, &["import", small.to_str().expect("path")])
            .status
            .success()
    );
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_billgap"))
            .args(["import", path.to_str().expect("path")])
            .env("BILLGAP_DB", &database)
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    let (first, second) = (spawn(), spawn());
    for child in [first, second] {
        let output = child.wait_with_output().expect("wait");
        assert!(output.status.success(), "{}", stderr(&output));
    }
    assert_eq!(
        query(
            &database,
            "SELECT count(*) FROM imports WHERE file_name LIKE '%big.csv'"
        ),
        ["Integer(1)"]
    );
}
