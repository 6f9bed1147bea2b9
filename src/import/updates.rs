//! The updates a status page writes into an issue's body, taken out as timeline entries.
//!
//! cState marks an update with a `{{< track "DATE" >}}` shortcode, written two ways: before
//! the update's text (`{{< track "…" >}}` then the text) or, as cState's own README and
//! example site do, after it (the text, then the shortcode at the end of its paragraph). Which
//! one a file uses is read from the file itself: a shortcode glued to the text before it (no
//! blank line between) closes that text, one glued to the text after it opens it; a shortcode
//! standing alone follows the file's other shortcodes, or, when all stand alone, closes the
//! text before it if it is the last thing in the body. Getting this wrong attaches each text
//! to its neighbour's time, so it is decided per file, never per line.
//!
//! Without shortcodes, many sites label updates in the text: `[Initial message]`,
//! `**[Final Message]**`, `**Update:** 2021-06-03 15:15 UTC`, `*Investigating* (14:20 UTC) -`.
//! A labelled update becomes an entry when its time is known: written in the label, or, for
//! the first and last messages, the issue's start and resolution times. One whose time cannot
//! be known stays in the body, its label made plain Markdown, so nothing is lost or invented.
//!
//! HTML comments are dropped first: Hugo never shows them, and cState sites use them to keep
//! old updates out of sight. Any other shortcode left is removed (and reported): casebook
//! would show it as text.

use super::dates::{self, Stamp};

/// One update found in a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// When, as casebook writes dates.
    pub at: String,
    /// What was said, as Markdown.
    pub text: String,
}

/// A body with its updates taken out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    /// What is left of the body, trimmed.
    pub body: String,
    /// The updates, in the order written.
    pub updates: Vec<Update>,
    /// What was done, for the import's report.
    pub notes: Vec<String>,
}

/// The issue's own times, which date its first and last messages when they carry none.
#[derive(Debug, Clone, Default)]
pub struct Times {
    /// When the issue started, as casebook writes dates.
    pub start: Option<String>,
    /// When it was resolved.
    pub resolved: Option<String>,
}

/// Takes the updates out of `body`. Fails only on an update whose date cannot be read without
/// guessing (`{{< track "03/04/2023" >}}`), with the reason.
pub fn extract(body: &str, times: &Times) -> Result<Extracted, String> {
    let mut out = Extracted::default();
    let (body, comments) = strip_comments(body);
    if comments > 0 {
        out.notes
            .push(format!("removed {comments} HTML comment{} (Hugo never shows them)", plural(comments)));
    }
    // Other shortcodes go before the updates are read: removing one can change what is code
    // (`{{< x >}}```` becomes a fence), and the updates must be read as the result reads.
    let body = remove_shortcodes(&body, &mut out.notes, Keep::Tracks);
    let body = take_tracks(&body, &mut out)?;
    let body = take_labelled(&body, times, &mut out);
    // Taking updates out can change what is code in turn: whatever shortcode that leaves in
    // text goes, until none is left.
    out.body = without_shortcodes(&body, &mut out.notes).trim().to_string();
    for update in &mut out.updates {
        update.text = without_shortcodes(&update.text, &mut out.notes).trim().to_string();
    }
    Ok(out)
}

