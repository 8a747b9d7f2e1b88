// Issue 6 benchmarks: the component images (built and pushed by `nx run-many -t push`, which this runs first).
// - image size per component package, and what dominates it (base image, node, DuckDB, TF.js);
// - the build context the .dockerignore leaves, against the checkout without it;
// - container cold start, `docker run` -> `run()` entered (the executor's `started` log line), for the noop
//   component in its image, with and without the image's warmed NODE_COMPILE_CACHE; peers in the same run:
//   the same entrypoint started as a process here, and a bare `docker run ... true`;
// - docker-launcher overhead per task against the process launcher: a 10-task chain of noop tasks, and the
//   model pipelines (build-model, then chicago-custom-training with 2 tuning trials) on the data pipeline's output,
//   each launcher in its own pipeline root, as images/test/training-pipeline.test.ts runs them (the docker
//   launcher pulls what the push above put in the registry).
// `BENCH_ROUNDS` (default 5) rounds, medians; `BENCH_PIPELINE_ROUNDS` (default 1) rounds of the model pipelines.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createDockerLauncher, createProcessLauncher, runPipeline, type Launcher } from '@formalize/runner';
import { componentPackages } from '../docker/src/packages.ts';
import { noopChain } from './noop-chain.ts';

const root = join(import.meta.dirname, '..');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const PIPELINE_ROUNDS = Number(process.env['BENCH_PIPELINE_ROUNDS'] ?? 1);
const load = () => loadavg().map((x) => x.toFixed(1)).join(', ');
const loadAtStart = load();
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).trim();
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
const ms = (x: number) => `${x.toFixed(0)} ms`;

const packages = componentPackages(root).filter((p) => p.components.length > 0);
if (spawnSync('npx', ['nx', 'run-many', '-t', 'push', '--projects', 'tag:scope:component', '--parallel=1', '--outputStyle=static'], { cwd: root, stdio: 'ignore', env: { ...process.env, NX_DAEMON: 'false' } }).status !== 0) {
  throw new Error('nx run-many -t push failed (scripts/ci-services.sh as root: dockerd, the registry and the base image are needed)');
}
const imageOf = (component: string) => packages.flatMap((p) => p.components).find((c) => c.name === component)!.image;

// --- sizes -------------------------------------------------------------------------------------------
const base = Number(docker('image', 'inspect', '--format', '{{.Size}}', 'node:24-bookworm-slim'));
console.log(`Node ${process.version}, ${ROUNDS} rounds, medians; load average ${loadAtStart} at the start (1, 5, 15 min)\n`);
console.log('| image (package) | size | goal < 300 MB | base image | node_modules | largest dependencies |');
console.log('|---|---|---|---|---|---|');
for (const p of packages) {
  const image = p.components[0]!.image;
  const size = Number(docker('image', 'inspect', '--format', '{{.Size}}', image));
  const du = docker('run', '--rm', '--network', 'none', '--entrypoint', 'sh', image, '-c',
    'du -sb /app/node_modules | cut -f1; cd /app/node_modules && du -sb @*/* [!@]* 2>/dev/null | sort -rn | head -n 3');
  const [modules, ...largest] = du.split('\n');
  const top = largest.map((l) => { const [b, n] = l.split('\t'); return `${n} ${mb(Number(b))}`; }).join(', ');
  console.log(`| ${p.components.map((c) => c.name).join(', ')} (${p.dir}) | ${mb(size)} | ${size < 300e6 ? 'met' : 'missed'} | ${mb(base)} | ${mb(Number(modules))} | ${top} |`);
}
const nodeBinary = Number(docker('run', '--rm', '--network', 'none', '--entrypoint', 'stat', 'node:24-bookworm-slim', '-c', '%s', '/usr/local/bin/node'));
console.log(`\nbase image node:24-bookworm-slim (docker/base-image.sh): ${mb(base)}, of which the node binary ${mb(nodeBinary)}`);

