// `formalize run --launcher docker` against the real local Docker daemon and formalize/busybox:local
// (scripts/ci-services.sh starts the one and builds the other; without them these tests fail, never
// skip). The pipeline's images are foreign (gcr.io/...) and mapped to the busybox stand-in.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '@formalize/runner';
import { cli, tempWorkdir, writeSpec } from './helpers.ts';

const BUSYBOX = 'formalize/busybox:local';
const SHELL_IMAGE = 'gcr.io/formalize-test/shell:1';
const STAND_IN = ['--launcher', 'docker', '--image-map', `${SHELL_IMAGE}=${BUSYBOX}`];

/** Prints `key=value` lines about the container it runs in to the file $1; $0 is a port on the host. */
const PROBE_SCRIPT = [
  'mkdir -p "$FORMALIZE_WAREHOUSE" && echo from-container > "$FORMALIZE_WAREHOUSE/probe.txt"',
  '{ echo "uid=$(id -u)"; echo "gid=$(id -g)"',
  "echo \"caps=$(awk '/^CapEff/ {print $2}' /proc/self/status)\"; echo \"nnp=$(awk '/^NoNewPrivs/ {print $2}' /proc/self/status)\"",
  'echo "links=$(ip -o link | cut -d: -f2 | tr -d " " | tr -s "\\n" " ")"',
  'echo "reach=$(echo | nc -w 3 127.0.0.1 "$0" 2>/dev/null || echo unreachable)"',
  'echo "warehouse=$FORMALIZE_WAREHOUSE"; echo "metadata=$FORMALIZE_METADATA_STORE"; } > "$1"',
].join('; ');

/**
 * write (parameter -> artifact + size) -> read (artifact -> parameter), and probe: who the container
 * runs as, its capabilities, network interfaces, whether it reaches 127.0.0.1:<port> on the host, and
 * the store locations it is given (it creates a file in the warehouse folder).
 */
const DOCKER_SPEC = `
import { z } from 'zod';
import { artifact } from '@formalize/common';
import { containerComponent, pipeline } from '@formalize/dsl';

const image = ${JSON.stringify(SHELL_IMAGE)};
const write = containerComponent({
  name: 'write', image, inputs: { text: z.string() }, outputs: { data: artifact('system.Dataset'), size: z.int() },
  command: ({ inputs, outputs }) => ['sh', '-c', 'mkdir -p "$(dirname "$1")"; printf %s "$0" > "$1"; printf %s "$0" | wc -c > "$2"', inputs.text, outputs.data.path, outputs.size],
});
const read = containerComponent({
  name: 'read', image, inputs: { data: artifact('system.Dataset') }, outputs: { Output: z.string() },
  command: ({ inputs, outputs }) => ['sh', '-c', 'cat "$0" > "$1"', inputs.data.path, outputs.Output],
});
const probe = containerComponent({
  name: 'probe', image, inputs: { port: z.int() }, outputs: { Output: z.string() },
  command: ({ inputs, outputs }) => ['sh', '-c', ${JSON.stringify(PROBE_SCRIPT)}, inputs.port, outputs.Output],
});

export default pipeline({ name: 'cli-docker', inputs: { text: z.string(), port: z.int() } }, ({ text, port }) => {
  const w = write({ text });
  return { echoed: read({ data: w.outputs.data }).output, size: w.outputs.size, data: w.outputs.data, probe: probe({ port }).output };
});
`;

let work: ReturnType<typeof tempWorkdir>;
let yamlFile: string;
let server: Server;
let port = 0;

