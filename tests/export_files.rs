//! Report files are written atomically in every format: a temporary file in the destination's
//! folder is renamed over it only when complete, so a reader never sees half a report and a
//! failure leaves nothing behind.

#[allow(dead_code)]
mod export_support;

use billgap::export::{ExportFormat, write_report_file};

fn entries(folder: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .expect("folder")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn xlsx_and_html_replace_the_destination_in_one_step() {
    let folder = tempfile::tempdir().expect("temp");
    let report = export_support::delta_report();
    for (format, name, magic) in [
        (ExportFormat::Xlsx, "report.xlsx", &b"PK\x03\x04"[..]),
        (ExportFormat::Html, "report.html", &b"<!DOCTYPE html>"[..]),
    ] {
        let path = folder.path().join(name);
        std::fs::write(&path, b"the previous report").expect("old file");
        write_report_file(&report, format, &path).expect("write");
        let written = std::fs::read(&path).expect("read");
        assert!(written.starts_with(magic), "{name}");
    }
    assert_eq!(
        entries(folder.path()),
        ["report.html", "report.xlsx"],
        "no temporary file left"
    );
}

#[test]
fn a_failed_write_leaves_no_temporary_file() {
    let folder = tempfile::tempdir().expect("temp");
    let report = export_support::delta_report();
    // The destination is a folder: the rename over it fails after the report was written.
    let occupied = folder.path().join("occupied.xlsx");
    std::fs::create_dir(&occupied).expect("folder");
    for format in [ExportFormat::Xlsx, ExportFormat::Html] {
        assert!(write_report_file(&report, format, &occupied).is_err());
    }
    assert_eq!(entries(folder.path()), ["occupied.xlsx"]);
    assert!(occupied.is_dir());
}

#[test]
fn the_new_formats_parse_and_name_their_files() {
    assert_eq!("xlsx".parse::<ExportFormat>(), Ok(ExportFormat::Xlsx));
    assert_eq!("XLSX".parse::<ExportFormat>(), Ok(ExportFormat::Xlsx));
    assert_eq!("html".parse::<ExportFormat>(), Ok(ExportFormat::Html));
    assert_eq!(ExportFormat::Xlsx.extension(), "xlsx");
    assert_eq!(ExportFormat::Html.extension(), "html");
    assert!(ExportFormat::ALL.contains(&ExportFormat::Xlsx));
    assert!(ExportFormat::ALL.contains(&ExportFormat::Html));
    let error = "pdf".parse::<ExportFormat>().expect_err("unknown");
    assert!(error.contains("xlsx") && error.contains("html"), "{error}");
}

#[test]
fn every_format_writes_through_one_writer() {
    let report = export_support::delta_report();
    for format in ExportFormat::ALL {
        let mut bytes = Vec::new();
        billgap::export::write_report(&report, format, &mut bytes).expect("write");
        assert!(!bytes.is_empty(), "{format:?}");
    }
}
