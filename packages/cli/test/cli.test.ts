// End to end: the CLI as a child process on a small pipeline of shell tasks run on the host.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '@formalize/runner';
import { cli, sleeping, startCli, tempWorkdir, until, WORKSPACE, writeSpec } from './helpers.ts';

const HOST = ['--image-map', 'alpine=host'];
const ESC = '\x1b';

let work: ReturnType<typeof tempWorkdir>;
let yamlFile: string;

function runRecords(dir: string): RunRecord[] {
  const root = join(dir, '.formalize');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'run.json')))
    .map((d) => JSON.parse(readFileSync(join(root, d, 'run.json'), 'utf8')) as RunRecord)
    .sort((a, b) => a.createTime.localeCompare(b.createTime));
}

beforeAll(async () => {
  work = tempWorkdir();
  writeSpec(work.dir);
  const r = await cli(['compile', 'spec.ts', '--out', 'compiled'], work.dir);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  yamlFile = join(work.dir, 'compiled', 'cli-test.yaml');
});
afterAll(() => work.cleanup());

describe('usage', () => {
  it('--help lists the commands with examples and exit codes; each command has its own help', async () => {
    const top = await cli(['--help'], work.dir);
    expect(top.code).toBe(0);
    for (const c of ['compile', 'run', 'runs', 'show', 'lineage']) expect(top.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(top.stdout).toContain('Exit codes: 0 ok, 1 run failed (or compiled files stale), 2 bad input, 130 cancelled.');
    const run = await cli(['run', '--help'], work.dir);
    expect(run.code).toBe(0);
    for (const flag of ['--param', '--artifact', '--parallelism', '--no-cache', '--fail-fast', '--launcher', '--image-map', '--network', '--pipeline-root', '--run-id', '--json']) {
      expect(run.stdout).toContain(flag);
    }
    expect(run.stdout).toContain('formalize run golden.yaml --launcher docker --image-map gcr.io/x/y=formalize/busybox:local');
    for (const c of ['compile', 'runs', 'show', 'lineage']) expect((await cli([c, '--help'], work.dir)).code).toBe(0);
  });

  it('an unknown command or a missing argument exits 2 with one error line', async () => {
    const unknown = await cli(['frobnicate'], work.dir);
    expect([unknown.code, unknown.stderr.split('\n')[0]]).toEqual([2, "formalize: unknown command 'frobnicate'"]);
    const missing = await cli(['show'], work.dir);
    expect([missing.code, missing.stderr.split('\n')[0]]).toEqual([2, "formalize: missing required argument 'run'"]);
  });

  it('`lineage` under a pipeline root without runs says there is no metadata store', async () => {
    const r = await cli(['lineage', '/some/artifact', '--pipeline-root', 'nothing-here'], work.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`formalize: no metadata store at ${join(work.dir, 'nothing-here', 'metadata.sqlite')} (no run has been recorded under this pipeline root)\n`);
  });
});

describe('compile', () => {
  it('writes <out>/<pipelineName>.yaml and --check passes on it', async () => {
    expect(readFileSync(yamlFile, 'utf8')).toMatch(/^ {2}name: cli-test$/m);
    const check = await cli(['compile', 'spec.ts', '--out', 'compiled', '--check'], work.dir);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/up-to-date +compiled\/cli-test\.yaml/);
  });

  it('--check reports a stale file and exits 1 without rewriting it', async () => {
    const { dir, cleanup } = tempWorkdir();
    try {
      writeSpec(dir);
      expect((await cli(['compile', 'spec.ts', '--out', 'out'], dir)).code).toBe(0);
      writeFileSync(join(dir, 'out', 'cli-test.yaml'), 'stale: true\n');
      const r = await cli(['compile', 'spec.ts', '--out', 'out', '--check', '--json'], dir);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, files: [{ status: 'stale' }] });
      expect(readFileSync(join(dir, 'out', 'cli-test.yaml'), 'utf8')).toBe('stale: true\n');
    } finally {
      cleanup();
    }
  });

  it('without specs compiles every pipeline of the workspace', async () => {
    const { dir, cleanup } = tempWorkdir();
    try {
      const out = join(dir, 'compiled');
      const missing = await cli(['compile', '--out', out, '--check'], WORKSPACE);
      expect(missing.code).toBe(1);
      expect(missing.stdout).toMatch(/^missing +.*hello-pipeline\.yaml$/m);
      expect(existsSync(join(out, 'hello-pipeline.yaml'))).toBe(false);
      const r = await cli(['compile', '--out', out], WORKSPACE);
      expect(r.code).toBe(0);
      expect(readFileSync(join(out, 'hello-pipeline.yaml'), 'utf8')).toBe(readFileSync(join(WORKSPACE, 'pipelines', 'compiled', 'hello-pipeline.yaml'), 'utf8'));
    } finally {
      cleanup();
    }
  });

  it('rejects a module whose default export is not a pipeline (exit 2, nothing written)', async () => {
    const { dir, cleanup } = tempWorkdir();
    try {
      writeSpec(dir, 'bad.ts', 'export default { name: "nope" };\n');
      const r = await cli(['compile', 'bad.ts', '--out', 'out'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('bad.ts: the default export is not a pipeline');
      expect(existsSync(join(dir, 'out'))).toBe(false);
      const missing = await cli(['compile', 'missing.ts', '--out', 'out'], dir);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('missing.ts: no such file');
    } finally {
      cleanup();
    }
  });
});

