//! `match-names` end to end through the library entry point, with real files.

use billgap::cli::match_names::{MatchFormat, MatchNamesArgs, run};
use std::io::Write;

fn file(contents: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(contents.as_bytes()).expect("write");
    file
}

fn args(
    left: &tempfile::NamedTempFile,
    right: &tempfile::NamedTempFile,
    format: MatchFormat,
) -> MatchNamesArgs {
    MatchNamesArgs {
        left: left.path().to_path_buf(),
        right: right.path().to_path_buf(),
        top: 2,
        format,
    }
}

#[test]
fn csv_output_ranks_candidates_with_band_and_reason() {
    let left = file(
        "\u{feff}Name,ID,Domain\nContoso Ltd.,v-1,contoso.onmicrosoft.com\n\"Smith & Associates, LLC\",v-2,\nZzyzx Quux,v-3,\n",
    );
    let right = file(
        "id,name,domain\ncw-1,CONTOSO - Main Office,contoso.com\ncw-2,Smith and Assoc.,\ncw-3,Contoso Dental,\n",
    );
    let mut out = Vec::new();
    run(&args(&left, &right, MatchFormat::Csv), &mut out).expect("runs");
    let text = String::from_utf8(out).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "left_id,left_name,rank,right_id,right_name,score,band,auto_accept,reason,hold"
    );
    assert!(
        lines[1].starts_with("v-1,Contoso Ltd.,1,cw-1,CONTOSO - Main Office,"),
        "{text}"
    );
    assert!(lines[1].contains(",high,true,"), "{text}");
    assert!(lines[2].starts_with("v-1,Contoso Ltd.,2,cw-3,"), "{text}");
    assert!(
        text.contains("v-2,\"Smith & Associates, LLC\",1,cw-2,Smith and Assoc."),
        "{text}"
    );
    assert!(text.contains("v-3,Zzyzx Quux,,,,,none,false,"), "{text}");
    assert!(text.ends_with(",no suggestion\n"), "{text}");
}

#[test]
fn a_held_pair_says_why_in_business_words() {
    let left = file("name\nNorthside Health\nLincoln\n");
    let right = file(
        "id,name\nn-1,Northside Health - Eastgate\nn-2,Northside Health Westfield\nl-1,Lincoln\nl-2,Metro Schools Lincoln\n",
    );
    let mut out = Vec::new();
    run(&args(&left, &right, MatchFormat::Csv), &mut out).expect("runs");
    let text = String::from_utf8(out).expect("utf-8");
    let first_of = |name: &str| {
        text.lines()
            .find(|line| line.starts_with(&format!("{name},{name},1,")))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        first_of("Northside Health").contains(",high,false,"),
        "{text}"
    );
    assert!(
        first_of("Northside Health").ends_with(",2 sites of Northside Health"),
        "{text}"
    );
    assert!(
        first_of("Lincoln").ends_with(",\"short common name, no id or domain\""),
        "{text}"
    );
}

#[test]
fn json_output_and_a_missing_name_column_is_an_error() {
    let left = file("name\nSmith & Associates LLC\n");
    let right = file("name,id\nSmith and Assoc.,cw-2\n");
    let mut out = Vec::new();
    run(&args(&left, &right, MatchFormat::Json), &mut out).expect("runs");
    let value: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(value[0]["name"], "Smith & Associates LLC");
    assert_eq!(
        value[0]["id"], "Smith & Associates LLC",
        "no id column: the name is the key"
    );
    assert_eq!(value[0]["candidates"][0]["id"], "cw-2");
    assert_eq!(value[0]["candidates"][0]["band"], "high");
    assert_eq!(value[0]["auto_accept"], "cw-2");
    assert_eq!(value[0]["hold"], serde_json::Value::Null);

    let bad = file("company\nContoso\n");
    let error =
        run(&args(&bad, &right, MatchFormat::Csv), &mut Vec::new()).expect_err("no name column");
    assert!(error.to_string().contains("no 'name' column"), "{error}");
}
