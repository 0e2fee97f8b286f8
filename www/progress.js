// Progress rows, for a single run's two methods and for a sweep's workers alike: built here
// and updated from what Rust says (a row update: {row, method, value, max, text, state}).

// Fills `container` with one row per label; `key` names the rows' data attribute
// (data-method="AYLA" for a run's methods, data-slot="0" for a sweep's workers).
export function buildRows(container, labels, key) {
  container.replaceChildren(
    ...labels.map((label, i) => {
      const row = document.createElement('div');
      row.className = 'run-progress';
      row.dataset[key] = key === 'method' ? label : String(i);
      const name = document.createElement('span');
      name.className = `method ${key === 'method' ? label.toLowerCase() : ''}`.trim();
      name.textContent = label;
      const bar = document.createElement('progress');
      bar.max = 1;
      bar.value = 0;
      bar.setAttribute('aria-label', `${label}: progress within the epoch`);
      const detail = document.createElement('span');
      detail.className = 'detail';
      detail.textContent = 'Waiting';
      row.append(name, bar, detail);
      return row;
    }),
  );
}

// Applies one row update to the rows of `container`.
export function setRow(container, { row, method, value, max, text, state }) {
  const element = container.children[row];
  if (!element) return;
  const bar = element.querySelector('progress');
  bar.max = max;
  bar.value = value;
  element.querySelector('.detail').textContent = text;
  if (element.dataset.slot !== undefined) {
    element.querySelector('.method').className = `method ${method ? method.toLowerCase() : ''}`.trim();
  }
  if (state === 'running') delete element.dataset.state;
  else element.dataset.state = state;
}
