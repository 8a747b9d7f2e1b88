// Formatting helpers and the live view's frame (a pure function of the run record).
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { RunRecord, TaskRecord } from '@formalize/runner';
import { formatDuration, table, taskTree, truncate, visibleLength, type Colors } from '../src/format.ts';
import { frame } from '../src/view/live.ts';

const plain: Colors = { enabled: false, paint: (_s, t) => t };
const coloured: Colors = { enabled: true, paint: (_s, t) => `\x1b[31m${t}\x1b[39m` };

function task(id: string, parent: string, patch: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id, name: id.split('.').at(-1)!, displayName: id.split('.').at(-1)!, parent, kind: 'container', component: `comp-${id}`,
    state: 'PENDING', dependsOn: [], attempts: 0, inputs: { parameters: {}, artifacts: {} }, outputs: { parameters: {}, artifacts: {} }, dir: id, ...patch,
  };
}

function run(tasks: TaskRecord[]): RunRecord {
  return {
    runId: '20261128120000-abcd', pipelineName: 'demo', runDir: '/tmp/demo', pipelineRoot: '/tmp', state: 'RUNNING',
    createTime: new Date(Date.now() - 5000).toISOString(), startTime: new Date(Date.now() - 5000).toISOString(),
    parameters: {}, outputs: { parameters: {}, artifacts: {} }, tasks,
  };
}

describe('format', () => {
  it('formats durations', () => {
    expect([0, 850, 1234, 59_990, 65_000, 3_725_000].map(formatDuration)).toEqual(['0ms', '850ms', '1.2s', '59.9s', '1m05s', '1h02m']);
    expect(formatDuration(-1)).toBe('-');
  });

  it('orders tasks as a tree: each DAG followed by its subtasks', () => {
    const tasks = [task('a', ''), task('loop', '', { kind: 'dag' }), task('b', ''), task('loop[0]', 'loop', { kind: 'dag' }), task('loop[0].x', 'loop[0]')];
    expect(taskTree(tasks).map(({ task: t, depth }) => `${depth}:${t.id}`)).toEqual(['0:a', '0:loop', '1:loop[0]', '2:loop[0].x', '0:b']);
  });

  it('puts siblings after the tasks they depend on', () => {
    const tasks = [task('boom', '', { dependsOn: ['say'] }), task('nap', '', { dependsOn: ['say', 'boom'] }), task('say', '')];
    expect(taskTree(tasks).map(({ task: t }) => t.id)).toEqual(['say', 'boom', 'nap']);
  });

  it('truncates by visible width, keeping escape codes intact', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    const cut = truncate(coloured.paint('red', 'abcdef'), 4);
    expect(visibleLength(cut)).toBe(4);
    expect(cut.startsWith('\x1b[31mabc…')).toBe(true);
  });

  it('aligns table columns by visible width', () => {
    expect(table(['A', 'B'], [[coloured.paint('red', 'xyz'), '1'], ['q', '22']], plain).split('\n').map((l) => stripVTControlCharacters(l))).toEqual(['A    B', 'xyz  1', 'q    22']);
  });
});

describe('live view frame', () => {
  it('shows a header and one indented line per task with state, time and CACHED marker', () => {
    const now = Date.now();
    const lines = frame(run([
      task('a', '', { state: 'CACHED', startTime: new Date(now - 10).toISOString(), endTime: new Date(now).toISOString() }),
      task('loop', '', { kind: 'dag', state: 'RUNNING', startTime: new Date(now - 2000).toISOString() }),
      task('loop.b', 'loop', { state: 'FAILED', attempts: 2, startTime: new Date(now - 1500).toISOString(), endTime: new Date(now).toISOString() }),
    ]), '', plain, 120, 30);
    expect(lines[0]).toMatch(/^▶ demo {2}run 20261128120000-abcd {2}RUNNING {2}5\.\ds$/);
    expect(lines[1]).toBe('  2 tasks: 1 cached, 1 failed');
    expect(lines[2]).toMatch(/^ {2}✔ a {5}CACHED$/);
    expect(lines[3]).toMatch(/^ {2}▶ loop {2}RUNNING +2\.\ds$/);
    expect(lines[4]).toMatch(/^ {4}✘ b {3}FAILED +1\.5s {2}attempt 2$/);
  });

  it('never exceeds the terminal: keeps running tasks and summarises the rest', () => {
    const tasks = Array.from({ length: 50 }, (_, i) => task(`t${i}`, '', { state: i === 42 ? 'RUNNING' : 'SUCCEEDED' }));
    const lines = frame(run(tasks), 'stopping', plain, 40, 10);
    expect(lines).toHaveLength(10);
    expect(lines.some((l) => l.includes('t42'))).toBe(true);
    expect(lines.at(-2)).toBe('  … 44 more tasks');
    expect(lines.at(-1)).toBe('stopping');
    expect(lines.every((l) => visibleLength(l) < 40)).toBe(true);
  });
});
