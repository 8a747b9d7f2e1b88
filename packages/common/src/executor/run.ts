// The KFP v2 executor protocol as the launcher drives a container: `--executor_input '{{$}}'` in,
// validated against the contract, run(), then output parameter files and ExecutorOutput JSON out.
// Only zod and node builtins are loaded here so a component's entrypoint starts fast; heavy libraries
// belong in dynamic `import()` inside run() (see `lazy()` in ../runtime/lazy.ts).
import { access, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import type { Component, RunContext } from '../contract/define.ts';
import type { InputArtifact, OutputArtifact, RuntimeArtifact } from '../contract/artifacts.ts';
import { artifactInfo } from '../contract/artifacts.ts';
import { paramInfo } from '../contract/params.ts';
import type { JsonObject, JsonValue, ParameterType } from '../ir/types.ts';
import { writeFilesAtomic } from '../storage/atomic.ts';
import type { FileContent } from '../storage/atomic.ts';
import type { Env } from '../storage/uri.ts';
import { UnsupportedUriError } from '../storage/uri.ts';
import { inputArtifactView, outputArtifactView } from './artifact-views.ts';
import { ContractError, describeValue, fieldError, parseField } from './errors.ts';
import { executorInputSchema } from './executor-input.ts';
import type { ExecutorInput, ExecutorOutput } from './executor-input.ts';
import { createLogger } from './log.ts';
import { serve } from './serve.ts';
import type { LogStream } from './log.ts';

export interface ExecutorIO {
  stdout?: LogStream;
  stderr?: LogStream;
  /** Called with the exit code once everything is written; `main()` passes `process.exit`. */
  exit?: (code: number) => void;
  env?: Env;
  /** Forwarded to run() as `ctx.signal`. */
  signal?: AbortSignal;
}

const USAGE = 'usage: main.ts --component <name> (--executor_input <json> | --executor_input_file <path>)';

/** Runs one component of `components` as selected by argv; resolves to the exit code (0 ok, 1 failed). */
export async function runExecutor(components: readonly Component[], argv: readonly string[], io: ExecutorIO = {}): Promise<number> {
  const stderr = io.stderr ?? process.stderr;
  let code = 0;
  try {
    await execute(components, argv, {
      stdout: io.stdout ?? process.stdout,
      stderr,
      env: io.env ?? process.env,
      signal: io.signal ?? new AbortController().signal,
    });
  } catch (err) {
    reportError(stderr, err);
    code = 1;
  }
  io.exit?.(code);
  return code;
}

// Kubernetes (and so Vertex) sends SIGKILL 30 s after SIGTERM; leave run() time to cancel remote work.
const TERMINATION_GRACE_MS = 25_000;

/** Entrypoint helper for a package's `src/main.ts`: `await main(components)`. */
export async function main(components: readonly Component[]): Promise<void> {
  if (process.argv[2] === '--serve') return serve(components);
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    const exitCode = signal === 'SIGINT' ? 130 : 143;
    if (controller.signal.aborted) process.exit(exitCode);
    controller.abort(new Error(`received ${signal}`));
    setTimeout(() => process.exit(exitCode), TERMINATION_GRACE_MS).unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // process.exit: an idle client keep-alive socket must not hold a finished task open.
  await runExecutor(components, process.argv.slice(2), { exit: (c) => process.exit(c), signal: controller.signal });
}

interface Runtime { stdout: LogStream; stderr: LogStream; env: Env; signal: AbortSignal }

async function execute(components: readonly Component[], argv: readonly string[], rt: Runtime): Promise<void> {
  const cli = parseCli(argv);
  if (cli.help) {
    rt.stdout.write(`${USAGE}\ncomponents: ${components.map((c) => `${c.name}@${c.version}`).join(', ')}\n`);
    return;
  }
  const component = components.find((c) => c.name === cli.component);
  if (!component) {
    throw fieldError('--component', `unknown component (this entrypoint runs: ${components.map((c) => c.name).join(', ')})`, cli.component);
  }
  const executorInput = parseField(executorInputSchema, await readExecutorInput(cli), '');
  const { inputs, outputs } = collect((problems) => ({
    inputs: resolveInputs(component, executorInput, rt.env, problems),
    outputs: resolveOutputs(component, executorInput, rt.env, problems),
  }));

  const created = await prepareOutputPaths(Object.values(outputs));
  const log = createLogger({ component: component.name, stream: rt.stderr });
  const started = Date.now();
  try {
    log.info('started', { version: component.version });
    const ctx = { inputs, outputs, log, executorInput, signal: rt.signal } as RunContext<Component['inputs'], Component['outputs']>;
    const result: unknown = await component.run(ctx);
    const files = collect((problems) => executorOutputFiles(component, executorInput, result, outputs, problems));
    await writeFilesAtomic(files);
  } catch (err) {
    // No partial outputs: drop what run() created before failing.
    await Promise.all(created.map((p) => rm(p, { recursive: true, force: true })));
    throw err;
  }
  log.info('succeeded', { durationMs: Date.now() - started });
}

interface Cli { component: string | undefined; executorInput: string | undefined; executorInputFile: string | undefined; help: boolean }

function parseCli(argv: readonly string[]): Cli {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        component: { type: 'string' },
        executor_input: { type: 'string' },
        executor_input_file: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new ContractError([`arguments: ${(err as Error).message} (${USAGE})`]);
  }
  const cli = { component: values.component, executorInput: values.executor_input, executorInputFile: values.executor_input_file, help: values.help === true };
  if (cli.help) return cli;
  if (cli.component === undefined) throw fieldError('--component', `required (${USAGE})`, undefined);
  if ((cli.executorInput === undefined) === (cli.executorInputFile === undefined)) {
    throw new ContractError([`arguments: pass exactly one of --executor_input and --executor_input_file (${USAGE})`]);
  }
  return cli;
}