/// `text` with every shortcode outside code removed, however many passes that takes (each
/// pass removes at least one, so this ends).
fn without_shortcodes(text: &str, notes: &mut Vec<String>) -> String {
    let mut text = text.to_string();
    loop {
        let next = remove_shortcodes(&text, notes, Keep::Nothing);
        if next == text {
            return text;
        }
        text = next;
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A run of lines between blank lines, or a fenced code block (blank lines and all).
#[derive(Debug, Clone)]
struct Block {
    text: String,
    fence: bool,
}

impl Block {
    /// A thematic break (`---`, `***`, `___`) standing alone: a separator between updates.
    fn is_rule(&self) -> bool {
        let t: String = self.text.chars().filter(|c| !c.is_whitespace()).collect();
        !self.fence && t.len() >= 3 && ["-", "*", "_"].iter().any(|c| t.chars().all(|x| x.to_string() == *c))
    }
}

/// The title of an ATX heading of one line: `### Rollback` gives `Rollback`.
fn heading_text(text: &str) -> Option<&str> {
    let line = text.trim();
    if line.contains('\n') {
        return None;
    }
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    ((1..=6).contains(&hashes) && line[hashes..].starts_with(' '))
        .then(|| line[hashes..].trim().trim_end_matches('#').trim())
}

/// The fence a line opens or closes (```` ``` ```` or `~~~`, three or more), if any.
fn fence_of(line: &str) -> Option<(char, usize)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    let c = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = rest.chars().take_while(|x| *x == c).count();
    (indent <= 3 && n >= 3).then_some((c, n))
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    let flush = |current: &mut Vec<&str>, out: &mut Vec<Block>, is_fence: bool| {
        if !current.is_empty() {
            out.push(Block { text: current.join("\n"), fence: is_fence });
            current.clear();
        }
    };
    for line in text.lines() {
        match fence {
            Some((c, n)) => {
                current.push(line);
                if fence_of(line)
                    .is_some_and(|(c2, n2)| c2 == c && n2 >= n && line.trim().chars().all(|x| x == c))
                {
                    flush(&mut current, &mut out, true);
                    fence = None;
                }
            }
            None if fence_of(line).is_some() => {
                flush(&mut current, &mut out, false);
                fence = fence_of(line);
                current.push(line);
            }
            None if line.trim().is_empty() => flush(&mut current, &mut out, false),
            None => current.push(line),
        }
    }
    // A fence left open runs to the end, as in Markdown.
    let open = fence.is_some();
    flush(&mut current, &mut out, open);
    out
}

/// Pieces of blocks put back together: pieces of one block on following lines, blocks apart.
fn join(pieces: &[(usize, String)]) -> String {
    let mut out = String::new();
    let mut last: Option<usize> = None;
    for (block, text) in pieces {
        if let Some(l) = last {
            out.push_str(if l == *block { "\n" } else { "\n\n" });
        }
        out.push_str(text);
        last = Some(*block);
    }
    out
}

/// The body without its HTML comments, and how many there were. Comments in code blocks are
/// code, and kept; a comment never closed is kept as written, rather than lose the rest.
fn strip_comments(body: &str) -> (String, usize) {
    let mut out = String::with_capacity(body.len());
    let mut count = 0;
    for block in blocks_keeping_blanks(body) {
        if block.fence || !block.text.contains("<!--") {
            out.push_str(&block.text);
            continue;
        }
        // Each comment leaves a mark, so that a line that held only comments can go: left
        // blank, it would split its paragraph in two.
        const MARK: char = '\u{0}';
        let mut rest = block.text.as_str();
        let mut kept = String::new();
        while let Some(open) = rest.find("<!--") {
            let Some(close) = rest[open + 4..].find("-->") else { break };
            kept.push_str(&rest[..open]);
            kept.push(MARK);
            rest = &rest[open + 4 + close + 3..];
            count += 1;
        }
        kept.push_str(rest);
        let lines: Vec<&str> = kept
            .split_inclusive('\n')
            .filter(|line| !(line.contains(MARK) && line.trim().chars().all(|c| c == MARK)))
            .collect();
        out.push_str(&lines.concat().replace(MARK, ""));
    }
    (out, count)
}

/// The body cut into fenced and unfenced stretches, each with its line ends, so that joining
/// them gives the body back.
fn blocks_keeping_blanks(body: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    for line in body.split_inclusive('\n') {
        let inside = fence.is_some();
        match fence {
            Some((c, n)) => {
                if fence_of(line)
                    .is_some_and(|(c2, n2)| c2 == c && n2 >= n && line.trim().chars().all(|x| x == c))
                {
                    fence = None;
                }
            }
            None => fence = fence_of(line),
        }
        let is_fence = inside || fence.is_some();
        match out.last_mut() {
            Some(last) if last.fence == is_fence => last.text.push_str(line),
            _ => out.push(Block { text: line.to_string(), fence: is_fence }),
        }
    }
    out
}

/// A `{{< track "…" >}}` (or `{{% track … %}}`) at the start of `text`: its date as written,
/// and its length.
fn track_at(text: &str) -> Option<(String, usize)> {
    let (open, close) = if text.starts_with("{{<") {
        ("{{<", ">}}")
    } else if text.starts_with("{{%") {
        ("{{%", "%}}")
    } else {
        return None;
    };
    // Looked for after the opening: in `{{%}}` the closing `%}}` overlaps it.
    let end = open.len() + text[open.len()..].find(close)?;
    let inner = text[open.len()..end].trim();
    let argument = inner.strip_prefix("track")?;
    if !argument.starts_with(char::is_whitespace) {
        return None;
    }
    let date = argument.trim().trim_matches(|c| c == '"' || c == '\'' || c == '`').trim();
    Some((date.to_string(), end + close.len()))
}

#[derive(Debug)]
enum Token {
    Text { block: usize, text: String },
    Track { block: usize, date: String },
    Rule,
}

/// Takes the `track` shortcodes and their texts out of `body` into `out.updates`; returns the
/// rest of the body.
fn take_tracks(body: &str, out: &mut Extracted) -> Result<String, String> {
    let mut tokens = Vec::new();
    for (b, block) in blocks(body).into_iter().enumerate() {
        if block.fence {
            tokens.push(Token::Text { block: b, text: block.text });
            continue;
        }
        if block.is_rule() {
            tokens.push(Token::Rule);
            continue;
        }
        let mut text = String::new();
        let mut rest = block.text.as_str();
        while !rest.is_empty() {
            if let Some((date, len)) = track_at(rest) {
                let before = std::mem::take(&mut text);
                if !before.trim().is_empty() {
                    tokens.push(Token::Text { block: b, text: before.trim().to_string() });
                }
                tokens.push(Token::Track { block: b, date });
                rest = &rest[len..];
                continue;
            }
            let next = rest.char_indices().nth(1).map_or(rest.len(), |(i, _)| i);
            text.push_str(&rest[..next]);
            rest = &rest[next..];
        }
        if !text.trim().is_empty() {
            tokens.push(Token::Text { block: b, text: text.trim().to_string() });
        }
    }
    let tracks = tokens.iter().filter(|t| matches!(t, Token::Track { .. })).count();
    if tracks == 0 {
        return Ok(body.to_string());
    }
    let same_block_text = |i: Option<usize>, block: usize| {
        i.and_then(|i| tokens.get(i))
            .is_some_and(|t| matches!(t, Token::Text { block: b, .. } if *b == block))
    };
    // Which way this file writes its updates.
    let (mut closing, mut opening) = (0, 0);
    for (i, token) in tokens.iter().enumerate() {
        if let Token::Track { block, .. } = token {
            match (same_block_text(i.checked_sub(1), *block), same_block_text(Some(i + 1), *block)) {
                (true, false) => closing += 1,
                (false, true) => opening += 1,
                _ => {}
            }
        }
    }
    let text_closes = if closing + opening > 0 {
        closing >= opening
    } else {
        matches!(tokens.iter().rev().find(|t| !matches!(t, Token::Rule)), Some(Token::Track { .. }))
    };

    let mut owner: Vec<Option<usize>> = vec![None; tokens.len()];
    let mut found: Vec<(String, Vec<usize>)> = Vec::new();
    let mut boundary = 0;
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Rule => boundary = i + 1,
            Token::Track { block, date } if text_closes => {
                let parts: Vec<usize> = if same_block_text(i.checked_sub(1), *block) {
                    // The paragraph the shortcode ends, and the headings just above it.
                    let mut parts = vec![i - 1];
                    let mut j = i - 1;
                    while j > boundary
                        && owner[j - 1].is_none()
                        && matches!(&tokens[j - 1], Token::Text { text, .. } if heading_text(text).is_some())
                    {
                        parts.insert(0, j - 1);
                        j -= 1;
                    }
                    parts
                } else {
                    // Standing alone, it closes everything since the last update.
                    (boundary..i)
                        .filter(|&k| matches!(tokens[k], Token::Text { .. }) && owner[k].is_none())
                        .collect()
                };
                for &k in &parts {
                    owner[k] = Some(found.len());
                }
                found.push((date.clone(), parts));
                boundary = i + 1;
            }
            Token::Track { date, .. } => {
                let parts: Vec<usize> =
                    (i + 1..tokens.len()).take_while(|&k| matches!(tokens[k], Token::Text { .. })).collect();
                for &k in &parts {
                    owner[k] = Some(found.len());
                }
                found.push((date.clone(), parts));
            }
            Token::Text { .. } => {}
        }
    }
    let mut dropped = 0;
    for (date, parts) in found {
        let at =
            dates::normalize(&date).map_err(|e| format!("update `{{{{< track \"{date}\" >}}}}`: {e}"))?;
        let pieces: Vec<(usize, String)> = parts
            .iter()
            .filter_map(|&k| match &tokens[k] {
                Token::Text { block, text } => Some((*block, plain_heading(text))),
                _ => None,
            })
            .collect();
        let text = join(&pieces);
        if text.trim().is_empty() {
            dropped += 1;
        } else {
            out.updates.push(Update { at, text });
        }
    }
    let moved = out.updates.len();
    out.notes.push(format!(
        "moved {moved} `track` update{} (written {} their text) into timeline entries",
        plural(moved),
        if text_closes { "after" } else { "before" }
    ));
    if dropped > 0 {
        out.notes.push(format!("dropped {dropped} `track` shortcode{} with no text", plural(dropped)));
    }
    // The body keeps what no update took, without the separators between updates.
    let mut pieces: Vec<(usize, String)> = Vec::new();
    let mut rule_pending = false;
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Text { block, text } if owner[i].is_none() => {
                if rule_pending && !pieces.is_empty() {
                    // A block number of its own, so that the rule stands apart from both sides.
                    pieces.push((usize::MAX - i, "---".to_string()));
                }
                rule_pending = false;
                pieces.push((*block, text.clone()));
            }
            Token::Rule => rule_pending = true,
            _ => {}
        }
    }
    Ok(join(&pieces))
}

