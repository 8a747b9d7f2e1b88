// The registry (docker/registry.sh) requires credentials: a push without them is refused, and the push tool
// says so, naming the image and the registry and how to log in. Reads need them too.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerStatus, pushedImage, ROOT, tempDir } from './harness.ts';

describe('registry authentication', () => {
  it('nx push without credentials is refused, and the error says so', () => {
    const noLogin = tempDir('formalize-no-login-');
    const r = spawnSync(process.execPath, [join(ROOT, 'docker/src/cli.ts'), 'push', 'hello'], { encoding: 'utf8', env: { ...process.env, DOCKER_CONFIG: noLogin } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error: push of localhost:5000\/formalize\/hello:0\.1\.0 refused: registry localhost:5000 requires credentials and none were accepted \(log in first: docker login localhost:5000\); docker said: .*(no basic auth credentials|unauthorized)/);
  });

  it('a pull without credentials is refused', () => {
    const r = dockerStatus(['pull', pushedImage('hello').image], { ...process.env, DOCKER_CONFIG: tempDir('formalize-no-login-') });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no basic auth credentials|unauthorized/);
  });
});
