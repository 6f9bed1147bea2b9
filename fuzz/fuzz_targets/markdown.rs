//! Any text as Markdown, in both HTML modes and with code highlighted: no panic, and nothing
//! executable in the output.
#![no_main]

use casebook::content::markdown::{Settings, render};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(stripped) = casebook::content::internal::strip(text) {
        for unsafe_html in [false, true] {
            let settings = Settings { unsafe_html, highlight: true, ..Settings::default() };
            let html = render(&stripped, settings).html.to_ascii_lowercase();
            assert!(!html.contains("<script"), "script in output");
            assert!(!html.contains("href=\"javascript:"), "javascript link in output");
        }
    }
});
