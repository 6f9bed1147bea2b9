//! What the last `casebook build` into an output folder was made from and what it wrote, kept
//! in a small file next to the folder (`.public.casebook-state`, never inside it, so it is not
//! deployed).
//!
//! It lets the next build do less: when no input changed (same content, templates, static
//! files, configuration, options and casebook version, and no embargo has ended since), the
//! build stops after reading the sources; otherwise every file whose bytes come out the same
//! is carried over from the previous output by a hard link instead of being written again, so
//! its data and modification time stay as they were and deploy tools that compare them upload
//! only what changed. A missing, unreadable or foreign state file only means a full build.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::Diagnostic;
use crate::fs;

const HEADER: &str = concat!("casebook-build-state 1 ", env!("CARGO_PKG_VERSION"));

/// The last build of an output folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildState {
    /// A hash of every input of the build (see [`inputs`]).
    pub inputs: u64,
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

/// A hash of bytes, as kept for output files.
pub fn digest(bytes: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
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
                "inputs" => state.inputs = u64::from_str_radix(value, 16).ok()?,
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
        let mut out = format!("{HEADER}\ninputs {:016x}\n", self.inputs);
        if let Some(at) = self.republish_at {
            out.push_str(&format!("republish_at {at}\n"));
        }
        out.push_str(&format!(
            "incidents {}\ndrafts_skipped {}\nstatic_files {}\nfiles\n",
            self.incidents, self.drafts_skipped, self.static_files
        ));
        let mut files: Vec<(&String, &u64)> = self.files.iter().collect();
        files.sort();
        for (file, hash) in files {
            out.push_str(&format!("{hash:016x} {file}\n"));
        }
        out
    }

    /// Saves the state of `output`.
    pub fn save(&self, output: &Path) -> Result<(), Diagnostic> {
        fs::write_atomic(&path(output), self.to_text().as_bytes())
    }

    /// Whether the output folder still holds every file of this state.
    pub fn output_intact(&self, output: &Path) -> bool {
        self.files.par_iter().all(|(f, _)| fs::is_file(&output.join(f)))
    }
}

/// A hash of every input of a build of the site at `root`: each file under `content/`,
/// `templates/`, `themes/` and `static/` (path and bytes), `casebook.yaml`, and `options` (the
/// command line's settings, which the caller renders as text). casebook's own version is in
/// the state file's header.
pub fn inputs(root: &Path, options: &str) -> Result<u64, Diagnostic> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    options.hash(&mut h);
    let config = root.join(crate::config::CONFIG_FILE);
    let mut files = Vec::new();
    if fs::is_file(&config) {
        files.push(config);
    }
    for dir in [crate::site::CONTENT_DIR, "templates", "themes", "static"] {
        files.extend(fs::files_under(&root.join(dir))?);
    }
    // Read and hashed in parallel, combined in order: this runs before every build.
    let hashes: Vec<u64> = files
        .par_iter()
        .map(|file| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            file.hash(&mut h);
            fs::read(file)?.hash(&mut h);
            Ok(h.finish())
        })
        .collect::<Result<_, Diagnostic>>()?;
    hashes.hash(&mut h);
    Ok(h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_reads_back() {
        let mut state = BuildState {
            inputs: 0xfeed,
            republish_at: Some(1_800_000_000),
            incidents: 3,
            drafts_skipped: 1,
            static_files: 2,
            files: HashMap::new(),
        };
        state.files.insert("incidents/a b/index.html".into(), 42);
        state.files.insert("index.html".into(), u64::MAX);
        assert_eq!(BuildState::parse(&state.to_text()), Some(state));
    }

    #[test]
    fn foreign_or_damaged_states_are_ignored() {
        assert_eq!(BuildState::parse("casebook-build-state 1 0.0.0-other\ninputs 1\nfiles\n"), None);
        assert_eq!(BuildState::parse(&format!("{HEADER}\ninputs zz\nfiles\n")), None);
        assert_eq!(BuildState::parse(""), None);
    }
}
