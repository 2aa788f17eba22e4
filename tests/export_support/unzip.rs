//! Just enough of ZIP and DEFLATE (RFC 1951) to read an XLSX back with the standard library:
//! the workbook's own crate writes it, and no zip reader is a dependency of billgap. Written for
//! these tests from the specifications; every member is checked against its CRC-32, so a bug
//! here fails loudly instead of reading wrong XML.

use std::collections::BTreeMap;

/// Every member of a ZIP archive, by name, decompressed and checked against its CRC-32.
pub fn unzip(archive: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let end = (0..archive.len().saturating_sub(21))
        .rev()
        .find(|&at| u32_at(archive, at) == 0x0605_4b50)
        .expect("end of central directory");
    let entries = usize::from(u16_at(archive, end + 10));
    let mut at = u32_at(archive, end + 16) as usize;
    let mut members = BTreeMap::new();
    for _ in 0..entries {
        assert_eq!(u32_at(archive, at), 0x0201_4b50, "central directory entry");
        let method = u16_at(archive, at + 10);
        let crc = u32_at(archive, at + 16);
        let compressed = u32_at(archive, at + 20) as usize;
        let name_length = usize::from(u16_at(archive, at + 28));
        let extra_length = usize::from(u16_at(archive, at + 30));
        let comment_length = usize::from(u16_at(archive, at + 32));
        let local = u32_at(archive, at + 42) as usize;
        let name = String::from_utf8(archive[at + 46..at + 46 + name_length].to_vec())
            .expect("utf-8 name");
        at += 46 + name_length + extra_length + comment_length;

        assert_eq!(
            u32_at(archive, local),
            0x0403_4b50,
            "local header of {name}"
        );
        let data_start = local
            + 30
            + usize::from(u16_at(archive, local + 26))
            + usize::from(u16_at(archive, local + 28));
        let data = &archive[data_start..data_start + compressed];
        let content = match method {
            0 => data.to_vec(),
            8 => inflate(data),
            other => panic!("{name}: compression method {other}"),
        };
        assert_eq!(crc32(&content), crc, "CRC of {name}");
        members.insert(name, content);
    }
    members
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0_u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Reads bits least significant first, as DEFLATE packs them.
struct Bits<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl Bits<'_> {
    fn bit(&mut self) -> u32 {
        let byte = self.bytes[self.position / 8];
        let bit = (byte >> (self.position % 8)) & 1;
        self.position += 1;
        u32::from(bit)
    }

    fn bits(&mut self, count: u32) -> u32 {
        (0..count).fold(0, |value, index| value | (self.bit() << index))
    }

    fn align_to_byte(&mut self) {
        self.position = self.position.div_ceil(8) * 8;
    }
}

/// A canonical Huffman code: how many codes of each length, and the symbols in code order.
struct Huffman {
    counts: [u16; 16],
    symbols: Vec<u16>,
}

impl Huffman {
    fn new(lengths: &[u8]) -> Huffman {
        let mut counts = [0_u16; 16];
        for &length in lengths {
            counts[usize::from(length)] += 1;
        }
        counts[0] = 0;
        let mut offsets = [0_u16; 16];
        for length in 1..16 {
            offsets[length] = offsets[length - 1] + counts[length - 1];
        }
        let mut symbols = vec![0_u16; lengths.len()];
        for (symbol, &length) in lengths.iter().enumerate() {
            if length != 0 {
                symbols[usize::from(offsets[usize::from(length)])] = symbol as u16;
                offsets[usize::from(length)] += 1;
            }
        }
        Huffman { counts, symbols }
    }

