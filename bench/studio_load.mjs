// Load on the studio (musegen serve) over loopback: CLIENTS clients each send REQUESTS
// generation requests one after another (each loop bounded in count and in time), every answer
// is recorded (done, or a refusal: 429 busy / 503), the server's memory is sampled from /proc,
// and latency percentiles are printed with the CPU's instruction sets. A bench, not a test.
//   node bench/studio_load.mjs build/musegen [CLIENTS=20] [REQUESTS=10] [--jobs 1] [--queue 8]
// Uses only node's own modules (fetch, child_process).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
};
const jobs = option('--jobs', '1'), queue = option('--queue', '8');
const [musegen, clients = '20', requests = '10'] = args;
const CLIENTS = Number(clients), REQUESTS = Number(requests);
const CLIENT_BUDGET_MS = 300000; // a client stops sending after this long, whatever is left
const REQUEST = { length: 200, count: 1, temperature: 1.0 }; // ~14 s of chorale per answer

const out = mkdtempSync(path.join(os.tmpdir(), 'musegen-load-'));
const server = spawn(musegen, ['serve', '--port', '0', '--out', out, '--jobs', jobs, '--queue', queue],
  { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  let text = '';
  server.stdout.on('data', (d) => {
    text += d;
    const m = text.match(/http:\/\/127\.0\.0\.1:\d+/);
    if (m) resolve(m[0]);
  });
  server.on('exit', (code) => reject(new Error(`musegen serve exited (${code})`)));
});

const kib = (field) => Number(readFileSync(`/proc/${server.pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+)`))[1]);
const rss = [];
const sampler = setInterval(() => rss.push(kib('VmRSS')), 250);

async function one(seed) {
  const t0 = performance.now();
  try {
    const res = await fetch(`${url}/api/generate`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...REQUEST, seed }), signal: AbortSignal.timeout(600000),
    });
    if (!res.ok) { await res.text(); return { status: res.status, ms: performance.now() - t0 }; }
    const lines = (await res.text()).trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]);
    return { status: last.state === 'done' ? 200 : (last.error?.status ?? 500), ms: performance.now() - t0, result: last.result };
  } catch (e) {
    return { status: 'unanswered', ms: performance.now() - t0, error: String(e) };
  }
}

async function client(k) {
  const results = [];
  const start = performance.now();
  for (let i = 0; i < REQUESTS && performance.now() - start < CLIENT_BUDGET_MS; i++) {
    const r = await one(k * 1000 + i);
    results.push(r);
    if (r.status === 429) await new Promise((ok) => setTimeout(ok, 500)); // the client backs off
  }
  return results;
}

const t0 = performance.now();
const all = (await Promise.all([...Array(CLIENTS).keys()].map(client))).flat();
const wall = (performance.now() - t0) / 1000;
clearInterval(sampler);
const peak = kib('VmHWM');
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
rmSync(out, { recursive: true, force: true });

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const by = {};
for (const r of all) (by[r.status] ??= []).push(r.ms);
const flags = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)[1].split(' ');
const isa = ['sse4_2', 'avx2', 'fma', 'avx512f', 'avx512_bf16', 'amx_tile'].filter((f) => flags.includes(f));
const engine = all.find((r) => r.result)?.result.engine;
console.log(`studio load: ${CLIENTS} clients x ${REQUESTS} requests (${JSON.stringify(REQUEST)}), --jobs ${jobs} --queue ${queue}, ${os.cpus().length} cores`);
console.log(`cpu: ${os.cpus()[0].model}; instruction sets: ${isa.join(' ')}; engine: ${engine}`);
console.log(`sent ${all.length} in ${wall.toFixed(1)} s; answered: ${Object.entries(by).map(([s, v]) => `${s}: ${v.length}`).join(', ')}`);
for (const [status, ms] of Object.entries(by))
  console.log(`  ${status}: latency p50 ${pct(ms, 50).toFixed(0)} ms, p90 ${pct(ms, 90).toFixed(0)} ms, p99 ${pct(ms, 99).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms`);
console.log(`server memory: RSS ${(Math.min(...rss) / 1024).toFixed(0)}..${(Math.max(...rss) / 1024).toFixed(0)} MiB while loaded, peak (VmHWM) ${(peak / 1024).toFixed(0)} MiB`);
const done = by[200]?.length ?? 0;
console.log(`throughput: ${(done / wall).toFixed(2)} generations/s`);
process.exitCode = by.unanswered ? 1 : 0;
