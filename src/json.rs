//! The few JSON pieces the trace, the reports and the page's buffers write by
//! hand: one `,"key":value` field at a time, with no serializer behind them.
//! A leaf: it needs nothing from the crate.

use std::fmt::{self, Write};

/// Writes `,"key":value` for a JSON number.
pub fn json_num(out: &mut String, key: &str, value: impl fmt::Display) {
    let _ = write!(out, ",\"{key}\":{value}");
}

/// Writes `,"key":"value"` for a JSON string that needs no escaping
/// (identifiers and enum names only).
pub fn json_str(out: &mut String, key: &str, value: &str) {
    let _ = write!(out, ",\"{key}\":\"{value}\"");
}

/// Writes `,"key":value` or `,"key":null`.
pub fn json_opt(out: &mut String, key: &str, value: Option<impl fmt::Display>) {
    match value {
        Some(v) => json_num(out, key, v),
        None => {
            let _ = write!(out, ",\"{key}\":null");
        }
    }
}
