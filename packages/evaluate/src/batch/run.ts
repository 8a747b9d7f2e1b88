// run() of batch-predict: JSON Lines instances in, `{"instance", "prediction"}` lines out, as Vertex batch
// prediction writes them (prediction.results-NNNNN-of-NNNNN, one per input file), through the model's bundled
// transform. Instances are read line by line and scored in batches, so the input size is not bounded by memory.
import { randomInt } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { ContractError, uriToLocalPath } from '@formalize/common';
import type { BatchPredictContext, BatchPredictResult } from '../components.ts';
import { openScorer } from '../model/scorer.ts';
import { InstanceError, instanceToRow } from '../serving/instances.ts';
import { modelDir } from './model-dir.ts';

type Ctx = BatchPredictContext;
type Out = BatchPredictResult;

const BATCH = 4096;
const shard = (i: number, n: number) => `${String(i).padStart(5, '0')}-of-${String(n).padStart(5, '0')}`;

async function inputFiles(inputs: Ctx['inputs']): Promise<string[]> {
  const given = (inputs.instances ? 1 : 0) + (inputs.gcs_source_uris.length > 0 ? 1 : 0);
  if (given !== 1) throw new ContractError([`inputs: give exactly one of the instances artifact and gcs_source_uris, received ${given === 0 ? 'neither' : 'both'}`]);
  if (inputs.gcs_source_uris.length > 0) return inputs.gcs_source_uris.map((u) => uriToLocalPath(u));
  const path = inputs.instances!.path;
  if (!(await stat(path)).isDirectory()) return [path];
  const files = (await readdir(path)).filter((n) => n.endsWith('.jsonl')).sort().map((n) => join(path, n));
  if (files.length === 0) throw new ContractError([`inputs.artifacts.instances: no *.jsonl files in ${path}`]);
  return files;
}

async function write(out: WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

async function close(out: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

export async function runBatchPredict({ inputs, outputs, log, signal }: Ctx): Promise<Out> {
  const files = await inputFiles(inputs);
  const scorer = await openScorer(await modelDir(inputs.model), log);
  const transform = scorer.bundle.transform;
  const excluded = new Set(inputs.excluded_fields);
  const dir = outputs.batch_prediction_job.path;
  await mkdir(dir, { recursive: true });
  const errorsName = `prediction.errors_stats-${shard(0, 1)}`;
  const errors = createWriteStream(join(dir, `.${errorsName}.tmp`));
  let predicted = 0;
  let failed = 0;
  const firstErrors: string[] = [];
  const started = performance.now();
  try {
    for (let f = 0; f < files.length; f++) {
      const file = files[f]!;
      const name = `prediction.results-${shard(f, files.length)}`;
      const out = createWriteStream(join(dir, `.${name}.tmp`));
      let pending: { instance: unknown; line: string }[] = [];
      let rows: ReturnType<typeof instanceToRow>[] = [];
      const flush = async () => {
        if (rows.length === 0) return;
        const scores = scorer.scoreTransformed(rows);
        let text = '';
        for (let i = 0; i < pending.length; i++) text += `{"instance":${pending[i]!.line},"prediction":{"scores":${scores[i]}}}\n`;
        await write(out, text);
        predicted += rows.length;
        pending = [];
        rows = [];
        log.progress('instances', predicted);
      };
      const fail = async (where: string, line: string, message: string) => {
        failed++;
        if (firstErrors.length < 5) firstErrors.push(`${where}: ${message}`);
        await write(errors, `${JSON.stringify({ location: where, instance: line, error: message })}\n`);
      };
      let n = 0;
      for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
        n++;
        if (signal.aborted) throw new Error('batch prediction cancelled');
        if (line.trim() === '') continue;
        const where = `${file}:${n}`;
        let instance: unknown;
        try {
          instance = JSON.parse(line);
        } catch (err) {
          await fail(where, line, `not JSON (${(err as Error).message})`);
          continue;
        }
        try {
          const kept = instance !== null && typeof instance === 'object' && !Array.isArray(instance) && excluded.size > 0
            ? Object.fromEntries(Object.entries(instance).filter(([k]) => !excluded.has(k)))
            : instance;
          rows.push(instanceToRow(transform, kept, 'instance'));
          pending.push({ instance, line });
        } catch (err) {
          if (!(err instanceof InstanceError)) throw err;
          await fail(where, line, err.message);
          continue;
        }
        if (rows.length >= BATCH) await flush();
      }
      await flush();
      await close(out);
      await rename(join(dir, `.${name}.tmp`), join(dir, name));
    }
    await close(errors);
    await rename(join(dir, `.${errorsName}.tmp`), join(dir, errorsName));
  } finally {
    scorer.dispose();
    if (!errors.closed) errors.destroy();
  }
  const total = predicted + failed;
  const seconds = (performance.now() - started) / 1000;
  log.info('batch prediction done', { predicted, failed, seconds: Number(seconds.toFixed(3)), instancesPerSecond: Math.round(predicted / seconds) });
  if (total === 0) throw new ContractError([`inputs: no instances in ${files.join(', ')}`]);
  if (failed / total > inputs.max_error_fraction) {
    throw new ContractError([`${failed} of ${total} instances could not be predicted (max_error_fraction ${inputs.max_error_fraction}); first: ${firstErrors.join('; ')}`]);
  }
  outputs.batch_prediction_job.metadata = {
    resourceName: `projects/${inputs.project}/locations/local/batchPredictionJobs/${randomInt(1, 2 ** 47)}`,
    gcsOutputDirectory: outputs.batch_prediction_job.uri,
    predictions: predicted,
    errors: failed,
    model: inputs.model.uri,
  };
  return { prediction_count: predicted, error_count: failed };
}

