// The studio's HTTP API (docs/api.md) as small async functions; every failure becomes an Error
// whose message is the server's one-line explanation (and its hint).

async function failure(res) {
  let text = `HTTP ${res.status}`;
  try {
    const j = await res.json();
    text = j.error + (j.hint ? ` (${j.hint})` : '');
  } catch { /* not JSON: keep the status */ }
  const err = new Error(text);
  err.status = res.status;
  return err;
}

export async function getJSON(url) {
  const res = await fetch(url);
  if (!res.ok) throw await failure(res);
  return res.json();
}

export async function postJSON(url, body = {}) {
  const res = await fetch(url, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return res.json();
}

// Uploads a music file; the server reads it before keeping it, so a damaged file fails here.
export async function upload(file) {
  const res = await fetch(`/api/uploads?name=${encodeURIComponent(file.name)}`, {
    method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: file,
  });
  if (!res.ok) throw await failure(res);
  return res.json();
}

// POST /api/generate answers with one JSON line per progress snapshot, the last one final.
// Calls onProgress(snapshot) for each; resolves with the result or throws the job's error.
// Aborting `signal` closes the stream, which cancels the job on the server.
export async function generate(request, onProgress, signal) {
  const res = await fetch('/api/generate', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(request), signal,
  });
  if (!res.ok) throw await failure(res);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const snap = JSON.parse(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      onProgress(snap);
      if (snap.state === 'done') return snap.result;
      if (snap.error) {
        const err = new Error(snap.error.message + (snap.error.hint ? ` (${snap.error.hint})` : ''));
        err.status = snap.error.status;
        throw err;
      }
    }
  }
  throw new Error('the studio closed the connection before the music was ready');
}
