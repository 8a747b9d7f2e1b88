// The feeder on real Parquet shards (DuckDB): every row once per unweighted epoch, replay from the seed,
// feedback applied at the next batch, stratified weights honoured (chi-square bounds), read-ahead depth, and
// mirrors: a corrupt copy, a file removed mid-epoch and a copy failing mid-stream are survived without losing
// or repeating a row; a slow copy gets less work; when every copy fails the error names them all.
import { rm, writeFile } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import type { FeederLog } from '../src/feeder/index.ts';
import { FeederError, createFeeder, duckdbShardSource, stratumOf } from '../src/feeder/index.ts';
import { SPEC, collect, ids, instrumented, mirror, writeShards } from './feeder-fixtures.ts';

const SHARDS = 3;
const ROWS = 3000; // two DuckDB chunks per shard
const TOTAL = SHARDS * ROWS;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

/** Pearson's chi-square statistic of observed counts against expected shares. */
function chiSquare(observed: number[], shares: number[]): number {
  const n = observed.reduce((a, b) => a + b, 0);
  return observed.reduce((acc, o, i) => acc + (o - n * shares[i]!) ** 2 / (n * shares[i]!), 0);
}

describe('feeder: unweighted epochs', () => {
  it('serves every row exactly once per epoch, in full batches but the last, shuffled, replayable from the seed', async () => {
    const { files } = await writeShards(SHARDS, ROWS);
    const feeder = createFeeder({ sources: [{ shards: files }], spec: SPEC, batchSize: 64, seed: 7, shuffleBuffer: 1000 });
    try {
      expect(await feeder.rowsPerPass()).toBe(TOTAL);
      const first = await collect(feeder);
      const second = await collect(feeder);
      for (const epoch of [first, second]) {
        expect(sorted(ids(epoch))).toEqual(range(TOTAL));
        expect(epoch.slice(0, -1).every((b) => b.size === 64)).toBe(true);
        expect(epoch.at(-1)!.size).toBe(TOTAL - 64 * Math.floor(TOTAL / 64));
        // labels and strata travel with their rows
        for (const b of epoch) b.labels.forEach((y, j) => expect([y, b.strata[j]]).toEqual([b.features['id']![j]! % 3 === 0 ? 1 : 0, y]));
      }
      expect(first[0]!.epoch).toBe(1);
      expect(second[0]!.epoch).toBe(2);
      expect(second[0]!.step).toBe(first.length);
      // Shuffled: not in file order, and each epoch differently.
      expect(ids(first)).not.toEqual(range(TOTAL));
      expect(ids(second)).not.toEqual(ids(first));
      const again = createFeeder({ sources: [{ shards: files }], spec: SPEC, batchSize: 64, seed: 7, shuffleBuffer: 1000 });
      expect(ids(await collect(again))).toEqual(ids(first));
      await again.close();
      const other = createFeeder({ sources: [{ shards: files }], spec: SPEC, batchSize: 64, seed: 8, shuffleBuffer: 1000 });
      expect(ids(await collect(other))).not.toEqual(ids(first));
      await other.close();
      expect(feeder.stats()).toMatchObject({ epochs: 2, rows: 2 * TOTAL, batches: first.length + second.length, failures: [] });
    } finally {
      await feeder.close();
    }
  });

  it('drops the short last batch with dropRemainder (the seed\'s drop_final_batch)', async () => {
    const { files } = await writeShards(1, 100);
    const feeder = createFeeder({ sources: [{ shards: files }], spec: SPEC, batchSize: 30, dropRemainder: true });
    const batches = await collect(feeder);
    expect(batches.map((b) => b.size)).toEqual([30, 30, 30]);
    expect(feeder.stats().dropped).toBe(10);
    await feeder.close();
  });

  it('applies a batch size change at the next batch, mid-epoch, and still serves every row once', async () => {
    const { files } = await writeShards(SHARDS, ROWS);
    const feeder = createFeeder({ sources: [{ shards: files }], spec: SPEC, batchSize: 32, prefetch: 8 });
    const sizes: number[] = [];
    const batches = await collect(feeder, {}, (b, i) => {
      sizes.push(b.size);
      if (i === 2) feeder.feedback({ batchSize: 100 });
      if (i === 5) feeder.feedback({ batchSize: 7, prefetch: 0 });
    });
    expect(sizes.slice(0, 8)).toEqual([32, 32, 32, 100, 100, 100, 7, 7]);
    expect(sorted(ids(batches))).toEqual(range(TOTAL));
    expect(feeder.stats()).toMatchObject({ batchSize: 7, prefetch: 0 });
    await feeder.close();
  });

  it('fixed steps per epoch cycle over passes (warmup) and keep the batch size', async () => {
    const { files } = await writeShards(1, 100);
    const feeder = createFeeder({ sources: [{ shards: files }], spec: SPEC, batchSize: 16, shuffleBuffer: 0 });
    const a = await collect(feeder, { steps: 10 });
    expect(a.length).toBe(10);
    expect(a.filter((b) => b.size !== 16).map((b) => b.size)).toEqual([4]); // the pass end, at row 100
    expect(feeder.stats().passes).toBeGreaterThanOrEqual(2);
    await feeder.close();
  });

  it('reads ahead `prefetch` batches of decoded rows, and none with prefetch 0', async () => {
    const { files } = await writeShards(SHARDS, ROWS);
    const ahead = createFeeder({ sources: [{ shards: files }], spec: SPEC, batchSize: 100, prefetch: 20, shuffleBuffer: 0 });
    const it = ahead.epoch();
    await it.next();
    await vi.waitFor(() => expect(ahead.stats().staged).toBeGreaterThanOrEqual(2000));
    await it.return();
    await ahead.close();
    const none = createFeeder({ sources: [{ shards: files }], spec: SPEC, batchSize: 100, prefetch: 0, shuffleBuffer: 0, interleaveRows: 100 });
    const it2 = none.epoch();
    await it2.next();
    await it2.next();
    expect(none.stats().staged).toBeLessThan(100);
    await it2.return();
    await none.close();
  });
});

