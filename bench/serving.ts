// Benchmark (not a timed test): the prediction server (packages/evaluate/src/serve.ts, the Vertex custom serving
// container) on 127.0.0.1, measured with wrk for 1-instance and 100-instance requests, one connection (latency)
// and 16 connections (throughput); and batch-predict's rows/s on a large JSON Lines file. The model is the seed's
// architecture built for the data pipeline's transform (the shipped sample; weights do not change the cost).
// Peers in the same run: a bare node:http server answering a fixed JSON body (the HTTP floor, same wrk settings),
// and the model alone (predictRows on already-transformed rows, in process).
//   node bench/serving.ts        BENCH_SECONDS=10 BENCH_BATCH_ROWS=200000
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildBaseModel, loadTf, modelSpecFromTransform, predictRows, saveModel } from '@formalize/common/model';
import { applyTransform, readTransformArtifact } from '@formalize/common/transform';

const root = join(import.meta.dirname, '..');
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const BATCH_ROWS = Number(process.env['BENCH_BATCH_ROWS'] ?? 200_000);
const PREDICT = '/predict';
const work = mkdtempSync(join(tmpdir(), 'bench-serving-'));

function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stdout}\n${r.stderr}`);
  return r;
}

interface Wrk { rps: number; p50: number; p99: number; errors: string }

/** wrk's latency distribution and requests/s for POSTing `body` to `url`. */
function wrk(url: string, body: string, connections: number): Wrk {
  const script = join(work, `post-${body.length}.lua`);
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["Content-Type"] = "application/json"\n`);
  const out = run('wrk', ['-t1', `-c${connections}`, `-d${SECONDS}s`, '--latency', '-s', script, url]).stdout;
  const ms = (label: string) => {
    const m = new RegExp(`^\\s+${label}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
    if (!m) throw new Error(`no ${label}% latency in wrk output:\n${out}`);
    return Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000 } as const)[m[2] as 'us' | 'ms' | 's'];
  };
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const errors = [/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1], /Socket errors: (.*)/.exec(out)?.[1]].filter(Boolean).join(', ');
  return { rps, p50: ms('50'), p99: ms('99'), errors };
}

// The peer: a bare node:http server reading the body and answering a fixed prediction, in its own process
// (wrk runs synchronously here), logging its URL as serve.ts does.
const FLOOR = `
const { createServer } = require('node:http');
const s = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"predictions":[{"scores":0.5}]}')); });
s.listen(0, '127.0.0.1', () => {
  const url = 'http://127.0.0.1:' + s.address().port;
  process.stderr.write(JSON.stringify({ message: 'prediction server listening', url }) + '\\n' + JSON.stringify({ message: 'model loaded' }) + '\\n');
});
process.on('SIGTERM', () => process.exit(0));`;

function startServer(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, AIP_HTTP_PORT: '0', AIP_PREDICT_ROUTE: PREDICT }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let text = '';
    let url = '';
    child.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      for (const line of text.split('\n').filter((l) => l.startsWith('{'))) {
        const e = JSON.parse(line) as { message: string; url?: string };
        if (e.message === 'prediction server listening') url = e.url!;
        if (e.message === 'model loaded') resolve({ child, url });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve.ts exited ${code}: ${text}`)));
  });
}

