//! The one pass over a file's bytes before it is read as a table: its SHA-256 (the identity
//! that makes a re-import a no-op) and its UTF-8 scan (the encoding is decided from all of it).
//!
//! Sniffing, the decimal-mark scan and the row loop each open the file as a table; they share
//! this scan instead of each rereading every byte.

use super::decode::Utf8Scan;
use super::table::display_name;
use crate::import::contract::ImportError;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// What the pass over a whole file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileScan {
    /// The SHA-256 of the file's bytes.
    pub sha256: [u8; 32],
    pub(super) utf8: Utf8Scan,
}

/// A reader that hashes every byte read through it.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.hasher.update(buffer.get(..read).unwrap_or_default());
        Ok(read)
    }
}

/// Reads `path` once: hashes every byte and scans it for the encoding.
///
/// Fails when the path is not a regular file or cannot be read.
pub fn scan_file(path: &Path) -> Result<FileScan, ImportError> {
    super::table::regular_file(path)?;
    let io_error = |source| ImportError::Io {
        file: display_name(path),
        source,
    };
    let file = File::open(path).map_err(io_error)?;
    let mut reader = Hashing {
        inner: file,
        hasher: Sha256::new(),
    };
    let utf8 = Utf8Scan::of(&mut reader).map_err(io_error)?;
    // The scan stops early on a UTF-16 file; the digest still covers every byte.
    io::copy(&mut reader, &mut io::sink()).map_err(io_error)?;
    Ok(FileScan {
        sha256: reader.hasher.finalize().into(),
        utf8,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_covers_every_byte_even_when_the_scan_stops_early() {
        let folder = tempfile::tempdir().expect("folder");
        let path = folder.path().join("utf16.csv");
        let mut bytes = vec![0xFF, 0xFE];
        for byte in b"a,b\n1,2\n" {
            bytes.extend_from_slice(&[*byte, 0]);
        }
        std::fs::write(&path, &bytes).expect("written");
        let scan = scan_file(&path).expect("scanned");
        assert!(scan.utf8.utf16);
        let expected: [u8; 32] = Sha256::digest(&bytes).into();
        assert_eq!(scan.sha256, expected);
    }
}
