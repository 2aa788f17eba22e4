//! Moving a selection through a list, and which rows of a long list are on screen.

/// `index` moved by `step`, kept inside `0..len` (0 when empty).
pub fn shift(index: usize, step: isize, len: usize) -> usize {
    let Some(last) = len.checked_sub(1) else {
        return 0;
    };
    let moved = if step.is_negative() {
        index.saturating_sub(step.unsigned_abs())
    } else {
        index.saturating_add(step.unsigned_abs())
    };
    moved.min(last)
}

/// The first row shown of a list with `visible` rows, so that `selected` is on screen.
pub fn first_visible(selected: usize, visible: usize) -> usize {
    if visible == 0 {
        return selected;
    }
    selected.saturating_add(1).saturating_sub(visible)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_selection_stays_inside_the_list() {
        assert_eq!(shift(0, -1, 5), 0);
        assert_eq!(shift(3, 10, 5), 4);
        assert_eq!(shift(3, isize::MIN, 5), 0);
        assert_eq!(shift(2, 0, 0), 0);
        assert_eq!(first_visible(9, 5), 5);
        assert_eq!(first_visible(2, 5), 0);
    }
}
