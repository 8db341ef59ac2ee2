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
    if !x.is_finite() {
        return fmt_f64(x);
    }
    let (mut digits, exp) = split_exponential(&shortest_exponential(x.abs()));
    break_tie_upward(x.abs(), &mut digits, exp);
    render_exact(x.is_sign_negative(), &digits, exp)
}

/// The shortest round-trip digits of `a` (finite, >= 0) in exponential form,
/// "d.ddde<exp>". Natively from Rust's formatter; in wasm from JavaScript,
/// whose `toExponential()` gives the same digits, so that the page's wasm
/// carries no float formatter of its own (core's is some 30 KB).
#[cfg(not(target_arch = "wasm32"))]
fn shortest_exponential(a: f64) -> String {
    format!("{a:e}")
}

#[cfg(target_arch = "wasm32")]
fn shortest_exponential(a: f64) -> String {
    use wasm_bindgen::JsCast;
    js::Number::unchecked_from_js(a.into()).to_exponential()
}

#[cfg(target_arch = "wasm32")]
mod js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// A JavaScript number, for its methods.
        pub type Number;

        /// `Number.prototype.toExponential()` without an argument: as many
        /// digits as the value needs to read back exactly, and no more.
        #[wasm_bindgen(method, js_name = toExponential)]
        pub fn to_exponential(this: &Number) -> String;
    }
}

/// "1.5e20", "1e-9", "1.5e+20" (JavaScript's sign), "0e0" -> the significant
/// digits without the point ("15", "1", "0") and the power of ten of the first.
fn split_exponential(text: &str) -> (String, i32) {
    let (mantissa, exp) = text.split_once(['e', 'E']).unwrap_or((text, "0"));
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    (mantissa.replace('.', ""), exp.parse().unwrap_or(0))
}

/// When `a` lies exactly halfway between two shortest digit strings (as
/// 1149636667324797.25 between ...797.2 and ...797.3), Rust takes the upper
/// one and JavaScript the one with the even last digit: moves `digits` (of
/// `a`, first digit at 10^`exp`) up in that case, so both print Rust's text.
/// Exact integer arithmetic: a tie needs `a` = digits·10 + 5, times a power
/// of ten, which only small powers allow.
fn break_tie_upward(a: f64, digits: &mut String, exp: i32) {
    let last = digits.as_bytes()[digits.len() - 1];
    let Ok(lower) = digits.parse::<u64>() else {
        return;
    };
    if lower == 0 || (last - b'0') % 2 != 0 || digits.len() > 17 {
        return;
    }
    // a = m·2^q exactly, m odd.
    let bits = a.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (m, q) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | 1 << 52, biased - 1075)
    };
    let (m, q) = (
        u128::from(m >> m.trailing_zeros()),
        q + m.trailing_zeros() as i32,
    );
    // The midpoint, mid·10^k (mid odd: it ends in 5).
    let mid = u128::from(lower) * 10 + 5;
    let k = exp - digits.len() as i32;
    let tie = if k >= 0 {
        // m·2^q = mid·5^k·2^k: odd parts and powers of two agree.
        k <= 27 && q == k && m == mid * 5u128.pow(k as u32)
    } else {
        // m·5^j·2^(q+j) = mid, with j = -k (m·5^j <= mid < 2^64: no overflow).
        let j = -k;
        let shift = q + j;
        j <= 27 && (0..64).contains(&shift) && {
            let odd = m * 5u128.pow(j as u32);
            odd <= mid && odd << shift == mid
        }
    };
    if tie {
        digits.pop();
        digits.push(char::from(last + 1));
    }
}

/// The text of `[-]d.ddd × 10^exp` as Rust prints an f64 when asked for
/// round-trip text: `{}` (plain decimal, no exponent) for 1e-5 <= |x| < 1e16
/// and zero, `{:e}` ("1.5e20", "-2.5e-7") otherwise. `digits` are the
/// shortest round-trip digits, "0" for zero.
pub(crate) fn render_exact(negative: bool, digits: &str, exp: i32) -> String {
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    if digits == "0" || (-5..=15).contains(&exp) {
        // Digits before the point: 0 or fewer means "0." and leading zeros.
        let before = exp + 1;
        if before <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', before.unsigned_abs() as usize));
            out.push_str(digits);
        } else if (before as usize) < digits.len() {
            let (whole, frac) = digits.split_at(before as usize);
            out.push_str(whole);
            out.push('.');
            out.push_str(frac);
        } else {
            out.push_str(digits);
            out.extend(std::iter::repeat_n('0', before as usize - digits.len()));
        }
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push_str(&exp.to_string());
    }
    out
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
    Some(parse_decimal(t))
}

