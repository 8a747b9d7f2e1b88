import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('main()', () => {
  it('aborts ctx.signal on SIGTERM; the task fails without writing ExecutorOutput', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'main-'));
    const outputFile = join(dir, 'executor_output.json');
    const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures/wait-main.ts'), '--component', 'wait', '--executor_input', JSON.stringify({ outputs: { outputFile } })]);
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('"waiting"')) resolve();
      });
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(1);
    expect(stderr).toContain('error: received SIGTERM\n');
    expect(existsSync(outputFile)).toBe(false);
  });
});