describe('feeder: subpopulation weights', () => {
  it('draws label strata by the weights (chi-square, 1 df, p = 0.001), and back to every-row-once on null', async () => {
    const { files } = await writeShards(SHARDS, ROWS);
    const feeder = createFeeder({ sources: [{ shards: files }], spec: SPEC, batchSize: 50, weights: { 0: 1, 1: 1 }, seed: 3, shuffleBuffer: 500 });
    const weighted = await collect(feeder);
    const ones = weighted.reduce((a, b) => a + b.labels.reduce((x, y) => x + y, 0), 0);
    const n = weighted.reduce((a, b) => a + b.size, 0);
    expect(n).toBe(TOTAL); // a weighted epoch is as long as a pass
    expect(chiSquare([n - ones, ones], [0.5, 0.5])).toBeLessThan(10.83);
    // Unweighted, the share of ones is the data's 1/3: far outside the weighted bound.
    expect(chiSquare([n - ones, ones], [2 / 3, 1 / 3])).toBeGreaterThan(100);
    feeder.feedback({ weights: { 0: 1, 1: 3 } });
    const skewed = await collect(feeder);
    const ones3 = skewed.reduce((a, b) => a + b.labels.reduce((x, y) => x + y, 0), 0);
    expect(chiSquare([TOTAL - ones3, ones3], [0.25, 0.75])).toBeLessThan(10.83);
    expect(feeder.strata()).toEqual({ 0: 6000, 1: 3000 });
    feeder.feedback({ weights: null });
    await collect(feeder); // drains the pools the weighted epochs left
    expect(sorted(ids(await collect(feeder)))).toEqual(range(TOTAL));
    await feeder.close();
  });

  it('draws a slice column\'s values by the weights; a value without weight is never drawn', async () => {
    const { files } = await writeShards(SHARDS, ROWS);
    const feeder = createFeeder({ sources: [{ shards: files }], spec: SPEC, batchSize: 64, sliceColumn: 'c', weights: { 0: 4, 3: 1 }, seed: 11 });
    const batches = await collect(feeder, { steps: 40 });
    const counts = [0, 0, 0, 0, 0];
    for (const b of batches) b.features['c']!.forEach((v, j) => {
      counts[v]!++;
      expect(b.strata[j]).toBe(v);
    });
    expect(counts[1]! + counts[2]! + counts[4]!).toBe(0);
    expect(chiSquare([counts[0]!, counts[3]!], [0.8, 0.2])).toBeLessThan(10.83);
    await feeder.close();
  });

  it('fails clearly for a weighted value the data does not hold, and for bad options', async () => {
    const { files } = await writeShards(1, 200);
    const feeder = createFeeder({ sources: [{ shards: files }], spec: SPEC, batchSize: 8, sliceColumn: 'c', weights: { 9: 1 } });
    await expect(collect(feeder)).rejects.toThrow(/weights: no row has c = 9 \(a whole pass was read\); weigh only values the data holds: 0, 1, 2, 3, 4/);
    await feeder.close();
    expect(() => createFeeder({ sources: [{ shards: files }, { shards: [...files, files[0]!] }], spec: SPEC, batchSize: 8 }))
      .toThrow(/feeder\.sources\[1\]\.shards: expected 1 shards \(as sources\[0\]\)/);
    expect(() => createFeeder({ sources: [{ shards: files }], spec: SPEC, batchSize: 0 })).toThrow(/feeder\.batchSize: too small/i);
    expect(() => createFeeder({ sources: [{ shards: files }], spec: SPEC, batchSize: 8, weights: { cash: 1 } })).toThrow(/feeder\.weights\.cash: expected an integer value/);
    expect(() => createFeeder({ sources: [{ shards: files }], spec: SPEC, batchSize: 8, weights: { 0: 0 } })).toThrow(/feeder\.weights: expected at least one positive weight/);
    expect(() => createFeeder({ sources: [{ shards: files }], spec: SPEC, batchSize: 8, sliceColumn: 'id' })).toThrow(/sliceColumn: expected a vocabulary \(int32\) feature, received the float32 feature "id"/);
    const ok = createFeeder({ sources: [{ shards: files }], spec: SPEC, batchSize: 8 });
    expect(() => ok.feedback({ batchSize: -1 })).toThrow(/feedback\.batchSize: too small/i);
    await ok.close();
  });
});

