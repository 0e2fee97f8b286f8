//! `ayla`: the page's experiment from the command line. `ayla train` trains Normal and AYLA
//! side by side; `ayla sweep` plans a sweep, runs its tasks (one per run: Slurm array
//! elements, or a local pool) and merges their results into the page's exports.
//! `ayla --help` and `ayla <command> --help` say the rest.
//!
//! Nothing here is built for the page: on wasm32 the binary is an empty `main`.

#[cfg(not(target_arch = "wasm32"))]
mod cli;
#[cfg(not(target_arch = "wasm32"))]
mod data;
#[cfg(not(target_arch = "wasm32"))]
mod fields;
#[cfg(not(target_arch = "wasm32"))]
mod progress;
#[cfg(not(target_arch = "wasm32"))]
mod sweep;
#[cfg(not(target_arch = "wasm32"))]
mod train;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use clap::Parser;
    use cli::{Cli, Command, SweepCommand};

    let outcome = match Cli::parse().command {
        Command::Train(args) => train::run(args),
        Command::Sweep(SweepCommand::Plan(args)) => sweep::plan(args),
        Command::Sweep(SweepCommand::Run(args)) => sweep::run(args),
        Command::Sweep(SweepCommand::Status(args)) => sweep::status(args),
        Command::Sweep(SweepCommand::Merge(args)) => sweep::merge(args),
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}