// --- build context -------------------------------------------------------------------------------------
const ctx = mkdtempSync(join(tmpdir(), 'formalize-bench-ctx-'));
const probe = spawnSync('docker', ['build', '--no-cache', '--network', 'none', '-f', '-', root], {
  input: 'FROM node:24-bookworm-slim\nCOPY . /ctx\nRUN echo "CONTEXT $(du -sb /ctx | cut -f1) $(find /ctx -type f | wc -l)"\n', encoding: 'utf8',
});
const m = /CONTEXT (\d+) (\d+)/.exec(probe.stdout + probe.stderr);
const all = (dir: string): [number, number] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).reduce<[number, number]>(([b, n], e) => [b + statSync(join(e.parentPath, e.name)).size, n + 1], [0, 0]);
const [allBytes, allFiles] = all(root);
rmSync(ctx, { recursive: true, force: true });
console.log(`build context with .dockerignore: ${m ? `${mb(Number(m[1]))}, ${m[2]} files` : 'not measured'}; the checkout without it: ${mb(allBytes)}, ${allFiles} files`);

// --- cold start --------------------------------------------------------------------------------------
const executorInput = JSON.stringify({ inputs: { parameterValues: {} }, outputs: { parameters: {}, outputFile: '/tmp/executor_output.json' } });
const entry = (prefix: string) => ['node', '--conditions=formalize-dist', `${prefix}/packages/hello/dist/main.js`, '--component', 'noop', '--executor_input', executorInput];

/** ms from spawn to the executor's `started` line on stderr, and to exit. */
function timeStart(cmd: string, args: string[]): Promise<{ started: number; exited: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let started = Number.NaN;
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (Number.isNaN(started) && err.includes('"message":"started"')) started = performance.now() - t0;
    });
    child.on('close', (code) => (code === 0 ? resolve({ started, exited: performance.now() - t0 }) : reject(new Error(`${cmd} ${args.slice(0, 6).join(' ')}: exit ${code}: ${err}`))));
  });
}
const hello = imageOf('noop');
const runArgs = ['run', '--rm', '--network', 'none'];
const cases: [string, () => Promise<{ started: number; exited: number }>][] = [
  ['container (image entrypoint, warm NODE_COMPILE_CACHE)', () => timeStart('docker', [...runArgs, hello, ...entry('/app')])],
  ['container, compile cache off (NODE_DISABLE_COMPILE_CACHE=1)', () => timeStart('docker', [...runArgs, '-e', 'NODE_DISABLE_COMPILE_CACHE=1', hello, ...entry('/app')])],
  ['peer: the same entrypoint as a process here (dist/)', () => timeStart(process.execPath, entry(root).slice(1))],
  ['peer: bare container, `docker run --rm <image> true`', async () => { const t0 = performance.now(); execFileSync('docker', [...runArgs, '--entrypoint', 'true', hello]); const t = performance.now() - t0; return { started: Number.NaN, exited: t }; }],
];
const cold: Record<string, { started: number[]; exited: number[] }> = {};
for (let i = 0; i < ROUNDS; i++) {
  for (const [name, f] of cases) {
    const r = await f();
    (cold[name] ??= { started: [], exited: [] }).started.push(r.started);
    cold[name].exited.push(r.exited);
  }
}
console.log('\n| cold start | spawn -> run() entered | spawn -> exit | goal |');
console.log('|---|---|---|---|');
for (const [name] of cases) {
  const c = cold[name]!;
  const started = median(c.started);
  console.log(`| ${name} | ${Number.isNaN(started) ? '-' : ms(started)} | ${ms(median(c.exited))} | ${name.startsWith('container (') ? `< 1 s: ${started < 1000 ? 'met' : 'missed'}` : ''} |`);
}

// --- launcher overhead ---------------------------------------------------------------------------------
const chain = noopChain('bench-image-chain');
const launchers: [string, () => Launcher][] = [
  ['docker launcher (one container per task)', () => createDockerLauncher()],
  ['process launcher, one new process per task', () => createProcessLauncher({ workspaceRoot: root, reuseWorkers: false })],
  ['process launcher, warm workers (default)', () => createProcessLauncher({ workspaceRoot: root })],
];
const work = mkdtempSync(join(tmpdir(), 'formalize-bench-images-'));
const chainTimes: Record<string, number[]> = {};
for (let i = 0; i < ROUNDS; i++) {
  for (const [name, make] of launchers) {
    const t0 = performance.now();
    const r = await runPipeline(chain, { pipelineRoot: join(work, `${i}-${name.length}`), launchers: [make()], cache: false, parallelism: 1 });
    if (r.state !== 'SUCCEEDED') throw new Error(`${name}: ${r.state}: ${r.error}`);
    (chainTimes[name] ??= []).push(performance.now() - t0);
  }
}
rmSync(work, { recursive: true, force: true });
const perTask = (name: string) => median(chainTimes[name]!) / 10;
console.log('\n| 10-task noop chain | total | per task | docker overhead per task |');
console.log('|---|---|---|---|');
for (const [name] of launchers) {
  const over = perTask(launchers[0]![0]) - perTask(name);
  console.log(`| ${name} | ${(median(chainTimes[name]!) / 1000).toFixed(2)} s | ${ms(perTask(name))} | ${name === launchers[0]![0] ? '' : `+${ms(over)} against this`} |`);
}

