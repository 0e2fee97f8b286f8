// Entry point. Loads the page's code and, should anything go wrong later, shows it on the
// page instead of leaving a silent console error: the controls come back, the run stops.

const status = document.getElementById('status');

function showFailure(text) {
  status.dataset.state = 'error';
  status.textContent = text;
}

import('./controller.js')
  .then((controller) => {
    const report = (detail) => controller.fail(`Something went wrong: ${detail}. The run was stopped; you can start again.`);
    addEventListener('error', (event) => report(event.message));
    addEventListener('unhandledrejection', (event) => report(event.reason?.message ?? String(event.reason)));
    return controller.boot();
  })
  .catch((error) => {
    showFailure(
      `The page could not start: ${error.message}. If you serve a fresh checkout, build it first (make build).`,
    );
  });
