//! What the last `casebook build` into an output folder was made from and what it wrote, kept
//! in a small file next to the folder (`.public.casebook-state`, never inside it, so it is not
//! deployed).
//!
//! It lets the next build do less: when no input changed (same content, templates, static
//! files, configuration, options and casebook version, and no embargo has ended since), the
//! build stops after looking at the sources' sizes and times; otherwise every file whose bytes come out the same
//! is carried over from the previous output by a hard link instead of being written again, so
//! its data and modification time stay as they were and deploy tools that compare them upload
//! only what changed. A missing, unreadable or foreign state file only means a full build.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::base::error::Diagnostic;
use crate::base::fs;

const HEX: &[u8; 16] = b"0123456789abcdef";

const HEADER: &str = concat!("casebook-build-state 3 ", env!("CARGO_PKG_VERSION"));

/// The last build of an output folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildState {
    /// The inputs of the build (see [`inputs`]).
    pub inputs: Inputs,
    /// The moment (seconds since the epoch) the next embargo ends, when one was held back:
    /// from then on the same inputs make another site.
    pub republish_at: Option<i64>,
    /// Incidents published, drafts left out, static files: for the report of a build that
    /// found nothing to do.
    pub incidents: usize,
    /// Drafts left out.
    pub drafts_skipped: usize,
    /// Static files copied.
    pub static_files: usize,
    /// Each output file (relative path) with a hash of its bytes.
    pub files: HashMap<String, u64>,
}

/// A hash of bytes, as kept for output files and racy sources: it guards against accidents,
/// not against someone crafting two pages with one hash (who could only keep their own edit
/// off their own site).
// Every byte a build writes goes through it (640 MB for the full site of 10,000 incidents),
// so it is a multiply-mix over 16-byte blocks in the manner of wyhash, several times faster
// than the standard library's SipHash with the fixed keys it replaced.
pub fn digest(bytes: &[u8]) -> u64 {
    const P0: u64 = 0xa076_1d64_78bd_642f;
    const P1: u64 = 0xe703_7ed1_a0b4_28db;
    const P2: u64 = 0x8ebc_6af0_9c88_c6e3;
    fn mix(a: u64, b: u64) -> u64 {
        let product = u128::from(a) * u128::from(b);
        // The high and low halves of the product, folded: truncation is the point.
        (product as u64) ^ ((product >> 64) as u64)
    }
    fn word(bytes: &[u8]) -> u64 {
        let mut buf = [0u8; 8];
        buf[..bytes.len()].copy_from_slice(bytes);
        u64::from_le_bytes(buf)
    }
    let mut seed = P0 ^ bytes.len() as u64;
    let mut blocks = bytes.chunks_exact(16);
    for block in &mut blocks {
        seed = mix(word(&block[..8]) ^ P1, word(&block[8..]) ^ seed);
    }
    let rest = blocks.remainder();
    let (a, b) = rest.split_at(rest.len().min(8));
    seed = mix(word(a) ^ P2, word(b) ^ seed);
    mix(seed ^ P1, bytes.len() as u64 ^ P2)
}

/// Where the state of `output` is kept: a hidden file beside it.
pub fn path(output: &Path) -> PathBuf {
    let name = output.file_name().map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    output.with_file_name(format!(".{name}.casebook-state"))
}

impl BuildState {
    /// The state left by the last build of `output`, if any can be read.
    pub fn load(output: &Path) -> Option<BuildState> {
        let text = fs::read_to_string(&path(output)).ok()?;
        BuildState::parse(&text)
    }

    fn parse(text: &str) -> Option<BuildState> {
        let mut lines = text.lines();
        if lines.next()? != HEADER {
            return None;
        }
        let mut state = BuildState::default();
        for line in lines.by_ref() {
            if line == "files" {
                break;
            }
            let (key, value) = line.split_once(' ')?;
            match key {
                "inputs" => state.inputs.stamps = u64::from_str_radix(value, 16).ok()?,
                "racy" => {
                    let (hash, place) = value.split_once(' ')?;
                    state.inputs.racy.push((place.parse().ok()?, u64::from_str_radix(hash, 16).ok()?));
                }
                "republish_at" => state.republish_at = Some(value.parse().ok()?),
                "incidents" => state.incidents = value.parse().ok()?,
                "drafts_skipped" => state.drafts_skipped = value.parse().ok()?,
                "static_files" => state.static_files = value.parse().ok()?,
                _ => return None,
            }
        }
        for line in lines {
            let (hash, file) = line.split_once(' ')?;
            state.files.insert(file.to_string(), u64::from_str_radix(hash, 16).ok()?);
        }
        Some(state)
    }