/// `text`, already checked to be a decimal, to the nearest f64. In wasm
/// through JavaScript's `parseFloat` (correctly rounded like Rust's parser,
/// which the page's wasm then need not carry).
#[cfg(not(target_arch = "wasm32"))]
fn parse_decimal(text: &str) -> f64 {
    text.parse().unwrap_or(f64::NAN)
}

#[cfg(target_arch = "wasm32")]
fn parse_decimal(text: &str) -> f64 {
    js_sys::parse_float(text)
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

    /// What `fmt_f64_exact` printed before it rendered digits itself: Rust's
    /// own `{}` and `{:e}`, the text scripts and share links already hold.
    fn rust_text(x: f64) -> String {
        let a = x.abs();
        if a != 0.0 && !(1e-5..1e16).contains(&a) {
            format!("{x:e}")
        } else {
            format!("{x}")
        }
    }

    /// A fixed-seed xorshift64: the same values on every run.
    fn random_bits(n: usize) -> impl Iterator<Item = u64> {
        let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
        std::iter::repeat_with(move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        })
        .take(n)
    }

    /// Random values in and around the plain-decimal range (1e-7 to 1e17),
    /// where random bit patterns rarely land; both signs.
    fn random_plain(n: usize) -> impl Iterator<Item = f64> {
        random_bits(n).map(|b| {
            let biased_exp = 1000 + (b >> 52) % 80;
            f64::from_bits((b & ((1 << 52) - 1)) | biased_exp << 52 | (b >> 63) << 63)
        })
    }

    #[test]
    fn renders_digits_as_rust_prints_them() {
        for (neg, digits, exp, text) in [
            (false, "0", 0, "0"),
            (true, "0", 0, "-0"),
            (false, "1", -5, "0.00001"),
            (false, "9999999999999999", -6, "9.999999999999999e-6"),
            (false, "1234567", -1, "0.1234567"),
            (false, "15", 0, "1.5"),
            (false, "5", 3, "5000"),
            (true, "25", -7, "-2.5e-7"),
            (false, "9999999999999998", 15, "9999999999999998"),
            (false, "1", 16, "1e16"),
            (false, "15", 20, "1.5e20"),
            (false, "5", -324, "5e-324"),
        ] {
            assert_eq!(render_exact(neg, digits, exp), text, "{digits}e{exp}");
        }
        // A tie, digits as JavaScript gives them, and as Rust does.
        let x = -4_598_546_669_299_189.0_f64 / 4.0; // -1149636667324797.25 exactly
        for given in ["11496366673247972", "11496366673247973"] {
            let mut digits = given.to_string();
            break_tie_upward(x.abs(), &mut digits, 15);
            assert_eq!(digits, "11496366673247973");
        }
        let mut digits = "5".to_string();
        break_tie_upward(0.5, &mut digits, -1);
        assert_eq!(digits, "5");
        assert_eq!(fmt_f64_exact(x), "-1149636667324797.3");
        assert_eq!(split_exponential("1.5e+20"), ("15".to_string(), 20));
        assert_eq!(split_exponential("2.5e-7"), ("25".to_string(), -7));
        assert_eq!(split_exponential("0e0"), ("0".to_string(), 0));
    }

    #[test]
    fn exact_text_is_rusts_text_for_edge_and_random_values() {
        let edges = [
            0.0,
            -0.0,
            5e-324,
            f64::MIN_POSITIVE,
            1e-5,
            f64::from_bits(1e-5_f64.to_bits() - 1),
            1e16,
            f64::from_bits(1e16_f64.to_bits() - 1),
            f64::MAX,
            -f64::MAX,
            0.1234567,
            1e-9,
            9_007_199_254_740_992.0,
            9_007_199_254_740_991.0,
        ];
        let random = random_bits(20_000)
            .map(f64::from_bits)
            .filter(|x| x.is_finite());
        for x in edges.into_iter().chain(random).chain(random_plain(20_000)) {
            let text = fmt_f64_exact(x);
            assert_eq!(text, rust_text(x), "{:#x}", x.to_bits());
            assert_eq!(
                parse_f64(&text).map(f64::to_bits),
                Some(x.to_bits()),
                "{text}"
            );
        }
        for n in (0..53)
            .map(|p| (1u64 << p) as f64)
            .chain([12345.0, 1e15 + 1.0])
        {
            assert_eq!(fmt_f64_exact(n), rust_text(n));
        }
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
