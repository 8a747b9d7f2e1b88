// report.html: one self-contained page per run (inline CSS, SVG and a few lines of script; no network)
// with the run header, parameters, outputs, the DAG and every task's inputs, outputs, logs and errors.
// Rendering is a pure function of the RunRecord; times are shown in UTC so the page is deterministic.
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonValue } from '@formalize/common';
import type { ArtifactRecord, RunRecord, TaskRecord, TaskState } from '../types.ts';
import { anchorY, HEADER_H, layoutTasks, type Layout, type PlacedTask } from './layout.ts';

type State = TaskState | RunRecord['state'];

const STATE_STYLE: Record<State, { fg: string; bg: string; label: string }> = {
  SUCCEEDED: { fg: '#188038', bg: '#e6f4ea', label: 'Succeeded' },
  FAILED: { fg: '#c5221f', bg: '#fce8e6', label: 'Failed' },
  RUNNING: { fg: '#1967d2', bg: '#e8f0fe', label: 'Running' },
  PENDING: { fg: '#5f6368', bg: '#f1f3f4', label: 'Pending' },
  SKIPPED: { fg: '#b06000', bg: '#fef7e0', label: 'Skipped' },
  NOT_TRIGGERED: { fg: '#80868b', bg: '#f1f3f4', label: 'Not triggered' },
  CACHED: { fg: '#007b83', bg: '#e4f7fb', label: 'Cached' },
  CANCELLED: { fg: '#9334e6', bg: '#f3e8fd', label: 'Cancelled' },
};
const STATE_ORDER: TaskState[] = ['SUCCEEDED', 'CACHED', 'FAILED', 'RUNNING', 'PENDING', 'SKIPPED', 'NOT_TRIGGERED', 'CANCELLED'];
const QUIET: ReadonlySet<TaskState> = new Set(['PENDING', 'SKIPPED', 'NOT_TRIGGERED', 'CANCELLED']);

export interface RenderOptions {
  /** Contents of the run's system.HTML artifacts by URI: shown in place (iframe srcdoc), so the report stays one file. */
  htmlArtifacts?: ReadonlyMap<string, string>;
}

