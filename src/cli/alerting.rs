//! `billgap alert test` and `billgap doctor`: prove the alert channels work before a real gap
//! depends on them.

use super::outcome::Outcome;
use crate::alert::{RetryPolicy, Sleep};
use crate::domain::alerting::{AlertGroup, AlertReason, AlertedGap};
use crate::domain::lines::{SourceKey, Term};
use crate::domain::money::{Currency, Money};
use crate::domain::reconcile::GapKind;
use crate::domain::text::strip_control;
use clap::{Args, Subcommand};
use color_eyre::eyre::bail;
use rust_decimal::Decimal;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

/// `billgap alert …`.
#[derive(Debug, Subcommand)]
pub enum AlertCommand {
    /// Send a sample alert to every configured channel: email to the owner (or --to) and each
    /// webhook.
    Test(AlertTestArgs),
}

/// Arguments of `billgap alert test`.
#[derive(Debug, Args)]
pub struct AlertTestArgs {
    /// Send the sample email here instead of to the owner.
    #[arg(long)]
    pub to: Option<String>,
}

/// A sample alert that says it is one, so nobody acts on it.
fn sample() -> Result<AlertGroup, crate::domain::money::InvalidCurrency> {
    let usd = Currency::parse("USD")?;
    let value = Money::new(Decimal::new(15000, 2), usd.clone());
    Ok(AlertGroup {
        company: SourceKey::new("billgap", "SAMPLE"),
        company_name: "Sample client (billgap alert test)".to_string(),
        as_of: chrono::Local::now().date_naive(),
        measure: crate::domain::alerting::Measure::Revenue,
        coverage: "This is a test message from `billgap alert test`; no action is needed."
            .to_string(),
        unbilled: vec![value.clone()],
        overbilled: Vec::new(),
        gaps: vec![AlertedGap {
            key: "billgap:SAMPLE|billgap:SAMPLE-SKU|monthly|unbilled|USD".to_string(),
            product: SourceKey::new("billgap", "SAMPLE-SKU"),
            product_name: "Sample product".to_string(),
            term: Term::Monthly,
            kind: GapKind::Unbilled,
            vendor_seats: Decimal::from(12),
            psa_seats: Decimal::from(2),
            delta: Decimal::from(10),
            value: Some(value),
            age_days: 0,
            cost_to_date: None,
            reason: AlertReason::New,
        }],
    })
}

/// Sends the sample to every channel; exit 2 when one fails.
pub fn test(config: Option<&Path>, args: &AlertTestArgs) -> color_eyre::Result<Outcome> {
    let settings = super::check::load_config(config)?.alerts;
    let group = sample()?;
    let mut failed = 0_usize;
    let mut report = |channel: String, result: Result<(), crate::alert::DeliveryError>| match result
    {
        Ok(()) => println!("sent: {}", strip_control(&channel)),
        Err(error) => {
            failed = failed.saturating_add(1);
            println!(
                "FAILED: {}: {}",
                strip_control(&channel),
                strip_control(&error.to_string())
            );
        }
    };
    let recipient = args.to.clone().or_else(|| settings.owner.clone());
    match (&settings.smtp, recipient) {
        (Some(smtp), Some(to)) => {
            let rendered = crate::alert::render::render(std::slice::from_ref(&group));
            let message = crate::alert::email::EmailMessage {
                to: vec![to.clone()],
                subject: format!("[billgap test] {}", rendered.subject),
                text: rendered.text,
                html: rendered.html,
                message_id: crate::alert::email::message_id("alert-test", &smtp.from),
                in_reply_to: None,
            };
            let (_, result) = crate::alert::email::send(
                smtp,
                settings.smtp_password.as_deref(),
                &message,
                RetryPolicy::default(),
                &mut Sleep,
            );
            report(format!("email:{to}"), result);
        }
        (Some(_), None) => println!("email: no owner in [alerts] and no --to: nothing to send to"),
        (None, _) => println!("email: no [smtp] section in the config"),
    }
    for (hook, secret) in &settings.webhooks {
        let (_, result) = crate::alert::webhook::send(
            hook,
            secret.as_deref(),
            &group,
            "billgap-alert-test",
            RetryPolicy::default(),
            &mut Sleep,
        );
        report(format!("webhook:{}", hook.receiver()), result);
    }
    if failed > 0 {
        bail!("{failed} channel(s) failed");
    }
    Ok(Outcome::Done)
}

/// Checks the config, the secrets and connectivity, one line each; exit 2 when something is
/// wrong.
pub fn doctor(database: &Path, config: Option<&Path>) -> color_eyre::Result<Outcome> {
    let mut problems = 0_usize;
    let mut line = |ok: bool, text: String| {
        if !ok {
            problems = problems.saturating_add(1);
        }
        println!(
            "{} {}",
            if ok { "ok  " } else { "FAIL" },
            strip_control(&text)
        );
    };
    line(
        database.exists(),
        format!("database {}", database.display()),
    );
    let loaded = super::check::load_config(config);
    let settings = match loaded {
        Ok(loaded) => {
            line(
                true,
                format!(
                    "config {}",
                    loaded
                        .file
                        .as_ref()
                        .map_or("(none: defaults)".to_string(), |file| file
                            .display()
                            .to_string())
                ),
            );
            loaded.alerts
        }
        Err(error) => {
            line(false, format!("config: {error}"));
            bail!("the config cannot be used");
        }
    };
    line(
        settings.owner.is_some(),
        format!(
            "fallback owner: {}",
            settings.owner.as_deref().unwrap_or("none ([alerts] owner)")
        ),
    );
    if let Some(smtp) = &settings.smtp {
        let needs_password = smtp.username.is_some();
        line(
            !needs_password || settings.smtp_password.is_some(),
            format!(
                "SMTP password: {}",
                if settings.smtp_password.is_some() {
                    "set in BILLGAP_SMTP_PASSWORD"
                } else if needs_password {
                    "missing: set BILLGAP_SMTP_PASSWORD"
                } else {
                    "not needed (no username)"
                }
            ),
        );
        line(
            reachable(&smtp.host, smtp.port),
            format!("SMTP server {}:{} reachable", smtp.host, smtp.port),
        );
    } else {
        line(true, "email: not configured (no [smtp])".to_string());
    }
    for (hook, _) in &settings.webhooks {
        let host = hook.receiver();
        line(
            true,
            format!("webhook {host}: configured ({})", hook.kind.as_str()),
        );
    }
    if problems > 0 {
        bail!("{problems} problem(s) found");
    }
    Ok(Outcome::Done)
}

/// True when a TCP connection to the host opens within five seconds.
fn reachable(host: &str, port: u16) -> bool {
    (host, port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut addresses| addresses.next())
        .is_some_and(|address| TcpStream::connect_timeout(&address, Duration::from_secs(5)).is_ok())
}