    fn to_text(&self) -> String {
        let mut out = format!("{HEADER}\ninputs {:016x}\n", self.inputs.stamps);
        // Racy sources by their place in the list of inputs, never by name: the state sits next
        // to the output, which may itself be inside a served folder, and a draft's file name
        // often says what it is about.
        for (place, hash) in &self.inputs.racy {
            out.push_str(&format!("racy {hash:016x} {place}\n"));
        }
        if let Some(at) = self.republish_at {
            out.push_str(&format!("republish_at {at}\n"));
        }
        out.push_str(&format!(
            "incidents {}\ndrafts_skipped {}\nstatic_files {}\nfiles\n",
            self.incidents, self.drafts_skipped, self.static_files
        ));
        let mut files: Vec<(&String, &u64)> = self.files.iter().collect();
        files.sort();
        // A line per output file, 37,000 for a large site: the hex digits written directly.
        out.reserve(files.iter().map(|(file, _)| file.len() + 18).sum());
        for (file, hash) in files {
            out.extend((0..16).rev().map(|nibble| HEX[(hash >> (nibble * 4)) as usize & 0xf] as char));
            out.push(' ');
            out.push_str(file);
            out.push('\n');
        }
        out
    }

    /// Saves the state of `output`.
    pub fn save(&self, output: &Path) -> Result<(), Diagnostic> {
        fs::write_atomic(&path(output), self.to_text().as_bytes())
    }

    /// Whether a build with `inputs` would read what the build of this state read: the same
    /// stamps, and the same bytes in every file that was racy then.
    pub fn same_inputs(&self, inputs: &Inputs) -> bool {
        // The same stamps mean the same list of files (their paths are hashed into them), so a
        // place in the list names the same file then as now.
        self.inputs.stamps == inputs.stamps
            && self.inputs.racy.iter().all(|(place, hash)| {
                // A racy file that is racy still was hashed a moment ago.
                let now = inputs.racy.iter().find(|(p, _)| p == place).map(|(_, h)| *h);
                let read = || inputs.files.get(*place).and_then(|f| fs::read(f).ok()).map(|b| digest(&b));
                now.or_else(read) == Some(*hash)
            })
    }

    /// Whether the output folder still holds every file of this state.
    pub fn output_intact(&self, output: &Path) -> bool {
        self.files.par_iter().all(|(f, _)| fs::is_file(&output.join(f)))
    }
}

/// What the inputs of a build looked like when it started (see [`inputs`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    /// A hash of the options and of each input file's path and [`fs::Stamp`].
    pub stamps: u64,
    /// The files changed so recently that a further change could keep their stamp, by their
    /// place in `files`, with a hash of their bytes.
    pub racy: Vec<(usize, u64)>,
    /// Every input file, in the order hashed into `stamps`. Not kept in the state file: only
    /// the inputs of the build about to run have them.
    pub files: Vec<PathBuf>,
}

/// How close to the start of a build a file's change makes it "racy": file systems keep
/// times to a tick of their clock, from a few milliseconds (Linux's coarse clock) to two
/// seconds (FAT). A file changed within this window of the stamps being taken could change
/// again without its stamp changing, so its bytes are compared instead.
const RACY_NS: i128 = 3_000_000_000;

/// The inputs of a build of the site at `root`: each file under `content/`, `templates/`,
/// `themes/` and `static/`, `casebook.yaml`, and `options` (the command line's settings, which
/// the caller renders as text). casebook's own version is in the state file's header.
///
/// Files are compared by their stamps (size, times, inode), which costs one `stat` each
/// rather than reading every source before every build. Like git's index, this trusts a
/// stamp only for files changed well before it was taken: a recently changed file is also
/// hashed by content ([`Inputs::racy`]), since a second save within one tick of the clock,
/// keeping the size, would keep its stamp; a stale "up to date" could keep a correction off
/// the public site.
pub fn inputs(root: &Path, options: &str) -> Result<Inputs, Diagnostic> {
    let content = fs::files_under(&root.join(crate::site::CONTENT_DIR))?;
    inputs_with(root, options, &content)
}

