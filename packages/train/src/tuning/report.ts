// The study as a self-contained HTML page (system.HTML, shown by the KFP UI and the run report): a scatter of the
// objective against the learning rate (one colour per batch size) and the trials table, best trial highlighted.
// Inline CSS and SVG only: nothing is fetched.
import { COLOURS, escapeHtml, num } from '../html.ts';
import type { Objective, Trial } from './study.ts';
import type { SearchSpace } from './space.ts';

export interface StudyReport {
  title: string;
  objective: Objective;
  space: SearchSpace;
  trials: readonly Trial[];
  bestId: string | undefined;
  notes: readonly string[];
}


function scatter(r: StudyReport): string {
  const lr = r.space.find((p) => p.name === 'learning_rate');
  const bs = r.space.find((p) => p.name === 'batch_size');
  const points = r.trials.filter((t) => t.state === 'SUCCEEDED' && t.objective !== undefined);
  if (!lr || lr.type !== 'double' || points.length === 0) return '';
  const W = 560, H = 260, L = 60, R = 110, T = 16, B = 40;
  const fx = lr.scale === 'log' ? Math.log10 : (x: number) => x;
  const [x0, x1] = [fx(lr.min), fx(lr.max)];
  const ys = points.map((t) => t.objective!);
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y1 - y0 < 1e-12) { y0 -= 0.5; y1 += 0.5; }
  const px = (x: number) => L + ((fx(x) - x0) / (x1 - x0)) * (W - L - R);
  const py = (y: number) => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  const batches = bs?.type === 'discrete' ? bs.values : [];
  const colour = (t: Trial) => COLOURS[Math.max(0, batches.indexOf(t.params['batch_size']!)) % COLOURS.length]!;
  const dots = points.map((t) => `<circle cx="${px(t.params['learning_rate']!).toFixed(1)}" cy="${py(t.objective!).toFixed(1)}" r="${t.id === r.bestId ? 6 : 4}" fill="${colour(t)}"${t.id === r.bestId ? ' stroke="#000" stroke-width="2"' : ''}><title>trial ${escapeHtml(t.id)}: ${num(t.objective)}</title></circle>`);
  const xticks = lr.scale === 'log'
    ? Array.from({ length: Math.floor(x1) - Math.ceil(x0) + 1 }, (_, i) => 10 ** (Math.ceil(x0) + i))
    : [lr.min, (lr.min + lr.max) / 2, lr.max];
  const ticks = xticks.map((x) => `<text x="${px(x).toFixed(1)}" y="${H - B + 16}" text-anchor="middle">${num(x, 3)}</text>`);
  const yt = [y0, (y0 + y1) / 2, y1].map((y) => `<text x="${L - 6}" y="${py(y).toFixed(1)}" text-anchor="end" dominant-baseline="middle">${num(y, 4)}</text>`);
  const legend = batches.map((b, i) => `<circle cx="${W - R + 16}" cy="${T + 10 + i * 18}" r="4" fill="${COLOURS[i % COLOURS.length]}"/><text x="${W - R + 26}" y="${T + 10 + i * 18}" dominant-baseline="middle">batch ${b}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(r.objective.metric)} by learning rate">
<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#ccc"/>
${dots.join('\n')}
${ticks.join('')}${yt.join('')}${legend.join('')}
<text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle">learning rate${lr.scale === 'log' ? ' (log scale)' : ''}</text>
</svg>`;
}

export function studyReportHtml(r: StudyReport): string {
  const metricCols = ['val_loss', 'val_auc', 'epochs'];
  const rows = r.trials.map((t) => {
    const cls = [t.id === r.bestId ? 'best' : '', t.state.toLowerCase()].filter(Boolean).join(' ');
    const cells = [
      t.id,
      ...r.space.map((p) => num(t.params[p.name], 4)),
      ...metricCols.map((m) => num(t.metrics?.[m] as number | undefined, m === 'epochs' ? 6 : 4)),
      t.state + (t.id === r.bestId ? ' (best)' : ''),
      t.error ?? '',
    ];
    return `<tr class="${cls}" data-trial="${escapeHtml(t.id)}">${cells.map((c) => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>`;
  });
  const head = ['trial', ...r.space.map((p) => p.name), ...metricCols, 'state', 'error'];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(r.title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}
table{border-collapse:collapse}th,td{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}
th{background:#f4f4f4}td:last-child,th:last-child{text-align:left;color:#a00}
tr.best{background:#fff3c4;font-weight:600}tr.failed,tr.infeasible,tr.canceled{color:#888}
svg text{font-size:11px;fill:#444}
</style></head><body>
<h1>${escapeHtml(r.title)}</h1>
${r.notes.map((n) => `<p>${escapeHtml(n)}</p>`).join('\n')}
${scatter(r)}
<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
</body></html>
`;
}
