// The view on a TTY: a block redrawn in place (at most 10 times a second) with a header (run id,
// pipeline, elapsed, counts) and one line per task, indented by nesting, with its state, elapsed time or
// duration and a CACHED marker. The block never exceeds the terminal: beyond its height, running and
// failed tasks are kept and the rest is summarised in one line.
import type { RunEvent, RunRecord, TaskRecord } from '@formalize/runner';
import { type Colors, formatCounts, runDuration, stateSymbol, stateText, taskDuration, taskLabel, padVisible, taskTree, truncate, visibleLength } from '../format.ts';
import type { RunView } from './view.ts';

const FRAME_MS = 100;
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
/** Cursor to the start of the line `n` lines up, then clear to the end of the screen. */
const up = (n: number) => (n > 0 ? `\x1b[${n}F\x1b[0J` : '\r\x1b[0J');

export function createLiveView(out: NodeJS.WriteStream, c: Colors): RunView {
  let run: RunRecord | undefined;
  let drawn = 0; // lines of the block currently on screen
  let dirty = false;
  let notice = '';
  const restoreCursor = () => out.write(SHOW_CURSOR);

  const draw = () => {
    if (!run) return;
    const lines = frame(run, notice, c, out.columns || 100, Math.max(5, (out.rows || 24) - 1));
    out.write(up(drawn) + lines.map((l) => `${l}\n`).join(''));
    drawn = lines.length;
    dirty = false;
  };
  // Redraw when something changed, and while tasks run (their elapsed time moves).
  const timer = setInterval(() => {
    if (dirty || run?.tasks.some((t) => t.state === 'RUNNING')) draw();
  }, FRAME_MS);

  out.write(HIDE_CURSOR);
  process.on('exit', restoreCursor);
  return {
    onEvent(e: RunEvent) {
      run = e.run;
      dirty = true;
    },
    notice(message) {
      notice = message;
      dirty = true;
    },
    close() {
      clearInterval(timer);
      draw();
      restoreCursor();
      process.off('exit', restoreCursor);
    },
  };
}

export function frame(run: RunRecord, notice: string, c: Colors, columns: number, rows: number): string[] {
  const header = [
    `${stateSymbol(run.state, c)} ${c.paint('bold', run.pipelineName)}  run ${run.runId}  ${stateText(run.state, c)}  ${runDuration(run)}`,
    `  ${formatCounts(run.tasks, c)}`,
  ];
  const footer = notice ? [c.paint('yellow', notice)] : [];
  const tree = taskTree(run.tasks);
  const room = rows - header.length - footer.length;
  let shown = tree;
  let hidden = 0;
  if (tree.length > room) {
    // Keep running and failed tasks, then the earliest others, in tree order.
    const keep = new Set(tree.filter(({ task }) => task.state === 'RUNNING' || task.state === 'FAILED').slice(0, room - 1).map(({ task }) => task.id));
    for (const { task } of tree) if (keep.size < room - 1) keep.add(task.id);
    shown = tree.filter(({ task }) => keep.has(task.id));
    hidden = tree.length - shown.length;
  }
  const labels = shown.map(({ task, depth }) => `${'  '.repeat(depth + 1)}${stateSymbol(task.state, c)} ${taskLabel(task)}`);
  const width = Math.max(0, ...labels.map(visibleLength));
  const stateWidth = Math.max(0, ...shown.map(({ task }) => task.state.length));
  const body = shown.map(({ task }, i) => `${padVisible(labels[i]!, width)}  ${status(task, stateWidth, c)}`.trimEnd());
  if (hidden) body.push(c.paint('gray', `  … ${hidden} more task${hidden === 1 ? '' : 's'}`));
  return [...header, ...body, ...footer].map((l) => truncate(l, Math.max(10, columns - 1)));
}

function status(t: TaskRecord, stateWidth: number, c: Colors): string {
  const parts = [padVisible(t.state === 'CACHED' ? c.paint(['bold', 'blue'], 'CACHED') : stateText(t.state, c), stateWidth)];
  const time = taskDuration(t);
  if (time && t.state !== 'CACHED') parts.push(c.paint('gray', time));
  if (t.attempts > 1) parts.push(c.paint('yellow', `attempt ${t.attempts}`));
  return parts.join('  ');
}
