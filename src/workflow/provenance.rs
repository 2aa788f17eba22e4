//! How a mapping in force was made, in the billing owner's words: by hand, or automatically
//! and on what evidence (the PSA id the vendor record carries, the same domain, the same
//! name, or a safe-band score), and on which day. The mapping review checks the automatic ones.

use super::certain::fold_name;
use crate::domain::lines::Party;
use crate::store::Provenance;

/// How and when one mapping was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MadeBy {
    /// True when an automatic accept made it.
    pub automatic: bool,
    /// The day, `YYYY-MM-DD`.
    pub day: String,
    /// The evidence, such as "PSA id", "same domain", "same name" or "safe-band score"; "by
    /// hand" for a person's decision.
    pub basis: &'static str,
}

impl MadeBy {
    /// "by hand, 2026-12-02" or "automatic (PSA id), 2026-12-02".
    pub fn words(&self) -> String {
        if self.automatic {
            format!("automatic ({}), {}", self.basis, self.day)
        } else {
            format!("by hand, {}", self.day)
        }
    }
}

/// A client mapping's provenance, with the evidence read off both records for an automatic
/// one (what the log does not store, the records still show).
pub(super) fn client_made_by(
    provenance: &Provenance,
    vendor: &Party,
    psa_key: &str,
    psa: Option<&Party>,
) -> MadeBy {
    let basis = if !provenance.automatic {
        "by hand"
    } else if vendor.external_id.as_deref() == Some(psa_key) {
        "PSA id"
    } else if vendor.domain.is_some() && vendor.domain == psa.and_then(|psa| psa.domain.clone()) {
        "same domain"
    } else if psa.is_some_and(|psa| fold_name(&psa.name) == fold_name(&vendor.name)) {
        "same name"
    } else {
        "safe-band score"
    };
    made(provenance, basis)
}

/// A product mapping's provenance.
pub(super) fn product_made_by(
    provenance: &Provenance,
    vendor_name: &str,
    psa_name: Option<&str>,
) -> MadeBy {
    let basis = if !provenance.automatic {
        "by hand"
    } else if psa_name.is_some_and(|psa| fold_name(psa) == fold_name(vendor_name)) {
        "same name"
    } else {
        "safe-band score"
    };
    made(provenance, basis)
}

fn made(provenance: &Provenance, basis: &'static str) -> MadeBy {
    MadeBy {
        automatic: provenance.automatic,
        day: provenance.day().to_string(),
        basis,
    }
}
