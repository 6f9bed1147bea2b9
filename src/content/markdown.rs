//! Markdown to HTML: CommonMark with the extensions incident write-ups use, heading anchors,
//! a table of contents and a summary.
//!
//! Pure functions of a string. Raw HTML in Markdown is escaped and shown as text by default:
//! incident text often comes from several contributors, and a published page must never run
//! their markup. A site may allow raw HTML (`markdown.unsafe_html`); it is then sanitized
//! (no scripts, no event handlers, no `javascript:` URLs). Either way, links and images may
//! only use web, mail and phone schemes.
//!
//! Images are written by casebook rather than by pulldown-cmark's HTML writer, to give each
//! `loading="lazy"` (a long write-up's screenshots load as the reader reaches them) and, for
//! the files stored beside the document whose size is known ([`ImageSizes`]), `width` and
//! `height`, so the page does not jump as they arrive.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use serde::Serialize;

use crate::base::slugify;
use crate::content::highlight;

/// A rendered Markdown document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// The HTML body.
    pub html: String,
    /// Headings, nested by level.
    pub toc: Vec<TocEntry>,
    /// The first top-level paragraph as HTML (empty when there is none).
    pub first_paragraph_html: String,
    /// The first top-level paragraph as plain text.
    pub first_paragraph_text: String,
    /// Words in the text (not counting markup).
    pub word_count: usize,
    /// Every link and image target, with the byte offset in the Markdown where it is written
    /// (for `casebook check`).
    pub links: Vec<(String, usize)>,
    /// Where fenced blocks marked as internal notes start (byte offsets). Notes are removed
    /// before rendering, so any here got past the removal: the caller must not publish the
    /// page (a last line of defence, checked where the parser itself says what a block is).
    pub internal_blocks: Vec<usize>,
}

/// The images stored beside a document (a page bundle's files) whose size is known, by their
/// path under its folder (`timeline.png`, `img/a.png`; see [`crate::base::local_url`]): width
/// and height in pixels.
pub type ImageSizes = std::collections::HashMap<String, (u32, u32)>;

/// One heading in the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    /// 1 for `#`, 2 for `##`, …
    pub level: u8,
    /// The heading's `id`, for `href="#id"`.
    pub id: String,
    /// The heading's text, without markup.
    pub title: String,
    /// Headings nested under this one.
    pub children: Vec<TocEntry>,
}

/// How Markdown is turned into HTML.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// Keep raw HTML (sanitized) instead of showing it as text.
    pub unsafe_html: bool,
    /// The path of `base_url` when it is not `/` (`/sub/`): links and images written from the
    /// site's root (`/incidents/x/`) get it in front, so they work under a sub-path as in the
    /// local preview, which serves the site at `/`.
    pub base_path: Option<std::sync::Arc<str>>,
    /// The top-level folders and files of the site, when the base path's first step is one of
    /// them (`https://example.org/incidents/`): a link starting with the base path is then only
    /// taken to carry it when what follows is one of them too, since `/incidents/b/` there is
    /// the incident `b` written from the root, not `b` under the base path.
    pub sections: Option<std::sync::Arc<[String]>>,
    /// Highlight fenced code blocks written in a language of [`highlight::LANGUAGES`]
    /// (`markdown.highlight`, on unless a site turns it off; off here, so that the default
    /// settings give the plain HTML pulldown-cmark writes).
    pub highlight: bool,
}

pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Whether a fenced block's info string makes it an internal note (see `internal.rs`, which
/// removes them; rendering refuses any left): its first word is `internal`, in any
/// case, also when written as a class the way pandoc does (`{.internal}`); or it is an
/// attribute list naming the class anywhere in it (`{ .internal }`, `{#id .internal}`,
/// `{.rust .internal}`), which other Markdown tools read as a note too.
pub fn is_internal_info(info: &str) -> bool {
    let is_word = |w: &str| w.eq_ignore_ascii_case("internal");
    let info = info.trim_start();
    let word = info.split_whitespace().next().unwrap_or_default();
    if is_word(word.trim_start_matches('{').trim_start_matches('.').trim_end_matches('}')) {
        return true;
    }
    let Some(attributes) = info.strip_prefix('{') else { return false };
    let attributes = attributes.split('}').next().unwrap_or_default();
    attributes.split_whitespace().any(|w| is_word(w.trim_start_matches('.')))
}