try {
  // Data (the shipped sample through the data pipeline) and a model of the seed's architecture.
  const pipelineRoot = join(work, 'root');
  run(process.execPath, [join(root, 'packages/cli/src/main.ts'), 'run', join(root, 'pipelines/compiled/data-preprocessing.yaml'), '--pipeline-root', pipelineRoot]);
  const runDir = join(pipelineRoot, readdirSync(pipelineRoot).find((n) => n.startsWith('data-preprocessing-'))!);
  const dataset = JSON.parse(readFileSync(join(runDir, 'tabular-dataset-create', 'executor_output.json'), 'utf8')).artifacts.dataset.artifacts[0];
  const transform = await readTransformArtifact(dataset.metadata.transform_artifacts_dir);
  const raw = readFileSync(join(dataset.metadata.exported_jsonl_prefix, 'data-00000-of-00001.jsonl'), 'utf8').trim().split('\n');
  const { tf, backend } = await loadTf();
  const spec = modelSpecFromTransform(transform);
  const model = buildBaseModel(tf, spec, { seed: 1 });
  const modelDir = join(work, 'model');
  await saveModel(model, modelDir, { transform, metadata: { model_family: 'chicago' } });

  const one = JSON.stringify({ instances: [JSON.parse(raw[0]!)] });
  const hundred = JSON.stringify({ instances: Array.from({ length: 100 }, (_, i) => JSON.parse(raw[i % raw.length]!)) });
  const rows: string[][] = [];
  const server = await startServer([join(root, 'packages/evaluate/src/serve.ts'), '--model-dir', modelDir, '--host', '127.0.0.1']);
  const floor = await startServer(['-e', FLOOR]);
  const floorUrl = `${floor.url}${PREDICT}`;
  try {
    for (const [name, body, instances] of [['1 instance', one, 1], ['100 instances', hundred, 100]] as const) {
      for (const c of [1, 16]) {
        wrk(`${server.url}${PREDICT}`, body, c); // warm-up (JIT, batcher)
        const ours = wrk(`${server.url}${PREDICT}`, body, c);
        const peer = wrk(floorUrl, body, c);
        rows.push([`${name}, ${c} connection${c > 1 ? 's' : ''}`, ours.p50.toFixed(2), ours.p99.toFixed(2), Math.round(ours.rps).toLocaleString('en-US'),
          Math.round(ours.rps * instances).toLocaleString('en-US'), `${peer.p50.toFixed(2)} / ${Math.round(peer.rps).toLocaleString('en-US')}`, ours.errors || '-']);
      }
    }
  } finally {
    server.child.kill('SIGTERM');
    floor.child.kill('SIGTERM');
  }

  // The model alone on 100 transformed rows, in process (what one 100-instance request costs in TF.js).
  const transformed = Array.from({ length: 100 }, (_, i) => applyTransform(transform, JSON.parse(raw[i % raw.length]!)));
  for (let i = 0; i < 50; i++) predictRows(tf, model, spec, transformed);
  const times: number[] = [];
  for (let i = 0; i < 500; i++) {
    const t = performance.now();
    predictRows(tf, model, spec, transformed);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);

  // batch-predict on BATCH_ROWS instances (the raw test rows repeated), through the executor protocol.
  const instances = join(work, 'instances.jsonl');
  writeFileSync(instances, `${Array.from({ length: BATCH_ROWS }, (_, i) => raw[i % raw.length]).join('\n')}\n`);
  const task = join(work, 'batch');
  const ei = {
    inputs: {
      parameterValues: { gcs_source_uris: [instances] },
      artifacts: { model: { artifacts: [{ name: 'model', type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, uri: modelDir, metadata: {} }] } },
    },
    outputs: {
      artifacts: { batch_prediction_job: { artifacts: [{ name: 'batch_prediction_job', type: { schemaTitle: 'google.VertexBatchPredictionJob', schemaVersion: '0.0.1' }, uri: join(task, 'job'), metadata: {} }] } },
      parameters: { prediction_count: { outputFile: join(task, 'prediction_count') }, error_count: { outputFile: join(task, 'error_count') } },
      outputFile: join(task, 'executor_output.json'),
    },
  };
  const t0 = performance.now();
  const b = run(process.execPath, [join(root, 'packages/evaluate/src/main.ts'), '--component', 'batch-predict', '--executor_input', JSON.stringify(ei)]);
  const wall = (performance.now() - t0) / 1000;
  const done = b.stderr.split('\n').filter((l) => l.includes('batch prediction done')).map((l) => JSON.parse(l) as { instancesPerSecond: number })[0]!;
  // Peer: the I/O floor, parsing and writing the same lines without a model.
  const t1 = performance.now();
  let out = '';
  for (const line of readFileSync(instances, 'utf8').split('\n')) if (line) out += `{"instance":${line},"prediction":${JSON.stringify(JSON.parse(line) && { scores: 0.5 })}}\n`;
  writeFileSync(join(work, 'floor.jsonl'), out);
  const floorSeconds = (performance.now() - t1) / 1000;

  console.log(`\nServing on 127.0.0.1 (TF.js backend ${backend}, wrk -t1, ${SECONDS} s per row, after a warm-up run; latencies in ms)\n`);
  console.log('| request | p50 | p99 | requests/s | instances/s | bare node:http p50 / requests/s | errors |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log(`\nModel alone, 100 transformed rows in process: p50 ${times[250]!.toFixed(2)} ms, p99 ${times[495]!.toFixed(2)} ms`);
  console.log(`\n| batch-predict, ${BATCH_ROWS.toLocaleString('en-US')} instances | rows/s |\n|---|---|`);
  console.log(`| scoring loop (read, check, transform, predict, write) | ${done.instancesPerSecond.toLocaleString('en-US')} |`);
  console.log(`| whole component process (incl. start, TF.js load) | ${Math.round(BATCH_ROWS / wall).toLocaleString('en-US')} (${wall.toFixed(1)} s) |`);
  console.log(`| peer: JSON parse + write of the same lines, no model | ${Math.round(BATCH_ROWS / floorSeconds).toLocaleString('en-US')} |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
