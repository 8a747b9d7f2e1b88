import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ARTIFACT_TYPES, artifact, artifactInfo, isArtifactType, UnknownArtifactTypeError, type ArtifactType } from '../src/index.ts';

const runtime = (schemaTitle: string, extra: object = {}) => ({ name: 'a', type: { schemaTitle, schemaVersion: '0.0.1' }, uri: 'gs://b/a', metadata: { k: 1 }, ...extra });

describe('artifact types', () => {
  it('lists the KFP system and GCPC google types, all schemaVersion 0.0.1', () => {
    const titles = ARTIFACT_TYPES.map((t) => t.schemaTitle);
    for (const t of ['system.Artifact', 'system.Dataset', 'system.Model', 'system.Metrics', 'system.ClassificationMetrics',
      'system.SlicedClassificationMetrics', 'system.HTML', 'system.Markdown', 'google.BQTable', 'google.VertexDataset',
      'google.VertexModel', 'google.VertexEndpoint', 'google.BQMLModel', 'google.VertexBatchPredictionJob',
      'google.UnmanagedContainerModel']) expect(titles).toContain(t);
    expect(new Set(ARTIFACT_TYPES.map((t) => t.schemaVersion))).toEqual(new Set(['0.0.1']));
    expect(isArtifactType('system.Model')).toBe(true);
    expect(isArtifactType('tfx.Examples')).toBe(false);
  });

  it('artifact() rejects unknown types at runtime too', () => {
    expect(() => artifact('tfx.Examples' as ArtifactType)).toThrow(UnknownArtifactTypeError);
    expect(() => artifact('tfx.Examples' as ArtifactType)).toThrow(/unknown artifact type "tfx.Examples" \(known: system.Artifact/);
  });
});

describe('artifact() schemas', () => {
  it('carry their brand, also through .describe() clones', () => {
    const s = artifact('system.Model', { optional: true });
    expect(s.artifactType).toBe('system.Model');
    expect(s.isOptionalArtifact).toBe(true);
    expect(s.isArtifactList).toBe(false);
    expect(artifactInfo(s)).toEqual({ type: 'system.Model', list: false, optional: true });
    expect(artifactInfo(s.describe('later'))).toEqual({ type: 'system.Model', list: false, optional: true });
    expect(artifactInfo(z.object({}))).toBeUndefined();
    expect(artifact('system.HTML', { description: 'report' }).description).toBe('report');
  });

  it('validate RuntimeArtifact JSON and fill proto3 defaults', () => {
    expect(artifact('system.Model').parse({ type: { schemaTitle: 'system.Model' }, uri: 'gs://b/m' }))
      .toEqual({ name: '', type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, uri: 'gs://b/m', metadata: {} });
  });

  it('accept only the declared type; system.Artifact accepts any known type', () => {
    expect(artifact('system.Model').safeParse(runtime('system.Model')).success).toBe(true);
    const wrong = artifact('system.Model').safeParse(runtime('system.Dataset'));
    expect(wrong.error?.issues[0]).toMatchObject({ path: ['type', 'schemaTitle'], message: 'expected artifact type system.Model' });
    expect(artifact('system.Artifact').safeParse(runtime('google.BQTable')).success).toBe(true);
    const unknown = artifact('system.Artifact').safeParse(runtime('acme.Thing'));
    expect(unknown.error?.issues[0]).toMatchObject({ path: ['type', 'schemaTitle'], message: 'unknown artifact type' });
  });

  it('list artifacts validate every element', () => {
    const s = artifact('system.Dataset', { list: true });
    expect(s.isArtifactList).toBe(true);
    expect(s.parse([runtime('system.Dataset'), runtime('system.Dataset')])).toHaveLength(2);
    expect(s.safeParse([runtime('system.Dataset'), runtime('system.Model')]).error?.issues[0]?.path).toEqual([1, 'type', 'schemaTitle']);
  });
});
