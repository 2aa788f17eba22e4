//! Tests of the decoding reader and the encoding scan: chunk boundaries, byte-order marks,
//! UTF-16 without a mark, and the whole-file choice between UTF-8 and Windows-1252.

use super::*;

fn decode_all(bytes: &[u8]) -> (String, TextEncoding) {
    let mut reader = DecodingReader::new(bytes, Arc::new(AtomicU64::new(0)));
    let mut text = String::new();
    reader.read_to_string(&mut text).expect("decodes");
    (text, reader.encoding())
}

#[test]
fn every_mark_is_dropped_and_utf16_is_read() {
    assert_eq!(
        decode_all(b"\xEF\xBB\xBFa,b\r\n\xEF\xBB\xBFc\rd").0,
        "a,b\nc\nd"
    );
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("é;x".encode_utf16().flat_map(|unit| unit.to_le_bytes()))
        .collect();
    assert_eq!(
        decode_all(&utf16),
        ("é;x".to_string(), TextEncoding::Utf16Le)
    );
}

/// Hands out one byte per read, so every sequence is cut by a chunk boundary.
struct Trickle<'a>(&'a [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        match (self.0.split_first(), buffer.first_mut()) {
            (Some((byte, rest)), Some(slot)) => {
                *slot = *byte;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

#[test]
fn sequences_cut_by_chunk_boundaries_survive() {
    let bytes = "Zoë,Müller\r\n\u{FEFF}x\r".as_bytes();
    let mut reader = DecodingReader::new(Trickle(bytes), Arc::new(AtomicU64::new(0)));
    let mut text = String::new();
    reader.read_to_string(&mut text).expect("decodes");
    assert_eq!(text, "Zoë,Müller\nx\n");
    assert_eq!(reader.encoding(), TextEncoding::Utf8);
}

#[test]
fn a_scan_read_a_byte_at_a_time_finds_what_one_read_finds() {
    let samples: [&[u8]; 5] = [
        b"name\nOffice\xFF\nZo\xC3\xAB M\xC3\xBCller\n\xE2\x82",
        "Zoë,€5\r\n日本\n".as_bytes(),
        b"name\nCaf\xE9\n",
        b"\xFF\xFEa\0,\0b\0",
        b"n\0a\0m\0e\0,\0s\0e\0a\0t\0s\0",
    ];
    for sample in samples {
        let whole = Utf8Scan::of(sample).expect("scans");
        let trickled = Utf8Scan::of(Trickle(sample)).expect("scans");
        assert_eq!(trickled, whole, "{sample:?}");
    }
}

#[test]
fn the_whole_file_decides_between_utf8_and_windows_1252() {
    let stray = b"name\nOffice\xFF\nZo\xC3\xAB M\xC3\xBCller\n";
    let scan = Utf8Scan::of(&stray[..]).expect("scans");
    assert_eq!(
        (scan.invalid, scan.multibyte, scan.first_invalid_line),
        (1, 2, 2)
    );
    assert_eq!(scan.plan(), Plan::Utf8Lossy);
    let mut reader =
        DecodingReader::with_plan(&stray[..], Arc::new(AtomicU64::new(0)), scan.plan());
    let mut text = String::new();
    reader.read_to_string(&mut text).expect("decodes");
    assert_eq!(text, "name\nOffice\u{FFFD}\nZoë Müller\n");
    let legacy = b"name\nCaf\xE9\n";
    let scan = Utf8Scan::of(&legacy[..]).expect("scans");
    assert_eq!(scan.plan(), Plan::Windows1252);
}

#[test]
fn utf16_without_a_mark_is_recognised_by_its_nul_bytes() {
    let little: Vec<u8> = "name,seats\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let scan = Utf8Scan::of(&little[..]).expect("scans");
    assert_eq!(scan.plan(), Plan::Utf16Le);
    let mut reader =
        DecodingReader::with_plan(&little[..], Arc::new(AtomicU64::new(0)), Plan::Utf16Le);
    let mut text = String::new();
    reader.read_to_string(&mut text).expect("decodes");
    assert_eq!(text, "name,seats\n");
    let big: Vec<u8> = "name,seats\n"
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    assert_eq!(Utf8Scan::of(&big[..]).expect("scans").plan(), Plan::Utf16Be);
    assert_eq!(
        Utf8Scan::of(&b"name,seats\n"[..]).expect("scans").plan(),
        Plan::Utf8
    );
}

#[test]
fn invalid_utf8_falls_back_to_windows_1252() {
    assert_eq!(
        decode_all(b"name\nCaf\xE9"),
        ("name\nCafé".to_string(), TextEncoding::Windows1252)
    );
}
