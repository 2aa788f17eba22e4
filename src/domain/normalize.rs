//! Company-name, domain and product-name normalisation, one rule per function.
//!
//! Names from vendor exports and PSAs disagree in case, punctuation, legal form, abbreviations
//! and site tails. Each rule here removes one kind of disagreement, and [`normalize_company`]
//! records every rule that changed the name in a [`Trail`], so a suggestion can say why two
//! names were considered equal. The catalog data (legal suffixes, abbreviations) is bundled with
//! `include_str!` and parsed once on first use, by the strict reader in `table`: no I/O
//! happens here.
//!
//! This file only declares the rules' modules and re-exports them, so every child imports its
//! siblings directly and none imports this file back. The shared steps (folding, the site tail,
//! punctuation, initials) are in `steps`, the rules and the trail in `trail`, and the rules that
//! need a bundled table or serve one kind of name have their own module.

mod abbreviation;
mod company;
mod legal_suffix;
mod product;
mod steps;
pub(crate) mod table;
mod trail;
mod web_domain;

pub use abbreviation::expand_abbreviations;
pub use company::{NormalizedName, normalize_company};
pub use legal_suffix::{legal_suffix_of, remove_legal_suffixes};
pub use product::{
    NormalizedProduct, expand_product_shorthand, normalize_product, set_aside_term_words,
    term_in_words,
};
pub use steps::{
    drop_leading_the, fold_case_and_diacritics, join_initials, read_ampersand, split_site_tail,
    strip_punctuation, tokenize,
};
pub use trail::{Rule, Trail, TrailStep};
pub use web_domain::{registrable_domain, tenant_prefix};
