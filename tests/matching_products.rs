//! Product matching: catalog lookups, shorthand, and the term penalty.

use billgap::domain::lines::{Product, SourceKey, Term};
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

/// A PSA product's system-qualified key.
fn psa(key: &str) -> SourceKey {
    SourceKey::new("connectwise", key)
}

/// A vendor product's system-qualified key.
fn vendor(key: &str) -> SourceKey {
    SourceKey::new("microsoft", key)
}

/// A matcher over PSA products, each qualified by the PSA system.
fn matcher_of(pool: Vec<(Product, Term)>) -> ProductMatcher {
    ProductMatcher::new(
        pool.into_iter()
            .map(|(product, term)| (psa(&product.key), product, term))
            .collect(),
    )
}

/// Suggestions for a vendor product, qualified by the vendor system.
fn suggest(
    matcher: &ProductMatcher,
    query: &Product,
    term: Term,
    feedback: &Feedback,
    top: usize,
) -> Vec<Suggestion> {
    matcher.suggest(&vendor(&query.key), query, term, feedback, top)
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
    let matcher = matcher_of(psa_products());
    let query = product(
        "CFQ7TTC0LCHC:0002",
        "Microsoft 365 Business Premium (NCE Monthly)",
    );
    let suggestions = suggest(&matcher, &query, Term::Monthly, &Feedback::new(), 5);
    assert_eq!(suggestions[0].candidate_key, psa("M365-BP-M"));
    assert_eq!(suggestions[0].band, Band::High);
    assert!(
        suggestions[0]
            .summary()
            .contains("catalog: Microsoft 365 Business Premium")
    );
    assert!(auto_acceptable(&suggestions, HIGH_THRESHOLD).is_some());
    let basic = suggestions
        .iter()
        .find(|s| s.candidate_key == psa("M365-BB"))
        .expect("basic is scored");
    assert_eq!(
        basic.band,
        Band::None,
        "different catalog products: {basic:?}"
    );

    let exchange = suggest(
        &matcher,
        &product("CFQ7TTC0LH16:0001", "Exchange Online (Plan 1)"),
        Term::Monthly,
        &Feedback::new(),
        1,
    );
    assert_eq!(exchange[0].candidate_key, psa("EXO1"));
}

#[test]
fn a_term_mismatch_is_penalised_explained_and_never_high() {
    let matcher = matcher_of(psa_products());
    let query = product("CFQ7TTC0LCHC:0002", "Microsoft 365 Business Premium");
    let monthly = suggest(&matcher, &query, Term::Monthly, &Feedback::new(), 5);
    let annual_candidate = monthly
        .iter()
        .find(|s| s.candidate_key == psa("M365-BP-A"))
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
    let annual = suggest(&matcher, &query, Term::Annual, &Feedback::new(), 5);
    assert_eq!(annual[0].candidate_key, psa("M365-BP-A"));
    assert_eq!(annual[0].band, Band::High);

    // The term in the vendor's own name counts when the term is not given.
    let from_name = suggest(
        &matcher,
        &product("x", "Microsoft 365 Business Premium - 1 Year"),
        Term::Unspecified,
        &Feedback::new(),
        1,
    );
    assert_eq!(from_name[0].candidate_key, psa("M365-BP-A"));
}

#[test]
fn product_feedback_rejects_and_confirms() {
    let matcher = matcher_of(psa_products());
    let query = product("CFQ7TTC0LCHC:0002", "Microsoft 365 Business Premium");
    let mut feedback = Feedback::new();
    feedback.reject(&vendor("CFQ7TTC0LCHC:0002"), &psa("M365-BP-M"));
    let rejected = suggest(&matcher, &query, Term::Monthly, &feedback, 10);
    assert!(rejected.iter().all(|s| s.candidate_key != psa("M365-BP-M")));
    feedback.confirm(&vendor("CFQ7TTC0LCHC:0002"), &psa("BACKUP"));
    let confirmed = suggest(&matcher, &query, Term::Monthly, &feedback, 10);
    assert_eq!(confirmed.len(), 1);
    assert_eq!(confirmed[0].candidate_key, psa("BACKUP"));
    assert_eq!(confirmed[0].score, 100);
}

#[test]
fn two_psa_systems_sharing_a_product_key_stay_apart() {
    let connectwise = SourceKey::new("connectwise", "M365-BP");
    let halo = SourceKey::new("halo", "M365-BP");
    let premium = product("M365-BP", "M365 Business Premium");
    let matcher = ProductMatcher::new(vec![
        (connectwise.clone(), premium.clone(), Term::Monthly),
        (halo.clone(), premium, Term::Monthly),
    ]);
    let query_key = vendor("CFQ7TTC0LCHC:0002");
    let query = product("CFQ7TTC0LCHC:0002", "Microsoft 365 Business Premium");
    let keys = |suggestions: &[Suggestion]| -> Vec<SourceKey> {
        suggestions
            .iter()
            .map(|s| s.candidate_key.clone())
            .collect()
    };
    let both = matcher.suggest(&query_key, &query, Term::Monthly, &Feedback::new(), 5);
    assert_eq!(keys(&both), vec![connectwise.clone(), halo.clone()]);

    let mut feedback = Feedback::new();
    feedback.reject(&query_key, &halo);
    let after = matcher.suggest(&query_key, &query, Term::Monthly, &feedback, 5);
    assert_eq!(keys(&after), vec![connectwise]);
    assert_eq!(after[0].score, both[0].score);
}
