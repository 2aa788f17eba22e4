//! Client matching: bands, determinism, learning, strong keys and explanations.

use billgap::domain::lines::{Party, SourceKey};
use billgap::domain::matching::*;

fn party(key: &str, name: &str) -> Party {
    Party {
        key: key.to_string(),
        name: name.to_string(),
        domain: None,
        external_id: None,
    }
}

fn with_domain(key: &str, name: &str, domain: &str) -> Party {
    Party {
        domain: Some(domain.to_string()),
        ..party(key, name)
    }
}

/// A PSA company's system-qualified key.
fn psa(key: &str) -> SourceKey {
    SourceKey::new("connectwise", key)
}

/// A vendor customer's system-qualified key.
fn vendor(key: &str) -> SourceKey {
    SourceKey::new("pax8", key)
}

/// A matcher over PSA companies, each qualified by the PSA system.
fn matcher_of(pool: Vec<Party>) -> ClientMatcher {
    ClientMatcher::new(pool.into_iter().map(|p| (psa(&p.key), p)).collect())
}

/// Suggestions for a vendor customer, qualified by the vendor system.
fn suggest(
    matcher: &ClientMatcher,
    query: &Party,
    feedback: &Feedback,
    top: usize,
) -> Vec<Suggestion> {
    matcher.suggest(&vendor(&query.key), query, feedback, top)
}

fn psa_pool() -> Vec<Party> {
    vec![
        party("cw-1", "CONTOSO - Main Office"),
        party("cw-2", "Contoso Dental"),
        party("cw-3", "Smith and Assoc."),
        party("cw-4", "A AND B PLUMBING"),
        party("cw-5", "Fabrikam Inc"),
        party("cw-6", "Smithson Associates"),
        party("cw-7", "Northwind Traders"),
        party("cw-8", "Harbor View Dental Group"),
        party("cw-9", "Harbor View Family Dentistry"),
        party("cw-10", "Tailspin Toys - Dallas"),
        party("cw-11", "Tailspin Toys - Austin"),
    ]
}

#[test]
fn issue_examples_come_first_and_high() {
    let matcher = matcher_of(psa_pool());
    let cases = [
        ("Smith & Associates LLC", "cw-3"),
        ("A & B Plumbing, Inc.", "cw-4"),
        ("FABRIKAM, INC.", "cw-5"),
        ("Harbor View Dental Group, P.C.", "cw-8"),
    ];
    for (name, expected) in cases {
        let suggestions = suggest(&matcher, &party("v", name), &Feedback::new(), 3);
        let best = &suggestions[0];
        assert_eq!(best.candidate_key, psa(expected), "{name}");
        assert_eq!(best.band, Band::High, "{name}: {}", best.score);
        assert!(
            auto_acceptable(&suggestions, HIGH_THRESHOLD).is_some(),
            "{name}"
        );
    }
}

#[test]
fn a_name_whose_head_another_company_extends_comes_first_but_is_held() {
    // "Contoso Ltd." is "CONTOSO - Main Office" by name, but "Contoso Dental" carries the same
    // head: without a key a person must say which one the vendor means.
    let matcher = matcher_of(psa_pool());
    let suggestions = suggest(&matcher, &party("v", "Contoso Ltd."), &Feedback::new(), 3);
    assert_eq!(suggestions[0].candidate_key, psa("cw-1"));
    assert_eq!(suggestions[0].band, Band::High);
    let hold = safe_band(&suggestions, HIGH_THRESHOLD).expect_err("held");
    assert_eq!(hold.to_string(), "2 sites of Contoso");
}