async function readExecutorInput(cli: Cli): Promise<unknown> {
  let text = cli.executorInput;
  const field = text !== undefined ? '--executor_input' : '--executor_input_file';
  if (text === undefined) {
    try {
      text = await readFile(cli.executorInputFile!, 'utf8');
    } catch (err) {
      throw fieldError(field, `cannot read file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, cli.executorInputFile);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw fieldError(field, `malformed JSON (${(err as Error).message})`, text);
  }
}

/** Runs `f` with a problem list; throws one ContractError naming every bad field at once. */
function collect<T>(f: (problems: string[]) => T): T {
  const problems: string[] = [];
  const value = f(problems);
  if (problems.length) throw new ContractError(problems);
  return value;
}

function attempt(problems: string[], f: () => void): void {
  try {
    f();
  } catch (err) {
    if (!(err instanceof ContractError)) throw err;
    problems.push(...err.problems);
  }
}

function resolveInputs(component: Component, ei: ExecutorInput, env: Env, problems: string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(component.inputs)) {
    attempt(problems, () => {
      const art = artifactInfo(schema);
      if (!art) {
        // A missing value falls back to the schema default, as the launcher's `addDefaultParams` does.
        values[key] = parseParam(schema, ei.inputs.parameterValues[key], `inputs.parameterValues.${key}`, 'missing required parameter');
        return;
      }
      const field = `inputs.artifacts.${key}`;
      const entries = ei.inputs.artifacts[key]?.artifacts;
      if (art.list) {
        if (entries === undefined) {
          if (!art.optional) throw fieldError(field, `missing required artifact list (expected ${art.type})`, undefined);
          values[key] = undefined;
          return;
        }
        values[key] = (parseField(schema, entries, `${field}.artifacts`) as RuntimeArtifact[]).map((a) => inputArtifactView(a, env));
        return;
      }
      if (entries === undefined || entries.length === 0) {
        if (!art.optional) throw fieldError(field, `missing required artifact (expected ${art.type})`, undefined);
        values[key] = undefined;
        return;
      }
      if (entries.length > 1) throw fieldError(`${field}.artifacts`, 'expected exactly one artifact', entries);
      values[key] = inputArtifactView(parseField(schema, entries[0], `${field}.artifacts[0]`) as RuntimeArtifact, env) satisfies InputArtifact;
    });
  }
  return values;
}

function resolveOutputs(component: Component, ei: ExecutorInput, env: Env, problems: string[]): Record<string, OutputArtifact> {
  const views: Record<string, OutputArtifact> = {};
  for (const [key, schema] of Object.entries(component.outputs)) {
    if (!artifactInfo(schema)) continue;
    attempt(problems, () => {
      const entries = ei.outputs.artifacts[key]?.artifacts ?? [];
      if (entries.length !== 1) {
        throw fieldError(`outputs.artifacts.${key}.artifacts`, 'expected exactly one provisioned output artifact', entries[0] === undefined ? undefined : entries);
      }
      views[key] = outputArtifactView(parseField(schema, entries[0], `outputs.artifacts.${key}.artifacts[0]`) as RuntimeArtifact, env);
    });
  }
  return views;
}

const TYPE_PHRASE: Partial<Record<ParameterType, string>> = {
  STRING: 'a string', NUMBER_INTEGER: 'an integer', NUMBER_DOUBLE: 'a number', BOOLEAN: 'a boolean', LIST: 'a list', STRUCT: 'an object',
};

/** parseField worded with the parameter's IR type (zod would name only the JS type: "number" for an int). */
function parseParam(schema: z.ZodType, value: unknown, field: string, missing: string): unknown {
  const type = paramInfo(field, schema).parameterType;
  const expected = TYPE_PHRASE[type] ?? type;
  if (value === undefined && !schema.safeParse(undefined).success) throw fieldError(field, `${missing} (expected ${expected})`, undefined);
  return parseField(schema, value, field, expected);
}

const exists = (p: string) => access(p).then(() => true, () => false);

/** Creates parent folders of output artifacts (as KFP's Python executor does); returns paths to drop on failure. */
async function prepareOutputPaths(outputs: OutputArtifact[]): Promise<string[]> {
  const fresh: string[] = [];
  for (const o of outputs) {
    let path: string;
    try {
      path = o.path;
    } catch (err) {
      // e.g. a google.* output whose payload lives in a cloud service, not under a mount.
      if (err instanceof UnsupportedUriError) continue;
      throw err;
    }
    if (!(await exists(path))) fresh.push(path);
    await mkdir(dirname(path), { recursive: true });
  }
  return fresh;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
}

/** Problems that would make `value` change or fail under JSON.stringify (NaN, Date, undefined in lists, ...). */
function jsonProblems(value: unknown, field: string): string[] {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return [];
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [`${field}: expected a JSON value, received ${describeValue(value)}`];
  if (Array.isArray(value)) return value.flatMap((v, i) => jsonProblems(v, `${field}[${i}]`));
  if (isPlainObject(value)) return Object.entries(value).flatMap(([k, v]) => (v === undefined ? [] : jsonProblems(v, `${field}.${k}`)));
  return [`${field}: expected a JSON value, received ${describeValue(value)} (${Object.prototype.toString.call(value)})`];
}

function executorOutputFiles(
  component: Component, ei: ExecutorInput, result: unknown, outputs: Record<string, OutputArtifact>, problems: string[],
): FileContent[] {
  const paramKeys = Object.keys(component.outputs).filter((k) => !artifactInfo(component.outputs[k]!));
  const returned = result ?? {};
  if (!isPlainObject(returned)) {
    problems.push(`run() result: expected an object of output parameters, received ${describeValue(result)}`);
    return [];
  }
  const parameterValues: Record<string, JsonValue> = {};
  for (const key of paramKeys) {
    attempt(problems, () => {
      const field = `outputs.parameters.${key}`;
      const value: unknown = parseParam(component.outputs[key]!, returned[key], field, 'missing output parameter');
      const bad = jsonProblems(value, field);
      if (bad.length) throw new ContractError(bad);
      parameterValues[key] = value as JsonValue;
    });
  }
  for (const key of Object.keys(returned)) {
    if (!paramKeys.includes(key)) problems.push(`outputs.parameters.${key}: not an output parameter of ${component.name}, received ${describeValue(returned[key])}`);
  }
  const artifacts: NonNullable<ExecutorOutput['artifacts']> = {};
  for (const [key, view] of Object.entries(outputs)) {
    const field = `outputs.artifacts.${key}`;
    if (typeof view.uri !== 'string' || view.uri === '') problems.push(`${field}.uri: expected a non-empty URI, received ${describeValue(view.uri)}`);
    if (!isPlainObject(view.metadata)) problems.push(`${field}.metadata: expected an object, received ${describeValue(view.metadata)}`);
    else problems.push(...jsonProblems(view.metadata, `${field}.metadata`));
    artifacts[key] = { artifacts: [{ name: view.name, uri: view.uri, metadata: view.metadata as JsonObject }] };
  }
  if (problems.length) return [];

  const executorOutput: ExecutorOutput = {};
  if (Object.keys(parameterValues).length) executorOutput.parameterValues = parameterValues;
  if (Object.keys(artifacts).length) executorOutput.artifacts = artifacts;
  const files: FileContent[] = [];
  for (const [key, value] of Object.entries(parameterValues)) {
    const outputFile = ei.outputs.parameters[key]?.outputFile;
    // Text form the launcher parses back (`TextToPbValue`): strings raw, everything else JSON.
    if (outputFile) files.push({ path: outputFile, content: typeof value === 'string' ? value : JSON.stringify(value) });
  }
  // Last, so the file the launcher treats as the task's result appears only when everything else did.
  files.push({ path: ei.outputs.outputFile, content: JSON.stringify(executorOutput) });
  return files;
}

function reportError(stderr: LogStream, err: unknown): void {
  if (err instanceof ContractError) {
    for (const p of err.problems) stderr.write(`error: ${p}\n`);
  } else if (err instanceof Error) {
    stderr.write(`error: ${err.message}\n`);
    const frames = err.stack?.split('\n').slice(1).join('\n');
    if (frames) stderr.write(`${frames}\n`);
  } else {
    stderr.write(`error: ${describeValue(err)}\n`);
  }
}
