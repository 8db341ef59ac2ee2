//! The config object from JavaScript (`new Simulation({...})`, `network({...})`),
//! read into the core's key/value pairs. The core's `ClusterConfig::from_pairs`
//! then checks every value against its rule, so the script, URL and JS forms
//! share one reading and one set of messages.
//!
//! Read with `Object.entries` through `object.rs`, not serde-wasm-bindgen's
//! Deserializer: its type errors format floats with core's float
//! formatting, which costs the lab's wasm 14 KB gzipped (see
//! docs/embedding.md, "What crosses the boundary").

use super::object::entries;
use crate::cluster::Value;
use crate::error::Error;
use js_sys::Array;
use wasm_bindgen::JsValue;

/// A scalar from JS: a BigInt (a 64-bit seed) as its decimal text.
pub(super) fn scalar(field: &str, v: &JsValue) -> Result<Value, Error> {
    if let Some(s) = v.as_string() {
        Ok(Value::Text(s))
    } else if let Some(n) = v.as_f64() {
        Ok(Value::Number(n))
    } else if let Some(b) = v.as_bool() {
        Ok(Value::Bool(b))
    } else if v.is_bigint() {
        let s: String = js_sys::BigInt::from(v.clone())
            .to_string(10)
            .map(String::from)
            .unwrap_or_default();
        Ok(Value::Text(s))
    } else {
        Err(Error::new(
            field,
            format!(
                "must be a number, a string or a boolean, got {}",
                super::describe(v)
            ),
        ))
    }
}

/// Flattens `{model, nodes, seed, timings: {...}, network: {...}}` (or the
/// flat short keys) into key/value pairs: `timings.heartbeat`, `nodes`, ...
/// `undefined` values count as not given. `field` and `like` name
/// the argument in an error: `new Simulation`'s config and `network`'s
/// settings share this reading.
pub fn config_pairs(
    config: &JsValue,
    field: &str,
    like: &str,
) -> Result<Vec<(String, Value)>, Error> {
    if config.is_undefined() || config.is_null() {
        return Ok(Vec::new());
    }
    if !config.is_object() || Array::is_array(config) {
        return Err(Error::new(
            field,
            format!(
                "must be an object like {like}, got {}",
                super::describe(config)
            ),
        ));
    }
    let mut pairs = Vec::new();
    for (key, val) in entries(config) {
        if val.is_undefined() {
            continue;
        }
        if (key == "timings" || key == "network") && val.is_object() && !Array::is_array(&val) {
            for (k, v) in entries(&val) {
                let k = format!("{key}.{k}");
                if !v.is_undefined() {
                    pairs.push((k.clone(), scalar(&k, &v)?));
                }
            }
        } else {
            pairs.push((key.clone(), scalar(&key, &val)?));
        }
    }
    Ok(pairs)
}
