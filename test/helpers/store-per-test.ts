import type { ExecutionContext } from 'ava';

/** A store adapter opened for one test, as the contract suites take it. */
export interface OpenedStore<S> {
  store: S;
  close(): Promise<void>;
}

/** Opens a fresh store for the calling test, closed when the test ends: how every contract suite gets one. */
export function storePerTest<S>(open: () => Promise<OpenedStore<S>>): (t: ExecutionContext) => Promise<S> {
  return async (t) => {
    const opened = await open();
    t.teardown(() => opened.close());
    return opened.store;
  };
}
