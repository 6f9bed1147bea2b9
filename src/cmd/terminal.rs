//! The terminal side shared by the subcommands: the progress line, error and log lines on
//! stderr, and writing to stdout.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Prints each diagnostic on stderr as `error: …`.
pub fn print_errors(diagnostics: &[casebook::Diagnostic]) {
    for d in diagnostics {
        eprintln!("error: {d}");
    }
}

/// Writes to standard output; a reader that stops early (`| head`) is not an error.
pub fn print_stdout(bytes: &[u8]) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("error: could not write to standard output: {e}");
            ExitCode::FAILURE
        }
        _ => ExitCode::SUCCESS,
    }
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A one-line progress counter on stderr, for builds that take more than a moment.
pub struct TerminalProgress {
    enabled: bool,
    started: Instant,
    total: AtomicUsize,
    done: AtomicUsize,
    last_draw: Mutex<Option<Instant>>,
    stage: Mutex<String>,
}

impl TerminalProgress {
    /// Builds faster than this never show a progress line.
    const DELAY: Duration = Duration::from_millis(300);
    const INTERVAL: Duration = Duration::from_millis(100);

    pub fn new(enabled: bool) -> Self {
        TerminalProgress {
            enabled,
            started: Instant::now(),
            total: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            last_draw: Mutex::new(None),
            stage: Mutex::new(String::new()),
        }
    }
}

impl casebook::Progress for TerminalProgress {
    fn start(&self, stage: &str, total: usize) {
        *self.stage.lock().unwrap_or_else(|p| p.into_inner()) = stage.to_string();
        self.total.store(total, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
    }

    fn advance(&self, n: usize) {
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        if !self.enabled || self.started.elapsed() < Self::DELAY {
            return;
        }
        // try_lock: a thread that would wait simply skips drawing this step.
        let Ok(mut last) = self.last_draw.try_lock() else { return };
        if last.is_some_and(|t| t.elapsed() < Self::INTERVAL) {
            return;
        }
        *last = Some(Instant::now());
        let total = self.total.load(Ordering::Relaxed).max(1);
        let stage = self.stage.lock().map(|s| s.clone()).unwrap_or_default();
        eprint!("\r\x1b[2K{stage} {done}/{total} ({}%)", done * 100 / total);
        let _ = std::io::stderr().flush();
    }

    fn finish(&self) {
        if self.enabled && self.last_draw.lock().is_ok_and(|l| l.is_some()) {
            eprint!("\r\x1b[2K");
        }
    }
}

/// Prints log records to stderr as `level: message`.
pub struct StderrLogger;

impl StderrLogger {
    pub fn install(level: log::LevelFilter) {
        static LOGGER: StderrLogger = StderrLogger;
        if log::set_logger(&LOGGER).is_ok() {
            log::set_max_level(level);
        }
    }
}

impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        // Other crates' messages (the file watcher's) are about their internals: only with -vv.
        let ours = metadata.target().starts_with("casebook");
        metadata.level() <= log::max_level() && (ours || log::max_level() >= log::LevelFilter::Debug)
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            eprintln!("{}: {}", record.level().as_str().to_lowercase(), record.args());
        }
    }

    fn flush(&self) {}
}
