// The demo's property checks on hand-made records: each property holds on a good run and fails, naming the step,
// on a run that breaks it.
import { describe, expect, it } from 'vitest';
import { checkProperties } from '../src/demo/properties.ts';
import type { StepRecord } from '../src/demo/schema.ts';

function step(n: number, o: { action?: StepRecord['tuning']['action']; candidate: number; isNewBest: boolean; best: [number, number] }): StepRecord {
  return {
    step: n,
    batch: { table: `p.d.batch_${n}`, rows: 1000 * n, seed: n, drifted: false },
    datasetRows: { train: 800, val: 100, test: 100 },
    tuning: { action: o.action ?? 'reuse', reason: 'r', driftDetected: false, distances: {}, maxCategorical: null, maxNumeric: null, hyperparameters: { learning_rate: 0.01, batch_size: 64 } },
    candidate: { uri: `/m/${n}`, valAuc: o.candidate, testAuc: o.candidate, holdoutAuc: o.candidate },
    registry: { isNewBest: o.isNewBest, decision: o.isNewBest ? 'new best' : 'kept version 1 as best: not significant', pValue: 0.01, aucDelta: 0, version: o.best[0], comparedOn: n === 1 ? null : 'holdout', aucCandidate: null, aucChampion: null },
    best: { version: o.best[0], resourceName: `m@${o.best[0]}`, holdoutAuc: o.best[1] },
    runs: { data: '/d', training: '/t' },
    seconds: 1,
  };
}

const good = [
  step(1, { action: 'search', candidate: 0.80, isNewBest: true, best: [2, 0.80] }),
  step(2, { candidate: 0.79, isNewBest: false, best: [2, 0.80] }),
  step(3, { action: 'search', candidate: 0.83, isNewBest: true, best: [3, 0.83] }),
  step(4, { candidate: 0.82, isNewBest: false, best: [3, 0.83] }),
];

describe('demo properties', () => {
  it('all hold on a run that tunes at steps 1 and 3 only, keeps its best and improves on the first', () => {
    const p = checkProperties(good, 3);
    expect(p.map((x) => [x.name, x.holds])).toEqual([
      ['retune-only-at-drift', true], ['best-holdout-auc-never-decreases', true], ['later-candidate-beats-first', true],
    ]);
    expect(p[2]!.detail).toBe('step 3\'s candidate (v3) scores 0.8300 against the first\'s 0.8000 and became the best (p 0.0100)');
  });

  it('retune-only-at-drift fails on tuning at a step without drift, and on reuse at the drift step', () => {
    const extra = good.map((s) => (s.step === 4 ? { ...s, tuning: { ...s.tuning, action: 'fine_tune' as const, reason: 'initialisation changed' } } : s));
    expect(checkProperties(extra, 3)[0]).toMatchObject({ holds: false, detail: 'step 4: fine_tune (initialisation changed); expected reuse (1:search 2:reuse 3:search 4:fine_tune)' });
    const missed = good.map((s) => (s.step === 3 ? { ...s, tuning: { ...s.tuning, action: 'reuse' as const } } : s));
    expect(checkProperties(missed, 3)[0]!.detail).toMatch(/^step 3: reuse \(r\); expected tuning/);
    expect(checkProperties(good, 4)[0]!.holds).toBe(false);
  });

  it('best-holdout-auc-never-decreases fails when the best after a step scores lower than the one before', () => {
    const worse = good.map((s) => (s.step === 4 ? { ...s, best: { ...s.best, version: 5, holdoutAuc: 0.829 } } : s));
    expect(checkProperties(worse, 3)[1]).toMatchObject({ holds: false, detail: expect.stringMatching(/^after step 4 the best model \(v5\) scores 0\.8290, below 0\.8300 \(v3\) after step 3: /) });
  });

  it('later-candidate-beats-first needs a later new best scoring above the first candidate', () => {
    const flat = good.map((s) => (s.step > 1 ? { ...s, registry: { ...s.registry, isNewBest: false } } : s));
    expect(checkProperties(flat, 3)[2]).toMatchObject({ holds: false, detail: expect.stringMatching(/^no later candidate became the best with a holdout AUC above the first's 0\.8000; the highest was step 3's 0\.8300/) });
    expect(checkProperties([], 3).map((p) => p.holds)).toEqual([false, false, false]);
  });
});
