//! Which character is the decimal mark of a file, decided from the file as a whole.
//!
//! `12.495` is twelve and a half in a dot file and twelve thousand in a decimal-comma file;
//! `5,625` the other way round. No single cell settles it, and neither does the delimiter:
//! Excel writes `;` for regions with a decimal comma, but a script writes whatever it likes,
//! and a German export may separate cells with commas and quote its `"5,625"`. So every number
//! cell of the file is looked at first. A cell such as `14.28`, `1,234.50` or `0,5` can be read
//! one way only and is evidence; a cell such as `12.495` could be either and waits for it. The
//! file is read in the mode its evidence names. Evidence both ways, evidence against the
//! user's flag, or ambiguous cells with no evidence at all are refused with the location of a
//! cell and the flag that settles it: billgap never guesses a number.

/// How one number cell can be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// No separator, or nothing a separator could change (`14`, `1.5E-05`, text).
    Neutral,
    /// Only a decimal point reads it (`14.28`, `1,234.50`, `1,234,567`).
    Point,
    /// Only a decimal comma reads it (`14,28`, `1.234,50`, `1.234.567`).
    Comma,
    /// Both read it, differently (`12.495`, `5,625`).
    Ambiguous,
}

/// What a cell says about the decimal mark.
///
/// Only the cell's digits, marks and exponent letters count (`€ 5,625` reads as `5,625`). It
/// runs on every number cell of a file, so it walks the bytes once and allocates nothing: every
/// character it looks at is ASCII, and no byte of a multi-byte character is.
pub fn reading(cell: &str) -> Reading {
    // Positions below count only the kept characters, as if the others were removed.
    let mut kept = 0_usize;
    let mut first_kept = 0_u8;
    let mut any_digit = false;
    let (mut dots, mut commas) = (0_usize, 0_usize);
    let (mut last_dot, mut last_comma) = (0_usize, 0_usize);
    for byte in cell.bytes() {
        match byte {
            b'0'..=b'9' => any_digit = true,
            b'.' => {
                dots = dots.saturating_add(1);
                last_dot = kept;
            }
            b',' => {
                commas = commas.saturating_add(1);
                last_comma = kept;
            }
            b'e' | b'E' => return Reading::Neutral,
            _ => continue,
        }
        if kept == 0 {
            first_kept = byte;
        }
        kept = kept.saturating_add(1);
    }
    if !any_digit {
        return Reading::Neutral;
    }
    let one_kind = |marks: usize, at: usize, as_mark: Reading, as_group: Reading| {
        if marks > 1 {
            // `1.234.567`: only thousands are grouped more than once.
            return as_group;
        }
        let fraction = kept.saturating_sub(at).saturating_sub(1);
        if fraction == 3 && (1..=3).contains(&at) && first_kept != b'0' {
            Reading::Ambiguous
        } else {
            as_mark
        }
    };
    match (dots, commas) {
        (0, 0) => Reading::Neutral,
        // Both marks: the last one is the decimal mark, the other groups thousands.
        (1.., 1..) if last_dot > last_comma => Reading::Point,
        (1.., 1..) => Reading::Comma,
        (_, 0) => one_kind(dots, last_dot, Reading::Point, Reading::Comma),
        (0, _) => one_kind(commas, last_comma, Reading::Comma, Reading::Point),
    }
}

/// The evidence of a file: the first cell that reads each way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence<L> {
    /// The first cell only a decimal point reads, and the cell.
    pub point: Option<(L, String)>,
    /// The first cell only a decimal comma reads, and the cell.
    pub comma: Option<(L, String)>,
    /// The first cell both read differently, and the cell.
    pub ambiguous: Option<(L, String)>,
}

impl<L> Default for Evidence<L> {
    fn default() -> Self {
        Self {
            point: None,
            comma: None,
            ambiguous: None,
        }
    }
}

impl<L> Evidence<L> {
    /// Adds one cell at `location` (built only when the cell is the first of its kind).
    pub fn add(&mut self, cell: &str, location: impl FnOnce() -> L) {
        let slot = match reading(cell) {
            Reading::Neutral => return,
            Reading::Point => &mut self.point,
            Reading::Comma => &mut self.comma,
            Reading::Ambiguous => &mut self.ambiguous,
        };
        if slot.is_none() {
            *slot = Some((location(), cell.to_string()));
        }
    }

    /// True when nothing more can change the decision: evidence both ways.
    pub fn settled_against_itself(&self) -> bool {
        self.point.is_some() && self.comma.is_some()
    }
}

/// The decimal mark the user asked for, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// No flag.
    Nothing,
    /// `--decimal-comma`.
    Comma,
    /// `--decimal-point`.
    Point,
}

/// Why a file's numbers cannot be read without the user's word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undecided<L> {
    /// Cells read only one way and cells read only the other way.
    Mixed {
        /// A cell only a decimal point reads.
        point: (L, String),
        /// A cell only a decimal comma reads.
        comma: (L, String),
    },
    /// The user's flag contradicts a cell.
    Contradicts {
        /// The flag given.
        asked: Asked,
        /// The cell that reads only the other way.
        cell: (L, String),
    },
    /// Ambiguous cells and no evidence either way.
    Ambiguous {
        /// The first ambiguous cell.
        cell: (L, String),
    },
}

