// TensorBoard event files: the exact bytes of a tiny file against a sequence built by hand from the proto field
// numbers (with CRCs from an independent bitwise CRC-32C, checked against RFC 3720), the file name, the
// file-version-first layout, scalars read back in both the TF2 tensor form and the legacy simple_value form.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import { beforeEach, describe, expect, it } from 'vitest';
import { createEventWriter, DataClass, DataType, EventSchema, listEventFiles, readEvents, scalarPoints, SCALARS_PLUGIN } from '../src/tfevents/index.ts';
import { encodeTfRecords } from '../src/tfrecord/index.ts';

const T0 = 1_700_000_000_500; // ms: wall time 1700000000.5 s

function bitwiseCrc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of data) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
const masked = (d: Uint8Array) => {
  const c = bitwiseCrc32c(d);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
};

// Protobuf wire format by hand: tag = field number << 3 | wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32).
const ascii = (s: string) => [...new TextEncoder().encode(s)];
const f64 = (v: number) => { const b = new Uint8Array(8); new DataView(b.buffer).setFloat64(0, v, true); return [...b]; };
const f32 = (v: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setFloat32(0, v, true); return [...b]; };
const u32 = (v: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v, true); return [...b]; };
const u64 = (v: number) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(v), true); return [...b]; };
const field = (n: number, wire: number) => (n << 3) | wire;
const delimited = (n: number, body: number[]) => { expect(body.length).toBeLessThan(128); return [field(n, 2), body.length, ...body]; };
const record = (data: number[]) => {
  const length = Uint8Array.from(u64(data.length));
  return [...length, ...u32(masked(length)), ...data, ...u32(masked(Uint8Array.from(data)))];
};

const fileVersionEvent = [field(1, 1), ...f64(1_700_000_000.5), ...delimited(3, ascii('brain.Event:2'))];
const lossEvent = [
  field(1, 1), ...f64(1_700_000_000.5), // Event.wall_time
  field(2, 0), 3, // Event.step
  ...delimited(5, // Event.summary
    delimited(1, [ // Summary.value
      ...delimited(1, ascii('loss')), // Value.tag
      ...delimited(8, [ // Value.tensor
        field(1, 0), 1, // TensorProto.dtype = DT_FLOAT
        ...delimited(2, []), // TensorProto.tensor_shape = {} (rank 0)
        ...delimited(5, f32(0.25)), // TensorProto.float_val, packed
      ]),
      ...delimited(9, [ // Value.metadata
        ...delimited(1, delimited(1, ascii('scalars'))), // plugin_data.plugin_name
        field(4, 0), 1, // data_class = DATA_CLASS_SCALAR
      ]),
    ])),
];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tfevents-'));
});

