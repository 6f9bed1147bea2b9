//! Any text as Markdown, in both HTML modes: no panic, and nothing executable in the output.
#![no_main]

use casebook::content::markdown::{Settings, render};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(stripped) = casebook::content::internal::strip(text) {
        for unsafe_html in [false, true] {
            let html = render(&stripped, Settings { unsafe_html }).html.to_ascii_lowercase();
            assert!(!html.contains("<script"), "script in output");
            assert!(!html.contains("href=\"javascript:"), "javascript link in output");
        }
    }
});
