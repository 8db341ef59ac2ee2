//! Time in integer microseconds: durations as people write them ("25s",
//! "150ms", "1.5ms", "500us"), and times as the trace, the page and JSON
//! print them. Parsing is exact decimal: no float on the way to integer
//! microseconds. A leaf: it needs nothing from the crate but errors and
//! float text.

use crate::error::Error;
use crate::num::fmt_f64;
use std::fmt;

/// Simulated time and durations, in integer microseconds. Integer time keeps
/// runs bit-for-bit reproducible, and microseconds resolve the narrow timeout
/// ranges of the Raft paper (150-151 ms).
pub type Micros = u64;

/// Parses a range of durations, `MIN..MAX` ("1ms..4ms"), or one duration
/// for both ends ("3ms"). The order of the ends is the caller's to check.
pub fn parse_duration_range(field: &str, text: &str) -> Result<(Micros, Micros), Error> {
    match text.split_once("..") {
        Some((a, b)) => Ok((parse_duration(field, a)?, parse_duration(field, b)?)),
        None => {
            let d = parse_duration(field, text)?;
            Ok((d, d))
        }
    }
}

/// Parses "25s", "1.5ms", "500us", "2m", "1h" into microseconds. A bare number
/// is rejected: the unit is part of the value.
pub fn parse_duration(field: &str, text: &str) -> Result<Micros, Error> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    if t.starts_with('-') {
        return Err(Error::new(
            field,
            format!("must not be negative, got `{t}`"),
        ));
    }
    // `1e-9s`, `+5s`, `5 s s`: not a plain decimal before the unit.
    if num.is_empty() || unit.contains(|c: char| c.is_ascii_digit()) {
        return Err(Error::new(
            field,
            format!("must be a duration like 150ms or 1.5s, got `{t}`"),
        ));
    }
    let scale: u64 = match unit {
        "us" | "µs" => 1,
        "ms" => 1_000,
        "s" => 1_000_000,
        "m" | "min" => 60_000_000,
        "h" => 3_600_000_000,
        "" => {
            return Err(Error::new(
                field,
                format!("needs a unit (us, ms, s, m, h), got `{t}`"),
            ))
        }
        _ => {
            return Err(Error::new(
                field,
                format!("unknown unit `{unit}` in `{t}` (use us, ms, s, m or h)"),
            ))
        }
    };
    decimal_times(num, scale).ok_or_else(|| {
        Error::new(
            field,
            format!("must be a non-negative duration like 150ms or 1.5s, got `{t}`"),
        )
    })
}