/// `html` with every relative `href` and `src` made to start at `dir` (a path from the host's
/// root, ending in `/`): for a fragment of a page shown elsewhere, such as an incident's first
/// paragraph on a list page, where `chronologie.png` would no longer name the file beside the
/// incident. Absolute URLs, paths from the root, anchors and queries are left as they are.
pub fn rebase_links(html: &str, dir: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) =
        [" href=\"", " src=\""].iter().filter_map(|a| rest.find(a).map(|i| i + a.len())).min()
    {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find('"').unwrap_or(rest.len());
        let url = &rest[..end];
        let scheme = url.split(['/', '?', '#']).next().is_some_and(|first| first.contains(':'));
        if !(url.is_empty() || scheme || url.starts_with(['/', '#', '?'])) {
            out.push_str(dir);
        }
        out.push_str(url);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// A title as HTML: escaped text, with spans between backticks as code (`` `kubectl drain` ``
/// as `<code>kubectl drain</code>`), as post-mortems write commands in their titles. Nothing
/// else of Markdown: a title is text, not a document.
pub fn title_html(title: &str) -> String {
    let escaped = crate::base::xml_escape(title);
    let mut out = String::with_capacity(escaped.len() + 16);
    let mut rest = escaped.as_str();
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        match after.find('`') {
            Some(close) if close > 0 => {
                out.push_str(&rest[..open]);
                out.push_str("<code>");
                out.push_str(&after[..close]);
                out.push_str("</code>");
                rest = &after[close + 1..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Renders a Markdown document.
pub fn render(markdown: &str, settings: Settings) -> Rendered {
    render_with(markdown, settings, &ImageSizes::new())
}

/// [`render`] for a document with files beside it: relative images naming one of `images` get
/// its width and height.
pub fn render_with(markdown: &str, settings: Settings, images: &ImageSizes) -> Rendered {
    let settings = &settings;
    let mut links = Vec::new();
    // Most bodies have no image: then the events go to the writer as they are.
    let mut has_images = false;
    // Room for one event per 16 bytes of text, more than prose and lists make (one per 20 to
    // 30): collected without a size, the list was grown and copied some ten times per body.
    let mut events: Vec<Event<'_>> = Vec::with_capacity(markdown.len() / 16 + 16);
    let mut internal_blocks = Vec::new();
    events.extend(Parser::new_ext(markdown, options()).into_offset_iter().map(|(event, range)| {
        match &event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                links.push((dest_url.to_string(), range.start));
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                has_images = true;
                links.push((dest_url.to_string(), range.start));
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if is_internal_info(info) => {
                internal_blocks.push(range.start);
            }
            _ => {}
        }
        neutralize(event, settings)
    }));
    drop_unsafe_images(&mut events);
    autolink(&mut events);
    if settings.base_path.is_some() {
        put_under_base(&mut events, settings);
    }
    let mut word_count = 0;
    for event in &events {
        if let Event::Text(t) | Event::Code(t) = event {
            word_count += count_words(t);
        }
    }
    let images = has_images.then_some(images);
    let (first_paragraph_html, first_paragraph_text) = first_paragraph(&events, images);
    let headings = anchor_headings(&mut events);
    if settings.highlight {
        highlight_code_blocks(&mut events);
    }
    let mut html_out = String::with_capacity(markdown.len() * 3 / 2);
    push_html(&mut html_out, events.into_iter(), images);
    if settings.unsafe_html {
        html_out = sanitize(&html_out);
    }
    // The body is kept for the whole build: copied to its size, it gives back the room left
    // by the estimate above (a quarter of it on the benchmark corpus). Shrinking in place
    // would not: allocators keep a block that shrinks by less than half where it is.
    if html_out.capacity() - html_out.len() > html_out.len() / 8 {
        html_out = html_out.as_str().to_owned();
    }
    Rendered {
        html: html_out,
        toc: nest(headings),
        first_paragraph_html,
        first_paragraph_text,
        word_count,
        links,
        internal_blocks,
    }
}

/// The number of words of a text, as `split_whitespace` counts them. Every body goes through
/// this: ASCII text, nearly all of it, is counted byte by byte, without decoding characters.
fn count_words(text: &str) -> usize {
    if !text.is_ascii() {
        return text.split_whitespace().count();
    }
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Eight bytes at a time. For ASCII bytes, setting each byte's high bit first keeps the
    // subtraction from borrowing across bytes: the high bit of each byte of the result tells
    // whether that byte was at least `n`.
    let below = |x: u64, n: u64| !((x | HIGH) - ONES * n) & HIGH;
    // `char::is_whitespace` for ASCII: space, and tab to carriage return (0x09..=0x0d).
    let spaces = |x: u64| (below(x ^ (ONES * 0x20), 1) | (below(x, 0x0e) & !below(x, 0x09))) >> 7;
    let mut words = 0;
    // Whether the byte before the next one is a space; the text's start counts as one.
    let mut space_before = 1;
    let chunks = text.as_bytes().chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(chunk);
        let space = spaces(u64::from_le_bytes(bytes));
        // A word starts at a byte that is not a space after one that is.
        words += (!space & ONES & (space << 8 | space_before)).count_ones() as usize;
        space_before = space >> 56;
    }
    for &b in rest {
        let space = u64::from(matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'));
        words += usize::from(space == 0 && space_before == 1);
        space_before = space;
    }
    words
}

/// Renders a short Markdown text (a summary): its HTML and its plain text.
pub fn render_short(markdown: &str, settings: Settings) -> (String, String) {
    let mut events: Vec<Event<'_>> =
        Parser::new_ext(markdown, options()).map(|e| neutralize(e, &settings)).collect();
    drop_unsafe_images(&mut events);
    if settings.base_path.is_some() {
        put_under_base(&mut events, &settings);
    }
    let mut text = String::new();
    let mut has_images = false;
    for event in &events {
        push_plain_text(&mut text, event);
        has_images |= matches!(event, Event::Start(Tag::Image { .. }));
    }
    if settings.highlight {
        highlight_code_blocks(&mut events);
    }
    let mut out = String::new();
    push_html(&mut out, events.into_iter(), has_images.then_some(&ImageSizes::new()));
    if settings.unsafe_html {
        out = sanitize(&out);
    }
    (out, text.trim().to_string())
}

/// The text of rendered HTML, tags dropped and entities for `&`, `<`, `>`, `"` and `'`
/// decoded: what a search index needs of a body. A tag separates words, except a `<span>`:
/// highlighted code is cut into spans within words (`$HOME` in `"$HOME"`), and its text must
/// read as the same code does without highlighting.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut in_tag = false;
    let mut separates = true;
    for (i, c) in html.char_indices() {
        match c {
            '<' => {
                in_tag = true;
                let tag = html[i + 1..].strip_prefix('/').unwrap_or(&html[i + 1..]);
                separates = !(tag.starts_with("span") && tag[4..].starts_with([' ', '>']));
            }
            '>' if in_tag => {
                in_tag = false;
                if separates {
                    out.push(' ');
                }
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a link target is safe to put in `href`/`src`: relative, or a web, mail or phone URL.
/// Browsers ignore tabs, newlines and case in schemes (`Java\tScript:`), so this does too.
pub fn is_safe_url(url: &str) -> bool {
    let cleaned: String = url.chars().filter(|c| !c.is_ascii_whitespace() && !c.is_control()).collect();
    let Some(colon) = cleaned.find(':') else { return true };
    // A colon after the first `/`, `?` or `#` is not a scheme separator.
    if cleaned[..colon].contains(['/', '?', '#']) {
        return true;
    }
    matches!(cleaned[..colon].to_ascii_lowercase().as_str(), "http" | "https" | "mailto" | "tel")
}

/// Makes an event safe: raw HTML becomes text (unless allowed; it is sanitized later), and
/// links or images with a dangerous target lose it.
fn neutralize<'a>(event: Event<'a>, settings: &Settings) -> Event<'a> {
    match event {
        Event::Html(raw) | Event::InlineHtml(raw) if !settings.unsafe_html => Event::Text(raw),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) if !is_safe_url(&dest_url) => {
            let _ = dest_url;
            Event::Start(Tag::Link { link_type, dest_url: CowStr::Borrowed("#"), title, id })
        }
        other => other,
    }
}

/// Makes the bare web addresses of the text links (`see https://example.org/report.`), as
/// GitHub's Markdown does: write-ups quote advisories and statements by their address, and an
/// address a reader must copy by hand is one they will not follow. Not inside links, images
/// or code. Text the parser gave in pieces (it splits at characters that may begin markup) is
/// put together first, so an address is never cut.
fn autolink(events: &mut Vec<Event<'_>>) {
    // Most bodies quote no address: they go through untouched.
    if !events.iter().any(|e| matches!(e, Event::Text(t) if t.contains("://"))) {
        return;
    }
    let mut out = Vec::with_capacity(events.len() + 8);
    let (mut in_link, mut in_code) = (0usize, 0usize);
    let mut pending: Option<String> = None;
    for event in events.drain(..) {
        if let Event::Text(text) = &event
            && in_link == 0
            && in_code == 0
        {
            pending.get_or_insert_with(String::new).push_str(text);
            continue;
        }
        if let Some(text) = pending.take() {
            push_linked(&mut out, text);
        }
        match &event {
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => in_link += 1,
            Event::End(TagEnd::Link | TagEnd::Image) => in_link = in_link.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => in_code += 1,
            Event::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
            _ => {}
        }
        out.push(event);
    }
    if let Some(text) = pending.take() {
        push_linked(&mut out, text);
    }
    *events = out;
}

/// `text` as text events, with each web address in it a link.
fn push_linked(out: &mut Vec<Event<'_>>, text: String) {
    let mut rest = text.as_str();
    while let Some((start, end)) = next_address(rest) {
        if start > 0 {
            out.push(Event::Text(CowStr::from(rest[..start].to_string())));
        }
        let url = &rest[start..end];
        out.push(Event::Start(Tag::Link {
            link_type: pulldown_cmark::LinkType::Autolink,
            dest_url: CowStr::from(url.to_string()),
            title: CowStr::Borrowed(""),
            id: CowStr::Borrowed(""),
        }));
        out.push(Event::Text(CowStr::from(url.to_string())));
        out.push(Event::End(TagEnd::Link));
        rest = &rest[end..];
    }
    if !rest.is_empty() {
        out.push(Event::Text(CowStr::from(rest.to_string())));
    }
}

/// Where the next bare web address in `text` starts and ends: `http://` or `https://` at the
/// start of a word, up to a space or a character no address holds in running text, without the
/// punctuation that ends a sentence or closes a bracket opened before it.
fn next_address(text: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    loop {
        let at = from + text[from..].find("http")?;
        let tail = &text[at..];
        let word_start = text[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let scheme = ["https://", "http://"].into_iter().find(|s| tail.starts_with(s));
        if let (true, Some(scheme)) = (word_start, scheme) {
            let len = tail
                .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | '\u{a0}'))
                .unwrap_or(tail.len());
            let mut url = &tail[..len];
            loop {
                let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '*', '_', '’', '”']);
                let unbalanced =
                    trimmed.ends_with(')') && trimmed.matches(')').count() > trimmed.matches('(').count();
                let trimmed = if unbalanced { &trimmed[..trimmed.len() - 1] } else { trimmed };
                if trimmed.len() == url.len() {
                    break;
                }
                url = trimmed;
            }
            if url.len() > scheme.len() && is_safe_url(url) {
                return Some((at, at + url.len()));
            }
        }
        from = at + 4;
    }
}

/// Puts the site's base path in front of the links and images written from the site's root.
/// A pass of its own, only for a site under a sub-path: in [`neutralize`], which every event
/// goes through, it made the renderer's loop too large to be inlined as well.
fn put_under_base(events: &mut [Event<'_>], settings: &Settings) {
    for event in events {
        if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = event {
            *dest_url = under_base(std::mem::replace(dest_url, CowStr::Borrowed("")), settings);
        }
    }
}

/// A link as the rendered page has it: [`under_base`] for one URL, for `casebook check`.
pub fn as_rendered(url: &str, settings: &Settings) -> String {
    under_base(CowStr::Borrowed(url), settings).to_string()
}

/// `url` with the base path `base` (`/sub/`) in front when it is written from the site's root
/// and does not have it already: `/incidents/x/` under `/sub/` is `/sub/incidents/x/`.
fn under_base<'a>(url: CowStr<'a>, settings: &Settings) -> CowStr<'a> {
    let Some(base) = settings.base_path.as_deref() else { return url };
    let bare = base.trim_end_matches('/');
    let from_root = url.starts_with('/') && !url.starts_with("//");
    let has_base = url.strip_prefix(bare).is_some_and(|rest| {
        let step = rest.trim_start_matches('/').split(['/', '?', '#']).next().unwrap_or_default();
        (rest.is_empty() || rest.starts_with(['/', '?', '#']))
            && settings
                .sections
                .as_deref()
                .is_none_or(|sections| step.is_empty() || sections.iter().any(|s| s == step))
    });
    if !from_root || bare.is_empty() || has_base {
        return url;
    }
    CowStr::from(format!("{bare}{url}"))
}