export function renderReport(run: RunRecord, opts: RenderOptions = {}): string {
  const ctx: Ctx = {
    run, html: opts.htmlArtifacts ?? new Map(), anchors: new Map(run.tasks.map((t, i) => [t.id, `task-${i}`])), byId: new Map(run.tasks.map((t) => [t.id, t])),
    parents: new Set(run.tasks.map((t) => t.parent)), depth: new Map(),
  };
  const layout = layoutTasks(run.tasks, { headerWidth: (t) => headerWidth(ctx, t) });
  for (const n of layout.nodes) ctx.depth.set(n.task.id, n.depth);
  const ordered = layout.nodes.map((n) => n.task);
  const title = `${run.pipelineName} · ${run.runId}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; frame-src 'none'">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${renderHeader(ctx, run.tasks)}
<section id="dag">
<h2>Pipeline graph</h2>
${renderLegend()}
<div class="dag-scroll">${renderSvg(ctx, layout)}</div>
</section>
<section id="parameters">
<h2>Parameters</h2>
${renderIo(ctx, { parameters: run.parameters, artifacts: run.inputArtifacts ?? {} }, 'No parameters.')}
</section>
<section id="outputs">
<h2>Pipeline outputs</h2>
${renderIo(ctx, run.outputs, 'The pipeline has no outputs.')}
</section>
<section id="tasks">
<h2>Tasks <span class="count">${run.tasks.length}</span></h2>
${renderTaskTable(ctx, ordered)}
<div class="toolbar"><button type="button" data-toggle="open">Expand all</button> <button type="button" data-toggle="close">Collapse all</button></div>
${ordered.map((t) => renderTaskDetails(ctx, t)).join('\n')}
</section>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

interface Ctx {
  run: RunRecord;
  html: ReadonlyMap<string, string>;
  /** Task id -> HTML id of its details section. */
  anchors: Map<string, string>;
  byId: Map<string, TaskRecord>;
  /** Ids of the tasks that have children. */
  parents: Set<string>;
  depth: Map<string, number>;
}

// ---- header, legend, tables ----

function renderHeader(ctx: Ctx, tasks: readonly TaskRecord[]): string {
  const { run } = ctx;
  const counts = STATE_ORDER.map((s) => [s, tasks.filter((t) => t.state === s).length] as const).filter(([, n]) => n > 0);
  const failed = run.failedTask ? ctx.byId.get(run.failedTask) : undefined;
  // [label, html, wide]
  const rows: [string, string, boolean?][] = [
    ['Run ID', `<code>${esc(run.runId)}</code>`],
    ['Created', esc(fmtTime(run.createTime))],
    ['Started', esc(fmtTime(run.startTime))],
    ['Ended', run.endTime ? esc(fmtTime(run.endTime)) : '—'],
    ['Duration', esc(duration(run.startTime, run.endTime, run.state === 'RUNNING'))],
    ['Pipeline root', `<code>${esc(run.pipelineRoot)}</code>`, true],
  ];
  if (run.failedTask) rows.push(['Failed task', failed ? taskLink(ctx, failed) : `<code>${esc(run.failedTask)}</code>`, true]);
  return `<header>
<div class="title"><h1>${esc(run.pipelineName)}</h1>${statePill(run.state)}</div>
<dl class="meta">${rows.map(([k, v, wide]) => `<div${wide ? ' class="wide"' : ''}><dt>${k}</dt><dd>${v}</dd></div>`).join('')}</dl>
${run.error ? `<pre class="error">${esc(run.error)}</pre>` : ''}
<p class="counts">${tasks.length} task${tasks.length === 1 ? '' : 's'}${counts.map(([s, n]) => ` · <span style="color:${STATE_STYLE[s].fg}">${n} ${STATE_STYLE[s].label.toLowerCase()}</span>`).join('')}</p>
</header>`;
}

function renderLegend(): string {
  return `<ul class="legend">${STATE_ORDER.map((s) => `<li><span class="swatch" style="background:${STATE_STYLE[s].bg};border-color:${STATE_STYLE[s].fg}"></span>${STATE_STYLE[s].label}</li>`).join('')}<li class="hint">Click a task for its inputs, outputs and log.</li></ul>`;
}

function renderTaskTable(ctx: Ctx, tasks: readonly TaskRecord[]): string {
  if (!tasks.length) return '<p class="none">No task ran.</p>';
  const rows = tasks.map((t) => {
    const error = t.error ? firstLine(t.error, 160) : '';
    return `<tr data-task-id="${esc(t.id)}">`
      + `<td class="id" style="padding-left:${8 + 16 * (ctx.depth.get(t.id) ?? 0)}px">${taskLink(ctx, t, true)}</td>`
      + `<td>${esc(t.displayName || t.name)}</td><td>${esc(t.kind)}</td><td>${statePill(t.state)}</td>`
      + `<td class="num">${esc(duration(t.startTime, t.endTime, t.state === 'RUNNING'))}</td>`
      + `<td class="num">${t.kind === 'container' ? t.attempts : ''}</td><td>${t.state === 'CACHED' ? 'yes' : ''}</td>`
      + `<td class="err" title="${esc(t.error ?? '')}">${esc(error)}</td></tr>`;
  });
  return `<div class="table-scroll"><table class="tasks"><thead><tr><th>Task</th><th>Display name</th><th>Kind</th><th>State</th><th>Duration</th><th>Attempts</th><th>Cached</th><th>Error</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>`;
}

function renderTaskDetails(ctx: Ctx, t: TaskRecord): string {
  const facts: [string, string][] = [
    ['Task', `<code>${esc(t.id)}</code>`],
    ['Kind', esc(t.kind)],
    ['Component', `<code>${esc(t.component)}</code>`],
  ];
  if (t.image) facts.push(['Image', `<code>${esc(t.image)}</code>`]);
  if (t.dependsOn.length) facts.push(['Depends on', t.dependsOn.map((d) => {
    const dep = ctx.byId.get(d);
    return dep ? taskLink(ctx, dep) : `<code>${esc(d)}</code>`;
  }).join(', ')]);
  facts.push(['Started', t.startTime ? esc(fmtTime(t.startTime)) : '—'], ['Ended', t.endTime ? esc(fmtTime(t.endTime)) : '—']);
  facts.push(['Duration', esc(duration(t.startTime, t.endTime, t.state === 'RUNNING') || '—')]);
  if (t.kind === 'container') facts.push(['Attempts', String(t.attempts)]);
  if (t.cacheKey) facts.push(['Cache key', `<code>${esc(t.cacheKey)}</code>`]);
  if (t.log) facts.push(['Log', `<a href="${esc(encodePath(t.log))}">${esc(t.log)}</a>`]);
  const open = t.state === 'FAILED' && t.kind !== 'dag' ? ' open' : '';
  return `<details class="task" id="${ctx.anchors.get(t.id)}"${open}>
<summary>${statePill(t.state)} <strong>${esc(t.displayName || t.name)}</strong> <code>${esc(t.id)}</code></summary>
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join('')}</dl>
${t.error ? `<pre class="error">${esc(t.error)}</pre>` : ''}
<div class="io"><div><h4>Inputs</h4>${renderIo(ctx, t.inputs, 'None.')}</div><div><h4>Outputs</h4>${renderIo(ctx, t.outputs, 'None.')}</div></div>
</details>`;
}

function renderIo(ctx: Ctx, io: TaskRecord['outputs'], empty: string): string {
  const params = Object.keys(io.parameters).length ? valueTable(io.parameters, '') : '';
  const artifacts = Object.entries(io.artifacts).filter(([, list]) => list.length);
  if (!params && !artifacts.length) return `<p class="none">${esc(empty)}</p>`;
  const artifactRows = artifacts.flatMap(([name, list]) => list.map((a, i) =>
    `<tr><th scope="row">${esc(name)}${list.length > 1 ? `<span class="idx">[${i}]</span>` : ''}</th><td>${artifactCell(ctx, a)}</td></tr>`));
  return `${params}${artifactRows.length ? `<table class="kv artifacts"><thead><tr><th>Artifact</th><th>Location</th></tr></thead><tbody>${artifactRows.join('')}</tbody></table>` : ''}`;
}

function valueTable(values: Record<string, JsonValue>, empty: string): string {
  const entries = Object.entries(values);
  if (!entries.length) return empty ? `<p class="none">${esc(empty)}</p>` : '';
  return `<table class="kv"><thead><tr><th>Parameter</th><th>Value</th></tr></thead><tbody>${entries.map(([k, v]) =>
    `<tr><th scope="row">${esc(k)}</th><td><pre class="value">${esc(formatValue(v))}</pre></td></tr>`).join('')}</tbody></table>`;
}

function artifactCell(ctx: Ctx, a: ArtifactRecord): string {
  const href = runRelativeHref(ctx.run, a.uri);
  const where = href ? `<a href="${esc(href)}">${esc(decodeURIComponent(href))}</a>` : `<code>${esc(a.uri)}</code>`;
  const meta = Object.keys(a.metadata ?? {}).length ? `<pre class="value meta">${esc(formatValue(a.metadata))}</pre>` : '';
  // HTML artifacts (reports, training curves) are shown in place, as the KFP UI does, sandboxed: no scripts run.
  // Inline (srcdoc), not by src: a KFP HTML artifact is a file without an .html extension, which a browser shows
  // from file:// as text.
  const content = a.type === 'system.HTML' ? ctx.html.get(a.uri) : undefined;
  const view = content === undefined ? '' : `<iframe class="html-artifact" srcdoc="${esc(content)}" sandbox loading="lazy" title="${esc(a.name)}"></iframe>`;
  return `<span class="atype">${esc(a.type)}</span> ${where}${meta}${view}`;
}

// ---- the DAG ----

function renderSvg(ctx: Ctx, layout: Layout): string {
  if (!layout.nodes.length) return '<p class="none">No task ran.</p>';
  const groups = layout.nodes.filter((n) => n.group).map((n) => groupNode(ctx, n));
  const edges = layout.edges.map(({ from, to }) => {
    const x1 = from.x + from.w;
    const y1 = from.y + anchorY(from.h);
    const x2 = to.x - 2;
    const y2 = to.y + anchorY(to.h);
    const dx = Math.max(16, (x2 - x1) / 2);
    const dashed = QUIET.has(to.task.state) ? ' quiet' : '';
    return `<path class="edge${dashed}" data-from="${esc(from.task.id)}" data-to="${esc(to.task.id)}" d="M${n(x1)} ${n(y1)} C${n(x1 + dx)} ${n(y1)} ${n(x2 - dx)} ${n(y2)} ${n(x2)} ${n(y2)}" marker-end="url(#arrow)"/>`;
  });
  const leaves = layout.nodes.filter((n) => !n.group).map((n) => leafNode(ctx, n));
  return `<svg class="dag" xmlns="http://www.w3.org/2000/svg" width="${n(layout.width)}" height="${n(layout.height)}" viewBox="0 0 ${n(layout.width)} ${n(layout.height)}" role="img" aria-label="Pipeline graph with ${layout.nodes.length} tasks">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="#80868b"/></marker></defs>
