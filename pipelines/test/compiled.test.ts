import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseIrYaml } from '@formalize/common';
import { validateIr } from '@formalize/dsl';
import { compileAll } from '../src/compile-all.ts';
import { pipelines } from '../src/index.ts';

describe('compiled pipelines', () => {
  it('pipelines/compiled/ is up to date with the specs', async () => {
    const { files, ok } = await compileAll({ check: true });
    expect(files.filter((f) => f.status !== 'up-to-date')).toEqual([]);
    expect(ok).toBe(true);
  });

  it.each(pipelines.map((p) => [p.pipelineName]))('%s: committed IR passes the IR validator', async (name) => {
    const text = await readFile(new URL(`../compiled/${name}.yaml`, import.meta.url), 'utf8');
    const spec = validateIr(parseIrYaml(text).documents[0]);
    expect(spec.pipelineInfo.name).toBe(name);
  });

  it('hello-pipeline wires the first greeting into the second task', () => {
    const spec = pipelines.find((p) => p.pipelineName === 'hello-pipeline')!.compile();
    const second = spec.root.dag!.tasks['hello-2']!;
    expect(second.dependentTasks).toEqual(['hello']);
    expect(second.inputs?.parameters?.['name']).toEqual({ taskOutputParameter: { outputParameterKey: 'greeting', producerTask: 'hello' } });
    expect(spec.root.outputDefinitions?.artifacts?.['report']?.artifactType.schemaTitle).toBe('system.Markdown');
  });
});
