// Kernels the WASM backend of TF.js 4.22 lacks for *training* the base architecture. Its only gap on the way is
// `UnsortedSegmentSum`, which the gradient of GatherV2 (the embedding lookup) is made of; without it, backprop
// through a Keras Embedding fails on WASM. The implementation works on the WASM heap directly: one pass over
// the rows, O(rows x width), where the CPU backend's (the reference the tests compare with) loops over every
// segment with a mask, O(segments x rows x width).
import type { DataType, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { Tf } from './tf.ts';

/** The parts of tfjs-backend-wasm's BackendWasm a kernel uses. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * TensorFlow's UnsortedSegmentSum: `out[segmentIds[i], ...] += x[i, ...]`, where `segmentIds`' shape is a prefix
 * of `x`'s; ids outside [0, numSegments) are dropped (TensorFlow drops negative ids; the CPU backend of TF.js
 * drops every out-of-range id).
 */
const unsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs['x']!;
  const segmentIds = inputs['segmentIds']!;
  const numSegments = attrs?.['numSegments'] as number;
  const wasm = backend as WasmBackend;
  const rank = segmentIds.shape.length;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum (wasm): x: expected float32 or int32, received ${x.dtype}`);
  if (segmentIds.shape.some((d, i) => d !== x.shape[i])) {
    throw new Error(`UnsortedSegmentSum (wasm): segmentIds shape [${segmentIds.shape}] is not a prefix of x shape [${x.shape}]`);
  }
  const rowShape = x.shape.slice(rank);
  const width = size(rowShape);
  const out = wasm.makeOutput([numSegments, ...rowShape], x.dtype);
  if (numSegments * width === 0) return out;
  // Views are taken after the allocation: growing the heap detaches views made before it.
  const o = wasm.typedArrayFromHeap(out);
  o.fill(0);
  const rows = size(segmentIds.shape);
  if (rows * width === 0) return out;
  const xs = wasm.typedArrayFromHeap(x);
  const ids = wasm.typedArrayFromHeap(segmentIds);
  for (let i = 0; i < rows; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    const from = i * width;
    const to = s * width;
    for (let j = 0; j < width; j++) o[to + j]! += xs[from + j]!;
  }
  return out;
};

export const WASM_TRAINING_KERNELS = ['UnsortedSegmentSum'] as const;

/** Registers the missing training kernels for the `wasm` backend (idempotent; kernels TF.js ships are kept). */
export function registerWasmTrainingKernels(tf: Tf): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum });
}
