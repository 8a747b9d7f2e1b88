// The transform phase behind one interface: read every row of the table, apply the transform artifact, write
// the splits. The local engine streams the warehouse through Node; a Dataflow (Beam Flex Template) or Dataproc
// Serverless engine implements the same interface for data that lives in BigQuery, in the role GCPC's
// DataflowPythonJobOp plays: it reports the job it launched as `gcpResources`, polls that job instead of
// launching a second one when the task restarts (`previous`), and cancels it when `signal` aborts.
import type { Logger } from '@formalize/common';
import type { SplitName, TransformArtifact } from '@formalize/common/transform';
import type { TableRef } from '@formalize/common/warehouse';

/** GCPC's GcpResources JSON (the `gcp_resources` output of its long-running ops). */
export interface GcpResources {
  readonly resources: readonly { readonly resourceType: string; readonly resourceUri: string }[];
}

export interface TransformJob {
  readonly table: TableRef;
  readonly tableName: string;
  readonly artifact: TransformArtifact;
  /** Folder per split for the transformed Parquet shards, and `requests` for the raw test rows (JSON Lines). */
  readonly outputs: Readonly<Record<SplitName | 'requests', string>>;
  readonly rowsPerShard: number;
  /** Rows per split as the analysis counted them; the progress total. */
  readonly expectedRows: Readonly<Record<SplitName, number>>;
}

export interface ShardSet {
  readonly rows: number;
  /** Paths of the shards, in order. */
  readonly files: readonly string[];
}

export interface TransformJobResult {
  readonly splits: Readonly<Record<SplitName, ShardSet>>;
  /** The raw test rows without the label, row for row the rows of `splits.test`. */
  readonly requests: ShardSet;
  /** Cloud engines: the job(s) that did the work. */
  readonly gcpResources?: GcpResources;
}

export interface EngineContext {
  readonly log: Logger;
  /** Aborted on SIGTERM: stop (and cancel a cloud job), then throw. */
  readonly signal: AbortSignal;
  /** gcp_resources of an earlier attempt of this task: a cloud engine resumes polling that job. */
  readonly previous?: GcpResources;
}

export interface TransformEngine {
  readonly name: string;
  run(job: TransformJob, ctx: EngineContext): Promise<TransformJobResult>;
}
