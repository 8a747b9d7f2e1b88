// A self-contained HTML report of statistics (what Facets Overview shows, without Facets): one card per feature
// with its type, presence, moments or top values and an SVG histogram, plus the anomalies of a validation and
// drift/skew distances when given. One file: inline CSS and SVG, no script, no fonts, nothing fetched.
import { z } from 'zod';
import type { Anomalies, AnomalyInfo, DatasetFeatureStatistics, DatasetFeatureStatisticsList, FeatureNameStatistics, Histogram, NumericStatistics, StringStatistics } from '../protos.ts';
import { AnomalyInfo_Severity, FeatureNameStatistics_Type, Histogram_HistogramType } from '../protos.ts';
import { escapeHtml, formatCount, formatNumber, formatPercent } from './format.ts';
import type { Bar } from './svg.ts';
import { histogramSvg, topValuesSvg } from './svg.ts';

/** One drift or skew comparison of a feature (e.g. from the validation component). */
export const driftEntrySchema = z.object({
  feature: z.string().min(1),
  metric: z.string().min(1),
  /** null when no distance could be computed (e.g. the baseline lacks the feature); `reason` says why. */
  value: z.number().nullable(),
  threshold: z.number(),
  drifted: z.boolean(),
  reason: z.string().optional(),
});
export type DriftEntry = z.infer<typeof driftEntrySchema>;

export interface StatisticsReport {
  statistics: DatasetFeatureStatisticsList;
  title?: string;
  anomalies?: Anomalies;
  drift?: readonly DriftEntry[];
  /** Lines shown under the title, e.g. what the statistics were validated against. */
  notes?: readonly string[];
}

/** Missing at or above this share of examples is highlighted, as Facets marks problem statistics. */
const MISSING_WARN = 0.01;
const TOP_BARS = 10;

export function featureName(f: FeatureNameStatistics): string {
  return f.fieldId.case === 'path' ? f.fieldId.value.step.join('.') : f.fieldId.case === 'name' ? f.fieldId.value : '';
}

const TYPE_NAMES: Record<number, string> = {
  [FeatureNameStatistics_Type.INT]: 'INT', [FeatureNameStatistics_Type.FLOAT]: 'FLOAT', [FeatureNameStatistics_Type.STRING]: 'STRING',
  [FeatureNameStatistics_Type.BYTES]: 'BYTES', [FeatureNameStatistics_Type.STRUCT]: 'STRUCT',
};

const SEVERITY: Record<number, string> = {
  [AnomalyInfo_Severity.UNKNOWN]: 'UNKNOWN', [AnomalyInfo_Severity.WARNING]: 'WARNING', [AnomalyInfo_Severity.ERROR]: 'ERROR',
};

export function renderStatisticsHtml(r: StatisticsReport): string {
  const title = r.title ?? 'Data statistics';
  const anomalies = r.anomalies ? Object.entries(r.anomalies.anomalyInfo) : [];
  const drift = r.drift ?? [];
  const datasets = r.statistics.datasets;
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    ...(r.notes ?? []).map((n) => `<p class="note">${escapeHtml(n)}</p>`),
    r.anomalies ? anomaliesSection(r.anomalies) : '',
    drift.length ? driftSection(drift) : '',
    ...datasets.map((d, i) => datasetSection(d, i, datasets.length, new Map(anomalies), drift)),
    datasets.length === 0 ? '<p class="empty">No datasets.</p>' : '',
  ].join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style></head>
<body>
${body}
<footer>TFDV-compatible statistics (tensorflow_metadata DatasetFeatureStatisticsList), rendered offline by @formalize/tfdv-stats.</footer>
</body></html>
`;
}

function datasetSection(d: DatasetFeatureStatistics, index: number, count: number, anomalies: Map<string, AnomalyInfo>, drift: readonly DriftEntry[]): string {
  const name = d.name || (count > 1 ? `Dataset ${index + 1}` : 'Dataset');
  const n = Number(d.numExamples);
  if (n === 0 && d.features.every((f) => Number(f.stats.value?.commonStats?.numNonMissing ?? 0) === 0)) {
    return `<section class="dataset" data-dataset="${escapeHtml(d.name)}"><h2>${escapeHtml(name)}</h2><p class="empty">Empty dataset.</p></section>`;
  }
  const numeric = d.features.filter((f) => f.stats.case === 'numStats');
  const categorical = d.features.filter((f) => f.stats.case === 'stringStats' || f.stats.case === 'bytesStats');
  const other = d.features.filter((f) => !numeric.includes(f) && !categorical.includes(f));
  const card = (f: FeatureNameStatistics) => featureCard(f, n, anomalies.get(featureName(f)), drift.filter((x) => x.feature === featureName(f)));
  const summary = [
    ['examples', formatCount(d.numExamples)],
    ...(d.weightedNumExamples ? [['weighted examples', formatNumber(d.weightedNumExamples)]] : []),
    ['features', formatCount(d.features.length)], ['numeric', formatCount(numeric.length)], ['categorical', formatCount(categorical.length)],
  ].map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join('');
  return `<section class="dataset" data-dataset="${escapeHtml(d.name)}">
