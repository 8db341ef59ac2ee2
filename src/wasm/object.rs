//! Plain JS objects as (key, value) pairs, both ways: the one reader behind
//! the config object (`config.rs`) and the action object (`act`), and the
//! writer of the action objects `actions()` hands back.
//!
//! Read with `Object.entries`, not serde-wasm-bindgen's Deserializer: its
//! type errors format floats with core's float formatting, and its visitor
//! machinery is code the lab's wasm does not need (see docs/embedding.md,
//! "What crosses the boundary").

use crate::script::fields::{Field, Fields};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// The own enumerable (key, value) pairs of an object, in JS order.
pub fn entries(o: &JsValue) -> impl Iterator<Item = (String, JsValue)> {
    Object::entries(o.unchecked_ref::<Object>())
        .into_iter()
        .map(|entry| {
            let entry: Array = entry.unchecked_into();
            (entry.get(0).as_string().unwrap_or_default(), entry.get(1))
        })
}

/// One JS value as an action field: the field's rule judges its type.
fn field(v: &JsValue) -> Field {
    if let Some(s) = v.as_string() {
        Field::Text(s)
    } else if let Some(n) = v.as_f64() {
        Field::Number(n)
    } else if let Some(b) = v.as_bool() {
        Field::Bool(b)
    } else if v.is_undefined() || v.is_null() {
        Field::Null
    } else if v.is_bigint() {
        // As the number it holds (a message id, a count); no float parsing.
        let text: String = js_sys::BigInt::from(v.clone())
            .to_string(10)
            .map(String::from)
            .unwrap_or_default();
        match text.parse::<i64>() {
            Ok(n) => Field::Number(n as f64),
            Err(_) => Field::Text(text),
        }
    } else if Array::is_array(v) {
        Field::List(Array::from(v).iter().map(|x| field(&x)).collect())
    } else {
        Field::Object
    }
}

/// The fields of an action object (the caller has checked it is one).
pub fn action_fields(o: &JsValue) -> Fields {
    entries(o).map(|(k, v)| (k, field(&v))).collect()
}

fn value(f: &Field) -> JsValue {
    match f {
        Field::Null | Field::Object => JsValue::NULL,
        Field::Bool(b) => JsValue::from_bool(*b),
        Field::Number(n) => JsValue::from_f64(*n),
        Field::Text(t) => JsValue::from_str(t),
        Field::List(items) => items.iter().map(value).collect::<Array>().into(),
    }
}

/// A plain object with these fields, in their order.
pub fn object(fields: &Fields) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&o, &JsValue::from_str(k), &value(v));
    }
    o.into()
}
