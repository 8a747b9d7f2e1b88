// Registering the base model: a new version of the model family in the model registry, labelled
// `base_model: "1"` (the label the seed's build-model pipeline declared and never applied, seed bug 5). The
// embedded registry lives in the ML Metadata store the runner names in FORMALIZE_METADATA_STORE; a Vertex
// Model Registry backend implements the same ModelRegistry interface (docs/registry.md in common).
import { ContractError, type JsonObject } from '@formalize/common';
import { openSqliteStore } from '@formalize/common/metadata';
import { LABEL, openRegistry, type ModelVersion } from '@formalize/common/registry';

export const METADATA_STORE_ENV = 'FORMALIZE_METADATA_STORE';
export const BASE_MODEL_LABELS = { [LABEL.baseModel]: '1' } as const;

export interface BaseModelRegistration {
  family: string;
  uri: string;
  metadata: JsonObject;
  description: string;
  project?: string;
}

export async function registerBaseModel(reg: BaseModelRegistration, env: Record<string, string | undefined> = process.env): Promise<ModelVersion> {
  const path = env[METADATA_STORE_ENV];
  if (!path) throw new ContractError([`${METADATA_STORE_ENV}: expected the path of the ML Metadata store holding the model registry (the local runner sets it), received nothing`]);
  const store = await openSqliteStore(path);
  try {
    return await openRegistry(store, reg.project ? { project: reg.project } : {}).registerVersion({
      family: reg.family,
      uri: reg.uri,
      labels: { ...BASE_MODEL_LABELS },
      metadata: reg.metadata,
      description: reg.description,
      // An untrained model must never be what `<family>@default` serves: it takes no alias.
      isDefaultVersion: false,
    });
  } finally {
    await store.close();
  }
}
