//! The shared OAuth machinery against a loopback token endpoint: a token is reused until
//! shortly before it expires and fetched exactly once after; a rotated single-use refresh
//! token is stored (here in keyring-core's mock store) before the new access token is used,
//! and a failure to store it stops the pull before any call with the new token.

mod connector_fakes;

use billgap::connectors::Budget;
use billgap::connectors::http::{Call, HttpClient};
use billgap::connectors::oauth::{Grant, TokenCache, TokenStyle};
use billgap::connectors::{PullError, RecordedTiming};
use billgap::secrets::Keyring;
use connector_fakes::{FakeApi, Reply, lock};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A token endpoint whose refresh tokens are single-use, and a data endpoint; `events` records
/// what happened in order.
fn server(events: Arc<Mutex<Vec<String>>>) -> FakeApi {
    let mut issued = 0_u32;
    FakeApi::start(move |request, _| {
        if request.route() == "/token" {
            if request.body.contains("grant_type=client_credentials") {
                issued += 1;
                lock(&events).push(format!("token {issued}"));
                return Reply::json(
                    200,
                    &json!({"access_token": format!("at-{issued}"), "expires_in": 100}),
                );
            }
            let expected = format!("refresh_token=rt-{}", issued + 1);
            if !request.body.contains(&expected) {
                lock(&events).push("refused a used refresh token".into());
                return Reply::json(400, &json!({"error": "invalid_grant"}));
            }
            issued += 1;
            lock(&events).push(format!("refresh {issued}"));
            return Reply::json(
                200,
                &json!({
                    "access_token": format!("at-{issued}"), "expires_in": "3600",
                    "refresh_token": format!("rt-{}", issued + 1)
                }),
            );
        }
        lock(&events).push(format!(
            "data with {}",
            request.header("Authorization").unwrap_or("none")
        ));
        Reply::json(200, &json!({"ok": true}))
    })
}

fn client<'t>(fake: &FakeApi, timing: &'t mut RecordedTiming) -> HttpClient<'t> {
    HttpClient::new(
        "test",
        &fake.url(""),
        Duration::from_secs(5),
        Budget::new(50, Duration::from_secs(60)),
        timing,
    )
    .expect("client")
}

#[test]
fn a_token_is_reused_until_its_skew_and_fetched_exactly_once_after() {
    let events = Arc::new(Mutex::new(Vec::new()));
    let fake = server(Arc::clone(&events));
    let token_url = fake.url("/token");
    let mut cache = TokenCache::default();
    let mut timing = RecordedTiming::default();
    let call = Call::get(fake.url("/data"));
    for at in [0, 30, 89, 91, 120] {
        timing.elapsed = Duration::from_secs(at);
        let mut grant = Grant::ClientCredentials {
            token_url: &token_url,
            client_id: "id",
            client_secret: "client-secret-value",
            style: TokenStyle::Form { scope: None },
        };
        let mut http = client(&fake, &mut timing);
        cache
            .send(&mut http, "test", &mut grant, &call)
            .expect("call");
    }
    assert_eq!(
        cache.fetched, 2,
        "100 s token, 10 s skew: renewed once, after 90 s"
    );
    assert_eq!(
        *lock(&events),
        [
            "token 1",
            "data with Bearer at-1",
            "data with Bearer at-1",
            "data with Bearer at-1",
            "token 2",
            "data with Bearer at-2",
            "data with Bearer at-2"
        ]
    );
}

#[test]
fn a_rotated_refresh_token_is_stored_before_the_new_access_token_is_used() {
    let events = Arc::new(Mutex::new(Vec::new()));
    let fake = server(Arc::clone(&events));
    let token_url = fake.url("/token");
    let keyring = Keyring::with_store(keyring_core::mock::Store::new().expect("mock"));
    let mut timing = RecordedTiming::default();
    let mut cache = TokenCache::default();
    let mut rotate = |new: &str| {
        lock(&events).push(format!("stored {new}"));
        keyring
            .set("partner_center", "refresh_token", new)
            .map_err(|error| error.to_string())
    };
    let mut grant = Grant::RefreshToken {
        token_url: &token_url,
        client_id: "app",
        client_secret: None,
        refresh_token: "rt-1".into(),
        rotate: &mut rotate,
    };
    let mut http = client(&fake, &mut timing);
    cache
        .send(&mut http, "test", &mut grant, &Call::get(fake.url("/data")))
        .expect("call");
    let Grant::RefreshToken { refresh_token, .. } = &grant else {
        unreachable!("a refresh grant");
    };
    assert_eq!(refresh_token, "rt-2", "the grant holds the rotated token");
    assert_eq!(
        *lock(&events),
        ["refresh 1", "stored rt-2", "data with Bearer at-1"]
    );
    assert_eq!(
        keyring
            .get("partner_center", "refresh_token")
            .expect("read")
            .as_deref(),
        Some("rt-2")
    );
}

#[test]
fn a_rotated_token_that_cannot_be_stored_stops_before_any_call_uses_it() {
    let events = Arc::new(Mutex::new(Vec::new()));
    let fake = server(Arc::clone(&events));
    let token_url = fake.url("/token");
    let mut timing = RecordedTiming::default();
    let mut cache = TokenCache::default();
    let mut rotate = |_: &str| Err("the keyring is locked".to_string());
    let mut grant = Grant::RefreshToken {
        token_url: &token_url,
        client_id: "app",
        client_secret: Some("app-secret-value"),
        refresh_token: "rt-1".into(),
        rotate: &mut rotate,
    };
    let mut http = client(&fake, &mut timing);
    let error = cache
        .send(&mut http, "test", &mut grant, &Call::get(fake.url("/data")))
        .expect_err("not stored");
    assert!(
        matches!(&error, PullError::Auth { reason, .. } if reason.contains("could not be stored")),
        "{error}"
    );
    assert_eq!(
        *lock(&events),
        ["refresh 1"],
        "no data call with an unstored rotation"
    );
    assert!(!error.to_string().contains("app-secret-value"));
}
