// One study: suggest, run at most `parallel` trials at once, observe, until `maxTrials` have run. A trial that
// fails is recorded and the study goes on; a study in which no trial succeeds fails. Cancellation aborts the
// running trials, records them as cancelled and rejects.
//
// Reproducibility: trial i draws from its own seeded stream, so with parallel = 1 a study is a function of its seed
// and the trial results. With parallel > 1 the history a suggestion sees depends on which trials finished first.
import { createRng, streamSeed } from './rng.ts';
import type { Observation, Sampler } from './sampler.ts';
import type { Params, SearchSpace } from './space.ts';
import { isInfeasible } from './trial.ts';
import type { TrialMetrics } from './trial.ts';

export const GOALS = ['minimize', 'maximize'] as const;
export type Goal = (typeof GOALS)[number];

export interface Objective {
  metric: string;
  goal: Goal;
}

/** Vertex AI Trial.State names; CANCELED marks trials stopped by a cancelled study. */
export type TrialState = 'ACTIVE' | 'SUCCEEDED' | 'INFEASIBLE' | 'FAILED' | 'CANCELED';

export interface Trial {
  id: string;
  params: Params;
  state: TrialState;
  metrics?: TrialMetrics;
  /** The objective metric's value (SUCCEEDED trials). */
  objective?: number;
  error?: string;
  startTime: string;
  endTime?: string;
}

export interface StudyHooks {
  /** Awaited before the trial runs (e.g. to record it as running). */
  onTrialStart?(trial: Trial): Promise<void> | void;
  /** Awaited after the trial ended in any state. */
  onTrialEnd?(trial: Trial): Promise<void> | void;
}

export interface StudyOptions extends StudyHooks {
  space: SearchSpace;
  objective: Objective;
  sampler: Sampler;
  seed: number;
  maxTrials: number;
  parallel: number;
  /** Points evaluated first, before the sampler is asked (fine-tuning starts from the previous best). */
  initial?: readonly Params[];
  runTrial(trial: { id: string; params: Params }, signal: AbortSignal): Promise<TrialMetrics>;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface StudyResult {
  trials: Trial[];
  best: Trial;
}

export class StudyError extends Error {
  override name = 'StudyError';
  readonly trials: readonly Trial[];
  constructor(message: string, trials: readonly Trial[]) {
    super(message);
    this.trials = trials;
  }
}

export class StudyCancelledError extends StudyError {
  override name = 'StudyCancelledError';
}

/** The value the samplers minimise. */
export const lossOf = (objective: Objective, value: number): number => (objective.goal === 'minimize' ? value : -value);

/** Best SUCCEEDED trial for the objective (the earliest among equals); undefined when none succeeded. */
export function bestTrial(trials: readonly Trial[], objective: Objective): Trial | undefined {
  let best: Trial | undefined;
  for (const t of trials) {
    if (t.state !== 'SUCCEEDED' || t.objective === undefined) continue;
    if (!best || lossOf(objective, t.objective) < lossOf(objective, best.objective!)) best = t;
  }
  return best;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function runStudy(opts: StudyOptions): Promise<StudyResult> {
  const { space, objective, sampler, seed, maxTrials, parallel } = opts;
  if (!Number.isInteger(maxTrials) || maxTrials < 1) throw new RangeError(`maxTrials: expected an integer >= 1, received ${maxTrials}`);
  if (!Number.isInteger(parallel) || parallel < 1) throw new RangeError(`parallel: expected an integer >= 1, received ${parallel}`);
  const now = opts.now ?? (() => new Date());
  const studySignal = opts.signal ?? new AbortController().signal;
  const trials: Trial[] = [];
  const observations: Observation[] = [];
  const running = new Map<string, { trial: Trial; done: Promise<void>; abort: AbortController }>();
  // A failure of the study itself (its record cannot be written): stop every trial and reject with it.
  let fatal: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    fatal ??= { error };
    for (const r of running.values()) r.abort.abort(error);
  };

  const observe = (t: Trial) => {
    if (t.state === 'SUCCEEDED') observations.push({ params: t.params, loss: lossOf(objective, t.objective!) });
    else if (t.state === 'INFEASIBLE' && observations.length > 0) {
      observations.push({ params: t.params, loss: Math.max(...observations.map((o) => o.loss)) });
    }
  };

  const start = async (index: number) => {
    const id = String(index + 1);
    const rng = createRng(streamSeed(seed, index));
    const params = opts.initial?.[index] ?? sampler.suggest({ space, observations, pending: [...running.values()].map((r) => r.trial.params), rng });
    const trial: Trial = { id, params, state: 'ACTIVE', startTime: now().toISOString() };
    trials.push(trial);
    const abort = new AbortController();
    const entry = { trial, abort, done: Promise.resolve() };
    running.set(id, entry);
    entry.done = (async () => {
      try {
        await opts.onTrialStart?.(trial);
      } catch (err) {
        // The record of the study is part of its result: a store that cannot be written stops the study.
        fail(err);
      }
      try {
        if (fatal) throw fatal.error;
        const metrics = await opts.runTrial({ id, params }, abort.signal);
        const value = metrics[objective.metric];
        if (typeof value !== 'number') throw new Error(`trial ${id} reported no ${objective.metric} (metrics: ${JSON.stringify(metrics)})`);
        trial.metrics = metrics;
        if (Number.isFinite(value)) {
          trial.objective = value;
          trial.state = 'SUCCEEDED';
        } else {
          trial.state = 'INFEASIBLE';
          trial.error = `${objective.metric} is ${value}`;
        }
      } catch (err) {
        trial.state = abort.signal.aborted ? 'CANCELED' : isInfeasible(err) ? 'INFEASIBLE' : 'FAILED';
        trial.error = message(err);
      }
      trial.endTime = now().toISOString();
      observe(trial);
      running.delete(id);
      try {
        await opts.onTrialEnd?.(trial);
      } catch (err) {
        fail(err);
      }
    })();
  };

  const cancel = () => { for (const r of running.values()) r.abort.abort(studySignal.reason); };
  studySignal.addEventListener('abort', cancel, { once: true });
  try {
    let next = 0;
    for (;;) {
      while (!studySignal.aborted && !fatal && running.size < parallel && next < maxTrials) await start(next++);
      if (running.size === 0) break;
      await Promise.race([...running.values()].map((r) => r.done));
    }
  } finally {
    studySignal.removeEventListener('abort', cancel);
  }
  if (fatal) throw fatal.error;
  if (studySignal.aborted) throw new StudyCancelledError(`study cancelled after ${trials.length} of ${maxTrials} trials (${message(studySignal.reason)})`, trials);
  const best = bestTrial(trials, objective);
  if (!best) {
    const first = trials.find((t) => t.error)?.error ?? 'no trial reported a finite objective';
    throw new StudyError(`all ${trials.length} trials failed or were infeasible; first error: ${first}`, trials);
  }
  return { trials, best };
}
