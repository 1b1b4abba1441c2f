import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const RESTORING = 'zz-restoring.yaml';

/**
 * The running service's rule files of one app, as the suite edits them, and a copy of the
 * last good ones kept outside the rules directory to restore from.
 */
export class AppDir {
  constructor(
    readonly dir: string,
    private readonly goodDir: string,
  ) {}

  /** Rule files (*.yaml) at the top of the app directory, sorted. */
  async ruleFiles(): Promise<string[]> {
    const entries = await readdir(this.dir, { withFileTypes: true }).catch(() => []);
    return entries
      .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
      .map((e) => e.name)
      .sort();
  }

  read(name: string): Promise<string> {
    return readFile(path.join(this.dir, name), 'utf8');
  }

  /** A plain write (truncate, then write), as many tools do it; recreates a removed app directory. */
  async write(name: string, data: string | Buffer): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(path.join(this.dir, name), data);
  }

  /** Write a temp file and rename it over the old one, as editors do: never seen half-written. */
  async writeAtomic(name: string, data: string | Buffer): Promise<void> {
    const tmp = path.join(this.dir, `.${name}.${process.pid}.tmp`);
    await mkdir(this.dir, { recursive: true });
    await writeFile(tmp, data);
    await rename(tmp, path.join(this.dir, name));
  }

  remove(name: string): Promise<void> {
    return rm(path.join(this.dir, name), { recursive: true, force: true });
  }

  rename(from: string, to: string): Promise<void> {
    return rename(path.join(this.dir, from), path.join(this.dir, to));
  }

  removeAll(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }

  /** Remembers the files as they are now as the last good ones. */
  async keepAsGood(): Promise<void> {
    await rm(this.goodDir, { recursive: true, force: true });
    await cp(this.dir, this.goodDir, { recursive: true });
  }

  /**
   * Puts the last good files back: extra files go, changed or missing ones are rewritten
   * atomically. The watcher may reload between any two of these steps, and a half-restored
   * directory can be valid yet not the last good version (only some Journeys files back,
   * say): an invalid placeholder file is there from the first step to the last, so every
   * state in between is refused.
   */
  async restore(): Promise<void> {
    await this.writeAtomic(RESTORING, 'restoring: [\n');
    const good = new Set(await readdir(this.goodDir));
    for (const name of await readdir(this.dir))
      if (!good.has(name) && name !== RESTORING) await this.remove(name);
    for (const name of good) {
      const from = path.join(this.goodDir, name);
      const to = path.join(this.dir, name);
      if (name === 'tests') {
        await cp(from, to, { recursive: true });
        continue;
      }
      const want = await readFile(from);
      const have = await readFile(to).catch(() => null);
      if (!have?.equals(want)) await this.writeAtomic(name, want);
    }
    await this.remove(RESTORING);
  }
}
