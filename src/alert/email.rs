//! Email delivery (being written).
