/**
 * A start on a full disk is refused as what it is: exit 1, "failed to start", free space and
 * start again; not exit 2 "invalid configuration", which told the operator to change a
 * setting that was right (crash probe: the same start succeeded once space was freed). The
 * full disk is an `open` that fails with ENOSPC (its own file, so its own test worker).
 */
import test from 'ava';
import { openDocumentStore } from '../../../src/apis.js';
import { startFailure } from '../../../src/start-failure.js';
import { DataDirUnusableError } from '../../../src/store/document/data-dir-lock.js';
import { replaceFsFunction } from '../../helpers/fail-disk.js';
import { tempDir } from '../../helpers/temp-dir.js';

test('a data dir on a full device: exit 1, failed to start, free space; a read-only one stays a setting to fix', async (t) => {
  const dir = await tempDir(t);
  let code = 'ENOSPC';
  replaceFsFunction(
    t,
    'open',
    (open) =>
      (async (file: Parameters<typeof open>[0], ...rest: unknown[]) => {
        if (String(file).startsWith(dir))
          throw Object.assign(new Error(`${code}: refused, open '${String(file)}'`), {
            code,
            path: String(file),
          });
        return (open as (...a: unknown[]) => ReturnType<typeof open>)(file, ...rest);
      }) as typeof open,
  );

  const full = await t.throwsAsync(openDocumentStore(dir), { instanceOf: DataDirUnusableError });
  const failure = startFailure(full);
  t.is(failure?.exitCode, 1);
  t.regex(
    failure?.text ?? '',
    /^offerd: failed to start: OFFERD_DATA_DIR: cannot use the data directory .*no space left on its device \(ENOSPC\): free space on its device, then start offerd again/,
  );

  code = 'EROFS';
  const readOnly = await t.throwsAsync(openDocumentStore(dir), { instanceOf: DataDirUnusableError });
  t.like(startFailure(readOnly), { exitCode: 2 });
  t.regex(
    startFailure(readOnly)?.text ?? '',
    /^offerd: invalid configuration\nOFFERD_DATA_DIR: .*read-only file system \(EROFS\)/,
  );
});
