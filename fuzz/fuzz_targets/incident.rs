//! Any bytes as an incident file: parsing must return a value or located errors, never panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let schema = casebook::Config::default().parse_settings();
    if let Err(errors) = casebook::content::incident::parse(Path::new("content/fuzz.md"), "fuzz.md", text, &schema) {
        assert!(!errors.is_empty(), "an error result always says why");
    }
    let split = casebook::base::frontmatter::split(text);
    if let Ok(split) = split {
        let _ = casebook::base::frontmatter::top_level_keys(split.yaml);
    }
});
