//! The one pass over a file's bytes before it is read as a table: its SHA-256 (the identity
//! that makes a re-import a no-op) and its UTF-8 scan (the encoding is decided from all of it).
//!
//! Sniffing, the decimal-mark scan and the row loop each open the file as a table; they share
//! this scan instead of each rereading every byte. The store runs it beside the row loop rather
//! than before it: the row loop starts from what the first bytes say ([`first_bytes`]), and
//! the file is read again only when the whole file says otherwise ([`Encoding::reads_like`]).

use super::decode::{Plan, UTF16_START_BYTES, Utf8Scan};
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
    /// How its bytes are decoded.
    pub encoding: Encoding,
}

/// How a file's bytes are decoded into text, from a scan of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoding(pub(super) Utf8Scan);

impl Encoding {
    /// Whether text decoded as `self` says is the text decoded as `whole` (the scan of the
    /// whole file) says: the same plan, or UTF-8 where the whole file is Windows-1252.
    ///
    /// The second holds because a UTF-8 reading switches to Windows-1252 at the first invalid
    /// byte, and a file the whole scan calls Windows-1252 has no multi-byte character at all:
    /// before that byte it is ASCII, which both read alike. Only a UTF-8 file with a few stray
    /// bytes (read with U+FFFD for each) needs the whole scan before its first row.
    pub fn reads_like(&self, whole: &Encoding) -> bool {
        let (first, whole) = (&self.0, &whole.0);
        if first.utf16 != whole.utf16 || first.utf16_without_bom != whole.utf16_without_bom {
            return false;
        }
        matches!(
            (first.plan(), whole.plan()),
            (Plan::Utf8, Plan::Utf8 | Plan::Windows1252)
        ) || first.plan() == whole.plan()
    }
}

/// The encoding the first bytes of `path` name, before the whole file is scanned: UTF-16 by
/// its mark or its pattern, otherwise UTF-8.
///
/// Fails when the path is not a regular file or cannot be read.
pub fn first_bytes(path: &Path) -> Result<Encoding, ImportError> {
    super::table::regular_file(path)?;
    let io_error = |source| ImportError::Io {
        file: display_name(path),
        source,
    };
    let mut head = Vec::new();
    File::open(path)
        .and_then(|file| file.take(UTF16_START_BYTES as u64).read_to_end(&mut head))
        .map_err(io_error)?;
    Ok(Encoding(Utf8Scan::utf16_start(&head).unwrap_or_default()))
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
        encoding: Encoding(utf8),
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
        assert!(scan.encoding.0.utf16);
        let expected: [u8; 32] = Sha256::digest(&bytes).into();
        assert_eq!(scan.sha256, expected);
    }
}
