//! The import loop: open, recognise, stream rows through the seat rule into the sink.

use super::decimal_mark::{Asked, Evidence, decide};
use super::file_scan::Encoding;
use super::formats::{Outcome, RuleContext, seat_rule};
use super::generic_profile::load_generic_profile;
use super::mark_scan;
use super::plausible::{Warnings, check_plausible};
use super::profile::{ColumnMap, HeaderIndex, Profile, Role, bundled_profiles, missing_columns};
use super::row::{CellProblem, CellRules, Row};
use super::shape;
use super::slice::SliceCollector;
use super::table::Table;
use crate::domain::lines::{Line, Period};
use crate::domain::money::Currency;
use crate::import::contract::{
    ImportError, ImportOptions, ImportSummary, LineSink, Location, Progress, RejectedRow,
    SourceInfo,
};
use csv::StringRecord;
use std::collections::BTreeMap;
use std::path::Path;

/// Rows between two progress reports.
const PROGRESS_EVERY: u64 = 65_536;

/// How much of the file to read.
#[derive(Debug, Clone, Copy)]
pub enum Extent {
    /// Every row.
    Whole,
    /// The first rows only, tolerating bad ones (a preview).
    Preview(u64),
}

/// Parses `path` into `sink`; see [`super::parse_file`].
///
/// The decimal mark is decided by every number cell of the file (see [`super::decimal_mark`]),
/// so it is only known at the end of the file. Rather than read every row twice, once for the
/// mark and once for the lines, the rows are read in the mark their first rows name while
/// every number cell is collected as evidence. When the file's evidence decides the mark the
/// rows were read in, which is every file but a few odd ones, that one pass stands. Otherwise
/// the sink is restarted and the file is read again in the decided mark, so the outcome is
/// always the one a decided-first reading would give.
pub fn run(
    path: &Path,
    encoding: &Encoding,
    options: &ImportOptions,
    sink: &mut dyn LineSink,
    progress: &mut dyn FnMut(Progress),
    extent: Extent,
) -> Result<ImportSummary, ImportError> {
    let mut table = Table::open_with(path, &encoding.0, &options.with)?;
    let file = table.file.clone();
    let (profile, columns) = recognise(&table, options)?;
    let default_currency = match (&options.currency, &profile.default_currency) {
        (Some(currency), _) => Some(currency.clone()),
        (None, Some(code)) => {
            // The code is the profile author's text and is echoed: no control characters.
            Some(Currency::parse(code).map_err(|error| ImportError::Profile {
                file: file.clone(),
                reason: crate::domain::text::strip_control(&error.to_string()),
            })?)
        }
        (None, None) => None,
    };
    if columns.position(Role::Currency).is_none() && default_currency.is_none() {
        return Err(ImportError::NoCurrency { file });
    }
    let (limit, strict) = match extent {
        Extent::Whole => (u64::MAX, true),
        Extent::Preview(rows) => (rows, false),
    };
    let asked = mark_scan::asked(path, options)?;
    let pass = Pass {
        profile: &profile,
        columns: &columns,
        options,
        limit,
        skip_bad_rows: options.skip_bad_rows || !strict,
        number_cells: mark_scan::number_cells(&columns),
        day_first: options.day_first,
        default_currency,
    };
    // JSON numbers are written with a point by definition; only the user can say otherwise.
    if table.is_json {
        return pass.read(&mut table, asked == Asked::Comma, sink, progress);
    }
    let first_rows = mark_scan::decimal_comma(
        path,
        &encoding.0,
        &columns,
        asked,
        limit.min(FIRST_ROWS_FOR_THE_MARK),
        false,
    )?;
    let (read, decided) = match pass.read_collecting(&mut table, first_rows, sink, progress) {
        Ok((summary, evidence)) => match decide(asked, &evidence) {
            Ok(comma) => (Ok(summary), comma),
            Err(undecided) if strict => return Err(mark_scan::refusal(undecided)),
            Err(_) => (Ok(summary), asked == Asked::Comma),
        },
        // The sink stopped taking lines (a failed write, or bytes imported before): that is
        // the answer, whatever the rest of the file says about its mark.
        Err(error @ ImportError::Sink { .. }) => return Err(error),
        // The rows stopped early, so their evidence is partial: the mark is decided from the
        // whole file first, and its refusal is the one to report, as it comes first.
        Err(error) => {
            let comma =
                mark_scan::decimal_comma(path, &encoding.0, &columns, asked, limit, strict)?;
            (Err(error), comma)
        }
    };
    if decided == first_rows {
        return read;
    }
    sink.restart().map_err(|source| ImportError::Sink {
        file: table.file.clone(),
        source,
    })?;
    let mut table = Table::open_with(path, &encoding.0, &options.with)?;
    pass.read(&mut table, decided, sink, progress)
}

