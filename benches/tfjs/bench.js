// The page's workload in TensorFlow.js with its wasm backend (SIMD, one thread), for
// `make bench`'s comparison: the same MLP 784-128-10 (ReLU, softmax), Glorot-uniform
// kernels and zero biases (Keras' defaults), categorical cross-entropy, plain SGD with
// learning rate 0.01, batches of 128, the 60,000 MNIST training images shuffled once per
// epoch, then the 10,000 test images evaluated. Two models, one after the other, as our
// page trains Normal and AYLA (ours in two workers at once: the README says which is which).

const FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

async function idx(name) {
  const response = await fetch(`/data/${name}`);
  if (!response.ok) throw new Error(`${name}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

// Images scaled to x / 255 and one-hot labels, as tensors (built before the clock starts,
// as our workers index their data before training).
function tensors(images, labels) {
  const count = labels.length - 8;
  const x = new Float32Array(count * 784);
  for (let i = 0; i < x.length; i += 1) x[i] = images[16 + i] / 255;
  const y = new Float32Array(count * 10);
  for (let i = 0; i < count; i += 1) y[i * 10 + labels[8 + i]] = 1;
  return { x: tf.tensor2d(x, [count, 784]), y: tf.tensor2d(y, [count, 10]) };
}

function model() {
  const m = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  m.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

// Returns { backend, simd, threads, models: [{ seconds, fitSeconds, evaluateSeconds, valAccuracy }] }.
async function runTfjs(wasmDir) {
  tf.wasm.setWasmPaths(wasmDir);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
  await tf.ready();
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(FILES.map(idx));
  const train = tensors(trainImages, trainLabels);
  const test = tensors(testImages, testLabels);
  const models = [];
  for (let run = 0; run < 2; run += 1) {
    const m = model();
    const start = performance.now();
    await m.fit(train.x, train.y, { batchSize: 128, epochs: 1, shuffle: true, verbose: 0 });
    const fitted = performance.now();
    const [loss, accuracy] = m.evaluate(test.x, test.y, { batchSize: 128 });
    const valAccuracy = (await accuracy.data())[0];
    await loss.data();
    const done = performance.now();
    models.push({
      seconds: (done - start) / 1000,
      fitSeconds: (fitted - start) / 1000,
      evaluateSeconds: (done - fitted) / 1000,
      valAccuracy,
    });
    m.dispose();
  }
  return {
    backend: tf.getBackend(),
    simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
    threads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
    models,
  };
}
