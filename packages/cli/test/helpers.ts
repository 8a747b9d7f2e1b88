// Runs the CLI as a child process (as a user would) in a temp folder whose node_modules links to the
// workspace's, so spec files written there resolve @formalize/dsl and zod.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLI = join(import.meta.dirname, '..', 'src', 'main.ts');
export const WORKSPACE = join(import.meta.dirname, '..', '..', '..');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Environment without colour forcing, so output is what a pipe or CI log gets. */
export function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['FORCE_COLOR'];
  delete env['FORMALIZE_GCS_MOUNT'];
  return env;
}

export function startCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<CliResult>; stdout: () => string; stderr: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...childEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

export function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return startCli(args, cwd, env).done;
}

export function tempWorkdir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'formalize-cli-'));
  symlinkSync(join(WORKSPACE, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A small pipeline of `alpine` shell tasks (run on the host with `--image-map alpine=host`):
 * say (writes parameter `out` and artifact `note`) -> nap (sleeps `secs`, writes artifact `rest` from
 * `note`) and boom (exits with `code`); outputs `greeting` and `rest`.
 */
export const TEST_SPEC = `
import { z } from 'zod';
import { artifact } from '@formalize/common';
import { containerComponent, pipeline } from '@formalize/dsl';

const say = containerComponent({
  name: 'say', image: 'alpine', inputs: { msg: z.string() }, outputs: { out: z.string(), note: artifact('system.Dataset') },
  command: ({ inputs, outputs }) => ['sh', '-c', 'echo "saying $0"; mkdir -p "$(dirname "$1")" "$(dirname "$2")"; printf %s "$0" > "$1"; echo "$0" > "$2"',
    inputs.msg, outputs.out, outputs.note.path],
});
const nap = containerComponent({
  name: 'nap', image: 'alpine', inputs: { secs: z.int(), msg: z.string(), note: artifact('system.Dataset') }, outputs: { rest: artifact('system.Dataset') },
  command: ({ inputs, outputs }) => ['sh', '-c', 'echo "napping $0 after $1"; sleep "$0"; mkdir -p "$(dirname "$3")"; cat "$2" > "$3"',
    inputs.secs, inputs.msg, inputs.note.path, outputs.rest.path],
});
const boom = containerComponent({
  name: 'boom', image: 'alpine', inputs: { code: z.int() },
  command: ({ inputs }) => ['sh', '-c', 'echo first line; echo "the last words"; exit "$0"', inputs.code],
});

export default pipeline({ name: 'cli-test', inputs: { msg: z.string().default('hi'), secs: z.int().default(0), code: z.int().default(0) } }, ({ msg, secs, code }) => {
  const said = say({ msg });
  const napped = nap({ secs, msg: said.outputs.out, note: said.outputs.note });
  boom({ code }).after(said);
  return { greeting: said.outputs.out, rest: napped.outputs.rest };
});
`;

export function writeSpec(dir: string, name = 'spec.ts', text = TEST_SPEC): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Whether a `sleep <secs>` process started in a folder under `dir` (a task folder of a test's run) is alive. */
export function sleeping(secs: number, dir: string): boolean {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8') === `sleep\0${secs}\0` && readlinkSync(`/proc/${pid}/cwd`).startsWith(`${dir}/`)) return true;
    } catch { /* gone meanwhile */ }
  }
  return false;
}

/** Polls until `ok()` holds. */
export async function until(ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