// --- the model pipelines, task by task -------------------------------------------------------------------
interface TaskTimes { wall: number; tasks: Record<string, number> }
const cli = join(root, 'packages/cli/src/main.ts');
function formalizeRun(spec: string, pipelineRoot: string, launcher: 'process' | 'docker', params: Record<string, number>, runId: string): TaskTimes {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'run', join(root, 'pipelines/compiled', spec), '--pipeline-root', pipelineRoot, '--json', '--launcher', launcher, '--run-id', runId,
    ...(launcher === 'docker' ? ['--pull', 'always'] : []), ...Object.entries(params).flatMap(([k, v]) => ['-p', `${k}=${v}`])], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`formalize run ${spec} --launcher ${launcher}: exit ${r.status}: ${r.stderr.slice(-2000)}`);
  const run = (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { run: { tasks: { displayName: string; kind: string; state: string; startTime?: string; endTime?: string }[] } }).run;
  const tasks = Object.fromEntries(run.tasks.filter((t) => t.kind === 'container' && t.state === 'SUCCEEDED').map((t) => [t.displayName, Date.parse(t.endTime!) - Date.parse(t.startTime!)]));
  return { wall, tasks };
}
const modelRuns: Record<string, TaskTimes[]> = { process: [], docker: [] };
const pipelineWork = mkdtempSync(join(tmpdir(), 'formalize-bench-images-pipelines-'));
for (let i = 0; i < PIPELINE_ROUNDS; i++) {
  for (const launcher of ['process', 'docker'] as const) {
    const pipelineRoot = join(pipelineWork, `${launcher}-${i}`);
    formalizeRun('data-preprocessing.yaml', pipelineRoot, 'process', { year: 2014 }, 'data');
    const build = formalizeRun('build-model.yaml', pipelineRoot, launcher, {}, 'build');
    const train = formalizeRun('chicago-custom-training.yaml', pipelineRoot, launcher, { max_trial_count: 2, parallel_trial_count: 2 }, 'train');
    const prefixed = (prefix: string, tasks: Record<string, number>) => Object.fromEntries(Object.entries(tasks).map(([n, t]) => [`${prefix} ${n}`, t]));
    modelRuns[launcher]!.push({ wall: build.wall + train.wall, tasks: { ...prefixed('build-model:', build.tasks), ...prefixed('training:', train.tasks) } });
  }
}
rmSync(pipelineWork, { recursive: true, force: true });
const taskNames = Object.keys(modelRuns['process']![0]!.tasks);
const taskMedian = (launcher: string, name: string) => median(modelRuns[launcher]!.map((r) => r.tasks[name]!));
console.log(`\n| model pipelines, task (start -> end) | process launcher | docker launcher | docker overhead |`);
console.log('|---|---|---|---|');
for (const name of taskNames) {
  const [p, d] = [taskMedian('process', name), taskMedian('docker', name)];
  console.log(`| ${name} | ${ms(p)} | ${ms(d)} | +${ms(d - p)} |`);
}
const sum = (launcher: string) => taskNames.reduce((a, n) => a + taskMedian(launcher, n), 0);
const wall = (launcher: string) => median(modelRuns[launcher]!.map((r) => r.wall));
console.log(`| ${taskNames.length} tasks: mean per task | ${ms(sum('process') / taskNames.length)} | ${ms(sum('docker') / taskNames.length)} | +${ms((sum('docker') - sum('process')) / taskNames.length)} |`);
console.log(`| both pipelines, wall (formalize run) | ${(wall('process') / 1000).toFixed(1)} s | ${(wall('docker') / 1000).toFixed(1)} s | +${((wall('docker') - wall('process')) / 1000).toFixed(1)} s |`);
console.log(`\nload average ${load()} at the end`);
