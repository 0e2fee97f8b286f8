//! The training worker's entry point: one `WorkerRun` per worker, training one method
//! and posting protocol messages (see `crate::protocol`) through a JS callback.

use std::ops::ControlFlow;
use std::sync::Arc;

use wasm_bindgen::prelude::*;

use super::clock::seconds as now;
use super::js::JsImageFile;
use crate::method::Method;
use crate::mnist::{self, Dataset};
use crate::protocol::{FromWorker, ProgressMeter, ToWorker};
use crate::train::Trainer;

/// The `Ready` message, posted once the module is loaded.
#[wasm_bindgen]
pub fn ready_message() -> String {
    FromWorker::Ready.encode()
}

/// The four IDX files, parsed and indexed once per worker and kept for every run it is
/// given (a sweep's pool sends the data only with a worker's first run).
#[wasm_bindgen]
pub struct WorkerData {
    train: Arc<Dataset>,
    test: Arc<Dataset>,
}

#[wasm_bindgen]
impl WorkerData {
    /// Indexes the four IDX files (in `DATA_FILES` order), reading the image files from
    /// JavaScript in pieces: only their nonzero-pixel index is kept, so the images are
    /// never copied whole into wasm memory, which would keep that size for good. If the
    /// files are unusable it posts an `Error` message for the run `start` describes and
    /// returns `undefined`; it throws only if `post` throws.
    pub fn load(
        start: &str,
        train_images: &js_sys::Uint8Array,
        train_labels: Vec<u8>,
        test_images: &js_sys::Uint8Array,
        test_labels: Vec<u8>,
        post: &js_sys::Function,
    ) -> Result<Option<WorkerData>, JsValue> {
        let loaded = Dataset::from_idx_file(&JsImageFile(train_images), train_labels)
            .map_err(|e| format!("Training files: {e}"))
            .and_then(|train| {
                let test = Dataset::from_idx_file(&JsImageFile(test_images), test_labels)
                    .map_err(|e| format!("Test files: {e}"))?;
                mnist::check_not_empty(train.len(), test.len()).map_err(|e| e.to_string())?;
                Ok((train, test))
            });
        match loaded {
            Ok((train, test)) => Ok(Some(WorkerData {
                train: Arc::new(train),
                test: Arc::new(test),
            })),
            Err(message) => {
                let method = match ToWorker::decode(start) {
                    Ok(ToWorker::Start { method, .. }) => Some(method),
                    Err(_) => None,
                };
                refuse(post, method, message)
            }
        }
    }
}

/// One method's run inside a worker.
#[wasm_bindgen]
pub struct WorkerRun {
    trainer: Trainer,
    method: Method,
    batch_size: usize,
    train_len: usize,
    /// Called with each message's text; in the worker it is `postMessage`.
    post: js_sys::Function,
    /// The epoch in progress's progress meter (`None` between epochs).
    meter: Option<ProgressMeter>,
}

/// Seconds of training per call to [`WorkerRun::train_slice`]. Engines run wasm in a
/// baseline tier first and compile optimised code in the background, but a function
/// already running keeps its old code until it returns (V8 and SpiderMonkey have no
/// on-stack replacement for wasm): one call per epoch would train the whole first epoch
/// in the baseline tier, 2–3 times slower. Short calls pick up the optimised code within
/// a few milliseconds of its being ready, and cost nothing measurable.
const SLICE_SECONDS: f64 = 0.005;

#[wasm_bindgen]
impl WorkerRun {
    /// Reads a `Start` message and starts its run on data the worker holds. If the message
    /// is unusable it posts an `Error` message and returns `undefined`; it throws only if
    /// `post` throws.
    pub fn start(
        start: &str,
        data: &WorkerData,
        post: js_sys::Function,
    ) -> Result<Option<WorkerRun>, JsValue> {
        let (config, method) = match ToWorker::decode(start) {
            Ok(ToWorker::Start { config, method }) => (config, method),
            Err(e) => return refuse(&post, None, e.to_string()),
        };
        // The page checks K against its data before it starts; a worker never trains on less.
        if let Err(problem) = config.check_data(data.train.len()) {
            return refuse(&post, Some(method), problem.message);
        }
        // A smaller training set is a copy of the first images; the whole set is shared.
        let train = if config.train_size < data.train.len() {
            Arc::new(data.train.first(config.train_size))
        } else {
            Arc::clone(&data.train)
        };
        let trainer = Trainer::new(config, method, train, Arc::clone(&data.test), now);
        // Images trained on per epoch: the held-out ones are not.
        let train_len = trainer.split().trained;
        Ok(Some(WorkerRun {
            trainer,
            method,
            batch_size: config.batch_size,
            train_len,
            post,
            meter: None,
        }))
    }

    /// Trains for about [`SLICE_SECONDS`] (at least one batch), posting `Progress` along
    /// the way, and `Epoch` as each epoch ends (and `Done` after the last). Returns
    /// whether training remains: the worker calls it until it returns false.
    pub fn train_slice(&mut self) -> Result<bool, JsValue> {
        if self.trainer.is_finished() {
            return Ok(false);
        }
        let started = now();
        let (method, batch_size, train_len) = (self.method, self.batch_size, self.train_len);
        let epoch = self.trainer.epochs_done() + 1;
        let meter = self.meter.get_or_insert_with(|| {
            ProgressMeter::new(method, epoch, batch_size, train_len, started)
        });
        let mut posted = Ok(());
        let post = &self.post;
        let metrics = self.trainer.run_epoch(|report| {
            let time = now();
            if let Some(message) = meter.on_step(report, time) {
                posted = send(post, &message);
            }
            if posted.is_ok() && time - started < SLICE_SECONDS {
                ControlFlow::Continue(())
            } else {
                ControlFlow::Break(())
            }
        });
        posted?;
        // `run_epoch` pauses (and the next call resumes) when the slice is used up.
        let Some(metrics) = metrics else {
            return Ok(true);
        };
        self.meter = None;
        send(&self.post, &FromWorker::epoch(self.method, metrics))?;
        if self.trainer.is_finished() {
            send(
                &self.post,
                &FromWorker::Done {
                    method: self.method,
                    test: self.trainer.test_score(),
                },
            )?;
            return Ok(false);
        }
        Ok(true)
    }
}

fn send(post: &js_sys::Function, message: &FromWorker) -> Result<(), JsValue> {
    post.call1(&JsValue::NULL, &JsValue::from(message.encode()))
        .map(drop)
}

/// Posts an `Error` for a run that cannot start.
fn refuse<T>(
    post: &js_sys::Function,
    method: Option<Method>,
    message: String,
) -> Result<Option<T>, JsValue> {
    send(post, &FromWorker::Error { method, message })?;
    Ok(None)
}
