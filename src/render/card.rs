//! `card()`: the theme's `incident_card` component, rendered once per incident and build.
//!
//! A list page shows each of its incidents as a card, and one incident is listed on many pages:
//! the index, its archive month and the page of every term it carries (about eighteen on the
//! standard benchmark corpus). Tera renders a component afresh at every call, so the cards of
//! the list pages cost more than all incident pages together. `card(incident=…, level=…)`
//! renders the component the first time it is asked for an incident and level, and hands out
//! the same HTML on every later page.
//!
//! Reusing the HTML is exact because a Tera 2 component sees only its arguments and the global
//! variables. `card()` always passes the incident as list pages show it, never a richer value a
//! page may hold (the incident page's own `incident` has its body), so the HTML cannot depend
//! on which page asked first.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tera::{Context, Kwargs, State, Tera, Value};

/// The function templates call.
pub const FUNCTION: &str = "card";
/// The component it renders.
pub const COMPONENT: &str = "incident_card";
/// Internal templates calling the component, without and with `level`.
const WRAPPER: &str = "__casebook_card";
const WRAPPER_LEVEL: &str = "__casebook_card_level";

/// Registers a stand-in `card()`: Tera 2 checks the functions a template calls when it is
/// added, before any renderer exists. The stand-in only answers when the theme has no
/// `incident_card` component; otherwise each renderer replaces it ([`register`]).
pub fn declare(tera: &mut Tera) {
    tera.register_function(FUNCTION, |_: Kwargs, _: &State| -> tera::TeraResult<Value> {
        Err(tera::Error::message(format!(
            "{FUNCTION}() renders the `{COMPONENT}` component, and this theme has none: define it in \
             templates/components/{COMPONENT}.html, or call your own component"
        )))
    });
}

/// Adds the templates through which [`register`]'s function calls the component, when the
/// theme has one; after the theme's own templates.
pub fn add_wrappers(tera: &mut Tera) -> Result<(), tera::Error> {
    if !tera.contains_component(COMPONENT) {
        return Ok(());
    }
    tera.add_raw_templates([
        (WRAPPER, format!("{{{{ <{COMPONENT} incident={{incident}} /> }}}}")),
        (WRAPPER_LEVEL, format!("{{{{ <{COMPONENT} incident={{incident}} level={{level}} /> }}}}")),
    ])
}

/// Registers the real `card()` for one build: `incidents` are the list values of the site's
/// incidents, which the cards are made of and remembered by.
pub fn register(tera: &mut Tera, incidents: Arc<Vec<Value>>) {
    if !tera.contains_template(WRAPPER) {
        return;
    }
    // The component renders through a copy: the function cannot hold the Tera it is part of.
    let inner = tera.clone();
    let cards = Cards { incidents, by_url: OnceLock::new(), made: Mutex::new(HashMap::new()) };
    tera.register_function(FUNCTION, move |kwargs: Kwargs, _: &State| cards.get(&inner, &kwargs));
}

/// The cards made so far in one build.
struct Cards {
    incidents: Arc<Vec<Value>>,
    /// Which incident each URL is: made on the first call, since a preview rebuild that only
    /// renders an incident page may never need it.
    by_url: OnceLock<HashMap<String, usize>>,
    made: Mutex<HashMap<(usize, Option<i64>), Value>>,
}

