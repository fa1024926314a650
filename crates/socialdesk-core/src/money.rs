//! Money is an integer count of the currency's minor unit (cents, pence, won)
//! and an ISO 4217 code. It is never a float, and amounts in different
//! currencies are never added together.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An ISO 4217 currency code such as `EUR`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("a currency is three capital letters (ISO 4217), such as EUR or USD; got {0:?}")]
    BadCurrency(String),
    #[error("cannot combine {0} and {1}: amounts in different currencies")]
    CurrencyMismatch(Currency, Currency),
    #[error("the amount is too large")]
    Overflow,
}

impl Currency {
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let bytes = code.as_bytes();
        if bytes.len() == 3 && bytes.iter().all(u8::is_ascii_uppercase) {
            Ok(Self([bytes[0], bytes[1], bytes[2]]))
        } else {
            Err(MoneyError::BadCurrency(code.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII capitals are ever stored, so this cannot fail.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// How many minor units make one major unit (ISO 4217 exponent).
    pub fn minor_per_major(&self) -> i64 {
        match self.as_str() {
            "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "UGX" | "XAF" | "XOF" => 1,
            "BHD" | "JOD" | "KWD" | "OMR" | "TND" => 1000,
            _ => 100,
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_owned()
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount of money: `minor` units of `currency`. Stored as two columns,
/// `<name>_minor BIGINT` and `<name>_currency TEXT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, other.currency));
        }
        let minor = self.minor.checked_add(other.minor).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let per = self.currency.minor_per_major();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let per_u = per.unsigned_abs();
        match per {
            1 => write!(f, "{sign}{abs} {}", self.currency),
            1000 => write!(f, "{sign}{}.{:03} {}", abs / per_u, abs % per_u, self.currency),
            _ => write!(f, "{sign}{}.{:02} {}", abs / per_u, abs % per_u, self.currency),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_codes_are_three_capitals() {
        assert!(Currency::parse("EUR").is_ok());
        for bad in ["eur", "EU", "EURO", "€", ""] {
            assert_eq!(Currency::parse(bad), Err(MoneyError::BadCurrency(bad.to_owned())));
        }
    }

    #[test]
    fn displays_in_major_units_with_the_currency_exponent() {
        let eur = Currency::parse("EUR").unwrap();
        let krw = Currency::parse("KRW").unwrap();
        assert_eq!(Money::new(123_456, eur).to_string(), "1234.56 EUR");
        assert_eq!(Money::new(-5, eur).to_string(), "-0.05 EUR");
        assert_eq!(Money::new(15_000, krw).to_string(), "15000 KRW");
    }

    #[test]
    fn never_adds_different_currencies() {
        let eur = Currency::parse("EUR").unwrap();
        let usd = Currency::parse("USD").unwrap();
        assert_eq!(Money::new(1, eur).checked_add(Money::new(1, usd)), Err(MoneyError::CurrencyMismatch(eur, usd)));
        assert_eq!(Money::new(1, eur).checked_add(Money::new(2, eur)), Ok(Money::new(3, eur)));
        assert_eq!(Money::new(i64::MAX, eur).checked_add(Money::new(1, eur)), Err(MoneyError::Overflow));
    }
}
