// Loads TensorFlow.js with the fastest backend this machine has: tfjs-node-gpu (TensorFlow's C library with
// CUDA), tfjs-node (the C library, multi-threaded), then WASM (XNNPACK; works everywhere Node runs), then the
// plain-JavaScript CPU backend. The node packages download the C library at install, so images install them
// only when asked; a missing or broken one is skipped with a logged reason. FORMALIZE_TF_BACKEND (a comma list,
// e.g. `cpu` or `wasm,cpu`) overrides the order.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { describeValue } from '../executor/errors.ts';
import { registerModelLayers } from './category-encoding.ts';
import type { Tf } from './tf.ts';
import { registerWasmTrainingKernels } from './wasm-kernels.ts';

export const BACKENDS = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export const TF_BACKEND_ENV = 'FORMALIZE_TF_BACKEND';

export interface LoadTfOptions {
  /** Backends to try, in order (default: FORMALIZE_TF_BACKEND, else BACKENDS). */
  prefer?: readonly BackendName[];
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Loads a module by name (default: `import()`); tests pass fakes of the optional node packages. */
  importModule?: (specifier: string) => Promise<unknown>;
  env?: Record<string, string | undefined>;
}

export interface LoadedTf {
  tf: Tf;
  backend: BackendName;
  /** WASM: XNNPACK threads (1 in Node, see tryBackend). */
  threads?: number;
}

export class BackendError extends Error {
  override name = 'BackendError';
}

// The backend name TF.js registers for each choice.
const ENGINE_NAME: Record<BackendName, string> = { 'tfjs-node-gpu': 'tensorflow', 'tfjs-node': 'tensorflow', wasm: 'wasm', cpu: 'cpu' };
const PACKAGE: Record<BackendName, string> = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu', 'tfjs-node': '@tensorflow/tfjs-node', wasm: '@tensorflow/tfjs-backend-wasm', cpu: '@tensorflow/tfjs',
};

function preferred(opts: LoadTfOptions): readonly BackendName[] {
  if (opts.prefer) return opts.prefer;
  const raw = (opts.env ?? process.env)[TF_BACKEND_ENV];
  if (!raw) return BACKENDS;
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.filter((n) => !(BACKENDS as readonly string[]).includes(n));
  if (bad.length || names.length === 0) throw new BackendError(`${TF_BACKEND_ENV}: expected a comma list of ${BACKENDS.join(', ')}, received ${describeValue(raw)}`);
  return names as BackendName[];
}

const notInstalled = (err: unknown) => ['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND'].includes((err as NodeJS.ErrnoException).code ?? '');
const reason = (err: unknown) => String((err as Error).message ?? err).split('\n')[0];

const require = createRequire(import.meta.url);

/** import(), after resolving the package the CommonJS way: a missing package fails alike in Node and under Vite. */
async function importInstalled(specifier: string): Promise<unknown> {
  require.resolve(specifier);
  return import(specifier);
}

// setWasmPaths may be called once, before the WASM backend first initialises.
let wasmPathsSet = false;

type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm');

async function tryBackend(name: BackendName, load: (s: string) => Promise<unknown>): Promise<LoadedTf> {
  // Importing a node package registers its `tensorflow` backend; that module is the whole TF.js API.
  const tf = (await load(name === 'tfjs-node-gpu' || name === 'tfjs-node' ? PACKAGE[name] : '@tensorflow/tfjs')) as Tf;
  const wasm = name === 'wasm' ? ((await load(PACKAGE.wasm)) as WasmModule) : undefined;
  if (wasm) {
    if (!wasmPathsSet) {
      // The .wasm binaries sit next to the package's main file (dist/).
      wasm.setWasmPaths(`${dirname(require.resolve(PACKAGE.wasm))}/`);
      wasmPathsSet = true;
    }
    // False in Node (TF.js's threaded build starts blob-URL workers, which Node refuses: tfjs#3830).
    if (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) wasm.setThreadsCount(availableParallelism());
    registerWasmTrainingKernels(tf);
  }
  registerModelLayers(tf);
  if (!(await tf.setBackend(ENGINE_NAME[name])) || tf.getBackend() !== ENGINE_NAME[name]) throw new BackendError(`backend ${ENGINE_NAME[name]} did not initialise`);
  return { tf, backend: name, ...(wasm && { threads: wasm.getThreadsCount() }) };
}

/** TF.js on the first backend of the preference order that loads and initialises here. */
export async function loadTf(opts: LoadTfOptions = {}): Promise<LoadedTf> {
  const order = preferred(opts);
  const load = opts.importModule ?? importInstalled;
  const skipped: string[] = [];
  for (const name of order) {
    try {
      const loaded = await tryBackend(name, load);
      opts.log?.('TensorFlow.js backend', { backend: name, ...(loaded.threads !== undefined && { threads: loaded.threads }), ...(skipped.length && { skipped }) });
      return loaded;
    } catch (err) {
      skipped.push(`${name}: ${notInstalled(err) ? `${PACKAGE[name]} is not installed` : reason(err)}`);
    }
  }
  throw new BackendError(`no TensorFlow.js backend could be loaded (${skipped.join('; ')})`);
}
