// More DSL features through the runner: ParallelFor over artifacts (from a nested pipeline's fan-in),
// nested loops with struct fields, and a gs:// pipeline root mapped to a local folder.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { artifact } from '@formalize/common';
import { Collected, ParallelFor, pipeline, type ArtifactChannel } from '@formalize/dsl';
import { run, sh, tempRoot } from './harness.ts';

const make = sh('make', { inputs: { text: z.string() }, outputs: { data: artifact('system.Dataset') } },
  'mkdir -p "$(dirname "$1")"; printf %s "$0" > "$1"', ({ inputs, outputs }) => [inputs.text, (outputs.data as { path: string }).path]);
const read = sh('read', { inputs: { data: artifact('system.Dataset') }, outputs: { Output: z.string() } }, 'cat "$0" > "$1"', ({ inputs, outputs }) => [(inputs.data as { path: string }).path, outputs.Output]);
const join2 = sh('join2', { inputs: { a: z.string(), b: z.string() }, outputs: { Output: z.string() } }, 'printf "%s-%s" "$0" "$1" > "$2"', ({ inputs, outputs }) => [inputs.a, inputs.b, outputs.Output]);

describe('runner: more control flow', () => {
  it('ParallelFor over an artifact list produced by a nested pipeline', async () => {
    const makeAll = pipeline({ name: 'make-all', inputs: { texts: z.array(z.string()) } }, ({ texts }) => {
      let m!: ReturnType<typeof make>;
      ParallelFor(texts, (t) => { m = make({ text: t }); });
      return { datasets: Collected(m.outputs.data) };
    });
    const p = pipeline({ name: 'artifact-loop' }, () => {
      const made = makeAll({ texts: ['x', 'yy', 'zzz'] });
      let r!: ReturnType<typeof read>;
      ParallelFor(made.outputs.datasets as ArtifactChannel<'system.Dataset'>, (d) => { r = read({ data: d }); });
      return { contents: Collected(r.output) };
    });
    const result = await run(p, { pipelineRoot: tempRoot() });
    expect(result.state).toBe('SUCCEEDED');
    expect(result.outputs.parameters['contents']).toEqual(['x', 'yy', 'zzz']);
  });

  it('nested loops over struct fields run every inner iteration', async () => {
    const p = pipeline({ name: 'nested', inputs: { groups: z.array(z.record(z.string(), z.unknown())).default([{ g: 'a', items: ['1', '2'] }, { g: 'b', items: ['3'] }]) } }, ({ groups }) => {
      let j!: ReturnType<typeof join2>;
      ParallelFor(groups, (group) => {
        ParallelFor(group.field('items') as never, (item: ReturnType<typeof group.field>) => { j = join2({ a: group.field('g'), b: item }); });
      }, { itemType: 'STRUCT' });
      void j;
    });
    const result = await run(p, { pipelineRoot: tempRoot() });
    expect(result.state).toBe('SUCCEEDED');
    const outs = result.tasks.filter((t) => t.name === 'join2').map((t) => t.outputs.parameters['Output']).sort();
    expect(outs).toEqual(['a-1', 'a-2', 'b-3']);
  });

  it('a gs:// pipeline root keeps gs:// artifact URIs and stores files under the mount', async () => {
    const mount = tempRoot();
    const p = pipeline({ name: 'gcs' }, () => ({ data: make({ text: 'on gcs' }).outputs.data, back: read({ data: make({ text: 'again' }).outputs.data }).output }));
    const result = await run(p, { pipelineRoot: 'gs://bucket/root', env: { FORMALIZE_GCS_MOUNT: mount } });
    expect(result.state).toBe('SUCCEEDED');
    const uri = result.outputs.artifacts['data']![0]!.uri;
    expect(uri).toMatch(/^gs:\/\/bucket\/root\/gcs-[^/]+\/make\/data$/);
    const local = join(mount, uri.slice('gs://'.length));
    expect(existsSync(local)).toBe(true);
    expect(readFileSync(local, 'utf8')).toBe('on gcs');
    expect(result.outputs.parameters['back']).toBe('again');
  });
});
