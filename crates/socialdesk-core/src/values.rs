//! Validated values. Each can only be built through its parser, so a value of
//! one of these types is known to be good everywhere it travels.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a value was refused, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

fn invalid(message: impl Into<String>) -> Invalid {
    Invalid(message.into())
}

/// An email address, trimmed and lower-cased so that one person has one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let email = input.trim().to_lowercase();
        if email.is_empty() {
            return Err(invalid("enter an email address"));
        }
        if email.len() > 254 {
            return Err(invalid("an email address has at most 254 characters"));
        }
        if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid("an email address has no spaces"));
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Err(invalid("an email address needs an @, as in name@example.com"));
        };
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return Err(invalid("the part before the @ must be 1 to 64 characters"));
        }
        let labels_ok = domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
        if !domain.contains('.') || !labels_ok {
            return Err(invalid("the part after the @ must be a domain, as in example.com"));
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password good enough to keep: at least 10 characters, not a well-known
/// password, not the email address, not one repeated character. Its `Debug`
/// never shows it.
#[derive(Clone)]
pub struct Password(String);

/// Passwords that appear at the top of every breach list. A longer list would
/// belong in a data file; these are the ones people actually try first.
const COMMON_PASSWORDS: &[&str] = &[
    "1234567890",
    "12345678910",
    "123456789a",
    "0123456789",
    "1q2w3e4r5t",
    "qwertyuiop",
    "password123",
    "password1234",
    "passw0rd123",
    "iloveyou123",
    "abcdefghij",
    "letmein123",
    "welcome123",
    "qwerty1234",
    "admin12345",
    "socialdesk",
    "socialdesk1",
];

impl Password {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 1024;

    pub fn parse(input: &str, email: Option<&Email>) -> Result<Self, Invalid> {
        let chars = input.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(invalid(format!("use at least {} characters (this one has {chars})", Self::MIN_CHARS)));
        }
        if chars > Self::MAX_CHARS {
            return Err(invalid(format!("use at most {} characters", Self::MAX_CHARS)));
        }
        let lower = input.to_lowercase();
        if COMMON_PASSWORDS.contains(&lower.as_str()) {
            return Err(invalid("this password is one of the first that attackers try"));
        }
        let mut distinct: Vec<char> = input.chars().collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < 4 {
            return Err(invalid("use more than three different characters"));
        }
        if let Some(email) = email {
            let local = email.as_str().split('@').next().unwrap_or_default();
            if lower == email.as_str() || (local.len() >= 4 && lower.contains(local)) {
                return Err(invalid("a password must not contain your email address"));
            }
        }
        Ok(Self(input.to_owned()))
    }

    /// The secret itself, for hashing. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

fn clean_text(input: &str, what: &str, max: usize) -> Result<String, Invalid> {
    let text = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Err(invalid(format!("enter {what}")));
    }
    let n = text.chars().count();
    if n > max {
        return Err(invalid(format!("{what} has at most {max} characters (this has {n})")));
    }
    if text.chars().any(char::is_control) {
        return Err(invalid(format!("{what} cannot contain control characters")));
    }
    Ok(text)
}

/// A person's display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        clean_text(input, "a name", 100).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PersonName {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PersonName> for String {
    fn from(v: PersonName) -> String {
        v.0
    }
}

/// A workspace's name, such as a brand or a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WorkspaceName(String);

impl WorkspaceName {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        clean_text(input, "a workspace name", 80).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for WorkspaceName {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<WorkspaceName> for String {
    fn from(v: WorkspaceName) -> String {
        v.0
    }
}

/// The short name of a workspace in its URLs: `/w/{slug}/...`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 40;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let ok = (2..=Self::MAX_LEN).contains(&input.len())
            && input.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !input.starts_with('-')
            && !input.ends_with('-');
        if ok {
            Ok(Self(input.to_owned()))
        } else {
            Err(invalid("a workspace address is 2 to 40 lower-case letters, digits and dashes"))
        }
    }