describe('run', () => {
  let run: RunRecord;
  let output: string;

  beforeAll(async () => {
    const r = await cli(['run', yamlFile, ...HOST, '--param', 'msg=hello'], work.dir);
    output = r.stdout;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    run = runRecords(work.dir).at(-1)!;
  });

  it('runs the pipeline and records it as SUCCEEDED', () => {
    expect(run.state).toBe('SUCCEEDED');
    expect(run.parameters).toEqual({ msg: 'hello', secs: 0, code: 0 });
    expect(run.tasks.map((t) => [t.id, t.state]).sort()).toEqual([['boom', 'SUCCEEDED'], ['nap', 'SUCCEEDED'], ['say', 'SUCCEEDED']]);
    const say = run.tasks.find((t) => t.id === 'say')!;
    expect(say.outputs.parameters).toEqual({ out: 'hello' });
    expect(readFileSync(join(run.runDir, say.log!), 'utf8')).toContain('saying hello');
  });

  it('prints one plain line per task state change, no escape codes, and the run folder and report', () => {
    expect(output).not.toContain(ESC);
    expect(output).toMatch(/^\d\d:\d\d:\d\d RUNNING say$/m);
    expect(output).toMatch(/^\d\d:\d\d:\d\d SUCCEEDED nap \(\d/m);
    expect(output).toContain(`run folder: ${run.runDir}`);
    expect(output).toContain(`report:     ${join(run.runDir, 'report.html')}`);
  });

  it('`runs` lists it and `show` prints its tasks', async () => {
    const runs = await cli(['runs'], work.dir);
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(/^RUN ID +PIPELINE +STATE +STARTED +DURATION +TASKS$/m);
    expect(runs.stdout).toMatch(new RegExp(`^${run.runId} +cli-test +SUCCEEDED .* 3/3$`, 'm'));
    const listed = JSON.parse((await cli(['runs', '--json'], work.dir)).stdout) as { runId: string; state: string }[];
    expect(listed.find((r) => r.runId === run.runId)).toMatchObject({ state: 'SUCCEEDED', tasks: { total: 3 } });

    const show = await cli(['show', run.runId.slice(0, run.runId.length - 2)], work.dir);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^TASK +DISPLAY NAME +STATE +DURATION +CACHED +ATTEMPTS$/m);
    expect(show.stdout).toMatch(/^say +say +SUCCEEDED +\S+ +no +1$/m);
    expect(show.stdout).toContain('msg="hello"');
    expect(show.stdout).toContain('greeting = "hello"');
    expect(show.stdout).toContain(`rest (system.Dataset): ${run.outputs.artifacts['rest']![0]!.uri}`);
    const shown = JSON.parse((await cli(['show', run.runDir, '--json'], work.dir)).stdout) as RunRecord;
    expect(shown.runId).toBe(run.runId);
  });

  it('`lineage` walks from an output artifact back through its producers and their inputs', async () => {
    const uri = run.tasks.find((t) => t.id === 'nap')!.outputs.artifacts['rest']![0]!.uri;
    const r = await cli(['lineage', uri], work.dir);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^system\\.Dataset ${uri} `));
    expect(lines[1]).toMatch(new RegExp(`^ {2}<- nap \\(COMPLETE\\) output 'rest' of run cli-test-${run.runId}`));
    expect(lines[2]).toContain('parameters: msg="hello" secs=0');
    expect(lines[3]).toMatch(/^ {5}note: system\.Dataset \S+\/say\/note /);
    expect(lines[4]).toMatch(/^ {7}<- say \(COMPLETE\)/);
    const json = JSON.parse((await cli(['lineage', uri, '--json'], work.dir)).stdout) as { root: { artifact: { uri: string } } };
    expect(json.root.artifact.uri).toBe(uri);
    const unknown = await cli(['lineage', '/no/such/artifact'], work.dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no artifact with URI or id '/no/such/artifact'");
  });

  it('`runs` of an empty pipeline root says so', async () => {
    const r = await cli(['runs', '--pipeline-root', 'empty'], work.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`no runs under ${join(work.dir, 'empty')}\n`);
  });

  it('`show` of an unknown run exits 2', async () => {
    const r = await cli(['show', 'no-such-run'], work.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no run 'no-such-run'");
  });

  it('--json prints every event as a JSON line and the final run record last', async () => {
    const r = await cli(['run', yamlFile, ...HOST, '--json', '--no-cache'], work.dir);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; task?: { id: string; state: string }; run?: RunRecord });
    expect(lines[0]!.type).toBe('run-started');
    expect(lines.some((l) => l.type === 'task-updated' && l.task!.id === 'nap' && l.task!.state === 'RUNNING')).toBe(true);
    const last = lines.at(-1)!;
    expect(last.type).toBe('run-record');
    expect(last.run!.state).toBe('SUCCEEDED');
    // --no-cache: every task ran again
    expect(last.run!.tasks.every((t) => t.state === 'SUCCEEDED')).toBe(true);
  });

  it('runs a TypeScript spec directly (compiled on the fly)', async () => {
    const r = await cli(['run', 'spec.ts', ...HOST, '--param', 'msg=from-ts', '--run-id', 'from-ts'], work.dir);
    expect(r.code, r.stderr).toBe(0);
    const rec = runRecords(work.dir).find((x) => x.runId === 'from-ts')!;
    expect(rec.state).toBe('SUCCEEDED');
    expect(rec.outputs.parameters).toEqual({ greeting: 'from-ts' });
  });

  it('--artifact hands a file to a pipeline input artifact (a relative path names it from the working directory)', async () => {
    writeSpec(work.dir, 'artifact-in.ts', `
import { z } from 'zod';
import { artifact } from '@formalize/common';
import { containerComponent, pipeline } from '@formalize/dsl';
const cat = containerComponent({
  name: 'cat', image: 'alpine', inputs: { data: artifact('system.Dataset') }, outputs: { Output: z.string() },
  command: ({ inputs, outputs }) => ['sh', '-c', 'cat "$0" > "$1"', inputs.data.path, outputs.Output],
});
export default pipeline({ name: 'cli-artifact-in', inputs: { data: artifact('system.Dataset') } }, ({ data }) => ({ contents: cat({ data }).output }));
`);
    writeFileSync(join(work.dir, 'input.txt'), 'handed in');
    const missing = await cli(['run', 'artifact-in.ts', ...HOST], work.dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required input artifact 'data' (system.Dataset)");
    const r = await cli(['run', 'artifact-in.ts', ...HOST, '--artifact', 'data=input.txt', '--run-id', 'artifact-in'], work.dir);
    expect(r.code, r.stderr).toBe(0);
    const rec = runRecords(work.dir).find((x) => x.runId === 'artifact-in')!;
    expect(rec.outputs.parameters).toEqual({ contents: 'handed in' });
    expect(rec.inputArtifacts).toEqual({ data: [{ name: 'data', type: 'system.Dataset', uri: join(work.dir, 'input.txt'), metadata: {} }] });
    const show = await cli(['show', 'artifact-in'], work.dir);
    expect(show.stdout).toMatch(new RegExp(`^artifacts +data=${join(work.dir, 'input.txt')}$`, 'm'));
    // report.html lists it with the parameters.
    const report = readFileSync(join(rec.runDir, 'report.html'), 'utf8');
    expect(report.slice(report.indexOf('<section id="parameters">'), report.indexOf('<section id="outputs">'))).toContain(join(work.dir, 'input.txt'));
  });

  it('a second run of the same pipeline is served from the cache', async () => {
    const r = await cli(['run', yamlFile, ...HOST, '--param', 'msg=hello'], work.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d CACHED say/m);
  });
});

describe('failures', () => {
  it('a failed task fails the run: exit 1, the task, its last log lines and its log path', async () => {
    const r = await cli(['run', yamlFile, ...HOST, '--param', 'code=3'], work.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/task boom failed: exited with code 3/);
    expect(r.stdout).toContain('the last words');
    const run = runRecords(work.dir).at(-1)!;
    expect(run.state).toBe('FAILED');
    expect(run.failedTask).toBe('boom');
    expect(r.stdout).toContain(`log: ${join(run.runDir, 'boom', 'task.log')}`);
    // fail slow: the independent task still ran
    expect(run.tasks.find((t) => t.id === 'nap')!.state).toMatch(/SUCCEEDED|CACHED/);
  });

  it.each([
    [['--param', 'secs=abc'], "parameter 'secs'"],
    [['--param', 'nope=1'], "unknown parameter 'nope'"],
    [['--param', 'secs'], "--param 'secs': expected name=value"],
    [['--parallelism', '0'], "option '--parallelism <n>' argument '0' is invalid"],
    [['--launcher', 'ssh'], "argument 'ssh' is invalid"],
    [['--image-map', 'alpine=docker'], "--image-map 'alpine=docker'"],
    [['--frobnicate'], "formalize: unknown option '--frobnicate'"],
    [['--network', 'bridge'], "option '--network <mode>' argument 'bridge' is invalid"],
    [['--image-map', 'alpine=Not An Image'], "--image-map 'alpine=Not An Image': 'Not An Image' is neither 'host' nor an image reference"],
    [['--launcher', 'process', '--image-map', 'gcr.io/x/y=formalize/busybox:local'], '--image-map gcr.io/x/y=formalize/busybox:local: stand-in images run in Docker, which --launcher process excludes'],
    [['--image-map', 'alpine=formalize/busybox:local'], "--image-map 'alpine=formalize/busybox:local': alpine is already mapped to host"],
    [['--artifact', 'note'], "--artifact 'note': expected name=<path or gs:// URI>"],
    [['--artifact', 'note=/no/such/file'], "--artifact 'note=/no/such/file': nothing at /no/such/file"],
    [['--artifact', `note=${import.meta.filename}`], "unknown input artifact 'note' (pipeline 'cli-test' takes: none)"],
    [['--pipeline-root', 'gs://'], "--pipeline-root 'gs://': expected a local folder or gs://<bucket>[/<path>]"],
    [['--pipeline-root', 's3://bucket/runs'], "--pipeline-root 's3://bucket/runs': expected a local folder or gs://<bucket>[/<path>]"],
  ])('bad input %j exits 2 naming it and writes nothing', async (args, message) => {
    const { dir, cleanup } = tempWorkdir();
    try {
      const r = await cli(['run', yamlFile, ...HOST, ...args], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
      expect(existsSync(join(dir, '.formalize'))).toBe(false);
    } finally {
      cleanup();
    }
  });

  it('an image no launcher can run exits 2 before anything starts', async () => {
    const { dir, cleanup } = tempWorkdir();
    try {
      const r = await cli(['run', yamlFile, '--launcher', 'process'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('no launcher can run image alpine');
      expect(existsSync(join(dir, '.formalize'))).toBe(false);
    } finally {
      cleanup();
    }
  });

  it('a missing file or invalid IR exits 2', async () => {
    const { dir, cleanup } = tempWorkdir();
    try {
      expect((await cli(['run', 'nope.yaml'], dir)).stderr).toContain('nope.yaml: no such file');
      writeFileSync(join(dir, 'bad.yaml'), 'pipelineInfo:\n  name: x\nroot:\n  dag:\n    tasks:\n      a:\n        componentRef:\n          name: comp-missing\nschemaVersion: 2.1.0\nsdkVersion: x\n');
      const r = await cli(['run', 'bad.yaml'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('bad.yaml is invalid');
      expect(r.stderr).toContain('comp-missing');
      expect(existsSync(join(dir, '.formalize'))).toBe(false);
    } finally {
      cleanup();
    }
  });
});

describe('cancellation', () => {
  it('SIGTERM stops the running task, records CANCELLED, exits 130; the next run reuses finished tasks', async () => {
    const { dir, cleanup } = tempWorkdir();
    try {
      // nap sleeps while boom finishes beside it: that takes two slots, whatever the machine's CPU count
      // (the default parallelism). With one, boom could queue behind nap's sleep and never finish first.
      const secs = 43; // its sleep process is looked for, to see whether it outlives the run
      const { child, done, stdout } = startCli(['run', yamlFile, ...HOST, '--parallelism', '2', '--param', `secs=${secs}`, '--json'], dir);
      await until(() => /"id":"nap"[^\n]*"state":"RUNNING"/.test(stdout()) && /"id":"boom"[^\n]*"state":"SUCCEEDED"/.test(stdout()));
      await until(() => sleeping(secs, dir));
      child.kill('SIGTERM');
      const r = await done;
      expect(r.code, r.stderr).toBe(130);
      // the sleep was stopped with its task's process group, not waited for
      expect(sleeping(secs, dir)).toBe(false);
      const [cancelled] = runRecords(dir);
      expect(cancelled!.state).toBe('CANCELLED');
      expect(cancelled!.tasks.find((t) => t.id === 'nap')!.state).toBe('CANCELLED');
      const finished = cancelled!.tasks.filter((t) => t.state === 'SUCCEEDED').map((t) => t.id).sort();
      expect(finished).toEqual(['boom', 'say']);

      const again = await cli(['run', yamlFile, ...HOST, '--param', 'secs=0'], dir);
      expect(again.code).toBe(0);
      const rerun = runRecords(dir).at(-1)!;
      for (const id of finished) expect(rerun.tasks.find((t) => t.id === id)!.state).toBe('CACHED');
    } finally {
      cleanup();
    }
  });

  it('a second SIGTERM exits at once and still leaves no task process behind', async () => {
    const { dir, cleanup } = tempWorkdir();
    try {
      // A task that ignores SIGTERM (its sleep inherits that): the first signal cannot stop it in time.
      writeSpec(dir, 'stubborn.ts', `
import { z } from 'zod';
import { containerComponent, pipeline } from '@formalize/dsl';
const stubborn = containerComponent({
  name: 'stubborn', image: 'alpine', inputs: { secs: z.int() },
  command: ({ inputs }) => ['sh', '-c', 'trap "" TERM; echo holding on; sleep "$0"', inputs.secs],
});
export default pipeline({ name: 'cli-stubborn' }, () => { stubborn({ secs: 53 }); });
`);
      const { child, done, stderr } = startCli(['run', 'stubborn.ts', ...HOST, '--json'], dir);
      await until(() => sleeping(53, dir));
      child.kill('SIGTERM');
      // The first signal was handled (signals sent too close together would merge into one).
      await until(() => stderr().includes('SIGTERM: stopping running tasks and recording the run as cancelled (SIGTERM again to exit at once)'));
      child.kill('SIGTERM');
      const r = await done;
      expect(r.code).toBe(130);
      // The CLI exited before the task's grace period was over, and took the task's process group with it.
      expect(sleeping(53, dir)).toBe(false);
    } finally {
      cleanup();
    }
  });
});
