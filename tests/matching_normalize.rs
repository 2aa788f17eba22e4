//! Normalisation, one table per rule, plus the composed pipeline and domains.

use billgap::domain::lines::Term;
use billgap::domain::normalize::*;

fn strings(tokens: &[&str]) -> Vec<String> {
    tokens.iter().map(|t| t.to_string()).collect()
}

#[test]
fn folding_removes_case_and_diacritics() {
    let table = [
        ("Müller", "muller"),
        ("CAFÉ Zürich", "cafe zurich"),
        ("Straße", "strasse"),
        ("Ærø Ølstue", "aero olstue"),
        ("Łódź", "lodz"),
        ("ＦＵＬＬ", "full"),
        ("Lefèvre", "lefevre"),
    ];
    for (raw, expected) in table {
        assert_eq!(fold_case_and_diacritics(raw), expected, "{raw}");
    }
}

#[test]
fn site_tails_are_split_off() {
    let table = [
        ("contoso - main office", "contoso", Some("main office")),
        ("contoso (hq)", "contoso", Some("hq")),
        ("contoso | dallas", "contoso", Some("dallas")),
        ("contoso: old", "contoso", Some("old")),
        ("contoso – do not use", "contoso", Some("do not use")),
        ("hewlett-packard", "hewlett-packard", None),
        ("(old) contoso", "(old) contoso", None),
        ("contoso", "contoso", None),
    ];
    for (raw, head, tail) in table {
        let (got_head, got_tail) = split_site_tail(raw);
        assert_eq!(got_head, head, "{raw}");
        assert_eq!(got_tail.as_deref(), tail, "{raw}");
    }
}

#[test]
fn ampersand_and_punctuation() {
    assert_eq!(
        tokenize(&read_ampersand("a&b")),
        strings(&["a", "and", "b"])
    );
    assert_eq!(
        tokenize(&read_ampersand("a + b")),
        strings(&["a", "and", "b"])
    );
    let table = [
        ("int'l widgets", "intl widgets"),
        ("o’brien, llc.", "obrien  llc "),
        ("smith/jones", "smith jones"),
    ];
    for (raw, expected) in table {
        assert_eq!(strip_punctuation(raw), expected, "{raw}");
    }
}

#[test]
fn initials_join() {
    let table: [(&[&str], &[&str]); 6] = [
        (&["j", "r", "smith"], &["jr", "smith"]),
        (&["l", "l", "c"], &["llc"]),
        (&["a", "and", "b"], &["ab"]),
        (
            &["k", "and", "s", "manufacturing"],
            &["ks", "manufacturing"],
        ),
        (&["smith", "and", "j"], &["smith", "and", "j"]),
        (&["smith", "j"], &["smith", "j"]),
    ];
    for (tokens, expected) in table {
        assert_eq!(
            join_initials(strings(tokens)),
            strings(expected),
            "{tokens:?}"
        );
    }
}

#[test]
fn leading_the_goes_unless_alone() {
    assert_eq!(
        drop_leading_the(strings(&["the", "boeing"])),
        strings(&["boeing"])
    );
    assert_eq!(drop_leading_the(strings(&["the"])), strings(&["the"]));
    assert_eq!(
        drop_leading_the(strings(&["boeing", "the"])),
        strings(&["boeing", "the"])
    );
}

#[test]
fn legal_suffixes_go_from_the_end_but_never_the_only_token() {
    let table: [(&[&str], &[&str]); 10] = [
        (&["contoso", "ltd"], &["contoso"]),
        (&["contoso", "llc"], &["contoso"]),
        (&["muller", "gmbh", "and", "co", "kg"], &["muller"]),
        (&["acme", "pty", "ltd"], &["acme"]),
        (&["smith", "co", "inc"], &["smith"]),
        (&["dental", "pc"], &["dental"]),
        (&["limited"], &["limited"]),
        (&["company"], &["company"]),
        (&["inc", "magazine"], &["inc", "magazine"]),
        (&["fabrikam", "sarl"], &["fabrikam"]),
    ];
    for (tokens, expected) in table {
        assert_eq!(
            remove_legal_suffixes(strings(tokens)),
            strings(expected),
            "{tokens:?}"
        );
    }
}