<h2>${escapeHtml(name)}</h2>
<dl class="summary">${summary}</dl>
${numeric.length ? `<h3>Numeric features (${numeric.length})</h3><div class="features">${numeric.map(card).join('\n')}</div>` : ''}
${categorical.length ? `<h3>Categorical features (${categorical.length})</h3><div class="features">${categorical.map(card).join('\n')}</div>` : ''}
${other.length ? `<h3>Other features (${other.length})</h3><div class="features">${other.map(card).join('\n')}</div>` : ''}
</section>`;
}

function row(label: string, cls: string, value: string, warn = false): string {
  return `<tr${warn ? ' class="warn"' : ''}><th>${label}</th><td class="stat-${cls}">${value}</td></tr>`;
}

function featureCard(f: FeatureNameStatistics, numExamples: number, anomaly: AnomalyInfo | undefined, drift: readonly DriftEntry[]): string {
  const name = featureName(f);
  const type = TYPE_NAMES[f.type] ?? String(f.type);
  const common = f.stats.value?.commonStats;
  const present = Number(common?.numNonMissing ?? 0);
  const missing = Number(common?.numMissing ?? 0);
  const rows = [
    row('count', 'count', formatCount(present)),
    row('missing', 'missing', formatPercent(missing, numExamples), numExamples > 0 && missing / numExamples >= MISSING_WARN),
  ];
  if (common && present > 0 && (common.minNumValues !== 1n || common.maxNumValues !== 1n)) {
    rows.push(row('values / example', 'valency', `${formatCount(common.minNumValues)}–${formatCount(common.maxNumValues)} (avg ${formatNumber(common.avgNumValues)})`));
  }
  let chart = '';
  if (f.stats.case === 'numStats') {
    rows.push(...numericRows(f.stats.value));
    chart = numericChart(name, f.stats.value);
  } else if (f.stats.case === 'stringStats') {
    rows.push(...stringRows(f.stats.value));
    chart = stringChart(name, f.stats.value);
  }
  const badges = [
    ...(anomaly ? [`<span class="badge anomaly ${SEVERITY[anomaly.severity]?.toLowerCase() ?? ''}" title="${escapeHtml(descriptions(anomaly)[1])}">${escapeHtml(descriptions(anomaly)[0] || 'anomaly')}</span>`] : []),
    ...drift.map((d) => `<span class="badge drift${d.drifted ? ' drifted' : ''}" title="${escapeHtml(`${d.metric} ${driftValue(d)}, threshold ${formatNumber(d.threshold)}${d.reason ? `: ${d.reason}` : ''}`)}">${escapeHtml(d.metric)} ${escapeHtml(driftValue(d))}</span>`),
  ];
  const kind = f.stats.case === 'numStats' ? 'numeric' : f.stats.case === 'stringStats' ? 'categorical' : 'other';
  return `<article class="feature ${kind}${anomaly ? ' has-anomaly' : ''}" id="feature-${escapeHtml(name)}" data-feature="${escapeHtml(name)}" data-type="${type}">
