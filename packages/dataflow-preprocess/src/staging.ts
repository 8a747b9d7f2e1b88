// All-or-nothing outputs: every output artifact is written under a hidden sibling name and renamed into place
// only after all of them are complete; on failure the staged files are removed, so no partial output remains.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export class Staging {
  readonly #staged: { temp: string; path: string }[] = [];
  #committed = false;

  #temp(path: string): string {
    const temp = join(dirname(path), `.${basename(path)}.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
    this.#staged.push({ temp, path });
    return temp;
  }

  /** A fresh folder that becomes `path` on commit. */
  async dir(path: string): Promise<string> {
    const temp = this.#temp(path);
    await mkdir(temp, { recursive: true });
    return temp;
  }

  /** A file with `content` that becomes `path` on commit. */
  async file(path: string, content: string): Promise<void> {
    const temp = this.#temp(path);
    await mkdir(dirname(temp), { recursive: true });
    await writeFile(temp, content);
  }

  /** Renames every staged output into place (replacing what is there). */
  async commit(): Promise<void> {
    for (const { temp, path } of this.#staged) {
      await rm(path, { recursive: true, force: true });
      await rename(temp, path);
    }
    this.#committed = true;
  }

  /** Removes what was staged and not committed. */
  async discard(): Promise<void> {
    if (this.#committed) return;
    await Promise.all(this.#staged.map(({ temp }) => rm(temp, { recursive: true, force: true })));
  }
}