/// Images with a dangerous source are dropped, keeping their description as text: an empty
/// or dummy `src` would still make browsers fetch something.
fn drop_unsafe_images(events: &mut [Event<'_>]) {
    let mut dropping = Vec::new();
    for event in events.iter_mut() {
        let drop = match &*event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                let unsafe_src = !is_safe_url(dest_url);
                dropping.push(unsafe_src);
                unsafe_src
            }
            Event::End(TagEnd::Image) => dropping.pop() == Some(true),
            _ => false,
        };
        if drop {
            *event = Event::Text(CowStr::Borrowed(""));
        }
    }
}

/// Highlights each fenced code block written in a language casebook knows: the block's text
/// becomes one HTML event holding it with its spans; the block's start and end stay, so it is
/// written `<pre><code class="language-…">` as before. Any other block is left as it is.
fn highlight_code_blocks(events: &mut [Event<'_>]) {
    let mut i = 0;
    while i < events.len() {
        let Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) = &events[i] else {
            i += 1;
            continue;
        };
        // The language is what pulldown-cmark puts in the class: the first word.
        let language = info.split(' ').next().unwrap_or_default();
        let start = i + 1;
        let end = (start..events.len())
            .find(|&j| matches!(events[j], Event::End(TagEnd::CodeBlock)))
            .unwrap_or(events.len());
        i = end + 1;
        if highlight::token(language).is_none() {
            continue;
        }
        let mut code = String::new();
        for event in &events[start..end] {
            if let Event::Text(text) = event {
                code.push_str(text);
            }
        }
        // The preview's marks around internal notes (private-use characters, see
        // `internal::mark`) must reach the page whole to be turned into highlighted notes: a
        // block holding one stays plain.
        if code.contains('\u{F8FF}') {
            continue;
        }
        let Some(html) = highlight::highlight(language, &code) else { continue };
        for event in &mut events[start..end] {
            *event = Event::Text(CowStr::Borrowed(""));
        }
        if start < end {
            events[start] = Event::Html(CowStr::from(html));
        }
    }
}