/// A heading inside an update, as bold text: a timeline entry has no room for headings.
fn plain_heading(text: &str) -> String {
    match heading_text(text) {
        Some(title) => format!("**{title}**"),
        None => text.to_string(),
    }
}

/// When a label dates its update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Moment {
    /// The first message: the issue's start.
    First,
    /// The last message: the issue's resolution.
    Last,
    /// Any other.
    Other,
}

/// A labelled update's first line, read.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Label {
    /// The label as written: `Final message`, `Update`.
    name: String,
    moment: Moment,
    stamp: Option<Stamp>,
    /// The text after the label on its line.
    rest: String,
    bracketed: bool,
}

const FIRST_WORDS: [&str; 5] = ["initial", "open", "opened", "start", "started"];
const LAST_WORDS: [&str; 6] = ["final", "close", "closed", "closing", "resolved", "resolution"];
const OTHER_WORDS: [&str; 18] = [
    "update",
    "updated",
    "updates",
    "edit",
    "edited",
    "message",
    "issue",
    "investigating",
    "identified",
    "monitoring",
    "fixed",
    "mitigated",
    "scheduled",
    "completed",
    "verifying",
    "progress",
    "in",
    "status",
];
/// Labels that say nothing the timeline does not: dropped from the entry's text.
const PLAIN_WORDS: [&str; 13] = [
    "initial", "final", "message", "update", "updated", "updates", "open", "opened", "close", "closed",
    "issue", "start", "started",
];

