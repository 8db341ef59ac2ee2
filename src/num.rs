//! Decimal text for the few floats raftbeat reads and prints (probabilities,
//! milliseconds from JavaScript). core's float formatting and parsing
//! (Grisu, Dragon4, dec2flt) would add about 25 KB to the wasm module, a
//! sixth of its budget; these cover what the simulator needs, exactly
//! enough for messages and round trips of short decimals.

/// Up to six decimals, trailing zeros trimmed: 0.1 -> "0.1", 5.0 -> "5";
/// from 1e15 up, one digit and an exponent ("1e300"); NaN and infinities by name.
pub fn fmt_f64(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity".to_string() } else { "-Infinity".to_string() };
    }
    let neg = x < 0.0;
    let a = x.abs();
    if a >= 1e15 {
        let (mantissa, e) = exponent10(a);
        return format!("{}{}e{}", if neg { "-" } else { "" }, mantissa.round() as u64, e);
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

/// Parses a plain decimal: optional sign, digits, optional fraction
/// ("0.25", "-3", ".5", "1."). No exponents, no "inf"/"nan".
pub fn parse_f64(s: &str) -> Option<f64> {
    let t = s.trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut value = 0f64;
    for b in int.bytes() {
        value = value * 10.0 + f64::from(b - b'0');
    }
    let mut scale = 1f64;
    let mut fraction = 0f64;
    for b in frac.bytes().take(18) {
        fraction = fraction * 10.0 + f64::from(b - b'0');
        scale *= 10.0;
    }
    let v = value + fraction / scale;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_what_people_type() {
        for (x, s) in [(0.1, "0.1"), (5.0, "5"), (0.25, "0.25"), (16.7, "16.7"), (-48.8, "-48.8"), (0.0, "0"), (1e-9, "0"), (123456.5, "123456.5")] {
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
        for bad in ["", ".", "1e3", "NaN", "inf", "1.2.3", "0x10", "- 1", "1,5"] {
            assert_eq!(parse_f64(bad), None, "{bad}");
        }
        assert_eq!(parse_f64("0.1").unwrap(), 0.1);
    }
}