/// `num` (a decimal like "1.25") times `scale`, exactly, or None if it is not
/// a plain decimal, is too large, or leaves a fraction of a microsecond.
fn decimal_times(num: &str, scale: u64) -> Option<u64> {
    let (int, frac) = match num.split_once('.') {
        Some((i, f)) => (i, f),
        None => (num, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut total = whole.checked_mul(scale)?;
    let mut unit = scale;
    for d in frac.chars() {
        let digit = u64::from(d.to_digit(10)?);
        if unit % 10 != 0 {
            if digit != 0 {
                return None;
            }
            continue;
        }
        unit /= 10;
        total = total.checked_add(digit * unit)?;
    }
    Some(total)
}

/// Milliseconds given as a JS number, to microseconds: finite, >= 0, and not
/// beyond what a u64 of microseconds holds.
pub fn ms_to_micros(field: &str, ms: f64) -> Result<Micros, Error> {
    if !ms.is_finite() {
        return Err(Error::new(
            field,
            format!(
                "must be a finite number of milliseconds, got {}",
                fmt_f64(ms)
            ),
        ));
    }
    if ms < 0.0 {
        return Err(Error::new(
            field,
            format!("must not be negative, got {}", fmt_f64(ms)),
        ));
    }
    let us = (ms * 1000.0).round();
    if us > 9.0e15 {
        return Err(Error::new(
            field,
            format!("is too large, got {} ms", fmt_f64(ms)),
        ));
    }
    Ok(us as Micros)
}

/// A duration as the shortest exact text: 25000000 -> "25s", 1500 -> "1.5ms".
pub fn format_duration(us: Micros) -> String {
    if us == 0 {
        return "0ms".to_string();
    }
    if us % 1_000_000 == 0 {
        format!("{}s", us / 1_000_000)
    } else if us % 1_000 == 0 {
        format!("{}ms", us / 1_000)
    } else {
        format!("{}ms", MsJson(us as i64))
    }
}

/// Microseconds written as an exact decimal number of milliseconds
/// (12345678 us -> 12345.678), for JSON. No float rounding on the way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MsJson(pub i64);

impl fmt::Display for MsJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        let sign = if us < 0 { "-" } else { "" };
        let (whole, frac) = (us.unsigned_abs() / 1000, us.unsigned_abs() % 1000);
        if frac == 0 {
            write!(f, "{sign}{whole}")
        } else {
            let digits = format!("{frac:03}");
            write!(f, "{sign}{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

/// Formats a time as fixed milliseconds with three decimals, for aligned
/// trace columns: 1153480 us -> "1 153.480 ms".
pub fn fmt_ms_fixed(us: i64) -> String {
    let whole = fmt_ms((us / 1000) * 1000);
    let frac = (us % 1000).unsigned_abs();
    format!("{}.{frac:03} ms", whole.trim_end_matches(" ms"))
}

/// Formats whole milliseconds with a thin separator every three digits, as
/// the page prints them: 17250 ms -> "17 250 ms".
pub fn fmt_ms(us: i64) -> String {
    let ms = us / 1000;
    let frac = (us % 1000).unsigned_abs();
    let neg = us < 0;
    let digits = ms.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    let sign = if neg { "-" } else { "" };
    if frac == 0 {
        format!("{sign}{grouped} ms")
    } else {
        let f = format!("{frac:03}");
        format!("{sign}{grouped}.{} ms", f.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_exactly() {
        assert_eq!(parse_duration("f", "25s").unwrap(), 25_000_000);
        assert_eq!(parse_duration("f", "1.5ms").unwrap(), 1_500);
        assert_eq!(parse_duration("f", "150.5ms").unwrap(), 150_500);
        assert_eq!(parse_duration("f", "500us").unwrap(), 500);
        assert_eq!(parse_duration("f", "2m").unwrap(), 120_000_000);
        assert_eq!(parse_duration("f", "0.001s").unwrap(), 1_000);
        assert_eq!(parse_duration("f", ".5s").unwrap(), 500_000);
        assert_eq!(parse_duration("f", "24h").unwrap(), 86_400_000_000);
    }

    #[test]
    fn rejects_what_it_cannot_represent() {
        for bad in [
            "25",
            "-1s",
            "1.2.3s",
            "s",
            "1.0005ms",
            "abc",
            "1e3ms",
            "99999999999999999999s",
            "",
        ] {
            let e = parse_duration("run.for", bad).unwrap_err();
            assert_eq!(e.field, "run.for", "{bad}");
        }
        assert!(parse_duration("f", "3 parsecs")
            .unwrap_err()
            .rule
            .contains("unknown unit"));
        assert_eq!(
            parse_duration("f", "-3s").unwrap_err().rule,
            "must not be negative, got `-3s`"
        );
        assert_eq!(
            parse_duration("f", "1e-9s").unwrap_err().rule,
            "must be a duration like 150ms or 1.5s, got `1e-9s`"
        );
    }

    #[test]
    fn formats_round_trip() {
        for us in [1, 1_500, 150_000, 25_000_000, 86_400_000_000, 123_456] {
            assert_eq!(parse_duration("f", &format_duration(us)).unwrap(), us);
        }
    }

    #[test]
    fn ms_from_js_is_checked() {
        assert_eq!(ms_to_micros("dtMs", 16.7).unwrap(), 16_700);
        assert!(ms_to_micros("dtMs", f64::NAN)
            .unwrap_err()
            .rule
            .contains("finite"));
        assert!(ms_to_micros("dtMs", f64::INFINITY).is_err());
        assert!(ms_to_micros("dtMs", -1.0)
            .unwrap_err()
            .rule
            .contains("negative"));
    }

    #[test]
    fn fmt_ms_groups_thousands_and_keeps_fractions() {
        assert_eq!(fmt_ms(17_250_000), "17 250 ms");
        assert_eq!(fmt_ms(500_000), "500 ms");
        assert_eq!(fmt_ms(1_234_567_890), "1 234 567.89 ms");
        assert_eq!(fmt_ms(-5_000_000), "-5 000 ms");
        assert_eq!(fmt_ms(1_500), "1.5 ms");
    }

    #[test]
    fn fixed_times_align() {
        assert_eq!(fmt_ms_fixed(1_153_480), "1 153.480 ms");
        assert_eq!(fmt_ms_fixed(5_000), "5.000 ms");
    }

    #[test]
    fn ms_json_is_exact() {
        assert_eq!(MsJson(12_345_678).to_string(), "12345.678");
        assert_eq!(MsJson(1_500).to_string(), "1.5");
        assert_eq!(MsJson(7_000).to_string(), "7");
        assert_eq!(MsJson(-250).to_string(), "-0.25");
        assert_eq!(MsJson(1).to_string(), "0.001");
    }
}
