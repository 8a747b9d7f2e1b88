// The training run as a self-contained HTML page (system.HTML, shown in place by the KFP UI and the run report):
// per-epoch curves (loss, accuracy, ROC AUC: train and validation; learning rate and batch size), the restored
// epoch marked, and the epochs table. Inline CSS and SVG only: nothing is fetched, no script runs.
import { COLOURS, escapeHtml, num } from '../html.ts';
import type { EpochRecord } from './loop.ts';

export interface TrainingReport {
  title: string;
  history: readonly EpochRecord[];
  /** The epoch whose weights the model holds (marked on every chart). */
  bestEpoch: number;
  notes: readonly string[];
}

type Key = 'loss' | 'val_loss' | 'accuracy' | 'val_accuracy' | 'auc' | 'val_auc' | 'learning_rate' | 'batch_size';
interface Series { key: Key; label: string }

const CHARTS: { title: string; series: Series[]; log?: boolean }[] = [
  { title: 'binary cross-entropy', series: [{ key: 'loss', label: 'train' }, { key: 'val_loss', label: 'validation' }] },
  { title: 'accuracy', series: [{ key: 'accuracy', label: 'train' }, { key: 'val_accuracy', label: 'validation' }] },
  { title: 'ROC AUC', series: [{ key: 'auc', label: 'train' }, { key: 'val_auc', label: 'validation' }] },
  { title: 'learning rate', series: [{ key: 'learning_rate', label: 'learning rate' }], log: true },
  { title: 'batch size', series: [{ key: 'batch_size', label: 'batch size' }] },
];

const finite = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);

/** One line chart over the epochs; undefined when no series has a finite value (e.g. validation in warmup). */
function chart(c: (typeof CHARTS)[number], history: readonly EpochRecord[], bestEpoch: number): string | undefined {
  const series = c.series.map((s) => ({ ...s, points: history.filter((h) => finite(h[s.key])).map((h) => [h.epoch, h[s.key]!] as const) }))
    .filter((s) => s.points.length > 0);
  if (series.length === 0) return undefined;
  const W = 420, H = 220, L = 64, R = 12, T = 14, B = 52;
  const fy = c.log && series.every((s) => s.points.every(([, y]) => y > 0)) ? Math.log10 : (y: number) => y;
  const epochs = history.map((h) => h.epoch);
  const [x0, x1] = [Math.min(...epochs), Math.max(...epochs)];
  const ys = series.flatMap((s) => s.points.map(([, y]) => fy(y)));
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y1 - y0 < 1e-12) { y0 -= 0.5 * (Math.abs(y0) || 1); y1 += 0.5 * (Math.abs(y1) || 1); }
  const px = (x: number) => L + (x1 === x0 ? 0.5 : (x - x0) / (x1 - x0)) * (W - L - R);
  const py = (y: number) => T + (1 - (fy(y) - y0) / (y1 - y0)) * (H - T - B);
  const unfy = (v: number) => (fy === Math.log10 ? 10 ** v : v);
  const lines = series.map((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const d = s.points.map(([x, y], j) => `${j ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join('');
    const dots = s.points.map(([x, y]) => `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${colour}"><title>epoch ${x} ${escapeHtml(s.label)}: ${num(y)}</title></circle>`).join('');
    return `<path class="series" data-series="${s.key}" d="${d}" fill="none" stroke="${colour}" stroke-width="2"/>${dots}`;
  });
  const best = epochs.includes(bestEpoch)
    ? `<line class="best-epoch" x1="${px(bestEpoch).toFixed(1)}" x2="${px(bestEpoch).toFixed(1)}" y1="${T}" y2="${H - B}" stroke="#000" stroke-dasharray="4 3"><title>restored epoch ${bestEpoch}</title></line>`
    : '';
  const xt = [...new Set([x0, Math.round((x0 + x1) / 2), x1])].map((x) => `<text x="${px(x).toFixed(1)}" y="${H - B + 16}" text-anchor="middle">${x}</text>`);
  const yt = [y0, (y0 + y1) / 2, y1].map((v) => `<text x="${L - 6}" y="${(T + (1 - (v - y0) / (y1 - y0)) * (H - T - B)).toFixed(1)}" text-anchor="end" dominant-baseline="middle">${num(unfy(v), 3)}</text>`);
  const legend = series.map((s, i) => `<rect x="${L + i * 110}" y="${H - 16}" width="10" height="10" fill="${COLOURS[i % COLOURS.length]}"/><text x="${L + 14 + i * 110}" y="${H - 7}">${escapeHtml(s.label)}</text>`);
  return `<figure><figcaption>${escapeHtml(c.title)}${fy === Math.log10 ? ' (log scale)' : ''}</figcaption>
<svg xmlns="http://www.w3.org/2000/svg" class="curve" data-chart="${escapeHtml(c.title)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(c.title)} by epoch">
<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#ccc"/>
${best}${lines.join('\n')}
${xt.join('')}${yt.join('')}<text x="${(L + W - R) / 2}" y="${H - B + 30}" text-anchor="middle">epoch</text>${legend.join('')}
</svg></figure>`;
}

export function trainingReportHtml(r: TrainingReport): string {
  const cols: Key[] = ['loss', 'val_loss', 'accuracy', 'val_accuracy', 'auc', 'val_auc', 'learning_rate', 'batch_size'];
  const rows = r.history.map((h) => {
    const cells = [String(h.epoch), ...cols.map((k) => num(h[k], k === 'batch_size' ? 6 : 4)), String(h.steps), String(h.rows), num(h.seconds, 3)];
    return `<tr${h.epoch === r.bestEpoch ? ' class="best"' : ''}>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
  });
  const charts = CHARTS.map((c) => chart(c, r.history, r.bestEpoch)).filter((x) => x !== undefined);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(r.title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}
.charts{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0}figcaption{font-weight:600;margin-bottom:2px}
table{border-collapse:collapse;margin-top:16px}th,td{padding:3px 9px;border-bottom:1px solid #ddd;text-align:right}
th{background:#f4f4f4}tr.best{background:#fff3c4;font-weight:600}
svg text{font-size:11px;fill:#444}
</style></head><body>
<h1>${escapeHtml(r.title)}</h1>
${r.notes.map((n) => `<p>${escapeHtml(n)}</p>`).join('\n')}
<div class="charts">
${charts.join('\n')}
</div>
<table><thead><tr>${['epoch', ...cols, 'steps', 'rows', 'seconds'].map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
</body></html>
`;
}
