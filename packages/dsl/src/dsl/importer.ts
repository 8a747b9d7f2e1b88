// The importer system component: brings an existing artifact (by URI) into the pipeline.
import { SCHEMA_VERSION_ARTIFACT, type JsonObject } from '@formalize/common';
import { ArtifactChannel, ParamChannel } from './channels.ts';
import { currentBuilder } from './graph.ts';
import { Task } from './task.ts';

export interface ImporterOptions<A extends string> {
  artifactUri: string | ParamChannel<'STRING'>;
  artifactType: A;
  reimport?: boolean;
  metadata?: JsonObject;
}

/** KFP `dsl.importer`: a task whose output `artifact` is the artifact at `artifactUri`. */
export function importer<A extends string>(opts: ImporterOptions<A>): Task<{ artifact: ArtifactChannel<A> }> {
  const b = currentBuilder('importer');
  const typeSchema = { schemaTitle: opts.artifactType, schemaVersion: SCHEMA_VERSION_ARTIFACT };
  const spec: { typeSchema: typeof typeSchema; reimport?: boolean; metadata?: JsonObject } = { typeSchema };
  if (opts.reimport) spec.reimport = true;
  if (opts.metadata) spec.metadata = opts.metadata;
  const task = new Task<{ artifact: ArtifactChannel<A> }>(b.uniqueTaskName('importer'), { kind: 'importer', name: 'importer', importer: spec, artifactType: typeSchema }, { uri: opts.artifactUri }, (t) => ({
    artifact: new ArtifactChannel(`${t.name}-artifact`, opts.artifactType, { kind: 'task-output', task: t as unknown as Task, key: 'artifact' }),
  }));
  b.addTask(task as unknown as Task);
  return task;
}
