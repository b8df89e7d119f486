// The Compose tab: the model and its controls, uploads (a piece to continue, a melody to
// harmonise), generation with progress, and the takes: piano roll, play, keep, order,
// downloads, and rewriting selected bars with a model that can fill.
import { generate, getJSON, upload } from './api.js';
import { PianoRoll, channelColor } from './roll.js';
import { play, stopAll } from './player.js';

const $ = (sel) => document.querySelector(sel);
let models = [];
let takeNumber = 0;
const takes = []; // {el, result, candidate, kept, number}
let running = null; // AbortController of the generation in progress
const uploads = { primer: null, melody: null };

export function showError(err) {
  const box = $('#error');
  box.textContent = err ? String(err.message || err) : '';
  box.hidden = !err;
}

function currentModel() { return models.find((m) => m.id === $('#model').value) || {}; }

function applyModel() {
  const m = currentModel();
  $('#model-summary').textContent = [m.summary, m.quality].filter(Boolean).join(' — ')
    || (m.kind === 'run' ? 'A model trained in this studio.' : '');
  for (const el of document.querySelectorAll('[data-needs]')) {
    const fits = el.dataset.needs === 'multitrack' ? m.multitrack : !m.multitrack;
    const label = el.closest('label') || el;
    label.hidden = !fits;
    if (!fits && el.type === 'radio' && el.checked) document.querySelector('[value=seconds]').checked = true;
  }
}

export async function loadModels(selectId) {
  models = await getJSON('/api/models');
  const select = $('#model');
  const before = selectId || select.value;
  select.replaceChildren(...models.filter((m) => !m.error).map((m) => new Option(m.label, m.id)));
  if (models.some((m) => m.id === before)) select.value = before;
  applyModel();
}

function number(form, name) {
  const v = form.elements[name].value.trim();
  return v === '' ? undefined : Number(v);
}

// The form as a generation request (docs/api.md); only what the user set, so the model's own
// defaults apply to the rest.
function request(form) {
  const m = currentModel();
  const r = { model: m.id, count: number(form, 'count') ?? 1 };
  const mode = form.elements.length_mode.value;
  const amount = Number($('#length_value').value);
  if (mode === 'seconds') Object.assign(r, { seconds: amount, no_end: true });
  else if (mode === 'bars') r.bars = Math.round(amount);
  else r.length = Math.round(amount);
  for (const key of ['seed', 'tempo', 'density', 'temperature', 'top_k', 'top_p',
    'repetition_penalty', 'no_repeat_ngram', 'keep', 'primer_bars']) {
    const v = number(form, key);
    if (v !== undefined && !(key === 'keep' && v === 0) && !(key === 'primer_bars' && v === 0)) r[key] = v;
  }
  for (const key of ['key', 'ranges', 'time_signature', 'instruments', 'program']) {
    const el = form.elements[key];
    if (el.value.trim() && !(el.closest('label')?.hidden)) r[key] = el.value.trim();
  }
  if (uploads.primer) r.primer = uploads.primer.id;
  if (uploads.melody && m.multitrack) r.harmonize = uploads.melody.id;
  return r;
}

async function onUpload(input, slot) {
  showError(null);
  uploads[slot] = null;
  const file = input.files[0];
  if (!file) return;
  $('#upload-note').textContent = `reading ${file.name}…`;
  try {
    const u = await upload(file);
    uploads[slot] = u;
    $('#upload-note').textContent =
      `${u.name}: ${u.notes.length} notes, ${u.bars.length} bars, ${u.seconds.toFixed(1)} s (${u.format})`
      + (u.warnings ? `; ${u.warnings} damaged place(s) repaired on reading` : '')
      + (slot === 'melody' ? '. The harmony lasts as long as the melody: the length above is not used.' : '');
  } catch (err) {
    input.value = '';
    $('#upload-note').textContent = '';
    showError(err);
  }
}

// `origin`: {take, bars: [first, last]} when the request rewrites bars of a take.
async function runGeneration(req, label, origin = null) {
  if (running) running.abort();
  running = new AbortController();
  const button = $('#generate'), progress = $('#progress'), status = $('#status');
  button.disabled = true;
  progress.hidden = false;
  progress.removeAttribute('value');
  status.textContent = `${label}…`;
  const t0 = performance.now();
  showError(null);
  try {
    const result = await generate(req, (snap) => {
      if (snap.state === 'queued') status.textContent = `waiting for the studio (${snap.position} ahead)`;
      else if (snap.bound > 0) { progress.max = snap.bound; progress.value = snap.done; }
    }, running.signal);
    const n = result.candidates.length;
    status.textContent = `${n} take${n > 1 ? 's' : ''} in ${((performance.now() - t0) / 1000).toFixed(1)} s (seed ${result.seed})`
      + (result.warnings ?? []).map((w) => `. Warning: ${w}`).join('');
    // A whole primer file comes back first in every take: shade it.
    const given = req.primer && !req.primer_bars && uploads.primer
      ? [uploads.primer.seconds, `from ${uploads.primer.name}`] : null;
    const model = models.find((m) => m.id === (req.model ?? ''));
    for (const c of result.candidates) addTake(result, c, { given, model, origin });
  } catch (err) {
    if (err.name !== 'AbortError') { showError(err); status.textContent = ''; }
  } finally {
    button.disabled = false;
    progress.hidden = true;
    running = null;
  }
}

function download(url, text) {
  const a = document.createElement('a');
  a.href = `${url}?download=1`;
  a.textContent = text;
  a.download = '';
  a.className = 'download';
  return a;
}

