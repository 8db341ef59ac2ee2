//! Reading results back from the flat `f64` form the Experiments page's
//! workers hand over: the checks every reader shares.

use crate::error::Error;

/// `data` cut into rows of `stride` numbers; `what` names a row in the error.
pub fn rows<'a>(
    data: &'a [f64],
    stride: usize,
    what: &str,
) -> Result<std::slice::Chunks<'a, f64>, Error> {
    if data.len() % stride != 0 {
        return Err(Error::new(
            "data",
            format!("must hold {stride} numbers per {what}, got {}", data.len()),
        ));
    }
    Ok(data.chunks(stride))
}

/// A whole, non-negative number that a u64 holds exactly.
pub fn whole(v: f64) -> Result<u64, Error> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= 9.0e15 {
        Ok(v as u64)
    } else {
        Err(Error::new(
            "data",
            format!("must hold whole numbers, got {v}"),
        ))
    }
}

/// A flag written as 0 or 1.
pub fn flag(v: f64) -> Result<bool, Error> {
    match v {
        0.0 => Ok(false),
        1.0 => Ok(true),
        _ => Err(Error::new("data", format!("must be 0 or 1, got {v}"))),
    }
}
