// A zod I/O shape -> the IR interface (inputDefinitions / outputDefinitions). Shared by defineComponent
// and the DSL (container components, pipeline inputs), so every producer of IR maps schemas the same way.
import type { z } from 'zod';
import type {
  InputArtifactDef, InputParameterDef, InputsSpec, OutputArtifactDef, OutputParameterDef, OutputsSpec,
} from '../ir/types.ts';
import { artifactInfo, artifactTypeSchema } from './artifacts.ts';
import { paramInfo, UnsupportedSchemaError } from './params.ts';

// Inputs/outputs become Python-style identifiers in KFP (function parameters, placeholder keys).
const IO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function entries(direction: 'inputs' | 'outputs', shape: Record<string, unknown>): [string, z.ZodType][] {
  return Object.entries(shape).map(([key, schema]) => {
    if (!IO_NAME.test(key)) throw new UnsupportedSchemaError(`${direction}.${key}: name must match ${IO_NAME}`);
    if (typeof schema !== 'object' || schema === null || !('_zod' in schema)) {
      throw new UnsupportedSchemaError(`${direction}.${key}: expected a zod schema or artifact(...), got ${typeof schema}`);
    }
    return [key, schema as z.ZodType];
  });
}

function nonEmpty<P, A>(parameters: Record<string, P>, artifacts: Record<string, A>): { parameters?: Record<string, P>; artifacts?: Record<string, A> } {
  return {
    ...(Object.keys(parameters).length > 0 && { parameters }),
    ...(Object.keys(artifacts).length > 0 && { artifacts }),
  };
}

/** IR input definitions of a zod input shape; empty maps are omitted, as in the proto3 JSON. */
export function inputsSpecFromShape(shape: Record<string, unknown>): InputsSpec {
  const parameters: Record<string, InputParameterDef> = {};
  const artifacts: Record<string, InputArtifactDef> = {};
  for (const [key, schema] of entries('inputs', shape)) {
    const art = artifactInfo(schema);
    if (art) {
      artifacts[key] = {
        artifactType: artifactTypeSchema(art.type),
        ...(art.list && { isArtifactList: true }),
        ...(art.optional && { isOptional: true }),
        ...(schema.description !== undefined && { description: schema.description }),
      };
      continue;
    }
    const p = paramInfo(`inputs.${key}`, schema);
    parameters[key] = {
      parameterType: p.parameterType,
      ...(p.defaultValue !== undefined && { defaultValue: p.defaultValue }),
      ...(p.isOptional && { isOptional: true }),
      ...(p.description !== undefined && { description: p.description }),
      ...(p.literals && { literals: p.literals }),
    };
  }
  return nonEmpty(parameters, artifacts);
}

/** IR output definitions of a zod output shape (container outputs: single artifacts, required parameters). */
export function outputsSpecFromShape(shape: Record<string, unknown>): OutputsSpec {
  const parameters: Record<string, OutputParameterDef> = {};
  const artifacts: Record<string, OutputArtifactDef> = {};
  for (const [key, schema] of entries('outputs', shape)) {
    const art = artifactInfo(schema);
    if (art) {
      // The launcher provisions exactly one artifact per output, and every output must be produced.
      if (art.list || art.optional) throw new UnsupportedSchemaError(`outputs.${key}: an output artifact cannot be a list or optional`);
      artifacts[key] = {
        artifactType: artifactTypeSchema(art.type),
        ...(schema.description !== undefined && { description: schema.description }),
      };
      continue;
    }
    const p = paramInfo(`outputs.${key}`, schema);
    if (p.isOptional) throw new UnsupportedSchemaError(`outputs.${key}: an output parameter cannot be optional or have a default`);
    parameters[key] = { parameterType: p.parameterType, ...(p.description !== undefined && { description: p.description }) };
  }
  return nonEmpty(parameters, artifacts);
}
