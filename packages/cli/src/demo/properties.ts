// The three properties the continuous-training demo must show, computed from its step records alone:
//   retune-only-at-drift              tuning runs at step 1 (no tuned set yet) and at the drift step, and every
//                                     other step reuses the tuned hyperparameters;
//   best-holdout-auc-never-decreases  the registry's best model after each step scores at least as well on the
//                                     fixed holdout as the best after the step before;
//   later-candidate-beats-first       some later step's candidate became the new best (margin and significance
//                                     on the holdout, the registry's rule) and scores above the first candidate.
import type { Property, StepRecord } from './schema.ts';

const f = (x: number) => x.toFixed(4);

export function checkProperties(steps: readonly StepRecord[], driftStep: number): Property[] {
  return [retuneOnlyAtDrift(steps, driftStep), bestNeverDecreases(steps), laterBeatsFirst(steps)];
}

function retuneOnlyAtDrift(steps: readonly StepRecord[], driftStep: number): Property {
  const name = 'retune-only-at-drift';
  const tuned = (s: StepRecord) => s.tuning.action !== 'reuse';
  const wrong = steps.filter((s) => (s.step === 1 || s.step === driftStep ? !tuned(s) : tuned(s)));
  const actions = steps.map((s) => `${s.step}:${s.tuning.action}`).join(' ');
  if (steps.length === 0) return { name, holds: false, detail: 'no steps ran' };
  if (wrong.length === 0) return { name, holds: true, detail: `tuned at step 1 (no tuned set) and at the drift step ${driftStep} only (${actions})` };
  const w = wrong[0]!;
  return { name, holds: false, detail: `step ${w.step}: ${w.tuning.action} (${w.tuning.reason}); expected ${w.step === 1 || w.step === driftStep ? 'tuning' : 'reuse'} (${actions})` };
}

function bestNeverDecreases(steps: readonly StepRecord[]): Property {
  const name = 'best-holdout-auc-never-decreases';
  const series = steps.map((s) => `${f(s.best.holdoutAuc)} (v${s.best.version})`).join(' -> ');
  const drop = steps.findIndex((s, i) => i > 0 && s.best.holdoutAuc < steps[i - 1]!.best.holdoutAuc);
  if (steps.length === 0) return { name, holds: false, detail: 'no steps ran' };
  if (drop < 0) return { name, holds: true, detail: series };
  const [a, b] = [steps[drop - 1]!, steps[drop]!];
  return { name, holds: false, detail: `after step ${b.step} the best model (v${b.best.version}) scores ${f(b.best.holdoutAuc)}, below ${f(a.best.holdoutAuc)} (v${a.best.version}) after step ${a.step}: ${series}` };
}

function laterBeatsFirst(steps: readonly StepRecord[]): Property {
  const name = 'later-candidate-beats-first';
  const first = steps[0];
  if (!first) return { name, holds: false, detail: 'no steps ran' };
  const winners = steps.slice(1).filter((s) => s.registry.isNewBest && s.candidate.holdoutAuc > first.candidate.holdoutAuc);
  if (winners.length) {
    const w = winners[0]!;
    return { name, holds: true, detail: `step ${w.step}'s candidate (v${w.registry.version}) scores ${f(w.candidate.holdoutAuc)} against the first's ${f(first.candidate.holdoutAuc)} and became the best (p ${f(w.registry.pValue)})` };
  }
  const top = steps.slice(1).reduce<StepRecord | undefined>((b, s) => (!b || s.candidate.holdoutAuc > b.candidate.holdoutAuc ? s : b), undefined);
  return {
    name, holds: false,
    detail: top
      ? `no later candidate became the best with a holdout AUC above the first's ${f(first.candidate.holdoutAuc)}; the highest was step ${top.step}'s ${f(top.candidate.holdoutAuc)} (${top.registry.decision})`
      : 'only one step ran',
  };
}
