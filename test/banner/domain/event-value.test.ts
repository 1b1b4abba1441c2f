import test from 'ava';
import { conflictingValues, valueProperties } from '../../../src/banner/domain/event-value.js';
import { testExperiment } from '../../helpers/experiments.js';

const PURCHASE = 'SpecialOfferPopupPurchased';
const valued = (id: string, value: string, status: 'running' | 'paused' | 'stopped' = 'running') =>
  testExperiment(id, { status, metrics: { primary: PURCHASE, primaryValue: value, secondary: [] } });

test('an event keeps the value property of the first experiment not stopped that measures it', (t) => {
  t.deepEqual([...valueProperties([valued('a', 'revenue'), valued('b', 'price')])], [[PURCHASE, 'revenue']]);
  // A stopped experiment takes only late events from before its end: it never decides a running one's property.
  t.deepEqual(
    [...valueProperties([valued('old', 'revenue', 'stopped'), valued('b', 'price')])],
    [[PURCHASE, 'price']],
  );
  t.deepEqual([...valueProperties([valued('p', 'revenue', 'paused')])], [[PURCHASE, 'revenue']]);
});

test('a stopped experiment alone still values its event: a purchase from before the stop, delivered after it, keeps its revenue', (t) => {
  t.deepEqual([...valueProperties([valued('old', 'revenue', 'stopped')])], [[PURCHASE, 'revenue']]);
  t.deepEqual(
    [...valueProperties([valued('old', 'revenue', 'stopped'), valued('older', 'price', 'stopped')])],
    [[PURCHASE, 'revenue']],
  );
});

test('experiments measuring one event from different properties are the conflicts validate warns of', (t) => {
  const conflicts = conflictingValues([
    valued('a', 'revenue'),
    valued('same', 'revenue'),
    valued('b', 'price'),
    valued('old', 'amount', 'stopped'),
  ]);
  t.deepEqual(
    conflicts.map(([e, first]) => [e.id, first.id]),
    [['b', 'a']],
  );
});