/// How many rows name the decimal mark the rows are first read in.
const FIRST_ROWS_FOR_THE_MARK: u64 = 2_000;

/// One reading of a file's rows, with everything but the decimal mark settled.
struct Pass<'a> {
    profile: &'a Profile,
    columns: &'a ColumnMap,
    options: &'a ImportOptions,
    limit: u64,
    skip_bad_rows: bool,
    /// The number cells, whose evidence decides the decimal mark.
    number_cells: Vec<(Role, usize)>,
    day_first: bool,
    default_currency: Option<Currency>,
}

impl Pass<'_> {
    /// Reads the rows in the decimal mark `decimal_comma`.
    fn read(
        &self,
        table: &mut Table,
        decimal_comma: bool,
        sink: &mut dyn LineSink,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportSummary, ImportError> {
        self.rows(table, decimal_comma, None, sink, progress)
    }

    /// [`Pass::read`], collecting every number cell's evidence about the decimal mark.
    fn read_collecting(
        &self,
        table: &mut Table,
        decimal_comma: bool,
        sink: &mut dyn LineSink,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(ImportSummary, Evidence<Location>), ImportError> {
        let mut evidence = Evidence::default();
        let summary = self.rows(table, decimal_comma, Some(&mut evidence), sink, progress)?;
        Ok((summary, evidence))
    }

    fn rows(
        &self,
        table: &mut Table,
        decimal_comma: bool,
        mut evidence: Option<&mut Evidence<Location>>,
        sink: &mut dyn LineSink,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportSummary, ImportError> {
        let (profile, columns, options) = (self.profile, self.columns, self.options);
        let file = table.file.clone();
        let rules = CellRules {
            decimal_comma,
            day_first: self.day_first,
            default_currency: self.default_currency.clone(),
        };
        let mut rule = seat_rule(
            profile.rules,
            RuleContext {
                period: options.period,
                today: chrono::Local::now().date_naive(),
            },
        );
        let mut summary = ImportSummary {
            source: SourceInfo {
                format: match (&table.is_json, &profile.json_name) {
                    (true, Some(json_name)) => json_name.clone(),
                    _ => profile.name.clone(),
                },
                system: profile.system.clone(),
                side: options.side.unwrap_or(profile.side),
                slice: String::new(),
                period: options.period,
            },
            rows_read: 0,
            lines: 0,
            rejected: Vec::new(),
            excluded: 0,
            warnings: Vec::new(),
        };
        let mut slice = SliceCollector::new(profile.slice.len());
        let mut warnings = Warnings::default();
        if let Some((count, line)) = table.replaced_bytes {
            warnings.add_many(
                "invalid UTF-8 bytes in an otherwise UTF-8 file, each read as U+FFFD",
                count,
                || Location {
                    file: file.clone(),
                    line,
                    column: None,
                    column_name: None,
                },
            );
        }
        // Ordered, and small: a file's lines start in a handful of months.
        let mut months: BTreeMap<Period, u64> = BTreeMap::new();
        let mut record = StringRecord::new();
        let mut deliver = |line: Line, summary: &mut ImportSummary| -> Result<(), ImportError> {
            if let Some(start) = line.period_start {
                let count = months.entry(Period::containing(start)).or_default();
                *count = count.saturating_add(1);
            }
            summary.lines = summary.lines.saturating_add(1);
            sink.accept(line).map_err(|source| ImportError::Sink {
                file: file.clone(),
                source,
            })
        };
        while summary.rows_read < self.limit {
            let Some(line_number) = table.next_row(&mut record)? else {
                break;
            };
            summary.rows_read = summary.rows_read.saturating_add(1);
            if let Some(evidence) = evidence.as_deref_mut() {
                mark_scan::collect(evidence, &self.number_cells, &record, |role| {
                    locate(table, columns, line_number, Some(role))
                });
            }
            let read = shape::check(table, &record).and_then(|()| {
                let row = Row::new(&record, columns, &rules);
                let outcome = rule.read(&row, line_number);
                for (role, what) in row.take_notes() {
                    warnings.add(what, || locate(table, columns, line_number, role));
                }
                outcome
            });
            match read {
                Ok(outcome) => {
                    add_slice(&mut slice, profile, columns, &record, &rules);
                    match outcome {
                        Outcome::Line(line) => {
                            check_plausible(&line, &mut warnings, || {
                                locate(table, columns, line_number, None)
                            });
                            deliver(*line, &mut summary)?;
                        }
                        Outcome::Excluded => summary.excluded = summary.excluded.saturating_add(1),
                        Outcome::Held => {}
                    }
                }
                Err(error) => {
                    let location = match &error.problem {
                        CellProblem::Shape(_) => shape::locate(table, &record, line_number),
                        _ => locate(table, columns, line_number, error.role),
                    };
                    if !self.skip_bad_rows {
                        return Err(row_error(location, error.problem));
                    }
                    summary.rejected.push(RejectedRow {
                        location,
                        reason: error.problem.to_string(),
                        raw: record.iter().map(str::to_string).collect(),
                    });
                }
            }
            if summary.rows_read % PROGRESS_EVERY == 0 {
                progress(Progress {
                    bytes_read: table.bytes_read(),
                    total_bytes: table.total_bytes,
                    rows: summary.rows_read,
                });
            }
        }
        if summary.rows_read == 0 {
            return Err(ImportError::HeaderOnly {
                file: table.file.clone(),
            });
        }
        for line in rule.finish() {
            deliver(line, &mut summary)?;
        }
        summary.excluded = summary.excluded.saturating_add(rule.dropped());
        summary.source.period = options
            .period
            .or(rule.period())
            .or_else(|| most_common(&months));
        summary.source.slice = slice.finish();
        summary.warnings = warnings.finish();
        progress(Progress {
            bytes_read: table.bytes_read(),
            total_bytes: table.total_bytes,
            rows: summary.rows_read,
        });
        Ok(summary)
    }
}

/// Chooses the profile: the forced one, the user's generic one, or the bundled profile whose
/// fingerprint the header matches most specifically.
fn recognise(table: &Table, options: &ImportOptions) -> Result<(Profile, ColumnMap), ImportError> {
    let profile_error = |reason: String| ImportError::Profile {
        file: table.file.clone(),
        reason,
    };
    let candidates = match &options.profile {
        Some(path) => {
            vec![
                load_generic_profile(path).map_err(|source| ImportError::GenericProfile {
                    file: table.file.clone(),
                    source: Box::new(source),
                })?,
            ]
        }
        None => bundled_profiles().map_err(|error| profile_error(error.to_string()))?,
    };
    let candidates: Vec<Profile> = match &options.format {
        Some(name) if options.profile.is_none() || name != "generic" => {
            let chosen: Vec<Profile> = candidates
                .into_iter()
                .filter(|p| p.name == *name || p.json_name.as_deref() == Some(name.as_str()))
                .collect();
            if chosen.is_empty() {
                let reason = if name == "generic" {
                    "the generic format needs --profile <file.toml>".to_string()
                } else {
                    format!("'{name}' is not a known format; run `billgap formats` to list them")
                };
                return Err(profile_error(reason));
            }
            chosen
        }
        _ => candidates,
    };
    let forced = options.format.is_some() && candidates.len() == 1;
    let mut best: Option<(usize, Profile, ColumnMap)> = None;
    let mut forced_miss: Option<(Profile, ColumnMap)> = None;
    let index = HeaderIndex::new(&table.headers);
    for profile in candidates {
        let columns = ColumnMap::resolve_indexed(&profile, &index);
        match columns.fingerprint_score(&profile) {
            Some(score)
                if best
                    .as_ref()
                    .is_none_or(|(best_score, _, _)| score > *best_score) =>
            {
                best = Some((score, profile, columns));
            }
            Some(_) => {}
            None if forced => forced_miss = Some((profile, columns)),
            None => {}
        }
    }
    if let Some((profile, columns)) = forced_miss {
        // The fingerprint set that misses the fewest columns is the one to name.
        let missing = profile
            .fingerprints
            .iter()
            .map(|set| missing_columns(&profile, &columns, set))
            .min_by_key(Vec::len)
            .unwrap_or_default();
        return Err(missing_error(table, &profile, &missing));
    }
    let (profile, columns) = best
        .map(|(_, profile, columns)| (profile, columns))
        .ok_or_else(|| ImportError::UnknownFormat {
            file: table.file.clone(),
            // Headers come from the file and end up on the user's terminal.
            found: crate::domain::text::strip_control(&shorten(&table.headers.join(", "))),
        })?;
    if let Some((_, first, second)) = columns.duplicate(&table.headers) {
        let name = table.headers.get(first).cloned().unwrap_or_default();
        return Err(ImportError::Shape {
            location: Location {
                file: table.file.clone(),
                line: 1,
                column: u64::try_from(second).ok().map(|c| c.saturating_add(1)),
                column_name: Some(name.clone()),
            },
            reason: format!(
                "the header has {:?} twice (columns {} and {}), and billgap cannot tell which \
                 one to read; remove or rename one",
                crate::domain::text::strip_control(&name),
                first.saturating_add(1),
                second.saturating_add(1)
            ),
        });
    }
    let missing = missing_columns(&profile, &columns, &profile.required);
    if !missing.is_empty() {
        return Err(missing_error(table, &profile, &missing));
    }
    Ok((profile, columns))
}

/// The error for a file taken to be `profile` that lacks columns it needs.
fn missing_error(table: &Table, profile: &Profile, missing: &[String]) -> ImportError {
    ImportError::Profile {
        file: table.file.clone(),
        reason: format!(
            "the file looks like {} but has no {} column{}; without {} billgap would have to \
             guess, so it refuses the file (found: {})",
            profile.name,
            // A generic profile's column names are the user's text, and may hold anything.
            crate::domain::text::strip_control(&missing.join(", ")),
            if missing.len() == 1 { "" } else { "s" },
            if missing.len() == 1 { "it" } else { "them" },
            crate::domain::text::strip_control(&shorten(&table.headers.join(", ")))
        ),
    }
}

/// A header list cut to a length a terminal can show: a file can have 100,000 columns.
pub(super) fn shorten(text: &str) -> String {
    const LIMIT: usize = 600;
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text.to_string(),
    }
}

/// Adds a good row's slice values: the profile's slice roles, the currency upper-cased, and
/// the default currency for a row without one.
fn add_slice(
    slice: &mut SliceCollector,
    profile: &Profile,
    columns: &ColumnMap,
    record: &StringRecord,
    rules: &CellRules,
) {
    for (index, role) in profile.slice.iter().enumerate() {
        let cell = columns
            .position(*role)
            .and_then(|position| record.get(position))
            .map(str::trim)
            .filter(|cell| !cell.is_empty());
        match (role, cell) {
            (Role::Currency, Some(code)) if code.bytes().any(|b| b.is_ascii_lowercase()) => {
                slice.add(index, &code.to_ascii_uppercase());
            }
            (Role::Currency, None) => {
                if let Some(currency) = &rules.default_currency {
                    slice.add(index, currency.code());
                }
            }
            (_, Some(cell)) => slice.add(index, cell),
            (_, None) => {}
        }
    }
}

/// Where a bad cell is: its line, and for CSV its 1-based column and header.
pub(super) fn locate(
    table: &Table,
    columns: &ColumnMap,
    line: u64,
    role: Option<Role>,
) -> Location {
    let position = role.and_then(|role| columns.position(role));
    let column_name = position.and_then(|p| table.headers.get(p).cloned());
    if table.is_json {
        // A JSON cell is where its value is written, which may be lines below the record.
        let place = position.and_then(|p| table.cell_positions.get(p).copied().flatten());
        // A cell copied from a beside file (`--with`) is reported where it is written there.
        let file = position.map_or(table.file.as_str(), |p| table.file_of_cell(p));
        return Location {
            file: file.to_string(),
            line: place.map_or(line, |(line, _)| line),
            column: place.map(|(_, column)| column),
            column_name,
        };
    }
    Location {
        file: table.file.clone(),
        line,
        column: position
            .and_then(|p| u64::try_from(p).ok())
            .map(|p| p.saturating_add(1)),
        column_name,
    }
}

/// The error that fails the import at a bad cell.
fn row_error(location: Location, problem: CellProblem) -> ImportError {
    match problem {
        CellProblem::Unreadable { expected, found } => ImportError::Row {
            location,
            expected,
            found,
        },
        CellProblem::Implausible(value) => ImportError::Implausible { location, value },
        CellProblem::Shape(reason) => ImportError::Shape { location, reason },
    }
}

/// The month most charge periods start in; the later month wins a tie.
fn most_common(months: &BTreeMap<Period, u64>) -> Option<Period> {
    months
        .iter()
        .max_by_key(|(period, count)| (**count, **period))
        .map(|(period, _)| *period)
}
