//! Dates as exports write them: ISO 8601 from APIs, `M/D/YYYY` from US portals, day-first
//! from regional ones.

use chrono::NaiveDate;

/// Reads the calendar date of a date or date-time cell; `None` when the cell is not a date.
///
/// Accepts ISO `YYYY-MM-DD`, optionally with a time (`T` or space) of up to seven fractional
/// digits and a `Z`, `±hh:mm` or `±hhmm` offset; and slash dates `M/D/YYYY` with an optional
/// `H:MM[:SS]` and `AM`/`PM`. With `day_first`, slash dates are `D/M/YYYY`; dotted dates
/// (`31.01.2026`) are always day first. The date is the one written: an offset is validated
/// but not applied, because a charge that starts at local midnight belongs to that local day.
pub fn parse_date(cell: &str, day_first: bool) -> Option<NaiveDate> {
    let text = cell.trim();
    let bytes = text.as_bytes();
    if bytes.get(4) == Some(&b'-') && bytes.get(7) == Some(&b'-') {
        // Byte 10 can fall inside a multi-byte character (`2026-01-0é`): then it is no date.
        let (date, rest) = (text.get(..10)?, text.get(10..)?);
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
        return if rest.is_empty() {
            Some(date)
        } else if let Some(time) = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' ')) {
            iso_time_with_offset(time).then_some(date)
        } else {
            None
        };
    }
    match plain_slash_date(bytes, day_first) {
        Some(date) => date,
        None => written_date(text, day_first),
    }
}