impl Cards {
    fn get(&self, tera: &Tera, kwargs: &Kwargs) -> tera::TeraResult<Value> {
        let incident: Value = kwargs.must_get("incident")?;
        let level: Option<i64> = kwargs.get("level")?;
        let by_url = self.by_url.get_or_init(|| {
            self.incidents
                .iter()
                .enumerate()
                .filter_map(|(i, v)| Some((v.get_from_path("url")?.as_str()?.to_string(), i)))
                .collect()
        });
        let known = incident.get_from_path("url").and_then(Value::as_str).and_then(|u| by_url.get(u));
        let Some(&i) = known else {
            // Not one of the site's incidents (a template made the value up): nothing to share.
            return render(tera, incident, level);
        };
        if let Some(card) = self.lock().get(&(i, level)) {
            return Ok(card.clone());
        }
        // Rendered without the lock held; two threads racing for one card make the same HTML.
        let card = render(tera, self.incidents[i].clone(), level)?;
        self.lock().insert((i, level), card.clone());
        Ok(card)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(usize, Option<i64>), Value>> {
        self.made.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn render(tera: &Tera, incident: Value, level: Option<i64>) -> tera::TeraResult<Value> {
    let mut context = Context::new();
    context.insert_value("incident", incident);
    let wrapper = match level {
        Some(level) => {
            context.insert("level", &level);
            WRAPPER_LEVEL
        }
        None => WRAPPER,
    };
    let html = tera.render(wrapper, &context).map_err(|e| {
        let mut message = format!("{FUNCTION}(): the `{COMPONENT}` component failed: {e}");
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            message.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        tera::Error::message(message)
    })?;
    Ok(Value::safe_string(&html))
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMPONENT_TEXT: &str = "{% component incident_card(incident, level: integer = 2) %}\
        <h{{ level }}>{{ incident.title }}</h{{ level }}>{% endcomponent incident_card %}";

    fn tera_with(templates: &[(&str, &str)], incidents: Vec<Value>) -> Tera {
        let mut tera = Tera::new();
        tera.autoescape_on([""]);
        declare(&mut tera);
        tera.add_raw_templates(templates.iter().copied()).expect("templates compile");
        add_wrappers(&mut tera).expect("wrappers compile");
        register(&mut tera, Arc::new(incidents));
        tera
    }

    fn incident(title: &str, url: &str) -> Value {
        let mut map = tera::Map::new();
        map.insert("title".into(), Value::from(title));
        map.insert("url".into(), Value::from(url));
        Value::from(map)
    }

    #[test]
    fn card_is_the_component_output_escaped_once() {
        let page = "{% for i in list %}{{ card(incident=i) }}{{ card(incident=i, level=3) }}|\
                    {{ <incident_card incident={i} /> }}{% endfor %}";
        let incidents = vec![incident("A & B", "/a/"), incident("<C>", "/c/")];
        let tera = tera_with(&[("c.html", COMPONENT_TEXT), ("page.html", page)], incidents.clone());
        let mut context = Context::new();
        context.insert("list", &incidents);
        let out = tera.render("page.html", &context).expect("renders");
        assert_eq!(
            out,
            "<h2>A &amp; B</h2><h3>A &amp; B</h3>|<h2>A &amp; B</h2>\
             <h2>&lt;C&gt;</h2><h3>&lt;C&gt;</h3>|<h2>&lt;C&gt;</h2>"
        );
    }

    #[test]
    fn a_known_incident_is_shown_as_lists_show_it_whatever_value_the_page_passes() {
        // The incident page's value has more fields; the card must not depend on them, or its
        // HTML would depend on which page rendered it first.
        let component = "{% component incident_card(incident, level: integer = 2) %}\
            {{ incident.title }}{% if incident.content %} with body{% endif %}{% endcomponent incident_card %}";
        let page = "{{ card(incident=rich) }} {{ card(incident=made_up) }}";
        let tera = tera_with(&[("c.html", component), ("page.html", page)], vec![incident("A", "/a/")]);
        let mut rich = incident("A", "/a/").into_map().expect("a map");
        rich.insert("content".into(), Value::from("<p>body</p>"));
        let mut made_up = incident("Z", "/z/").into_map().expect("a map");
        made_up.insert("content".into(), Value::from("x"));
        let mut context = Context::new();
        context.insert_value("rich", Value::from(rich));
        context.insert_value("made_up", Value::from(made_up));
        assert_eq!(tera.render("page.html", &context).expect("renders"), "A Z with body");
    }

    #[test]
    fn without_the_component_card_says_what_is_missing() {
        let tera = tera_with(&[("page.html", "{{ card(incident=i) }}")], Vec::new());
        let mut context = Context::new();
        context.insert_value("i", incident("A", "/a/"));
        let err = tera.render("page.html", &context).expect_err("no component");
        let chain = format!("{err} {:?}", std::error::Error::source(&err));
        assert!(chain.contains("has none"), "{chain}");
    }

    #[test]
    fn a_failing_component_names_itself() {
        let component = "{% component incident_card(incident) %}{{ incident.title | round }}{% endcomponent incident_card %}";
        let tera = tera_with(
            &[("c.html", component), ("page.html", "{{ card(incident=i) }}")],
            vec![incident("A", "/a/")],
        );
        let mut context = Context::new();
        context.insert_value("i", incident("A", "/a/"));
        let err = tera.render("page.html", &context).expect_err("round of a string");
        let chain = format!("{err} {:?}", std::error::Error::source(&err));
        assert!(chain.contains("`incident_card` component failed"), "{chain}");
    }
}