    /// A slug derived from a name: accents dropped where the letter is Latin,
    /// anything else turned into dashes. Names with no Latin letters or digits
    /// (say, Korean) get `workspace`; the store adds a suffix when taken.
    pub fn from_name(name: &WorkspaceName) -> Self {
        let mut out = String::new();
        for c in name.as_str().chars() {
            let c = fold_latin(c).to_ascii_lowercase();
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        out.truncate(Self::MAX_LEN - 7);
        let trimmed = out.trim_matches('-');
        if trimmed.len() < 2 { Self("workspace".to_owned()) } else { Self(trimmed.to_owned()) }
    }

    /// The same slug with a numeric suffix, for when the plain one is taken.
    pub fn with_suffix(&self, n: u32) -> Self {
        Self(format!("{}-{n}", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn fold_latin(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'ç' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        'ß' => 's',
        other => other,
    }
}

impl TryFrom<String> for Slug {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Slug> for String {
    fn from(v: Slug) -> String {
        v.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An IANA time zone such as `Europe/Rome`. Schedules are stored as UTC
/// instants together with the zone they were planned in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    pub const UTC: TimeZone = TimeZone(chrono_tz::Tz::UTC);

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        chrono_tz::Tz::from_str(input.trim()).map(Self).map_err(|_| {
            invalid(format!(
                "unknown time zone {:?}: use an IANA name such as Europe/Rome or America/New_York",
                input.trim()
            ))
        })
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.0
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// Every zone name, for pickers.
    pub fn all_names() -> impl Iterator<Item = &'static str> {
        chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for TimeZone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for TimeZone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        TimeZone::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A text cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first,
/// and not a number), quoted with a leading `'` so it is shown as text.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@']) && cell.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("  Ana@Example.COM ").unwrap().as_str(), "ana@example.com");
        assert_eq!(Email::parse("김@예시.한국").unwrap().as_str(), "김@예시.한국");
        for bad in ["", "ana", "ana@", "@example.com", "ana@example", "a na@example.com", "ana@-x.com"] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        let email = Email::parse("marta@example.com").unwrap();
        let reasons: Vec<String> = ["short", "password123", "aaaaaaaaaaaa", "marta-rocks-2026"]
            .iter()
            .map(|p| Password::parse(p, Some(&email)).unwrap_err().0)
            .collect();
        assert_eq!(
            reasons,
            [
                "use at least 10 characters (this one has 5)",
                "this password is one of the first that attackers try",
                "use more than three different characters",
                "a password must not contain your email address",
            ]
        );
        assert!(Password::parse("correct horse battery", Some(&email)).is_ok());
        assert_eq!(format!("{:?}", Password::parse("correct horse battery", None).unwrap()), "Password(<redacted>)");
    }

    #[test]
    fn slugs_come_from_names() {
        let slug = |n: &str| Slug::from_name(&WorkspaceName::parse(n).unwrap()).as_str().to_owned();
        assert_eq!(slug("Acme Coffee"), "acme-coffee");
        assert_eq!(slug("  Caffè  Società!! "), "caffe-societa");
        assert_eq!(slug("한국 브랜드"), "workspace");
        assert!(Slug::parse("acme").is_ok());
        assert!(Slug::parse("Acme").is_err());
        assert!(Slug::parse("-acme").is_err());
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(TimeZone::parse("Europe/Rome").unwrap().name(), "Europe/Rome");
        assert!(TimeZone::parse("CEST+2").is_err());
        assert!(TimeZone::all_names().any(|n| n == "Asia/Seoul"));
    }

    #[test]
    fn names_are_trimmed_and_limited() {
        assert_eq!(WorkspaceName::parse("  Acme   Co ").unwrap().as_str(), "Acme Co");
        assert!(WorkspaceName::parse("   ").is_err());
        assert!(PersonName::parse(&"x".repeat(101)).is_err());
    }

    #[test]
    fn formulas_are_shown_as_text_in_spreadsheets() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("@ana.bsky.social"), "'@ana.bsky.social");
        assert_eq!(spreadsheet_safe("-12.5"), "-12.5", "numbers stay numbers");
        assert_eq!(spreadsheet_safe("Ana"), "Ana");
    }
}