/// Decides whether commas are decimal marks (`Ok(true)`) from the flag and the evidence.
pub fn decide<L: Clone>(asked: Asked, evidence: &Evidence<L>) -> Result<bool, Undecided<L>> {
    match (asked, &evidence.point, &evidence.comma) {
        (Asked::Comma, Some(point), _) => Err(Undecided::Contradicts {
            asked,
            cell: point.clone(),
        }),
        (Asked::Point, _, Some(comma)) => Err(Undecided::Contradicts {
            asked,
            cell: comma.clone(),
        }),
        (Asked::Comma, _, _) => Ok(true),
        (Asked::Point, _, _) => Ok(false),
        (Asked::Nothing, Some(point), Some(comma)) => Err(Undecided::Mixed {
            point: point.clone(),
            comma: comma.clone(),
        }),
        (Asked::Nothing, None, Some(_)) => Ok(true),
        (Asked::Nothing, Some(_), None) => Ok(false),
        (Asked::Nothing, None, None) => match &evidence.ambiguous {
            Some(cell) => Err(Undecided::Ambiguous { cell: cell.clone() }),
            None => Ok(false),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_one_way_or_both() {
        for (cell, expected) in [
            ("14", Reading::Neutral),
            ("1.5E-05", Reading::Neutral),
            ("14.28", Reading::Point),
            ("-13.35", Reading::Point),
            ("0.045", Reading::Point),
            ("12.4950", Reading::Point),
            ("1,234.50", Reading::Point),
            ("1,234,567", Reading::Point),
            ("14,28", Reading::Comma),
            ("0,045", Reading::Comma),
            ("1.234,50", Reading::Comma),
            ("1.234.567", Reading::Comma),
            ("12.495", Reading::Ambiguous),
            ("\"5,625\"", Reading::Ambiguous),
            ("€ 5,625", Reading::Ambiguous),
            ("1,000", Reading::Ambiguous),
        ] {
            assert_eq!(reading(cell), expected, "{cell}");
        }
    }

    /// The reading as first written, over a string of the kept characters: the fast one must
    /// agree with it on any cell.
    fn reference(cell: &str) -> Reading {
        let digits: String = cell
            .chars()
            .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | 'e' | 'E'))
            .collect();
        if digits.contains(['e', 'E']) || !digits.chars().any(|c| c.is_ascii_digit()) {
            return Reading::Neutral;
        }
        let one_kind = |mark: char, as_mark: Reading, as_group: Reading| {
            let parts: Vec<&str> = digits.split(mark).collect();
            match parts.as_slice() {
                [_, _, _, ..] => as_group,
                [integer, fraction]
                    if fraction.len() == 3
                        && (1..=3).contains(&integer.len())
                        && !integer.starts_with('0') =>
                {
                    Reading::Ambiguous
                }
                _ => as_mark,
            }
        };
        match (digits.rfind('.'), digits.rfind(',')) {
            (None, None) => Reading::Neutral,
            (Some(dot), Some(comma)) if dot > comma => Reading::Point,
            (Some(_), Some(_)) => Reading::Comma,
            (Some(_), None) => one_kind('.', Reading::Point, Reading::Comma),
            (None, Some(_)) => one_kind(',', Reading::Comma, Reading::Point),
        }
    }

    proptest::proptest! {
        #[test]
        fn the_byte_walk_reads_every_cell_as_the_plain_definition(
            cell in "[0-9.,eE €x\\-]{0,12}"
        ) {
            proptest::prop_assert_eq!(reading(&cell), reference(&cell), "{:?}", cell);
        }
    }

    #[test]
    fn the_file_decides_and_the_flag_must_agree() {
        let mut dot_file = Evidence::default();
        for (line, cell) in [(2, "12.495"), (3, "14.28")] {
            dot_file.add(cell, || line);
        }
        assert_eq!(decide(Asked::Nothing, &dot_file), Ok(false));
        assert_eq!(decide(Asked::Point, &dot_file), Ok(false));
        assert!(matches!(
            decide(Asked::Comma, &dot_file),
            Err(Undecided::Contradicts { cell: (3, _), .. })
        ));
        let mut unsure = Evidence::default();
        unsure.add("5,625", || 2);
        assert!(matches!(
            decide(Asked::Nothing, &unsure),
            Err(Undecided::Ambiguous { cell: (2, _) })
        ));
        assert_eq!(decide(Asked::Comma, &unsure), Ok(true));
        unsure.add("12,50", || 3);
        assert_eq!(decide(Asked::Nothing, &unsure), Ok(true));
        unsure.add("1.50", || 4);
        assert!(matches!(
            decide(Asked::Nothing, &unsure),
            Err(Undecided::Mixed { .. })
        ));
    }
}