#[test]
fn abbreviations_are_spelled_out() {
    let table: [(&[&str], &[&str]); 6] = [
        (&["smith", "assoc"], &["smith", "associates"]),
        (&["acme", "intl"], &["acme", "international"]),
        (&["city", "svcs"], &["city", "services"]),
        (&["jones", "bros"], &["jones", "brothers"]),
        (&["medical", "ctr"], &["medical", "center"]),
        (&["medical", "centre"], &["medical", "center"]),
    ];
    for (tokens, expected) in table {
        assert_eq!(
            expand_abbreviations(strings(tokens)),
            strings(expected),
            "{tokens:?}"
        );
    }
}

#[test]
fn issue_examples_normalise_to_equal_tokens() {
    let pairs = [
        ("Contoso Ltd.", "CONTOSO - Main Office"),
        ("Smith & Associates LLC", "Smith and Assoc."),
        ("A & B Plumbing, Inc.", "A AND B PLUMBING"),
        ("J. R. Smith Co", "JR Smith"),
        ("The Müller Group GmbH", "Muller Group (HQ)"),
        ("Acme Int'l Pty. Ltd.", "ACME INTERNATIONAL"),
        ("L.L.C. Holdings", "LLC Holdings"),
    ];
    for (left, right) in pairs {
        assert_eq!(
            normalize_company(left).tokens,
            normalize_company(right).tokens,
            "{left} / {right}"
        );
    }
}

#[test]
fn the_trail_names_every_rule_that_changed_the_name() {
    let name = normalize_company("The Smith & Assoc., LLC - Main Office");
    assert_eq!(name.text(), "smith and associates");
    assert_eq!(name.site, strings(&["main", "office"]));
    let rules: Vec<Rule> = name.trail.steps.iter().map(|step| step.rule).collect();
    assert_eq!(
        rules,
        vec![
            Rule::FoldCase,
            Rule::SplitSite,
            Rule::ReadAmpersand,
            Rule::StripPunctuation,
            Rule::DropLeadingThe,
            Rule::RemoveLegalSuffix,
            Rule::ExpandAbbreviation,
        ]
    );
    let unchanged = normalize_company("contoso");
    assert!(unchanged.trail.steps.is_empty());
    assert_eq!(
        normalize_company("Contoso Ltd.").trail.to_string(),
        "\"Contoso Ltd.\" → \"contoso\" (case/diacritics, punctuation, legal suffix)"
    );
}

#[test]
fn domains_reduce_to_registrable_domains() {
    let table = [
        ("contoso.com", Some("contoso.com")),
        ("https://www.Contoso.co.uk/about", Some("contoso.co.uk")),
        ("billing@mail.contoso.com", Some("contoso.com")),
        ("shop.contoso.com.au", Some("contoso.com.au")),
        ("someone@gmail.com", None),
        ("contoso.onmicrosoft.com", None),
        ("not a domain", None),
        ("", None),
    ];
    for (raw, expected) in table {
        assert_eq!(registrable_domain(raw).as_deref(), expected, "{raw}");
    }
    assert_eq!(
        tenant_prefix("ContosoLtd.onmicrosoft.com").as_deref(),
        Some("contosoltd")
    );
    assert_eq!(tenant_prefix("contoso.com"), None);
}

#[test]
fn product_names_set_aside_their_term() {
    let table = [
        (
            "Microsoft 365 Business Premium (NCE Monthly)",
            "microsoft 365 business premium",
            Some(Term::Monthly),
        ),
        (
            "M365 Business Premium - Annual",
            "microsoft 365 business premium",
            Some(Term::Annual),
        ),
        (
            "Exchange Online (Plan 1) 1 Year Monthly Billing",
            "exchange online p1",
            Some(Term::Annual),
        ),
        ("Project Plan 3", "project p3", None),
        ("Office 365 E3", "office 365 e3", None),
        (
            "Microsoft 365 E5 3 Year",
            "microsoft 365 e5",
            Some(Term::ThreeYear),
        ),
    ];
    for (raw, text, term) in table {
        let product = normalize_product(raw);
        assert_eq!(product.name.text(), text, "{raw}");
        assert_eq!(product.term, term, "{raw}");
    }
}
