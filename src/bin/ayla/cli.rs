//! The command line's shape: every command, option and help text (clap). The page's
//! parameters come from `fields`, so their names, limits and help are the page's.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::fields::{RunFields, SweepFields};

#[derive(Parser)]
#[command(
    name = "ayla",
    version,
    about = "AYLA vs Normal on MNIST: train, or sweep (N1, N2) × seeds on a cluster",
    long_about = "AYLA vs Normal on MNIST, the page's experiment from the command line.\n\n\
                  `ayla train` trains both methods side by side and prints the original's \
                  console lines. `ayla sweep` plans a sweep, runs it as one task per run \
                  (a Slurm array job, or here) and merges the results into the page's exports."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Train Normal and AYLA side by side and print the original's console lines.
    Train(TrainArgs),
    /// Plan a sweep, run its tasks, see what is done, merge the results.
    #[command(subcommand)]
    Sweep(SweepCommand),
}

/// Where the four MNIST IDX files are (`train-images-idx3-ubyte`, …).
#[derive(Args)]
pub struct DataArg {
    /// Folder holding the four MNIST IDX files.
    #[arg(
        long,
        value_name = "DIR",
        env = "MNIST_DIR",
        default_value = "www/data"
    )]
    pub data: PathBuf,
}

#[derive(Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub fields: RunFields,
    #[command(flatten)]
    pub data: DataArg,
    /// Start from raw little-endian w1.f32 b1.f32 w2.f32 b2.f32 (as in tests/golden/)
    /// instead of the seed's initial weights (one hidden layer).
    #[arg(long, value_name = "DIR")]
    pub init: Option<PathBuf>,
    /// Train on the batches in file order (no shuffle).
    #[arg(long)]
    pub no_shuffle: bool,
    /// Stop after this many batches.
    #[arg(long, value_name = "N")]
    pub steps: Option<usize>,
    /// Print one JSON object per step and method on stdout instead of the epoch lines.
    #[arg(long)]
    pub jsonl: bool,
}

#[derive(Subcommand)]
pub enum SweepCommand {
    /// Check a sweep's parameters and write its plan: one task per run.
    Plan(PlanArgs),
    /// Run one task of a plan (a Slurm array element), or every missing task here.
    Run(RunArgs),
    /// Say which tasks of a plan are done and which are missing.
    Status(StatusArgs),
    /// Merge the tasks' results into the page's exports.
    Merge(MergeArgs),
}

#[derive(Args)]
pub struct PlanArgs {
    /// A page link or its query (…?mode=sweep&n1=0.8,0.9&…); options given beside it win.
    #[arg(long, value_name = "LINK")]
    pub from: Option<String>,
    #[command(flatten)]
    pub fields: SweepFields,
    /// Where to write the plan.
    #[arg(short, long, value_name = "FILE", default_value = "plan.json")]
    pub output: PathBuf,
    /// Tasks running at once, for the time estimate and the suggested Slurm throttle.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub parallel: usize,
}

#[derive(Args)]
pub struct RunArgs {
    /// The plan written by `ayla sweep plan`.
    pub plan: PathBuf,
    /// The task to run, 0 to tasks − 1 (Slurm sets SLURM_ARRAY_TASK_ID in array jobs).
    #[arg(long, value_name = "I", env = "SLURM_ARRAY_TASK_ID")]
    pub task: Option<usize>,
    /// Run every task that has no result yet, here.
    #[arg(long)]
    pub local: bool,
    /// With --local: tasks at once, one thread each [default: the cores available].
    #[arg(short, long, value_name = "N", requires = "local")]
    pub jobs: Option<usize>,
    /// Folder of the results: task I writes RUNS/I.json.
    #[arg(long, value_name = "RUNS", default_value = "runs")]
    pub runs: PathBuf,
    #[command(flatten)]
    pub data: DataArg,
}

#[derive(Args)]
pub struct StatusArgs {
    /// The plan written by `ayla sweep plan`.
    pub plan: PathBuf,
    /// Folder of the tasks' results.
    #[arg(default_value = "runs")]
    pub runs: PathBuf,
    /// Print only the missing tasks, in sbatch's --array syntax (e.g. 3,7-9).
    #[arg(long)]
    pub array: bool,
}

#[derive(Args)]
pub struct MergeArgs {
    /// The plan written by `ayla sweep plan`.
    pub plan: PathBuf,
    /// Folder of the tasks' results.
    pub runs: PathBuf,
    /// Folder to write mnist_sweep.csv, mnist_sweep.json and mnist_sweep_heatmap.png in.
    #[arg(short, long, value_name = "DIR", default_value = ".")]
    pub output: PathBuf,
}
