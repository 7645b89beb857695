/** One plotted series: a polyline or dots. */
export interface ChartSeries {
  label: string;
  color: string;
  kind: 'line' | 'dots';
  points: readonly (readonly [number, number])[];
}

/** A chart: axes, optional shaded x-spans, any number of series. */
export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  /** Shaded x ranges (attack spans), with their legend label. */
  spans?: { label: string; ranges: readonly (readonly [number, number])[] };
  xDomain?: readonly [number, number];
  yDomain?: readonly [number, number];
  formatX?: (x: number) => string;
  width?: number;
  height?: number;
}

const PAD = { left: 56, right: 16, top: 28, bottom: 44 };

/**
 * An inline SVG chart with no scripts or external resources, so a report is one self-contained
 * file that any browser opens offline.
 */
export function svgChart(spec: ChartSpec): string {
  const width = spec.width ?? 760;
  const height = spec.height ?? 280;
  const all = spec.series.flatMap((s) => s.points);
  const [x0, x1] = spec.xDomain ?? extent(all.map((p) => p[0]));
  const [y0, y1] = spec.yDomain ?? extent(all.map((p) => p[1]));
  const px = (x: number) => PAD.left + ((x - x0) / (x1 - x0 || 1)) * (width - PAD.left - PAD.right);
  const py = (y: number) =>
    height - PAD.bottom - ((y - y0) / (y1 - y0 || 1)) * (height - PAD.top - PAD.bottom);
  const fx = spec.formatX ?? ((x: number) => formatNumber(x));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(spec.title)}">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${PAD.left}" y="18" font-size="14" font-weight="bold">${esc(spec.title)}</text>`,
  ];
  for (const [a, b] of spec.spans?.ranges ?? []) {
    const left = px(Math.max(a, x0));
    const w = Math.max(2, px(Math.min(b, x1)) - left);
    parts.push(
      `<rect x="${left.toFixed(1)}" y="${PAD.top}" width="${w.toFixed(1)}" height="${height - PAD.top - PAD.bottom}" fill="#f4a6a6" opacity="0.45"/>`,
    );
  }
  for (let k = 0; k <= 4; k++) {
    const xv = x0 + ((x1 - x0) * k) / 4;
    const yv = y0 + ((y1 - y0) * k) / 4;
    parts.push(
      `<text x="${px(xv).toFixed(1)}" y="${height - PAD.bottom + 16}" font-size="11" text-anchor="middle">${esc(fx(xv))}</text>`,
      `<line x1="${PAD.left}" x2="${width - PAD.right}" y1="${py(yv).toFixed(1)}" y2="${py(yv).toFixed(1)}" stroke="#eee"/>`,
      `<text x="${PAD.left - 6}" y="${(py(yv) + 4).toFixed(1)}" font-size="11" text-anchor="end">${esc(formatNumber(yv))}</text>`,
    );
  }
  parts.push(
    `<rect x="${PAD.left}" y="${PAD.top}" width="${width - PAD.left - PAD.right}" height="${height - PAD.top - PAD.bottom}" fill="none" stroke="#888"/>`,
    `<text x="${(width / 2).toFixed(0)}" y="${height - 8}" font-size="12" text-anchor="middle">${esc(spec.xLabel)}</text>`,
    `<text x="14" y="${(height / 2).toFixed(0)}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${(height / 2).toFixed(0)})">${esc(spec.yLabel)}</text>`,
  );
  for (const s of spec.series) {
    if (s.kind === 'line') {
      const d = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(clamp(y, y0, y1)).toFixed(1)}`).join(' ');
      parts.push(`<polyline points="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"/>`);
    } else {
      for (const [x, y] of s.points) {
        parts.push(
          `<circle cx="${px(x).toFixed(1)}" cy="${py(clamp(y, y0, y1)).toFixed(1)}" r="1.6" fill="${s.color}"/>`,
        );
      }
    }
  }
  parts.push(legend(spec, width));
  parts.push('</svg>');
  return parts.join('\n');
}

function legend(spec: ChartSpec, width: number): string {
  const items = spec.series.map((s) => [s.label, s.color] as const);
  if (spec.spans) items.push([spec.spans.label, '#f4a6a6']);
  let x = width - PAD.right;
  const out: string[] = [];
  for (const [label, color] of [...items].reverse()) {
    x -= label.length * 6.5 + 22;
    out.push(`<rect x="${x.toFixed(0)}" y="9" width="12" height="10" fill="${color}"/>`);
    out.push(`<text x="${(x + 16).toFixed(0)}" y="18" font-size="11">${esc(label)}</text>`);
  }
  return out.join('\n');
}

function extent(values: number[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi === lo ? lo + 1 : hi] : [0, 1];
}

function clamp(v: number, lo: number, hi: number): number {
  return Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : hi;
}

function formatNumber(x: number): string {
  return Math.abs(x) >= 1000 || (x !== 0 && Math.abs(x) < 0.01)
    ? x.toExponential(1)
    : String(Math.round(x * 100) / 100);
}

/** Escapes text for SVG/HTML content and attributes. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
