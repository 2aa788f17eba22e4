//! Bytes to UTF-8: the encodings vendor and PSA exports arrive in.
//!
//! Exports come from Excel, from portals and from scripts, so the same columns arrive as UTF-8
//! with or without a byte-order mark, as UTF-16 ("Unicode Text" saves) or as Windows-1252 (an
//! old Excel "CSV" save). The reader below turns any of them into a UTF-8 stream, chunk by chunk,
//! so a file of hundreds of megabytes is never held in memory.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many raw bytes are read from the file at a time.
const CHUNK: usize = 64 * 1024;

/// The encoding a file was read in, for diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// UTF-16 little-endian, recognised by its byte-order mark.
    Utf16Le,
    /// UTF-16 big-endian, recognised by its byte-order mark.
    Utf16Be,
    /// Windows-1252, assumed as soon as the bytes stop being valid UTF-8.
    Windows1252,
}

enum Mode {
    /// Bytes are validated as UTF-8 and passed through; `pending` holds an incomplete sequence
    /// cut by a chunk boundary.
    Utf8 { pending: Vec<u8>, lossy: bool },
    /// Bytes go through an `encoding_rs` decoder.
    Decoder(encoding_rs::Decoder),
}

/// A reader that yields UTF-8 whatever the file's encoding, drops every U+FEFF and turns CRLF
/// and lone CR line ends into LF.
///
/// Line ends are normalised because the csv crate stamps a record with the line count at the
/// record's first byte, and after a CRLF that byte is the `\n` not yet counted: every record of
/// a Windows file would be reported one line too early.
///
/// Every byte-order mark is removed, not only the first: some exports (Azure cost exports were
/// seen doing it) repeat the mark at the start of a later line, and a mark glued to a cell would
/// make an id or a header differ from itself. U+FEFF carries no meaning inside billing data.
///
/// A file without a byte-order mark is read as its [`Utf8Scan`] of the whole file says: UTF-8
/// when it is valid, Windows-1252 when it has invalid bytes and no multi-byte UTF-8 at all (an
/// old Excel save), and otherwise UTF-8 with each invalid byte replaced by U+FFFD. One stray
/// byte in a UTF-8 file must not turn every later `ë` into `Ã«` and overwrite stored names.
pub struct DecodingReader<R> {
    inner: R,
    mode: Mode,
    encoding: TextEncoding,
    started: bool,
    finished: bool,
    output: Text,
    output_position: usize,
    raw: Vec<u8>,
    bytes_read: Arc<AtomicU64>,
    plan: Plan,
}

/// How a file without a byte-order mark is to be read, from a scan of all of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Valid UTF-8.
    Utf8,
    /// UTF-8 with a few invalid bytes, each replaced by U+FFFD.
    Utf8Lossy,
    /// Windows-1252 from the first byte.
    Windows1252,
    /// UTF-16 little-endian without a byte-order mark (ASCII text with a NUL after each byte).
    Utf16Le,
    /// UTF-16 big-endian without a byte-order mark (a NUL before each ASCII byte).
    Utf16Be,
}

/// What a pass over a file's bytes found about UTF-8.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Utf8Scan {
    /// Invalid sequences.
    pub invalid: u64,
    /// Valid multi-byte characters.
    pub multibyte: u64,
    /// The 1-based line of the first invalid sequence.
    pub first_invalid_line: u64,
    /// The file starts with a UTF-16 byte-order mark (the scan says nothing then).
    pub utf16: bool,
    /// The file has no mark but its first bytes are UTF-16 text: `Some(true)` little-endian.
    pub utf16_without_bom: Option<bool>,
}

impl Utf8Scan {
    /// The scan of a UTF-16 file, told by its first bytes alone (its mark, or the NUL bytes of
    /// an ASCII header); `None` when they are no UTF-16. A scan reads no further than these.
    pub(super) fn utf16_start(start: &[u8]) -> Option<Self> {
        if matches!(start, [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..]) {
            return Some(Self {
                utf16: true,
                ..Self::default()
            });
        }
        let utf16_without_bom = utf16_pattern(start);
        utf16_without_bom.is_some().then(|| Self {
            utf16_without_bom,
            ..Self::default()
        })
    }

