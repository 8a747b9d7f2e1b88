// Text shared by the commands and views: durations, clock times, colours, state symbols, the task
// tree order and column-aligned tables.
import { join } from 'node:path';
import { stripVTControlCharacters, styleText } from 'node:util';
import type { RunRecord, RunState, TaskRecord, TaskState } from '@formalize/runner';

/** `850ms`, `12.3s`, `4m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const two = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}h${two(m)}m` : `${m}m${two(total % 60)}s`;
}

/** Local wall-clock time `HH:MM:SS`. */
export function formatClock(d: Date): string {
  return d.toTimeString().slice(0, 8);
}

/** Local `YYYY-MM-DD HH:MM:SS` of an ISO timestamp. */
export function formatTimestamp(iso: string | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const date = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  return `${date} ${formatClock(d)}`;
}

/** Milliseconds between two ISO timestamps; a missing end means "still going" (measured to `now`). */
export function elapsedMs(start: string | undefined, end: string | undefined, now = Date.now()): number | undefined {
  if (!start) return undefined;
  return (end ? Date.parse(end) : now) - Date.parse(start);
}

export function taskDuration(t: TaskRecord, now = Date.now()): string {
  const ms = elapsedMs(t.startTime, t.endTime, now);
  return ms === undefined ? '' : formatDuration(ms);
}

export function runDuration(r: RunRecord, now = Date.now()): string {
  return formatDuration(elapsedMs(r.startTime, r.endTime, now) ?? 0);
}

type Style = Parameters<typeof styleText>[0];

/** Colouring that is a no-op unless enabled (a TTY that supports colours: NO_COLOR, TERM=dumb respected). */
export interface Colors {
  readonly enabled: boolean;
  paint(style: Style, text: string): string;
}

export function colorsFor(stream: NodeJS.WriteStream): Colors {
  const enabled = Boolean(stream.isTTY) && typeof stream.hasColors === 'function' && stream.hasColors();
  return { enabled, paint: (style, text) => (enabled ? styleText(style, text, { validateStream: false }) : text) };
}

const STATE_LOOK: Record<TaskState | RunState, { symbol: string; style: Style }> = {
  PENDING: { symbol: '·', style: 'gray' },
  RUNNING: { symbol: '▶', style: 'cyan' },
  SUCCEEDED: { symbol: '✔', style: 'green' },
  CACHED: { symbol: '✔', style: 'blue' },
  FAILED: { symbol: '✘', style: 'red' },
  SKIPPED: { symbol: '↷', style: 'yellow' },
  NOT_TRIGGERED: { symbol: '○', style: 'gray' },
  CANCELLED: { symbol: '■', style: 'yellow' },
};

export function stateSymbol(state: TaskState | RunState, c: Colors): string {
  const look = STATE_LOOK[state];
  return c.paint(look.style, look.symbol);
}

export function stateText(state: TaskState | RunState, c: Colors): string {
  return c.paint(STATE_LOOK[state].style, state);
}

/** States a task does not leave again. */
export const FINAL_TASK_STATES: ReadonlySet<TaskState> = new Set(['SUCCEEDED', 'CACHED', 'FAILED', 'SKIPPED', 'NOT_TRIGGERED', 'CANCELLED']);

/**
 * Tasks in tree order (each DAG task followed by its subtasks) with their depth. Siblings come in
 * dependency order (a task after those it waits for), otherwise in creation order.
 */
export function taskTree(tasks: readonly TaskRecord[]): { task: TaskRecord; depth: number }[] {
  const children = new Map<string, TaskRecord[]>();
  const ids = new Set(tasks.map((t) => t.id));
  for (const t of tasks) {
    const parent = ids.has(t.parent) ? t.parent : '';
    children.set(parent, [...(children.get(parent) ?? []), t]);
  }
  const out: { task: TaskRecord; depth: number }[] = [];
  const visit = (parent: string, depth: number) => {
    for (const t of dependencyOrder(children.get(parent) ?? [])) {
      out.push({ task: t, depth });
      visit(t.id, depth + 1);
    }
  };
  visit('', 0);
  return out;
}

