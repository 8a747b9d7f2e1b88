// ExecutorInput / ExecutorOutput (pipeline_spec.proto) in proto3-JSON form, as the KFP driver hands
// them to a container and the container writes them back. Empty maps are omitted, as protojson does.
import type { ArtifactTypeSchema, JsonObject, JsonValue } from '@formalize/common';

export interface RuntimeArtifact {
  name?: string;
  type: ArtifactTypeSchema;
  uri: string;
  metadata?: JsonObject;
  /** Overrides the local path of the artifact (`RuntimeArtifact.custom_path`). */
  customPath?: string;
}

export interface ArtifactList {
  artifacts: RuntimeArtifact[];
}

export interface ExecutorInput {
  inputs: {
    artifacts?: Record<string, ArtifactList>;
    parameterValues?: Record<string, JsonValue>;
  };
  outputs: {
    parameters?: Record<string, { outputFile: string }>;
    artifacts?: Record<string, ArtifactList>;
    outputFile: string;
  };
}

/** What a component may write to `outputs.outputFile`; unknown fields are ignored. */
export interface ExecutorOutput {
  parameterValues?: Record<string, JsonValue>;
  artifacts?: Record<string, { artifacts?: Partial<RuntimeArtifact>[] }>;
}