/// A slash or dotted date, with an optional clock time: the reading of every cell that is not
/// ISO.
fn written_date(text: &str, day_first: bool) -> Option<NaiveDate> {
    let (date_part, time_part) = match text.split_once(' ') {
        Some((date, time)) => (date, Some(time.trim())),
        None => (text, None),
    };
    let (separator, day_first) = if date_part.contains('/') {
        ('/', day_first)
    } else if date_part.contains('.') {
        ('.', true)
    } else {
        return None;
    };
    // Exactly three parts, taken without collecting them: a large file has two dates a row.
    let mut parts = date_part.split(separator);
    let (Some(first), Some(second), Some(year), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if year.len() != 4 {
        return None;
    }
    let (day, month) = if day_first {
        (first, second)
    } else {
        (second, first)
    };
    let date = NaiveDate::from_ymd_opt(
        year.parse().ok()?,
        small_number(month, 2)?,
        small_number(day, 2)?,
    )?;
    match time_part {
        None => Some(date),
        Some(time) => clock_time(time).then_some(date),
    }
}

/// A date of digits and two slashes alone (`10/1/2026`), read from its bytes, with the same
/// result as [`written_date`]; `None` when the cell is anything else, and that reading
/// decides. Such cells are two a row in a US portal's export.
fn plain_slash_date(bytes: &[u8], day_first: bool) -> Option<Option<NaiveDate>> {
    let mut parts = bytes.split(|byte| *byte == b'/');
    let (Some(first), Some(second), Some(year), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let digits = |part: &[u8], lengths: std::ops::RangeInclusive<usize>| {
        (lengths.contains(&part.len()) && part.iter().all(u8::is_ascii_digit)).then(|| {
            part.iter().fold(0_u32, |value, digit| {
                value
                    .saturating_mul(10)
                    .saturating_add(u32::from(digit.saturating_sub(b'0')))
            })
        })
    };
    let (first, second, year) = (
        digits(first, 1..=2)?,
        digits(second, 1..=2)?,
        digits(year, 4..=4)?,
    );
    let (day, month) = if day_first {
        (first, second)
    } else {
        (second, first)
    };
    let year = i32::try_from(year).ok()?;
    Some(NaiveDate::from_ymd_opt(year, month, day))
}

fn small_number(text: &str, max_digits: usize) -> Option<u32> {
    if text.is_empty() || text.len() > max_digits || !text.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `H:MM[:SS[.fffffff]]`, hours below `max_hour`.
fn time_of_day(text: &str, max_hour: u32) -> bool {
    let (clock, fraction) = match text.split_once('.') {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (text, None),
    };
    if let Some(fraction) = fraction {
        if fraction.is_empty()
            || fraction.len() > 7
            || !fraction.chars().all(|c| c.is_ascii_digit())
        {
            return false;
        }
    }
    let parts: Vec<&str> = clock.split(':').collect();
    let valid_hour = |h: &&str| small_number(h, 2).is_some_and(|h| h <= max_hour);
    let valid_sixty = |m: &&str| m.len() == 2 && small_number(m, 2).is_some_and(|m| m < 60);
    match parts.as_slice() {
        [hour, minute] => fraction.is_none() && valid_hour(hour) && valid_sixty(minute),
        [hour, minute, second] => valid_hour(hour) && valid_sixty(minute) && valid_sixty(second),
        _ => false,
    }
}

fn iso_time_with_offset(text: &str) -> bool {
    let (time, offset) = if let Some(time) = text.strip_suffix(['Z', 'z']) {
        (time, "")
    } else if let Some((time, offset)) = text.rsplit_once(['+', '-']) {
        (time, offset)
    } else {
        (text, "")
    };
    let offset_valid = match offset.len() {
        0 => true,
        2 => small_number(offset, 2).is_some_and(|h| h <= 14),
        4 => offset.chars().all(|c| c.is_ascii_digit()),
        5 => {
            offset.as_bytes().get(2) == Some(&b':')
                && offset.chars().filter(char::is_ascii_digit).count() == 4
        }
        _ => false,
    };
    offset_valid && time_of_day(time, 23)
}

/// A US clock time: `H:MM[:SS]` with an optional `AM`/`PM`.
fn clock_time(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    if let Some(time) = upper
        .strip_suffix("AM")
        .or_else(|| upper.strip_suffix("PM"))
    {
        let time = time.trim();
        time_of_day(time, 12) && !time.starts_with("0:") && !time.starts_with("00:")
    } else {
        time_of_day(&upper, 23)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, month, day)
    }

    #[test]
    fn iso_dates_and_date_times() {
        let cases = [
            "2021-05-20",
            "2021-05-20T18:30:06.6045692Z",
            "2021-05-20T18:30:06Z",
            "2021-05-20T00:00:00",
            "2021-05-20T09:22:40.1767993-08:00",
            "2021-05-20T11:33:12.314-0600",
            "2021-05-20 23:59:59",
        ];
        for cell in cases {
            assert_eq!(parse_date(cell, false), date(2021, 5, 20), "{cell}");
        }
        for cell in [
            "2021-02-30",
            "2021-05-20T25:00:00Z",
            "2021-05-20T18:30:06.12345678Z",
            "2021-05-20X",
            "2026-01-0é",
            "2026-01-é1",
            "2026-01-01é",
            "2021-05-20T18:30:06+0é:00",
        ] {
            assert_eq!(parse_date(cell, false), None, "{cell}");
        }
    }

    #[test]
    fn plain_slash_dates_read_as_the_general_reading_does() {
        let mut cells: Vec<String> = vec![
            "10/1/2026".into(),
            "1/31/2023".into(),
            "31/1/2023".into(),
            "2/29/2024".into(),
            "2/29/2023".into(),
            "0/1/2026".into(),
            "1/0/2026".into(),
            "13/13/2026".into(),
            "01/02/0000".into(),
            "1/2/12345".into(),
            "1/2/226".into(),
            "123/1/2026".into(),
            "1//2026".into(),
            "/1/2026".into(),
            "1/2/2026/".into(),
            "1/2".into(),
            "+1/2/2026".into(),
            "1/2/+202".into(),
        ];
        for month in 0..=13 {
            for day in [0, 1, 9, 10, 28, 29, 30, 31, 32] {
                cells.push(format!("{month}/{day}/2025"));
                cells.push(format!("{month:02}/{day:02}/2024"));
            }
        }
        let mut read_from_bytes = 0;
        for cell in &cells {
            for day_first in [false, true] {
                let general = written_date(cell, day_first);
                if let Some(fast) = plain_slash_date(cell.as_bytes(), day_first) {
                    read_from_bytes += 1;
                    assert_eq!(fast, general, "{cell} {day_first}");
                }
                assert_eq!(parse_date(cell, day_first), general, "{cell} {day_first}");
            }
        }
        // Most cells above are digits and two slashes, which the fast path must take.
        assert!(read_from_bytes > 250, "{read_from_bytes}");
    }

    #[test]
    fn slash_dates_follow_the_locale() {
        assert_eq!(parse_date("2/1/2019 0:00", false), date(2019, 2, 1));
        assert_eq!(parse_date("2/28/2019 23:59", false), date(2019, 2, 28));
        assert_eq!(
            parse_date("1/31/2023 11:59:59 PM", false),
            date(2023, 1, 31)
        );
        assert_eq!(parse_date("10/3/2020", false), date(2020, 10, 3));
        assert_eq!(parse_date("10/3/2020", true), date(2020, 3, 10));
        assert_eq!(parse_date("31.01.2026", false), date(2026, 1, 31));
        assert_eq!(parse_date("31/01/2026", false), None);
        assert_eq!(parse_date("1/31/2023 13:00 PM", false), None);
        assert_eq!(parse_date("yesterday", false), None);
    }
}
