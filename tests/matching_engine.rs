//! Client matching: bands, determinism, learning, strong keys and explanations.

use billgap::domain::lines::Party;
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
    let matcher = ClientMatcher::new(psa_pool());
    let cases = [
        ("Contoso Ltd.", "cw-1"),
        ("Smith & Associates LLC", "cw-3"),
        ("A & B Plumbing, Inc.", "cw-4"),
        ("FABRIKAM, INC.", "cw-5"),
        ("Harbor View Dental Group, P.C.", "cw-8"),
    ];
    for (name, expected) in cases {
        let suggestions = matcher.suggest(&party("v", name), &Feedback::new(), 3);
        let best = &suggestions[0];
        assert_eq!(best.candidate_key, expected, "{name}");
        assert_eq!(best.band, Band::High, "{name}: {}", best.score);
        assert!(
            auto_acceptable(&suggestions, HIGH_THRESHOLD).is_some(),
            "{name}"
        );
    }
}

#[test]
fn bands_follow_the_thresholds() {
    assert_eq!(Band::of(100), Band::High);
    assert_eq!(Band::of(HIGH_THRESHOLD), Band::High);
    assert_eq!(Band::of(HIGH_THRESHOLD - 1), Band::Review);
    assert_eq!(Band::of(REVIEW_THRESHOLD), Band::Review);
    assert_eq!(Band::of(REVIEW_THRESHOLD - 1), Band::None);
    let matcher = ClientMatcher::new(psa_pool());
    let unrelated = matcher.suggest(&party("v", "Northwind Logistics"), &Feedback::new(), 3);
    assert!(
        unrelated.iter().all(|s| s.band != Band::High),
        "{unrelated:?}"
    );
    let nothing = matcher.suggest(&party("v", "Zyxwv Qrstu"), &Feedback::new(), 3);
    assert!(nothing.iter().all(|s| s.band == Band::None), "{nothing:?}");
}

#[test]
fn two_sites_of_one_client_are_never_auto_accepted() {
    let matcher = ClientMatcher::new(psa_pool());
    let suggestions = matcher.suggest(&party("v", "Tailspin Toys LLC"), &Feedback::new(), 3);
    assert!(suggestions[0].candidate_name.starts_with("Tailspin"));
    assert!(suggestions[1].candidate_name.starts_with("Tailspin"));
    assert!(auto_acceptable(&suggestions, HIGH_THRESHOLD).is_none());
    // The margin is known even when only one suggestion is asked for.
    let only_one = matcher.suggest(&party("v", "Tailspin Toys LLC"), &Feedback::new(), 1);
    assert_eq!(only_one.len(), 1);
    assert!(auto_acceptable(&only_one, HIGH_THRESHOLD).is_none());
    // Naming the site breaks the tie.
    let dallas = matcher.suggest(&party("v", "Tailspin Toys (Dallas)"), &Feedback::new(), 3);
    assert_eq!(dallas[0].candidate_key, "cw-10");
}

#[test]
fn near_names_of_different_companies_are_not_auto_accepted() {
    let matcher = ClientMatcher::new(vec![party("cw-1", "Smithson Associates")]);
    let suggestions = matcher.suggest(&party("v", "Smith & Associates LLC"), &Feedback::new(), 3);
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
    let matcher = ClientMatcher::new(pool.clone());
    let first = matcher.suggest(&party("v", "Contoso Ltd"), &Feedback::new(), 3);
    let keys: Vec<&str> = first.iter().map(|s| s.candidate_key.as_str()).collect();
    assert_eq!(keys, vec!["a", "b", "c"]);
    assert!(first.iter().all(|s| s.score == first[0].score));
    assert!(auto_acceptable(&first, HIGH_THRESHOLD).is_none());
    let mut reversed = pool;
    reversed.reverse();
    let again =
        ClientMatcher::new(reversed).suggest(&party("v", "Contoso Ltd"), &Feedback::new(), 3);
    assert_eq!(first, again);
}

