//! One error type for every bad input: a config from JavaScript, a URL, a
//! script line or a CLI flag. It always names the field and the rule.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The field as the user wrote it, e.g. `network.loss` or `node`.
    pub field: String,
    /// The rule that was broken, e.g. `must be between 0 and 1, got 1.5`.
    pub rule: String,
}

impl Error {
    pub fn new(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Error {
            field: field.into(),
            rule: rule.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.rule)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
