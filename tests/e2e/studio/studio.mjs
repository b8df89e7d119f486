// The studio in a real browser (Debian's chromium driven by playwright-core): a server started
// on a free loopback port, the page loaded, music generated with the built-in model (the roll
// shows notes, the audio loads), the MIDI downloaded and read back with musegen, a damaged
// upload answered with a clear error, a short training run started, seen to log a loss point,
// and stopped. Web MIDI: headless chromium has no MIDI devices, so the page is given a
// recording stand-in for navigator.requestMIDIAccess with one output; a take played on it must
// send its instruments, one note-on and one note-off per note the downloaded MIDI holds, and
// all-notes-off when stopped. Saves a screenshot of the compose page.
//   node studio.mjs MUSEGEN WORK_DIR SCREENSHOT.png
// Exit 77 (skipped) only when node's playwright-core or chromium is truly absent.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [musegen, work, screenshot] = process.argv.slice(2);
const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) { console.log(`skipped: ${CHROMIUM} is not installed (scripts/install-deps.sh installs it)`); process.exit(77); }
let chromium;
try {
  ({ chromium } = createRequire(import.meta.url)('playwright-core'));
} catch {
  console.error('error: playwright-core is missing: run scripts/install-deps.sh (npm ci in tests/e2e/studio)');
  process.exit(1);
}

const check = (ok, what) => { if (!ok) throw new Error(`check failed: ${what}`); console.log(`ok: ${what}`); };

function startServer(out, data) {
  const server = spawn(musegen, ['serve', '--port', '0', '--out', out, '--data', data], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    server.stdout.on('data', (d) => {
      text += d;
      const m = text.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) resolve({ server, url: m[0] });
    });
    server.on('exit', (code) => reject(new Error(`musegen serve exited (${code}) before listening`)));
  });
}

async function composeChecks(page, dir) {
  await page.waitForSelector('body[data-ready="1"]', { timeout: 60000 });
  await page.fill('#length_value', '12');
  await page.fill('[name=count]', '1');
  await page.fill('[name=seed]', '7');
  await page.click('#generate');
  const take = page.locator('.take').first();
  await take.waitFor({ timeout: 120000 });
  const notes = Number(await take.locator('.roll').getAttribute('data-notes'));
  check(notes > 0, `the piano roll holds ${notes} notes`);
  const inked = await take.locator('canvas').evaluate((c) => {
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < px.length; i += 4) n += px[i] > 0;
    return n;
  });
  check(inked > 500, `the roll is drawn (${inked} pixels painted)`);
  await page.waitForSelector('.take[data-audio="ready"]', { timeout: 60000 });
  check(true, 'the audio loaded in the page (canplaythrough)');
  await webMidiChecks(page, take, notes);
  const [download] = await Promise.all([page.waitForEvent('download'), take.locator('a.download', { hasText: 'MIDI' }).click()]);
  const midi = path.join(dir, 'take.mid');
  await download.saveAs(midi);
  const info = JSON.parse(execFileSync(musegen, ['inspect', '--json', midi]).toString());
  const read = info.n_notes ?? info.notes ?? info.files?.[0]?.n_notes;
  check(read === notes, `musegen reads the downloaded MIDI back: ${read} notes, as the roll shows`);
  // A damaged file: the downloaded MIDI cut inside its header chunk.
  const damaged = path.join(dir, 'damaged.mid');
  writeFileSync(damaged, readFileSync(midi).subarray(0, 10));
  await page.setInputFiles('#primer-file', damaged);
  await page.waitForSelector('#error:not([hidden])', { timeout: 30000 });
  const error = await page.textContent('#error');
  check(error.includes('damaged.mid'), `a damaged upload gives a clear error: "${error.trim()}"`);
  await page.evaluate(() => { document.querySelector('#error').hidden = true; });
  await page.setInputFiles('#primer-file', []);
  await page.screenshot({ path: screenshot, fullPage: true });
  check(existsSync(screenshot), `screenshot saved: ${screenshot}`);
}

// Installed before the page loads: a Web MIDI access with one output that records what it is
// sent (window.midiSent: [status, data1, data2, timestamp]).
function fakeWebMidi() {
  window.midiSent = [];
  const output = {
    id: 'test-synth', name: 'Test synth', state: 'connected', type: 'output',
    send(data, timestamp) { window.midiSent.push([...data, timestamp ?? 0]); },
    clear() {},
  };
  const outputs = new Map([[output.id, output]]);
  navigator.requestMIDIAccess = async () => ({ inputs: new Map(), outputs, onstatechange: null, sysexEnabled: false });
}