/// Cleans HTML that may hold an author's raw markup: no scripts, styles, event handlers or
/// dangerous URLs; casebook's own markup (heading ids and anchors, task list checkboxes,
/// footnotes, table alignment) is kept.
pub fn sanitize(html: &str) -> String {
    static CLEANER: std::sync::OnceLock<ammonia::Builder<'static>> = std::sync::OnceLock::new();
    CLEANER
        .get_or_init(|| {
            let mut builder = ammonia::Builder::default();
            builder
                .add_tags(["input"])
                .add_generic_attributes(["id", "class", "aria-label", "aria-hidden"])
                .add_tag_attributes("input", ["type", "checked", "disabled"])
                .add_tag_attributes("img", ["loading"])
                .add_tag_attributes("th", ["style"])
                .add_tag_attributes("td", ["style"])
                .filter_style_properties(["text-align"].into())
                .url_schemes(["http", "https", "mailto", "tel"].into());
            builder
        })
        .clean(html)
        .to_string()
}

fn push_plain_text(out: &mut String, event: &Event<'_>) {
    match event {
        Event::Text(t) | Event::Code(t) => out.push_str(t),
        Event::SoftBreak | Event::HardBreak => out.push(' '),
        _ => {}
    }
}

fn first_paragraph(events: &[Event<'_>], images: Option<&ImageSizes>) -> (String, String) {
    let mut depth = 0usize;
    let mut start = None;
    for (i, event) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Paragraph) if depth == 0 => start = Some(i),
            Event::End(TagEnd::Paragraph) if depth == 0 => {
                let Some(s) = start else { continue };
                let slice = &events[s..=i];
                let mut text = String::new();
                slice.iter().for_each(|e| push_plain_text(&mut text, e));
                let mut out = String::new();
                push_html(&mut out, slice.iter().cloned(), images);
                return (out, text.trim().to_string());
            }
            Event::Start(_) if start.is_none() => depth += 1,
            Event::End(_) if start.is_none() => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    (String::new(), String::new())
}

/// Writes `events` as HTML; images are written by [`ImageTags`] when the text has any
/// (`images` is then `Some`, holding the sizes of the files beside the document).
fn push_html<'a>(out: &mut String, events: impl Iterator<Item = Event<'a>>, images: Option<&ImageSizes>) {
    match images {
        Some(images) => html::push_html(out, ImageTags { events, images }),
        None => html::push_html(out, events),
    }
}

/// The events of a text with each image (its start, its description and its end) made one
/// `<img>` tag, as pulldown-cmark writes it with `width`, `height` (when the image is a file
/// of [`ImageSizes`]) and `loading="lazy"` added.
struct ImageTags<'i, I> {
    events: I,
    images: &'i ImageSizes,
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for ImageTags<'_, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        let event = self.events.next()?;
        let Event::Start(Tag::Image { dest_url, title, .. }) = event else { return Some(event) };
        // Escaped as pulldown-cmark's writer does: the URL with `escape_href`, the description
        // (its text, without markup, as the writer's `raw_text`) and the title for an attribute.
        // Writing into a String cannot fail.
        let mut tag = String::with_capacity(dest_url.len() + 64);
        tag.push_str("<img src=\"");
        let _ = pulldown_cmark_escape::escape_href(&mut tag, &dest_url);
        tag.push_str("\" alt=\"");
        let mut depth = 0usize;
        for inner in self.events.by_ref() {
            match inner {
                Event::Start(_) => depth += 1,
                Event::End(_) if depth == 0 => break,
                Event::End(_) => depth -= 1,
                Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) => {
                    let _ = pulldown_cmark_escape::escape_html(&mut tag, &t);
                }
                Event::InlineMath(t) | Event::DisplayMath(t) => {
                    let _ = pulldown_cmark_escape::escape_html(&mut tag, &t);
                }
                Event::SoftBreak | Event::HardBreak | Event::Rule => tag.push(' '),
                Event::FootnoteReference(name) => {
                    let _ = pulldown_cmark_escape::escape_html(&mut tag, &name);
                }
                Event::TaskListMarker(done) => tag.push_str(if done { "[x]" } else { "[ ]" }),
                Event::Html(_) => {}
            }
        }
        tag.push('"');
        if !title.is_empty() {
            tag.push_str(" title=\"");
            let _ = pulldown_cmark_escape::escape_html(&mut tag, &title);
            tag.push('"');
        }
        if let Some((width, height)) =
            crate::base::local_url::local_file(&dest_url).and_then(|file| self.images.get(&file))
        {
            tag.push_str(&format!(" width=\"{width}\" height=\"{height}\""));
        }
        tag.push_str(" loading=\"lazy\" />");
        Some(Event::InlineHtml(CowStr::from(tag)))
    }
}

