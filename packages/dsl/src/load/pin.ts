// Is a component URL pinned to a version? Loading from a branch or `latest` makes a pipeline change under
// its author's feet, so the loader wants a tag, a commit or a digest in the path.

// Branch names and tags that move; `heads` catches `refs/heads/<branch>` forms.
const MOVING_REFS = new Set(['master', 'main', 'head', 'heads', 'latest']);
const COMMIT = /^[0-9a-f]{40}$/i;
const DIGEST = /(?:^|@)sha256:[0-9a-f]{64}$/i;
// v1.2.0, 2.14.0, sdk-2.14.0, release-1.8, google-cloud-pipeline-components-2.22.0, 2.0.0-rc.1
const VERSION_TAG = /^(?:[A-Za-z][\w.-]*?[-_])?v?\d+(?:\.\d+)+(?:[-+][0-9A-Za-z.-]+)?$/;

function segments(url: URL): string[] {
  return url.pathname.split('/').filter(Boolean).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
}

/** Why `url` is not pinned to a version, or undefined when it is. */
export function unpinnedReason(url: URL): string | undefined {
  const segs = segments(url);
  const moving = segs.find((s) => MOVING_REFS.has(s.toLowerCase()));
  if (moving !== undefined) return `"${moving}" in the path is a moving ref`;
  if (!segs.some((s) => COMMIT.test(s) || DIGEST.test(s) || VERSION_TAG.test(s))) {
    return 'the path has no version tag (like /v1.2.0/ or /sdk-2.14.0/), 40-hex commit or sha256: digest';
  }
  return undefined;
}
