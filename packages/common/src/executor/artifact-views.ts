// RuntimeArtifact JSON -> the InputArtifact / OutputArtifact objects run() works with.
import type { InputArtifact, OutputArtifact, ReadonlyJsonObject, RuntimeArtifact } from '../contract/artifacts.ts';
import type { ArtifactType } from '../contract/artifacts.ts';
import type { JsonObject } from '../ir/types.ts';
import type { Env } from '../storage/uri.ts';
import { uriToLocalPath } from '../storage/uri.ts';

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

// `customPath` (RuntimeArtifact.custom_path) overrides the URI mapping, as in the KFP launcher.
function localPath(a: { uri: string; customPath?: string | undefined }, env: Env): string {
  return a.customPath ?? uriToLocalPath(a.uri, env);
}

export function inputArtifactView(a: RuntimeArtifact, env: Env): InputArtifact {
  const { name, uri, customPath } = a;
  // Resolved on access: a google.* artifact's https resource URI has no local path, and that is fine
  // unless run() actually asks for one.
  return Object.freeze({
    name,
    uri,
    type: Object.freeze({ schemaTitle: a.type.schemaTitle as ArtifactType, schemaVersion: a.type.schemaVersion }),
    metadata: deepFreeze(structuredClone(a.metadata)) as ReadonlyJsonObject,
    get path() { return localPath({ uri, customPath }, env); },
  });
}

export function outputArtifactView(a: RuntimeArtifact, env: Env): OutputArtifact {
  const { customPath } = a;
  const view: OutputArtifact = {
    name: a.name,
    type: Object.freeze({ schemaTitle: a.type.schemaTitle as ArtifactType, schemaVersion: a.type.schemaVersion }),
    uri: a.uri,
    metadata: structuredClone(a.metadata) as JsonObject,
    get path() { return localPath({ uri: view.uri, customPath }, env); },
  };
  return Object.seal(view);
}
