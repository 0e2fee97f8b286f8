// The parameter inputs. Labels, defaults, limits and hints come from the Rust field specs
// (src/config.rs) and Rust validates what was typed; this module only puts them on the
// page, reads them back, and marks the fields Rust refused.

import { check_inputs, fields } from './pkg/ayla.js';

// Read once the wasm module is initialised (see buildInputs).
let specs = [];

// Builds one labelled input per field, with its hint and a place for its error.
export function buildInputs(container) {
  specs = fields();
  for (const spec of specs) {
    container.append(fieldRow(spec));
  }
}

function fieldRow(spec) {
  const id = spec.input_id;
  const row = element('div', { class: 'field', 'data-key': spec.key });
  const label = element('label', { for: id }, spec.label);
  const input = element('input', {
    id,
    name: spec.key,
    type: 'text',
    inputmode: spec.integer ? 'numeric' : 'decimal',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': `${id}-help ${id}-error`,
  });
  input.value = String(spec.default);
  const help = element('p', { id: `${id}-help`, class: 'help' }, `${spec.help} ${range(spec)}`);
  const error = element('p', { id: `${id}-error`, class: 'error' });
  row.append(label, input, help, error);
  return row;
}

// The limits as a reader would write them, e.g. "(0 < N1 ≤ 10)", "(1 to 1000)".
function range(spec) {
  const max = spec.max.toLocaleString('en');
  return spec.min_exclusive
    ? `(${spec.min} < ${spec.label} ≤ ${max})`
    : `(${spec.min.toLocaleString('en')} to ${max})`;
}

function element(tag, attributes, text = '') {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.textContent = text;
  return node;
}

const input = (spec) => document.getElementById(spec.input_id);

// Fills the inputs from a query like `?epochs=5&n1=0.95`; unknown keys are ignored and
// odd values are kept as typed, so validation can point at them.
export function fillFromQuery(search) {
  const params = new URLSearchParams(search);
  for (const spec of specs) {
    if (params.has(spec.key)) input(spec).value = params.get(spec.key);
  }
}

// Validates every input. Returns `{config, query}`, or null after marking each refused
// field (message beside it, aria-invalid) and focusing the first.
export function checkInputs() {
  const checked = check_inputs(Object.fromEntries(specs.map((s) => [s.key, input(s).value])));
  showErrors(checked.errors ?? []);
  if (checked.errors) {
    document.getElementById(checked.errors[0].input_id).focus();
    return null;
  }
  return checked;
}

// Re-checks one field when the user leaves it, without judging the others yet.
export function recheckField(id) {
  const values = Object.fromEntries(specs.map((s) => [s.key, input(s).value]));
  const errors = check_inputs(values).errors ?? [];
  const spec = specs.find((s) => s.input_id === id);
  if (spec) mark(spec, errors.find((e) => e.input_id === id));
}

function showErrors(errors) {
  for (const spec of specs) mark(spec, errors.find((e) => e.input_id === spec.input_id));
}

function mark(spec, error) {
  const field = input(spec);
  document.getElementById(`${spec.input_id}-error`).textContent = error?.message ?? '';
  if (error) field.setAttribute('aria-invalid', 'true');
  else field.removeAttribute('aria-invalid');
}
