//! Every user intent the workbench understands, and the screens it can show.
//!
//! Keys never reach [`crate::tui::app::App`] directly: the keymap turns them into these
//! actions, and tests drive the app with the same actions, so what a test proves is what a key
//! press does.

/// One screen of the workbench. The help overlay is not a screen: it floats over any of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Screen {
    /// Coverage, gap totals, clients over threshold, sources and changes.
    Overview,
    /// Pick a file, see what it is, import it in the background.
    Import,
    /// Map vendor customers to PSA companies.
    Clients,
    /// Map vendor products to PSA products.
    Products,
    /// The gap table, with drill-down.
    Gaps,
    /// Write the delta report to a file.
    Export,
}

impl Screen {
    /// Every screen in tab order.
    pub const ALL: [Screen; 6] = [
        Screen::Overview,
        Screen::Import,
        Screen::Clients,
        Screen::Products,
        Screen::Gaps,
        Screen::Export,
    ];

    /// The title on the tab bar.
    pub fn title(self) -> &'static str {
        match self {
            Screen::Overview => "Overview",
            Screen::Import => "Import",
            Screen::Clients => "Clients",
            Screen::Products => "Products",
            Screen::Gaps => "Gaps",
            Screen::Export => "Export",
        }
    }

    /// The keymap section that holds this screen's own bindings.
    pub fn section(self) -> &'static str {
        match self {
            Screen::Overview => "overview",
            Screen::Import => "import",
            Screen::Clients => "clients",
            Screen::Products => "products",
            Screen::Gaps => "gaps",
            Screen::Export => "export",
        }
    }

    /// The screen `step` places after this one in tab order, wrapping around.
    pub fn cycled(self, step: isize) -> Screen {
        let count = Screen::ALL.len() as isize;
        let index = Screen::ALL.iter().position(|s| *s == self).unwrap_or(0) as isize;
        Screen::ALL[(index + step).rem_euclid(count) as usize]
    }
}

/// A user intent. Each variant changes state only through [`crate::tui::app::App::update`].
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Leave the workbench (the terminal is restored on the way out).
    Quit,
    /// Open or close the help overlay.
    ToggleHelp,
    /// Close whatever is on top: help, a prompt, a drill-down, a search.
    Back,
    /// Show a given screen.
    ShowScreen(Screen),
    /// Show the next screen in tab order.
    NextScreen,
    /// Show the previous screen in tab order.
    PreviousScreen,
    /// Move the selection up one row.
    MoveUp,
    /// Move the selection down one row.
    MoveDown,
    /// Move the selection up one page.
    PageUp,
    /// Move the selection down one page.
    PageDown,
    /// Move the selection to the first row.
    MoveTop,
    /// Move the selection to the last row.
    MoveBottom,
    /// Select the previous candidate on the right-hand side.
    PreviousCandidate,
    /// Select the next candidate on the right-hand side.
    NextCandidate,
    /// Confirm the selected candidate as the mapping of the selected vendor entry.
    ConfirmSuggestion,
    /// Reject the selected candidate; it will not be suggested for this entry again.
    RejectSuggestion,
    /// Leave the selected entry unmapped for now and move to the next one.
    SkipEntry,
    /// Ask for a reason (and optional expiry) and ignore the selected vendor entry.
    IgnoreEntry,
    /// Remove the mapping or ignore rule of the selected entry.
    UnmapEntry,
    /// Undo the last decision (the decision log keeps it, so this survives a restart).
    Undo,
    /// Redo the last undone decision.
    Redo,
    /// Search the full list of PSA companies or products as you type.
    SearchTargets,
    /// Show how many suggestions are in the safe band, then accept them all on a second press.
    BulkAccept,
    /// Cycle the queue between unmapped, mapped and all entries.
    CycleQueueFilter,
    /// Filter the queue by a text typed into a prompt.
    FilterQueue,
    /// Show the vendor and PSA lines behind the selected gap side by side.
    OpenDrilldown,
    /// Show the selected gap's client's whole account: every product, both sides' seats,
    /// including the rows that agree.
    OpenAccount,
    /// Cycle the gap filter through every kind and back to all.
    CycleKindFilter,
    /// Restrict the gap table to the selected row's client, or lift that restriction.
    ToggleClientFilter,
    /// Show only clients over the threshold, or everyone.
    ToggleOverThreshold,
    /// Cycle the order of the gap table: value, age, client, kind, vendor.
    CycleSort,
    /// Acknowledge the selected gap, with a note on how it is being handled.
    AcknowledgeGap,
    /// Mark the selected gap fixed in the PSA, waiting for the next export.
    MarkFixedInPsa,
    /// Snooze the selected gap until a day.
    SnoozeGap,
    /// Clear the work recorded on the selected gap.
    ClearGapWork,
    /// Raise the per-client threshold by one step.
    RaiseThreshold,
    /// Lower the per-client threshold by one step.
    LowerThreshold,
    /// Type a new per-client threshold.
    EditThreshold,
    /// Record the gaps as they are now as a saved review in the ledger, the baseline that
    /// "new", "worse" and "resolved" are measured against.
    SaveReview,
    /// Edit the file path on the import or export screen.
    EditPath,
    /// Start the import of the detected file.
    StartImport,
    /// Type the currency of a file that carries none (`--currency`).
    SetImportCurrency,
    /// Type the billing period the file covers (`--period`).
    SetImportPeriod,
    /// Type a file to join with the one to import (`--with`), such as the agreements beside a
    /// raw ConnectWise /additions answer.
    AddImportWith,
    /// Read slash dates day first (`--day-first`), or not.
    ToggleDayFirst,
    /// Read numbers with a decimal comma (`--decimal-comma`), or not.
    ToggleDecimalComma,
    /// Import the good rows and set the bad ones aside (`--skip-bad-rows`), or not.
    ToggleSkipBadRows,
    /// Cycle the export format.
    CycleExportFormat,
    /// Write the delta report to the chosen path.
    WriteExport,
    /// Reload everything from the database.
    Refresh,
    /// Type one character into the focused text field.
    InputChar(char),
    /// Insert pasted text into the focused text field.
    InputText(String),
    /// Delete the character before the cursor in the focused text field.
    InputBackspace,
    /// Complete the path in the focused text field.
    InputComplete,
    /// Accept the focused text field.
    InputSubmit,
    /// Abandon the focused text field.
    InputCancel,
    /// Scroll the list under the mouse up.
    ScrollUp,
    /// Scroll the list under the mouse down.
    ScrollDown,
    /// A mouse click at a terminal cell (column, row).
    Click(u16, u16),
    /// The terminal now has this size (columns, rows).
    Resize(u16, u16),
}