${groups.join('\n')}
<g class="edges">${edges.join('')}</g>
${leaves.join('\n')}
</svg>`;
}

function nodeOpen(ctx: Ctx, p: PlacedTask, extraClass: string): string {
  const t = p.task;
  const tip = `${t.displayName || t.name} (${t.id})\n${STATE_STYLE[t.state].label}${durationSuffix(t)}${t.error ? `\n${firstLine(t.error, 300)}` : ''}`;
  return `<g class="task-node ${extraClass}" data-task-id="${esc(t.id)}" data-parent="${esc(t.parent)}" data-state="${t.state}" transform="translate(${n(p.x)} ${n(p.y)})">`
    + `<a href="#${ctx.anchors.get(t.id)}"><title>${esc(tip)}</title>`;
}

function leafNode(ctx: Ctx, p: PlacedTask): string {
  const t = p.task;
  const s = STATE_STYLE[t.state];
  const cached = t.state === 'CACHED';
  const nameW = p.w - 26 - (cached ? 66 : 0);
  const name = fit(t.displayName || t.name, nameW, NAME_CHAR_W);
  const dur = t.state === 'CACHED' ? 'from cache' : duration(t.startTime, t.endTime, t.state === 'RUNNING');
  const retries = t.attempts > 1 ? ` · ${t.attempts} attempts` : '';
  return `${nodeOpen(ctx, p, `leaf state-${t.state.toLowerCase()}`)}`
    + `<rect class="box" width="${p.w}" height="${p.h}" rx="8" fill="${t.state === 'FAILED' ? s.bg : '#fff'}" stroke="${s.fg}"/>`
    + `<path d="M8 0.75 A7.25 7.25 0 0 0 0.75 8 V${p.h - 8} A7.25 7.25 0 0 0 8 ${p.h - 0.75} H6 V0.75 Z" fill="${s.fg}"/>`
    + `<svg x="16" y="0" width="${nameW}" height="${p.h}"><text class="name" x="0" y="23">${esc(name)}</text></svg>`
    + (cached ? `<g class="badge-cached"><rect x="${p.w - 70}" y="9" width="60" height="18" rx="9" fill="${s.fg}"/><text x="${p.w - 40}" y="22" text-anchor="middle">CACHED</text></g>` : '')
    + `<circle cx="21" cy="40" r="4" fill="${s.fg}"/><text class="state" x="30" y="44" fill="${s.fg}">${esc(s.label)}</text>`
    + `<text class="dur" x="${p.w - 10}" y="44" text-anchor="end">${esc(dur + retries)}</text>`
    + '</a></g>';
}

// Approximate advance widths (px per character) of the SVG fonts, to size and shorten labels; text is
// also clipped to its box, so a wrong guess can only cut a label short, never overlap another node.
const NAME_CHAR_W = 8.2;
const STATE_CHAR_W = 7;
const KIND_CHAR_W = 8.2;
/** Widest a group's header makes its box; longer names are shortened. */
const MAX_HEADER_W = 460;

interface GroupHeader { kind: string; name: string; right: string; kindW: number; rightW: number }

function groupHeader(ctx: Ctx, t: TaskRecord): GroupHeader {
  const kind = groupKind(ctx, t);
  const right = `${STATE_STYLE[t.state].label}${t.state === 'RUNNING' ? '' : durationSuffix(t)}`;
  return { kind, name: t.displayName || t.name, right, kindW: kind.length * KIND_CHAR_W, rightW: right.length * STATE_CHAR_W };
}

/** Width a group's header needs: kind, name, then state and duration at the right. */
function headerWidth(ctx: Ctx, t: TaskRecord): number {
  const h = groupHeader(ctx, t);
  return Math.min(MAX_HEADER_W, 12 + h.kindW + 8 + h.name.length * NAME_CHAR_W + 20 + h.rightW + 12);
}

function groupNode(ctx: Ctx, p: PlacedTask): string {
  const t = p.task;
  const s = STATE_STYLE[t.state];
  const h = groupHeader(ctx, t);
  const leftW = Math.max(40, p.w - 12 - h.rightW - 20);
  const name = fit(h.name, leftW - h.kindW - 8, NAME_CHAR_W);
  const empty = ctx.parents.has(t.id) ? '' : `<text class="empty" x="14" y="${HEADER_H + 17}">${t.state === 'NOT_TRIGGERED' ? 'condition was false' : 'no tasks ran'}</text>`;
  const fill = p.depth % 2 ? '#ffffff' : '#f8f9fa';
  return `${nodeOpen(ctx, p, `group kind-${h.kind.replace(/\s+/g, '-')} state-${t.state.toLowerCase()}`)}`
    + `<rect class="group-box${h.kind === 'loop' ? ' loop' : ''}" width="${p.w}" height="${p.h}" rx="10" fill="${fill}" stroke="${s.fg}"/>`
    + `<path d="M10 0.75 H${p.w - 10} A9.25 9.25 0 0 1 ${p.w - 0.75} 10 V${HEADER_H - 4} H0.75 V10 A9.25 9.25 0 0 1 10 0.75 Z" fill="${s.bg}"/>`
    + `<svg x="12" y="0" width="${n(leftW)}" height="${HEADER_H}"><text y="21"><tspan class="kind">${esc(h.kind.toUpperCase())}</tspan><tspan class="name" dx="8">${esc(name)}</tspan></text></svg>`
    + `<text class="state" x="${p.w - 12}" y="21" text-anchor="end" fill="${s.fg}">${esc(h.right)}</text>`
    + empty
    + '</a></g>';
}

/** What a DAG task is, from the KFP compiler's naming and the runner's iteration ids. */
function groupKind(ctx: Ctx, t: TaskRecord): string {
  if (/\[\d+\]$/.test(t.id) && t.parent === t.id.replace(/\[\d+\]$/, '')) return 'iteration';
  if (ctx.byId.has(`${t.id}[0]`) || /^for-loop-\d+$/.test(t.name)) return 'loop';
  if (/^condition-(branches-)?\d+$/.test(t.name)) return 'condition';
  if (/^exit-handler-\d+$/.test(t.name)) return 'exit handler';
  return 'pipeline';
}

// ---- helpers ----

function statePill(state: State): string {
  const s = STATE_STYLE[state];
  return `<span class="pill" style="color:${s.fg};background:${s.bg};border-color:${s.fg}">${esc(s.label)}</span>`;
}

/** A link to a task's details; `dimParent` greys out the parent's part of the id. */
function taskLink(ctx: Ctx, t: TaskRecord, dimParent = false): string {
  const cut = dimParent && t.parent && t.id.startsWith(t.parent) ? t.parent.length : 0;
  const id = cut ? `<span class="parent">${esc(t.id.slice(0, cut))}</span>${esc(t.id.slice(cut))}` : esc(t.id);
  return `<a href="#${ctx.anchors.get(t.id)}"><code>${id}</code></a>`;
}

function durationSuffix(t: TaskRecord): string {
  const d = duration(t.startTime, t.endTime, t.state === 'RUNNING');
  return d ? ` · ${d}` : '';
}

/** `1.2 s`, `3m 05s`, `2h 01m`; 'running' for an unfinished task; '' when unknown. */
export function duration(start: string | undefined, end: string | undefined, running = false): string {
  if (!start) return '';
  if (!end) return running ? 'running' : '';
  const ms = Date.parse(end) - Date.parse(start);
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function fmtTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function formatValue(v: JsonValue): string {
  if (typeof v === 'string') return v;
  const compact = JSON.stringify(v);
  return compact.length > 80 ? JSON.stringify(v, null, 2) : compact;
}

function firstLine(text: string, max: number): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Shortens `text` to about `width` px at `charW` px per character. */
function fit(text: string, width: number, charW: number): string {
  const max = Math.max(4, Math.floor(width / charW));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * A link relative to the run folder (where report.html lives) for an artifact stored in it, given as a
 * local path, a file:// URL or a URI under the run's pipeline root (`gs://b/root/<job>/...`); undefined
 * for anything else, which is shown as text.
 */
