//! casebook's own Tera filters, registered for every theme beside Tera's built-in ones.
//!
//! - `number`: a count with its digits grouped, `12,500` (or `12 500` with
//!   `separator=" "`): incident pages print records leaked and people affected, and list
//!   pages their counts, which in a large site run to five digits and more.

use tera::{Kwargs, State, Tera, TeraResult, Value};

use crate::base::number::{group, group_digits};

/// Adds the filters to a Tera instance, before its templates (Tera 2 checks a template's
/// filters when it is added). `separator` and `decimal` are the language's: what groups
/// digits (`,` in English) and what starts a fraction (`.`).
pub fn register(tera: &mut Tera, separator: &str, decimal: &str) {
    let (separator, decimal) = (separator.to_string(), decimal.to_string());
    tera.register_filter("number", move |value: Value, kwargs: Kwargs, state: &State| {
        number(value, kwargs, state, &separator, &decimal)
    });
}

fn number(value: Value, kwargs: Kwargs, _: &State, separator: &str, decimal: &str) -> TeraResult<Value> {
    let separator = kwargs.get::<&str>("separator")?.unwrap_or(separator);
    if let Some(n) = value.as_i128() {
        return Ok(Value::from(group_digits(n, separator)));
    }
    match value.as_f64() {
        Some(f) if f.is_finite() => {
            // The integer part grouped, the fraction as Rust writes it: `1,234.5`.
            let text = format!("{}", f.abs());
            let (whole, fraction) = text.split_once('.').map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
            let mut out = String::new();
            if f.is_sign_negative() && f != 0.0 {
                out.push('-');
            }
            out.push_str(&group(whole, separator));
            if let Some(fraction) = fraction {
                out.push_str(decimal);
                out.push_str(fraction);
            }
            Ok(Value::from(out))
        }
        _ => Err(tera::Error::message(format!(
            "the `number` filter expects a number, got {}",
            if value.is_none() { "none".to_string() } else { format!("`{value}`") }
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str, value: Value) -> Result<String, tera::Error> {
        let mut tera = Tera::new();
        register(&mut tera, ",", ".");
        tera.add_raw_template("t", template)?;
        let mut context = tera::Context::new();
        context.insert_value("n", value);
        tera.render("t", &context)
    }

    #[test]
    fn the_filter_groups_integers_and_floats_and_takes_a_separator() {
        assert_eq!(render("{{ n | number }}", Value::from(4_800_000u64)).expect("renders"), "4,800,000");
        assert_eq!(
            render("{{ n | number(separator=\" \") }}", Value::from(12_500)).expect("renders"),
            "12 500"
        );
        assert_eq!(render("{{ n | number }}", Value::from(-1234.5)).expect("renders"), "-1,234.5");
        assert_eq!(render("{{ n | number }}", Value::from(0.25)).expect("renders"), "0.25");
    }

    #[test]
    fn anything_but_a_number_is_a_template_error() {
        for value in [Value::from("12"), Value::none()] {
            let err = render("{{ n | number }}", value).expect_err("not a number");
            let chain = format!("{err} {:?}", std::error::Error::source(&err));
            assert!(chain.contains("expects a number"), "{chain}");
        }
    }
}