/** Repeatedly takes the first task whose dependencies (among these siblings) are all taken. */
function dependencyOrder(siblings: readonly TaskRecord[]): TaskRecord[] {
  const pending = [...siblings];
  const taken = new Set<string>();
  const local = new Set(siblings.map((t) => t.id));
  const out: TaskRecord[] = [];
  while (pending.length) {
    const i = pending.findIndex((t) => t.dependsOn.every((d) => taken.has(d) || !local.has(d)));
    const [next] = pending.splice(Math.max(0, i), 1); // a cycle (bad data) falls back to creation order
    taken.add(next!.id);
    out.push(next!);
  }
  return out;
}

/** Label of a task in a tree: its name, plus the display name when that says something else. */
export function taskLabel(t: TaskRecord): string {
  return t.displayName && t.displayName !== t.name && !/\[\d+\]$/.test(t.id) ? `${t.name} (${t.displayName})` : t.name;
}

/** Counts of the runnable (container and importer) tasks by state. */
export function stateCounts(tasks: readonly TaskRecord[]): Map<TaskState, number> {
  const counts = new Map<TaskState, number>();
  for (const t of tasks) if (t.kind !== 'dag') counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  return counts;
}

/** `5 tasks: 3 succeeded, 1 cached, 1 running`. */
export function formatCounts(tasks: readonly TaskRecord[], c: Colors): string {
  const counts = stateCounts(tasks);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const order: TaskState[] = ['SUCCEEDED', 'CACHED', 'RUNNING', 'PENDING', 'FAILED', 'SKIPPED', 'NOT_TRIGGERED', 'CANCELLED'];
  const parts = order.filter((s) => counts.get(s)).map((s) => c.paint(STATE_LOOK[s].style, `${counts.get(s)} ${s.toLowerCase().replace('_', ' ')}`));
  return `${total} task${total === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

// Matching the escape character is the point: it finds the colour and cursor codes we wrote.
// oxlint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

export function visibleLength(s: string): number {
  return stripVTControlCharacters(s).length;
}

/** Pads a (possibly coloured) string to `width` visible characters. */
export function padVisible(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - visibleLength(s)));
}

/** Cuts a (possibly coloured) line to `width` visible characters. */
export function truncate(s: string, width: number): string {
  if (visibleLength(s) <= width) return s;
  let out = '';
  let seen = 0;
  for (let i = 0; i < s.length;) {
    ANSI.lastIndex = i;
    const esc = s[i] === '\x1b' ? ANSI.exec(s) : null;
    if (esc && esc.index === i) {
      out += esc[0];
      i += esc[0].length;
      continue;
    }
    if (seen < width - 1) out += s[i];
    else if (seen === width - 1) out += '…';
    seen++;
    i++;
  }
  return out.includes('\x1b') ? `${out}\x1b[0m` : out;
}

/** Column-aligned rows (the last column is not padded). */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], c: Colors): string {
  const widths = headers.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : padVisible(cell, widths[i]!))).join('  ').trimEnd();
  return [c.paint('bold', line(headers)), ...rows.map(line)].join('\n');
}

/** Indents every line of a block. */
export function indent(text: string, prefix: string): string {
  return text.split('\n').map((l) => prefix + l).join('\n');
}

/** The failed tasks of a run (the first failure first), each with its error (incl. last log lines) and log path. */
export function failureReport(run: RunRecord, runDir: string, c: Colors): string {
  const failed = run.tasks.filter((t) => t.state === 'FAILED' && t.kind !== 'dag');
  failed.sort((a, b) => Number(b.id === run.failedTask) - Number(a.id === run.failedTask));
  const first = run.tasks.find((t) => t.id === run.failedTask);
  if (!failed.length && first) failed.push(first);
  if (!failed.length) return run.error ? `${c.paint('red', 'error:')} ${run.error}` : '';
  return failed.map((t) => {
    const [head = 'failed', ...rest] = (t.error ?? 'failed').split('\n');
    const lines = [`${stateSymbol('FAILED', c)} task ${c.paint('bold', t.id)} failed: ${head}`, ...rest.map((l) => `    ${l}`)];
    if (t.log) lines.push(`  log: ${join(runDir, t.log)}`);
    return lines.join('\n');
  }).join('\n');
}
