import test from 'ava';
import { applyOperations, MAX_PROFILE_BYTES } from '../../../src/banner/domain/profile-ops.js';

const set = (values: Record<string, unknown>) => ({ op: '$set' as const, values });

test('a profile stored past the byte bound before there was one may shrink or keep its size, not grow', (t) => {
  // What an earlier version let a client store: 30 MB made every update take ~1 s.
  const legacy = { blob: 'x'.repeat(2 * MAX_PROFILE_BYTES), level: 1 };
  t.deepEqual(applyOperations(legacy, [set({ level: 2 })]), { ...legacy, level: 2 }, 'same size');
  t.deepEqual(applyOperations(legacy, [{ op: '$unset', names: ['blob'] }]), { level: 1 });
  t.throws(() => applyOperations(legacy, [set({ note: 'grows' })]), {
    message: /^a profile holds at most 131072 bytes of JSON \(128 KB\); this update would make it \d+$/,
  });
  t.is(applyOperations(legacy, [{ op: '$delete' }]), null);
});

test('the bound counts UTF-8 bytes of the JSON, not characters', (t) => {
  // 3 bytes a character: 50,000 characters are 150,000 bytes.
  t.throws(() => applyOperations(null, [set({ name: '€'.repeat(50_000) })]), { message: /150\d{3}$/ });
  const fits = 'a'.repeat(MAX_PROFILE_BYTES - '{"name":""}'.length);
  t.deepEqual(applyOperations(null, [set({ name: fits })]), { name: fits }, 'exactly at the bound');
  t.throws(() => applyOperations(null, [set({ name: `${fits}a` })]));
});