/// Gives every heading a unique id (its explicit `{#id}`, else its slug) and an anchor link,
/// rewriting the heading events to HTML; returns the flat list of headings.
fn anchor_headings(events: &mut [Event<'_>]) -> Vec<(u8, String, String)> {
    let mut headings = Vec::new();
    let mut used = std::collections::HashSet::new();
    // The next suffix to try per base id: without it, n headings with the same text would
    // cost n² tries (a write-up with thousands of "## Update" sections).
    let mut next_suffix: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut i = 0;
    while i < events.len() {
        let Event::Start(Tag::Heading { level, id, classes, .. }) = &events[i] else {
            i += 1;
            continue;
        };
        let (level, explicit, classes) = (*level, id.clone(), classes.clone());
        let end = (i..events.len())
            .find(|&j| matches!(events[j], Event::End(TagEnd::Heading(_))))
            .unwrap_or(events.len() - 1);
        let mut title = String::new();
        events[i + 1..end].iter().for_each(|e| push_plain_text(&mut title, e));
        let title = title.trim().to_string();
        let base = explicit.map(|s| s.to_string()).unwrap_or_else(|| slugify(&title));
        let base = if base.is_empty() { "section".to_string() } else { base };
        let mut id = base.clone();
        if !used.insert(id.clone()) {
            let n = next_suffix.entry(base.clone()).or_insert(1);
            loop {
                id = format!("{base}-{n}");
                *n += 1;
                if used.insert(id.clone()) {
                    break;
                }
            }
        }
        let tag = heading_tag(level);
        let id_attr = crate::base::xml_escape(&id);
        let class_attr = if classes.is_empty() {
            String::new()
        } else {
            let joined: Vec<&str> = classes.iter().map(|c| c.as_ref()).collect();
            format!(" class=\"{}\"", crate::base::xml_escape(&joined.join(" ")))
        };
        // Joined, not formatted: every heading of every incident comes through here.
        let open = ["<", tag, " id=\"", &id_attr, "\"", &class_attr, ">"].concat();
        let anchor = " <a class=\"anchor\" href=\"#";
        let close = [anchor, &id_attr, "\" aria-label=\"Link to this section\">#</a></", tag, ">\n"].concat();
        events[i] = Event::Html(CowStr::from(open));
        events[end] = Event::Html(CowStr::from(close));
        headings.push((level as u8, id, title));
        i = end + 1;
    }
    headings
}

fn heading_tag(level: HeadingLevel) -> &'static str {
    match level {
        HeadingLevel::H1 => "h1",
        HeadingLevel::H2 => "h2",
        HeadingLevel::H3 => "h3",
        HeadingLevel::H4 => "h4",
        HeadingLevel::H5 => "h5",
        HeadingLevel::H6 => "h6",
    }
}

