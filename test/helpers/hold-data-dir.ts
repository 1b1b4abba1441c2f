/**
 * A process of its own that opens the embedded store in the dir named by its argument,
 * stores one profile, prints its pid once that is acknowledged, and holds the store
 * until killed (SIGTERM closes it first). See holdDataDir.
 */
import { openDocumentStore } from '../../src/apis.js';

const store = await openDocumentStore(process.argv[2] ?? '');
await store.profiles.update('demo', [
  { kind: 'user', id: 'held', operations: [{ op: '$set', values: { by: process.pid } }] },
]);
process.once('SIGTERM', () => {
  void store.close().then(() => process.exit(0));
});
process.stdout.write(`holding ${process.pid}\n`);
// Keeps the process alive until a signal ends it.
setInterval(() => undefined, 1 << 30);