/// [`inputs`], with the files under `content/` listed already: a build lists them once, for
/// this and for loading the site.
pub fn inputs_with(root: &Path, options: &str, content: &[PathBuf]) -> Result<Inputs, Diagnostic> {
    let taken = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i128::try_from(d.as_nanos()).unwrap_or(i128::MAX));
    let config = root.join(crate::config::CONFIG_FILE);
    let mut files = Vec::new();
    if fs::is_file(&config) {
        files.push(config);
    }
    files.extend_from_slice(content);
    for dir in ["templates", "themes", "static", "i18n"] {
        files.extend(fs::files_under(&root.join(dir))?);
    }
    let stamps: Vec<fs::Stamp> = files.par_iter().map(|f| fs::stamp(f)).collect::<Result<_, _>>()?;
    let mut h = crate::base::hash::fingerprinter();
    options.hash(&mut h);
    files.hash(&mut h);
    stamps.hash(&mut h);
    // Where the system keeps no status change time or inode, every file counts as racy.
    let recent = |s: &fs::Stamp| !cfg!(unix) || s.modified.max(s.changed) >= taken - RACY_NS;
    let racy = files
        .iter()
        .zip(&stamps)
        .enumerate()
        .filter(|(_, (_, s))| recent(s))
        .map(|(place, (f, _))| Ok((place, digest(&fs::read(f)?))))
        .collect::<Result<_, Diagnostic>>()?;
    Ok(Inputs { stamps: h.finish(), racy, files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_reads_back() {
        let mut state = BuildState {
            inputs: Inputs { stamps: 0xfeed, racy: vec![(3, 7)], files: Vec::new() },
            republish_at: Some(1_800_000_000),
            incidents: 3,
            drafts_skipped: 1,
            static_files: 2,
            files: HashMap::new(),
        };
        state.files.insert("incidents/a b/index.html".into(), 42);
        state.files.insert("index.html".into(), u64::MAX);
        let text = state.to_text();
        assert!(
            text.ends_with("files\n000000000000002a incidents/a b/index.html\nffffffffffffffff index.html\n")
        );
        assert_eq!(BuildState::parse(&text), Some(state));
        assert!(text.contains("\nracy 0000000000000007 3\n"), "{text}");
    }

    #[test]
    fn digests_tell_close_inputs_apart() {
        // Every length up to a few blocks, every single-bit change, and trailing zeros.
        let base: Vec<u8> = (0..70u8).collect();
        let mut seen = std::collections::HashSet::new();
        for len in 0..=base.len() {
            assert!(seen.insert(digest(&base[..len])), "length {len}");
            for bit in 0..len * 8 {
                let mut changed = base[..len].to_vec();
                changed[bit / 8] ^= 1 << (bit % 8);
                assert!(seen.insert(digest(&changed)), "length {len}, bit {bit}");
            }
        }
        assert_ne!(digest(&[0; 16]), digest(&[0; 17]));
        assert_eq!(digest(b"same bytes"), digest(b"same bytes"));
    }

    #[test]
    fn racy_files_are_compared_by_their_bytes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("a.md");
        std::fs::write(&file, "one").expect("write");
        let now =
            Inputs { stamps: 1, racy: Vec::new(), files: vec![file.clone(), dir.path().join("gone.md")] };
        let state = |place: usize, hash: u64| BuildState {
            inputs: Inputs { stamps: 1, racy: vec![(place, hash)], files: Vec::new() },
            ..BuildState::default()
        };
        assert!(state(0, digest(b"one")).same_inputs(&now));
        assert!(!state(0, digest(b"two")).same_inputs(&now), "same stamps, other bytes");
        assert!(!state(1, 0).same_inputs(&now), "a racy file that went away");
        assert!(!state(2, 0).same_inputs(&now), "a place beyond the list");
        let other = Inputs { stamps: 2, ..now.clone() };
        assert!(!state(0, digest(b"one")).same_inputs(&other));
    }

    #[test]
    fn a_just_written_file_is_racy_and_any_change_is_seen() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("content")).expect("mkdir");
        let file = dir.path().join("content/a.md");
        std::fs::write(&file, "one").expect("write");
        let before = inputs(dir.path(), "options").expect("inputs");
        assert_eq!(before.racy, vec![(0, digest(b"one"))]);
        assert_eq!(before.files, std::slice::from_ref(&file));
        let state = BuildState { inputs: before.clone(), ..BuildState::default() };
        assert!(state.same_inputs(&inputs(dir.path(), "options").expect("inputs")));
        assert!(!state.same_inputs(&inputs(dir.path(), "other options").expect("inputs")));
        // Same size, likely the same clock tick: caught by the stamp or by the bytes.
        std::fs::write(&file, "two").expect("write");
        assert!(!state.same_inputs(&inputs(dir.path(), "options").expect("inputs")));
        std::fs::write(&file, "one").expect("write");
        std::fs::write(dir.path().join("content/b.md"), "new").expect("write");
        assert!(!state.same_inputs(&inputs(dir.path(), "options").expect("inputs")), "a new file");
    }

    #[test]
    fn foreign_or_damaged_states_are_ignored() {
        assert_eq!(BuildState::parse("casebook-build-state 3 0.0.0-other\ninputs 1\nfiles\n"), None);
        // The format before racy files were kept by place.
        let old = concat!("casebook-build-state 2 ", env!("CARGO_PKG_VERSION"));
        assert_eq!(BuildState::parse(&format!("{old}\ninputs 1\nfiles\n")), None);
        assert_eq!(BuildState::parse(&format!("{HEADER}\ninputs zz\nfiles\n")), None);
        assert_eq!(BuildState::parse(""), None);
    }
}
