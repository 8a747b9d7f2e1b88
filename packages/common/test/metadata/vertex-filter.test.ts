import { describe, expect, it } from 'vitest';
import { toVertexFilter, toVertexOrderBy } from '../../src/metadata/index.ts';

const RUN = 'projects/p/locations/us-central1/metadataStores/default/contexts/run-1';

describe('toVertexFilter', () => {
  it('writes the candidate-model query in Vertex filter syntax', () => {
    expect(toVertexFilter({ type: 'system.Model', metadata: { label: 'candidate_model' }, contextId: RUN }))
      .toBe(`schema_title="system.Model" AND in_context("${RUN}") AND metadata.label.string_value="candidate_model"`);
  });

  it('maps every field, state lists and metadata value types', () => {
    expect(toVertexFilter({
      type: 'system.ContainerExecution', name: 'train', state: ['COMPLETE', 'CACHED', 'CANCELED'],
      metadata: { cache_key: 'abc', epochs: 3, auc: 0.81, warm: false }, createdAfter: '2026-01-01T00:00:00Z',
    })).toBe([
      'schema_title="system.ContainerExecution"',
      'display_name="train"',
      '(state="COMPLETE" OR state="CACHED" OR state="CANCELLED")',
      'metadata.cache_key.string_value="abc"',
      'metadata.epochs.number_value=3',
      'metadata.auc.number_value=0.81',
      'metadata.warm.bool_value=false',
      'create_time>"2026-01-01T00:00:00Z"',
    ].join(' AND '));
    expect(toVertexFilter({ uri: 'gs://b/m', state: 'LIVE' })).toBe('uri="gs://b/m" AND state="LIVE"');
    expect(toVertexFilter({ type: 'system.PipelineRun', parentContextId: RUN })).toBe(`schema_title="system.PipelineRun" AND parent_contexts:"${RUN}"`);
  });

  it('quotes odd metadata keys and escapes string values', () => {
    expect(toVertexFilter({ metadata: { 'field:1': 'say "hi"\\' } })).toBe('metadata."field:1".string_value="say \\"hi\\"\\\\"');
  });

  it('gives an empty string for no filter, and order_by strings', () => {
    expect(toVertexFilter()).toBe('');
    expect(toVertexFilter({})).toBe('');
    expect(toVertexOrderBy('createTime desc')).toBe('create_time desc');
    expect(toVertexOrderBy('createTime asc')).toBe('create_time');
  });
});
