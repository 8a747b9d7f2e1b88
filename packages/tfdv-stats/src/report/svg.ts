// Inline SVG charts: a numeric histogram (equal-width columns, one per bucket, whatever its value range) and the
// horizontal bars of a categorical feature's most frequent values. Plain markup: no script, no fonts, no network.
import { escapeHtml, formatNumber } from './format.ts';

export interface Bar {
  label: string;
  value: number;
  /** Hover text. */
  title: string;
}

const W = 300;
const H = 96;
const AXIS = 14;

/** Column chart of histogram buckets; the bucket range and count are each bar's tooltip. */
export function histogramSvg(bars: readonly Bar[], caption: string): string {
  if (bars.length === 0) return '<p class="empty">no values</p>';
  const max = Math.max(...bars.map((b) => b.value), 0) || 1;
  const bw = W / bars.length;
  const rects = bars.map((b, i) => {
    const h = Math.max(b.value > 0 ? 1 : 0, ((H - AXIS) * b.value) / max);
    return `<rect class="bar" x="${(i * bw + 1).toFixed(1)}" y="${(H - AXIS - h).toFixed(1)}" width="${Math.max(bw - 2, 1).toFixed(1)}" height="${h.toFixed(1)}"><title>${escapeHtml(b.title)}</title></rect>`;
  });
  const first = bars[0]!.label;
  const last = bars[bars.length - 1]!.label;
  return `<svg class="histogram" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(caption)}">
<line class="axis" x1="0" y1="${H - AXIS + 0.5}" x2="${W}" y2="${H - AXIS + 0.5}"/>${rects.join('')}
<text class="tick" x="0" y="${H - 2}">${escapeHtml(first)}</text><text class="tick" x="${W}" y="${H - 2}" text-anchor="end">${escapeHtml(last)}</text></svg>`;
}

/** Horizontal bars for the top values (label left, count right). */
export function topValuesSvg(bars: readonly Bar[], caption: string): string {
  if (bars.length === 0) return '<p class="empty">no values</p>';
  const row = 16;
  const labelW = 120;
  const max = Math.max(...bars.map((b) => b.value), 0) || 1;
  const height = row * bars.length;
  const items = bars.map((b, i) => {
    const y = i * row;
    const w = Math.max(1, ((W - labelW - 50) * b.value) / max);
    const label = b.label.length > 18 ? `${b.label.slice(0, 17)}…` : b.label;
    return `<g><title>${escapeHtml(b.title)}</title><text class="label" x="${labelW - 4}" y="${y + 12}" text-anchor="end">${escapeHtml(label)}</text>`
      + `<rect class="bar" x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${row - 5}"/>`
      + `<text class="count" x="${(labelW + w + 4).toFixed(1)}" y="${y + 12}">${escapeHtml(formatNumber(b.value))}</text></g>`;
  });
  return `<svg class="top-values" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-label="${escapeHtml(caption)}">${items.join('')}</svg>`;
}
