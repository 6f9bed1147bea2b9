//! The floor of writing a site: the time to put a given output folder's files on disk, with
//! nothing else done, as bench/run.sh compares casebook to.
//!
//!   write-floor SOURCE TARGET [--in-place]
//!
//! Reads every file under SOURCE into memory (not timed), then, timed, writes them all under
//! TARGET on every core. By default it replaces TARGET as casebook does, so that a failed build
//! never leaves half a site: into a new folder beside it, swapped in by a rename, the replaced
//! folder then removed in parallel. With `--in-place` it overwrites TARGET's files where they
//! are, as the floor program and Hugo do (and never removes a file). Prints the seconds taken.
//!
//! The difference between the two, and between either and a whole build, says what a build of
//! that output can gain at most from faster rendering, and what replacing a site atomically
//! costs.

use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;
use std::{env, fs, io, process};

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let in_place = args.iter().any(|a| a == "--in-place");
    let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let [source, target] = paths[..] else {
        eprintln!("usage: write-floor SOURCE TARGET [--in-place]");
        process::exit(2);
    };
    if let Err(e) = run(Path::new(source), Path::new(target), in_place) {
        eprintln!("write-floor: {e}");
        process::exit(1);
    }
}

fn run(source: &Path, target: &Path, in_place: bool) -> io::Result<()> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(source) {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(source).map_err(io::Error::other)?.to_path_buf();
            files.push((rel, fs::read(entry.path())?));
        }
    }
    let start = Instant::now();
    if in_place {
        write_all(target, &files)?;
    } else {
        let staging = sibling(target, "staging");
        let old = sibling(target, "old");
        write_all(&staging, &files)?;
        let replaced = target.exists();
        if replaced {
            fs::rename(target, &old)?;
        }
        fs::rename(&staging, target)?;
        if replaced {
            remove_parallel(&old)?;
        }
    }
    println!("{:.3}", start.elapsed().as_secs_f64());
    Ok(())
}

fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let name = target.file_name().map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    target.with_file_name(format!(".{name}.write-floor-{suffix}"))
}

/// Writes every file, in pieces of at most 16 as casebook hands out pages, making a file's
/// folder when writing it first fails for the lack of one.
fn write_all(root: &Path, files: &[(PathBuf, Vec<u8>)]) -> io::Result<()> {
    files.par_iter().with_max_len(16).try_for_each(|(rel, bytes)| {
        let path = root.join(rel);
        match fs::write(&path, bytes) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent)?;
                }
                fs::write(&path, bytes)
            }
            result => result,
        }
    })
}

/// Removes a folder two levels deep in parallel: a site is a few folders of thousands each.
fn remove_parallel(dir: &Path) -> io::Result<()> {
    let mut parts = Vec::new();
    let mut folders = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            for inner in fs::read_dir(entry.path())? {
                let inner = inner?;
                parts.push((inner.path(), inner.file_type()?.is_dir()));
            }
            folders.push(entry.path());
        } else {
            parts.push((entry.path(), false));
        }
    }
    parts.par_iter().try_for_each(
        |(path, is_dir)| if *is_dir { fs::remove_dir_all(path) } else { fs::remove_file(path) },
    )?;
    for folder in folders {
        fs::remove_dir(folder)?;
    }
    fs::remove_dir(dir)
}
