// Shapes shared by the runner's parts: the run record (what `formalize show`, report.html and the
// live view read), launchers (how a container task's command is executed) and run events.
import type { JsonObject, JsonValue } from '@formalize/common';

/** Vertex AI PipelineTaskDetail states, plus CACHED for a cache hit (Vertex reports SKIPPED). */
export type TaskState = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED' | 'NOT_TRIGGERED' | 'CACHED' | 'CANCELLED';
export type RunState = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface ArtifactRecord {
  name: string;
  type: string;
  uri: string;
  metadata: JsonObject;
}

export interface TaskRecord {
  /** Unique within the run: DAG path joined with '.', loop iterations as `for-loop-2[1]`, e.g. `for-loop-2[1].double`. */
  id: string;
  /** Task name in its DAG (`double`), and the display name (`taskInfo.name`). */
  name: string;
  displayName: string;
  /** Parent task id ('' for tasks of the root DAG). */
  parent: string;
  kind: 'container' | 'importer' | 'dag';
  /** Component name (`comp-...`) and, for containers, the image. */
  component: string;
  image?: string;
  /** The image a container task ran (docker launcher): its local ID (`sha256:` of the image config) ... */
  imageId?: string;
  /** ... and, when it came from or went to a registry, `<repository>@sha256:<manifest digest>`. */
  imageDigest?: string;
  state: TaskState;
  /** ids of the tasks this one waited for (same DAG). */
  dependsOn: string[];
  startTime?: string;
  endTime?: string;
  attempts: number;
  cacheKey?: string;
  /** Resolved input parameter values and input artifacts. */
  inputs: { parameters: Record<string, JsonValue>; artifacts: Record<string, ArtifactRecord[]> };
  outputs: { parameters: Record<string, JsonValue>; artifacts: Record<string, ArtifactRecord[]> };
  /** Task folder (outputs, executor_input.json, executor_output.json) and log file, relative to the run folder. */
  dir: string;
  log?: string;
  error?: string;
}

export interface RunRecord {
  runId: string;
  pipelineName: string;
  /** Absolute path of the run folder: `<pipelineRoot>/<pipelineName>-<runId>`. */
  runDir: string;
  pipelineRoot: string;
  state: RunState;
  createTime: string;
  startTime: string;
  endTime?: string;
  parameters: Record<string, JsonValue>;
  /** Artifacts handed to the pipeline as inputs, when it takes any. */
  inputArtifacts?: Record<string, ArtifactRecord[]>;
  outputs: { parameters: Record<string, JsonValue>; artifacts: Record<string, ArtifactRecord[]> };
  tasks: TaskRecord[];
  /** Task id that failed first, if any. */
  failedTask?: string;
  error?: string;
}

/** A resolved container execution, ready to run. */
export interface LaunchSpec {
  taskId: string;
  image: string;
  /** command + args after placeholder resolution. */
  argv: string[];
  env: Record<string, string>;
  /** Host paths that must be visible at the same path inside a container (pipeline root). */
  mounts: string[];
  /** Stdout and stderr of the task are appended here. */
  logFile: string;
  /** Working directory (the task folder) of a task run on this machine; a container keeps its image's WORKDIR. */
  cwd: string;
}

export interface LaunchResult {
  exitCode: number | null;
  signal: string | null;
  /** The image that ran, when the launcher runs images (docker). */
  image?: { id: string; digest?: string };
}

export interface Launcher {
  readonly name: 'process' | 'docker' | 'host';
  /** Whether this launcher can run `image` here (process: a workspace component; docker: a daemon is up). */
  canRun(image: string): Promise<boolean>;
  /** Why `image` cannot run here (for the preflight error), or undefined when it can. */
  whyNot?(image: string): Promise<string | undefined>;
  /** Runs the task; aborting `signal` stops it (its whole process group / container). */
  launch(spec: LaunchSpec, signal: AbortSignal): Promise<LaunchResult>;
  /** Releases what the launcher keeps between tasks (warm workers); called when a run ends. */
  dispose?(): Promise<void>;
}

export type RunEvent =
  | { type: 'run-started'; run: RunRecord }
  | { type: 'task-updated'; run: RunRecord; task: TaskRecord }
  | { type: 'run-finished'; run: RunRecord };
