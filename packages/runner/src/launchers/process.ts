// The default launcher: runs a @formalize component's entrypoint as a child process of this machine.
// The image's `/app/packages/<pkg>/dist/main.js` maps to the checkout; when that build is missing or
// older than the sources, the sources run instead (Node strips the types) so a run never uses stale code.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Launcher, LaunchResult, LaunchSpec } from '../types.ts';
import { discoverWorkspaceComponents, imageKey, newestMtime, type WorkspaceComponent } from '../workspace.ts';
import { spawnLogged } from './spawn.ts';
import { WorkerPool } from './workers.ts';

const IMAGE_ROOT = '/app/';

export interface ProcessLauncherOptions {
  workspaceRoot: string;
  env?: NodeJS.ProcessEnv;
  /** Serve tasks from warm entrypoint workers (default true); false starts one process per task. */
  reuseWorkers?: boolean;
}

export function createProcessLauncher(opts: ProcessLauncherOptions): Launcher {
  let components: Map<string, WorkspaceComponent> | undefined;
  const pool = opts.reuseWorkers === false ? undefined : new WorkerPool(opts.env ?? process.env);
  // Whether a package's dist is at least as new as its sources: decided once per launcher, not per task.
  const freshness = new Map<string, boolean>();
  const isFresh = (component: WorkspaceComponent, dist: string) => {
    let fresh = freshness.get(dist);
    if (fresh === undefined) freshness.set(dist, fresh = distIsFresh(component, dist));
    return fresh;
  };
  const lookup = (image: string) => {
    components ??= discoverWorkspaceComponents(opts.workspaceRoot);
    const key = imageKey(image);
    return key ? components.get(key) : undefined;
  };
  return {
    name: 'process',
    async canRun(image) {
      return lookup(image) !== undefined;
    },
    async launch(spec: LaunchSpec, signal: AbortSignal): Promise<LaunchResult> {
      const component = lookup(spec.image);
      if (!component) throw new Error(`task '${spec.taskId}': image ${spec.image} is not a component of this workspace`);
      const argv = localArgv(spec.argv, opts.workspaceRoot, component, isFresh);
      // Node from this process, not whatever `node` is first on PATH (the system one may be too old).
      if (argv[0] === 'node') argv[0] = process.execPath;
      const entryEnd = argv.indexOf('--component');
      if (pool && entryEnd > 0) return pool.run(argv.slice(0, entryEnd), { argv, env: spec.env, cwd: spec.cwd, logFile: spec.logFile }, signal);
      return spawnLogged(argv, { cwd: spec.cwd, env: { ...(opts.env ?? process.env), ...spec.env }, logFile: spec.logFile }, signal);
    },
    async dispose() {
      await pool?.dispose();
    },
  };
}

/** Maps the image paths of argv to the checkout, preferring a fresh `dist/` build over the sources. */
export function distIsFresh(component: WorkspaceComponent, dist: string): boolean {
  return existsSync(dist) && statSync(dist).mtimeMs >= newestMtime(join(component.packageDir, 'src'));
}

export function localArgv(
  argv: readonly string[],
  root: string,
  component: WorkspaceComponent,
  isFresh: (component: WorkspaceComponent, dist: string) => boolean = distIsFresh,
): string[] {
  const mapped = argv.map((a) => (a.startsWith(IMAGE_ROOT) ? join(root, a.slice(IMAGE_ROOT.length)) : a));
  const distIndex = mapped.findIndex((a) => a.startsWith(join(component.packageDir, 'dist') + '/') && a.endsWith('.js'));
  if (distIndex < 0) return mapped;
  const dist = mapped[distIndex]!;
  if (isFresh(component, dist)) return mapped;
  const source = join(component.packageDir, 'src', dist.slice(join(component.packageDir, 'dist').length + 1).replace(/\.js$/, '.ts'));
  return mapped.filter((a) => a !== '--conditions=formalize-dist').map((a) => (a === dist ? source : a));
}
