// The Train tab: start a run on a music folder, watch its loss curves grow live (server-sent
// events), stop and resume it, download the model or compose with it.
import { getJSON, postJSON } from './api.js';
import { showError, loadModels } from './compose.js';

const $ = (sel) => document.querySelector(sel);
const runs = new Map(); // id -> {el, rows, source}

// The loss curves as SVG: training and validation loss (nats per event) against the step.
function lossChart(rows) {
  const W = 520, H = 200, L = 44, B = 26;
  const pts = (key) => rows.filter((r) => Number.isFinite(r[key])).map((r) => [r.step, r[key]]);
  const train = pts('train_loss'), valid = pts('valid_loss');
  const all = [...train, ...valid];
  const svg = [`<svg viewBox="0 0 ${W} ${H}" class="chart" data-points="${rows.length}" role="img" aria-label="loss curves">`];
  if (all.length === 0) {
    svg.push(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle" class="axis">the first point appears after the first evaluation</text></svg>`);
    return svg.join('');
  }
  const maxStep = Math.max(...all.map((p) => p[0]), 1);
  const lo = Math.min(...all.map((p) => p[1])), hi = Math.max(...all.map((p) => p[1]));
  const span = hi - lo || 1;
  const x = (s) => L + (s / maxStep) * (W - L - 10);
  const y = (v) => 10 + (1 - (v - lo) / span) * (H - B - 10);
  svg.push(`<line x1="${L}" y1="${H - B}" x2="${W - 10}" y2="${H - B}" class="grid"/>`);
  for (const v of [lo, (lo + hi) / 2, hi])
    svg.push(`<text x="${L - 4}" y="${y(v) + 4}" text-anchor="end" class="axis">${v.toFixed(2)}</text>`);
  svg.push(`<text x="${W - 10}" y="${H - 6}" text-anchor="end" class="axis">step ${maxStep}</text>`);
  svg.push(`<text x="${L}" y="${H - 6}" class="axis">loss (nats per event; lower is better)</text>`);
  svg.push(`<line x1="${W - 190}" y1="14" x2="${W - 172}" y2="14" class="train"/><text x="${W - 168}" y="18" class="axis">training</text>`);
  svg.push(`<line x1="${W - 105}" y1="14" x2="${W - 87}" y2="14" class="valid"/><text x="${W - 83}" y="18" class="axis">validation</text>`);
  for (const [cls, p] of [['train', train], ['valid', valid]]) {
    if (!p.length) continue;
    svg.push(`<polyline class="${cls}" points="${p.map(([s, v]) => `${x(s)},${y(v)}`).join(' ')}"/>`);
    for (const [s, v] of p) svg.push(`<circle class="${cls}" cx="${x(s)}" cy="${y(v)}" r="2.5"/>`);
  }
  svg.push('</svg>');
  return svg.join('');
}

function describe(s) {
  const parts = [`folder “${s.data}”`, `${s.preset || 'small'} model`];
  if (s.minutes) parts.push(`${s.minutes} min budget`);
  if (s.epochs) parts.push(`${s.epochs} epochs at most`);
  return parts.join(', ');
}

const STATES = {
  running: 'training…', stopping: 'stopping (saving a checkpoint)…', stopped: 'stopped: can be resumed',
  finished: 'finished', failed: 'failed: see the log',
};

function render(run, status) {
  const el = run.el;
  el.dataset.state = status.state;
  el.querySelector('.state').textContent = STATES[status.state] || status.state;
  const last = run.rows[run.rows.length - 1];
  el.querySelector('.latest').textContent = last
    ? `epoch ${Number(last.epoch).toFixed(1)}, step ${last.step}: training loss ${last.train_loss.toFixed(3)}`
      + (Number.isFinite(last.valid_loss) ? `, validation loss ${last.valid_loss.toFixed(3)}` : '')
    : '';
  el.querySelector('.chart-box').innerHTML = lossChart(run.rows);
  el.querySelector('pre').textContent = status.log || '';
  const live = status.state === 'running' || status.state === 'stopping';
  el.querySelector('.stop').hidden = status.state !== 'running';
  el.querySelector('.resume').hidden = live || status.state === 'finished';
  el.querySelector('.use').hidden = !status.has_model;
  el.querySelector('.model-link').hidden = !status.has_model;
}

function watch(id) {
  const run = runs.get(id);
  run.source?.close();
  run.rows = [];
  run.source = new EventSource(`/api/train/${id}/events`);
  run.source.addEventListener('status', (e) => {
    const s = JSON.parse(e.data);
    run.rows.push(...s.rows.filter((r) => r && typeof r === 'object'));
    render(run, s);
  });
  run.source.addEventListener('end', () => { run.source.close(); loadModels(); });
  run.source.onerror = () => run.source.close();
}

function card(summary) {
  const el = document.createElement('article');
  el.className = 'run';
  el.id = summary.id;
  el.innerHTML = `<header><h3>${summary.id}</h3><span class="state"></span>
    <button type="button" class="stop">■ Stop</button><button type="button" class="resume">↻ Resume</button>
    <button type="button" class="use">Compose with it</button>
    <a class="model-link download" href="/api/train/${summary.id}/files/model.pt" download>model.pt</a></header>
    <p class="note">${describe(summary.settings)}</p><p class="latest"></p>
    <div class="chart-box"></div><details><summary>Log</summary><pre></pre></details>`;
  const act = (what) => async () => {
    showError(null);
    try {
      await postJSON(`/api/train/${summary.id}/${what}`);
      if (what === 'resume') watch(summary.id);
    } catch (err) { showError(err); }
  };
  el.querySelector('.stop').addEventListener('click', act('stop'));
  el.querySelector('.resume').addEventListener('click', act('resume'));
  el.querySelector('.use').addEventListener('click', async () => {
    await loadModels(`runs/${summary.id}`);
    document.querySelector('[data-tab=compose]').click();
  });
  const run = { el, rows: [], source: null };
  runs.set(summary.id, run);
  $('#runs').prepend(el);
  return run;
}

export async function initTrain() {
  const health = await getJSON('/api/health');
  const datasets = health.training ? await getJSON('/api/datasets') : [];
  $('#datasets').replaceChildren(...datasets.map((d) =>
    new Option(`${d.name === '.' ? 'all folders' : d.name} (${d.files} files)`, d.name)));
  const first = datasets.find((d) => d.name !== '.');
  if (first) $('#datasets').value = first.name;
  if (!health.training || datasets.length === 0) {
    $('#train-start').disabled = true;
    $('#train-note').textContent = health.training
      ? 'The --data folder holds no MIDI or MusicXML files.'
      : 'Start the studio with --data DIR to train on the music folders in DIR.';
  }
  for (const r of await getJSON('/api/train')) { card(r); watch(r.id); }
  $('#train-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(null);
    const f = e.target.elements;
    const settings = { data: f.data.value, preset: f.preset.value };
    for (const key of ['minutes', 'epochs', 'eval_every', 'seed'])
      if (f[key].value.trim() !== '') settings[key] = Number(f[key].value);
    try {
      const status = await postJSON('/api/train', settings);
      card(status);
      watch(status.id);
    } catch (err) { showError(err); }
  });
}
