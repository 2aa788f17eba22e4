//! OAuth 2 tokens: the client-credentials grant (Pax8 with a JSON body, Halo, Sherweb and
//! Microsoft with a form), the refresh-token grant whose refresh token rotates, and Ingram
//! Micro's exchange of Basic credentials for a bearer token (`{"token","expiresInSeconds"}`).
//!
//! A token is cached until shortly before it expires (a skew of 10% of its life, between 1 and
//! 60 s), so a pull spends one token call, not one per page. A 401 clears the token and the
//! call is tried once with a new one; a second 401 is an auth error, never a loop. A rotated
//! refresh token is handed to `rotate` (which stores it) before the access token is used:
//! a single-use refresh token is never lost between two steps.

use super::http::{Answer, Call, HttpClient};
use super::snapshot::{PullError, words_of};
use std::time::Duration;

/// A token's life when the server does not say.
const DEFAULT_LIFE: Duration = Duration::from_secs(300);

/// How the token request is encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenStyle {
    /// A JSON body with an audience (Pax8).
    Json {
        /// The audience, `https://api.pax8.com` for the partner endpoints.
        audience: String,
    },
    /// A form body with an optional scope (Microsoft, Sherweb, Halo).
    Form {
        /// The scope, if the API wants one.
        scope: Option<String>,
    },
}

/// A grant the token endpoint accepts.
pub enum Grant<'a> {
    /// Client id and secret.
    ClientCredentials {
        /// The token endpoint.
        token_url: &'a str,
        /// The client id.
        client_id: &'a str,
        /// The client secret.
        client_secret: &'a str,
        /// The encoding.
        style: TokenStyle,
    },
    /// A refresh token, which the server may replace with a new one on every use.
    RefreshToken {
        /// The token endpoint.
        token_url: &'a str,
        /// The client id.
        client_id: &'a str,
        /// The client secret, if the app has one.
        client_secret: Option<&'a str>,
        /// The current refresh token; replaced when the server rotates it.
        refresh_token: String,
        /// Stores a rotated refresh token; an error stops the pull before the new access token
        /// is used.
        rotate: &'a mut dyn FnMut(&str) -> Result<(), String>,
    },
    /// A user name and password sent as HTTP Basic with a JSON body (Ingram Micro's
    /// Marketplace API), plus headers the gateway wants on every call.
    BasicExchange {
        /// The token endpoint.
        token_url: &'a str,
        /// The API user.
        username: &'a str,
        /// Its password.
        password: &'a str,
        /// Headers added to the token call (the gateway's subscription key).
        headers: Vec<(String, String)>,
        /// The JSON body (`{"marketplace":"us"}`).
        body: String,
    },
}

impl Grant<'_> {
    fn secrets(&self) -> Vec<String> {
        match self {
            Grant::ClientCredentials { client_secret, .. } => vec![client_secret.to_string()],
            Grant::RefreshToken {
                client_secret,
                refresh_token,
                ..
            } => client_secret
                .iter()
                .map(|secret| secret.to_string())
                .chain([refresh_token.clone()])
                .collect(),
            Grant::BasicExchange {
                password, headers, ..
            } => [password.to_string()]
                .into_iter()
                .chain(headers.iter().map(|(_, value)| value.clone()))
                .collect(),
        }
    }
}

/// An access token and when to stop using it.
#[derive(Debug, Clone)]
struct Cached {
    value: String,
    renew_at: Duration,
}

/// The access token of one API and credential, kept for as long as it lives.
#[derive(Debug, Clone, Default)]
pub struct TokenCache {
    cached: Option<Cached>,
    /// Token calls made, for tests and the pull report.
    pub fetched: u32,
}

#[derive(serde::Deserialize)]
struct TokenAnswer {
    #[serde(alias = "token")]
    access_token: Option<String>,
    #[serde(alias = "expiresInSeconds")]
    expires_in: Option<serde_json::Value>,
    refresh_token: Option<String>,
}