describe('feeder: mirrors and shards', () => {
  const warnings = () => {
    const lines: Record<string, unknown>[] = [];
    const log: FeederLog = { warn: (_m, f) => lines.push(f ?? {}) };
    return { lines, log };
  };

  it('survives a corrupt copy: reads move to the mirror, every row once, the failure is reported', async () => {
    const { files } = await writeShards(SHARDS, ROWS);
    const bad = await mirror(files, 'bad');
    await writeFile(bad[1]!, 'not a parquet file at all');
    const { lines, log } = warnings();
    // The corrupt copy is listed first so it is tried first.
    const feeder = createFeeder({ sources: [{ shards: bad, mirror: 'bad' }, { shards: files, mirror: 'good' }], spec: SPEC, batchSize: 64, log, cooldownMs: 0 });
    expect(sorted(ids(await collect(feeder)))).toEqual(range(TOTAL));
    const stats = feeder.stats();
    expect(stats.failures.length).toBeGreaterThanOrEqual(1);
    expect(stats.failures[0]).toMatchObject({ source: 'bad', file: bad[1], retriedOn: 'good', shard: 1 });
    expect(lines[0]).toMatchObject({ source: 'bad', retriedOn: 'good' });
    expect(stats.sources.find((s) => s.name === 'bad')!.failures).toBe(stats.failures.length);
    await feeder.close();
  });

  it('survives a file removed mid-epoch', async () => {
    const { files } = await writeShards(6, 1000);
    const copy = await mirror(files, 'copy');
    const feeder = createFeeder({ sources: [{ shards: copy, mirror: 'copy' }, { shards: files, mirror: 'origin' }], spec: SPEC, batchSize: 50, parallelReads: 1, prefetch: 0, shuffleBuffer: 0 });
    const batches = await collect(feeder, {}, async (_b, i) => {
      if (i === 3) await Promise.all(copy.map((f) => rm(f)));
    });
    expect(sorted(ids(batches))).toEqual(range(6000));
    await feeder.close();
    // Reads that started after the removal failed on `copy` and were served by `origin`.
    const failed = feeder.stats().failures.filter((f) => f.source === 'copy');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed.every((f) => f.retriedOn === 'origin')).toBe(true);
  });

  it('a copy failing mid-stream resumes on the mirror at the next row: the batches are exactly those of a run without failure', async () => {
    const { files } = await writeShards(SHARDS, ROWS);
    const copy = await mirror(files, 'flaky');
    const base = () => duckdbShardSource(SPEC, stratumOf(SPEC, undefined));
    // The flaky copy breaks on its second chunk (after 2048 rows of a shard were delivered).
    const flaky = instrumented(base(), (f) => f.includes('/flaky/'), (file, chunk) => {
      if (chunk === 1) throw new Error(`I/O error reading ${file}`);
    });
    const a = createFeeder({ sources: [{ shards: copy, mirror: 'flaky' }, { shards: files, mirror: 'good' }], spec: SPEC, batchSize: 64, seed: 5, source: flaky });
    const b = createFeeder({ sources: [{ shards: files }], spec: SPEC, batchSize: 64, seed: 5 });
    const withFailures = await collect(a);
    expect(a.stats().failures.length).toBeGreaterThanOrEqual(1);
    expect(a.stats().failures.every((f) => f.error.startsWith('I/O error'))).toBe(true);
    expect(ids(withFailures)).toEqual(ids(await collect(b)));
    await a.close();
    await b.close();
  });

  it('prefers the faster copy', async () => {
    const { files } = await writeShards(12, 500);
    const slowCopy = await mirror(files, 'slow');
    const base = duckdbShardSource(SPEC, stratumOf(SPEC, undefined));
    const source = instrumented(base, (f) => f.includes('/slow/'), () => new Promise((r) => setTimeout(r, 150)));
    const feeder = createFeeder({ sources: [{ shards: slowCopy, mirror: 'slow' }, { shards: files, mirror: 'fast' }], spec: SPEC, batchSize: 100, source, parallelReads: 2 });
    expect(sorted(ids(await collect(feeder)))).toEqual(range(6000));
    const [slow, fast] = feeder.stats().sources;
    expect(slow!.reads).toBeGreaterThanOrEqual(1); // measured once
    expect(fast!.reads).toBeGreaterThan(2 * slow!.reads);
    expect(fast!.secondsPerRow!).toBeLessThan(slow!.secondsPerRow!);
    await feeder.close();
  });

  it('fails naming the shard and every copy when all copies of a shard fail', async () => {
    const { files } = await writeShards(2, 100);
    const other = await mirror(files, 'other');
    await writeFile(files[1]!, 'garbage');
    await writeFile(other[1]!, 'garbage too');
    const feeder = createFeeder({ sources: [{ shards: files, mirror: 'a' }, { shards: other, mirror: 'b' }], spec: SPEC, batchSize: 10 });
    const err = await collect(feeder).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(FeederError);
    expect(String((err as Error).message)).toMatch(/shard 1: no copy has a readable footer: a: .+; b: .+/);
    await feeder.close();
  });
});