#[test]
fn bands_follow_the_thresholds() {
    assert_eq!(Band::of(100), Band::High);
    assert_eq!(Band::of(HIGH_THRESHOLD), Band::High);
    assert_eq!(Band::of(HIGH_THRESHOLD - 1), Band::Review);
    assert_eq!(Band::of(REVIEW_THRESHOLD), Band::Review);
    assert_eq!(Band::of(REVIEW_THRESHOLD - 1), Band::None);
    let matcher = matcher_of(psa_pool());
    let unrelated = suggest(
        &matcher,
        &party("v", "Northwind Logistics"),
        &Feedback::new(),
        3,
    );
    assert!(
        unrelated.iter().all(|s| s.band != Band::High),
        "{unrelated:?}"
    );
    let nothing = suggest(&matcher, &party("v", "Zyxwv Qrstu"), &Feedback::new(), 3);
    assert!(nothing.iter().all(|s| s.band == Band::None), "{nothing:?}");
}

#[test]
fn two_sites_of_one_client_are_never_auto_accepted() {
    let matcher = matcher_of(psa_pool());
    let suggestions = suggest(
        &matcher,
        &party("v", "Tailspin Toys LLC"),
        &Feedback::new(),
        3,
    );
    assert!(suggestions[0].candidate_name.starts_with("Tailspin"));
    assert!(suggestions[1].candidate_name.starts_with("Tailspin"));
    assert!(auto_acceptable(&suggestions, HIGH_THRESHOLD).is_none());
    // The margin is known even when only one suggestion is asked for.
    let only_one = suggest(
        &matcher,
        &party("v", "Tailspin Toys LLC"),
        &Feedback::new(),
        1,
    );
    assert_eq!(only_one.len(), 1);
    assert!(auto_acceptable(&only_one, HIGH_THRESHOLD).is_none());
    // Naming the site breaks the tie.
    let dallas = suggest(
        &matcher,
        &party("v", "Tailspin Toys (Dallas)"),
        &Feedback::new(),
        3,
    );
    assert_eq!(dallas[0].candidate_key, psa("cw-10"));
}

#[test]
fn near_names_of_different_companies_are_not_auto_accepted() {
    let matcher = matcher_of(vec![party("cw-1", "Smithson Associates")]);
    let suggestions = suggest(
        &matcher,
        &party("v", "Smith & Associates LLC"),
        &Feedback::new(),
        3,
    );
    assert!(
        auto_acceptable(&suggestions, HIGH_THRESHOLD).is_none(),
        "{suggestions:?}"
    );
}

#[test]
fn results_are_deterministic_with_key_order_on_ties() {
    let pool = vec![
        party("b", "Contoso"),
        party("a", "CONTOSO"),
        party("c", "contoso."),
    ];
    let matcher = matcher_of(pool.clone());
    let first = suggest(&matcher, &party("v", "Contoso Ltd"), &Feedback::new(), 3);
    let keys: Vec<&str> = first.iter().map(|s| s.candidate_key.key.as_str()).collect();
    assert_eq!(keys, vec!["a", "b", "c"]);
    assert!(first.iter().all(|s| s.score == first[0].score));
    assert!(auto_acceptable(&first, HIGH_THRESHOLD).is_none());
    let mut reversed = pool;
    reversed.reverse();
    let again = suggest(
        &matcher_of(reversed),
        &party("v", "Contoso Ltd"),
        &Feedback::new(),
        3,
    );
    assert_eq!(first, again);
}

#[test]
fn a_rejected_pair_never_resurfaces() {
    let matcher = matcher_of(psa_pool());
    let mut feedback = Feedback::new();
    feedback.reject(&vendor("v-1"), &psa("cw-1"));
    let suggestions = suggest(&matcher, &party("v-1", "Contoso Ltd."), &feedback, 20);
    assert!(suggestions.iter().all(|s| s.candidate_key != psa("cw-1")));
    // Other queries are unaffected.
    let other = suggest(&matcher, &party("v-2", "Contoso Ltd."), &feedback, 1);
    assert_eq!(other[0].candidate_key, psa("cw-1"));
}

