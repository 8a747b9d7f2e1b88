// Caching (KFP cache keys, hits on re-runs, misses when artifacts are gone) and resuming a cancelled run.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { artifact } from '@formalize/common';
import { pipeline } from '@formalize/dsl';
import { run, sh, states, tempRoot } from './harness.ts';

const make = sh('make', { inputs: { text: z.string() }, outputs: { data: artifact('system.Dataset') } },
  'mkdir -p "$(dirname "$1")"; printf %s "$0" > "$1"', ({ inputs, outputs }) => [inputs.text, (outputs.data as { path: string }).path]);
const measure = sh('measure', { inputs: { data: artifact('system.Dataset') }, outputs: { Output: z.int() } },
  'wc -c < "$0" | tr -d " " > "$1"', ({ inputs, outputs }) => [(inputs.data as { path: string }).path, outputs.Output]);
const nap = sh('nap', { inputs: { seconds: z.number() }, outputs: { Output: z.string() } }, 'sleep "$0"; printf awake > "$1"', ({ inputs, outputs }) => [inputs.seconds, outputs.Output]);

const chain = pipeline({ name: 'cached', inputs: { text: z.string().default('abc') } }, ({ text }) => {
  const m = make({ text });
  return { size: measure({ data: m.outputs.data }).output };
});

describe('caching', () => {
  it('a second run reuses every task; different inputs or --no-cache run again', async () => {
    const root = tempRoot();
    const first = await run(chain, { pipelineRoot: root });
    expect(states(first)).toEqual({ make: 'SUCCEEDED', measure: 'SUCCEEDED' });
    const second = await run(chain, { pipelineRoot: root });
    expect(states(second)).toEqual({ make: 'CACHED', measure: 'CACHED' });
    expect(second.outputs.parameters).toEqual({ size: 3 });
    expect(second.outputs.artifacts).toEqual(first.outputs.artifacts);
    const other = await run(chain, { pipelineRoot: root, parameters: { text: 'abcdef' } });
    expect(states(other)).toEqual({ make: 'SUCCEEDED', measure: 'SUCCEEDED' });
    expect(other.outputs.parameters).toEqual({ size: 6 });
    const noCache = await run(chain, { pipelineRoot: root, cache: false });
    expect(states(noCache)).toEqual({ make: 'SUCCEEDED', measure: 'SUCCEEDED' });
  });

  it('a cache entry whose artifacts are gone is a miss', async () => {
    const root = tempRoot();
    const first = await run(chain, { pipelineRoot: root });
    rmSync(first.runDir, { recursive: true, force: true });
    const second = await run(chain, { pipelineRoot: root });
    expect(states(second)).toEqual({ make: 'SUCCEEDED', measure: 'SUCCEEDED' });
  });

  it('tasks with caching disabled always run', async () => {
    const root = tempRoot();
    const p = pipeline({ name: 'nocache' }, () => { make({ text: 'x' }).setCaching(false); });
    await run(p, { pipelineRoot: root });
    expect(states(await run(p, { pipelineRoot: root }))).toEqual({ make: 'SUCCEEDED' });
  });
});

describe('cancellation and resume', () => {
  it('cancelling stops running tasks; the next run reuses every finished task from the cache', async () => {
    const root = tempRoot();
    const p = pipeline({ name: 'resume' }, () => {
      const quick = nap({ seconds: 0 });
      nap({ seconds: 30 }).after(quick);
    });
    const controller = new AbortController();
    const cancelled = await run(p, {
      pipelineRoot: root, signal: controller.signal,
      onEvent: (e) => { if (e.type === 'task-updated' && e.task.id === 'nap-2' && e.task.state === 'RUNNING') setTimeout(() => controller.abort(), 200); },
    });
    // The 30 s nap was stopped, not waited for: it never got to write its output.
    expect(existsSync(join(cancelled.runDir, 'nap-2', 'Output'))).toBe(false);
    expect(cancelled.state).toBe('CANCELLED');
    expect(states(cancelled)).toEqual({ nap: 'SUCCEEDED', 'nap-2': 'CANCELLED' });
    const resumed = await run(pipeline({ name: 'resume' }, () => {
      const quick = nap({ seconds: 0 });
      nap({ seconds: 0.1 }).after(quick);
    }), { pipelineRoot: root });
    expect(states(resumed)).toEqual({ nap: 'CACHED', 'nap-2': 'SUCCEEDED' });
  });
});
