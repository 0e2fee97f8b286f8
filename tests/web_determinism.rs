#![cfg(target_arch = "wasm32")]
//! Same parameters, same numbers, bit for bit, in every browser engine tested: three short
//! runs on real MNIST, in a dedicated worker like the page's training, hashed together
//! (every step's figures, every epoch's metrics, the final parameters' f32 bytes) and
//! compared with one digest; and two runs through two hidden layers, with a digest of their
//! own. `make test` runs this file in Chromium and in Firefox, so either engine drifting
//! from a digest fails.

mod browser_files;

use std::sync::Arc;

use ayla::ayla::Branch;
use ayla::config::Config;
use ayla::method::Method;
use ayla::mnist::Dataset;
use ayla::shape::Hidden;
use ayla::train::{StepReport, Trainer};
use sha2::{Digest, Sha256};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// SHA-256 of the three runs below, as `hash_runs` feeds them. Produced once by this test
/// (its failure message prints the digest it computed) in headless Chromium 156 and Firefox
/// ESR 153, which gave this same value. It depends on the wasm arithmetic only: a change
/// that alters the numbers on purpose (a kernel's order of summation, the AYLA rule, the
/// initialisation, the shuffle) changes it. Then run the test in both engines
/// (`make test`), check that both print the same new digest, and put it here. Last changed
/// by issue 13's second round (the AYLA rule's powers as 2^(a · log2 x) with shorter
/// polynomials, `fastmath::Power`): both engines printed this digest (it was 322d3c99…
/// before, and 7983e78a… before the first speed round).
const EXPECTED_DIGEST: &str = "f48f5925091968fb45c2e376c37e0dc40a20dbefe302d3c08a8ae8dcd88d0706";

/// SHA-256 of the two runs of a network with two hidden layers (see [`deeper_runs`]),
/// hashed the same way, and printed alike by headless Chromium 156 and Firefox ESR 153. It
/// covers the dense hidden layer's forward and backward products, which the one-layer runs
/// do not reach. Last changed with [`EXPECTED_DIGEST`] by the AYLA rule's new powers (it
/// was 1ed22b52… before).
const DEEPER_DIGEST: &str = "5de3d4ad12cf827d5d7b1fd35051b79b627a8dcc4847106ad92aef8f496a118b";

/// 12,800 images in batches of 128: 100 steps per epoch, 200 in the two epochs.
const TRAIN_IMAGES: usize = 12_800;

/// The runs: Normal and AYLA with the page's defaults from seed 42, and AYLA with
/// N1 = 1.2, N2 = 0.8 at a learning rate (0.05) at which the batch loss falls below 1 near
/// step 74 and then goes back and forth across it, so both branches of the rule run.
fn runs() -> [(Method, Config); 3] {
    let base = Config {
        epochs: 2,
        train_size: TRAIN_IMAGES,
        seed: 42,
        ..Config::default()
    };
    let crossing = Config {
        n1: 1.2,
        n2: 0.8,
        learning_rate: 0.05,
        ..base
    };
    [
        (Method::Normal, base),
        (Method::Ayla, base),
        (Method::Ayla, crossing),
    ]
}

/// Normal, and AYLA with N1 = 1.2, N2 = 0.8 at lr 0.05 (both branches again), through two
/// hidden layers of 100 and 37 units: widths that leave every block size and leftover of the
/// dense products some work (100 inputs: three blocks of eight vectors and one alone; 37: nine
/// vectors and one input left over, and four blocks of eight outputs then five alone).
fn deeper_runs() -> [(Method, Config); 2] {
    let [(_, base), (_, _), (_, crossing)] = runs();
    let hidden = Hidden::new(&[100, 37]).unwrap();
    [
        (Method::Normal, Config { hidden, ..base }),
        (Method::Ayla, Config { hidden, ..crossing }),
    ]
}

fn hash_step(hasher: &mut Sha256, report: &StepReport) {
    for value in [report.loss, report.lmod, report.grad_norm, report.batch_acc] {
        hasher.update(value.to_le_bytes());
    }
    hasher.update([report.branch.map_or(0, |b| b as u8 + 1)]);
}

/// Trains one run to its end, hashing as it goes; returns its steps' branches.
fn hash_run(
    hasher: &mut Sha256,
    (method, config): (Method, Config),
    train: &Arc<Dataset>,
    test: &Arc<Dataset>,
) -> Vec<Option<Branch>> {
    let mut trainer = Trainer::new(config, method, Arc::clone(train), Arc::clone(test), || 0.0);
    let mut branches = Vec::new();
    while !trainer.is_finished() {
        let metrics = trainer
            .run_epoch(|report| {
                hash_step(hasher, report);
                branches.push(report.branch);
                std::ops::ControlFlow::Continue(())
            })
            .expect("an epoch runs to its end");
        assert_eq!(metrics.diverged_at, None, "{method:?} diverged");
        for value in [
            metrics.loss,
            metrics.accuracy,
            metrics.val_loss,
            metrics.val_accuracy,
            metrics.grad_norm,
        ] {
            hasher.update(value.to_le_bytes());
        }
    }
    for parameters in trainer.model().slices() {
        for value in parameters {
            hasher.update(value.to_le_bytes());
        }
    }
    branches
}

/// Trains every run in turn, hashing them together: the digest, and the last run's
/// branches.
async fn digest(runs: &[(Method, Config)]) -> (String, Vec<Option<Branch>>) {
    let (train, test) = browser_files::mnist().await;
    let train = Arc::new(train.first(TRAIN_IMAGES));
    let mut hasher = Sha256::new();
    let mut branches = Vec::new();
    for &run in runs {
        branches = hash_run(&mut hasher, run, &train, &test);
        assert_eq!(branches.len(), 200);
    }
    let digest = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    (digest, branches)
}

/// The last run's premise: its loss crossed 1, so both exponents were used.
fn assert_both_branches(branches: &[Option<Branch>]) {
    let count = |b| branches.iter().filter(|&&taken| taken == Some(b)).count();
    assert!(
        count(Branch::Above) > 0 && count(Branch::Below) > 0,
        "N1 1.2, N2 0.8: {} steps above 1, {} below",
        count(Branch::Above),
        count(Branch::Below)
    );
}

#[wasm_bindgen_test]
async fn short_runs_give_the_committed_digest_in_every_engine() {
    let (digest, branches) = digest(&runs()).await;
    assert_both_branches(&branches);
    console_log!("determinism digest: {digest}");
    assert_eq!(digest, EXPECTED_DIGEST);
}

#[wasm_bindgen_test]
async fn runs_through_two_hidden_layers_give_their_committed_digest_in_every_engine() {
    let (digest, branches) = digest(&deeper_runs()).await;
    assert_both_branches(&branches);
    console_log!("two-layer determinism digest: {digest}");
    assert_eq!(digest, DEEPER_DIGEST);
}