/// Reads `line` as the first line of a labelled update, if it is one.
fn label(line: &str) -> Option<Label> {
    let line = line.trim();
    let marks = line.bytes().take_while(|&b| b == b'*' || b == b'_').count();
    if marks > 3 {
        return None;
    }
    let emphasis = &line[..marks];
    let after_marks = &line[marks..];
    // `* item` is a list item, not emphasis.
    if marks > 0 && after_marks.starts_with(char::is_whitespace) {
        return None;
    }
    let (inner, rest, bracketed) = if let Some(bracket) = after_marks.strip_prefix('[') {
        let close = bracket.find(']')?;
        let rest = &bracket[close + 1..];
        // `[x](…)`, `[x][y]` and `[x]: …` are links, not labels.
        if rest.starts_with(['(', '['])
            || rest.trim_start_matches(emphasis).starts_with(':') && rest.contains("://")
        {
            return None;
        }
        (&bracket[..close], rest.strip_prefix(emphasis).unwrap_or(rest), true)
    } else if marks > 0 {
        let close = after_marks.find(emphasis)?;
        (&after_marks[..close], &after_marks[close + marks..], false)
    } else {
        return None;
    };
    // A time may be inside the label (`Update (14:20 UTC)`, `[Update 2021-06-03 15:15]`).
    let (name, mut stamp) = match inner.find(|c: char| c.is_ascii_digit()) {
        Some(i) => match dates::read(&inner[i..]) {
            Ok((stamp, _)) => (&inner[..i], Some(stamp)),
            Err(_) => return None,
        },
        None => (inner, None),
    };
    let name = name.trim().trim_end_matches([':', '-', '(', ',', ' ', '–', '—']).trim();
    let words: Vec<String> = name
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let known = |w: &String| {
        FIRST_WORDS.contains(&w.as_str())
            || LAST_WORDS.contains(&w.as_str())
            || OTHER_WORDS.contains(&w.as_str())
    };
    if words.is_empty() || words.len() > 4 || !words.iter().all(known) {
        return None;
    }
    let mut rest = rest.trim_start();
    let separated = inner.trim_end().ends_with(':') || rest.starts_with([':', '-', '–', '—']);
    rest = rest.trim_start_matches(':').trim_start();
    if stamp.is_none() {
        let candidate = rest.trim_start_matches('(');
        if candidate.starts_with(|c: char| c.is_ascii_digit())
            && let Ok((found, used)) = dates::read(candidate)
        {
            stamp = Some(found);
            rest = candidate[used..].trim_start().trim_start_matches(')');
        }
    }
    // Emphasis alone is common in prose (`**Resolved** issues with…`): only a label that is
    // set apart (a separator, a time, or a line of its own) starts an update.
    if !bracketed && !separated && stamp.is_none() && !rest.trim().is_empty() {
        return None;
    }
    let rest = rest.trim_start().trim_start_matches([':', '-', '–', '—']).trim_start();
    let moment = if words.iter().any(|w| LAST_WORDS.contains(&w.as_str())) {
        Moment::Last
    } else if words.iter().any(|w| FIRST_WORDS.contains(&w.as_str())) {
        Moment::First
    } else {
        Moment::Other
    };
    Some(Label { name: name.to_string(), moment, stamp, rest: rest.to_string(), bracketed })
}

