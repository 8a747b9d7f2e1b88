#!/usr/bin/env node
// The `formalize` command: argument parsing and wiring only; each command lives in src/commands/.
// Exit codes: 0 ok, 1 run failed / files stale, 2 bad input (nothing written), 130 cancelled.
// Commands are imported when chosen, so `runs` or `--help` do not load the compiler and runner.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { RunCommandOptions } from './commands/run.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerWarehouseCommand } from './commands/warehouse.ts';
import { EXIT, isUsageError } from './errors.ts';

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];
const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected an integer >= 1, received '${value}'`);
  return n;
};
const pipelineRoot = () => new Option('--pipeline-root <dir|gs://...>', 'pipeline root holding the runs (default: .formalize)');
const json = () => new Option('--json', 'machine-readable output');

type RunFlags = Omit<RunCommandOptions, 'param' | 'artifact' | 'imageMap' | 'failFast' | 'json'> & { param?: string[]; artifact?: string[]; imageMap?: string[]; failFast?: boolean; json?: boolean };

let exitCode: number = EXIT.ok;
const program = new Command('formalize')
  .description('Compile TypeScript KFP pipelines and run them on this machine with Vertex AI Pipelines semantics')
  .version((JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version)
  .showHelpAfterError('(add --help for usage)')
  // One prefix for every error, whether commander or a command found it.
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'formalize: ')) })
  .addHelpText('after', `
Examples:
  formalize compile                                       compile every pipeline of the workspace
  formalize run pipelines/compiled/hello-pipeline.yaml -p name=you
  formalize runs                                          the runs under .formalize/
  formalize show <run id>                                 tasks, states, outputs of one run
  formalize lineage <artifact uri>                        what produced an artifact, from what
  formalize warehouse generate --table p.d.t --rows 1000000 --seed 1   synthetic taxi trips
  formalize demo continuous-training --steps 5 --drift-step 3          retuning on drift, a best model that only improves

Exit codes: 0 ok, 1 run failed (or compiled files stale), 2 bad input, 130 cancelled.`)
  .exitOverride();

program.command('compile')
  .description('compile TypeScript pipeline specs to IR YAML (no specs: every pipeline of the workspace)')
  .argument('[spec...]', 'pipeline spec modules (.ts) whose default export is a pipeline')
  .option('--out <dir>', 'output folder (default: pipelines/compiled of the workspace)')
  .option('--check', 'write nothing; exit 1 when a compiled file is stale or missing')
  .addOption(json())
  .action(async (specs: string[], o: { out?: string; check?: boolean; json?: boolean }) => {
    exitCode = await (await import('./commands/compile.ts')).compileCommand(specs, { ...o, check: o.check === true, json: o.json === true });
  });

program.command('run')
  .description('run a pipeline (spec .ts or compiled .yaml) on this machine')
  .argument('<pipeline>', 'pipeline spec (.ts) or compiled IR (.yaml, .yml)')
  .option('-p, --param <name=value>', 'pipeline parameter (repeatable), typed by the pipeline inputs', collect)
  .option('-a, --artifact <name=uri>', 'pipeline input artifact: a local path or gs:// URI (repeatable; repeat a name for a list)', collect)
  .option('--parallelism <n>', 'container tasks running at once (default: number of CPUs)', positiveInt)
  .option('--no-cache', 'run every task, ignoring cached results')
  .option('--fail-fast', 'start no new task once one failed (default: fail slow, independent tasks go on)')
  .addOption(new Option('--launcher <kind>', 'where container tasks run (auto: workspace components as processes, other images in Docker)').choices(['auto', 'process', 'docker']).default('auto'))
  .option('--image-map <image=host|image>', 'run the commands of an image on this machine (=host) or in a local stand-in image (repeatable)', collect)
  .addOption(new Option('--network <mode>', 'network of Docker tasks: none (loopback only) or host').choices(['none', 'host']).default('none'))
  .addOption(new Option('--pull <policy>', 'where Docker images come from: never (the local image store only), missing (pull what it lacks) or always (pull each image once per run)').choices(['never', 'missing', 'always']).default('never'))
  .addOption(pipelineRoot())
  .option('--run-id <id>', 'run id (default: timestamp + random suffix)')
  .option('--json', 'print every run event, then the final run record, as JSON lines')
  .addHelpText('after', `
Examples:
  formalize run pipelines/compiled/hello-pipeline.yaml -p name=you -p times=2
  formalize run my-pipeline.ts --no-cache --parallelism 4
  formalize run golden.yaml --image-map alpine=host                   alpine's commands run here
  formalize run golden.yaml --launcher docker --image-map gcr.io/x/y=formalize/busybox:local
  formalize run pipelines/compiled/data-preprocessing.yaml --launcher docker --pull always   images from their registry

Ctrl-C or SIGTERM stops the running tasks and records the run as CANCELLED (exit 130); finished tasks
are cached, so running the pipeline again picks up where it stopped.`)
  .action(async (file: string, o: RunFlags) => {
    exitCode = await (await import('./commands/run.ts')).runCommand(file, {
      ...o, param: o.param ?? [], artifact: o.artifact ?? [], imageMap: o.imageMap ?? [], failFast: o.failFast === true, json: o.json === true,
    });
  });

program.command('runs')
  .description('list the runs, newest first')
  .addOption(pipelineRoot())
  .addOption(json())
  .action(async (o: { pipelineRoot?: string; json?: boolean }) => {
    exitCode = await (await import('./commands/runs.ts')).runsCommand({ ...o, json: o.json === true });
  });

program.command('show')
  .description('show a run: tasks, states, durations, cache hits, outputs, failure')
  .argument('<run>', 'run id, unique prefix of one, run folder or run.json path')
  .addOption(pipelineRoot())
  .addOption(json())
  .action(async (ref: string, o: { pipelineRoot?: string; json?: boolean }) => {
    exitCode = await (await import('./commands/show.ts')).showCommand(ref, { ...o, json: o.json === true });
  });

program.command('lineage')
  .description('show where an artifact came from: producing executions and their inputs, recursively')
  .argument('<artifact>', 'artifact URI (or metadata store artifact id)')
  .addOption(pipelineRoot())
  .addOption(json())
  .action(async (uri: string, o: { pipelineRoot?: string; json?: boolean }) => {
    exitCode = await (await import('./commands/lineage.ts')).lineageCommand(uri, { ...o, json: o.json === true });
  });

registerWarehouseCommand(program, (code) => {
  exitCode = code;
});
registerDemoCommand(program, (code) => {
  exitCode = code;
});

try {
  await program.parseAsync();
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version output end in a "CommanderError" too; usage errors were already printed.
    exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (isUsageError(err)) {
    process.stderr.write(`formalize: ${err.message}\n`);
    exitCode = EXIT.usage;
  } else {
    process.stderr.write(`formalize: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    exitCode = EXIT.failed;
  }
}
process.exit(exitCode);