#[test]
fn a_confirmed_pair_wins_over_a_better_name() {
    let matcher = matcher_of(psa_pool());
    let mut feedback = Feedback::new();
    feedback.confirm(&vendor("v-1"), &psa("cw-2"));
    let suggestions = suggest(&matcher, &party("v-1", "Contoso Ltd."), &feedback, 3);
    assert_eq!(suggestions.len(), 1);
    assert_eq!(suggestions[0].candidate_key, psa("cw-2"));
    assert_eq!(suggestions[0].score, 100);
    assert_eq!(
        suggestions[0].explanation.evidence,
        vec![Evidence::Confirmed]
    );
    assert!(auto_acceptable(&suggestions, HIGH_THRESHOLD).is_some());
}

#[test]
fn noise_tokens_lose_weight_and_the_explanation_says_so() {
    let pool = vec![
        party("cw-1", "Contoso Office"),
        party("cw-2", "Fabrikam Office"),
    ];
    let matcher = matcher_of(pool);
    let query = party("v", "Fabrikam Office Supplies");
    let before = suggest(&matcher, &query, &Feedback::new(), 2);
    // Three rejected pairs whose only shared token is "office": it made wrong pairs look right.
    let mut feedback = Feedback::new();
    feedback.learn_from_rejection("Northwind Office", "Tailspin Office");
    feedback.learn_from_rejection("Litware Office", "Proseware OFFICE");
    feedback.learn_from_rejection("Adatum Office", "Woodgrove Office");
    let after = suggest(&matcher, &query, &feedback, 2);
    let contoso = |list: &[Suggestion]| {
        list.iter()
            .find(|s| s.candidate_key == psa("cw-1"))
            .map_or(0, |s| s.score)
    };
    assert!(contoso(&after) < contoso(&before), "{before:?} / {after:?}");
    assert!(
        after[0]
            .summary()
            .contains("learned down-weighting: office"),
        "{}",
        after[0].summary()
    );
    assert!(!before[0].summary().contains("learned"));
}

#[test]
fn learning_from_decisions_marks_noise_tokens() {
    let mut feedback = Feedback::new();
    feedback.learn_from_confirmation("Contoso Ltd", "CONTOSO - DO NOT USE");
    assert_eq!(feedback.noise_count("use"), 1);
    assert_eq!(feedback.noise_factor("use"), 1.0);
    feedback.learn_from_confirmation("Fabrikam", "Fabrikam (do not use)");
    assert!(feedback.noise_factor("use") < 1.0);
    feedback.learn_from_rejection("Harbor View Dental", "Lakeside Dental");
    assert_eq!(feedback.noise_count("dental"), 1);
    assert_eq!(feedback.noise_count("harbor"), 0);
}

#[test]
fn an_id_carried_across_dominates_the_name() {
    let mut query = party("pax8-9", "Totally Different Name Ltd");
    query.external_id = Some("CW-7".to_string());
    let matcher = matcher_of(psa_pool());
    let suggestions = suggest(&matcher, &query, &Feedback::new(), 3);
    assert_eq!(suggestions[0].candidate_key, psa("cw-7"));
    assert_eq!(suggestions[0].score, 100);
    assert!(matches!(
        suggestions[0].explanation.evidence[0],
        Evidence::ExternalId { .. }
    ));
}