    /// Decodes one symbol, reading the code one bit at a time (codes are packed most
    /// significant bit first).
    fn decode(&self, bits: &mut Bits) -> u16 {
        let (mut code, mut first, mut index) = (0_i32, 0_i32, 0_i32);
        for length in 1..16 {
            code |= bits.bit() as i32;
            let count = i32::from(self.counts[length]);
            if code - first < count {
                return self.symbols[(index + code - first) as usize];
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        panic!("invalid Huffman code");
    }
}

const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u32; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DISTANCE_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA: [u32; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
/// The order in which a dynamic block lists its code-length code lengths.
const CODE_LENGTH_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// Decompresses a raw DEFLATE stream.
pub fn inflate(data: &[u8]) -> Vec<u8> {
    let mut bits = Bits {
        bytes: data,
        position: 0,
    };
    let mut out = Vec::new();
    loop {
        let last = bits.bit() == 1;
        match bits.bits(2) {
            0 => {
                bits.align_to_byte();
                let start = bits.position / 8;
                let length = usize::from(u16_at(data, start));
                out.extend_from_slice(&data[start + 4..start + 4 + length]);
                bits.position = (start + 4 + length) * 8;
            }
            1 => {
                let mut lengths = [0_u8; 288];
                for (symbol, length) in lengths.iter_mut().enumerate() {
                    *length = match symbol {
                        0..=143 => 8,
                        144..=255 => 9,
                        256..=279 => 7,
                        _ => 8,
                    };
                }
                let literals = Huffman::new(&lengths);
                let distances = Huffman::new(&[5; 30]);
                block(&mut bits, &literals, &distances, &mut out);
            }
            2 => {
                let literal_count = bits.bits(5) as usize + 257;
                let distance_count = bits.bits(5) as usize + 1;
                let code_length_count = bits.bits(4) as usize + 4;
                let mut code_lengths = [0_u8; 19];
                for &symbol in &CODE_LENGTH_ORDER[..code_length_count] {
                    code_lengths[symbol] = bits.bits(3) as u8;
                }
                let code_length_code = Huffman::new(&code_lengths);
                let mut lengths = Vec::with_capacity(literal_count + distance_count);
                while lengths.len() < literal_count + distance_count {
                    match code_length_code.decode(&mut bits) {
                        symbol @ 0..=15 => lengths.push(symbol as u8),
                        16 => {
                            let previous = *lengths.last().expect("a length to repeat");
                            let repeat = 3 + bits.bits(2) as usize;
                            lengths.extend(std::iter::repeat_n(previous, repeat));
                        }
                        17 => {
                            let repeat = 3 + bits.bits(3) as usize;
                            lengths.extend(std::iter::repeat_n(0, repeat));
                        }
                        _ => {
                            let repeat = 11 + bits.bits(7) as usize;
                            lengths.extend(std::iter::repeat_n(0, repeat));
                        }
                    }
                }
                let literals = Huffman::new(&lengths[..literal_count]);
                let distances = Huffman::new(&lengths[literal_count..]);
                block(&mut bits, &literals, &distances, &mut out);
            }
            _ => panic!("reserved block type"),
        }
        if last {
            return out;
        }
    }
}

/// One compressed block: literals, and copies of earlier output, up to the end-of-block code.
fn block(bits: &mut Bits, literals: &Huffman, distances: &Huffman, out: &mut Vec<u8>) {
    loop {
        let symbol = literals.decode(bits);
        match symbol {
            0..=255 => out.push(symbol as u8),
            256 => return,
            _ => {
                let index = usize::from(symbol - 257);
                let length =
                    usize::from(LENGTH_BASE[index]) + bits.bits(LENGTH_EXTRA[index]) as usize;
                let code = usize::from(distances.decode(bits));
                let distance =
                    usize::from(DISTANCE_BASE[code]) + bits.bits(DISTANCE_EXTRA[code]) as usize;
                let start = out.len() - distance;
                for offset in 0..length {
                    out.push(out[start + offset]);
                }
            }
        }
    }
}

/// A small XML reader for the parts of SpreadsheetML the tests look at.
pub mod xml {
    /// Each `<tag …>…</tag>` or `<tag …/>` element, whole, in document order.
    pub fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
        let open = format!("<{tag}");
        let close = format!("</{tag}>");
        let mut found = Vec::new();
        let mut rest = xml;
        while let Some(start) = rest.find(&open) {
            let after = &rest[start + open.len()..];
            // `<c` must not match `<cols`: the tag name ends at a space, `>` or `/`.
            if !after.starts_with([' ', '>', '/']) {
                rest = after;
                continue;
            }
            let head_end = after.find('>').expect("tag end");
            let end = if after[..head_end].ends_with('/') {
                start + open.len() + head_end + 1
            } else {
                start + open.len() + after.find(&close).expect("closing tag") + close.len()
            };
            found.push(&rest[start..end]);
            rest = &rest[end..];
        }
        found
    }

    /// An attribute of an element's opening tag, unescaped.
    pub fn attribute(element: &str, name: &str) -> Option<String> {
        let head = &element[..element.find('>').unwrap_or(element.len())];
        let key = format!(" {name}=\"");
        let start = head.find(&key)? + key.len();
        let end = head[start..].find('"')? + start;
        Some(unescape(&head[start..end]))
    }

    /// The text inside the first `<tag>` of an element, unescaped.
    pub fn text(element: &str, tag: &str) -> Option<String> {
        let inner = elements(element, tag).into_iter().next()?;
        let start = inner.find('>')? + 1;
        let end = inner.rfind("</")?;
        (start <= end).then(|| unescape(&inner[start..end]))
    }

    /// XML entities back to characters.
    pub fn unescape(text: &str) -> String {
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&")
    }
}