describe('event writer', () => {
  it('writes exactly the hand-built bytes: file version first, then a TF2 scalar', async () => {
    const w = await createEventWriter(join(dir, 'logs'), { now: () => T0, hostname: 'trainer-0' });
    expect(w.path).toBe(join(dir, 'logs', 'events.out.tfevents.1700000000.trainer-0'));
    w.scalar('loss', 0.25, 3);
    await w.close();
    expect(new Uint8Array(await readFile(w.path))).toEqual(Uint8Array.from([...record(fileVersionEvent), ...record(lossEvent)]));
  });

  it('holds the file-version event before any point is flushed, and appends whole records on flush', async () => {
    const w = await createEventWriter(dir, { now: () => T0, hostname: 'h' });
    expect(new Uint8Array(await readFile(w.path))).toEqual(Uint8Array.from(record(fileVersionEvent)));
    w.scalar('loss', 0.25, 3);
    expect((await readFile(w.path)).length).toBe(record(fileVersionEvent).length);
    await w.flush();
    expect(new Uint8Array(await readFile(w.path))).toEqual(Uint8Array.from([...record(fileVersionEvent), ...record(lossEvent)]));
    await w.close();
  });

  it('reads back per-epoch scalars with their steps, tags and metadata', async () => {
    let clock = T0;
    const w = await createEventWriter(dir, { now: () => (clock += 1000), suffix: '.v2' });
    expect(w.path).toMatch(/events\.out\.tfevents\.\d{10}\.[A-Za-z0-9._-]+\.v2$/);
    for (let epoch = 0; epoch < 3; epoch++) {
      w.scalar('epoch_loss', 1 / (epoch + 1), epoch);
      w.scalar('epoch_learning_rate', 0.001 * (epoch + 1), epoch);
      await w.flush();
    }
    await w.close();
    const events = await readEvents(w.path);
    expect(events[0]!.what).toEqual({ case: 'fileVersion', value: 'brain.Event:2' });
    expect(events).toHaveLength(7);
    for (const e of events.slice(1)) {
      expect(e.what.case).toBe('summary');
      const v = e.what.case === 'summary' ? e.what.value.value[0]! : undefined;
      expect(v?.metadata?.pluginData?.pluginName).toBe(SCALARS_PLUGIN);
      expect(v?.metadata?.dataClass).toBe(DataClass.SCALAR);
      expect(v?.value.case === 'tensor' && v.value.value.dtype).toBe(DataType.DT_FLOAT);
    }
    const points = scalarPoints(events);
    expect(points.filter((p) => p.tag === 'epoch_loss').map((p) => [p.step, p.value])).toEqual([[0, 1], [1, Math.fround(0.5)], [2, Math.fround(1 / 3)]]);
    expect(points.filter((p) => p.tag === 'epoch_learning_rate').map((p) => p.value)).toEqual([0.001, 0.002, 0.003].map(Math.fround));
    const times = points.map((p) => p.wallTime);
    expect(times).toEqual(times.toSorted((a, b) => a - b));
    expect(new Set(times).size).toBe(times.length);
  });

  it('keeps NaN and infinite values, as TensorBoard shows a diverging loss', async () => {
    const w = await createEventWriter(dir, { now: () => T0 });
    w.scalar('loss', Number.NaN, 0);
    w.scalar('loss', Number.POSITIVE_INFINITY, 1);
    await w.close();
    expect(scalarPoints(await readEvents(w.path)).map((p) => p.value)).toEqual([Number.NaN, Number.POSITIVE_INFINITY]);
  });

  it('never overwrites: a second writer in the same second gets the pid, a third a counter', async () => {
    const opts = { now: () => T0, hostname: 'h' };
    const writers = [await createEventWriter(dir, opts), await createEventWriter(dir, opts), await createEventWriter(dir, opts)];
    expect(writers.map((w) => w.path.slice(dir.length + 1))).toEqual([
      'events.out.tfevents.1700000000.h', `events.out.tfevents.1700000000.h.${process.pid}`, `events.out.tfevents.1700000000.h.${process.pid}.1`,
    ]);
    await Promise.all(writers.map((w) => w.close()));
    expect(await listEventFiles(dir)).toEqual(writers.map((w) => w.path).sort());
  });

  it('refuses bad points and use after close, naming the field and the value', async () => {
    const w = await createEventWriter(dir, { now: () => T0 });
    expect(() => w.scalar('', 1, 0)).toThrow('tag: expected a non-empty string, received ""');
    expect(() => w.scalar('loss', 1, -1)).toThrow('loss: step: expected a non-negative integer, received -1');
    expect(() => w.scalar('loss', 1, 1.5)).toThrow('loss: step: expected a non-negative integer, received 1.5');
    expect(() => w.scalar('loss', '1' as unknown as number, 0)).toThrow('loss: value: expected a number, received "1"');
    await w.close();
    expect(() => w.scalar('loss', 1, 0)).toThrow(/after close\(\)/);
    await expect(createEventWriter(dir, { suffix: '/x' })).rejects.toThrow('suffix: expected letters, digits, ".", "_" or "-", received "/x"');
  });
});

describe('scalar reader', () => {
  it('reads legacy simple_value points too (what data_compat migrates), and ignores other plugins\' tensors', async () => {
    const events = [
      create(EventSchema, { wallTime: 1, what: { case: 'fileVersion', value: 'brain.Event:2' } }),
      create(EventSchema, { wallTime: 2, step: 5n, what: { case: 'summary', value: { value: [{ tag: 'acc', value: { case: 'simpleValue', value: 0.75 } }] } } }),
      create(EventSchema, { wallTime: 3, step: 5n, what: { case: 'summary', value: { value: [{ tag: 'hist', metadata: { pluginData: { pluginName: 'histograms' } }, value: { case: 'tensor', value: { dtype: DataType.DT_FLOAT, floatVal: [1] } } }] } } }),
      create(EventSchema, { wallTime: 4, step: 6n, what: { case: 'summary', value: { value: [{ tag: 'auc', metadata: { pluginData: { pluginName: 'scalars' } }, value: { case: 'tensor', value: { dtype: DataType.DT_FLOAT, tensorContent: Uint8Array.from(f32(0.5)) } } }] } } }),
      // Later values of a tag may omit the metadata: the plugin is the one its first value named.
      create(EventSchema, { wallTime: 5, step: 7n, what: { case: 'summary', value: { value: [{ tag: 'auc', value: { case: 'tensor', value: { dtype: DataType.DT_DOUBLE, doubleVal: [0.625] } } }] } } }),
    ];
    const file = join(dir, 'events.out.tfevents.1.h');
    await writeFile(file, encodeTfRecords(events.map((e) => toBinary(EventSchema, e))));
    expect(scalarPoints(await readEvents(file))).toEqual([
      { tag: 'acc', step: 5, value: 0.75, wallTime: 2 },
      { tag: 'auc', step: 6, value: 0.5, wallTime: 4 },
      { tag: 'auc', step: 7, value: 0.625, wallTime: 5 },
    ]);
  });

  it('refuses a file whose records are not events', async () => {
    const file = join(dir, 'events.out.tfevents.1.h');
    await writeFile(file, encodeTfRecords([Uint8Array.from([0xff, 0xff, 0xff])]));
    await expect(readEvents(file)).rejects.toThrow(/record 0 is not a tensorflow.Event/);
  });
});