    /// Scans a whole stream in chunks.
    pub fn of(mut reader: impl Read) -> io::Result<Self> {
        let mut scan = Utf8Scan::default();
        let mut lines: u64 = 1;
        // Each chunk is read in after the bytes the last one left undecided (a character cut
        // at the chunk's end, or first bytes too few to tell UTF-16), so no chunk is copied:
        // this pass covers the whole file, beside the row loop.
        let mut buffer = vec![0_u8; CHUNK];
        let mut carried = 0_usize;
        let mut first = true;
        loop {
            let count = match reader.read(buffer.get_mut(carried..).unwrap_or_default()) {
                Ok(count) => count,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            let last = count == 0;
            let filled = carried.saturating_add(count);
            let pending = buffer.get(..filled).unwrap_or_default();
            if first {
                if pending.len() < UTF16_START_BYTES && !last {
                    carried = filled;
                    continue;
                }
                first = false;
                if let Some(utf16) = Self::utf16_start(pending) {
                    return Ok(utf16);
                }
            }
            let mut rest: &[u8] = pending;
            loop {
                match std::str::from_utf8(rest) {
                    Ok(text) => {
                        scan.count(text, &mut lines);
                        rest = &[];
                        break;
                    }
                    Err(error) => {
                        let (valid, after) = rest.split_at(error.valid_up_to());
                        scan.count(std::str::from_utf8(valid).unwrap_or_default(), &mut lines);
                        match error.error_len() {
                            Some(length) => {
                                if scan.invalid == 0 {
                                    scan.first_invalid_line = lines;
                                }
                                scan.invalid = scan.invalid.saturating_add(1);
                                rest = after.get(length..).unwrap_or_default();
                            }
                            None if last => {
                                if scan.invalid == 0 {
                                    scan.first_invalid_line = lines;
                                }
                                scan.invalid = scan.invalid.saturating_add(1);
                                rest = &[];
                                break;
                            }
                            None => {
                                rest = after;
                                break;
                            }
                        }
                    }
                }
            }
            if last {
                return Ok(scan);
            }
            // At most three bytes: the start of a character the next chunk completes.
            carried = rest.len();
            let from = filled.saturating_sub(carried);
            buffer.copy_within(from..filled, 0);
        }
    }

    fn count(&mut self, text: &str, lines: &mut u64) {
        // Byte counts rather than a walk over characters: this pass covers the whole file. In
        // valid UTF-8 every multi-byte character has exactly one lead byte (0b11xx_xxxx). Lines
        // matter only until the first invalid sequence.
        let bytes = text.as_bytes();
        if self.invalid == 0 {
            // A line is hundreds of bytes: jumping from one line end to the next (memchr) beats
            // comparing every byte.
            let newlines = memchr::memchr_iter(b'\n', bytes).count();
            *lines = lines.saturating_add(newlines as u64);
        }
        if !bytes.is_ascii() {
            let leads = bytes.iter().filter(|byte| **byte >= 0xC0).count();
            self.multibyte = self.multibyte.saturating_add(leads as u64);
        }
    }

    /// How to read the file: see [`DecodingReader`].
    pub fn plan(&self) -> Plan {
        match self.utf16_without_bom {
            Some(true) => return Plan::Utf16Le,
            Some(false) => return Plan::Utf16Be,
            None => {}
        }
        match (self.invalid, self.multibyte) {
            (0, _) => Plan::Utf8,
            (_, 0) => Plan::Windows1252,
            _ => Plan::Utf8Lossy,
        }
    }
}

impl<R: Read> DecodingReader<R> {
    /// Wraps a raw reader; `bytes_read` is advanced by every raw byte consumed, for progress.
    /// Invalid UTF-8 switches the rest to Windows-1252; see [`DecodingReader::with_plan`] for
    /// a file whose encoding was decided from all of it.
    pub fn new(inner: R, bytes_read: Arc<AtomicU64>) -> Self {
        Self::with_plan(inner, bytes_read, Plan::Utf8)
    }

    /// Wraps a raw reader whose bytes, unless a byte-order mark says otherwise, are read as
    /// `plan` says.
    pub fn with_plan(inner: R, bytes_read: Arc<AtomicU64>, plan: Plan) -> Self {
        Self {
            inner,
            plan,
            mode: Mode::Utf8 {
                pending: Vec::new(),
                lossy: plan == Plan::Utf8Lossy,
            },
            encoding: TextEncoding::Utf8,
            started: false,
            finished: false,
            output: Text {
                bytes: Vec::with_capacity(CHUNK * 2),
                held_return: false,
            },
            output_position: 0,
            raw: vec![0; CHUNK],
            bytes_read,
        }
    }

