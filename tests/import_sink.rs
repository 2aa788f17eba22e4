//! A sink's own error reaches the caller typed, not flattened to its message.

use billgap::domain::lines::Line;
use billgap::import::{ImportError, ImportOptions, LineSink, SinkError, parse_file};
use std::error::Error;

/// The error a real sink (the store) would have: its own type, with its own fields.
#[derive(Debug, thiserror::Error)]
#[error("disk full after {written} lines")]
struct DiskFull {
    written: u64,
}

/// Takes one line, then fails the way a database write can.
struct FullAfterOne {
    written: u64,
}

impl LineSink for FullAfterOne {
    fn accept(&mut self, _line: Line) -> Result<(), SinkError> {
        if self.written == 1 {
            return Err(SinkError::new(DiskFull {
                written: self.written,
            }));
        }
        self.written += 1;
        Ok(())
    }

    fn restart(&mut self) -> Result<(), SinkError> {
        self.written = 0;
        Ok(())
    }
}

#[test]
fn the_sink_error_passes_through_typed() {
    let directory = tempfile::tempdir().expect("a temp dir");
    let path = directory.path().join("halo.csv");
    std::fs::write(
        &path,
        "client_id,item_code,qty_order,currency_code\n7,M365,3,USD\n8,M365,2,USD\n",
    )
    .expect("written");
    let mut sink = FullAfterOne { written: 0 };
    let error = parse_file(&path, &ImportOptions::default(), &mut sink, &mut |_| {})
        .expect_err("the sink fails");
    assert_eq!(
        error.to_string(),
        "halo.csv: could not store the line: disk full after 1 lines"
    );
    let ImportError::Sink { source, .. } = error else {
        panic!("a sink error, got {error}");
    };
    let typed = source
        .source()
        .and_then(|inner| inner.downcast_ref::<DiskFull>())
        .expect("the sink's own error is the source");
    assert_eq!(typed.written, 1);
    let owned = source
        .into_inner()
        .downcast::<DiskFull>()
        .expect("and can be taken back by value");
    assert_eq!(owned.written, 1);
}

#[test]
fn a_message_is_still_a_sink_error() {
    let error = SinkError::new("the database is locked");
    assert_eq!(
        error.to_string(),
        "could not store the line: the database is locked"
    );
}
