//! Decimal text for the floats raftbeat reads and prints (probabilities,
//! milliseconds from JavaScript). Two kinds of text: [`fmt_f64`] rounds to six
//! decimals, for messages and the trace; [`fmt_f64_exact`] and [`parse_f64`]
//! round-trip every value bit for bit, for what is replayed (scripts, share
//! links, `toScript()`): a loss of 0.1234567 set from JavaScript must replay
//! as 0.1234567, not 0.123457.

/// Up to six decimals, trailing zeros trimmed: 0.1 -> "0.1", 5.0 -> "5";
/// from 1e15 up, one digit and an exponent ("1e300"); NaN and infinities by name.
pub fn fmt_f64(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "Infinity".to_string()
        } else {
            "-Infinity".to_string()
        };
    }
    let neg = x < 0.0;
    let a = x.abs();
    if a >= 1e15 {
        let (mantissa, e) = exponent10(a);
        return format!(
            "{}{}e{}",
            if neg { "-" } else { "" },
            mantissa.round() as u64,
            e
        );
    }
    let scaled = (a * 1e6).round() as u64;
    let (whole, frac) = (scaled / 1_000_000, scaled % 1_000_000);
    let sign = if neg && scaled != 0 { "-" } else { "" };
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        let digits = format!("{frac:06}");
        format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// `a` as mantissa in [1, 10) and a power of ten.
fn exponent10(a: f64) -> (f64, i32) {
    let mut e = 0;
    let mut v = a;
    while v >= 10.0 {
        v /= 10.0;
        e += 1;
    }
    (v, e)
}

/// The shortest text that reads back as exactly `x` (Rust's round-trip
/// formatting): 0.1234567 -> "0.1234567", 5.0 -> "5", 1e-9 -> "1e-9" (an
/// exponent only for very small or very large values). NaN and infinities by
/// name, like [`fmt_f64`]; [`parse_f64`] refuses those.
pub fn fmt_f64_exact(x: f64) -> String {
    let a = x.abs();
    if !x.is_finite() {
        fmt_f64(x)
    } else if a != 0.0 && !(1e-5..1e16).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Parses a decimal, correctly rounded: optional sign, digits, optional
/// fraction, optional exponent ("0.25", "-3", ".5", "1.", "1e-9"). No
/// "inf"/"nan", no hex.
pub fn parse_f64(s: &str) -> Option<f64> {
    let t = s.trim();
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (mantissa, exp) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return None;
    }
    if let Some(e) = exp {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        if e.is_empty() || !digits(e) {
            return None;
        }
    }
    t.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_what_people_type() {
        for (x, s) in [
            (0.1, "0.1"),
            (5.0, "5"),
            (0.25, "0.25"),
            (16.7, "16.7"),
            (-48.8, "-48.8"),
            (0.0, "0"),
            (1e-9, "0"),
            (123456.5, "123456.5"),
        ] {
            assert_eq!(fmt_f64(x), s);
        }
        assert_eq!(fmt_f64(f64::NAN), "NaN");
        assert_eq!(fmt_f64(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(fmt_f64(1e300), "1e300");
    }

    #[test]
    fn parses_plain_decimals_and_round_trips() {
        for s in ["0.1", "0.25", "1", "0", "0.333333", "0.05", "1."] {
            assert_eq!(fmt_f64(parse_f64(s).unwrap()), s.trim_end_matches('.'));
        }
        assert_eq!(parse_f64(".5"), Some(0.5));
        assert_eq!(parse_f64("-2.5"), Some(-2.5));
        for bad in [
            "", ".", "1e", "e3", "NaN", "inf", "1.2.3", "0x10", "- 1", "1,5", "1e+-3",
        ] {
            assert_eq!(parse_f64(bad), None, "{bad}");
        }
        assert_eq!(parse_f64("0.1").unwrap(), 0.1);
        assert_eq!(parse_f64("1e3"), Some(1000.0));
    }

    #[test]
    fn exact_text_reads_back_bit_for_bit() {
        for (x, s) in [
            (0.1234567, "0.1234567"),
            (0.1, "0.1"),
            (5.0, "5"),
            (1e-9, "1e-9"),
            (0.0, "0"),
            (1e300, "1e300"),
            (0.30000000000000004, "0.30000000000000004"),
        ] {
            assert_eq!(fmt_f64_exact(x), s);
            assert_eq!(parse_f64(s).map(f64::to_bits), Some(x.to_bits()), "{s}");
        }
        for x in [
            f64::MIN_POSITIVE,
            5e-324,
            0.1 + 0.2,
            1.0 / 3.0,
            -0.0,
            f64::MAX,
            123456789.123,
        ] {
            assert_eq!(
                parse_f64(&fmt_f64_exact(x)).map(f64::to_bits),
                Some(x.to_bits()),
                "{x}"
            );
        }
    }
}
