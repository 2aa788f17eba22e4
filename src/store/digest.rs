//! SHA-256 fingerprints of files and texts, as lower-case hex.

use sha2::Digest;

/// The SHA-256 of a text as lower-case hex: how migrations and API pulls are fingerprinted.
pub(super) fn hex_sha256(text: &str) -> String {
    hex(&sha2::Sha256::digest(text.as_bytes()))
}

/// A digest as lower-case hex, the form every fingerprint is stored in.
pub(super) fn hex(digest: &[u8]) -> String {
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}
