// Benchmarks of issue 2 (not timed tests): compile time of the largest golden re-expression and a
// component's cold start (process start -> run() entered) for a no-op component, each next to a
// peer measured in the same run. Prints a Markdown table; figures are medians.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { irToYaml } from '@formalize/common';
import { GOLDENS } from '../packages/dsl/test/goldens/pipelines.ts';

const root = join(import.meta.dirname, '..');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 30);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
const ms = (x: number) => `${x.toFixed(2)} ms`;
const rows: string[][] = [];

// 1. Compile: record the pipeline with the DSL, compile to IR, write YAML.
const largest = 'kfp-ir/if_elif_else_complex.yaml';
for (let i = 0; i < 5; i++) irToYaml(GOLDENS[largest]!()); // warm-up (JIT, module init)
const compileTimes: number[] = [];
let yamlText = '';
for (let i = 0; i < ROUNDS; i++) {
  const t0 = performance.now();
  yamlText = irToYaml(GOLDENS[largest]!());
  compileTimes.push(performance.now() - t0);
}
// Peer: the KFP SDK's own last step, PyYAML dumping the same golden document (Debian python3-yaml).
const py = spawnSync('/usr/bin/python3', ['-c', `
import sys, time, yaml
doc = yaml.safe_load(open(sys.argv[1]))
for _ in range(5): yaml.safe_dump(doc, sort_keys=True)
ts = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter(); yaml.safe_dump(doc, sort_keys=True); ts.append((time.perf_counter() - t) * 1000)
ts.sort(); print(ts[len(ts)//2])
`, join(root, '../shared/conformance', largest), String(ROUNDS)], { encoding: 'utf8' });
const pyDump = py.status === 0 ? Number(py.stdout.trim()) : NaN;
rows.push(['compile if_elif_else_complex (DSL + compile + YAML)', ms(median(compileTimes)), 'PyYAML safe_dump of the golden (KFP SDK final step only)', ms(pyDump), (median(compileTimes) / pyDump).toFixed(2)]);

// 2. Cold start: spawn the no-op component with an ExecutorInput; "run entered" is its `started` log line.
// The image runs the compiled entrypoint; a checkout can also run the sources (Node type stripping).
if (spawnSync('npx', ['nx', 'run', '@formalize/hello:build', '--outputStyle=static'], { cwd: root, stdio: 'ignore' }).status !== 0) throw new Error('build failed');
const work = mkdtempSync(join(tmpdir(), 'formalize-bench-'));
const ENTRY = {
  image: ['--conditions=formalize-dist', join(root, 'packages/hello/dist/main.js')],
  source: [join(root, 'packages/hello/src/main.ts')],
};
const executorInput = JSON.stringify({ inputs: { parameterValues: {} }, outputs: { outputFile: join(work, 'executor_output.json') } });
async function coldStart(entry: string[], env: Record<string, string> = {}): Promise<{ toRun: number; total: number }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [...entry, '--component', 'noop', '--executor_input', executorInput], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  await new Promise((r) => child.on('close', r));
  const started = stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { message: string; time: string }).find((l) => l.message === 'started');
  if (!started) throw new Error(`noop component did not start: ${stderr}`);
  return { toRun: Date.parse(started.time) - t0, total: Date.now() - t0 };
}
async function bareNode(): Promise<number> {
  const t0 = Date.now();
  await new Promise((r) => spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }).on('close', r));
  return Date.now() - t0;
}
const cache = { NODE_COMPILE_CACHE: join(work, 'compile-cache') };
const variants = {
  'image entrypoint (dist JS)': () => coldStart(ENTRY.image),
  'image entrypoint + warm NODE_COMPILE_CACHE': () => coldStart(ENTRY.image, cache),
  'checkout entrypoint (src .ts, type stripping)': () => coldStart(ENTRY.source),
};
const cold = new Map<string, { toRun: number; total: number }[]>(Object.keys(variants).map((k) => [k, []]));
const bare: number[] = [];
for (const run of Object.values(variants)) await run(); // warm-up, fills the compile cache
for (let i = 0; i < ROUNDS; i++) {
  for (const [name, run] of Object.entries(variants)) cold.get(name)!.push(await run());
  bare.push(await bareNode());
}
rmSync(work, { recursive: true, force: true });
const bareMs = median(bare);
const imageToRun = median(cold.get('image entrypoint (dist JS)')!.map((c) => c.toRun));
for (const [name, xs] of cold) {
  const toRun = median(xs.map((c) => c.toRun));
  rows.push([`cold start, spawn -> run() entered: ${name}`, ms(toRun), 'bare `node -e 0` (spawn -> exit)', ms(bareMs), (toRun / bareMs).toFixed(2)]);
}
rows.push(['cold start, spawn -> exit incl. ExecutorOutput: image entrypoint', ms(median(cold.get('image entrypoint (dist JS)')!.map((c) => c.total))), 'bare `node -e 0` (spawn -> exit)', ms(bareMs), (median(cold.get('image entrypoint (dist JS)')!.map((c) => c.total)) / bareMs).toFixed(2)]);
const toRun = imageToRun;

console.log(`Node ${process.version}, ${ROUNDS} rounds, medians; compiled IR ${yamlText.length} bytes\n`);
console.log('| measurement | ours | peer | peer time | ratio |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(`\nGoals: compile < 50 ms (${median(compileTimes) < 50 ? 'met' : 'NOT met'}); cold start < 250 ms (${toRun < 250 ? 'met' : 'NOT met'}).`);
