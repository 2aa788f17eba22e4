//! Spreadsheet safety: no text cell is ever run as a formula.

/// Makes a text cell safe to open in a spreadsheet: a cell starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return is prefixed with `'` so that it is shown as text and never run as
/// a formula. Control characters are stripped too.
pub fn neutralise_formula(text: &str) -> String {
    // Decide on the cleaned text: stripping a leading control character must not uncover a
    // formula. Tabs and carriage returns become spaces when cleaned, so check the raw start too.
    let clean = crate::domain::text::strip_control(text);
    let formula_start = ['=', '+', '-', '@'];
    if clean.starts_with(formula_start) || text.starts_with(['\t', '\r']) {
        format!("'{clean}")
    } else {
        clean
    }
}
