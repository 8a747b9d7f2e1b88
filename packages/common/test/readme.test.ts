import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { artifact, contractTable, defineComponent, updateReadme } from '../src/index.ts';

const c = defineComponent({
  name: 'extract',
  version: '1.0.0',
  description: 'Extracts rows.',
  inputs: {
    query: z.string().describe('SQL | with a pipe\nand a newline'),
    limit: z.int().default(100),
    mode: z.enum(['full', 'sample']).default('full'),
    source: artifact('google.BQTable', { optional: true, description: 'table to read' }),
    shards: artifact('system.Dataset', { list: true }),
    labels: z.record(z.string(), z.string()).optional(),
  },
  outputs: { table: artifact('system.Dataset'), rows: z.int().describe('rows written') },
  run: () => ({ rows: 0 }),
});

describe('contractTable', () => {
  it('renders inputs (name, type, default, description) and outputs (name, type, description) in declaration order', () => {
    expect(contractTable(c)).toBe([
      '### `extract` 1.0.0',
      '',
      'Extracts rows.',
      '',
      '**Inputs**',
      '',
      '| Name | Type | Default | Description |',
      '| --- | --- | --- | --- |',
      '| `query` | `str` | *required* | SQL \\| with a pipe<br>and a newline |',
      '| `limit` | `int` | `100` |  |',
      '| `mode` | `str` (one of `"full"`, `"sample"`) | `"full"` |  |',
      '| `source` | `google.BQTable` | *optional* | table to read |',
      '| `shards` | `list<system.Dataset>` | *required* |  |',
      '| `labels` | `dict` | *optional* |  |',
      '',
      '**Outputs**',
      '',
      '| Name | Type | Description |',
      '| --- | --- | --- |',
      '| `table` | `system.Dataset` |  |',
      '| `rows` | `int` | rows written |',
      '',
    ].join('\n'));
  });

  it('says so when there are no inputs or outputs', () => {
    const none = defineComponent({ name: 'none', version: '0.1.0', description: 'x', run: () => {} });
    expect(contractTable(none)).toContain('**Inputs**: none\n\n**Outputs**: none\n');
  });
});

describe('updateReadme', () => {
  it('appends the block when the markers are absent', () => {
    const out = updateReadme('# Title\n\nIntro.\n', c);
    expect(out).toBe(`# Title\n\nIntro.\n\n<!-- contract:extract:start -->\n${contractTable(c)}<!-- contract:extract:end -->\n`);
  });

  it('replaces only the marked block, keeping prose around it, and is idempotent', () => {
    const text = '# T\n\n<!-- contract:extract:start -->\nold table\n<!-- contract:extract:end -->\n\n## Usage\nprose\n';
    const once = updateReadme(text, c);
    expect(once).toContain('## Usage\nprose\n');
    expect(once).not.toContain('old table');
    expect(updateReadme(once, c)).toBe(once);
  });

  it('rejects unbalanced markers', () => {
    expect(() => updateReadme('<!-- contract:extract:start -->\n', c)).toThrow(/unbalanced/);
  });
});
