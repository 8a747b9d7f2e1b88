// `formalize run` as a user at a terminal sees it: the CLI on a real pseudo-terminal, its output
// replayed through a terminal emulator, frame by frame. Off a terminal, the same run prints plain lines.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '@formalize/runner';
import { cli, sleeping, tempWorkdir, until, writeSpec } from './helpers.ts';
import { REDRAW, screens, startTty, type Screen } from './tty.ts';

const TTY = { cols: 120, rows: 40 };
const HOST = ['--image-map', 'alpine=host'];
/** xterm palette indexes of the colours the view paints states with. */
const GREEN = 2;
const CYAN = 6;
const YELLOW = 3;
const DURATION = String.raw`\d+(?:ms|\.\ds)`;

let work: ReturnType<typeof tempWorkdir>;
let yamlFile: string;

beforeAll(async () => {
  work = tempWorkdir();
  writeSpec(work.dir);
  const r = await cli(['compile', 'spec.ts', '--out', 'compiled'], work.dir);
  expect(r.code, r.stderr).toBe(0);
  yamlFile = join(work.dir, 'compiled', 'cli-test.yaml');
});
afterAll(() => work.cleanup());

function lastRun(dir: string): RunRecord {
  const root = join(dir, '.formalize');
  const runs = readdirSync(root).filter((d) => existsSync(join(root, d, 'run.json')))
    .map((d) => JSON.parse(readFileSync(join(root, d, 'run.json'), 'utf8')) as RunRecord);
  return runs.sort((a, b) => a.createTime.localeCompare(b.createTime)).at(-1)!;
}

/** Lines of a screen matching `re`. */
const matching = (s: Screen, re: RegExp) => s.lines.filter((l) => re.test(l));

describe('live view on a terminal', () => {
  it('redraws one block in place: task states with elapsed time while running, then the final summary', async () => {
    const runId = 'tty-ok';
    const tty = startTty(['run', yamlFile, ...HOST, '--parallelism', '2', '--param', 'secs=2', '--run-id', runId], work.dir, TTY);
    const r = await tty.done;
    expect(r.code, r.stdout).toBe(0);
    const run = lastRun(work.dir);
    expect(run.runId).toBe(runId);

    const raw = tty.raw();
    // The cursor is hidden while the block is drawn and shown again after its last frame.
    expect(raw.startsWith('\x1b[?25l')).toBe(true);
    const redraws = [...raw.matchAll(REDRAW)];
    expect(redraws.length).toBeGreaterThan(2);
    expect(raw.indexOf('\x1b[?25h')).toBeGreaterThan(redraws.at(-1)!.index);
    const shots = await screens(raw, TTY);

    // While nap sleeps: the header says RUNNING, say is done, nap shows its elapsed time, in colour.
    const napRunning = new RegExp(`^ {2}▶ nap +RUNNING +(${DURATION})$`);
    const running = shots.filter((s) => matching(s, napRunning).length === 1);
    expect(running.length).toBeGreaterThan(1);
    const during = running.at(-1)!;
    expect(during.lines[0]).toMatch(new RegExp(`^▶ cli-test {2}run ${runId} {2}RUNNING {2}${DURATION}$`));
    expect(during.lines).toContain('  3 tasks: 2 succeeded, 1 running');
    expect(matching(during, new RegExp(`^ {2}✔ say +SUCCEEDED {2}${DURATION}$`))).toHaveLength(1);
    expect(during.colourOf('RUNNING  ')).toBe(CYAN);
    // The elapsed time moves between frames while the task runs.
    const elapsed = new Set(running.map((s) => napRunning.exec(matching(s, napRunning)[0]!)![1]));
    expect(elapsed.size).toBeGreaterThan(1);

    // The end: one block (redrawn in place, never appended), every task succeeded with its duration.
    const end = shots.at(-1)!;
    expect(matching(end, /cli-test {2}run /)).toEqual([expect.stringMatching(new RegExp(`^✔ cli-test {2}run ${runId} {2}SUCCEEDED {2}${DURATION}$`))]);
    expect(end.lines).toContain('  3 tasks: 3 succeeded');
    for (const id of ['say', 'nap', 'boom']) {
      expect(matching(end, new RegExp(`^ {2}. ${id} `))).toEqual([expect.stringMatching(new RegExp(`^ {2}✔ ${id} +SUCCEEDED {2}${DURATION}$`))]);
    }
    expect(end.colourOf('SUCCEEDED  ')).toBe(GREEN);
    expect(end.lines.slice(-2)).toEqual([`run folder: ${run.runDir}`, `report:     ${join(run.runDir, 'report.html')}`]);
  });

  it('Ctrl-C stops the running task, shows the run as cancelled and exits 130', async () => {
    const runId = 'tty-cancel';
    // Its sleep process is looked for, to find out whether it outlived the run.
    const secs = 47;
    // Two slots: boom finishes while nap sleeps, whatever the machine's CPU count.
    const tty = startTty(['run', yamlFile, ...HOST, '--no-cache', '--parallelism', '2', '--param', `secs=${secs}`, '--run-id', runId], work.dir, TTY);
    await until(() => /✔ boom +SUCCEEDED.*\r\n +▶ nap +RUNNING/.test(stripVTControlCharacters(tty.raw())) && sleeping(secs, work.dir));
    tty.type('\x03');
    const r = await tty.done;
    expect(r.code, r.stdout).toBe(130);
    expect(sleeping(secs, work.dir)).toBe(false);

    const end = (await screens(tty.raw(), TTY)).at(-1)!;
    expect(matching(end, /cli-test {2}run /)).toEqual([expect.stringMatching(new RegExp(`^■ cli-test {2}run ${runId} {2}CANCELLED {2}${DURATION}$`))]);
    expect(matching(end, /^ {2}. nap /)).toEqual([expect.stringMatching(/^ {2}■ nap +CANCELLED/)]);
    expect(end.colourOf('CANCELLED')).toBe(YELLOW);
    expect(end.lines).toContain('SIGINT: stopping running tasks and recording the run as cancelled (Ctrl-C again to exit at once)');
    expect(end.lines).toContain('run cancelled (3 tasks: 2 succeeded, 1 cancelled); finished tasks with caching enabled are reused by the next run');
    const run = lastRun(work.dir);
    expect([run.runId, run.state]).toEqual([runId, 'CANCELLED']);
  });
});

describe('plain output off a terminal', () => {
  it('prints one line per task state change and no escape codes, even when colours are forced', async () => {
    const r = await cli(['run', yamlFile, ...HOST, '--no-cache', '--param', 'msg=piped', '--run-id', 'piped'], work.dir, { FORCE_COLOR: '1', TERM: 'xterm-256color' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('\x1b');
    const lines = r.stdout.trimEnd().split('\n');
    const clock = String.raw`\d\d:\d\d:\d\d`;
    expect(lines[0]).toMatch(new RegExp(`^${clock} run piped of cli-test started in \\S+/cli-test-piped$`));
    const changes = lines.filter((l) => new RegExp(`^${clock} (RUNNING|SUCCEEDED) `).test(l)).map((l) => l.slice(9).replace(/ \(.*\)$/, ''));
    expect(changes.sort()).toEqual(['RUNNING boom', 'RUNNING nap', 'RUNNING say', 'SUCCEEDED boom', 'SUCCEEDED nap', 'SUCCEEDED say']);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${clock} run SUCCEEDED after ${DURATION} \\(3 tasks: 3 succeeded\\)$`)));
  });
});
