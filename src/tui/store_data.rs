//! Placeholder until the store lands.
use crate::tui::data::*;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
/// x
pub struct StoreData;
impl StoreData {
    /// x
    pub fn open(_: &Path) -> Result<Self, DataError> {
        Err(DataError("no store yet".into()))
    }
}
impl WorkbenchData for StoreData {
    fn overview(&mut self, _: Decimal) -> Result<Overview, DataError> {
        todo!()
    }
    fn queue(&mut self, _: MappingKind, _: QueueFilter) -> Result<Vec<QueueEntry>, DataError> {
        todo!()
    }
    fn candidates(&mut self, _: MappingKind, _: &str) -> Result<Vec<Candidate>, DataError> {
        todo!()
    }
    fn targets(&mut self, _: MappingKind) -> Result<Vec<Target>, DataError> {
        todo!()
    }
    fn decide(&mut self, _: Decision) -> Result<(), DataError> {
        todo!()
    }
    fn undo(&mut self) -> Result<Option<String>, DataError> {
        todo!()
    }
    fn redo(&mut self) -> Result<Option<String>, DataError> {
        todo!()
    }
    fn gaps(&mut self, _: Decimal) -> Result<Vec<GapRow>, DataError> {
        todo!()
    }
    fn drilldown(&mut self, _: &GapRow, _: usize) -> Result<Drilldown, DataError> {
        todo!()
    }
    fn sniff(&mut self, _: &Path) -> Result<crate::import::SourceInfo, DataError> {
        todo!()
    }
    fn import_runner(&self) -> ImportRunner {
        todo!()
    }
    fn export(&mut self, _: &str, _: &Path, _: Decimal) -> Result<PathBuf, DataError> {
        todo!()
    }
}