/// An action that a key can be bound to, with the name used in keymap files and the label used
/// in hints and help. The table below is the only list of names, so a keymap cannot name an
/// action that does not exist.
#[derive(Debug, Clone)]
pub struct Bindable {
    /// The name in the keymap file.
    pub name: &'static str,
    /// What the key does.
    pub action: Action,
    /// A few words for the status bar and the help overlay.
    pub label: &'static str,
}

macro_rules! bindable {
    ($($name:literal => $action:expr, $label:literal;)*) => {
        /// Every bindable action, in the order hints and help list them.
        pub fn bindables() -> Vec<Bindable> {
            vec![$(Bindable { name: $name, action: $action, label: $label }),*]
        }
    };
}

bindable! {
    "confirm" => Action::ConfirmSuggestion, "confirm";
    "reject" => Action::RejectSuggestion, "reject";
    "skip" => Action::SkipEntry, "skip";
    "ignore" => Action::IgnoreEntry, "ignore";
    "unmap" => Action::UnmapEntry, "unmap";
    "undo" => Action::Undo, "undo";
    "redo" => Action::Redo, "redo";
    "search" => Action::SearchTargets, "search";
    "bulk_accept" => Action::BulkAccept, "accept safe band";
    "cycle_queue" => Action::CycleQueueFilter, "unmapped/mapped/all";
    "filter_queue" => Action::FilterQueue, "filter";
    "drilldown" => Action::OpenDrilldown, "drill down";
    "account" => Action::OpenAccount, "client's account";
    "cycle_kind" => Action::CycleKindFilter, "kind filter";
    "client_filter" => Action::ToggleClientFilter, "this client";
    "over_threshold" => Action::ToggleOverThreshold, "over threshold only";
    "sort" => Action::CycleSort, "sort";
    "acknowledge" => Action::AcknowledgeGap, "acknowledge";
    "fixed_in_psa" => Action::MarkFixedInPsa, "fixed in PSA";
    "snooze" => Action::SnoozeGap, "snooze";
    "clear_work" => Action::ClearGapWork, "clear work";
    "raise_threshold" => Action::RaiseThreshold, "threshold +";
    "lower_threshold" => Action::LowerThreshold, "threshold -";
    "edit_threshold" => Action::EditThreshold, "set threshold";
    "save_review" => Action::SaveReview, "save this review";
    "edit_path" => Action::EditPath, "edit path";
    "start_import" => Action::StartImport, "import";
    "import_currency" => Action::SetImportCurrency, "currency";
    "import_period" => Action::SetImportPeriod, "period";
    "import_with" => Action::AddImportWith, "join a file";
    "day_first" => Action::ToggleDayFirst, "day-first dates";
    "decimal_comma" => Action::ToggleDecimalComma, "decimal comma";
    "skip_bad_rows" => Action::ToggleSkipBadRows, "skip bad rows";
    "cycle_format" => Action::CycleExportFormat, "format";
    "write_export" => Action::WriteExport, "write report";
    "previous_candidate" => Action::PreviousCandidate, "prev candidate";
    "next_candidate" => Action::NextCandidate, "next candidate";
    "up" => Action::MoveUp, "up";
    "down" => Action::MoveDown, "down";
    "page_up" => Action::PageUp, "page up";
    "page_down" => Action::PageDown, "page down";
    "top" => Action::MoveTop, "top";
    "bottom" => Action::MoveBottom, "bottom";
    "refresh" => Action::Refresh, "reload";
    "next_screen" => Action::NextScreen, "next screen";
    "previous_screen" => Action::PreviousScreen, "previous screen";
    "show_overview" => Action::ShowScreen(Screen::Overview), "overview";
    "show_import" => Action::ShowScreen(Screen::Import), "import";
    "show_clients" => Action::ShowScreen(Screen::Clients), "clients";
    "show_products" => Action::ShowScreen(Screen::Products), "products";
    "show_gaps" => Action::ShowScreen(Screen::Gaps), "gaps";
    "show_export" => Action::ShowScreen(Screen::Export), "export";
    "back" => Action::Back, "back";
    "help" => Action::ToggleHelp, "help";
    "quit" => Action::Quit, "quit";
    "submit" => Action::InputSubmit, "accept";
    "cancel" => Action::InputCancel, "cancel";
    "complete" => Action::InputComplete, "complete path";
    "backspace" => Action::InputBackspace, "delete";
}
