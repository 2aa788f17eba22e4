//! Values an import accepts but counts as warnings: each is defensible alone, but together they
//! are how a broken export produces plausible-looking gaps, so the summary names them.

use crate::domain::lines::{ChargeKind, Line, Term};
use crate::domain::money::Currency;
use crate::import::contract::{ImportWarning, Location};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// The active ISO 4217 codes, plus `XXX` (no currency), which billgap uses itself.
const ISO_4217: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND \
BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB \
EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY \
KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR \
MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF \
SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS \
UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG XXX";

/// Warnings of one import, counted per kind, in order of first sight.
#[derive(Debug, Default)]
pub struct Warnings {
    found: Vec<ImportWarning>,
    index: HashMap<String, usize>,
    /// The last currency found in the code list: a file has one or two, and the list is long.
    known_currency: Option<Currency>,
}

impl Warnings {
    /// Counts one row under `what`; `first` is asked for only on the first of its kind.
    pub fn add(&mut self, what: &str, first: impl FnOnce() -> Location) {
        self.add_many(what, 1, first);
    }

    /// Counts `count` under `what`.
    pub fn add_many(&mut self, what: &str, count: u64, first: impl FnOnce() -> Location) {
        match self.index.get(what).and_then(|i| self.found.get_mut(*i)) {
            Some(warning) => warning.count = warning.count.saturating_add(count),
            None => {
                self.index.insert(what.to_string(), self.found.len());
                self.found.push(ImportWarning {
                    what: what.to_string(),
                    count,
                    first: first(),
                });
            }
        }
    }

    /// The warnings, in order of first sight.
    pub fn finish(self) -> Vec<ImportWarning> {
        self.found
    }
}

/// Counts what is odd about a line that was read without error.
pub fn check_plausible(line: &Line, warnings: &mut Warnings, location: impl Fn() -> Location) {
    if line.charge == ChargeKind::Recurring && line.seats < Decimal::ZERO {
        warnings.add("rows with negative seats on recurring charges", &location);
    }
    if !line.seats.fract().is_zero() {
        warnings.add("rows with fractional seats", &location);
    }
    let negative_unit = [&line.unit_price, &line.unit_cost]
        .into_iter()
        .flatten()
        .any(|money| money.amount < Decimal::ZERO);
    if line.charge == ChargeKind::Recurring && line.seats > Decimal::ZERO && negative_unit {
        warnings.add(
            "rows with a negative unit price on recurring seats",
            &location,
        );
    }
    // `1/10/2026` is 10 January month first and 1 October day first; read the wrong way, a
    // monthly charge spans most of a year. Detectable, not decidable: counted with the hint.
    if let (Term::Monthly, Some(start), Some(end)) = (line.term, line.period_start, line.period_end)
    {
        if end.signed_duration_since(start).num_days() > 45 {
            warnings.add(
                "rows on a monthly term whose charge spans more than a month (day-first dates \
                 read month first? see --day-first)",
                &location,
            );
        }
    }
    if let Some(currency) = line.currency() {
        if warnings.known_currency.as_ref() != Some(currency) {
            let code = currency.code();
            if ISO_4217.split(' ').any(|known| known == code) {
                warnings.known_currency = Some(currency.clone());
            } else {
                let what = format!("rows in {code}, which is not an ISO 4217 currency code");
                warnings.add(&what, &location);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_list_is_sorted_three_letter_codes() {
        let codes: Vec<&str> = ISO_4217.split(' ').collect();
        assert!(codes.iter().all(|c| c.len() == 3), "{codes:?}");
        assert!(codes.contains(&"USD") && codes.contains(&"CAD") && !codes.contains(&"ZZZ"));
    }
}
