// The runner executes every DSL feature with the semantics Vertex AI Pipelines gives it; outcomes are
// checked (which branch ran, iterations, fan-in values, final status), not just "it finished".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { artifact, taskFinalStatus } from '@formalize/common';
import { Collected, ExitHandler, If, OneOf, ParallelFor, TASK_FINAL_STATUS, importer, pipeline } from '@formalize/dsl';
import { createHostLauncher } from '../src/launchers/host.ts';
import type { Launcher, RunRecord } from '../src/types.ts';
import { run, sh, SH_IMAGE, states, task, tempRoot } from './harness.ts';

const echo = sh('echo', { inputs: { text: z.string() }, outputs: { Output: z.string() } }, 'printf %s "$0" > "$1"', ({ inputs, outputs }) => [inputs.text, outputs.Output]);
const double = sh('double', { inputs: { n: z.int() }, outputs: { Output: z.int() } }, 'echo $(( $0 * 2 )) > "$1"', ({ inputs, outputs }) => [inputs.n, outputs.Output]);
const sum = sh('sum', { inputs: { nums: z.array(z.int()) }, outputs: { Output: z.int() } },
  'echo "$0" | tr -d "[] " | tr "," "\\n" | awk "{s+=\\$1} END {print s}" > "$1"', ({ inputs, outputs }) => [inputs.nums, outputs.Output]);
const fail = sh('fail', { inputs: { message: z.string() } }, 'echo "about to fail: $0" >&2; exit 3', ({ inputs }) => [inputs.message]);
const write = sh('write', { inputs: { text: z.string() }, outputs: { data: artifact('system.Dataset'), size: z.int() } },
  'mkdir -p "$(dirname "$1")"; printf %s "$0" > "$1"; printf %s "$0" | wc -c | tr -d " " > "$2"', ({ inputs, outputs }) => [inputs.text, (outputs.data as { path: string }).path, outputs.size]);
const read = sh('read', { inputs: { data: artifact('system.Dataset') }, outputs: { Output: z.string() } }, 'cat "$0" > "$1"', ({ inputs, outputs }) => [(inputs.data as { path: string }).path, outputs.Output]);

