#!/usr/bin/env python3
"""End-to-end tests of ensembles (multitrack models), one case per run:

    ensemble_e2e.py MUSEGEN CASE WORK_DIR

CASE `models` writes a small band corpus with mido (drums on channel 10, an electric bass, a
piano and, in half the files, a guitar) and trains a tiny `multitrack` model on it into
WORK_DIR, with fill examples; the other cases use it: band, instruments, primer, pictures,
fill, harmonize, errors. `satb` checks the
built-in four-part model against the ranges of its training corpus (skipped, exit 77, when
../shared/data is missing). Written MIDI files are read back with mido, an independent reader.
"""
import json
import os
import random
import subprocess
import sys
import wave
import xml.etree.ElementTree as ET

import mido

DRUMS, KICK, SNARE, HAT = 9, 36, 38, 42
BASS, PIANO, GUITAR = 33, 0, 25


class Failure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


def run(musegen, args, timeout=900):
    p = subprocess.run([musegen] + args, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def generate(musegen, args):
    code, out, err = run(musegen, ['generate'] + args)
    expect(code == 0, f'exit {code} for generate {" ".join(args)}: {err}')
    return out


def band_file(path, rng, bars=8, tempo_bpm=120, with_guitar=False):
    """A format-1 band file: one track per instrument, each with its name and program."""
    tpq = 480
    mid = mido.MidiFile(type=1, ticks_per_beat=tpq)
    conductor = mido.MidiTrack([mido.MetaMessage('set_tempo', tempo=mido.bpm2tempo(tempo_bpm)),
                                mido.MetaMessage('time_signature', numerator=4, denominator=4)])
    mid.tracks.append(conductor)
    root = rng.choice([40, 43, 45, 38])
    progression = [rng.choice([0, 5, 7, 9, 3]) for _ in range(bars)]
    parts = {'Drums': (DRUMS, 0, []), 'Bass': (1, BASS, []), 'Piano': (0, PIANO, [])}
    if with_guitar:
        parts['Guitar'] = (2, GUITAR, [])
    for bar, step in enumerate(progression):
        t0 = bar * 4 * tpq
        notes = parts['Drums'][2]
        for beat in range(4):
            notes.append((KICK if beat % 2 == 0 else SNARE, t0 + beat * tpq, 120, 100))
        for eighth in range(8):
            notes.append((HAT, t0 + eighth * tpq // 2, 60, 70))
        for beat in range(4):
            parts['Bass'][2].append((root + step, t0 + beat * tpq, tpq - 20, 90))
        for half in range(2):
            for offset in (12, 16, 19):
                parts['Piano'][2].append((root + step + offset + 12, t0 + half * 2 * tpq,
                                          2 * tpq - 20, 70))
        if with_guitar:
            for eighth in range(8):
                pitch = root + step + 24 + (0, 4, 7, 12)[eighth % 4]
                parts['Guitar'][2].append((pitch, t0 + eighth * tpq // 2, tpq // 2 - 10, 80))
    for name, (channel, program, notes) in parts.items():
        events = [(start, 'on', pitch, vel) for pitch, start, _, vel in notes]
        events += [(start + length, 'off', pitch, 0) for pitch, start, length, _ in notes]
        events.sort(key=lambda e: (e[0], e[1] == 'on'))
        track = mido.MidiTrack([mido.MetaMessage('track_name', name=name)])
        if channel != DRUMS:
            track.append(mido.Message('program_change', channel=channel, program=program))
        now = 0
        for tick, kind, pitch, vel in events:
            kind = 'note_on' if kind == 'on' else 'note_off'
            track.append(mido.Message(kind, channel=channel, note=pitch, velocity=vel,
                                      time=tick - now))
            now = tick
        mid.tracks.append(track)
    mid.save(path)


def case_models(musegen, work):
    corpus = os.path.join(work, 'band')
    os.makedirs(corpus, exist_ok=True)
    rng = random.Random(7)
    for i in range(24):
        band_file(os.path.join(corpus, f'song{i:02d}.mid'), rng, with_guitar=i % 2 == 0)
    code, out, err = run(musegen, [
        'train', corpus, '--out', os.path.join(work, 'band.pt'), '--preset', 'small',
        '--set', 'tokenizer=multitrack', '--set', 'objective=bars', '--set', 'fill_fraction=0.3',
        '--set', 'hidden_size=96',
        '--set', 'embedding_dim=32', '--set', 'num_layers=1', '--set', 'dense_sizes=none',
        '--set', 'sequence_length=256', '--set', 'batch_size=8', '--set', 'learning_rate=0.005',
        '--set', 'dropout=0', '--set', 'early_stop_patience=0', '--epochs', '40', '--seed', '1',
        '--threads', '1'])
    expect(code == 0, f'training failed ({code}): {err}')
    expect('instruments (4)' in out + err, f'the corpus summary lists no instruments: {out}{err}')
    expect('of them drums:' in out + err, f'the corpus summary does not count drums: {out}{err}')
    code, out, err = run(musegen, ['model', os.path.join(work, 'band.pt'), '--json'])
    expect(code == 0 and json.loads(out)['can_fill'], f'the band model cannot fill: {out}{err}')
    code, out, err = run(musegen, ['model', os.path.join(work, 'band.pt')])
    expect('can fill bars: yes' in out, f'musegen model does not say the model can fill: {out}')


def notes_of(path):
    """{track name: sorted [(start tick, pitch, end tick)]} of a MIDI file, read by mido."""
    mid = mido.MidiFile(path)
    out = {}
    for track in mid.tracks:
        name, now, sounding, notes = '', 0, {}, []
        for msg in track:
            now += msg.time
            if msg.type == 'track_name':
                name = msg.name
            elif msg.type == 'note_on' and msg.velocity > 0:
                sounding[msg.note] = now
            elif msg.type in ('note_on', 'note_off') and msg.note in sounding:
                notes.append((sounding.pop(msg.note), msg.note, now))
        if notes:
            out[name] = sorted(notes)
    return mid.ticks_per_beat, out


def case_fill(musegen, work):
    song = os.path.join(work, 'band', 'song00.mid')
    out = os.path.join(work, 'filled.mid')
    generate(musegen, ['--model', model(work), '--fill', song, '--fill-bars', '3-4', '--seed', '2',
                       '--out', out])
    tpq, before = notes_of(song)
    tpq_out, after = notes_of(out)
    scale = tpq_out / tpq
    gap = (2 * 4 * tpq_out, 4 * 4 * tpq_out)  # bars 3-4 of 4/4
    expect(sorted(after) == sorted(before), f'tracks {sorted(before)} became {sorted(after)}')
    for name in before:
        outside = [(round(a * scale), p, round(b * scale)) for a, p, b in before[name]
                   if not gap[0] <= a * scale < gap[1]]
        kept = [n for n in after[name] if not gap[0] <= n[0] < gap[1]]
        expect(kept == outside, f'{name}: the notes outside bars 3-4 changed')
        for start, _, end in after[name]:
            if gap[0] <= start < gap[1]:
                expect(end <= gap[1], f'{name}: a filled note runs past the gap')
    inside = sum(gap[0] <= n[0] < gap[1] for notes in after.values() for n in notes)
    expect(inside > 0, 'the gap was left empty')
    code, out, err = run(musegen, ['generate', '--fill', song, '--fill-bars', '3-4', '--out',
                                   os.path.join(work, 'no.mid')])
    expect(code == 2 and 'fill' in err, f'the chorales model was asked to fill: exit {code}, {err}')


def tracks_of(path):
    """[(name, channel, program, n_notes)] of every track with notes, read by mido."""
    out = []
    for track in mido.MidiFile(path).tracks:
        name, channels, programs, notes = '', set(), set(), 0
        for msg in track:
            if msg.type == 'track_name':
                name = msg.name
            elif msg.type == 'program_change':
                programs.add(msg.program)
            elif msg.type == 'note_on' and msg.velocity > 0:
                channels.add(msg.channel)
                notes += 1
        if notes:
            expect(len(channels) == 1, f'{path}: track {name} plays on channels {channels}')
            expect(len(programs) <= 1, f'{path}: track {name} changes program {programs}')
            out.append((name, channels.pop(), programs.pop() if programs else 0, notes))
    return out


def model(work):
    return os.path.join(work, 'band.pt')


def case_band(musegen, work):
    out = os.path.join(work, 'free.mid')
    generate(musegen, ['--model', model(work), '--count', '4', '--length', '500', '--seed', '3',
                       '--out', out])
    with_drums = 0
    for k in range(1, 5):
        tracks = tracks_of(os.path.join(work, f'free-{k}.mid'))
        expect(len(tracks) >= 2, f'candidate {k} has {len(tracks)} track(s): {tracks}')
        channels = [t[1] for t in tracks]
        pitched = [c for c in channels if c != DRUMS]
        expect(len(set(pitched)) == len(pitched), f'candidate {k} shares channels: {tracks}')
        for name, channel, program, _ in tracks:
            if channel == DRUMS:
                expect(name.startswith('Drums'), f'drum track named {name!r}')
            else:
                expect(program in (BASS, PIANO, GUITAR), f'candidate {k}: program {program}')
        with_drums += DRUMS in channels
    expect(with_drums >= 3, f'only {with_drums} of 4 free candidates have a channel-10 drum track')


def case_instruments(musegen, work):
    out = os.path.join(work, 'trio.mid')
    report = json.loads(generate(musegen, [
        '--model', model(work), '--instruments', 'drums,bass,piano', '--count', '3',
        '--length', '300', '--seed', '5', '--out', out, '--json']))
    for k, cand in enumerate(report['candidates'], start=1):
        tracks = tracks_of(os.path.join(work, f'trio-{k}.mid'))
        expect(len(tracks) == 3, f'candidate {k}: {len(tracks)} tracks play, expected 3: {tracks}')
        drums = [t for t in tracks if t[1] == DRUMS]
        bass = [t for t in tracks if t[1] != DRUMS and 32 <= t[2] <= 39]
        piano = [t for t in tracks if t[1] != DRUMS and 0 <= t[2] <= 5]
        expect(len(drums) == len(bass) == len(piano) == 1, f'candidate {k}: {tracks}')
        listed = [(t['name'], t['channel'], t['notes']) for t in cand['tracks']]
        expect(sorted(listed) == sorted((n, c, k2) for n, c, _, k2 in tracks),
               f'--json tracks {listed} differ from the file {tracks}')


def case_primer(musegen, work):
    primer = os.path.join(work, 'primer.mid')
    band_file(primer, random.Random(11), bars=3, tempo_bpm=100, with_guitar=True)
    out = os.path.join(work, 'continued.mid')
    generate(musegen, ['--model', model(work), '--primer', primer, '--length', '200',
                       '--seed', '2', '--out', out])
    mid = mido.MidiFile(out)
    tempos = [m.tempo for t in mid.tracks for m in t if m.type == 'set_tempo']
    expect(tempos and round(mido.tempo2bpm(tempos[0])) == 100, f'tempo not kept: {tempos}')
    given = {(c == DRUMS, p) for _, c, p, _ in tracks_of(primer)}
    written = {(c == DRUMS, p) for _, c, p, _ in tracks_of(out)}
    expect(given <= written, f'primer instruments {given} not all in the output {written}')
    last = os.path.join(work, 'lastbar.mid')
    generate(musegen, ['--model', model(work), '--primer', primer, '--primer-bars', '1',
                       '--length', '1', '--seed', '2', '--out', last])
    first_bar = sum(1 for t in mido.MidiFile(last).tracks for m in t
                    if m.type == 'note_on' and m.velocity > 0)
    expected = sum(n for _, _, _, n in tracks_of(primer)) // 3  # three identical-size bars
    expect(abs(first_bar - expected) <= 3,
           f'--primer-bars 1 gave {first_bar} primer notes, expected about {expected}')


def case_pictures(musegen, work):
    wav_path, svg_path = os.path.join(work, 'band.wav'), os.path.join(work, 'band.svg')
    generate(musegen, ['--model', model(work), '--instruments', 'drums,bass,piano', '--length',
                       '300', '--seed', '4', '--out', os.path.join(work, 'pic.mid'), '--wav',
                       wav_path, '--svg', svg_path])
    with wave.open(wav_path) as w:
        frames = w.readframes(w.getnframes())
    expect(any(frames[i] for i in range(0, len(frames), 97)), 'the WAV is silent')
    text = ' '.join(ET.parse(svg_path).getroot().itertext())
    for name in ('Drums', 'Acoustic Grand Piano', 'Bass'):
        expect(name in text, f'the piano-roll legend lacks {name!r}: {text[:300]}')


def case_errors(musegen, work):
    out = os.path.join(work, 'never.mid')
    primer = os.path.join(work, 'primer-err.mid')
    band_file(primer, random.Random(1), bars=2)
    cases = [
        (['--model', model(work), '--instruments', 'drums,banjolele'], 'banjolele'),
        (['--model', model(work), '--instruments', 'violin,,cello'], 'instrument'),
        (['--model', 'chorales', '--instruments', 'violin'], 'one instrument'),
        (['--model', model(work), '--program', 'violin'], '--instruments'),
        (['--model', model(work), '--primer-bars', '2'], '--primer'),
        (['--model', model(work), '--primer', primer, '--instruments', 'piano'], 'primer'),
        (['--model', 'no-such-model'], 'chorales'),
    ]
    for args, needle in cases:
        if os.path.exists(out):
            os.remove(out)
        code, _, err = run(musegen, ['generate'] + args + ['--out', out])
        expect(code == 2, f'exit {code} (expected 2) for {args}: {err}')
        expect(needle in err, f'{args}: the error does not mention {needle!r}: {err}')
        expect(err.count('\nerror') == 0 and err.startswith('error:'), f'{args}: {err}')
        expect(not os.path.exists(out), f'{args}: {out} was written despite the error')


def case_harmonize(musegen, work):
    """The band model writes the other parts under a song's piano part, which is kept."""
    song = mido.MidiFile(os.path.join(work, 'band', 'song01.mid'))
    melody = mido.MidiFile(type=1, ticks_per_beat=song.ticks_per_beat)
    melody.tracks.append(song.tracks[0])
    melody.tracks += [t for t in song.tracks[1:]
                      if any(m.type == 'track_name' and m.name == 'Piano' for m in t)]
    given = os.path.join(work, 'melody.mid')
    melody.save(given)
    for seed in range(1, 6):  # several samples: notes of one key that collide are likely
        out = os.path.join(work, f'harmonized-{seed}.mid')
        generate(musegen, ['--model', model(work), '--harmonize', given, '--seed', str(seed),
                           '--out', out])
        tpq, before = notes_of(given)
        tpq_out, after = notes_of(out)
        scale = tpq_out / tpq
        piano = [(round(a * scale), p, round(b * scale)) for a, p, b in before['Piano']]
        expect(after.get('Piano') == piano, f'seed {seed}: the given piano part changed')
        others = [name for name in after if name != 'Piano']
        expect(len(others) >= 1, f'seed {seed}: no part was written under the melody')


def case_satb(musegen, work):
    data = os.environ.get('MUSEGEN_DATA', '')
    train_dir = os.path.join(data, 'multipart', 'bach-satb', 'train')
    if not os.path.isdir(train_dir):
        print(f'skipped: {train_dir} not found (set MUSEGEN_DATA)')
        sys.exit(77)
    code, out, _ = run(musegen, ['models', '--json'])
    names = [m['name'] for m in json.loads(out)['models']]
    if 'satb' not in names:
        print('skipped: this build has no built-in satb model')
        sys.exit(77)
    ranges = {}
    for f in sorted(os.listdir(train_dir)):
        for track in mido.MidiFile(os.path.join(train_dir, f)).tracks:
            name = next((m.name for m in track if m.type == 'track_name'), '')
            pitches = [m.note for m in track if m.type == 'note_on' and m.velocity > 0]
            if pitches:
                lo, hi = ranges.get(name, (127, 0))
                ranges[name] = (min(lo, min(pitches)), max(hi, max(pitches)))
    path = os.path.join(work, 'satb.mid')
    generate(musegen, ['--model', 'satb', '--seconds', '30', '--no-end', '--seed', '1',
                       '--out', path])
    tracks = mido.MidiFile(path).tracks
    voiced = [t for t in tracks if any(m.type == 'note_on' for m in t)]
    names = [next((m.name for m in t if m.type == 'track_name'), '') for t in voiced]
    expect(names == ['Soprano', 'Alto', 'Tenor', 'Bass'], f'tracks: {names}')
    length = mido.MidiFile(path).length
    expect(length >= 29, f'30 s asked, {length:.1f} s written')
    for name, track in zip(names, voiced):
        lo, hi = ranges[name]
        pitches = [m.note for m in track if m.type == 'note_on' and m.velocity > 0]
        inside = sum(lo <= p <= hi for p in pitches) / len(pitches)
        expect(inside >= 0.95, f'{name}: {inside:.0%} of notes within {lo}..{hi}')


def main():
    musegen, case, work = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(work, exist_ok=True)
    cases = {'models': case_models, 'band': case_band, 'instruments': case_instruments,
             'primer': case_primer, 'pictures': case_pictures, 'errors': case_errors,
             'fill': case_fill, 'harmonize': case_harmonize, 'satb': case_satb}
    try:
        cases[case](musegen, work)
    except Failure as e:
        print(f'FAIL {case}: {e}')
        return 1
    print(f'ok {case}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