/// The label as plain Markdown, for an update that stays in the body: `**Edit:**`.
fn plain_label(name: &str) -> String {
    let mut chars = name.chars();
    let name: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
    format!("**{name}:**")
}

/// Takes the labelled updates whose time is known out of `body` into `out.updates`.
fn take_labelled(body: &str, times: &Times, out: &mut Extracted) -> String {
    let blocks = blocks(body);
    let mut kept: Vec<(usize, String)> = Vec::new();
    let mut found = 0;
    let mut untimed: Vec<String> = Vec::new();
    let mut i = 0;
    while i < blocks.len() {
        let block = &blocks[i];
        let first_line = block.text.lines().next().unwrap_or_default();
        let Some(found_label) = (!block.fence).then(|| label(first_line)).flatten() else {
            kept.push((i, block.text.clone()));
            i += 1;
            continue;
        };
        // The update runs to the next label or separator.
        let mut end = i + 1;
        while end < blocks.len()
            && !blocks[end].is_rule()
            && (blocks[end].fence || label(blocks[end].text.lines().next().unwrap_or_default()).is_none())
        {
            end += 1;
        }
        let mut first = found_label.rest.clone();
        let tail: Vec<&str> = block.text.lines().skip(1).collect();
        if !tail.is_empty() {
            if !first.is_empty() {
                first.push('\n');
            }
            first.push_str(&tail.join("\n"));
        }
        let mut pieces: Vec<(usize, String)> = Vec::new();
        if !first.trim().is_empty() {
            pieces.push((i, first));
        }
        pieces.extend((i + 1..end).map(|k| (k, plain_heading(&blocks[k].text))));
        let at = match (&found_label.stamp, found_label.moment) {
            (Some(Stamp::Full(at)), _) => Some(at.clone()),
            (Some(stamp), _) => same_day(times).map(|day| stamp.on(&day)),
            (None, Moment::First) => times.start.clone(),
            (None, Moment::Last) => times.resolved.clone(),
            (None, Moment::Other) => None,
        };
        match at.filter(|_| !pieces.is_empty()) {
            Some(at) => {
                let plain = found_label
                    .name
                    .split(|c: char| c.is_whitespace() || c == '-')
                    .all(|w| w.is_empty() || PLAIN_WORDS.contains(&w.to_lowercase().as_str()));
                let mut text = join(&pieces);
                if !plain {
                    text = format!("{} {text}", plain_label(&found_label.name));
                }
                if found_label.stamp.is_none() {
                    let from = if found_label.moment == Moment::First { "`date`" } else { "`resolvedWhen`" };
                    out.notes.push(format!("dated the `{}` update by {from}", found_label.name));
                }
                out.updates.push(Update { at, text });
                found += 1;
            }
            None => {
                untimed.push(found_label.name.clone());
                let mut text = block.text.clone();
                if found_label.bracketed {
                    // `[edit]` left as written would be the first words of the summary.
                    text = plain_label(&found_label.name);
                    if !found_label.rest.is_empty() {
                        text.push(' ');
                        text.push_str(&found_label.rest);
                    }
                    for line in block.text.lines().skip(1) {
                        text.push('\n');
                        text.push_str(line);
                    }
                }
                kept.push((i, text));
                kept.extend((i + 1..end).map(|k| (k, blocks[k].text.clone())));
            }
        }
        i = end;
    }
    if found > 0 {
        out.notes.push(format!("moved {found} labelled update{} into timeline entries", plural(found)));
    }
    if !untimed.is_empty() {
        out.notes.push(format!(
            "kept {} labelled update{} without a known time in the body: {}",
            untimed.len(),
            plural(untimed.len()),
            untimed.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    // Separators are kept between what stays, never at its ends.
    let mut cleaned: Vec<(usize, String)> = Vec::new();
    for (k, text) in kept {
        let rule = Block { text: text.clone(), fence: false }.is_rule() && !blocks[k].fence;
        if rule && cleaned.last().is_none_or(|(_, t)| Block { text: t.clone(), fence: false }.is_rule()) {
            continue;
        }
        cleaned.push((k, text));
    }
    while cleaned
        .last()
        .is_some_and(|(k, t)| !blocks[*k].fence && Block { text: t.clone(), fence: false }.is_rule())
    {
        cleaned.pop();
    }
    join(&cleaned)
}

/// The day of the issue, when it started and was resolved on the same day: a time of day in a
/// label can only be placed then.
fn same_day(times: &Times) -> Option<String> {
    let start = times.start.as_deref()?.get(..10)?;
    let end = times.resolved.as_deref()?.get(..10)?;
    (start == end).then(|| start.to_string())
}

/// Which shortcodes [`remove_shortcodes`] leaves.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// `track`, which marks updates still to be taken out.
    Tracks,
    Nothing,
}

/// `text` without Hugo shortcodes (outside code), each reported.
fn remove_shortcodes(text: &str, notes: &mut Vec<String>, keep: Keep) -> String {
    if !text.contains("{{<") && !text.contains("{{%") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for block in blocks_keeping_blanks(text) {
        if block.fence {
            out.push_str(&block.text);
            continue;
        }
        let mut rest = block.text.as_str();
        loop {
            let open = [rest.find("{{<"), rest.find("{{%")].into_iter().flatten().min();
            let Some(open) = open else { break };
            let close = if rest[open..].starts_with("{{<") { ">}}" } else { "%}}" };
            let Some(end) = rest[open..].find(close) else { break };
            let shortcode = &rest[open..open + end + close.len()];
            if keep == Keep::Tracks && track_at(shortcode).is_some() {
                out.push_str(&rest[..open + end + close.len()]);
                rest = &rest[open + end + close.len()..];
                continue;
            }
            notes.push(format!("removed the Hugo shortcode `{shortcode}`"));
            let before = rest[..open].trim_end_matches(' ');
            let mut after = &rest[open + end + close.len()..];
            // A shortcode alone on its line takes the line with it: left blank, the line would
            // split its paragraph in two.
            let alone_before =
                before.ends_with('\n') || before.is_empty() && (out.is_empty() || out.ends_with('\n'));
            let after_trimmed = after.trim_start_matches(' ');
            if alone_before && (after_trimmed.is_empty() || after_trimmed.starts_with('\n')) {
                after = after_trimmed.strip_prefix('\n').unwrap_or(after_trimmed);
            }
            out.push_str(before);
            rest = after;
        }
        out.push_str(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn times() -> Times {
        Times { start: Some("2024-01-12T08:05:00Z".into()), resolved: Some("2024-01-12T11:40:00Z".into()) }
    }

    fn updates(body: &str) -> (Vec<(String, String)>, String) {
        let e = extract(body, &times()).expect("extracts");
        (e.updates.into_iter().map(|u| (u.at, u.text)).collect(), e.body)
    }

    fn pair(at: &str, text: &str) -> (String, String) {
        (at.to_string(), text.to_string())
    }

    #[test]
    fn a_shortcode_before_its_text_opens_the_update() {
        let (found, body) = updates(
            "Customers could not sign in.\n\n{{< track \"2024-01-12 08:20:00\" >}}\nWe are investigating.\n\n{{< track \"2024-01-12 09:45:00\" >}}\nA certificate had expired.\n\nA new one is being deployed.\n",
        );
        assert_eq!(
            found,
            [
                pair("2024-01-12T08:20:00Z", "We are investigating."),
                pair("2024-01-12T09:45:00Z", "A certificate had expired.\n\nA new one is being deployed."),
            ]
        );
        assert_eq!(body, "Customers could not sign in.");
    }

    #[test]
    fn a_shortcode_after_its_text_closes_the_update_as_in_cstates_readme() {
        let (found, body) = updates(
            "*Post-mortem*\n\nA Redis failover.\n\n---\n\n*Resolved* -\nAll users can connect. {{< track \"2018-05-25 05:54:00\" >}}\n\n*Investigating* - We are looking. {{< track \"2018-05-25 04:13:00\" >}}\n",
        );
        assert_eq!(
            found,
            [
                pair("2018-05-25T05:54:00Z", "*Resolved* -\nAll users can connect."),
                pair("2018-05-25T04:13:00Z", "*Investigating* - We are looking."),
            ]
        );
        assert_eq!(body, "*Post-mortem*\n\nA Redis failover.", "the separator before the updates goes");
    }

    #[test]
    fn a_shortcode_on_the_line_after_its_text_closes_it_with_its_heading() {
        let (found, body) = updates(
            "Intro.\n\n### Rollback\n\nRolled back by DNS.\n{{< track \"2022-04-21T11:34:00.000Z\" >}}\n\n---\n\n**Builds**:\nFull service.\n{{< track \"2022-04-21T11:56:00.000Z\" >}}\n",
        );
        assert_eq!(
            found,
            [
                pair("2022-04-21T11:34:00Z", "**Rollback**\n\nRolled back by DNS."),
                pair("2022-04-21T11:56:00Z", "**Builds**:\nFull service."),
            ]
        );
        assert_eq!(body, "Intro.");
    }

    #[test]
    fn shortcodes_standing_alone_follow_the_end_of_the_body() {
        // The last thing is a shortcode: each closes what came before it.
        let (found, body) = updates(
            "First.\n\n{{< track \"2024-01-12 09:00\" >}}\n\nSecond.\n\n{{< track \"2024-01-12 10:00\" >}}\n",
        );
        assert_eq!(found, [pair("2024-01-12T09:00:00Z", "First."), pair("2024-01-12T10:00:00Z", "Second.")]);
        assert_eq!(body, "");
        // The last thing is text: each opens what comes after it.
        let (found, body) = updates(
            "Intro.\n\n{{< track \"2024-01-12 09:00\" >}}\n\nFirst.\n\n{{< track \"2024-01-12 10:00\" >}}\n\nSecond.\n",
        );
        assert_eq!(found, [pair("2024-01-12T09:00:00Z", "First."), pair("2024-01-12T10:00:00Z", "Second.")]);
        assert_eq!(body, "Intro.");
    }

    #[test]
    fn labelled_updates_take_their_time_from_the_label_or_the_issue() {
        let (found, body) = updates(
            "[INFRA-1](https://issues.example/INFRA-1)\n\n**[Final Message]**\nThe service is back.\n\n- api was back at 11:40\n\n[edit]\nMore details on the ticket.\n\n**Update:** 2024-01-12 09:30 UTC - A fix is deployed.\n\n*Investigating* (08:30 UTC) - Looking into it.\n\n[Initial Message]\nLogins fail.\n",
        );
        assert_eq!(
            found,
            [
                pair("2024-01-12T11:40:00Z", "The service is back.\n\n- api was back at 11:40"),
                pair("2024-01-12T09:30:00Z", "A fix is deployed."),
                pair("2024-01-12T08:30:00Z", "**Investigating:** Looking into it."),
                pair("2024-01-12T08:05:00Z", "Logins fail."),
            ]
        );
        // An update whose time nobody wrote stays, readable, in the body.
        assert_eq!(
            body,
            "[INFRA-1](https://issues.example/INFRA-1)\n\n**Edit:**\nMore details on the ticket."
        );
        assert!(!body.contains("[Final"));
    }

    #[test]
    fn a_time_of_day_is_placed_only_when_the_issue_lasted_one_day() {
        let two_days = Times {
            start: Some("2024-01-12T08:05:00Z".into()),
            resolved: Some("2024-01-13T11:40:00Z".into()),
        };
        let e = extract("**Update (14:20 UTC):** Still down.\n", &two_days).expect("extracts");
        assert!(e.updates.is_empty());
        assert_eq!(e.body, "**Update (14:20 UTC):** Still down.");
        assert!(e.notes.iter().any(|n| n.contains("without a known time")), "{:?}", e.notes);
    }

    #[test]
    fn prose_in_bold_is_not_a_label() {
        let (found, body) = updates("**Resolved** issues with the mirrors are listed below.\n");
        assert!(found.is_empty());
        assert_eq!(body, "**Resolved** issues with the mirrors are listed below.");
        assert!(label("[Notes](https://x.example)").is_none());
        assert!(label("*Post-mortem*").is_none());
    }

    #[test]
    fn comments_and_other_shortcodes_go_and_are_reported() {
        let e = extract(
            "Down.\n<!-- *Resolved* - old. {{< track \"2018-05-25 05:54:00\" >}} -->\nStill down. {{< figure src=\"x.png\" >}}\n\n```\n{{< track \"kept in code\" >}}\n```\n",
            &times(),
        )
        .expect("extracts");
        assert!(e.updates.is_empty(), "a commented-out update is not an update");
        assert_eq!(e.body, "Down.\nStill down.\n\n```\n{{< track \"kept in code\" >}}\n```");
        assert!(
            e.notes.contains(&"removed 1 HTML comment (Hugo never shows them)".to_string()),
            "{:?}",
            e.notes
        );
        assert!(e.notes.contains(&"removed the Hugo shortcode `{{< figure src=\"x.png\" >}}`".to_string()));
    }

    proptest::proptest! {
        /// Whatever a body holds, reading it neither panics nor leaves a `track` outside code.
        #[test]
        fn any_body_is_read_without_panicking(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "{{< track \"2024-01-12 09:00\" >}}", "{{%}}", "{{<", ">}}", "<!--", "-->", "\n", "\n\n",
                    "---", "```", "# H", "**[Final Message]**", "[edit]", "*Update* - ", "**Update (9:00 UTC):**",
                    "text", "é", " ", "[x](y)", "*", "_", "[", "]", "(", "2024-01-12", "25:00",
                ]),
                0..24,
            )
        ) {
            let body = parts.concat();
            if let Ok(e) = extract(&body, &times()) {
                let outside_code: String = blocks_keeping_blanks(&e.body)
                    .into_iter()
                    .filter(|b| !b.fence)
                    .map(|b| b.text)
                    .collect();
                proptest::prop_assert!(!outside_code.contains("{{< track"), "{:?} -> {:?}", body, e.body);
            }
        }
    }

    #[test]
    fn a_shortcode_alone_on_its_line_takes_the_line_and_can_open_code() {
        let e = extract("One.\n{{< figure src=\"x.png\" >}}\nTwo.\n", &times()).expect("extracts");
        assert_eq!(e.body, "One.\nTwo.", "the paragraph stays whole");
        // Removing `{{%}}` makes a fence of its line: the track after it is out of the code then,
        // and read as the update closing what comes before it.
        let e = extract("{{%}}```\n```\n{{< track \"2024-01-12 09:00\" >}}", &times()).expect("extracts");
        assert_eq!((e.body.as_str(), e.updates.len()), ("", 1));
        assert_eq!(e.updates[0].text, "```\n```");
    }

    #[test]
    fn an_ambiguous_update_date_is_refused_with_the_reason() {
        let e = extract("Text. {{< track \"03/04/2023 10:00\" >}}\n", &times()).expect_err("ambiguous");
        assert!(
            e.starts_with("update `{{< track \"03/04/2023 10:00\" >}}`: `03/04/2023 10:00` is ambiguous"),
            "{e}"
        );
    }

    #[test]
    fn separators_and_empty_shortcodes_leave_nothing_behind() {
        let (found, body) = updates(
            "Down. {{< track \"2024-02-24 10:35:00\" >}}\n\n---\n\n{{< track \"2024-02-24 10:36:00\" >}}\n\n---\n\nFixed. {{< track \"2024-02-24 10:37:00\" >}}",
        );
        assert_eq!(found, [pair("2024-02-24T10:35:00Z", "Down."), pair("2024-02-24T10:37:00Z", "Fixed.")]);
        assert_eq!(body, "");
    }
}
