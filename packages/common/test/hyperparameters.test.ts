// Hyperparameters: schema and overrides, and tuned sets in the embedded ML Metadata store (newest per family,
// defaults when none, malformed stored sets refused by name).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_HYPERPARAMETERS, HYPERPARAMETERS_TYPE, applyOverrides, latestTunedHyperparameters, parseHyperparameters,
  recordTunedHyperparameters, resolveHyperparameters,
} from '../src/hyperparameters/index.ts';
import type { Hyperparameters } from '../src/hyperparameters/index.ts';
import type { MetadataStore } from '../src/metadata/index.ts';
import { openSqliteStore } from '../src/metadata/index.ts';

function steppingClock(start = Date.UTC(2026, 0, 1)): () => number {
  let t = start - 1000;
  return () => (t += 1000);
}

const tuned: Hyperparameters = { learning_rate: 0.0123, batch_size: 64, epochs: 30, early_stop: { monitor: 'val_loss', patience: 4 } };

let store: MetadataStore;
beforeEach(async () => {
  store = await openSqliteStore(join(mkdtempSync(join(tmpdir(), 'formalize-hp-')), 'metadata.sqlite'), { now: steppingClock() });
});
afterEach(async () => store.close());

describe('hyperparameter schema', () => {
  it('defaults are the seed\'s: lr 0.001, batch 16, 20 epochs, early stop val_loss / 5, warmup from 0.0001 over 200 steps', () => {
    expect(DEFAULT_HYPERPARAMETERS).toEqual({ learning_rate: 0.001, batch_size: 16, epochs: 20, early_stop: { monitor: 'val_loss', patience: 5 }, start_learning_rate: 0.0001, steps: 200 });
    expect(parseHyperparameters(structuredClone(DEFAULT_HYPERPARAMETERS))).toEqual(DEFAULT_HYPERPARAMETERS);
    expect(Object.isFrozen(DEFAULT_HYPERPARAMETERS.early_stop)).toBe(true);
  });

  it('names the bad field and value', () => {
    expect(() => parseHyperparameters({ ...tuned, batch_size: 0 })).toThrow(/^hyperparameters\.batch_size: too small.*received 0$/i);
    expect(() => parseHyperparameters({ ...tuned, learning_rate: -1 })).toThrow(/hyperparameters\.learning_rate: .*received -1/);
    expect(() => parseHyperparameters({ ...tuned, early_stop: { monitor: 'loss', patience: 5 } })).toThrow(/hyperparameters\.early_stop\.monitor: expected one of "val_loss", received "loss"/);
    expect(() => parseHyperparameters({ ...tuned, lr: 0.1 })).toThrow(/unexpected key\(s\) "lr"/);
  });

  it('overrides replace single fields, early_stop field by field, and report what they replaced', () => {
    const { hyperparameters, overridden } = applyOverrides(tuned, { batch_size: 128, early_stop: { patience: 2 } });
    expect(hyperparameters).toEqual({ ...tuned, batch_size: 128, early_stop: { monitor: 'val_loss', patience: 2 } });
    expect(overridden).toEqual(['batch_size', 'early_stop.patience']);
    expect(applyOverrides(tuned, {})).toEqual({ hyperparameters: tuned, overridden: [] });
    expect(() => applyOverrides(tuned, { epochs: 1.5 }, 'inputs.hyperparameters')).toThrow(/^inputs\.hyperparameters\.epochs: expected an integer/);
  });
});

