// `formalize demo continuous-training`: K successive runs of the formalization pipelines over fresh synthetic
// batches with a drift injected at one step, ending with a table of the steps and the three properties; exit 1
// naming any property that failed. Progress goes to stderr, so `--json` leaves stdout to the result.
// The demo module (runner, warehouse, TF.js) is imported when the command runs, so `--help` stays fast.
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULTS } from '../demo/defaults.ts';
import type { ContinuousTrainingOptions } from '../demo/schema.ts';
import { EXIT, UsageError } from '../errors.ts';
import { colorsFor } from '../format.ts';
import { localPipelineRoot, workspaceRoot } from '../paths.ts';

export interface DemoFlags {
  steps: number;
  driftStep: number;
  rows: number;
  growth: number;
  holdoutRows: number;
  seed: number;
  trials: number;
  root?: string;
  json: boolean;
}

const FLAGS: Record<keyof ContinuousTrainingOptions, string> = {
  steps: '--steps', driftStep: '--drift-step', rows: '--rows', growth: '--growth', holdoutRows: '--holdout-rows', seed: '--seed', trials: '--trials', root: '--root',
};

/** The flags as demo options; a bad value is a UsageError naming the flag and the value. */
export async function demoOptions(flags: DemoFlags, cwd = process.cwd()): Promise<ContinuousTrainingOptions> {
  const [{ continuousTrainingOptionsSchema }, { newRunId }] = await Promise.all([import('../demo/schema.ts'), import('@formalize/runner')]);
  const root = flags.root ? localPipelineRoot(flags.root, cwd, '--root') : join(localPipelineRoot(undefined, cwd), `continuous-training-${newRunId()}`);
  const { json: _, root: __, ...rest } = flags;
  const r = continuousTrainingOptionsSchema.safeParse({ ...rest, root });
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const key = String(issue.path[0]) as keyof ContinuousTrainingOptions;
    const message = issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
    throw new UsageError(`${FLAGS[key] ?? key} ${JSON.stringify((flags as unknown as Record<string, unknown>)[key])}: ${message}`);
  }
  return r.data;
}

export async function continuousTrainingCommand(flags: DemoFlags): Promise<number> {
  const options = await demoOptions(flags);
  const { runContinuousTraining, RootNotFreshError } = await import('../demo/continuous-training.ts');
  const { finalReport, progressLine } = await import('../demo/report.ts');
  const err = colorsFor(process.stderr);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.stderr.write(`continuous-training demo: ${options.steps} steps, drift from step ${options.driftStep}, first batch ${options.rows.toLocaleString('en-US')} trips, pipeline root ${options.root}\n`);
  let result;
  try {
    result = await runContinuousTraining(options, {
      workspace: workspaceRoot(),
      signal: controller.signal,
      onEvent: (e) => {
        const line = progressLine(e, err);
        if (line) process.stderr.write(`${line}\n`);
      },
    });
  } catch (e) {
    if (e instanceof RootNotFreshError) throw new UsageError(`--root ${flags.root}: ${e.message}`);
    if (controller.signal.aborted) {
      process.stderr.write(`formalize: demo cancelled; the runs so far are under ${options.root}\n`);
      return EXIT.cancelled;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${finalReport(result, colorsFor(process.stdout))}\n`);
  return result.ok ? EXIT.ok : EXIT.failed;
}

const positiveInt = (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative integer, received '${value}'`);
  return n;
};

const positiveNumber = (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, received '${value}'`);
  return n;
};

/** Adds `demo continuous-training` to `program`; the action reports its exit code to `setExitCode`. */
export function registerDemoCommand(program: Command, setExitCode: (code: number) => void): Command {
  const demo = program.command('demo').description('demonstrations that run the formalization pipelines end to end');
  demo.command('continuous-training')
    .description('K runs over fresh synthetic batches with a drift injected at one step: retuning only at the drift, a best model that never gets worse on a fixed holdout, a later candidate beating the first')
    .addOption(new Option('--steps <k>', 'successive runs').argParser(positiveInt).default(DEFAULTS.steps))
    .addOption(new Option('--drift-step <n>', 'first drifted step (the drift stays on)').argParser(positiveInt).default(DEFAULTS.driftStep))
    .addOption(new Option('--rows <r>', 'trips of the first batch').argParser(positiveInt).default(DEFAULTS.rows))
    .addOption(new Option('--growth <g>', 'each batch has g times the trips of the one before').argParser(positiveNumber).default(DEFAULTS.growth))
    .addOption(new Option('--holdout-rows <n>', 'trips drawn for the fixed holdout (its test split, about 7%, is scored)').argParser(positiveInt).default(DEFAULTS.holdoutRows))
    .addOption(new Option('--trials <n>', 'tuning trials when tuning runs (max_trial_count)').argParser(positiveInt).default(DEFAULTS.trials))
    .addOption(new Option('--seed <s>', 'seed of the batches, the holdout, tuning and training').argParser(positiveInt).default(DEFAULTS.seed))
    .option('--root <dir>', 'fresh pipeline root for the runs, the warehouse and the registry (default: .formalize/continuous-training-<id>)')
    .option('--json', 'print the result (options, step records, properties) as JSON')
    .addHelpText('after', `
Each step generates a fresh batch (seeded; payment mix drifted from --drift-step on) into the demo's warehouse,
runs data-preprocessing on it (keeping step 1's vocabularies), build-model at step 1, then chicago-custom-training
(retune on drift since tuning, train, evaluate, champion/challenger on the fixed holdout). Exit 0 when all three
properties hold, 1 naming those that failed.`)
    .action(async (o: Omit<DemoFlags, 'json'> & { json?: boolean }) => {
      setExitCode(await continuousTrainingCommand({ ...o, json: o.json === true }));
    });
  return demo;
}