/// Nests a flat list of headings: each heading holds the deeper ones that follow it.
fn nest(flat: Vec<(u8, String, String)>) -> Vec<TocEntry> {
    let mut root: Vec<TocEntry> = Vec::new();
    for (level, id, title) in flat {
        let entry = TocEntry { level, id, title, children: Vec::new() };
        let mut siblings = &mut root;
        while siblings.last().is_some_and(|last| last.level < level) {
            siblings = &mut siblings.last_mut().expect("checked non-empty").children;
        }
        siblings.push(entry);
    }
    root
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_of_a_fragment_start_at_its_page() {
        let html = "<p><img src=\"chronologie.png\" alt=\"x\" /> <a href=\"journal.txt\">j</a> \
                    <a href=\"/archive/\">a</a> <a href=\"https://e.org/x\">e</a> <a href=\"#top\">t</a> \
                    <a href=\"mailto:a@b.c\">m</a> <a href=\"../other/\">o</a></p>";
        assert_eq!(
            rebase_links(html, "/sub/incidents/x/"),
            "<p><img src=\"/sub/incidents/x/chronologie.png\" alt=\"x\" /> <a href=\"/sub/incidents/x/journal.txt\">j</a> \
             <a href=\"/archive/\">a</a> <a href=\"https://e.org/x\">e</a> <a href=\"#top\">t</a> \
             <a href=\"mailto:a@b.c\">m</a> <a href=\"/sub/incidents/x/../other/\">o</a></p>"
        );
        assert_eq!(rebase_links("<p>no links</p>", "/x/"), "<p>no links</p>");
    }

    #[test]
    fn bare_web_addresses_become_links() {
        let html = |md: &str| render(md, Settings::default()).html;
        assert_eq!(
            html("See https://example.org/advisory/2024-01. Also (http://example.com/a_b_c)."),
            "<p>See <a href=\"https://example.org/advisory/2024-01\">https://example.org/advisory/2024-01</a>. \
             Also (<a href=\"http://example.com/a_b_c\">http://example.com/a_b_c</a>).</p>\n"
        );
        assert_eq!(
            html("https://en.wikipedia.org/wiki/Log4Shell_(vulnerability), then"),
            "<p><a href=\"https://en.wikipedia.org/wiki/Log4Shell_(vulnerability)\">https://en.wikipedia.org/wiki/Log4Shell_(vulnerability)</a>, then</p>\n"
        );
        for kept in [
            "[the report](https://example.org/r)",
            "`curl https://example.org/`",
            "```\nhttps://example.org/\n```",
            "xhttps://example.org/ and https:// alone",
        ] {
            assert_eq!(html(kept).matches("<a ").count(), kept.matches("](").count(), "{kept}");
        }
        assert!(
            html("<https://example.org/>").contains("<a href=\"https://example.org/\">"),
            "autolinks stay"
        );
        assert!(!html("a javascript://x link").contains("<a "));
    }

    #[test]
    fn titles_show_code_spans_and_escape_the_rest() {
        assert_eq!(
            title_html("Outage after `kubectl drain` on <prod> & co"),
            "Outage after <code>kubectl drain</code> on &lt;prod&gt; &amp; co"
        );
        assert_eq!(title_html("A lone ` backtick"), "A lone ` backtick");
        assert_eq!(title_html("Empty `` pair"), "Empty `` pair");
        assert_eq!(title_html("`a` and `b`"), "<code>a</code> and <code>b</code>");
    }

    #[test]
    fn renders_extensions() {
        let r = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ \"quoted\"\n\n- [x] done\n\nNote[^1].\n\n[^1]: A footnote.\n",
            Settings::default(),
        );
        assert!(r.html.contains("<table>"), "{}", r.html);
        assert!(r.html.contains("<del>gone</del>"));
        assert!(r.html.contains("\u{201c}quoted\u{201d}"));
        assert!(r.html.contains("type=\"checkbox\""));
        assert!(r.html.contains("footnote-definition"));
    }

    #[test]
    fn the_body_is_kept_without_much_spare_room() {
        let text = "Words of a paragraph, long enough to matter.\n\n".repeat(200);
        let html = render(&text, Settings::default()).html;
        assert!(html.capacity() - html.len() <= html.len() / 8, "{} for {}", html.capacity(), html.len());
    }

    #[test]
    fn headings_get_unique_ids_anchors_and_a_nested_toc() {
        let r = render(
            "# Top\n\n## What happened\n\n### Détails\n\n## What happened\n\n## Custom {#mine}\n",
            Settings::default(),
        );
        assert!(
            r.html.contains(
                "<h2 id=\"what-happened\">What happened <a class=\"anchor\" href=\"#what-happened\""
            )
        );
        assert!(r.html.contains("<h2 id=\"what-happened-1\">"));
        assert!(r.html.contains("<h2 id=\"mine\">"));
        assert_eq!(r.toc.len(), 1);
        let top = &r.toc[0];
        assert_eq!((top.level, top.id.as_str()), (1, "top"));
        let ids: Vec<_> = top.children.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["what-happened", "what-happened-1", "mine"]);
        assert_eq!(top.children[0].children[0].title, "Détails");
        assert_eq!(top.children[0].children[0].id, "details");
    }

    #[test]
    fn many_identical_headings_get_unique_ids_quickly() {
        let text = "## Update\n\nx\n\n".repeat(20_000) + "## Update-1\n";
        // Regression: suffixes were searched from 1 for every heading, quadratic in their number.
        let r = render(&text, Settings::default());
        let ids: std::collections::HashSet<_> = r.toc.iter().map(|e| e.id.clone()).collect();
        assert_eq!(ids.len(), 20_001, "every id unique, including the one that looks like a suffix");
    }

    #[test]
    fn toc_starting_below_level_one_stays_flat() {
        let r = render("## A\n\n### B\n\n## C\n", Settings::default());
        let ids: Vec<_> = r.toc.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["a", "c"]);
        assert_eq!(r.toc[0].children[0].id, "b");
    }

    #[test]
    fn raw_html_is_escaped() {
        let r = render("<script>alert(1)</script>\n\nHi <b onclick=x>there</b>\n", Settings::default());
        assert!(!r.html.contains("<script>"), "{}", r.html);
        assert!(r.html.contains("&lt;script&gt;"));
        assert!(r.html.contains("&lt;b onclick=x&gt;"));
    }

    #[test]
    fn a_heading_is_whole_with_its_classes_and_anchor() {
        let r = render("### Timeline {#when .wide .note}\n\nText.\n", Settings::default());
        let heading = "<h3 id=\"when\" class=\"wide note\">Timeline \
                       <a class=\"anchor\" href=\"#when\" aria-label=\"Link to this section\">#</a></h3>\n";
        assert_eq!(r.html, format!("{heading}<p>Text.</p>\n"));
    }

    #[test]
    fn heading_ids_cannot_break_out_of_attributes() {
        let r = render("## Title {#a\"onmouseover=x}\n", Settings::default());
        assert!(!r.html.contains("\"onmouseover"), "{}", r.html);
    }

    #[test]
    fn first_paragraph_skips_headings_and_nested_blocks() {
        let r = render(
            "## Intro\n\n> quoted para\n\nThe *first* one.\nSecond line.\n\nLater.\n",
            Settings::default(),
        );
        assert_eq!(r.first_paragraph_html, "<p>The <em>first</em> one.\nSecond line.</p>\n");
        assert_eq!(r.first_paragraph_text, "The first one. Second line.");
    }

    #[test]
    fn collects_link_targets_with_offsets() {
        let r = render("See [a](/x/) and ![b](img.png).\n\n[c]: #top\n\nRef [c].\n", Settings::default());
        assert_eq!(r.links, [("/x/".to_string(), 4), ("img.png".to_string(), 17), ("#top".to_string(), 48)]);
    }

    #[test]
    fn dangerous_link_targets_are_dropped_in_every_mode() {
        for settings in [Settings::default(), Settings { unsafe_html: true, ..Settings::default() }] {
            let r = render(
                "[a](javascript:alert(1)) [b](JaVa\tScRiPt:alert(2)) ![c](data:text/html,x) [d](vbscript:x)\n\n[ok](https://example.org/a:b) [rel](../x/?q=a:b) [mail](mailto:a@b.example)\n",
                settings.clone(),
            );
            let lower = r.html.to_lowercase();
            for attr in ["href=\"", "src=\""] {
                for value in lower.split(attr).skip(1) {
                    let value = value.split('"').next().unwrap_or_default();
                    assert!(is_safe_url(value), "{settings:?}: {value} in {}", r.html);
                    assert!(!value.contains("script") && !value.starts_with("data"), "{}", r.html);
                }
            }
            for good in ["https://example.org/a:b", "../x/?q=a:b", "mailto:a@b.example"] {
                assert!(r.html.contains(good), "{settings:?}: {}", r.html);
            }
        }
    }

    #[test]
    fn allowed_raw_html_is_sanitized_and_our_markup_kept() {
        let settings = Settings { unsafe_html: true, ..Settings::default() };
        let r = render(
            "## Head\n\n<div class=\"box\" onclick=\"x()\"><script>alert(1)</script><b>bold</b><a href=\"javascript:y()\">a</a><img src=x onerror=alert(2)></div>\n\n| a |\n|:-:|\n| b |\n\n- [x] done\n",
            settings,
        );
        for bad in ["<script", "onclick", "onerror", "javascript"] {
            assert!(!r.html.contains(bad), "{bad}: {}", r.html);
        }
        for kept in [
            "<b>bold</b>",
            "class=\"box\"",
            "id=\"head\"",
            "class=\"anchor\"",
            "text-align:center",
            "type=\"checkbox\"",
        ] {
            assert!(r.html.contains(kept), "{kept}: {}", r.html);
        }
    }

    #[test]
    fn url_schemes_are_judged_like_browsers_do() {
        for ok in ["/a", "a.html", "#x", "?q=1:2", "https://x", "HTTP://x", "mailto:a@b", "tel:+1", "a/b:c"] {
            assert!(is_safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:x",
            " JavaScript:x",
            "java\tscript:x",
            "data:text/html,x",
            "vbscript:x",
            "file:///etc",
        ] {
            assert!(!is_safe_url(bad), "{bad}");
        }
    }

    #[test]
    fn plain_text_of_html() {
        assert_eq!(
            plain_text("<h2 id=\"a\">Title <a href=\"#a\">#</a></h2>\n<p>A &amp; B &lt;x&gt;</p>"),
            "Title # A & B <x>"
        );
        assert_eq!(
            plain_text("<code>a<span class=\"hl-x\">$b</span>c</code><p>d</p><spanner>e</spanner>"),
            "a$bc d e"
        );
    }

    #[test]
    fn counts_words() {
        assert_eq!(render("One two `three`\n\n- four five\n", Settings::default()).word_count, 5);
    }

    proptest::proptest! {
        /// The ASCII fast path counts as `split_whitespace` does, on any text.
        #[test]
        fn word_counts_agree_with_split_whitespace(text in "[ a-z\\t\\n\\r\u{b}\u{c}\u{1c}\u{1f}\u{85}\u{a0}\u{2003}é]*") {
            proptest::prop_assert_eq!(count_words(&text), text.split_whitespace().count());
        }

        /// Every ASCII byte, in texts long enough for the eight-byte steps and their remainder.
        #[test]
        fn ascii_word_counts_agree_with_split_whitespace(bytes in proptest::collection::vec(0u8..128, 0..80)) {
            let text: String = bytes.into_iter().map(char::from).collect();
            proptest::prop_assert_eq!(count_words(&text), text.split_whitespace().count());
        }
    }

    #[test]
    fn links_from_the_root_get_the_base_path() {
        let settings = Settings { base_path: Some("/sub/".into()), ..Settings::default() };
        let text = "[a](/incidents/x/#y) [b](/sub/incidents/x/) [c](/sub) [d](/subway/) [e](../x/) \
                    [f](//cdn.example/x) [g](https://example.org/) [h](#top) ![i](/img/i.png)";
        let html = render(text, settings.clone()).html;
        for expected in [
            "href=\"/sub/incidents/x/#y\"",
            "href=\"/sub/incidents/x/\"",
            "href=\"/sub\"",
            "href=\"/sub/subway/\"",
            "href=\"../x/\"",
            "href=\"//cdn.example/x\"",
            "href=\"https://example.org/\"",
            "href=\"#top\"",
            "src=\"/sub/img/i.png\"",
        ] {
            assert!(html.contains(expected), "{expected} in {html}");
        }
        // What `casebook check` reads stays as written.
        assert_eq!(render(text, settings.clone()).links[0].0, "/incidents/x/#y");
        assert!(render_short("[a](/x/)", settings).0.contains("href=\"/sub/x/\""));
        assert!(render("[a](/x/)", Settings::default()).html.contains("href=\"/x/\""), "at the root");
    }

    #[test]
    fn under_a_base_path_named_like_a_folder_of_the_site_links_are_told_apart() {
        // base_url https://example.org/incidents/: the README's own example.
        let sections: Vec<String> = crate::config::urls::RESERVED.iter().map(|s| (*s).to_string()).collect();
        let settings = Settings {
            base_path: Some("/incidents/".into()),
            sections: Some(sections.into()),
            ..Settings::default()
        };
        let html = render(
            "[a](/incidents/b/) [b](/incidents/incidents/b/) [c](/incidents/) [d](/tags/x/)",
            settings,
        )
        .html;
        for expected in [
            "href=\"/incidents/incidents/b/\"",
            "href=\"/incidents/incidents/b/\"",
            "href=\"/incidents/\"",
            "href=\"/incidents/tags/x/\"",
        ] {
            assert!(html.contains(expected), "{expected} in {html}");
        }
        assert_eq!(html.matches("/incidents/incidents/b/").count(), 2, "{html}");
    }

    fn highlighting() -> Settings {
        Settings { highlight: true, ..Settings::default() }
    }

    #[test]
    fn a_bash_block_gets_spans_with_classes_in_its_usual_element() {
        let html = render("Run:\n\n```bash\n# stop it\nsystemctl stop \"$UNIT\"\n```\n", highlighting()).html;
        assert!(
            html.contains("<pre><code class=\"language-bash\"><span class=\"hl-comment\"># stop it"),
            "{html}"
        );
        assert!(html.contains("<span class=\"hl-variable\">$UNIT</span>"), "{html}");
        assert!(html.ends_with("</code></pre>\n"), "{html}");
        assert!(!html.contains("style="), "classes, never inline styles: {html}");
        // Spans aside, the block is what it was.
        let plain =
            render("Run:\n\n```bash\n# stop it\nsystemctl stop \"$UNIT\"\n```\n", Settings::default()).html;
        assert_eq!(strip_spans(&html), plain);
    }

    #[test]
    fn unknown_languages_and_output_stay_plain_and_escaped() {
        for language in ["klingon", "text", "plain", "console", ""] {
            let text = format!("```{language}\n<b>x</b> & \"y\"\n```\n");
            let html = render(&text, highlighting()).html;
            assert_eq!(html, render(&text, Settings::default()).html, "{language}");
            assert!(!html.contains("<span") && html.contains("&lt;b&gt;x&lt;/b&gt; &amp;"), "{html}");
        }
        // Indented blocks have no language.
        let html = render("    echo hi\n", highlighting()).html;
        assert_eq!(html, "<pre><code>echo hi\n</code></pre>\n");
    }

    #[test]
    fn markup_inside_highlighted_code_stays_escaped() {
        for settings in
            [highlighting(), Settings { unsafe_html: true, highlight: true, ..Settings::default() }]
        {
            let html = render(
                "```bash\necho '<script>alert(1)</script>' # </code></pre><img src=x onerror=y>\n```\n",
                settings,
            )
            .html;
            assert!(
                !html.contains("<script") && !html.contains("<img") && !html.contains("</code></pre><"),
                "{html}"
            );
            assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
            assert!(html.contains("class=\"hl-"), "{html}");
        }
    }

    #[test]
    fn with_highlighting_off_code_is_written_as_before() {
        let text = "Intro.\n\n```bash\necho \"$HOME\" <x>\n```\n\n```yaml\nkey: value\n```\n\n- ```json\n  {\"a\": 1}\n  ```\n";
        assert_eq!(
            render(text, Settings::default()).html,
            "<p>Intro.</p>\n<pre><code class=\"language-bash\">echo \"$HOME\" &lt;x&gt;\n</code></pre>\n\
             <pre><code class=\"language-yaml\">key: value\n</code></pre>\n\
             <ul>\n<li>\n<pre><code class=\"language-json\">{\"a\": 1}\n</code></pre>\n</li>\n</ul>\n"
        );
        let on = render(text, highlighting());
        assert!(on.html.matches("class=\"hl-").count() > 3, "{}", on.html);
        assert_eq!(strip_spans(&on.html), render(text, Settings::default()).html);
        // What the page's other parts read of the body does not change.
        let off = render(text, Settings::default());
        assert_eq!(
            (on.word_count, on.toc, on.first_paragraph_html),
            (off.word_count, off.toc, off.first_paragraph_html)
        );
        assert_eq!(plain_text(&on.html), plain_text(&off.html));
    }

    #[test]
    fn the_language_class_keeps_what_the_fence_says() {
        let html = render("```YAML title=x\nk: v\n```\n", highlighting()).html;
        assert!(
            html.starts_with("<pre><code class=\"language-YAML\"><span class=\"hl-key\">k</span>"),
            "{html}"
        );
    }

    #[test]
    fn the_previews_note_marks_in_code_are_left_whole() {
        let text =
            "```bash\necho \u{F8FF}casebook-internal\u{F8FF}secret\u{F8FF}/casebook-internal\u{F8FF}\n```\n";
        assert_eq!(render(text, highlighting()).html, render(text, Settings::default()).html);
    }

    /// `html` without its `<span …>` and `</span>` tags.
    fn strip_spans(html: &str) -> String {
        let mut out = String::new();
        let mut rest = html;
        while let Some(start) = rest.find("<span") {
            out.push_str(&rest[..start]);
            rest = &rest[start..];
            rest = &rest[rest.find('>').map_or(rest.len(), |e| e + 1)..];
        }
        out.push_str(rest);
        out.replace("</span>", "")
    }

    #[test]
    fn images_load_lazily_with_the_size_of_the_files_beside_the_text() {
        let images =
            ImageSizes::from([("timeline.png".to_string(), (12, 7)), ("img/a b.svg".to_string(), (3, 2))]);
        let r = render_with(
            "![The *first* R&D step](timeline.png \"A & B\")\n\n![b](./img/a%20b.svg) ![c](https://e.example/c.png)              ![d](../timeline.png)\n",
            Settings::default(),
            &images,
        );
        assert!(
            r.html.contains(
                "<img src=\"timeline.png\" alt=\"The first R&amp;D step\" title=\"A &amp; B\" \
                 width=\"12\" height=\"7\" loading=\"lazy\" />"
            ),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("src=\"./img/a%20b.svg\" alt=\"b\" width=\"3\" height=\"2\" loading"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("<img src=\"https://e.example/c.png\" alt=\"c\" loading=\"lazy\" />"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("<img src=\"../timeline.png\" alt=\"d\" loading=\"lazy\" />"),
            "outside the folder"
        );
        assert!(
            r.first_paragraph_html.contains("width=\"12\""),
            "the summary too: {}",
            r.first_paragraph_html
        );
        // Sanitized raw HTML keeps the attribute; short texts get it too.
        let allowed = Settings { unsafe_html: true, ..Settings::default() };
        assert!(render("![x](x.png)", allowed).html.contains("loading=\"lazy\""));
        assert!(render_short("![x](x.png)", Settings::default()).0.contains("loading=\"lazy\""));
        assert!(!render("Text only.", Settings::default()).html.contains("img"));
    }

    #[test]
    fn short_text_has_html_and_plain_forms() {
        let (html, text) = render_short("A *bold* <i>claim</i>", Settings::default());
        assert_eq!(html, "<p>A <em>bold</em> &lt;i&gt;claim&lt;/i&gt;</p>\n");
        assert_eq!(text, "A bold <i>claim</i>");
    }
}