<header><h4>${escapeHtml(name)}</h4><span class="type">${type}</span>${badges.join('')}</header>
<table class="stats">${rows.join('')}</table>
${chart}
</article>`;
}

function numericRows(s: NumericStatistics): string[] {
  const values = Number(s.commonStats?.totNumValues ?? 0);
  const numNan = Number(s.histograms[0]?.numNan ?? 0n);
  const hasValues = values - numNan > 0;
  return [
    ...(hasValues ? [
      row('mean', 'mean', formatNumber(s.mean)), row('std dev', 'std-dev', formatNumber(s.stdDev)),
      row('zeros', 'zeros', formatPercent(Number(s.numZeros), values)),
      row('min', 'min', formatNumber(s.min)), row('median', 'median', formatNumber(s.median)), row('max', 'max', formatNumber(s.max)),
    ] : []),
    ...(numNan > 0 ? [row('NaN', 'nan', formatCount(numNan), true)] : []),
  ];
}

function bucketBars(h: Histogram): Bar[] {
  return h.buckets.map((b) => {
    const range = b.lowValue === b.highValue ? formatNumber(b.lowValue) : `${formatNumber(b.lowValue)} – ${formatNumber(b.highValue)}`;
    return { label: formatNumber(b.lowValue), value: b.sampleCount, title: `${range}: ${formatNumber(b.sampleCount)}` };
  });
}

function numericChart(name: string, s: NumericStatistics): string {
  const standard = s.histograms.find((h) => h.type === Histogram_HistogramType.STANDARD && !h.name);
  const quantiles = s.histograms.find((h) => h.type === Histogram_HistogramType.QUANTILES && !h.name);
  if (!standard || standard.buckets.length === 0) return '';
  const bars = bucketBars(standard);
  bars[bars.length - 1]!.label = formatNumber(standard.buckets[standard.buckets.length - 1]!.highValue);
  bars[0]!.label = formatNumber(standard.buckets[0]!.lowValue);
  const deciles = quantiles?.buckets.length ? [quantiles.buckets[0]!.lowValue, ...quantiles.buckets.map((b) => b.highValue)] : [];
  return `<figure>${histogramSvg(bars, `${name}: equal-width histogram`)}<figcaption>equal-width histogram</figcaption></figure>
${deciles.length ? `<p class="quantiles"><span>quantiles</span> ${deciles.map((q) => escapeHtml(formatNumber(q))).join(' · ')}</p>` : ''}`;
}

function stringRows(s: StringStatistics): string[] {
  return [
    row('unique', 'unique', formatCount(s.unique)),
    row('avg length', 'avg-length', formatNumber(s.avgLength)),
    ...(s.invalidUtf8Count > 0n ? [row('invalid UTF-8', 'invalid-utf8', formatCount(s.invalidUtf8Count), true)] : []),
  ];
}

function stringChart(name: string, s: StringStatistics): string {
  const top = s.topValues.length ? s.topValues.map((t) => ({ label: t.value, count: t.frequency }))
    : (s.rankHistogram?.buckets ?? []).map((b) => ({ label: b.label, count: b.sampleCount }));
  if (top.length === 0) return '';
  const bars = top.slice(0, TOP_BARS).map((t) => ({ label: t.label, value: t.count, title: `${t.label}: ${formatNumber(t.count)}` }));
  const table = top.map((t, i) => `<tr><td>${i + 1}</td><td class="value">${escapeHtml(t.label)}</td><td class="freq">${escapeHtml(formatNumber(t.count))}</td></tr>`).join('');
  return `<figure>${topValuesSvg(bars, `${name}: top values`)}<figcaption>top values</figcaption></figure>
<details><summary>top ${top.length} values</summary><table class="top"><thead><tr><th>#</th><th>value</th><th>count</th></tr></thead><tbody>${table}</tbody></table></details>`;
}

/** An anomaly's short and long descriptions: its own, or (when a validator cleared those) its reasons'. */
function descriptions(info: AnomalyInfo): [string, string] {
  if (info.shortDescription || info.description || info.reason.length === 0) return [info.shortDescription, info.description];
  return [info.reason.map((r) => r.shortDescription).join('; '), info.reason.map((r) => r.description).join(' ')];
}

function anomalyRow(feature: string, info: AnomalyInfo, link: boolean): string {
  const [short, long] = descriptions(info);
  const name = link ? `<a href="#feature-${escapeHtml(feature)}">${escapeHtml(feature)}</a>` : '(dataset)';
  return `<tr class="${SEVERITY[info.severity]?.toLowerCase() ?? ''}" data-feature="${escapeHtml(feature)}"><td class="feature-name">${name}</td><td>${SEVERITY[info.severity] ?? ''}</td><td>${escapeHtml(short)}</td><td>${escapeHtml(long)}</td></tr>`;
}

