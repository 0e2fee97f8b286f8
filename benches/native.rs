//! `make bench`, native half: kernel, step and epoch figures on this machine's CPU.
//! Prints `bench: <name> <value> <unit>` lines; never fails on a time. `BENCH_ONLY=a,b`
//! runs only the groups named (see `ayla::bench::GROUPS`); `BENCH_CLOCK=cpu` measures this
//! thread's CPU time rather than the wall clock.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use ayla::bench;
use ayla::mnist::{self, Dataset};

fn clock() -> f64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}

/// Seconds this thread has spent on a CPU: unlike the wall clock, it does not count the
/// time others' processes had the core, so figures hold on a busy machine. (This bench
/// runs natively; the browser half is scripts/bench.mjs.)
#[cfg(not(target_arch = "wasm32"))]
fn cpu_clock() -> f64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    now.tv_sec as f64 + now.tv_nsec as f64 * 1e-9
}

fn load(images: &str, labels: &str) -> Arc<Dataset> {
    let dir =
        std::env::var_os("MNIST_DIR").map_or_else(|| PathBuf::from("www/data"), PathBuf::from);
    let read = |name: &str| {
        std::fs::read(dir.join(name)).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run `make bench`, which fetches MNIST)",
                dir.join(name).display()
            )
        })
    };
    Arc::new(Dataset::from_idx(read(images), read(labels)).expect("valid MNIST"))
}

fn main() {
    let train = load(mnist::TRAIN_IMAGES, mnist::TRAIN_LABELS);
    let test = load(mnist::TEST_IMAGES, mnist::TEST_LABELS);
    // BENCH_ONLY=profile,scaling runs just those groups (see bench::GROUPS); BENCH_CLOCK=cpu
    // times with this thread's CPU time instead of the wall clock.
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    #[cfg(not(target_arch = "wasm32"))]
    let clock = match std::env::var("BENCH_CLOCK").as_deref() {
        Ok("cpu") => cpu_clock,
        _ => clock,
    };
    for f in bench::run_groups(&only, clock, &train, &test) {
        println!("native {f}");
    }
}