async function webMidiChecks(page, take, notes) {
  await page.focus('#output');
  await page.waitForSelector('#output option[value="test-synth"]', { state: 'attached', timeout: 10000 });
  await page.selectOption('#output', 'test-synth');
  await take.locator('button.play').click();
  const sent = await page.evaluate(() => window.midiSent);
  const noteOns = sent.filter(([st, , vel]) => (st & 0xf0) === 0x90 && vel > 0).length;
  const noteOffs = sent.filter(([st]) => (st & 0xf0) === 0x80).length;
  const programs = sent.filter(([st]) => (st & 0xf0) === 0xc0).length;
  check(noteOns === notes && noteOffs === notes, `Web MIDI: ${noteOns} note-ons and ${noteOffs} note-offs sent for the roll's ${notes} notes`);
  const firstNote = sent.findIndex(([st]) => (st & 0xf0) === 0x90);
  const firstProgram = sent.findIndex(([st]) => (st & 0xf0) === 0xc0);
  check(programs >= 1 && firstProgram < firstNote, `Web MIDI: ${programs} program change(s) sent before the notes`);
  const times = sent.filter(([st]) => (st & 0xf0) === 0x90).map((m) => m[3]);
  check(times.every((t, i) => i === 0 || t >= times[i - 1]), 'Web MIDI: note-ons are scheduled in time order');
  await take.locator('button.play').click(); // stop
  const allOff = await page.evaluate(() => window.midiSent.filter(([st, cc]) => (st & 0xf0) === 0xb0 && cc === 123).length);
  check(allOff === 16, 'Web MIDI: stopping sends all-notes-off on the 16 channels');
  await page.selectOption('#output', 'audio');
}

async function trainChecks(page, out) {
  await page.click('[data-tab=train]');
  await page.selectOption('#datasets', 'tiny');
  // Bounded by 5 minutes and 100000 epochs, it runs until the test stops it.
  await page.fill('[name=minutes]', '5');
  await page.fill('[name=epochs]', '100000');
  await page.fill('[name=eval_every]', '2');
  await page.click('#train-start');
  const run = page.locator('.run').first();
  await run.waitFor({ timeout: 30000 });
  await page.waitForFunction(() => Number(document.querySelector('.run .chart')?.dataset.points) >= 1, null, { timeout: 120000 });
  check(true, 'the loss curve shows a point');
  const points = () => page.evaluate(() => Number(document.querySelector('.run .chart').dataset.points));
  const stopped = () => page.waitForFunction(() => document.querySelector('.run')?.dataset.state === 'stopped', null, { timeout: 120000 });
  await run.locator('button.stop').click();
  await stopped();
  const before = await points();
  check(true, `stopped after ${before} loss point(s)`);
  await run.locator('button.resume').click();
  await page.waitForFunction((n) => Number(document.querySelector('.run .chart')?.dataset.points) > n, before, { timeout: 120000 });
  check(true, `resumed: ${await points()} loss points, the curve continues`);
  await run.locator('button.stop').click();
  await stopped();
  const id = await run.getAttribute('id');
  for (const f of ['model.last.pt', 'model.metrics.jsonl', 'model.metrics.csv', 'train.log'])
    check(existsSync(path.join(out, 'runs', id, f)), `the run wrote ${f}`);
}

async function main() {
  rmSync(work, { recursive: true, force: true });
  const data = path.join(work, 'data', 'tiny'), out = path.join(work, 'out');
  mkdirSync(data, { recursive: true });
  execFileSync(musegen, ['generate', '--count', '4', '--length', '400', '--seed', '3', '--out', path.join(data, 'piece.mid')]);
  const { server, url } = await startServer(out, path.dirname(data));
  const profile = path.join(work, 'profile');
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, acceptDownloads: true, viewport: { width: 1280, height: 860 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    await context.addInitScript(fakeWebMidi);
    const page = context.pages()[0] || await context.newPage();
    page.on('pageerror', (e) => { console.error(`page error: ${e.message}`); process.exitCode = 1; });
    await page.goto(url);
    await composeChecks(page, work);
    await trainChecks(page, out);
  } finally {
    await context?.close();
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  check(server.exitCode === 0, 'the studio stops cleanly on SIGTERM');
}

main().catch((e) => { console.error(`error: ${e.message}`); process.exit(1); });
