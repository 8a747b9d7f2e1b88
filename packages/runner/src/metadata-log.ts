// Writes a run into the metadata store (ML Metadata model) and serves the cache from it: a
// `system.PipelineRun` context per run, one execution per task with its state, resolved inputs and
// cache key, artifacts with INPUT/OUTPUT events. KFP's backend keeps its cache in MLMD the same way.
import { join } from 'node:path';
import type { JsonObject } from '@formalize/common';
import { METADATA_FILE_NAME, findCachedExecution, openSqliteStore, type MetadataStore } from '@formalize/common/metadata';
import type { CachedExecution, ExecutionLog, TaskIO } from './execution.ts';
import type { ArtifactRecord, RunRecord } from './types.ts';


const EXECUTION_TYPES = { container: 'system.ContainerExecution', importer: 'system.ImporterExecution', dag: 'system.DAGExecution' } as const;

export interface RunExecutionLog extends ExecutionLog {
  finishRun(run: RunRecord): Promise<void>;
  close(): Promise<void>;
}

export async function openExecutionLog(localRoot: string, run: RunRecord): Promise<RunExecutionLog> {
  const store = await openSqliteStore(join(localRoot, METADATA_FILE_NAME));
  const pipeline = await store.getOrCreateContext({ type: 'system.Pipeline', name: run.pipelineName });
  const runContext = await store.getOrCreateContext({
    type: 'system.PipelineRun', name: `${run.pipelineName}-${run.runId}`,
    metadata: { runId: run.runId, runDir: run.runDir, state: run.state, parameters: run.parameters },
  });
  await store.addContextChildren(pipeline.id, [runContext.id]);
  return {
    async lookupCache(key) {
      const hit = await findCachedExecution(store, key);
      if (!hit) return undefined;
      const outputs: TaskIO = { parameters: (hit.execution.metadata['output_parameters'] ?? {}) as TaskIO['parameters'], artifacts: {} };
      for (const [path, artifacts] of Object.entries(hit.outputs)) {
        outputs.artifacts[path] = artifacts.map((a) => ({ name: a.name ?? path, type: a.type, uri: a.uri, metadata: a.metadata as JsonObject }));
      }
      return { executionId: hit.execution.id, outputs } satisfies CachedExecution;
    },
    async recordExecution(task, extra) {
      const execution = await store.createExecution({
        type: EXECUTION_TYPES[task.kind], name: `${runContext.name}/${task.id}`,
        state: task.state === 'CACHED' ? 'CACHED' : task.state === 'SUCCEEDED' ? 'COMPLETE' : task.state === 'CANCELLED' ? 'CANCELED' : 'FAILED',
        metadata: {
          task_id: task.id, task_name: task.name, display_name: task.displayName, component: task.component,
          ...(task.image ? { image: task.image } : {}),
          ...(extra.cacheKey ? { cache_key: extra.cacheKey } : {}),
          ...(extra.cachedFrom ? { cached_execution_id: extra.cachedFrom } : {}),
          input_parameters: task.inputs.parameters,
          output_parameters: task.outputs.parameters,
          ...(task.error ? { error: task.error } : {}),
        },
      });
      const events: { artifactId: string; type: 'INPUT' | 'OUTPUT'; path: string }[] = [];
      const artifactIds: string[] = [];
      const link = async (type: 'INPUT' | 'OUTPUT', io: Record<string, ArtifactRecord[]>) => {
        for (const [key, list] of Object.entries(io)) {
          for (const a of list) {
            const id = await artifactId(store, a, type === 'OUTPUT' && !extra.cachedFrom);
            events.push({ artifactId: id, type, path: key });
            artifactIds.push(id);
          }
        }
      };
      await link('INPUT', task.inputs.artifacts);
      await link('OUTPUT', task.outputs.artifacts);
      if (events.length) await store.addExecutionEvents(execution.id, events);
      await store.addContextArtifactsAndExecutions(runContext.id, artifactIds, [execution.id]);
    },
    async finishRun(r) {
      await store.updateContext(runContext.id, { metadata: { runId: r.runId, runDir: r.runDir, state: r.state, parameters: r.parameters, ...(r.endTime ? { endTime: r.endTime } : {}) } });
    },
    close: () => store.close(),
  };
}

/** The artifact with this URI, created when it is new (outputs) or not yet known (inputs from outside). */
async function artifactId(store: MetadataStore, a: ArtifactRecord, fresh: boolean): Promise<string> {
  if (!fresh) {
    const [known] = await store.listArtifacts({ filter: { uri: a.uri }, orderBy: 'createTime desc', limit: 1 });
    if (known) return known.id;
  }
  const created = await store.createArtifact({ name: a.name, type: a.type, uri: a.uri, state: 'LIVE', metadata: a.metadata });
  return created.id;
}
