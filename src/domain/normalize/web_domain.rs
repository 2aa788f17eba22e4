//! Domains, URLs and e-mail addresses reduced to what identifies a company: its registrable
//! domain, or its Microsoft tenant name.

/// Mail and hosting domains shared by unrelated companies; equal domains there prove nothing.
const GENERIC_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "ymail.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "protonmail.com",
    "proton.me",
    "gmx.com",
    "gmx.de",
    "web.de",
    "mail.com",
    "zoho.com",
    "comcast.net",
    "att.net",
    "sbcglobal.net",
    "verizon.net",
    "bellsouth.net",
    "cox.net",
    "charter.net",
    "bigpond.com",
    "bigpond.net.au",
    "optusnet.com.au",
    "btinternet.com",
    "sky.com",
    "shaw.ca",
    "rogers.com",
    "sympatico.ca",
    "xtra.co.nz",
    "onmicrosoft.com",
];

/// Second-level public suffixes common among MSP clients. This is a deliberate subset of the
/// public-suffix list; a domain under an unlisted multi-label suffix keeps one label too few,
/// which only makes an equal-domain match less likely, never wrong.
const MULTI_LABEL_SUFFIXES: &[&str] = &[
    "co.uk", "org.uk", "ac.uk", "gov.uk", "ltd.uk", "plc.uk", "me.uk", "com.au", "net.au",
    "org.au", "edu.au", "gov.au", "asn.au", "id.au", "co.nz", "org.nz", "net.nz", "govt.nz",
    "co.za", "org.za", "com.br", "com.mx", "com.ar", "co.jp", "co.in", "co.il", "com.sg", "com.hk",
    "com.cn", "co.kr", "com.tr", "com.my", "com.ph", "qc.ca", "on.ca", "bc.ca",
];

/// The registrable domain (eTLD+1) of a domain, URL or e-mail address, lower case:
/// `https://www.Contoso.co.uk/about` → "contoso.co.uk", "ap@contoso.com" → "contoso.com".
/// `None` for text without a dot and for generic mail domains, which identify nobody.
/// Tenant domains (`*.onmicrosoft.com`) are `None` too: use [`tenant_prefix`] for them.
pub fn registrable_domain(text: &str) -> Option<String> {
    let host = host_of(text)?;
    if host.ends_with(".onmicrosoft.com") {
        return None;
    }
    let labels: Vec<&str> = host.split('.').filter(|label| !label.is_empty()).collect();
    if labels.len() < 2 {
        return None;
    }
    let last_two = labels[labels.len() - 2..].join(".");
    let keep = if MULTI_LABEL_SUFFIXES.contains(&last_two.as_str()) {
        3
    } else {
        2
    };
    if labels.len() < keep {
        return None;
    }
    let registrable = labels[labels.len() - keep..].join(".");
    (!GENERIC_MAIL_DOMAINS.contains(&registrable.as_str())).then_some(registrable)
}

/// The tenant name of a Microsoft initial domain: "contosoltd.onmicrosoft.com" → "contosoltd".
/// Tenant names are chosen once and globally unique, so they are usually the squashed company
/// name plus noise: good evidence, but not proof.
pub fn tenant_prefix(text: &str) -> Option<String> {
    let host = host_of(text)?;
    let prefix = host.strip_suffix(".onmicrosoft.com")?;
    (!prefix.is_empty() && !prefix.contains('.')).then(|| prefix.to_string())
}

fn host_of(text: &str) -> Option<String> {
    let lowered = text.trim().to_ascii_lowercase();
    let without_scheme = lowered
        .split_once("://")
        .map_or(lowered.as_str(), |(_, rest)| rest);
    let after_at = without_scheme
        .rsplit_once('@')
        .map_or(without_scheme, |(_, host)| host);
    let host = after_at
        .split(['/', '?', '#', ':'])
        .next()?
        .trim_end_matches('.');
    let host = host.strip_prefix("www.").unwrap_or(host);
    (host.contains('.') && !host.contains(char::is_whitespace)).then(|| host.to_string())
}
