//! Progress on a terminal: indicatif bars on stderr, drawn only when stderr is a terminal;
//! the console lines go to stdout either way, so a pipe gets plain lines.

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

pub struct Progress {
    bars: MultiProgress,
}

impl Progress {
    pub fn new() -> Progress {
        // indicatif's stderr target draws nothing when stderr is not a terminal.
        Progress {
            bars: MultiProgress::new(),
        }
    }

    /// A bar counting batches (or tasks), labelled by `prefix`; `finish_and_clear` it.
    pub fn bar(&self, prefix: impl Into<String>, len: u64, unit: &str) -> ProgressBar {
        let template =
            format!("{{prefix}} [{{bar:32}}] {{pos}}/{{len}} {unit} {{msg}} ({{elapsed}})");
        let style = ProgressStyle::with_template(&template)
            .expect("the template is valid")
            .progress_chars("=> ");
        let bar = self.bars.add(ProgressBar::new(len)).with_style(style);
        bar.set_prefix(prefix.into());
        bar
    }

    /// Prints a line on stdout above the bars.
    pub fn println(&self, line: &str) {
        self.bars.suspend(|| println!("{line}"));
    }
}
