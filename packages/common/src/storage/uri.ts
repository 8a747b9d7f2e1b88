// Artifact URI <-> local path, as the KFP launcher maps them (`launcher_v2.go::LocalPathForURI`,
// `artifact_types.py::Artifact._get_path`): object stores are FUSE-mounted under a fixed root in the container.
import { fileURLToPath } from 'node:url';

export type Env = Record<string, string | undefined>;

/** Set to a folder to play the `/gcs` mount locally (`gs://b/x` -> `$FORMALIZE_GCS_MOUNT/b/x`). */
export const GCS_MOUNT_ENV = 'FORMALIZE_GCS_MOUNT';

export class UnsupportedUriError extends Error {
  override name = 'UnsupportedUriError';
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

function gcsRoot(env: Env): string {
  const mount = env[GCS_MOUNT_ENV];
  return mount ? mount.replace(/\/+$/, '') : '/gcs';
}

/** Local path of an artifact URI; plain paths (absolute or relative) are returned unchanged. */
export function uriToLocalPath(uri: string, env: Env = process.env): string {
  if (uri === '') throw new UnsupportedUriError('empty artifact URI has no local path');
  const m = SCHEME.exec(uri);
  if (!m) return uri;
  const scheme = m[1]!.toLowerCase();
  const rest = uri.slice(m[0].length);
  if (scheme === 'file') return fileURLToPath(uri);
  if (rest === '' || rest.startsWith('/')) throw new UnsupportedUriError(`URI "${uri}" has no bucket`);
  switch (scheme) {
    case 'gs': return `${gcsRoot(env)}/${rest}`;
    case 'minio': return `/minio/${rest}`;
    case 's3': return `/s3/${rest}`;
    // OCI model references are pulled into a per-reference folder (`launcher_v2.go`).
    case 'oci': return `/oci/${rest.replaceAll('/', '_')}/models`;
    default:
      throw new UnsupportedUriError(
        `unsupported URI scheme "${scheme}://" in "${uri}" (supported: gs://, s3://, minio://, oci://, file://, local paths)`,
      );
  }
}

/** Inverse of `uriToLocalPath` for mounted object stores; any other path is already its own URI. */
export function localPathToUri(path: string, env: Env = process.env): string {
  const roots: [string, string][] = [[`${gcsRoot(env)}/`, 'gs://'], ['/gcs/', 'gs://'], ['/minio/', 'minio://'], ['/s3/', 's3://']];
  for (const [root, scheme] of roots) if (path.startsWith(root) && path.length > root.length) return scheme + path.slice(root.length);
  return path;
}
