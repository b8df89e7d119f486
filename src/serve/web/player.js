// Playing a take: through the page's audio (the WAV the studio rendered) or, when the user
// picks one, through a MIDI output of the Web MIDI API (their own synthesiser or sequencer).
// One take plays at a time; the piano roll's playhead follows the music.

let midiAccess = null;
let current = null; // {stop()}

// Fills the output menu with the MIDI outputs the browser offers (after the user's consent).
export async function listMidiOutputs(select) {
  if (!navigator.requestMIDIAccess) {
    select.title = 'This browser has no Web MIDI: music plays in the page';
    return;
  }
  try {
    midiAccess = await navigator.requestMIDIAccess();
  } catch {
    select.title = 'MIDI access was not allowed: music plays in the page';
    return;
  }
  const refresh = () => {
    for (const opt of [...select.options]) if (opt.value !== 'audio') opt.remove();
    for (const out of midiAccess.outputs.values()) {
      const opt = document.createElement('option');
      opt.value = out.id;
      opt.textContent = `MIDI: ${out.name}`;
      select.append(opt);
    }
  };
  refresh();
  midiAccess.onstatechange = refresh;
}

export function stopAll() {
  if (current) current.stop();
  current = null;
}

// Plays `take` ({audio: HTMLAudioElement, roll: PianoRoll, notes}) on `outputId`; calls
// onEnd() when it stops.
export function play(take, outputId, onEnd) {
  stopAll();
  const session = outputId === 'audio' || !midiAccess ? playAudio(take, onEnd)
    : playMidi(take, midiAccess.outputs.get(outputId), onEnd);
  current = session;
}

function follow(take, clock, isDone, finish) {
  const tick = () => {
    if (isDone()) { finish(); return; }
    take.roll.setTime(clock());
    take.frame = requestAnimationFrame(tick);
  };
  take.frame = requestAnimationFrame(tick);
}

function playAudio(take, onEnd) {
  const a = take.audio;
  a.currentTime = 0;
  let stopped = false;
  const finish = () => { cancelAnimationFrame(take.frame); take.roll.setTime(null); onEnd(); };
  a.play().catch(() => { stopped = true; });
  follow(take, () => a.currentTime, () => stopped || a.ended || a.paused, finish);
  return { stop() { stopped = true; a.pause(); } };
}

function playMidi(take, output, onEnd) {
  const t0 = performance.now() + 100;
  const channels = new Map();
  for (const [, , , , ch, program] of take.notes) if (ch !== 9) channels.set(ch, program);
  for (const [ch, program] of channels) output.send([0xc0 | ch, program], t0 - 50);
  let last = 0;
  for (const [start, end, pitch, velocity, ch] of take.notes) {
    output.send([0x90 | ch, pitch, velocity], t0 + start * 1000);
    output.send([0x80 | ch, pitch, 0], t0 + end * 1000);
    last = Math.max(last, end);
  }
  let stopped = false;
  const finish = () => { cancelAnimationFrame(take.frame); take.roll.setTime(null); onEnd(); };
  const clock = () => (performance.now() - t0) / 1000;
  follow(take, clock, () => stopped || clock() > last + 0.2, finish);
  return {
    stop() {
      stopped = true;
      output.clear?.();
      for (let ch = 0; ch < 16; ch++) output.send([0xb0 | ch, 123, 0]); // all notes off
    },
  };
}