#[test]
fn a_rejected_pair_never_resurfaces() {
    let matcher = ClientMatcher::new(psa_pool());
    let mut feedback = Feedback::new();
    feedback.reject("v-1", "cw-1");
    let suggestions = matcher.suggest(&party("v-1", "Contoso Ltd."), &feedback, 20);
    assert!(suggestions.iter().all(|s| s.candidate_key != "cw-1"));
    // Other queries are unaffected.
    let other = matcher.suggest(&party("v-2", "Contoso Ltd."), &feedback, 1);
    assert_eq!(other[0].candidate_key, "cw-1");
}

#[test]
fn a_confirmed_pair_wins_over_a_better_name() {
    let matcher = ClientMatcher::new(psa_pool());
    let mut feedback = Feedback::new();
    feedback.confirm("v-1", "cw-2");
    let suggestions = matcher.suggest(&party("v-1", "Contoso Ltd."), &feedback, 3);
    assert_eq!(suggestions.len(), 1);
    assert_eq!(suggestions[0].candidate_key, "cw-2");
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
    let matcher = ClientMatcher::new(pool);
    let query = party("v", "Fabrikam Office Supplies");
    let before = matcher.suggest(&query, &Feedback::new(), 2);
    // Three rejected pairs whose only shared token is "office": it made wrong pairs look right.
    let mut feedback = Feedback::new();
    feedback.learn_from_rejection("Northwind Office", "Tailspin Office");
    feedback.learn_from_rejection("Litware Office", "Proseware OFFICE");
    feedback.learn_from_rejection("Adatum Office", "Woodgrove Office");
    let after = matcher.suggest(&query, &feedback, 2);
    let contoso = |list: &[Suggestion]| {
        list.iter()
            .find(|s| s.candidate_key == "cw-1")
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
    let matcher = ClientMatcher::new(psa_pool());
    let suggestions = matcher.suggest(&query, &Feedback::new(), 3);
    assert_eq!(suggestions[0].candidate_key, "cw-7");
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
    let matcher = ClientMatcher::new(pool);
    let by_domain = matcher.suggest(
        &with_domain("v", "LSG Holdings", "lakesidegroup.com"),
        &Feedback::new(),
        3,
    );
    assert_eq!(by_domain[0].candidate_key, "cw-1");
    assert!(by_domain[0].score >= HIGH_THRESHOLD);
    assert!(
        by_domain[0]
            .summary()
            .contains("same domain lakesidegroup.com")
    );

    let tenant = |name: &str| with_domain("v", name, "blueyonderairlines.onmicrosoft.com");
    let weak_name = matcher.suggest(&tenant("BYAL Corp"), &Feedback::new(), 3);
    assert_eq!(weak_name[0].candidate_key, "cw-2");
    assert_ne!(
        weak_name[0].band,
        Band::High,
        "a tenant name alone is not decisive"
    );
    let good_name = matcher.suggest(&tenant("Blue Yonder Airlines, Inc."), &Feedback::new(), 3);
    let plain = matcher.suggest(
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
    let without_tenant = matcher.suggest(&party("v", "BYAL Corp"), &Feedback::new(), 3);
    let score_of = |list: &[Suggestion]| {
        list.iter()
            .find(|s| s.candidate_key == "cw-2")
            .map_or(0, |s| s.score)
    };
    assert!(score_of(&weak_name) > score_of(&without_tenant) + 10);
}

#[test]
fn explanations_carry_trails_tokens_and_margin() {
    let matcher = ClientMatcher::new(psa_pool());
    let suggestions = matcher.suggest(
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
    let matcher = ClientMatcher::new(pool);
    let suggestions = matcher.suggest(
        &party("v", "Harbor View Fire Department"),
        &Feedback::new(),
        3,
    );
    let acronym = suggestions
        .iter()
        .find(|s| s.candidate_key == "cw-12")
        .expect("the acronym is a candidate");
    assert!(acronym.explanation.evidence.contains(&Evidence::Acronym));
    assert_eq!(acronym.band, Band::Review);
}
