//! Header names as the same column is spelled across exports and doc revisions.

/// The comparable form of a header: lower-case, without spaces, underscores or dots.
///
/// `MpnId`, `MPNID`, `mpn_id` and `Mpn Id` are one column; so are the ConnectWise API's
/// `company.identifier` and an export's `Company Identifier`. Byte-order marks are dropped too,
/// in case one survived in front of the first header.
pub fn normalize_header(header: &str) -> String {
    header
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '.' | '\u{FEFF}' | '\u{A0}') && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_column_agree() {
        for spelling in ["MpnId", "MPNID", "mpn_id", " Mpn Id ", "mpn.id"] {
            assert_eq!(normalize_header(spelling), "mpnid", "{spelling}");
        }
        assert_eq!(normalize_header("company.identifier"), "companyidentifier");
    }
}