#[test]
fn an_equal_domain_is_near_certain_and_a_tenant_name_is_strong_but_not_decisive() {
    let pool = vec![
        with_domain("cw-1", "Lakeside Partners", "https://www.lakesidegroup.com"),
        party("cw-2", "Blue Yonder Airlines"),
        party("cw-3", "Lakeside Dental"),
    ];
    let matcher = matcher_of(pool);
    let by_domain = suggest(
        &matcher,
        &with_domain("v", "LSG Holdings", "lakesidegroup.com"),
        &Feedback::new(),
        3,
    );
    assert_eq!(by_domain[0].candidate_key, psa("cw-1"));
    assert!(by_domain[0].score >= HIGH_THRESHOLD);
    assert!(
        by_domain[0]
            .summary()
            .contains("same domain lakesidegroup.com")
    );

    let tenant = |name: &str| with_domain("v", name, "blueyonderairlines.onmicrosoft.com");
    let weak_name = suggest(&matcher, &tenant("BYAL Corp"), &Feedback::new(), 3);
    assert_eq!(weak_name[0].candidate_key, psa("cw-2"));
    assert_ne!(
        weak_name[0].band,
        Band::High,
        "a tenant name alone is not decisive"
    );
    let good_name = suggest(
        &matcher,
        &tenant("Blue Yonder Airlines, Inc."),
        &Feedback::new(),
        3,
    );
    let plain = suggest(
        &matcher,
        &party("v", "Blue Yonder Airlines, Inc."),
        &Feedback::new(),
        3,
    );
    assert!(good_name[0].score >= plain[0].score);
    assert!(
        good_name[0]
            .summary()
            .contains("tenant blueyonderairlines≈blueyonderairlines")
    );
    let without_tenant = suggest(&matcher, &party("v", "BYAL Corp"), &Feedback::new(), 3);
    let score_of = |list: &[Suggestion]| {
        list.iter()
            .find(|s| s.candidate_key == psa("cw-2"))
            .map_or(0, |s| s.score)
    };
    assert!(score_of(&weak_name) > score_of(&without_tenant) + 10);
}

#[test]
fn explanations_carry_trails_tokens_and_margin() {
    let matcher = matcher_of(psa_pool());
    let suggestions = suggest(
        &matcher,
        &party("v", "Harbor View Dental Group, P.C."),
        &Feedback::new(),
        2,
    );
    let explanation = &suggestions[0].explanation;
    assert_eq!(
        explanation.query_trail.raw,
        "Harbor View Dental Group, P.C."
    );
    assert_eq!(explanation.candidate_trail.raw, "Harbor View Dental Group");
    let shared: Vec<&str> = explanation
        .shared
        .iter()
        .map(|t| t.token.as_str())
        .collect();
    assert_eq!(shared, vec!["harbor", "view", "dental", "group"]);
    assert!(explanation.shared.iter().all(|t| t.weight > 0.0));
    let margin = explanation
        .margin_to_next
        .expect("a second candidate exists");
    assert_eq!(margin, suggestions[0].score - suggestions[1].score);
    assert!(
        suggestions[1].summary().contains("only candidate: family"),
        "{}",
        suggestions[1].summary()
    );
}

#[test]
fn type_ahead_finds_subsequences_best_first() {
    let indexes = |hits: Vec<(usize, i64)>| -> Vec<usize> {
        hits.into_iter().map(|(index, _)| index).collect()
    };
    let names = ["Contoso Ltd", "Fabrikam", "Northwind Contoso"];
    let mut found = indexes(type_ahead("cont", &names));
    found.sort_unstable();
    assert_eq!(found, vec![0, 2]);
    assert!(type_ahead("zzz", &names).is_empty());

    let scattered_first = ["Cxoxnxtxoxsxo Partners", "Contoso"];
    assert_eq!(
        indexes(type_ahead("contoso", &scattered_first)),
        vec![1, 0],
        "a contiguous match ranks above a scattered one"
    );
    let hits = type_ahead("contoso", &["Contoso", "Fabrikam", "Contoso"]);
    assert_eq!(hits.len(), 2);
    assert_eq!(
        (hits[0].0, hits[1].0),
        (0, 2),
        "equal scores keep list order"
    );
    assert_eq!(hits[0].1, hits[1].1);
}

#[test]
fn type_ahead_ignores_case_both_ways() {
    let names = ["A AND B PLUMBING", "Harbor View Dental"];
    assert_eq!(
        type_ahead("plumb", &names).first().map(|hit| hit.0),
        Some(0)
    );
    assert_eq!(
        type_ahead("DENTAL", &names).first().map(|hit| hit.0),
        Some(1)
    );
    assert_eq!(type_ahead("Plumb", &names).len(), 1);
}