beforeAll(async () => {
  const info = (() => {
    try {
      return execFileSync('docker', ['image', 'inspect', '--format', '{{.Id}}', BUSYBOX], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      throw new Error(`no Docker daemon with ${BUSYBOX} here (${(err as Error).message.split('\n')[0]}): run scripts/ci-services.sh as root (CI runs it before the tests)`);
    }
  })();
  expect(info).toMatch(/^sha256:/);
  work = tempWorkdir();
  writeSpec(work.dir, 'docker-spec.ts', DOCKER_SPEC);
  const r = await cli(['compile', 'docker-spec.ts', '--out', 'compiled'], work.dir);
  expect(r.code, r.stderr).toBe(0);
  yamlFile = join(work.dir, 'compiled', 'cli-docker.yaml');
  server = createServer((c) => { c.on('error', () => {}); c.end('pong\n', () => c.destroy()); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  work.cleanup();
});

function record(runDir: string): RunRecord {
  return JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunRecord;
}

/** `key=value` lines of the probe's output. */
function probeValues(text: string): Record<string, string> {
  return Object.fromEntries(text.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).trim()]));
}

describe('formalize run --launcher docker', () => {
  it('runs every task in a container of the stand-in image: outputs flow, --network none, invoking user (65532 under root), no capabilities', async () => {
    const r = await cli(['run', yamlFile, ...STAND_IN, '--param', 'text=in a container', '--param', `port=${port}`, '--run-id', 'none', '--json'], work.dir);
    expect(r.code, r.stderr).toBe(0);
    const run = record(join(work.dir, '.formalize', 'cli-docker-none'));
    expect(run.state).toBe('SUCCEEDED');
    expect(run.tasks.map((t) => [t.id, t.state, t.image]).sort()).toEqual(['probe', 'read', 'write'].map((id) => [id, 'SUCCEEDED', SHELL_IMAGE]));
    expect(run.outputs.parameters['echoed']).toBe('in a container');
    expect(run.outputs.parameters['size']).toBe(14);
    const data = run.outputs.artifacts['data']![0]!;
    expect(data.uri).toBe(join(run.runDir, 'write', 'data'));
    expect(readFileSync(data.uri, 'utf8')).toBe('in a container');

    const probe = probeValues(String(run.outputs.parameters['probe']));
    // The invoking user's uid:gid, or under root (CI) the unprivileged task user 65532; never more privileges.
    const self = process.getuid!() === 0 ? ['65532', '65532'] : [String(process.getuid!()), String(process.getgid!())];
    expect([probe['uid'], probe['gid']]).toEqual(self);
    expect(probe).toMatchObject({ caps: '0000000000000000', nnp: '1', links: 'lo', reach: 'unreachable' });
    // The pipeline root's stores, at paths inside the mounted root: what the container wrote is on the host.
    const root = join(work.dir, '.formalize');
    expect([probe['warehouse'], probe['metadata']]).toEqual([join(root, 'warehouse'), join(root, 'metadata.sqlite')]);
    expect(readFileSync(join(root, 'warehouse', 'probe.txt'), 'utf8')).toBe('from-container\n');

    // No container that mounted this pipeline root is left behind (other tests may run containers meanwhile).
    const left = execFileSync('docker', ['ps', '--all', '--quiet', '--filter', `volume=${root}`], { encoding: 'utf8' }).trim();
    expect(left).toBe('');
  });

  it('--network host reaches the host loopback', async () => {
    const r = await cli(['run', yamlFile, ...STAND_IN, '--network', 'host', '--no-cache', '--param', 'text=x', '--param', `port=${port}`, '--run-id', 'host'], work.dir);
    expect(r.code, r.stderr).toBe(0);
    const probe = probeValues(String(record(join(work.dir, '.formalize', 'cli-docker-host')).outputs.parameters['probe']));
    expect(probe['reach']).toBe('pong');
  });

  it('an image with neither a local copy nor a stand-in fails before anything starts, naming task and image', async () => {
    const { dir, cleanup } = tempWorkdir();
    try {
      const r = await cli(['run', yamlFile, '--launcher', 'docker', '--param', 'text=x', '--param', 'port=1'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`task 'probe', 'read', 'write': no launcher can run image ${SHELL_IMAGE}`);
      expect(existsSync(join(dir, '.formalize'))).toBe(false);
    } finally {
      cleanup();
    }
  });
});
