import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { readCatalogFile } from '../../src/offerwall/catalog-file.js';
import { OfferPageValidator } from '../../src/offerwall/catalog-schema.js';
import { tempDir } from '../helpers/temp-dir.js';

test('a catalog that is not a regular file is refused without being read; a bad one never quotes its text', async (t) => {
  const dir = await tempDir(t, 'offerd-catalog-file-');
  const validator = new OfferPageValidator();
  await mkdir(path.join(dir, 'folder'));
  const folder = await t.throwsAsync(readCatalogFile(path.join(dir, 'folder'), 1001, validator));
  t.regex(folder?.message ?? '', /is not a regular file/);

  // A config pointed at a secret must not print its first characters in a CI log.
  const secret = path.join(dir, 'passwd');
  await writeFile(secret, 'root:x:0:0:root:/root:/bin/bash\n');
  const bad = await t.throwsAsync(readCatalogFile(secret, 1001, validator));
  t.regex(bad?.message ?? '', /is not valid JSON/);
  t.false((bad?.message ?? '').includes('root:x'), bad?.message);
});
