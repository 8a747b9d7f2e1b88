import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComponentLoadError, loadComponentFromUrl, unpinnedReason } from '../src/load/index.ts';
import { readConformance } from './conformance.ts';

// A local stand-in for a repository host: serves component files under any path ending in a known file name.
const FILES: Record<string, string> = {
  'add_component.yaml': readConformance('kfp-ir/v1-components/add_component.yaml'),
  'wait.yaml': readConformance('gcpc-ir/WaitGcpResourcesOp.yaml'),
};
const requests: string[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const name = (req.url ?? '').split('/').pop() ?? '';
    if (name === 'slow.yaml') return; // never answers: exercises the timeout
    if (name === 'latin1.yaml') {
      res.writeHead(200).end(Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9]));
      return;
    }
    const body = FILES[name];
    if (body === undefined) {
      res.writeHead(404, 'Not Found').end('no such file');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/yaml' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function urlError(url: string, opts: Parameters<typeof loadComponentFromUrl>[1] = {}): Promise<ComponentLoadError> {
  try {
    await loadComponentFromUrl(url, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(ComponentLoadError);
    expect((e as ComponentLoadError).message).toContain(url);
    return e as ComponentLoadError;
  }
  throw new Error(`loading ${url} did not fail`);
}

describe('loadComponentFromUrl against a local HTTP server', () => {
  it('loads a v1 component from a tag-pinned path', async () => {
    const c = await loadComponentFromUrl(`${base}/kubeflow/pipelines/sdk-2.14.0/components/add_component.yaml`);
    expect(c.kind).toBe('container');
    expect(c.name).toBe('add');
  });

  it('loads an IR component from a commit-pinned path and checks its SHA-256', async () => {
    const body = FILES['wait.yaml']!;
    const sha = createHash('sha256').update(body).digest('hex');
    const c = await loadComponentFromUrl(`${base}/org/repo/${'a1'.repeat(20)}/wait.yaml`, { expectedSha256: `sha256:${sha}` });
    expect(c.kind).toBe('container');
    expect(c.name).toBe('wait-gcp-resources');
  });

  it('rejects an unpinned /master/ path without fetching it', async () => {
    const before = requests.length;
    const err = await urlError(`${base}/kubeflow/pipelines/master/components/add_component.yaml`);
    expect(err.message).toContain('the URL is not pinned to a version: "master" in the path is a moving ref');
    expect(requests.length).toBe(before);
  });

  it('loads an unpinned URL when allowUnpinned is set', async () => {
    const c = await loadComponentFromUrl(`${base}/kubeflow/pipelines/main/add_component.yaml`, { allowUnpinned: true });
    expect(c.name).toBe('add');
  });

  it('gives the HTTP status and the URL on a 404', async () => {
    const url = `${base}/kubeflow/pipelines/v1.2.0/missing.yaml`;
    expect((await urlError(url)).message).toBe(`cannot load component from ${url}: HTTP 404 Not Found`);
  });

  it('rejects a body whose SHA-256 does not match', async () => {
    const err = await urlError(`${base}/kubeflow/pipelines/v1.2.0/add_component.yaml`, { expectedSha256: '0'.repeat(64) });
    expect(err.message).toMatch(/SHA-256 mismatch: the body hashes to [0-9a-f]{64}, expected 0{64}$/);
  });

  it('times out a server that does not answer', async () => {
    const err = await urlError(`${base}/x/v1.2.0/slow.yaml`, { timeoutMs: 200 });
    expect(err.message).toContain('no complete response within 200 ms');
  });

  it('rejects a body that is not UTF-8', async () => {
    expect((await urlError(`${base}/x/v1.2.0/latin1.yaml`)).message).toContain('the response body is not UTF-8 text');
  });

  it('reports a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect((await urlError(`http://127.0.0.1:${port}/x/v1.2.0/add_component.yaml`)).message).toMatch(/request failed: .*ECONNREFUSED/);
  });

  it('only accepts http and https URLs', async () => {
    expect((await urlError('file:///tmp/v1.0.0/component.yaml')).message).toContain('only http: and https: URLs can be loaded, not file:');
  });

  it('uses the fetch it is given', async () => {
    const seen: string[] = [];
    const fetchStub: typeof fetch = async (input) => {
      seen.push(String(input));
      return new Response(FILES['add_component.yaml']);
    };
    const url = 'https://raw.githubusercontent.com/kubeflow/pipelines/2.0.0/components/add.yaml';
    expect((await loadComponentFromUrl(url, { fetch: fetchStub })).name).toBe('add');
    expect(seen).toEqual([url]);
  });
});

describe('unpinnedReason', () => {
  const pinned = [
    'https://raw.githubusercontent.com/kubeflow/pipelines/v1.2.0/components/x/component.yaml',
    'https://raw.githubusercontent.com/kubeflow/pipelines/sdk-2.14.0/components/x/component.yaml',
    'https://raw.githubusercontent.com/kubeflow/pipelines/google-cloud-pipeline-components-2.22.0/x.yaml',
    'https://raw.githubusercontent.com/kubeflow/pipelines/7b70c7b95f6832772efd6fd0029a4024491a0f44/x.yaml',
    `https://us-central1-kfp.pkg.dev/proj/repo/my-template/sha256:${'ab'.repeat(32)}`,
    'https://us-central1-kfp.pkg.dev/proj/repo/my-template/v2.0.0-rc.1',
  ];
  const unpinned: [string, string][] = [
    ['https://raw.githubusercontent.com/kubeflow/pipelines/master/x.yaml', '"master"'],
    ['https://github.com/org/repo/blob/main/x.yaml', '"main"'],
    ['https://example.com/repo/HEAD/x.yaml', '"HEAD"'],
    ['https://us-central1-kfp.pkg.dev/proj/repo/my-template/latest', '"latest"'],
    ['https://example.com/components/x.yaml', 'no version tag'],
  ];
  it.each(pinned)('%s is pinned', (u) => expect(unpinnedReason(new URL(u))).toBeUndefined());
  it.each(unpinned)('%s is not pinned', (u, why) => expect(unpinnedReason(new URL(u))).toContain(why));
});
