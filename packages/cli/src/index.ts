// The commands as functions (what `formalize <command>` calls), for scripts that drive them in-process.
// Each returns the exit code; bad input throws an error that `isUsageError` recognises.
export { compileCommand, type CompileOptions } from './commands/compile.ts';
export { runCommand, type RunCommandOptions } from './commands/run.ts';
export { runsCommand, type RunsOptions } from './commands/runs.ts';
export { showCommand, type ShowOptions } from './commands/show.ts';
export { lineageCommand, type LineageOptions } from './commands/lineage.ts';
export { EXIT, UsageError, isUsageError } from './errors.ts';