#[test]
fn an_acronym_is_found_through_the_index_but_only_for_review() {
    let mut pool = psa_pool();
    pool.push(party("cw-12", "HVFD"));
    let matcher = matcher_of(pool);
    let suggestions = suggest(
        &matcher,
        &party("v", "Harbor View Fire Department"),
        &Feedback::new(),
        3,
    );
    let acronym = suggestions
        .iter()
        .find(|s| s.candidate_key == psa("cw-12"))
        .expect("the acronym is a candidate");
    assert!(acronym.explanation.evidence.contains(&Evidence::Acronym));
    assert_eq!(acronym.band, Band::Review);
}

#[test]
fn two_psa_systems_sharing_a_bare_key_stay_apart() {
    let connectwise = SourceKey::new("connectwise", "1001");
    let autotask = SourceKey::new("autotask", "1001");
    let matcher = ClientMatcher::new(vec![
        (connectwise.clone(), party("1001", "Contoso Ltd")),
        (autotask.clone(), party("1001", "Contoso Ltd")),
    ]);
    let query = vendor("v-1");
    let customer = party("v-1", "Contoso Ltd.");
    let keys = |suggestions: &[Suggestion]| -> Vec<SourceKey> {
        suggestions
            .iter()
            .map(|s| s.candidate_key.clone())
            .collect()
    };

    let both = matcher.suggest(&query, &customer, &Feedback::new(), 5);
    assert_eq!(keys(&both), vec![autotask.clone(), connectwise.clone()]);
    assert_eq!(both[0].score, both[1].score);
    assert!(
        auto_acceptable(&both, HIGH_THRESHOLD).is_none(),
        "two equal records are never auto-accepted"
    );

    // Rejecting one system's record leaves the other's, at the same score.
    let mut feedback = Feedback::new();
    feedback.reject(&query, &connectwise);
    let after = matcher.suggest(&query, &customer, &feedback, 5);
    assert_eq!(keys(&after), vec![autotask.clone()]);
    assert_eq!(after[0].score, both[0].score);
    // A vendor customer of another system with the same bare key is not touched either.
    let other_vendor = SourceKey::new("microsoft", "v-1");
    assert!(feedback.is_rejected(&query, &connectwise));
    assert!(!feedback.is_rejected(&query, &autotask));
    assert!(!feedback.is_rejected(&other_vendor, &connectwise));
    let other = matcher.suggest(&other_vendor, &customer, &feedback, 5);
    assert_eq!(keys(&other), keys(&both));

    // Confirming one system's record short-circuits to that record alone.
    let mut feedback = Feedback::new();
    feedback.confirm(&query, &autotask);
    let confirmed = matcher.suggest(&query, &customer, &feedback, 5);
    assert_eq!(keys(&confirmed), vec![autotask.clone()]);
    assert_eq!(confirmed[0].score, 100);
}

#[test]
fn a_carried_id_is_compared_with_the_bare_key_of_every_system() {
    let mut customer = party("pax8-9", "Totally Different Name Ltd");
    customer.external_id = Some(" 1001 ".to_string());
    let matcher = ClientMatcher::new(vec![
        (SourceKey::new("connectwise", "1001"), party("x", "Contoso")),
        (SourceKey::new("autotask", "1001"), party("y", "Fabrikam")),
        (
            SourceKey::new("connectwise", "1002"),
            party("1001", "Northwind"),
        ),
    ]);
    let suggestions = matcher.suggest(&vendor("pax8-9"), &customer, &Feedback::new(), 5);
    let carried: Vec<(&str, &str, u8)> = suggestions
        .iter()
        .filter(|s| {
            matches!(
                s.explanation.evidence.first(),
                Some(Evidence::ExternalId { .. })
            )
        })
        .map(|s| {
            (
                s.candidate_key.system.as_str(),
                s.candidate_key.key.as_str(),
                s.score,
            )
        })
        .collect();
    // The id names no system, so both records it may mean are offered, and neither is
    // auto-accepted; the party's own `key` field is not the identity.
    assert_eq!(
        carried,
        vec![("autotask", "1001", 100), ("connectwise", "1001", 100)]
    );
    assert!(auto_acceptable(&suggestions, HIGH_THRESHOLD).is_none());
}
