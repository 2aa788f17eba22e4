//! Which earlier imports a new one replaces: those of the same side, system and period whose
//! slice it covers. One it only partly overlaps is refused unless the user says `--replace`,
//! since keeping both counts the shared part twice and replacing drops the rest.

use super::connection::StoreError;
use crate::domain::lines::Period;
use crate::import::SourceInfo;
use crate::import::slice::{Overlap, overlap};
use rusqlite::{Transaction, params};

/// What a new import may replace beyond the earlier imports its slice covers.
#[derive(Debug, Clone, Copy)]
pub(super) struct Replacing {
    /// The import of the same bytes that `--replace` reads again.
    pub(super) same_bytes: Option<i64>,
    /// Replace current imports the slice only partly overlaps, too (`--replace`).
    pub(super) overlaps: bool,
}

/// Marks the current imports of the same side, system and period whose slice this import
/// covers as replaced. One it only partly overlaps is refused, unless `replace_overlaps`.
pub(super) fn supersede(
    transaction: &Transaction<'_>,
    import_id: i64,
    file_name: &str,
    source: &SourceInfo,
    period: Period,
    replace_overlaps: bool,
) -> Result<Vec<i64>, StoreError> {
    let candidates: Vec<(i64, String, String)> = {
        let mut statement = transaction.prepare(
            "SELECT id, slice, file_name FROM imports
             WHERE side = ?1 AND system = ?2 AND period = ?3
               AND superseded_by IS NULL AND id != ?4
             ORDER BY id",
        )?;
        statement
            .query_map(
                params![
                    source.side.as_str(),
                    source.system,
                    period.to_string(),
                    import_id
                ],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )?
            .collect::<Result<_, _>>()?
    };
    let mut replaced = Vec::new();
    for (id, slice, earlier_file) in candidates {
        match overlap(&source.slice, &slice) {
            Overlap::Disjoint => continue,
            Overlap::Covers => {}
            Overlap::Partial if replace_overlaps => {}
            Overlap::Partial => {
                return Err(StoreError::Overlap {
                    file: file_name.to_string(),
                    slice: source.slice.clone(),
                    earlier: id,
                    earlier_file,
                    earlier_slice: slice,
                });
            }
        }
        transaction.execute(
            "UPDATE imports SET superseded_by = ?1 WHERE id = ?2",
            [import_id, id],
        )?;
        replaced.push(id);
    }
    Ok(replaced)
}