describe('runner control flow', () => {
  it('runs sequential and parallel tasks, passes parameters and artifacts, exposes pipeline outputs', async () => {
    const p = pipeline({ name: 'seq', inputs: { text: z.string().default('hello') } }, ({ text }) => {
      const w = write({ text });
      const r = read({ data: w.outputs.data });
      const e = echo({ text: r.output });
      return { echoed: e.output, size: w.outputs.size, data: w.outputs.data };
    });
    const result = await run(p, { pipelineRoot: tempRoot(), parameters: { text: 'formalize' } });
    expect(result.state).toBe('SUCCEEDED');
    expect(result.outputs.parameters).toEqual({ echoed: 'formalize', size: 9 });
    const data = result.outputs.artifacts['data']![0]!;
    expect(readFileSync(data.uri, 'utf8')).toBe('formalize');
    expect(data.uri.startsWith(join(result.runDir, 'write'))).toBe(true);
    expect(readFileSync(join(result.runDir, 'run.json'), 'utf8')).toContain('"state": "SUCCEEDED"');
  });

  it('If / Elif / Else runs exactly the matching branch and OneOf carries its value', async () => {
    const p = pipeline({ name: 'branches', inputs: { n: z.int() } }, ({ n }) => {
      let low!: ReturnType<typeof echo>, mid!: ReturnType<typeof echo>, high!: ReturnType<typeof echo>;
      If(n.lt(10), () => { low = echo({ text: 'low' }); })
        .Elif(n.lt(100), () => { mid = echo({ text: 'mid' }); })
        .Else(() => { high = echo({ text: 'high' }); });
      return { picked: OneOf(low.output, mid.output, high.output) };
    });
    for (const [n, picked, ran] of [[3, 'low', 'condition-2'], [42, 'mid', 'condition-3'], [500, 'high', 'condition-4']] as const) {
      const r = await run(p, { pipelineRoot: tempRoot(), parameters: { n } });
      expect(r.state).toBe('SUCCEEDED');
      expect(r.outputs.parameters['picked']).toBe(picked);
      const conditions = r.tasks.filter((t) => /^condition-branches-1\.condition-\d$/.test(t.id));
      expect(conditions.map((t) => [t.name, t.state])).toEqual(['condition-2', 'condition-3', 'condition-4'].map((c) => [c, c === ran ? 'SUCCEEDED' : 'NOT_TRIGGERED']));
    }
  });

  it('ParallelFor runs one iteration per item within the parallelism limit and Collected fans in', async () => {
    const p = pipeline({ name: 'fan', inputs: { nums: z.array(z.int()).default([1, 2, 3, 4, 5]) } }, ({ nums }) => {
      let d!: ReturnType<typeof double>;
      ParallelFor(nums, (n) => { d = double({ n }); }, { parallelism: 2, itemType: 'NUMBER_INTEGER' });
      const s = sum({ nums: Collected(d.output) });
      return { total: s.output, doubled: Collected(d.output) };
    });
    const r = await run(p, { pipelineRoot: tempRoot(), parallelism: 4 });
    expect(r.state).toBe('SUCCEEDED');
    expect(r.outputs.parameters['total']).toBe(30);
    expect(r.outputs.parameters['doubled']).toEqual([2, 4, 6, 8, 10]);
    const iterations = r.tasks.filter((t) => /^for-loop-1\[\d\]$/.test(t.id));
    expect(iterations).toHaveLength(5);
    // parallelismLimit 2: never more than two iterations overlap in time.
    const spans = iterations.map((t) => [Date.parse(t.startTime!), Date.parse(t.endTime!)] as const);
    const maxOverlap = Math.max(...spans.map(([s]) => spans.filter(([a, b]) => a <= s && s < b).length));
    expect(maxOverlap).toBeLessThanOrEqual(2);
  });

  it('a container task queued behind --parallelism stays PENDING until it gets a slot', async () => {
    const nap = sh('nap', { inputs: { tag: z.string() } }, 'sleep 0.2; echo "$0"', ({ inputs }) => [inputs.tag]);
    const p = pipeline({ name: 'queued' }, () => { nap({ tag: 'a' }); nap({ tag: 'b' }); nap({ tag: 'c' }); });
    // What the other tasks showed at the moment each task's process was launched.
    let latest: RunRecord | undefined;
    const others: string[][] = [];
    const host = createHostLauncher({ images: [SH_IMAGE] });
    const watching: Launcher = { ...host, launch: (spec, signal) => {
      others.push(latest!.tasks.filter((t) => t.id !== spec.taskId).map((t) => t.state).sort());
      return host.launch(spec, signal);
    } };
    const r = await run(p, { pipelineRoot: tempRoot(), parallelism: 1, launchers: [watching], onEvent: (e) => { latest = e.run; } });
    expect(r.state).toBe('SUCCEEDED');
    // One slot: the first launch sees the two others queued, and they are PENDING, not RUNNING; each
    // later launch sees one task fewer waiting.
    expect(others[0]).toEqual(['PENDING', 'PENDING']);
    expect(others.map((states) => states.filter((s) => s === 'PENDING').length)).toEqual([2, 1, 0]);
  });

  it('ParallelFor over a task output of structs reads fields with selectors', async () => {
    const make = sh('make', { outputs: { Output: z.array(z.record(z.string(), z.string())) } }, `printf '%s' '[{"name":"a","n":"1"},{"name":"b","n":"2"}]' > "$0"`, ({ outputs }) => [outputs.Output]);
    const p = pipeline({ name: 'structs' }, () => {
      let e!: ReturnType<typeof echo>;
      ParallelFor(make({}).output, (item) => { e = echo({ text: item.field('name') }); }, { itemType: 'STRUCT' });
      return { names: Collected(e.output) };
    });
    const r = await run(p, { pipelineRoot: tempRoot() });
    expect(r.outputs.parameters['names']).toEqual(['a', 'b']);
  });

  it('an exit handler runs after a failure and sees the failed task in its final status', async () => {
    const report = sh('report', { inputs: { status: taskFinalStatus() }, outputs: { Output: z.string() } }, 'printf %s "$0" > "$1"', ({ inputs, outputs }) => [inputs.status, outputs.Output]);
    const p = pipeline({ name: 'exit' }, () => {
      const exit = report({ status: TASK_FINAL_STATUS });
      ExitHandler(exit, () => {
        const first = echo({ text: 'before' });
        fail({ message: first.output });
      });
    });
    const r = await run(p, { pipelineRoot: tempRoot() });
    expect(r.state).toBe('FAILED');
    expect(r.failedTask).toBe('exit-handler-1.fail');
    expect(r.error).toContain('about to fail: before');
    expect(states(r)).toMatchObject({ 'exit-handler-1': 'FAILED', 'exit-handler-1.echo': 'SUCCEEDED', 'exit-handler-1.fail': 'FAILED', report: 'SUCCEEDED' });
    const status = JSON.parse(task(r, 'report').outputs.parameters['Output'] as string) as { state: string; error?: { message?: string } };
    expect(status.state).toBe('FAILED');
    expect(status.error?.message).toContain('about to fail');
  });

  it('downstream tasks of a failure are skipped, independent ones still run (fail-slow); fail-fast starts nothing new', async () => {
    const slow = sh('slow', { outputs: { Output: z.string() } }, 'sleep 0.5; printf done > "$0"', ({ outputs }) => [outputs.Output]);
    const p = pipeline({ name: 'failures' }, () => {
      const f = fail({ message: 'x' });
      echo({ text: 'after' }).after(f);
      const s = slow({});
      echo({ text: s.output });
    });
    const slowRun = await run(p, { pipelineRoot: tempRoot(), parallelism: 2 });
    expect(states(slowRun)).toEqual({ fail: 'FAILED', echo: 'SKIPPED', slow: 'SUCCEEDED', 'echo-2': 'SUCCEEDED' });
    const fastRun = await run(p, { pipelineRoot: tempRoot(), parallelism: 2, failFast: true });
    expect(fastRun.state).toBe('FAILED');
    expect(task(fastRun, 'echo-2').state).toBe('SKIPPED');
  });

  it('ignoreUpstreamFailure runs a task after its upstream failed', async () => {
    const p = pipeline({ name: 'ignore' }, () => {
      const f = fail({ message: 'x' });
      echo({ text: 'cleanup' }).after(f).ignoreUpstreamFailure();
    });
    const r = await run(p, { pipelineRoot: tempRoot() });
    expect(states(r)).toEqual({ fail: 'FAILED', echo: 'SUCCEEDED' });
    expect(r.state).toBe('FAILED');
  });

  it('retries a failing task with its retry policy', async () => {
    const flaky = sh('flaky', { inputs: { counter: z.string() }, outputs: { Output: z.string() } },
      'n=$(cat "$0" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$0"; [ $n -ge 3 ] || exit 1; printf "ok after %s" $n > "$1"', ({ inputs, outputs }) => [inputs.counter, outputs.Output]);
    const root = tempRoot();
    const p = pipeline({ name: 'retry' }, () => { flaky({ counter: join(root, 'counter') }).setRetry(2, { backoffDuration: '0.05s' }); });
    const r = await run(p, { pipelineRoot: root });
    expect(r.state).toBe('SUCCEEDED');
    expect(task(r, 'flaky').attempts).toBe(3);
    expect(task(r, 'flaky').outputs.parameters['Output']).toBe('ok after 3');
  });

  it('nested pipelines and importers', async () => {
    const root = tempRoot();
    const inner = pipeline({ name: 'inner', inputs: { text: z.string() } }, ({ text }) => ({ out: echo({ text }).output }));
    const p = pipeline({ name: 'outer' }, () => {
      const i = inner({ text: 'nested' });
      const imp = importer({ artifactUri: join(root, 'external.txt'), artifactType: 'system.Dataset', metadata: { source: 'test' } });
      return { nested: i.outputs.out!, imported: imp.outputs.artifact };
    });
    const r = await run(p, { pipelineRoot: root });
    expect(r.state).toBe('SUCCEEDED');
    expect(r.outputs.parameters['nested']).toBe('nested');
    expect(r.outputs.artifacts['imported']).toEqual([{ name: 'artifact', type: 'system.Dataset', uri: join(root, 'external.txt'), metadata: { source: 'test' } }]);
  });
});
