// `formalize compile [spec.ts ...]`: TypeScript pipeline specs -> `<out>/<pipelineName>.yaml`. Without
// specs, every pipeline of the workspace (`pipelines/src/index.ts`) through its `compileAll`.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { irToYaml, writeFilesAtomic } from '@formalize/common';
import { EXIT, UsageError } from '../errors.ts';
import { colorsFor } from '../format.ts';
import { findWorkspaceRoot } from '../paths.ts';
import { compileSpec, loadPipelineModule } from '../spec.ts';

export interface CompileOptions {
  out?: string;
  check: boolean;
  json: boolean;
}

interface CompiledFile {
  path: string;
  status: 'up-to-date' | 'written' | 'stale' | 'missing' | 'orphan';
}

type CompileAll = (opts: { check?: boolean; dir?: string }) => Promise<{ files: CompiledFile[]; ok: boolean }>;

export async function compileCommand(specs: string[], o: CompileOptions): Promise<number> {
  const root = findWorkspaceRoot(process.cwd());
  const outDir = o.out ? resolve(o.out) : root ? join(root, 'pipelines', 'compiled') : undefined;
  if (!outDir) throw new UsageError(`not inside a workspace (no nx.json at or above ${process.cwd()}): pass --out <dir>`);
  const { files, ok } = specs.length ? await compileSpecs(specs, outDir, o.check) : await compileWorkspace(root, outDir, o.check);

  if (o.json) {
    process.stdout.write(`${JSON.stringify({ ok, files })}\n`);
  } else {
    const c = colorsFor(process.stdout);
    const style = (s: CompiledFile['status']) => (s === 'written' ? 'green' : s === 'up-to-date' ? 'gray' : 'red');
    for (const f of files) process.stdout.write(`${c.paint(style(f.status), f.status.padEnd(10))} ${relative(process.cwd(), f.path)}\n`);
  }
  if (!ok) {
    process.stderr.write(`compiled pipelines are out of date: run \`formalize compile${specs.length ? ` ${specs.join(' ')}` : ''}\` and commit them\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

async function compileWorkspace(root: string | undefined, dir: string, check: boolean) {
  const module = root && join(root, 'pipelines', 'src', 'compile-all.ts');
  if (!module || !existsSync(module)) throw new UsageError(`no workspace pipelines to compile (${module ?? 'no nx.json found'} is missing): name the spec files`);
  const { compileAll } = (await import(pathToFileURL(module).href)) as { compileAll: CompileAll };
  return compileAll({ check, dir });
}

/** Compiles every spec before writing anything, so one bad spec leaves all outputs untouched. */
async function compileSpecs(specs: string[], dir: string, check: boolean): Promise<{ files: CompiledFile[]; ok: boolean }> {
  const outputs = new Map<string, { text: string; spec: string }>();
  for (const spec of specs) {
    const p = await loadPipelineModule(spec);
    const path = join(dir, `${p.pipelineName}.yaml`);
    const previous = outputs.get(path);
    if (previous) throw new UsageError(`${spec}: pipeline name '${p.pipelineName}' is also used by ${previous.spec}`);
    outputs.set(path, { text: irToYaml(compileSpec(p, spec)), spec });
  }
  const files: CompiledFile[] = [];
  const writes: { path: string; content: string }[] = [];
  for (const [path, { text }] of outputs) {
    const current = await readFile(path, 'utf8').catch(() => undefined);
    if (current === text) files.push({ path, status: 'up-to-date' });
    else if (check) files.push({ path, status: current === undefined ? 'missing' : 'stale' });
    else {
      writes.push({ path, content: text });
      files.push({ path, status: 'written' });
    }
  }
  await writeFilesAtomic(writes);
  return { files, ok: files.every((f) => f.status === 'up-to-date' || f.status === 'written') };
}
