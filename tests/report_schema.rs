//! The JSON report's shape is a contract for users' scripts: every field path is pinned here
//! with the schema version, so a change without a version bump fails.

use billgap::domain::report::REPORT_SCHEMA_VERSION;
use std::collections::BTreeSet;

mod tui_fixture;

/// Every key path in a JSON value, arrays merged (`gaps[].gap.kind`).
fn paths(value: &serde_json::Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                out.insert(path.clone());
                paths(inner, &path, out);
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn the_json_report_shape_changes_only_with_its_version() {
    let folder = tempfile::tempdir().expect("temp");
    let database = tui_fixture::build(folder.path());
    let mut workspace =
        billgap::workflow::Workspace::open_as_of(&database, tui_fixture::today()).expect("open");
    workspace.report(None, true).expect("a saved review");
    let report = workspace.report(None, false).expect("report");
    let json = serde_json::to_value(&*report).expect("json");
    assert_eq!(json["schema_version"], REPORT_SCHEMA_VERSION);
    let mut found = BTreeSet::new();
    paths(&json, "", &mut found);
    // The top level and each gap's fields; nested money and keys follow from these.
    let pinned = [
        "schema_version",
        "generated_on",
        "vendor_period",
        "psa_period",
        "coverage",
        "verdict",
        "withheld_orphans",
        "warnings",
        "clients",
        "gaps",
        "resolved",
        "gaps[].gap",
        "gaps[].first_seen",
        "gaps[].age_days",
        "gaps[].accumulated",
        "gaps[].status",
        "gaps[].work",
        "gaps[].references",
        "gaps[].references.psa_agreements",
        "gaps[].references.psa_additions",
        "gaps[].references.vendor_subscriptions",
        "gaps[].gap.company",
        "gaps[].gap.company_name",
        "gaps[].gap.product",
        "gaps[].gap.product_name",
        "gaps[].gap.term",
        "gaps[].gap.kind",
        "gaps[].gap.vendor_seats",
        "gaps[].gap.psa_seats",
        "gaps[].gap.delta",
        "gaps[].gap.unit_price",
        "gaps[].gap.unit_cost",
        "gaps[].gap.vendor_sources",
        "gaps[].gap.value",
        "gaps[].gap.cost",
        "gaps[].gap.price_basis",
    ];
    let top_and_gap: BTreeSet<String> = found
        .iter()
        .filter(|path| {
            !path.contains('.') && !path.contains("[]")
                || (path.starts_with("gaps[].")
                    && path.matches('.').count() <= 2
                    && !path.ends_with(".system")
                    && !path.ends_with(".key")
                    && !path.ends_with(".amount")
                    && !path.ends_with(".currency"))
        })
        .cloned()
        .collect();
    let pinned: BTreeSet<String> = pinned.iter().map(|path| (*path).to_string()).collect();
    let added: Vec<&String> = top_and_gap.difference(&pinned).collect();
    let removed: Vec<&String> = pinned.difference(&top_and_gap).collect();
    assert!(
        added.is_empty() && removed.is_empty(),
        "the JSON report changed shape (added {added:?}, removed {removed:?}): bump REPORT_SCHEMA_VERSION and update this list"
    );
    assert_eq!(
        REPORT_SCHEMA_VERSION, 4,
        "update the pinned list with the version"
    );
}