impl TokenCache {
    /// The current access token, fetching a new one when there is none or it is about to
    /// expire.
    pub fn token(
        &mut self,
        http: &mut HttpClient<'_>,
        api: &str,
        grant: &mut Grant<'_>,
    ) -> Result<String, PullError> {
        if let Some(cached) = &self.cached
            && http.now() < cached.renew_at
        {
            return Ok(cached.value.clone());
        }
        self.cached = None;
        let call = token_call(grant);
        self.fetched = self.fetched.saturating_add(1);
        let answer = http.send(&call)?;
        let secrets = grant.secrets();
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        if !answer.is_success() {
            return Err(PullError::Auth {
                api: api.to_string(),
                reason: super::snapshot::redact(
                    &format!(
                        "the token endpoint answered {}{}",
                        answer.status,
                        words_of(&answer.body)
                    ),
                    &secrets,
                ),
            });
        }
        let parsed: TokenAnswer =
            serde_json::from_str(&answer.body).map_err(|error| PullError::Auth {
                api: api.to_string(),
                reason: format!("the token endpoint's answer is not a token: {error}"),
            })?;
        let Some(value) = parsed.access_token.filter(|token| !token.is_empty()) else {
            return Err(PullError::Auth {
                api: api.to_string(),
                reason: "the token endpoint's answer has no access_token".to_string(),
            });
        };
        if let (
            Grant::RefreshToken {
                refresh_token,
                rotate,
                ..
            },
            Some(rotated),
        ) = (
            grant,
            parsed.refresh_token.filter(|token| !token.is_empty()),
        ) {
            rotate(&rotated).map_err(|reason| PullError::Auth {
                api: api.to_string(),
                reason: format!("the rotated refresh token could not be stored: {reason}"),
            })?;
            *refresh_token = rotated;
        }
        let life = life_of(parsed.expires_in.as_ref());
        let skew = (life / 10).clamp(Duration::from_secs(1), Duration::from_secs(60));
        self.cached = Some(Cached {
            value: value.clone(),
            renew_at: http.now().saturating_add(life.saturating_sub(skew)),
        });
        Ok(value)
    }

    /// Forgets the token, after the API refused it.
    pub fn invalidate(&mut self) {
        self.cached = None;
    }

    /// Sends a call with a bearer token; on a 401, fetches a new token and tries once more.
    pub fn send(
        &mut self,
        http: &mut HttpClient<'_>,
        api: &str,
        grant: &mut Grant<'_>,
        call: &Call,
    ) -> Result<Answer, PullError> {
        for attempt in 0..2 {
            let token = self.token(http, api, grant)?;
            let authorised = call
                .clone()
                .header("Authorization", &format!("Bearer {token}"));
            let answer = http.send(&authorised)?;
            if answer.status != 401 {
                return Ok(answer);
            }
            self.invalidate();
            if attempt == 1 {
                break;
            }
        }
        Err(PullError::Auth {
            api: api.to_string(),
            reason: "the API refused a freshly issued token (401 twice); check the credentials' permissions".to_string(),
        })
    }
}

/// `expires_in` as a number or a numeric string.
fn life_of(value: Option<&serde_json::Value>) -> Duration {
    let seconds = match value {
        Some(serde_json::Value::Number(number)) => number.as_u64(),
        Some(serde_json::Value::String(text)) => text.trim().parse().ok(),
        _ => None,
    };
    seconds.map_or(DEFAULT_LIFE, Duration::from_secs)
}

fn token_call(grant: &Grant<'_>) -> Call {
    match grant {
        Grant::ClientCredentials {
            token_url,
            client_id,
            client_secret,
            style: TokenStyle::Json { audience },
        } => {
            let body = serde_json::json!({
                "client_id": client_id,
                "client_secret": client_secret,
                "audience": audience,
                "grant_type": "client_credentials",
            });
            Call::post(*token_url, body.to_string().into_bytes())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
        }
        Grant::ClientCredentials {
            token_url,
            client_id,
            client_secret,
            style: TokenStyle::Form { scope },
        } => {
            let mut fields = vec![
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
                ("client_secret", client_secret),
            ];
            if let Some(scope) = scope {
                fields.push(("scope", scope));
            }
            form_call(token_url, &fields)
        }
        Grant::RefreshToken {
            token_url,
            client_id,
            client_secret,
            refresh_token,
            ..
        } => {
            let mut fields = vec![
                ("grant_type", "refresh_token"),
                ("client_id", *client_id),
                ("refresh_token", refresh_token.as_str()),
            ];
            if let Some(secret) = client_secret {
                fields.push(("client_secret", secret));
            }
            form_call(token_url, &fields)
        }
        Grant::BasicExchange {
            token_url,
            username,
            password,
            headers,
            body,
        } => {
            use base64::Engine;
            let basic =
                base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
            let mut call = Call::post(*token_url, body.clone().into_bytes())
                .header("Authorization", &format!("Basic {basic}"))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json");
            for (name, value) in headers {
                call = call.header(name, value);
            }
            call
        }
    }
}

fn form_call(url: &str, fields: &[(&str, &str)]) -> Call {
    let body = fields
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&");
    Call::post(url, body.into_bytes())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
}

/// Percent-encodes a form or query value (RFC 3986 unreserved characters stay).
pub fn encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lives_and_encoding() {
        assert_eq!(
            life_of(Some(&serde_json::json!(86400))),
            Duration::from_secs(86400)
        );
        assert_eq!(
            life_of(Some(&serde_json::json!("3599"))),
            Duration::from_secs(3599)
        );
        assert_eq!(life_of(None), DEFAULT_LIFE);
        assert_eq!(encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    }
}
