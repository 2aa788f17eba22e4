//! How a chunk of lines is stored: LZ4-compressed since schema 16, as it is before that.
//!
//! A million Partner Center lines were 59 MB of chunks, written to the log and then again to
//! the database at every import, and kept for every import since. Their texts repeat (the same
//! subscription, dates and charge on line after line), so LZ4 keeps about a quarter of the
//! bytes at a speed well above the disk's; a drill-down decompresses one chunk of 256 lines.

use super::connection::StoreError;

/// `line_chunks.codec` of a chunk stored as its bytes: every chunk before schema 16.
pub(super) const PLAIN: i64 = 0;
/// `line_chunks.codec` of a chunk stored as its length (four bytes, little-endian), then its
/// bytes as one LZ4 block.
pub(super) const LZ4: i64 = 1;

/// The most bytes one stored byte of an LZ4 block can stand for (a run of one byte). A chunk
/// that claims more than its block can hold is damage, refused rather than allocated; any
/// chunk an import wrote, however long its cells, is within it.
const MOST_BYTES_PER_STORED_BYTE: usize = 255;

/// A chunk's bytes as stored with codec [`LZ4`].
pub(super) fn compress(chunk: &[u8]) -> Vec<u8> {
    lz4_flex::block::compress_prepend_size(chunk)
}

/// The bytes of a chunk stored as `stored` with `codec`.
///
/// Fails with `Corrupt` when the codec is unknown or the bytes do not decompress.
pub(super) fn chunk_bytes(stored: Vec<u8>, codec: i64) -> Result<Vec<u8>, StoreError> {
    match codec {
        PLAIN => Ok(stored),
        LZ4 => {
            let corrupt = || StoreError::Corrupt {
                column: "line_chunks.data",
                value: format!("{} compressed bytes that do not decompress", stored.len()),
            };
            let (length, block) =
                lz4_flex::block::uncompressed_size(&stored).map_err(|_| corrupt())?;
            let most = block
                .len()
                .saturating_add(16)
                .saturating_mul(MOST_BYTES_PER_STORED_BYTE);
            if length > most {
                return Err(corrupt());
            }
            let mut chunk = vec![0; length];
            let written =
                lz4_flex::block::decompress_into(block, &mut chunk).map_err(|_| corrupt())?;
            if written != length {
                return Err(corrupt());
            }
            Ok(chunk)
        }
        other => Err(StoreError::Corrupt {
            column: "line_chunks.codec",
            value: other.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compressed_chunk_reads_back_exactly_and_a_plain_one_as_it_is() {
        let chunk: Vec<u8> = (0..40_000_u32).map(|n| (n % 251) as u8).collect();
        let stored = compress(&chunk);
        assert!(stored.len() < chunk.len() / 4, "{} bytes", stored.len());
        assert_eq!(chunk_bytes(stored, LZ4).expect("decompresses"), chunk);
        assert_eq!(
            chunk_bytes(b"as is".to_vec(), PLAIN).expect("plain"),
            b"as is"
        );
        assert_eq!(chunk_bytes(compress(&[]), LZ4).expect("empty"), b"");
    }

    #[test]
    fn damaged_or_unknown_chunks_are_refused_not_guessed() {
        let stored = compress(&[7; 5_000]);
        let mut cut = stored.clone();
        cut.truncate(stored.len() - 2);
        assert!(chunk_bytes(cut, LZ4).is_err());
        // A length beyond any chunk is refused before anything is allocated.
        let mut huge = stored.clone();
        huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(chunk_bytes(huge, LZ4).is_err());
        // A length that disagrees with the block.
        let mut longer = stored.clone();
        longer[..4].copy_from_slice(&5_001_u32.to_le_bytes());
        assert!(chunk_bytes(longer, LZ4).is_err());
        assert!(chunk_bytes(stored, 2).is_err());
        assert!(chunk_bytes(vec![1, 2], LZ4).is_err());
    }
}
