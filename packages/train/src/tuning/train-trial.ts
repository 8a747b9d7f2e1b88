// The tune component's default trial: the train component itself (mode `train`: Adam, early stopping on val_loss
// restoring the best epoch, failure-to-learn detection), run through the executor protocol with the trial's full
// hyperparameter set as overrides, its outputs (model, metrics, TensorBoard events, curves) under the trial's folder, as
// a Vertex AI tuning trial is one training job writing under `<base_output_directory>/<trial id>/`. The train
// component is wrapped, not re-implemented: the wrapper only keeps its result and, when it fails, the error
// itself, so a failure to learn or a divergence marks the trial INFEASIBLE rather than crashed.
import { artifactInfo, buildExecutorInput, defineComponent, runExecutor } from '@formalize/common';
import { train } from '../components/train.ts';
import type { TrialContext, TrialMetrics } from './trial.ts';
import { InfeasibleTrialError } from './trial.ts';

/** Errors of the train component that say the hyperparameters cannot work (not that something broke). */
const INFEASIBLE = new Set(['FailureToLearnError']);
const DIVERGED = /\bdiverged\b/;

/** The train component's log lines, tagged with the trial, on this process' stderr. */
function trialLog(trialId: string) {
  let pending = '';
  return {
    write(text: string) {
      pending += text;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        let out = `[trial ${trialId}] ${line}`;
        try {
          const entry = JSON.parse(line) as unknown;
          if (entry && typeof entry === 'object' && !Array.isArray(entry)) out = JSON.stringify({ ...entry, trial: trialId });
        } catch {
          // Not a JSON log line: keep it as text.
        }
        process.stderr.write(`${out}\n`);
      }
      return true;
    },
  };
}

export async function trainTrial(ctx: TrialContext): Promise<TrialMetrics> {
  let result: { val_loss: number; val_auc: number } | undefined;
  let metrics: Record<string, unknown> = {};
  let failure: unknown;
  const wrapped = defineComponent({
    name: train.name, version: train.version, description: train.description, inputs: train.inputs, outputs: train.outputs,
    async run(c) {
      try {
        const r = await train.run(c);
        result = r;
        metrics = { ...c.outputs.metrics.metadata };
        return r;
      } catch (err) {
        failure = err;
        throw err;
      }
    },
  });
  // Every output artifact the train contract declares, provisioned under the trial's folder.
  const outputArtifacts = Object.fromEntries(Object.entries(train.outputs).flatMap(([name, schema]) => {
    const info = artifactInfo(schema);
    return info ? [[name, info.type]] : [];
  }));
  const executorInput = buildExecutorInput({
    parameters: { mode: 'train', hyperparameter_overrides: ctx.hyperparameters, seed: ctx.seed, tuning: true },
    artifacts: {
      dataset: { type: 'google.VertexDataset', uri: ctx.dataset.uri, metadata: ctx.dataset.metadata },
      base_model: { type: 'system.Model', uri: ctx.baseModel.uri, metadata: ctx.baseModel.metadata },
    },
    outputArtifacts,
    outputDir: ctx.workDir,
  });
  const log = trialLog(ctx.trialId);
  const code = await runExecutor([wrapped], ['--component', train.name, '--executor_input', JSON.stringify(executorInput)], { stderr: log, stdout: log, signal: ctx.signal });
  if (code !== 0 || !result) {
    const err = failure instanceof Error ? failure : new Error(`train exited with code ${code}`);
    if (INFEASIBLE.has(err.name) || DIVERGED.test(err.message)) throw new InfeasibleTrialError(err.message);
    throw err;
  }
  const epochs = metrics['epochs_run'];
  const bestEpoch = metrics['best_epoch'];
  return {
    val_loss: result.val_loss,
    val_auc: result.val_auc,
    ...(typeof epochs === 'number' && { epochs }),
    ...(typeof bestEpoch === 'number' && { best_epoch: bestEpoch }),
    ...(typeof metrics['val_accuracy'] === 'number' && { val_accuracy: metrics['val_accuracy'] }),
  };
}
