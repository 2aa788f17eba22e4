//! One data row seen through a profile: typed, role-addressed access to its cells.

use super::date::parse_date;
use super::number::{Bound, ImplausibleValue, contradicting_currency, parse_decimal};
use super::profile::{ColumnMap, Role};
use crate::domain::lines::{Party, Product};
use crate::domain::money::{Currency, Money};
use crate::domain::text::strip_control;
use chrono::NaiveDate;
use csv::StringRecord;
use rust_decimal::Decimal;
use std::cell::RefCell;
use std::fmt;

/// A cell that is not what its column needs. The caller adds the file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// The role of the offending column, if the problem is one cell.
    pub role: Option<Role>,
    /// What is wrong with it.
    pub problem: CellProblem,
}

/// What is wrong with a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellProblem {
    /// The cell cannot be read as what its column needs.
    Unreadable {
        /// What the column needs, such as "a decimal number".
        expected: String,
        /// What the cell held.
        found: String,
    },
    /// The cell, or an amount computed from it, is too large to be real.
    Implausible(ImplausibleValue),
    /// The row does not have the header's shape; the text says how.
    Shape(String),
}

impl fmt::Display for CellProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreadable { expected, found } => {
                write!(f, "expected {expected}, found {found:?}")
            }
            Self::Implausible(value) => value.fmt(f),
            Self::Shape(reason) => f.write_str(reason),
        }
    }
}

/// How cells of this file are read.
#[derive(Debug, Clone)]
pub struct CellRules {
    /// Commas are decimal marks.
    pub decimal_comma: bool,
    /// Slash dates are day first.
    pub day_first: bool,
    /// Currency for files, or cells, without one.
    pub default_currency: Option<Currency>,
}

/// A data row with its column map.
pub struct Row<'a> {
    record: &'a StringRecord,
    columns: &'a ColumnMap,
    rules: &'a CellRules,
    notes: RefCell<Vec<Note>>,
}

