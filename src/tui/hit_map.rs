//! Where things were drawn, for the mouse: the views record it while drawing, and the app
//! reads it on a click, so the app never recomputes the layout (and never imports the views).

use crate::tui::action::Screen;

/// The clickable places of the last frame.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HitMap {
    /// Each tab's row, first column and width.
    pub tabs: Vec<TabHit>,
    /// The list of the screen shown, if it has one.
    pub list: Option<ListHit>,
}

/// One tab of the tab bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TabHit {
    /// The row of the tab bar.
    pub row: u16,
    /// The first column of the label.
    pub column: u16,
    /// The label's width in columns.
    pub width: u16,
    /// The screen it shows.
    pub screen: Screen,
}

/// The rows of a list as drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListHit {
    /// The terminal row of the first list row.
    pub top: u16,
    /// How many list rows were drawn.
    pub rows: u16,
    /// The list index of the first row drawn.
    pub first_index: usize,
}

impl HitMap {
    /// The screen whose tab is at a cell.
    pub fn tab_at(&self, column: u16, row: u16) -> Option<Screen> {
        self.tabs
            .iter()
            .find(|tab| {
                tab.row == row
                    && column >= tab.column
                    && column < tab.column.saturating_add(tab.width)
            })
            .map(|tab| tab.screen)
    }

    /// The list index at a terminal row, if the row is a list row.
    pub fn list_index_at(&self, row: u16) -> Option<usize> {
        let list = self.list?;
        let offset = row.checked_sub(list.top)?;
        (offset < list.rows).then(|| list.first_index.saturating_add(usize::from(offset)))
    }
}