describe('tuned hyperparameters in ML Metadata', () => {
  it('records a set as a formalize.Hyperparameters artifact with the seam\'s metadata keys', async () => {
    const rec = await recordTunedHyperparameters(store, {
      family: 'chicago-taxi', hyperparameters: tuned, statisticsUri: '/root/run-1/tfdv-stats/statistics', study: { algorithm: 'tpe', trials: 16 },
      initialization: 'abc123', objective: { metric: 'val_loss', value: 0.41 }, uri: '/root/run-1/tune/study',
    });
    const artifact = await store.getArtifact(rec.id);
    expect(artifact).toMatchObject({
      type: HYPERPARAMETERS_TYPE, uri: '/root/run-1/tune/study', state: 'LIVE',
      metadata: {
        model_family: 'chicago-taxi', hyperparameters: tuned, statistics: '/root/run-1/tfdv-stats/statistics',
        study: { algorithm: 'tpe', trials: 16 }, initialization: 'abc123', objective: { metric: 'val_loss', value: 0.41 },
      },
    });
    expect(rec).toMatchObject({ family: 'chicago-taxi', hyperparameters: tuned, statisticsUri: '/root/run-1/tfdv-stats/statistics', initialization: 'abc123' });
  });

  it('returns the newest LIVE set of the family, never another family\'s', async () => {
    expect(await latestTunedHyperparameters(store, 'chicago-taxi')).toBeUndefined();
    await recordTunedHyperparameters(store, { family: 'chicago-taxi', hyperparameters: tuned, statisticsUri: 's1', study: 'study-1' });
    const second = await recordTunedHyperparameters(store, { family: 'chicago-taxi', hyperparameters: { ...tuned, learning_rate: 0.05 }, statisticsUri: 's2', study: 'study-2' });
    await recordTunedHyperparameters(store, { family: 'other', hyperparameters: { ...tuned, learning_rate: 0.09 }, statisticsUri: 's3', study: 'study-3' });
    const latest = await latestTunedHyperparameters(store, 'chicago-taxi');
    expect(latest).toMatchObject({ id: second.id, hyperparameters: { learning_rate: 0.05 }, statisticsUri: 's2', study: 'study-2' });
    await store.updateArtifact(second.id, { state: 'DELETED' });
    expect((await latestTunedHyperparameters(store, 'chicago-taxi'))?.statisticsUri).toBe('s1');
  });

  it('resolves tuned, else default, then explicit overrides, and says which', async () => {
    const none = await resolveHyperparameters({ store, family: 'chicago-taxi', overrides: { epochs: 3 } });
    expect(none).toEqual({ hyperparameters: { ...DEFAULT_HYPERPARAMETERS, epochs: 3 }, source: 'default', overridden: ['epochs'] });
    expect((await resolveHyperparameters({ family: 'chicago-taxi' })).source).toBe('default');
    const rec = await recordTunedHyperparameters(store, { family: 'chicago-taxi', hyperparameters: tuned, statisticsUri: 's1', study: 'study-1' });
    const got = await resolveHyperparameters({ store, family: 'chicago-taxi', overrides: { early_stop: { patience: 9 } } });
    expect(got.source).toBe('tuned');
    expect(got.tuned?.id).toBe(rec.id);
    expect(got.hyperparameters).toEqual({ ...tuned, early_stop: { monitor: 'val_loss', patience: 9 } });
  });

  it('refuses bad records and malformed stored sets by name', async () => {
    await expect(recordTunedHyperparameters(store, { family: '', hyperparameters: tuned, statisticsUri: 's', study: 'x' })).rejects.toThrow(/recordTunedHyperparameters\.family: /);
    await expect(recordTunedHyperparameters(store, { family: 'f', hyperparameters: { ...tuned, batch_size: -3 }, statisticsUri: 's', study: 'x' })).rejects.toThrow(/recordTunedHyperparameters\.hyperparameters\.batch_size: .*received -3/);
    const bad = await store.createArtifact({ type: HYPERPARAMETERS_TYPE, uri: '', metadata: { model_family: 'f', hyperparameters: { learning_rate: 'fast' }, statistics: 's', study: 'x' } });
    await expect(latestTunedHyperparameters(store, 'f')).rejects.toThrow(new RegExp(`formalize\\.Hyperparameters artifact ${bad.id} metadata\\.hyperparameters\\.learning_rate: expected a number, received "fast"`));
  });
});
