//! The crawl's progress on stderr: an indicatif spinner per capability on a terminal,
//! one plain line per page otherwise (a CI log, a file).

use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Shows how far a crawl is.
pub(crate) enum Progress {
    /// A spinner on the terminal.
    Bar(ProgressBar),
    /// Plain lines on stderr.
    Lines,
}

impl Progress {
    /// A spinner when stderr is a terminal, plain lines otherwise.
    pub(crate) fn for_stderr() -> Self {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} [{elapsed}] {msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            Progress::Bar(bar)
        } else {
            Progress::Lines
        }
    }

    /// A page of `capability` arrived.
    pub(crate) fn page(&self, capability: &str, page: u64, items: usize, total: u64, ms: u64) {
        match self {
            Progress::Bar(bar) => bar.set_message(format!(
                "{capability}: page {page}, {total} items ({ms} ms for the last page)"
            )),
            Progress::Lines => {
                eprintln!("{capability}: page {page}: {items} items ({total} so far) in {ms} ms")
            }
        }
    }

    /// `capability` ended (`outcome` says how).
    pub(crate) fn done(&self, capability: &str, outcome: &str) {
        match self {
            Progress::Bar(bar) => bar.println(format!("{capability}: {outcome}")),
            Progress::Lines => eprintln!("{capability}: {outcome}"),
        }
    }

    /// The crawl ended: the spinner goes away.
    pub(crate) fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}
