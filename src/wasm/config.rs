//! The config object from JavaScript (`new Simulation({...})`, `network({...})`),
//! read by serde-wasm-bindgen into the core's key/value pairs. The core's
//! `ClusterConfig::from_pairs` then checks every value against its rule, so
//! the script, URL and JS forms share one reading and one set of messages.

use crate::cluster::Value;
use crate::error::Error;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use wasm_bindgen::JsValue;

/// Integers up to 2^53 are exact as JS numbers; a larger one can only have
/// come from a BigInt, and is kept as its decimal text (a 64-bit seed).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// One value of a config object, as JS gave it.
enum Entry {
    Scalar(Value),
    /// A nested object: only `timings` and `network` may be one.
    Group(Vec<(String, Entry)>),
    /// `undefined` or `null`: not given (serde-wasm-bindgen reads both alike).
    Unset,
    /// Anything else, described for the error that names its field.
    Other(&'static str),
}

struct EntryVisitor;

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = Entry;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number, a string or a boolean")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Entry, E> {
        Ok(Entry::Scalar(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Entry, E> {
        Ok(Entry::Scalar(if v.unsigned_abs() <= MAX_SAFE_INTEGER { Value::Number(v as f64) } else { Value::Text(v.to_string()) }))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Entry, E> {
        Ok(Entry::Scalar(if v <= MAX_SAFE_INTEGER { Value::Number(v as f64) } else { Value::Text(v.to_string()) }))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Entry, E> {
        Ok(Entry::Scalar(Value::Number(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Entry, E> {
        Ok(Entry::Scalar(Value::Text(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Entry, E> {
        Ok(Entry::Scalar(Value::Text(v)))
    }
    fn visit_unit<E>(self) -> Result<Entry, E> {
        Ok(Entry::Unset)
    }
    fn visit_none<E>(self) -> Result<Entry, E> {
        Ok(Entry::Unset)
    }
    fn visit_bytes<E>(self, _: &[u8]) -> Result<Entry, E> {
        Ok(Entry::Other("a typed array"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Entry, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Entry::Other("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Entry, A::Error> {
        entries(map).map(Entry::Group)
    }
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Entry, D::Error> {
        d.deserialize_any(EntryVisitor)
    }
}

/// The entries of an object in their order. A value serde-wasm-bindgen
/// cannot read at all (a function, a symbol, a BigInt past 64 bits) fails
/// with its key in front: `key: rule`.
fn entries<'de, A: MapAccess<'de>>(mut map: A) -> Result<Vec<(String, Entry)>, A::Error> {
    let mut out = Vec::new();
    while let Some(key) = map.next_key::<String>()? {
        let value = map.next_value::<Entry>().map_err(|e| de::Error::custom(format_args!("{key}: must be a number, a string or a boolean ({e})")))?;
        out.push((key, value));
    }
    Ok(out)
}

/// The top level: an object's entries.
struct Entries(Vec<(String, Entry)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Entries, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Entries, A::Error> {
                entries(map).map(Entries)
            }
        }
        d.deserialize_map(ObjectVisitor)
    }
}

fn scalar(key: &str, entry: Entry) -> Result<Option<Value>, Error> {
    match entry {
        Entry::Scalar(v) => Ok(Some(v)),
        Entry::Unset => Ok(None),
        Entry::Group(_) => Err(Error::new(key, "must be a number, a string or a boolean, got an object")),
        Entry::Other(what) => Err(Error::new(key, format!("must be a number, a string or a boolean, got {what}"))),
    }
}

/// Flattens `{model, nodes, seed, timings: {...}, network: {...}}` (or the
/// flat short keys) into key/value pairs: `timings.heartbeat`, `nodes`, ...
/// `undefined` and `null` values count as not given. `field` and `like` name
/// the argument in an error: `new Simulation`'s config and `network`'s
/// settings share this reading.
pub fn config_pairs(config: &JsValue, field: &str, like: &str) -> Result<Vec<(String, Value)>, Error> {
    if config.is_undefined() || config.is_null() {
        return Ok(Vec::new());
    }
    if !config.is_object() || js_sys::Array::is_array(config) {
        return Err(Error::new(field, format!("must be an object like {like}, got {}", super::describe(config))));
    }
    let Entries(entries) = serde_wasm_bindgen::from_value(config.clone()).map_err(|e| {
        // `entries` put the key in front; anything else is about the whole object.
        // Its text is `String(error)`: "Error: message".
        let text = e.to_string();
        let text = text.strip_prefix("Error: ").unwrap_or(&text);
        match text.split_once(": ") {
            Some((key, rule)) if !key.contains(' ') => Error::new(key, rule),
            _ => Error::new(field, format!("must be an object like {like} ({text})")),
        }
    })?;
    let mut pairs = Vec::new();
    for (key, entry) in entries {
        match entry {
            Entry::Group(inner) if key == "timings" || key == "network" => {
                for (k, v) in inner {
                    let k = format!("{key}.{k}");
                    if let Some(v) = scalar(&k, v)? {
                        pairs.push((k, v));
                    }
                }
            }
            other => {
                if let Some(v) = scalar(&key, other)? {
                    pairs.push((key, v));
                }
            }
        }
    }
    Ok(pairs)
}