/// Something a rule accepted in a row but wants counted in the import summary: the column it
/// is about, and what the rows have ("SkuIds padded to 4 digits").
pub type Note = (Option<Role>, &'static str);

impl<'a> Row<'a> {
    /// Views `record` through `columns`.
    pub fn new(record: &'a StringRecord, columns: &'a ColumnMap, rules: &'a CellRules) -> Self {
        Self {
            record,
            columns,
            rules,
            notes: RefCell::new(Vec::new()),
        }
    }

    /// Counts this row under `what` in the import summary's warnings.
    pub fn note(&self, role: Option<Role>, what: &'static str) {
        self.notes.borrow_mut().push((role, what));
    }

    /// The notes the rule made, emptied.
    pub fn take_notes(&self) -> Vec<Note> {
        std::mem::take(&mut *self.notes.borrow_mut())
    }

    /// The trimmed cell of a role; `None` when the file lacks the column or the cell is blank.
    pub fn text(&self, role: Role) -> Option<&'a str> {
        let cell = trimmed(self.record.get(self.columns.position(role)?)?);
        (!cell.is_empty()).then_some(cell)
    }

    /// The cell as a display name, with control characters removed.
    pub fn name(&self, role: Role) -> Option<String> {
        self.text(role)
            .map(clean_name)
            .filter(|name| !name.trim().is_empty())
    }

    /// A number cell (an exchange rate); blank is `None`. Anything unreadable is an error,
    /// and so is a magnitude beyond [`Bound::Number`], which no real rate reaches.
    pub fn decimal(&self, role: Role) -> Result<Option<Decimal>, CellError> {
        self.bounded(role, Bound::Number)
    }

    /// A seat count cell; blank is `None`. Anything unreadable is an error, and so is a count
    /// beyond [`Bound::SeatQuantity`] either way, so that seats summed over a file stay exact.
    pub fn quantity(&self, role: Role) -> Result<Option<Decimal>, CellError> {
        self.bounded(role, Bound::SeatQuantity)
    }

    fn bounded(&self, role: Role, bound: Bound) -> Result<Option<Decimal>, CellError> {
        let Some(cell) = self.text(role) else {
            return Ok(None);
        };
        let number = parse_decimal(cell, self.rules.decimal_comma)
            .ok_or_else(|| self.invalid(role, "a decimal number", cell))?;
        if !bound.holds(number) {
            return Err(implausible(role, bound, cell.to_string()));
        }
        Ok(Some(number))
    }

    /// A date cell; blank is `None`, anything unreadable is an error.
    pub fn date(&self, role: Role) -> Result<Option<NaiveDate>, CellError> {
        let Some(cell) = self.text(role) else {
            return Ok(None);
        };
        match parse_date(cell, self.rules.day_first) {
            // HaloPSA writes 1900-01-01 and .NET 0001-01-01 where a date was never set.
            Some(date) if is_no_date(date) => Ok(None),
            Some(date) => Ok(Some(date)),
            None => {
                let expected = if self.rules.day_first {
                    "a date (YYYY-MM-DD or D/M/YYYY)"
                } else if parse_date(cell, true).is_some() {
                    "a date (YYYY-MM-DD or M/D/YYYY); this one reads as day first \
                     (D/M/YYYY): pass --day-first"
                } else {
                    "a date (YYYY-MM-DD or M/D/YYYY)"
                };
                Err(self.invalid(role, expected, cell))
            }
        }
    }

    /// A yes/no cell (`true`, `yes`, `1`, `y`); blank is `None`.
    pub fn flag(&self, role: Role) -> Result<Option<bool>, CellError> {
        let Some(cell) = self.text(role) else {
            return Ok(None);
        };
        match cell.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" | "-1" => Ok(Some(true)),
            "false" | "no" | "n" | "0" => Ok(Some(false)),
            _ => Err(self.invalid(role, "true or false", cell)),
        }
    }

    /// The row's currency: its currency cell, else the default the user or profile gave.
    pub fn currency(&self) -> Result<Currency, CellError> {
        match self.text(Role::Currency) {
            Some(code) => Currency::parse(code)
                .map_err(|_| self.invalid(Role::Currency, "a three-letter currency code", code)),
            None => self.rules.default_currency.clone().ok_or_else(|| {
                self.invalid(Role::Currency, "a currency code (or pass --currency)", "")
            }),
        }
    }

    /// An amount cell; blank is `None`. Anything unreadable is an error, and so is an amount
    /// beyond [`MAX_AMOUNT`] either way, so that sums over a whole file stay exact.
    ///
    /// [`MAX_AMOUNT`]: crate::domain::money::MAX_AMOUNT
    pub fn amount(&self, role: Role) -> Result<Option<Decimal>, CellError> {
        self.bounded(role, Bound::Amount)
    }

    /// A money cell in `currency`, read like [`Row::amount`]. A cell that names another
    /// currency (`EUR 369.60` or `€26.40` in a USD row) is an error, never a silent USD.
    pub fn money(&self, role: Role, currency: &Currency) -> Result<Option<Money>, CellError> {
        self.check_currency(role, currency)?;
        Ok(self
            .amount(role)?
            .map(|amount| Money::new(amount, currency.clone())))
    }

    /// Fails when the cell of `role` names a currency other than `currency`.
    pub fn check_currency(&self, role: Role, currency: &Currency) -> Result<(), CellError> {
        match self.text(role).and_then(|cell| {
            contradicting_currency(cell, currency.code()).map(|named| (cell, named))
        }) {
            Some((cell, named)) => Err(self.invalid(
                role,
                &format!(
                    "an amount in the row's currency {}, not {named}",
                    currency.code()
                ),
                cell,
            )),
            None => Ok(()),
        }
    }

    /// `unit × quantity` (a unit price times seats, or times an exchange rate), refused like a
    /// money cell when it overflows or goes beyond [`MAX_AMOUNT`]; the error points at
    /// `unit_role`, the column of the unit amount. With every stored amount bounded, no sum
    /// over the lines of a file can overflow.
    ///
    /// [`MAX_AMOUNT`]: crate::domain::money::MAX_AMOUNT
    pub fn extended(
        &self,
        unit_role: Role,
        unit: &Money,
        quantity: Decimal,
    ) -> Result<Money, CellError> {
        unit.checked_times(quantity)
            .filter(|product| Bound::Amount.holds(product.amount))
            .ok_or_else(|| {
                implausible(
                    unit_role,
                    Bound::Amount,
                    format!("{} × {quantity}", unit.amount),
                )
            })
    }

    /// The customer: keyed by `id_role`, else by its name, which then doubles as the key.
    pub fn party(&self, id_role: Role, name_role: Role) -> Result<Party, CellError> {
        let name = self.name(name_role);
        let key = self
            .text(id_role)
            .map(clean_key)
            .filter(|key| !key.is_empty())
            .or_else(|| name.clone());
        let Some(key) = key else {
            return Err(self.invalid(id_role, "a customer id or name", ""));
        };
        Ok(Party {
            name: name.unwrap_or_else(|| key.clone()),
            key,
            domain: self.name(Role::CustomerDomain),
            external_id: self.name(Role::ExternalId),
        })
    }

    /// A product keyed by the first present role of `key_roles`, named by the first present
    /// role of `name_roles` (else its key).
    pub fn product(&self, key_roles: &[Role], name_roles: &[Role]) -> Result<Product, CellError> {
        let key = key_roles
            .iter()
            .find_map(|role| self.text(*role))
            .map(clean_key)
            .filter(|key| !key.is_empty())
            .ok_or_else(|| CellError {
                role: key_roles.first().copied(),
                problem: CellProblem::Unreadable {
                    expected: "a product id".to_string(),
                    found: String::new(),
                },
            })?;
        let name = name_roles
            .iter()
            .find_map(|role| self.name(*role))
            .unwrap_or_else(|| key.clone());
        Ok(Product { key, name })
    }

    /// An error about one cell.
    pub fn invalid(&self, role: Role, expected: &str, found: &str) -> CellError {
        CellError {
            role: Some(role),
            problem: CellProblem::Unreadable {
                expected: expected.to_string(),
                found: found.to_string(),
            },
        }
    }
}