export function runRelativeHref(run: Pick<RunRecord, 'runDir' | 'pipelineRoot'>, uri: string): string | undefined {
  let path = uri;
  if (uri.startsWith('file://')) {
    try {
      path = fileURLToPath(uri);
    } catch {
      return undefined;
    }
  }
  const roots = [run.runDir, `${run.pipelineRoot.replace(/\/+$/, '')}/${basename(run.runDir)}`];
  for (const root of roots) {
    if (path === root) return './';
    if (!path.startsWith(`${root}/`)) continue;
    const rel = path.slice(root.length + 1).split('/').filter((seg) => seg !== '' && seg !== '.');
    if (!rel.length || rel.includes('..')) return undefined;
    return encodePath(rel.join('/'));
  }
  return undefined;
}

function encodePath(rel: string): string {
  return rel.split('/').map(encodeURIComponent).join('/');
}

function n(x: number): string {
  return String(Math.round(x * 10) / 10);
}

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
:root { color-scheme: light; --fg: #202124; --muted: #5f6368; --line: #dadce0; --soft: #f8f9fa; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: #fff; }
h1 { font-size: 24px; margin: 0; word-break: break-word; }
h2 { font-size: 18px; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h4 { margin: 12px 0 6px; font-size: 13px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
a { color: #1a73e8; text-decoration: none; }
a:hover { text-decoration: underline; }
.title { display: flex; align-items: center; gap: 14px; flex-wrap: wrap; }
.pill { display: inline-block; padding: 1px 10px; border: 1px solid; border-radius: 999px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.title .pill { font-size: 14px; padding: 3px 14px; }
dl { margin: 0; }
dl.meta { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 10px 24px; margin: 16px 0 8px; }
dl.meta .wide { grid-column: span 2; }
dl.meta dt, dl.facts dt { font-size: 12px; color: var(--muted); }
dl.meta dd, dl.facts dd { margin: 0; overflow-wrap: anywhere; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
dl.facts > div { display: contents; }
.counts { color: var(--muted); margin: 8px 0 0; }
pre.error { background: #fce8e6; color: #a50e0e; border-left: 4px solid #c5221f; padding: 8px 12px; white-space: pre-wrap; word-break: break-word; max-height: 320px; overflow: auto; margin: 8px 0; }
.legend { list-style: none; padding: 0; margin: 0 0 10px; display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 12.5px; color: var(--muted); }
.legend .swatch { display: inline-block; width: 12px; height: 12px; border: 2px solid; border-radius: 3px; margin-right: 6px; vertical-align: -2px; }
.legend .hint { margin-left: auto; font-style: italic; }
.dag-scroll { overflow: auto; max-height: 80vh; border: 1px solid var(--line); border-radius: 8px; background: #fff; }
svg.dag { display: block; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
svg.dag a { cursor: pointer; text-decoration: none; }
svg.dag .box { stroke-width: 1.5; }
svg.dag .leaf:hover .box, svg.dag .group:hover > a > .group-box { stroke-width: 2.5; }
svg.dag .name { font-size: 13px; font-weight: 600; fill: var(--fg); }
svg.dag .state { font-size: 11.5px; font-weight: 600; }
svg.dag .dur { font-size: 11.5px; fill: var(--muted); }
svg.dag .kind { font-size: 10.5px; font-weight: 700; letter-spacing: .06em; fill: var(--muted); }
svg.dag .empty { font-size: 12px; font-style: italic; fill: var(--muted); }
svg.dag .group-box { stroke-width: 1.5; }
svg.dag .group-box.loop { stroke-dasharray: 6 4; }
svg.dag .badge-cached text { font-size: 10px; font-weight: 700; fill: #fff; letter-spacing: .05em; }
svg.dag .edge { fill: none; stroke: #9aa0a6; stroke-width: 1.6; pointer-events: none; }
svg.dag .edge.quiet { stroke-dasharray: 4 4; }
.table-scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid #eceff1; }
thead th { font-size: 12px; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); background: var(--soft); position: sticky; top: 0; }
table.tasks td { vertical-align: middle; }
table.tasks td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.tasks td.id { white-space: nowrap; }
table.tasks td.id .parent { color: #80868b; }
table.tasks td.err { color: #a50e0e; max-width: 420px; }
table.tasks tbody tr:hover { background: var(--soft); }
table.kv { margin: 4px 0 8px; }
table.kv th[scope=row] { width: 220px; font-weight: 600; word-break: break-all; }
pre.value { margin: 0; white-space: pre-wrap; word-break: break-word; max-height: 240px; overflow: auto; }
pre.meta { color: var(--muted); margin-top: 4px; }
iframe.html-artifact { display: block; width: 100%; height: 420px; margin-top: 6px; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
.atype { font-size: 11.5px; color: var(--muted); background: var(--soft); border: 1px solid var(--line); border-radius: 4px; padding: 0 5px; }
.idx { color: var(--muted); font-weight: 400; }
.none { color: var(--muted); font-style: italic; margin: 4px 0; }
.count { font-size: 13px; font-weight: 400; color: var(--muted); }
.toolbar { margin: 16px 0 8px; }
button { font: inherit; font-size: 12.5px; padding: 3px 10px; border: 1px solid var(--line); border-radius: 6px; background: #fff; cursor: pointer; }
details.task { border: 1px solid var(--line); border-radius: 8px; margin: 6px 0; padding: 0 12px; }
details.task[open] { padding-bottom: 10px; }
details.task > summary { cursor: pointer; padding: 8px 0; list-style-position: outside; }
details.task > summary code { color: var(--muted); margin-left: 6px; }
details.task:target { box-shadow: 0 0 0 3px #aecbfa; }
.io { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 0 24px; }
`;

// Opens a task's details when navigated to (from the graph or a table) and expands/collapses all.
const SCRIPT = `
(function () {
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id ? document.getElementById(id) : null;
    if (el && el.tagName === 'DETAILS') el.open = true;
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();
  document.querySelectorAll('button[data-toggle]').forEach(function (b) {
    b.addEventListener('click', function () {
      var open = b.getAttribute('data-toggle') === 'open';
      document.querySelectorAll('details.task').forEach(function (d) { d.open = open; });
    });
  });
})();
`;