function addTake(result, c, { given, model, origin }) {
  const number = ++takeNumber;
  const el = document.createElement('article');
  el.className = 'take';
  const head = document.createElement('header');
  head.innerHTML = `<h3>Take ${number}</h3><span class="meta">${c.seconds.toFixed(1)} s · ${c.notes} notes · `
    + `${model ? model.label : result.model} · seed ${result.seed}${c.index > 1 ? ` #${c.index}` : ''}`
    + `${origin ? ` · take ${origin.take.number} with bars ${barsText(origin.bars)} rewritten` : ''}</span>`;
  const take = { el, result, candidate: c, kept: false, number, notes: c.roll.notes, model };
  const keep = button('☆ Keep', 'keep', () => {
    take.kept = !take.kept;
    keep.textContent = take.kept ? '★ Kept' : '☆ Keep';
    el.classList.toggle('kept', take.kept);
    arrange();
  });
  head.append(keep);
  take.audio = new Audio();
  take.audio.preload = 'auto';
  el.dataset.audio = 'loading';
  take.audio.addEventListener('canplaythrough', () => { el.dataset.audio = 'ready'; }, { once: true });
  take.audio.addEventListener('error', () => { el.dataset.audio = 'error'; });
  if (c.urls.wav) take.audio.src = c.urls.wav;
  const fill = button('Rewrite selected bars', 'fill', () => rewrite(take));
  fill.hidden = true;
  const canFill = model?.can_fill;
  take.roll = new PianoRoll(c.roll, {
    given,
    changed: origin?.bars,
    onSelect: canFill ? (sel) => {
      fill.hidden = !sel;
      if (sel) fill.textContent = `Rewrite ${sel[0] === sel[1] ? 'bar' : 'bars'} ${barsText(sel)}`;
    } : null,
  });
  const playButton = button('▶ Play', 'play', () => {
    if (playButton.dataset.playing) { stopAll(); return; }
    document.querySelectorAll('button.play').forEach((b) => { b.textContent = '▶ Play'; delete b.dataset.playing; });
    playButton.textContent = '■ Stop';
    playButton.dataset.playing = '1';
    play(take, $('#output').value, () => { playButton.textContent = '▶ Play'; delete playButton.dataset.playing; });
  });
  const tools = document.createElement('div');
  tools.className = 'tools';
  tools.append(playButton, download(c.urls.midi, 'MIDI'), download(c.urls.wav, 'WAV'));
  if (c.urls.musicxml) tools.append(download(c.urls.musicxml, 'MusicXML'));
  tools.append(fill);
  const hint = document.createElement('span');
  hint.className = 'note';
  hint.textContent = canFill ? 'drag over the bar numbers to pick bars to rewrite' : '';
  tools.append(hint);
  el.append(head, take.roll.el, legend(c.tracks), tools);
  takes.push(take);
  arrange();
  take.roll.draw();
}

// Who plays what colour (several parts only).
function legend(tracks) {
  const div = document.createElement('div');
  div.className = 'legend';
  if (tracks.length < 2) return div;
  for (const t of tracks) {
    const chip = document.createElement('span');
    chip.style.setProperty('--chip', channelColor(t.channel));
    chip.textContent = `${t.name || (t.drums ? 'drums' : `part ${t.channel + 1}`)} (${t.notes})`;
    div.append(chip);
  }
  return div;
}

function button(text, cls, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.className = cls;
  b.addEventListener('click', onClick);
  return b;
}

const barsText = ([first, last]) => (first === last ? `${first + 1}` : `${first + 1}–${last + 1}`);

function rewrite(take) {
  const [first, last] = take.roll.selection;
  const file = take.candidate.urls.midi.split('/').slice(-2).join('/');
  const req = request($('#compose-form'));
  delete req.seconds; delete req.bars; delete req.length; delete req.primer; delete req.harmonize;
  req.model = take.model?.id ?? currentModel().id; // the model that wrote the take
  req.count = 1;
  req.fill = { job_file: file, bars: first === last ? `${first + 1}` : `${first + 1}-${last + 1}` };
  take.roll.clearSelection();
  take.el.querySelector('button.fill').hidden = true;
  runGeneration(req, `rewriting bars ${barsText([first, last])} of take ${take.number}`, { take, bars: [first, last] });
}

function arrange() {
  const keptOnly = $('#kept-only').checked;
  const order = $('#order').value;
  const list = [...takes];
  if (order === 'likely') list.sort((a, b) => b.candidate.mean_log_prob - a.candidate.mean_log_prob);
  else list.reverse();
  $('#take-list').replaceChildren(...list.filter((t) => !keptOnly || t.kept).map((t) => t.el));
  $('#empty').hidden = takes.length > 0;
  list.forEach((t) => t.roll.draw());
}

export function initCompose() {
  $('#model').addEventListener('change', applyModel);
  $('#primer-file').addEventListener('change', (e) => onUpload(e.target, 'primer'));
  $('#melody-file').addEventListener('change', (e) => onUpload(e.target, 'melody'));
  $('#kept-only').addEventListener('change', arrange);
  $('#order').addEventListener('change', arrange);
  for (const radio of document.querySelectorAll('[name=length_mode]'))
    radio.addEventListener('change', () => {
      $('#length_value').value = { seconds: 20, bars: 8, length: 500 }[radio.value];
    });
  $('#compose-form').addEventListener('submit', (e) => {
    e.preventDefault();
    runGeneration(request(e.target), 'composing');
  });
}
