// Registering the base model: a new version of the model family in the model registry, labelled
// `base_model: "1"` (the label the seed's build-model pipeline declared and never applied, seed bug 5). The
// embedded registry lives in the ML Metadata store the runner names in FORMALIZE_METADATA_STORE; a Vertex
// Model Registry backend implements the same ModelRegistry interface (docs/registry.md in common).
import type { JsonObject } from '@formalize/common';
import { openTaskStore } from '@formalize/common/metadata';
import { LABEL, openRegistry, type ModelVersion } from '@formalize/common/registry';

export const BASE_MODEL_LABELS = { [LABEL.baseModel]: '1' } as const;

export interface BaseModelRegistration {
  family: string;
  uri: string;
  metadata: JsonObject;
  description: string;
  project?: string;
}

export async function registerBaseModel(reg: BaseModelRegistration, env: Record<string, string | undefined> = process.env): Promise<ModelVersion> {
  const store = await openTaskStore(env, 'the ML Metadata store holding the model registry');
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
