// The latency of the page's pings: the last samples, their p50/p99, and a chart on a canvas.

export const MAX_SAMPLES = 120;

/** The p-th percentile of sorted values (nearest rank), or null when there are none. */
export function percentile(sorted, p) {
  if (!sorted.length) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** The last `limit` round trips, oldest first. */
export class LatencySamples {
  constructor(limit = MAX_SAMPLES) {
    this.limit = limit;
    this.values = [];
  }

  add(rtt) {
    this.values.push(rtt);
    if (this.values.length > this.limit) this.values.shift();
  }

  sorted() {
    return [...this.values].sort((a, b) => a - b);
  }

  /** What the figures under the chart say. */
  figures() {
    const sorted = this.sorted();
    const show = (v) => (v === null ? '–' : `${v} ms`);
    return {
      last: show(this.values.length ? this.values[this.values.length - 1] : null),
      p50: show(percentile(sorted, 50)),
      p99: show(percentile(sorted, 99)),
      count: String(this.values.length),
    };
  }
}

/**
 * Draws the samples (in the order they came) with dashed p50 and p99 lines.
 *
 * @param {HTMLCanvasElement} canvas
 * @param {LatencySamples} samples
 * @param {number} ratio the device pixel ratio
 */
export function drawChart(canvas, samples, ratio = 1) {
  const values = samples.values;
  const sorted = samples.sorted();
  const cssWidth = canvas.clientWidth || 600;
  canvas.width = Math.round(cssWidth * ratio);
  canvas.height = Math.round(160 * ratio);
  const ctx = canvas.getContext('2d');
  ctx.scale(ratio, ratio);
  const w = cssWidth;
  const h = 160;
  const pad = { l: 40, r: 8, t: 10, b: 18 };
  ctx.clearRect(0, 0, w, h);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#5e6875';
  if (!values.length) {
    ctx.fillText('no pings yet', pad.l, h / 2);
    return;
  }
  const max = Math.max(5, sorted[sorted.length - 1]) * 1.15;
  const y = (v) => pad.t + (h - pad.t - pad.b) * (1 - v / max);
  const x = (i) => pad.l + ((w - pad.l - pad.r) * i) / Math.max(1, samples.limit - 1);
  ctx.strokeStyle = '#e2e8f0';
  ctx.lineWidth = 1;
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4;
    ctx.beginPath();
    ctx.moveTo(pad.l, y(v));
    ctx.lineTo(w - pad.r, y(v));
    ctx.stroke();
    ctx.fillText(`${Math.round(v)} ms`, 2, y(v) + 4);
  }
  const line = (value, colour, label) => {
    ctx.strokeStyle = colour;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(pad.l, y(value));
    ctx.lineTo(w - pad.r, y(value));
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = colour;
    ctx.fillText(`${label} ${value} ms`, w - pad.r - 80, y(value) - 3);
  };
  line(percentile(sorted, 50), '#2f855a', 'p50');
  line(percentile(sorted, 99), '#c53030', 'p99');
  ctx.strokeStyle = '#2b6cb0';
  ctx.lineWidth = 2;
  ctx.beginPath();
  values.forEach((v, i) => (i === 0 ? ctx.moveTo(x(i), y(v)) : ctx.lineTo(x(i), y(v))));
  ctx.stroke();
  ctx.fillStyle = '#2b6cb0';
  values.forEach((v, i) => ctx.fillRect(x(i) - 1.5, y(v) - 1.5, 3, 3));
}

/** The latency section: figures and chart, redrawn on every sample. */
export class LatencyView {
  /**
   * @param {(id: string) => HTMLElement} $
   * @param {() => number} ratio the device pixel ratio
   */
  constructor($, ratio = () => 1) {
    this.$ = $;
    this.ratio = ratio;
    this.samples = new LatencySamples();
  }

  add(rtt) {
    this.samples.add(rtt);
    const f = this.samples.figures();
    this.$('latency-last').textContent = f.last;
    this.$('latency-p50').textContent = f.p50;
    this.$('latency-p99').textContent = f.p99;
    this.$('latency-count').textContent = f.count;
    this.draw();
  }

  draw() {
    drawChart(/** @type {HTMLCanvasElement} */ (this.$('latency-chart')), this.samples, this.ratio());
  }
}
