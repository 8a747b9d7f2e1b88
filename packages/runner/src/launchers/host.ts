// Runs a task's command directly on this machine instead of in its image: the stand-in for images
// that only wrap standard tools (`alpine`, `busybox`), chosen per image with `--image-map <image>=host`.
import type { Launcher } from '../types.ts';
import { spawnLogged } from './spawn.ts';

export function createHostLauncher(opts: { images: readonly string[]; env?: NodeJS.ProcessEnv }): Launcher {
  const images = new Set(opts.images);
  return {
    name: 'host',
    async canRun(image) {
      return images.has(image);
    },
    launch(spec, signal) {
      return spawnLogged(spec.argv, { cwd: spec.cwd, env: { ...(opts.env ?? process.env), ...spec.env }, logFile: spec.logFile }, signal);
    },
  };
}
