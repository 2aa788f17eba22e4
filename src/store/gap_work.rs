//! The work recorded on gaps, read for the report. Written only through the decision log.

use super::connection::{Store, StoreError};
use crate::domain::gap_work::{GapWork, GapWorkState};
use std::collections::HashMap;

impl Store {
    /// Every gap's recorded work, by the gap's stable key.
    pub fn gap_work(&self) -> Result<HashMap<String, GapWork>, StoreError> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT gap_key, state, note, until FROM gap_work")?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut work = HashMap::new();
        for row in rows {
            let (key, state, note, until) = row?;
            let Some(state) = GapWorkState::from_stored(&state) else {
                return Err(StoreError::Corrupt {
                    column: "gap_work.state",
                    value: state,
                });
            };
            let until = match until {
                Some(text) => Some(text.parse().map_err(|_| StoreError::Corrupt {
                    column: "gap_work.until",
                    value: text.clone(),
                })?),
                None => None,
            };
            work.insert(key, GapWork { state, note, until });
        }
        Ok(work)
    }
}
