import { describe, expect, it } from 'vitest';
import { localPathToUri, UnsupportedUriError, uriToLocalPath } from '../src/index.ts';

describe('uriToLocalPath', () => {
  it.each([
    ['gs://bucket/run/model', '/gcs/bucket/run/model'],
    ['gs://bucket/dir/', '/gcs/bucket/dir/'],
    ['minio://mlpipeline/v2/artifacts/x', '/minio/mlpipeline/v2/artifacts/x'],
    ['s3://bucket/key', '/s3/bucket/key'],
    ['oci://registry.io/models/m:1', '/oci/registry.io_models_m:1/models'],
    ['file:///tmp/a%20b/c', '/tmp/a b/c'],
    ['/abs/local/path', '/abs/local/path'],
    ['relative/path', 'relative/path'],
  ])('%s -> %s', (uri, path) => expect(uriToLocalPath(uri, {})).toBe(path));

  it('maps gs:// under FORMALIZE_GCS_MOUNT when set', () => {
    expect(uriToLocalPath('gs://b/x/y', { FORMALIZE_GCS_MOUNT: '/tmp/fake-gcs/' })).toBe('/tmp/fake-gcs/b/x/y');
  });

  it.each([
    ['https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/l/models/1', /unsupported URI scheme "https:\/\/"/],
    ['bq://project.dataset.table', /unsupported URI scheme "bq:\/\/"/],
    ['gs://', /has no bucket/],
    ['', /empty artifact URI/],
  ])('rejects %s', (uri, message) => {
    expect(() => uriToLocalPath(uri, {})).toThrow(UnsupportedUriError);
    expect(() => uriToLocalPath(uri, {})).toThrow(message);
  });
});

describe('localPathToUri', () => {
  it('inverts the mounts', () => {
    expect(localPathToUri('/gcs/b/x', {})).toBe('gs://b/x');
    expect(localPathToUri('/minio/b/x', {})).toBe('minio://b/x');
    expect(localPathToUri('/s3/b/x', {})).toBe('s3://b/x');
    expect(localPathToUri('/mnt/gcs/b/x', { FORMALIZE_GCS_MOUNT: '/mnt/gcs' })).toBe('gs://b/x');
    expect(localPathToUri('/home/me/out', {})).toBe('/home/me/out');
    expect(localPathToUri('/gcs/', {})).toBe('/gcs/');
  });

  it('round-trips gs:// URIs', () => {
    for (const env of [{}, { FORMALIZE_GCS_MOUNT: '/tmp/m' }]) {
      expect(localPathToUri(uriToLocalPath('gs://b/p/q', env), env)).toBe('gs://b/p/q');
    }
  });
});
