import type { ExecutionContext } from 'ava';
import { loadConfig } from '../../src/config/load-config.js';
import { startService } from '../../src/main.js';
import { checkedFetch } from './openapi-check.js';

/** The service with 127.0.0.1 as a trusted proxy (the shipped config otherwise): X-Forwarded-For is believed. */
export async function startBehindProxy(t: ExecutionContext) {
  const base = loadConfig({ OFFERD_STORE: 'memory', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
  const service = await startService(
    { ...base, http: { ...base.http, trustedProxies: ['127.0.0.1'] } },
    { watch: false },
  );
  t.teardown(() => service.stop());
  const url = `http://127.0.0.1:${service.port}`;
  return {
    ...service,
    url,
    config: base,
    fetch: (path: string, init?: RequestInit) => checkedFetch(`${url}${path}`, init),
  };
}
