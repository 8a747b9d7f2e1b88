// Issue 6 benchmarks: the component images (built by `nx run-many -t image`, which this runs first).
// - image size per component package, and what dominates it (base image, node, DuckDB, TF.js);
// - the build context the .dockerignore leaves, against the checkout without it;
// - container cold start, `docker run` -> `run()` entered (the executor's `started` log line), for the noop
//   component in its image, with and without the image's warmed NODE_COMPILE_CACHE; peers in the same run:
//   the same entrypoint started as a process here, and a bare `docker run ... true`;
// - docker-launcher overhead per task against the process launcher: a 10-task chain of noop tasks.
// `BENCH_ROUNDS` (default 5) rounds, medians.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fromContract, pipeline } from '@formalize/dsl';
import { noop } from '@formalize/hello';
import { createDockerLauncher, createProcessLauncher, runPipeline, type Launcher } from '@formalize/runner';
import { componentPackages } from '../docker/src/packages.ts';

const root = join(import.meta.dirname, '..');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).trim();
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
const ms = (x: number) => `${x.toFixed(0)} ms`;

const packages = componentPackages(root).filter((p) => p.components.length > 0);
if (spawnSync('npx', ['nx', 'run-many', '-t', 'image', '--parallel=1', '--outputStyle=static'], { cwd: root, stdio: 'ignore', env: { ...process.env, NX_DAEMON: 'false' } }).status !== 0) {
  throw new Error('nx run-many -t image failed (docker/base-image.sh and a running dockerd are needed)');
}
const imageOf = (component: string) => packages.flatMap((p) => p.components).find((c) => c.name === component)!.image;

// --- sizes -------------------------------------------------------------------------------------------
const base = Number(docker('image', 'inspect', '--format', '{{.Size}}', 'node:24-bookworm-slim'));
console.log(`Node ${process.version}, ${ROUNDS} rounds, medians\n`);
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
const noopOp = fromContract(noop);
const chain = pipeline({ name: 'bench-image-chain' }, () => {
  let prev: ReturnType<typeof noopOp> | undefined;
  for (let i = 0; i < 10; i++) {
    const t = noopOp({ note: `step-${i}` });
    if (prev) t.after(prev);
    prev = t;
  }
}).compile();
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
