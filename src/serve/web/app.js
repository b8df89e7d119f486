// The studio page: tabs, the output menu (page audio or a Web MIDI output), and the two tabs'
// set-up (compose.js, train.js).
import { initCompose, loadModels, showError } from './compose.js';
import { initTrain } from './train.js';
import { listMidiOutputs, stopAll } from './player.js';

function tabs() {
  for (const tab of document.querySelectorAll('.tab'))
    tab.addEventListener('click', () => {
      for (const t of document.querySelectorAll('.tab')) t.classList.toggle('active', t === tab);
      for (const p of document.querySelectorAll('.panel')) p.hidden = p.id !== tab.dataset.tab;
    });
}

async function main() {
  tabs();
  initCompose();
  document.querySelector('#output').addEventListener('focus', () => listMidiOutputs(document.querySelector('#output')), { once: true });
  document.querySelector('#output').addEventListener('change', stopAll);
  try {
    await loadModels();
    await initTrain();
    document.body.dataset.ready = '1';
  } catch (err) {
    showError(err);
  }
}

main();
