// The parameter inputs. Labels, defaults, limits and hints come from the Rust field specs
// (src/config.rs, src/sweep.rs) and Rust validates what was typed; this module only puts
// them on the page, reads them back, and marks the fields Rust refused.
//
// Two modes: a single run, and a sweep, where N1, N2 and the learning rate take lists or
// ranges (their hints say how, from Rust's sweep_axes) and a Seeds field appears.

import { check_inputs, check_sweep, fields, seeds_field, sweep_axes } from './pkg/ayla.js';

// Read once the wasm module is initialised (see buildInputs).
let specs = [];
let seedsSpec = null;
let axes = [];
let mode = 'single';

// Builds one labelled input per field, with its hint and a place for its error.
export function buildInputs(container) {
  specs = fields();
  seedsSpec = seeds_field();
  axes = sweep_axes();
  for (const spec of [...specs, seedsSpec]) {
    container.append(fieldRow(spec));
  }
  setMode('single');
}

// Shows the inputs of 'single' or 'sweep' mode.
export function setMode(wanted) {
  mode = wanted;
  const sweep = mode === 'sweep';
  input(seedsSpec).closest('.field').hidden = !sweep;
  for (const axis of axes) {
    const spec = specs.find((s) => s.key === axis.key);
    const help = `${spec.help} ${sweep ? `${axis.help} ` : ''}${range(spec)}`;
    document.getElementById(`${spec.input_id}-help`).textContent = help;
    input(spec).inputMode = sweep ? 'text' : 'decimal';
  }
}

// The inputs of the current mode.
const active = () => (mode === 'sweep' ? [...specs, seedsSpec] : specs);
const values = () => Object.fromEntries(active().map((s) => [s.key, input(s).value]));
const check = () => (mode === 'sweep' ? check_sweep : check_inputs)(values());

function fieldRow(spec) {
  const id = spec.input_id;
  const row = element('div', { class: 'field', 'data-key': spec.key });
  const label = element('label', { for: id }, spec.label);
  const field = spec.choices.length > 0 ? choiceInput(spec) : textInput(spec);
  field.id = id;
  field.name = spec.key;
  field.setAttribute('aria-describedby', `${id}-help ${id}-error`);
  const help = element('p', { id: `${id}-help`, class: 'help' }, `${spec.help} ${range(spec)}`);
  const error = element('p', { id: `${id}-error`, class: 'error' });
  row.append(label, field, help, error);
  return row;
}

// A list ("256,128") needs a keyboard with a comma.
function textInput(spec) {
  const field = element('input', {
    type: 'text',
    inputmode: spec.max_items > 1 ? 'text' : spec.integer ? 'numeric' : 'decimal',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  field.value = String(spec.default);
  return field;
}

// A choice's value is its option's name, as a link or the command line writes it.
function choiceInput(spec) {
  const field = element('select', {});
  for (const choice of spec.choices) field.append(element('option', { value: choice.name }, choice.label));
  field.value = spec.choices[spec.default].name;
  return field;
}

// The limits as a reader would write them, e.g. "(0 < N1 ≤ 10)", "(1 to 1000)", and for a
// list "(1 to 4,096 each, at most 3)".
function range(spec) {
  if (spec.choices.length > 0) return '';
  const max = spec.max.toLocaleString('en');
  const list = spec.max_items > 1 ? ` each, at most ${spec.max_items}` : '';
  return spec.min_exclusive
    ? `(${spec.min} < ${spec.label} ≤ ${max}${list})`
    : `(${spec.min.toLocaleString('en')} to ${max}${list})`;
}

function element(tag, attributes, text = '') {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.textContent = text;
  return node;
}

const input = (spec) => document.getElementById(spec.input_id);

// Fills the inputs from a query like `?epochs=5&n1=0.95` (a sweep's has `mode=sweep`);
// unknown keys are ignored and odd values are kept as typed, so validation can point at
// them. Returns the query's mode.
export function fillFromQuery(search) {
  const params = new URLSearchParams(search);
  for (const spec of [...specs, seedsSpec]) {
    if (params.has(spec.key)) setValue(spec, params.get(spec.key));
  }
  return params.get('mode') === 'sweep' ? 'sweep' : 'single';
}

// A choice takes its option's name in any case; a name it does not have leaves it blank,
// which validation then names.
function setValue(spec, text) {
  const choice = spec.choices.find((c) => c.name.toLowerCase() === text.trim().toLowerCase());
  input(spec).value = spec.choices.length > 0 ? choice?.name ?? '' : text;
}

// Validates every input of the current mode, marking each refused field (message beside
// it, aria-invalid). Returns what Rust returned — a single run's `{config, query}` or a
// sweep's `{sweep, jobs, query}` — or null, having focused the first refused field.
export function checkInputs() {
  const checked = check();
  showErrors(checked.errors ?? []);
  if (checked.errors) {
    document.getElementById(checked.errors[0].input_id).focus();
    return null;
  }
  return checked;
}

// Checks the inputs without marking anything: the plan, or null.
export function peekInputs() {
  const checked = check();
  return checked.errors ? null : checked;
}

// Re-checks one field when the user leaves it, without judging the others yet, and the
// fields already marked (changing one can settle another's complaint, e.g. K and the
// training images).
export function recheckField(id) {
  const errors = check().errors ?? [];
  for (const spec of active()) {
    if (spec.input_id === id || input(spec).hasAttribute('aria-invalid')) {
      mark(spec, errors.find((e) => e.input_id === spec.input_id));
    }
  }
}

// Marks a field refused after the inputs passed (`{input_id, message}`: K against the data
// loaded) and focuses it.
export function markRefused(error) {
  const spec = active().find((s) => s.input_id === error.input_id);
  if (!spec) return;
  mark(spec, error);
  input(spec).focus();
}

// A mode change re-judges only the fields already marked.
export function recheckMarked() {
  const errors = check().errors ?? [];
  for (const spec of [...specs, seedsSpec]) {
    if (input(spec).hasAttribute('aria-invalid')) mark(spec, errors.find((e) => e.input_id === spec.input_id));
  }
}

function showErrors(errors) {
  for (const spec of active()) mark(spec, errors.find((e) => e.input_id === spec.input_id));
}

function mark(spec, error) {
  const field = input(spec);
  document.getElementById(`${spec.input_id}-error`).textContent = error?.message ?? '';
  if (error) field.setAttribute('aria-invalid', 'true');
  else field.removeAttribute('aria-invalid');
}
