// A piano roll on a canvas: notes coloured by part, bar lines and numbers, a playhead moved
// while the music plays, and bars selected by dragging over the bar numbers (for filling).

const COLORS = ['#2f6fb3', '#c0504d', '#4f9a45', '#8064a2', '#d98c1f', '#2aa198', '#b05f8d', '#6b6b6b'];
const RULER = 18; // px: the bar numbers strip on top

export const channelColor = (channel) => COLORS[channel % COLORS.length];

export class PianoRoll {
  // roll: {notes: [[start, end, pitch, velocity, channel, program]...], bars: [sec...], seconds}
  // given: [seconds, label] of music that was given (a primer), shaded so the new part shows.
  // changed: [firstBar, lastBar] that were rewritten, marked.
  constructor(roll, { height = 180, onSelect, given, changed } = {}) {
    this.roll = roll;
    this.given = given;
    this.changed = changed;
    this.onSelect = onSelect;
    this.selection = null; // [firstBar, lastBar], 0-based, inclusive
    this.el = document.createElement('div');
    this.el.className = 'roll';
    this.canvas = document.createElement('canvas');
    this.canvas.height = height;
    this.head = document.createElement('div');
    this.head.className = 'playhead';
    this.el.append(this.canvas, this.head);
    this.el.dataset.notes = String(roll.notes.length);
    this.canvas.addEventListener('pointerdown', (e) => this.startSelect(e));
    new ResizeObserver(() => this.draw()).observe(this.el);
  }

  seconds() { return Math.max(this.roll.seconds, 1); }
  x(sec) { return (sec / this.seconds()) * this.canvas.width; }
  barAt(px) {
    const sec = (px / this.canvas.width) * this.seconds();
    let bar = 0;
    this.roll.bars.forEach((start, i) => { if (start <= sec) bar = i; });
    return bar;
  }

  draw() {
    const c = this.canvas;
    c.width = Math.max(this.el.clientWidth, 200);
    const g = c.getContext('2d');
    g.clearRect(0, 0, c.width, c.height);
    const pitched = this.roll.notes.filter((n) => n[4] !== 9).map((n) => n[2]);
    const lo = Math.min(...pitched, 60) - 2, hi = Math.max(...pitched, 72) + 2;
    const rowH = (c.height - RULER) / (hi - lo + 1);
    const y = (p) => RULER + (hi - p) * rowH;
    if (this.given) {
      g.fillStyle = 'rgba(120, 130, 150, 0.12)';
      g.fillRect(0, RULER, this.x(this.given[0]), c.height - RULER);
      g.fillStyle = '#778';
      g.font = '10px system-ui, sans-serif';
      g.fillText(this.given[1], this.x(this.given[0]) - g.measureText(this.given[1]).width - 4, c.height - 4);
    }
    this.drawBars(g, c);
    this.drawOctaves(g, c, lo, hi, y, rowH);
    for (const [start, end, pitch, velocity, channel] of this.roll.notes) {
      const drum = channel === 9; // drums: ticks along the bottom edge
      g.fillStyle = COLORS[channel % COLORS.length];
      g.globalAlpha = 0.45 + 0.55 * (velocity / 127);
      const py = drum ? c.height - 4 : y(pitch);
      g.fillRect(this.x(start), py, Math.max(this.x(end) - this.x(start) - 1, 2), drum ? 3 : Math.max(rowH, 2));
    }
    g.globalAlpha = 1;
  }

  drawBars(g, c) {
    g.font = '11px system-ui, sans-serif';
    const bars = this.roll.bars;
    const every = Math.max(1, Math.ceil(bars.length / (c.width / 28)));
    bars.forEach((start, i) => {
      const x0 = this.x(start), x1 = this.x(i + 1 < bars.length ? bars[i + 1] : this.seconds());
      const picked = this.selection && i >= this.selection[0] && i <= this.selection[1];
      if (picked) { g.fillStyle = 'rgba(255, 200, 0, 0.25)'; g.fillRect(x0, 0, x1 - x0, c.height); }
      const changed = this.changed && i >= this.changed[0] && i <= this.changed[1];
      if (changed) { g.fillStyle = 'rgba(80, 170, 90, 0.13)'; g.fillRect(x0, 0, x1 - x0, c.height); }
      g.fillStyle = '#ddd';
      g.fillRect(x0, RULER, 1, c.height - RULER);
      if (i % every === 0) { g.fillStyle = '#555'; g.fillText(String(i + 1), x0 + 3, 12); }
    });
    g.fillStyle = '#bbb';
    g.fillRect(0, RULER - 1, c.width, 1);
  }

  // A faint line and a name at every C, so a musician can read the register.
  drawOctaves(g, c, lo, hi, y, rowH) {
    g.font = '10px system-ui, sans-serif';
    for (let p = Math.ceil(lo / 12) * 12; p <= hi; p += 12) {
      g.fillStyle = '#eef0f3';
      g.fillRect(0, y(p) + rowH, c.width, 1);
      g.fillStyle = '#99a';
      g.fillText(`C${p / 12 - 1}`, 2, y(p) + rowH - 1);
    }
  }

  startSelect(e) {
    if (!this.onSelect) return;
    const rect = this.canvas.getBoundingClientRect();
    const first = this.barAt(e.clientX - rect.left);
    const move = (ev) => {
      const bar = this.barAt(ev.clientX - rect.left);
      this.selection = [Math.min(first, bar), Math.max(first, bar)];
      this.draw();
    };
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      this.onSelect(this.selection);
    };
    move(e);
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  }

  clearSelection() { this.selection = null; this.draw(); }

  // Moves the playhead to `sec` (null hides it).
  setTime(sec) {
    if (sec === null) { this.head.style.display = 'none'; return; }
    this.head.style.display = 'block';
    this.head.style.left = `${this.x(sec)}px`;
  }
}
