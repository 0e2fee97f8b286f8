// One training run: a worker per method, both started with the same config (so the same
// initial weights and batch order), talking the protocol of src/protocol.rs. Messages
// are read and written only by the wasm exports decode_message and start_message.
// Stopping terminates both workers, which ends them at once and frees their memory.

import { decode_message, start_message } from './pkg/ayla.js';

export const METHODS = ['Normal', 'AYLA'];

// Starts both workers. `onMessage(message)` gets every decoded message but Ready;
// `onFailure(text)` gets anything that went wrong outside the protocol. Returns a
// function that stops the run.
export function startRun(config, buffers, { onMessage, onFailure }) {
  const workers = METHODS.map((method) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }) => {
      let message;
      try {
        message = decode_message(data);
      } catch (error) {
        onFailure(`The ${method} worker sent something unreadable: ${error.message}`);
        return;
      }
      if (message.type === 'Ready') {
        // Each worker gets its own copy, moved (not copied again) into it.
        const copies = buffers.map((buffer) => buffer.slice(0));
        worker.postMessage({ start: start_message(config, method), data: copies }, copies);
      } else {
        onMessage(message);
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      const detail = event.message || 'it could not be loaded';
      onFailure(`The ${method} worker failed: ${detail}. (Details in the browser console.)`);
    };
    worker.onmessageerror = () => onFailure(`A message from the ${method} worker could not be received.`);
    return worker;
  });
  return () => workers.forEach((worker) => worker.terminate());
}
