// Backend selection: tfjs-node-gpu, tfjs-node, WASM, CPU in that order; a missing or broken optional package is
// skipped with its reason (fakes stand in for the node packages, which cannot be installed here).
import * as realTf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BACKENDS, loadTf, TF_BACKEND_ENV, type BackendName } from '../src/model/index.ts';

const notFound = (s: string) => Object.assign(new Error(`Cannot find package '${s}'`), { code: 'ERR_MODULE_NOT_FOUND' });

/** A fake @tensorflow/tfjs-node: the real API plus a `tensorflow` backend (a CPU backend under that name). */
function fakeNodePackage(): typeof realTf {
  if (!realTf.findBackendFactory('tensorflow')) realTf.registerBackend('tensorflow', () => realTf.findBackendFactory('cpu')!() as never, 1);
  return realTf;
}

function importer(fakes: Partial<Record<string, () => unknown>>) {
  const seen: string[] = [];
  const load = async (s: string) => {
    seen.push(s);
    const fake = fakes[s];
    if (fake) return fake();
    if (s.startsWith('@tensorflow/tfjs-node')) throw notFound(s);
    return import(s);
  };
  return { load, seen };
}

describe('loadTf', () => {
  it('tries the node packages first and takes WASM when they are not installed, saying why', async () => {
    const logs: [string, Record<string, unknown> | undefined][] = [];
    const { tf, backend, threads } = await loadTf({ log: (m, f) => logs.push([m, f]), env: {} });
    expect(backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(threads).toBe(1);
    expect(logs).toEqual([['TensorFlow.js backend', {
      backend: 'wasm', threads: 1,
      skipped: ['tfjs-node-gpu: @tensorflow/tfjs-node-gpu is not installed', 'tfjs-node: @tensorflow/tfjs-node is not installed'],
    }]]);
    // The WASM backend can train the architecture: the missing kernel is registered.
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
  });

  it('uses tfjs-node when it loads, before WASM and CPU', async () => {
    const { load, seen } = importer({ '@tensorflow/tfjs-node': fakeNodePackage });
    const { tf, backend } = await loadTf({ importModule: load, env: {} });
    expect(backend).toBe('tfjs-node');
    expect(tf.getBackend()).toBe('tensorflow');
    expect(seen).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
  });

  it('prefers tfjs-node-gpu over tfjs-node', async () => {
    const { load } = importer({ '@tensorflow/tfjs-node-gpu': fakeNodePackage, '@tensorflow/tfjs-node': () => { throw new Error('not this one'); } });
    expect((await loadTf({ importModule: load, env: {} })).backend).toBe('tfjs-node-gpu');
  });

  it('falls back past a node package that is installed but broken (no TensorFlow library)', async () => {
    const logs: Record<string, unknown>[] = [];
    const { load } = importer({
      '@tensorflow/tfjs-node-gpu': () => { throw new Error('libcudart.so.11.0: cannot open shared object file\n  at dlopen'); },
      '@tensorflow/tfjs-node': () => { throw new Error('libtensorflow.so.2: cannot open shared object file'); },
    });
    const { backend } = await loadTf({ importModule: load, env: {}, log: (_m, f) => logs.push(f!) });
    expect(backend).toBe('wasm');
    expect(logs[0]!['skipped']).toEqual(['tfjs-node-gpu: libcudart.so.11.0: cannot open shared object file', 'tfjs-node: libtensorflow.so.2: cannot open shared object file']);
  });

  it('falls back to CPU when WASM cannot initialise, and fails naming every reason when nothing loads', async () => {
    const { load } = importer({ '@tensorflow/tfjs-backend-wasm': () => { throw new Error('no WebAssembly here'); } });
    const { tf, backend } = await loadTf({ importModule: load, env: {} });
    expect(backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const none = importer({ '@tensorflow/tfjs': () => { throw notFound('@tensorflow/tfjs'); } });
    await expect(loadTf({ importModule: none.load, env: {} })).rejects.toThrow(
      'no TensorFlow.js backend could be loaded (tfjs-node-gpu: @tensorflow/tfjs-node-gpu is not installed; tfjs-node: @tensorflow/tfjs-node is not installed; '
      + 'wasm: @tensorflow/tfjs-backend-wasm is not installed; cpu: @tensorflow/tfjs is not installed)',
    );
  });

  it('takes the order from `prefer` or FORMALIZE_TF_BACKEND, and refuses an unknown name', async () => {
    expect((await loadTf({ prefer: ['cpu', 'wasm'] })).backend).toBe('cpu');
    expect((await loadTf({ env: { [TF_BACKEND_ENV]: 'wasm, cpu' } })).backend).toBe('wasm');
    expect((await loadTf({ env: { [TF_BACKEND_ENV]: 'cpu' } })).backend).toBe('cpu');
    await expect(loadTf({ env: { [TF_BACKEND_ENV]: 'gpu' } })).rejects.toThrow(`${TF_BACKEND_ENV}: expected a comma list of ${BACKENDS.join(', ')}, received "gpu"`);
    const order: BackendName[] = ['wasm'];
    expect((await loadTf({ prefer: order, env: { [TF_BACKEND_ENV]: 'cpu' } })).backend).toBe('wasm');
  });
});