function anomaliesSection(a: Anomalies): string {
  const rows = Object.entries(a.anomalyInfo).map(([feature, info]) => anomalyRow(feature, info, true));
  if (a.datasetAnomalyInfo) rows.push(anomalyRow('', a.datasetAnomalyInfo, false));
  if (rows.length === 0) return '<section class="anomalies"><h2>Anomalies</h2><p class="ok">No anomalies found.</p></section>';
  return `<section class="anomalies"><h2>Anomalies (${rows.length})</h2><table><thead><tr><th>feature</th><th>severity</th><th>anomaly</th><th>description</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

const driftValue = (d: DriftEntry) => (d.value === null ? '—' : formatNumber(d.value));

function driftSection(drift: readonly DriftEntry[]): string {
  const rows = drift.map((d) => `<tr class="${d.drifted ? 'drifted' : ''}" data-feature="${escapeHtml(d.feature)}"><td class="feature-name"><a href="#feature-${escapeHtml(d.feature)}">${escapeHtml(d.feature)}</a></td><td>${escapeHtml(d.metric)}</td><td class="num"${d.reason ? ` title="${escapeHtml(d.reason)}"` : ''}>${escapeHtml(driftValue(d))}</td><td class="num">${escapeHtml(formatNumber(d.threshold))}</td><td>${d.drifted ? 'drifted' : 'ok'}</td></tr>`);
  const n = drift.filter((d) => d.drifted).length;
  return `<section class="drift"><h2>Drift and skew (${n} of ${drift.length} over threshold)</h2><table><thead><tr><th>feature</th><th>metric</th><th>value</th><th>threshold</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

const CSS = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bar: #4a78c2; --warn: #b42318; --warn-bg: #fdecea; --ok: #1a7f37; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 24px; max-width: 1400px; }
h1 { font-size: 22px; margin: 0 0 16px; } p.note { margin: 0 0 6px; color: var(--muted); } h2 { font-size: 18px; margin: 28px 0 8px; } h3 { font-size: 15px; margin: 20px 0 8px; color: var(--muted); }
dl.summary { display: flex; gap: 24px; margin: 0 0 8px; } dl.summary div { display: flex; flex-direction: column; } dt { color: var(--muted); font-size: 12px; } dd { margin: 0; font-size: 18px; font-variant-numeric: tabular-nums; }
.features { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 12px; }
article.feature { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
article.feature.has-anomaly { border-color: var(--warn); }
article header { display: flex; align-items: baseline; gap: 8px; flex-wrap: wrap; margin-bottom: 6px; }
article h4 { margin: 0; font-size: 15px; word-break: break-all; } .type { color: var(--muted); font-size: 12px; }
.badge { font-size: 11px; border-radius: 10px; padding: 1px 8px; background: #eef1f4; } .badge.anomaly, .badge.drifted { background: var(--warn-bg); color: var(--warn); }
table.stats { border-collapse: collapse; font-variant-numeric: tabular-nums; margin-bottom: 6px; }
table.stats th { text-align: left; font-weight: normal; color: var(--muted); padding: 1px 16px 1px 0; } table.stats td { text-align: right; }
tr.warn th, tr.warn td { color: var(--warn); font-weight: 600; }
svg .bar { fill: var(--bar); } svg .axis { stroke: var(--line); } svg text { font-size: 10px; fill: var(--muted); } svg .label { fill: var(--fg); }
figure { margin: 4px 0; } figcaption { font-size: 11px; color: var(--muted); }
p.quantiles { font-size: 11px; color: var(--muted); margin: 2px 0; word-break: break-word; } p.quantiles span { font-weight: 600; }
details summary { font-size: 12px; color: var(--muted); cursor: pointer; } table.top { font-size: 12px; border-collapse: collapse; } table.top td { padding: 0 8px 0 0; } table.top td.freq { text-align: right; }
section.anomalies table, section.drift table { border-collapse: collapse; width: 100%; } section.anomalies th, section.anomalies td, section.drift th, section.drift td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
tr.error td, tr.drifted td { color: var(--warn); } td.num { text-align: right; font-variant-numeric: tabular-nums; } p.ok { color: var(--ok); } p.empty { color: var(--muted); }
footer { margin-top: 32px; font-size: 11px; color: var(--muted); }
`;
