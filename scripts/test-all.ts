// The README's test command: typecheck, lint and test every project (Nx; the component images last), check that generated
// component.yaml/README tables and compiled pipelines are up to date, typecheck and lint the benchmarks, then print
// one summary line.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
// `images`: the component images' tests (its Nx test target builds and pushes every image first).
const projects = ['packages', 'pipelines', 'images'].flatMap((d) => (d === 'packages' ? readdirSync(join(root, d)).map((p) => join(d, p)) : [d]));
for (const p of projects) rmSync(join(root, p, '.test-results'), { recursive: true, force: true });

const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
const steps: [string, number][] = [
  ['nx typecheck/lint/test', run('npx', ['nx', 'run-many', '-t', 'typecheck', 'lint', 'test', '--exclude', 'images', '--outputStyle=static', '--skip-nx-cache'])],
  // The component images, after the other tests so that image builds do not compete with them for the 2 cores:
  // the images project's test target builds and pushes every image once (its dependencies), then tests them.
  ['component images', run('npx', ['nx', 'run-many', '-t', 'typecheck', 'lint', 'test', '--projects', 'images', '--outputStyle=static', '--skip-nx-cache'])],
  ['generated component files', run('node', ['scripts/generate.ts', '--check'])],
  ['compiled pipelines', run('node', ['scripts/compile-pipelines.ts', '--check'])],
  // Benchmarks are not run here (they are not tests), but they must still compile and lint.
  ['benchmarks typecheck/lint', run('npx', ['tsc', '-p', 'bench/tsconfig.json']) || run('npx', ['oxlint', '-c', '.oxlintrc.json', 'bench'])],
];

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { name: string; status: string; message: string; assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
}

let passed = 0;
let failed = 0;
for (const p of projects) {
  const report = join(root, p, '.test-results', 'vitest.json');
  if (!existsSync(report)) continue;
  const r = JSON.parse(readFileSync(report, 'utf8')) as VitestReport;
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  // Name every failed test again at the end: the summary is what survives a truncated CI log.
  for (const f of r.testResults)
    for (const a of f.assertionResults)
      if (a.status === 'failed') console.error(`FAILED test: ${p}: ${a.fullName}\n  ${(a.failureMessages[0] ?? '').split('\n')[0]}`);
  for (const f of r.testResults) if (f.status === 'failed' && f.assertionResults.length === 0) console.error(`FAILED file: ${f.name}: ${f.message}`);
}
for (const [name, status] of steps) if (status !== 0) { console.error(`FAILED: ${name}`); failed += 1; }
if (passed === 0) { console.error('no test ran'); failed += 1; }
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