/// A cell without the white space around it. Most cells start and end with a visible ASCII
/// character, and are then returned as they are without decoding their ends.
fn trimmed(cell: &str) -> &str {
    let bytes = cell.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => cell,
        _ => cell.trim(),
    }
}

/// The dates systems write for "no date": HaloPSA's 1900-01-01 and .NET's 0001-01-01.
fn is_no_date(date: NaiveDate) -> bool {
    use chrono::Datelike;
    (date.year() == 1900 || date.year() == 1) && date.month() == 1 && date.day() == 1
}

fn implausible(role: Role, bound: Bound, found: String) -> CellError {
    CellError {
        role: Some(role),
        problem: CellProblem::Implausible(ImplausibleValue { bound, found }),
    }
}

/// A cell as a key: without control characters, and without the invisible format characters
/// (a zero-width space, a word joiner) that would make a tenant id differ from itself while
/// looking identical, so that it would lose its confirmed mapping.
pub fn clean_key(cell: &str) -> String {
    clean_key_borrowed(cell).into_owned()
}

/// [`clean_key`], borrowing the cell when there is nothing to remove from it but the spaces
/// around it: printable ASCII, nearly every id.
pub fn clean_key_borrowed(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.bytes().all(|byte| (0x20..0x7F).contains(&byte)) {
        return std::borrow::Cow::Borrowed(cell.trim());
    }
    let mut key = clean_name(cell);
    key.retain(|c| {
        !matches!(c, '\u{AD}' | '\u{61C}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
    });
    std::borrow::Cow::Owned(key.trim().to_string())
}

/// A cell as a name without control characters; printable ASCII, the common case in ids and
/// most names, is copied as is.
fn clean_name(cell: &str) -> String {
    if cell.bytes().all(|byte| (0x20..0x7F).contains(&byte)) {
        cell.to_string()
    } else {
        strip_control(cell)
    }
}
