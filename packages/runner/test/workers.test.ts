// Warm workers: sequential tasks reuse one worker process, each task keeps its own log, env and exit
// code, and cancelling a task kills its worker.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkerPool } from '../src/launchers/workers.ts';

const PROBE = resolve(import.meta.dirname, 'fixtures/probe-main.ts');
const workerScript = (_dir: string) => PROBE;

describe('warm worker pool', () => {
  it('reuses one worker for sequential tasks, with per-task logs, env and outputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workers-'));
    const pool = new WorkerPool(process.env);
    const prefix = [process.execPath, workerScript(dir)];
    const task = (i: number, mode: string) => {
      const outputFile = join(dir, `out-${i}.json`);
      const ei = JSON.stringify({ inputs: { parameterValues: {} }, outputs: { outputFile } });
      return { argv: [...prefix, '--component', 'probe', '--executor_input', ei], env: { MODE: mode }, cwd: dir, logFile: join(dir, `task-${i}.log`), outputFile };
    };
    const pids: number[] = [];
    for (const [i, mode] of [[1, 'a'], [2, 'b']] as const) {
      const t = task(i, mode);
      expect(await pool.run(prefix, t, new AbortController().signal)).toEqual({ exitCode: 0, signal: null });
      const out = JSON.parse(readFileSync(t.outputFile, 'utf8')) as { parameterValues: { pid: number; mode: string } };
      expect(out.parameterValues.mode).toBe(mode);
      pids.push(out.parameterValues.pid);
      const log = readFileSync(t.logFile, 'utf8');
      expect(log).toContain('probing');
    }
    expect(pids[0]).toBe(pids[1]);
    expect(pids[0]).not.toBe(process.pid);
    await pool.dispose();
  });

  it('a failing task reports exit code 1; cancelling kills the worker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workers-'));
    const pool = new WorkerPool(process.env);
    const prefix = [process.execPath, workerScript(dir)];
    const bad = { argv: [...prefix, '--component', 'probe', '--executor_input', '{not json'], env: {}, cwd: dir, logFile: join(dir, 'bad.log') };
    expect((await pool.run(prefix, bad, new AbortController().signal)).exitCode).toBe(1);
    expect(readFileSync(bad.logFile, 'utf8')).toMatch(/error: .*executor_input/);
    const ei = JSON.stringify({ inputs: { parameterValues: { sleep: 30 } }, outputs: { outputFile: join(dir, 'slow.json') } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const r = await pool.run(prefix, { argv: [...prefix, '--component', 'probe', '--executor_input', ei], env: {}, cwd: dir, logFile: join(dir, 'slow.log') }, controller.signal);
    // Killed by the signal in its 30 s sleep, so it wrote no ExecutorOutput.
    expect(r.exitCode).toBeNull();
    expect(r.signal).toBe('SIGTERM');
    expect(existsSync(join(dir, 'slow.json'))).toBe(false);
    await pool.dispose();
  });
});
