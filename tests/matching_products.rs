//! Product matching: catalog lookups, shorthand, and the term penalty.

use billgap::domain::lines::{Product, Term};
use billgap::domain::matching::*;

fn product(key: &str, name: &str) -> Product {
    Product {
        key: key.to_string(),
        name: name.to_string(),
    }
}

fn display_name_of(key: &str, name: &str) -> Option<&'static str> {
    find_in_catalog(&product(key, name)).map(|(entry, _)| entry.display_name.as_str())
}

#[test]
fn the_catalog_recognises_ids_part_numbers_names_and_shorthand() {
    let premium = Some("Microsoft 365 Business Premium");
    assert_eq!(display_name_of("CFQ7TTC0LCHC:0002", "whatever"), premium);
    assert_eq!(
        display_name_of("x", "Microsoft 365 Business Premium"),
        premium
    );
    assert_eq!(display_name_of("x", "M365 BP"), premium);
    assert_eq!(display_name_of("x", "Business Premium"), premium);
    assert_eq!(display_name_of("SPB", ""), premium);
    assert_eq!(
        display_name_of("cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", ""),
        premium
    );
    assert_eq!(display_name_of("M365-BP-M", "Cloud bundle"), premium);
    // The part number O365_BUSINESS_PREMIUM is Business Standard, whatever its name says.
    assert_eq!(
        display_name_of("O365_BUSINESS_PREMIUM", ""),
        Some("Microsoft 365 Business Standard")
    );
    assert_eq!(
        display_name_of("CFQ7TTC0LH18:0001", ""),
        Some("Microsoft 365 Business Basic")
    );
    assert_eq!(
        display_name_of("x", "EOP"),
        Some("Exchange Online Protection")
    );
    assert_eq!(
        display_name_of("x", "Exchange Online (Plan 1)"),
        Some("Exchange Online (Plan 1)")
    );
    assert_eq!(
        display_name_of("x", "EXO P1"),
        Some("Exchange Online (Plan 1)")
    );
    // "E3" alone is both Office 365 E3 and Microsoft 365 E3: ambiguous, so unknown.
    assert_eq!(display_name_of("x", "E3"), None);
    assert_eq!(display_name_of("x", "O365 E3"), Some("Office 365 E3"));
    assert_eq!(display_name_of("x", "Unrelated Widget"), None);
}

#[test]
fn catalog_ids_are_only_shipped_when_well_formed() {
    for entry in catalog_products() {
        if let Some(id) = &entry.nce_product_id {
            assert_eq!(id.len(), 12, "{id}");
            assert!(id.starts_with("CFQ7TTC0"), "{id}");
        }
        if let Some(sku) = &entry.sku_id {
            let groups: Vec<usize> = sku.split('-').map(str::len).collect();
            assert_eq!(groups, vec![8, 4, 4, 4, 12], "{sku}");
        }
        assert!(!entry.display_name.is_empty());
    }
    assert!(catalog_products().len() >= 30);
}

fn psa_products() -> Vec<(Product, Term)> {
    vec![
        (product("M365-BP-M", "M365 Business Premium"), Term::Monthly),
        (
            product("M365-BP-A", "Microsoft 365 Business Premium Annual"),
            Term::Unspecified,
        ),
        (
            product("M365-BB", "Microsoft 365 Business Basic"),
            Term::Monthly,
        ),
        (product("EXO1", "Exchange Online Plan 1"), Term::Monthly),
        (product("BACKUP", "Cloud Backup per user"), Term::Monthly),
    ]
}

#[test]
fn a_vendor_sku_finds_the_psa_product_through_the_catalog() {
    let matcher = ProductMatcher::new(psa_products());
    let query = product(
        "CFQ7TTC0LCHC:0002",
        "Microsoft 365 Business Premium (NCE Monthly)",
    );
    let suggestions = matcher.suggest(&query, Term::Monthly, &Feedback::new(), 5);
    assert_eq!(suggestions[0].candidate_key, "M365-BP-M");
    assert_eq!(suggestions[0].band, Band::High);
    assert!(
        suggestions[0]
            .summary()
            .contains("catalog: Microsoft 365 Business Premium")
    );
    assert!(auto_acceptable(&suggestions, HIGH_THRESHOLD).is_some());
    let basic = suggestions
        .iter()
        .find(|s| s.candidate_key == "M365-BB")
        .expect("basic is scored");
    assert_eq!(
        basic.band,
        Band::None,
        "different catalog products: {basic:?}"
    );

    let exchange = matcher.suggest(
        &product("CFQ7TTC0LH16:0001", "Exchange Online (Plan 1)"),
        Term::Monthly,
        &Feedback::new(),
        1,
    );
    assert_eq!(exchange[0].candidate_key, "EXO1");
}

#[test]
fn a_term_mismatch_is_penalised_explained_and_never_high() {
    let matcher = ProductMatcher::new(psa_products());
    let query = product("CFQ7TTC0LCHC:0002", "Microsoft 365 Business Premium");
    let monthly = matcher.suggest(&query, Term::Monthly, &Feedback::new(), 5);
    let annual_candidate = monthly
        .iter()
        .find(|s| s.candidate_key == "M365-BP-A")
        .expect("the annual product is scored");
    assert_ne!(annual_candidate.band, Band::High);
    assert!(
        annual_candidate
            .summary()
            .contains("TERM MISMATCH monthly≠annual")
    );
    assert!(
        annual_candidate
            .explanation
            .evidence
            .contains(&Evidence::TermMismatch {
                query: Term::Monthly,
                candidate: Term::Annual,
            })
    );

    // Bought annually, the annual PSA product (term read from its name) wins.
    let annual = matcher.suggest(&query, Term::Annual, &Feedback::new(), 5);
    assert_eq!(annual[0].candidate_key, "M365-BP-A");
    assert_eq!(annual[0].band, Band::High);

    // The term in the vendor's own name counts when the term is not given.
    let from_name = matcher.suggest(
        &product("x", "Microsoft 365 Business Premium - 1 Year"),
        Term::Unspecified,
        &Feedback::new(),
        1,
    );
    assert_eq!(from_name[0].candidate_key, "M365-BP-A");
}

#[test]
fn product_feedback_rejects_and_confirms() {
    let matcher = ProductMatcher::new(psa_products());
    let query = product("CFQ7TTC0LCHC:0002", "Microsoft 365 Business Premium");
    let mut feedback = Feedback::new();
    feedback.reject("CFQ7TTC0LCHC:0002", "M365-BP-M");
    let rejected = matcher.suggest(&query, Term::Monthly, &feedback, 10);
    assert!(rejected.iter().all(|s| s.candidate_key != "M365-BP-M"));
    feedback.confirm("CFQ7TTC0LCHC:0002", "BACKUP");
    let confirmed = matcher.suggest(&query, Term::Monthly, &feedback, 10);
    assert_eq!(confirmed.len(), 1);
    assert_eq!(confirmed[0].candidate_key, "BACKUP");
    assert_eq!(confirmed[0].score, 100);
}
