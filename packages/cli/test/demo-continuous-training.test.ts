// The continuous-training demo end to end, small: 3 steps with the drift at step 3, real pipelines, components,
// warehouse, registry and TF.js. Asserts the three properties from the returned records, the tuning decision of
// every step, and that the records agree with each other and with the registry's own comparisons. Also the
// command's bad input (exit 2, nothing run).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runContinuousTraining } from '../src/demo/continuous-training.ts';
import { demoResultSchema, type DemoResult } from '../src/demo/schema.ts';
import { cli, WORKSPACE } from './helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'demo-ct-'));
let result: DemoResult;

beforeAll(async () => {
  result = await runContinuousTraining(
    { steps: 3, driftStep: 3, rows: 20_000, growth: 2, holdoutRows: 100_000, seed: 1, trials: 2, root: join(work, 'root') },
    { workspace: WORKSPACE },
  );
}, 900_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('formalize demo continuous-training (3 steps, drift at step 3)', () => {
  it('returns records of its contract, and all three properties hold', () => {
    expect(demoResultSchema.parse(result)).toEqual(result);
    expect(result.steps.map((s) => s.step)).toEqual([1, 2, 3]);
    expect(result.properties.map((p) => [p.name, p.holds])).toEqual([
      ['retune-only-at-drift', true], ['best-holdout-auc-never-decreases', true], ['later-candidate-beats-first', true],
    ]);
    expect(result.ok).toBe(true);
  });

  it('tunes at step 1 (no tuned set) and at the drift step, reuses the tuned set in between', () => {
    const [s1, s2, s3] = result.steps;
    expect(s1!.tuning).toMatchObject({ action: 'search', reason: 'the model family has no tuned hyperparameters yet', driftDetected: false });
    expect(s2!.tuning).toMatchObject({ action: 'reuse', driftDetected: false });
    expect(s3!.tuning).toMatchObject({ action: 'search', driftDetected: true });
    // The drift is the payment mix: payment_type's distance crosses the threshold (0.1) only at the drift step.
    expect(s2!.tuning.distances['payment_type.l_infinity']).toBeLessThan(0.1);
    expect(s3!.tuning.distances['payment_type.l_infinity']).toBeGreaterThan(0.1);
    expect(s3!.tuning.maxCategorical).toMatchObject({ feature: 'payment_type' });
    // Reuse trains with the set tuned at step 1.
    expect(s2!.tuning.hyperparameters).toEqual(s1!.tuning.hyperparameters);
    expect(result.steps.map((s) => s.batch.drifted)).toEqual([false, false, true]);
  });

  it('the best after each step is the new candidate or the previous best, scored the same; it never scores lower', () => {
    let previous: DemoResult['steps'][number]['best'] | undefined;
    for (const s of result.steps) {
      if (s.registry.isNewBest) {
        expect(s.best.version).toBe(s.registry.version);
        expect(s.best.holdoutAuc).toBe(s.candidate.holdoutAuc);
      } else {
        expect(s.best).toEqual(previous);
      }
      if (previous) expect(s.best.holdoutAuc).toBeGreaterThanOrEqual(previous.holdoutAuc);
      previous = s.best;
    }
  });

  it('the registry compared on the holdout, and its AUCs there are the ones scored here', () => {
    const [first, ...later] = result.steps;
    expect(first!.registry).toMatchObject({ isNewBest: true, comparedOn: null, aucCandidate: null });
    for (const s of later) {
      expect(s.registry.comparedOn).toBe('holdout');
      expect(s.registry.aucCandidate).toBeCloseTo(s.candidate.holdoutAuc, 9);
    }
    const beat = later.find((s) => s.registry.isNewBest)!;
    expect(beat.candidate.holdoutAuc).toBeGreaterThan(first!.candidate.holdoutAuc);
    expect(beat.registry.pValue).toBeLessThanOrEqual(0.05);
  });

  it('each step trained on a fresh, larger batch', () => {
    expect(result.steps.map((s) => s.batch.rows)).toEqual([20_000, 40_000, 80_000]);
    expect(new Set(result.steps.map((s) => s.batch.seed)).size).toBe(3);
    for (const [i, s] of result.steps.entries()) if (i > 0) expect(s.datasetRows.train).toBeGreaterThan(result.steps[i - 1]!.datasetRows.train);
  });
});

describe('formalize demo continuous-training: bad input', () => {
  it.each([
    [['--steps', '1'], /^formalize: --steps 1: too small: expected number to be >=2/],
    [['--drift-step', '6'], /^formalize: --drift-step 6: the drift step must be one of the steps \(at most --steps\)/],
    [['--drift-step', '1'], /^formalize: --drift-step 1: too small: expected number to be >=2/],
    [['--rows', 'many'], /--rows.*expected a non-negative integer, received 'many'/],
  ])('%j: exit 2, nothing run', async (args, message) => {
    const root = join(work, `bad-${args.join('')}`);
    const r = await cli(['demo', 'continuous-training', ...args, '--root', root], work);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(() => readdirSync(root)).toThrow(/ENOENT/);
  });

  it('refuses a root that is not empty (its registry would not start empty)', async () => {
    const used = mkdtempSync(join(work, 'used-'));
    writeFileSync(join(used, 'metadata.sqlite'), '');
    const r = await cli(['demo', 'continuous-training', '--root', used], work);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`formalize: --root ${used}: ${used} is not empty: the demo needs a fresh pipeline root (its model registry must start empty)`);
    expect(readdirSync(used)).toEqual(['metadata.sqlite']);
  });
});
