//! `billgap secret set` through the built binary: it reads from stdin when there is no
//! terminal, never echoes, and when there is no keyring it says which variable to set instead,
//! without repeating the value.

use std::io::Write;
use std::process::{Command, Stdio};

fn secret_set(name: &str, input: &str) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(["secret", "set", name])
        .env("BILLGAP_KEYRING", "none")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let output = child.wait_with_output().expect("wait");
    (
        output.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

#[test]
fn without_a_keyring_the_error_names_the_variable_and_never_the_value() {
    let (code, output) = secret_set("pax8.client_secret", "pax8-value-never-shown\n");
    assert_eq!(code, Some(2), "{output}");
    assert!(output.contains("BILLGAP_PAX8_CLIENT_SECRET"), "{output}");
    assert!(!output.contains("pax8-value-never-shown"), "{output}");
    let (code, output) = secret_set("smtp", "mail-value-never-shown\n");
    assert_eq!(code, Some(2));
    assert!(output.contains("BILLGAP_SMTP_PASSWORD"), "{output}");
    assert!(!output.contains("mail-value-never-shown"), "{output}");
}

#[test]
fn unknown_names_and_empty_values_are_refused() {
    let (code, output) = secret_set("nosuch", "x\n");
    assert_eq!(code, Some(2));
    assert!(
        output.contains("pax8") && output.contains("connectwise"),
        "lists the known ones: {output}"
    );
    let (code, output) = secret_set("pax8.password", "x\n");
    assert_eq!(code, Some(2));
    assert!(output.contains("client_id, client_secret"), "{output}");
    let (code, output) = secret_set("pax8", "\n");
    assert_eq!(code, Some(2));
    assert!(output.contains("empty"), "{output}");
}