    /// The encoding in use so far; it can only change from UTF-8 to Windows-1252.
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    fn read_raw(&mut self) -> io::Result<usize> {
        loop {
            match self.inner.read(&mut self.raw) {
                Ok(count) => {
                    self.bytes_read.fetch_add(count as u64, Ordering::Relaxed);
                    return Ok(count);
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            }
        }
    }

    /// Reads the first chunk and chooses the encoding from its byte-order mark.
    fn start(&mut self) -> io::Result<usize> {
        self.started = true;
        let mut filled = 0;
        // A mark is at most three bytes; make sure a short first read cannot hide it.
        while filled < 3 {
            let count = self.inner.read(&mut self.raw[filled..])?;
            if count == 0 {
                break;
            }
            filled = filled.saturating_add(count);
        }
        self.bytes_read.fetch_add(filled as u64, Ordering::Relaxed);
        let (encoding, skip) = match self.raw[..filled] {
            [0xEF, 0xBB, 0xBF, ..] => (TextEncoding::Utf8, 3),
            [0xFF, 0xFE, ..] => (TextEncoding::Utf16Le, 2),
            [0xFE, 0xFF, ..] => (TextEncoding::Utf16Be, 2),
            _ => (TextEncoding::Utf8, 0),
        };
        self.encoding = encoding;
        match encoding {
            TextEncoding::Utf16Le => {
                self.mode = Mode::Decoder(encoding_rs::UTF_16LE.new_decoder_without_bom_handling());
            }
            TextEncoding::Utf16Be => {
                self.mode = Mode::Decoder(encoding_rs::UTF_16BE.new_decoder_without_bom_handling());
            }
            TextEncoding::Utf8 if skip == 0 && self.plan == Plan::Utf16Le => {
                self.encoding = TextEncoding::Utf16Le;
                self.mode = Mode::Decoder(encoding_rs::UTF_16LE.new_decoder_without_bom_handling());
            }
            TextEncoding::Utf8 if skip == 0 && self.plan == Plan::Utf16Be => {
                self.encoding = TextEncoding::Utf16Be;
                self.mode = Mode::Decoder(encoding_rs::UTF_16BE.new_decoder_without_bom_handling());
            }
            TextEncoding::Utf8 if skip == 0 && self.plan == Plan::Windows1252 => {
                self.encoding = TextEncoding::Windows1252;
                self.mode =
                    Mode::Decoder(encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling());
            }
            TextEncoding::Utf8 | TextEncoding::Windows1252 => {}
        }
        self.raw.copy_within(skip..filled, 0);
        // The mark was matched inside the `filled` bytes, so `skip <= filled`.
        Ok(filled.saturating_sub(skip))
    }

    /// Decodes the next raw chunk into `output`; returns false at the end of the file.
    fn refill(&mut self) -> io::Result<bool> {
        self.output.bytes.clear();
        self.output_position = 0;
        while self.output.bytes.is_empty() {
            if self.finished {
                return Ok(false);
            }
            let count = if self.started {
                self.read_raw()?
            } else {
                self.start()?
            };
            let last = count == 0;
            let raw = std::mem::take(&mut self.raw);
            self.decode(&raw[..count], last);
            self.raw = raw;
            if last {
                self.output.finish();
                self.finished = true;
            }
        }
        Ok(true)
    }

    fn decode(&mut self, chunk: &[u8], last: bool) {
        let mut switch_from = None;
        match &mut self.mode {
            Mode::Utf8 { pending, lossy } => {
                pending.extend_from_slice(chunk);
                loop {
                    match std::str::from_utf8(pending) {
                        Ok(text) => {
                            self.output.push(text);
                            pending.clear();
                        }
                        Err(error) => {
                            let valid = error.valid_up_to();
                            let text = std::str::from_utf8(&pending[..valid]).unwrap_or_default();
                            self.output.push(text);
                            match error.error_len() {
                                // A sequence cut by the chunk boundary: finish it next time.
                                None if !last => {
                                    pending.drain(..valid);
                                }
                                Some(length) if *lossy => {
                                    self.output.push("\u{FFFD}");
                                    pending.drain(..valid.saturating_add(length));
                                    continue;
                                }
                                None if *lossy => {
                                    self.output.push("\u{FFFD}");
                                    pending.clear();
                                }
                                _ => {
                                    switch_from = Some(pending.split_off(valid));
                                    pending.clear();
                                }
                            }
                        }
                    }
                    break;
                }
            }
            Mode::Decoder(decoder) => decode_with(decoder, chunk, last, &mut self.output),
        }
        if let Some(rest) = switch_from {
            self.encoding = TextEncoding::Windows1252;
            let mut decoder = encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling();
            decode_with(&mut decoder, &rest, last, &mut self.output);
            self.mode = Mode::Decoder(decoder);
        }
    }
}

fn decode_with(decoder: &mut encoding_rs::Decoder, chunk: &[u8], last: bool, output: &mut Text) {
    let capacity = decoder
        .max_utf8_buffer_length(chunk.len())
        .unwrap_or_else(|| chunk.len().saturating_mul(3).saturating_add(16));
    let mut text = String::with_capacity(capacity);
    // With the worst-case capacity the decoder consumes the whole chunk in one call.
    let _ = decoder.decode_to_string(chunk, &mut text, last);
    output.push(&text);
}

/// How many first bytes tell UTF-16 from UTF-8: the mark, or 32 pairs of an ASCII header.
pub(super) const UTF16_START_BYTES: usize = 64;

/// UTF-16 without a mark, told by its first bytes: a header is ASCII, so one byte of every
/// pair is NUL. `Some(true)` for little-endian (`a\0b\0`), `Some(false)` for big-endian.
fn utf16_pattern(start: &[u8]) -> Option<bool> {
    let pairs: Vec<&[u8]> = start.chunks_exact(2).take(UTF16_START_BYTES / 2).collect();
    if pairs.len() < 4 {
        return None;
    }
    let all = |test: fn(&[u8]) -> bool| pairs.iter().all(|pair| test(pair));
    if all(|pair| pair[1] == 0 && pair[0] != 0) {
        Some(true)
    } else if all(|pair| pair[0] == 0 && pair[1] != 0) {
        Some(false)
    } else {
        None
    }
}

/// Decoded text waiting to be read, cleaned of marks and carriage returns before line feeds.
struct Text {
    bytes: Vec<u8>,
    /// A `\r` ended the previous chunk; it is dropped if the next chunk starts with `\n`.
    held_return: bool,
}

impl Text {
    fn push(&mut self, text: &str) {
        // One pass over the bytes, copying the runs between the two bytes that need care: CR
        // (never part of a multi-byte character) and 0xEF, the lead byte of U+FEFF. A CRLF
        // export used to cost three passes and three allocations per chunk here.
        let mut rest = text.as_bytes();
        while !rest.is_empty() {
            let run = memchr::memchr2(b'\r', 0xEF, rest).unwrap_or(rest.len());
            let (plain, special) = rest.split_at(run);
            if !plain.is_empty() {
                self.resolve_return(plain.first() == Some(&b'\n'));
                self.bytes.extend_from_slice(plain);
            }
            rest = match special {
                // Every U+FEFF is dropped, even between a CR and its LF.
                [0xEF, 0xBB, 0xBF, after @ ..] => after,
                [b'\r', after @ ..] => {
                    self.resolve_return(false);
                    // A lone CR ends a line too (old Mac exports); as LF, the csv crate counts
                    // it. Whether an LF follows is known at the next byte, maybe in the next
                    // chunk.
                    self.held_return = true;
                    after
                }
                [other, after @ ..] => {
                    self.resolve_return(false);
                    self.bytes.push(*other);
                    after
                }
                [] => &[],
            };
        }
    }

    /// Ends a held CR as one LF; `next_is_newline` says the LF is already coming.
    fn resolve_return(&mut self, next_is_newline: bool) {
        if std::mem::take(&mut self.held_return) && !next_is_newline {
            self.bytes.push(b'\n');
        }
    }

    fn finish(&mut self) {
        if std::mem::take(&mut self.held_return) {
            self.bytes.push(b'\n');
        }
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.output_position >= self.output.bytes.len() && !self.refill()? {
            return Ok(0);
        }
        let available = &self.output.bytes[self.output_position..];
        let count = available.len().min(buffer.len());
        buffer[..count].copy_from_slice(&available[..count]);
        self.output_position = self.output_position.saturating_add(count);
        Ok(count)
    }
}

#[cfg(test)]
mod tests;
