import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load-config.js';
import { type RunningService, startService } from '../../src/main.js';
import { DocumentStore } from '../../src/store/document/document-store.js';
import type { Store } from '../../src/store/store.js';
import { type DemoData, seedEveryApi } from '../helpers/demo-data.js';
import { fullGc } from '../helpers/full-gc.js';

/** One generated request, exactly as it goes on the wire (nothing normalizes it on the way). */
export interface FuzzRequest {
  /** The family the generator targets: the envelope is judged by it, not by what the server thinks. */
  family: Family;
  method: string;
  /** Request target, sent verbatim (may be `//admin/rules`, `/%61dmin/rules`, `/admin/../admin/rules`). */
  path: string;
  /** Raw header pairs, duplicates allowed, in order. */
  headers: [string, string][];
  body?: Buffer;
  /** Send the bytes below over a plain socket instead (requests node:http refuses to write). */
  raw?: Buffer;
  /** What the generator knows about the request, for the checker. */
  note: RequestNote;
}

export type Family = 'banner' | 'track' | 'offerwall' | 'journeys' | 'admin' | 'unknown';

export interface RequestNote {
  /** The path is the family's route spelled exactly as documented (not a case or encoding variant). */
  canonicalPath: boolean;
  /** Admin: the request carries exactly one valid admin token. */
  adminTokenValid?: boolean;
  /** Track: how the reply format was asked for: one `verbose=1`, none, or ambiguous (repeated). */
  verbose?: 'yes' | 'no' | 'either';
  /** The request breaks HTTP itself (headers too large, bytes the parser refuses): answered before routing. */
  protocolError?: boolean;
  /** What the generator did, for reports: `deep-json`, `gzip-truncated`, `proto-key`, ... */
  tags: string[];
}

export interface FuzzResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The kept-alive connection failed first (reset), after this many ms: the request went again on a new one. */
  resetAfterMs?: number;
}

/** A small, fixed world: the shipped config and rules, an in-memory store seeded through the APIs. */
export interface FuzzService {
  url: string;
  port: number;
  service: RunningService;
  store: Store;
  demo: DemoData;
  stop(): Promise<void>;
}

/**
 * The config for the fuzz run: the shipped one with the journeys schedule off (no job may
 * change the store between two requests) and the catalog path made absolute.
 */
async function fuzzConfigFile(dir: string): Promise<string> {
  const shipped = path.resolve('config/offerd.yaml');
  const text = (await readFile(shipped, 'utf8'))
    .replace(/schedule: "0 \* \* \* \*"/, 'schedule: "off"')
    .replace(
      'catalog: catalogs/demo-1001.json',
      `catalog: ${path.resolve('config/catalogs/demo-1001.json')}`,
    );
  if (!text.includes('schedule: "off"'))
    throw new Error('fuzz config: could not switch the journeys schedule off');
  const file = path.join(dir, 'offerd.yaml');
  await writeFile(file, text);
  return file;
}

/**
 * The service keeps its store to itself (RunningService has no `store`): the fuzz run
 * opens it through the same class and keeps a reference while the service starts. Only
 * the port's read side (`portable`) is used.
 */
async function startCapturingStore(
  env: Record<string, string>,
): Promise<{ service: RunningService; store: Store }> {
  const open = DocumentStore.open;
  let captured: Store | undefined;
  DocumentStore.open = async (dir, apis) => {
    const store = await open.call(DocumentStore, dir, apis);
    captured = store;
    return store;
  };
  try {
    const service = await startService(loadConfig(env), { watch: false });
    if (!captured) throw new Error('fuzz: the service did not open its store through DocumentStore.open');
    return { service, store: captured };
  } finally {
    DocumentStore.open = open;
  }
}

export async function startFuzzService(): Promise<FuzzService> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'offerd-fuzz-'));
  const env = {
    OFFERD_CONFIG: await fuzzConfigFile(dir),
    OFFERD_DATA_DIR: dir,
    OFFERD_STORE: 'memory',
    OFFERD_RULES_DIR: path.resolve('rules'),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
  };
  const { service, store } = await startCapturingStore(env);
  const url = `http://127.0.0.1:${service.port}`;
  const demo = await seedEveryApi(url);
  return {
    url,
    port: service.port,
    service,
    store,
    demo,
    stop: async () => {
      agent.destroy();
      // Nothing is in flight at the end of a run; a connection the server stopped reading
      // (see keep-alive-stall) would otherwise keep stop() waiting forever.
      service.server.closeAllConnections();
      await service.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface StoreDigest {
  hash: string;
  bytes: number;
  records: number;
}

/** sha256 over every record of every collection, in stored order, through the store port's export (`portable`). */
export async function storeDigest(store: Store): Promise<StoreDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  let records = 0;
  for (const sub of Object.values(store.portable)) {
    for (const collection of sub.collections) {
      hash.update(`#${collection}\n`);
      for await (const batch of sub.exportRecords(collection)) {
        // The export builds every record in a fixed key order: JSON.stringify is canonical
        // here, and much cheaper than canonicalJson on every request.
        const text = JSON.stringify(batch);
        bytes += text.length;
        records += batch.length;
        hash.update(text);
      }
    }
  }
  return { hash: hash.digest('hex'), bytes, records };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const quietSockets = new WeakSet<object>();
export const REQUEST_TIMEOUT_MS = 10_000;

/** Sends `req` with node:http (raw header pairs, path verbatim) or over a socket when `raw`. */
export function send(port: number, req: FuzzRequest): Promise<FuzzResponse> {
  return req.raw ? sendRaw(port, req.raw) : sendHttp(port, req);
}

async function sendHttp(port: number, req: FuzzRequest): Promise<FuzzResponse> {
  const started = performance.now();
  try {
    return await sendHttpOnce(port, req, agent);
  } catch (err) {
    // A kept-alive socket the server closed in the meantime resets before the request
    // reaches it: a race of the client's, so the request goes once more on a fresh
    // connection. The caller sees how long the first try took: a reset after seconds is a
    // connection the server kept open but no longer read (see the checker).
    if ((err as { reusedSocket?: boolean }).reusedSocket) {
      const resetAfterMs = Math.round(performance.now() - started);
      return { ...(await sendHttpOnce(port, req, false)), resetAfterMs };
    }
    throw err;
  }
}

function sendHttpOnce(port: number, req: FuzzRequest, via: http.Agent | false): Promise<FuzzResponse> {
  return new Promise((resolve, reject) => {
    const flat: string[] = [];
    for (const [k, v] of req.headers) flat.push(k, v);
    if (!req.headers.some(([k]) => k.toLowerCase() === 'host')) flat.push('Host', `127.0.0.1:${port}`);
    const r = http.request({
      host: '127.0.0.1',
      port,
      method: req.method,
      path: req.path,
      headers: flat as unknown as http.OutgoingHttpHeaders,
      setHost: false,
      agent: via,
    });
    r.setTimeout(REQUEST_TIMEOUT_MS, () => r.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    r.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      reject(Object.assign(err, { reusedSocket: r.reusedSocket && /ECONNRESET|EPIPE/.test(code) }));
    });
    r.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    // The server may answer (413, 431) and close before reading a large body: that is an answer, not an error.
    r.on('socket', (s) => {
      if (!quietSockets.has(s)) {
        quietSockets.add(s);
        s.on('error', () => {});
      }
    });
    r.end(req.body);
  });
}

/** One request over its own connection (`Connection: close` is the caller's business); parses the first response. */
function sendRaw(port: number, bytes: Buffer): Promise<FuzzResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      socket.destroy();
      const data = Buffer.concat(chunks);
      const parsed = parseResponse(data);
      if (parsed) resolve(parsed);
      else
        reject(
          err ??
            new Error(
              `no complete HTTP response (${data.length} bytes: ${JSON.stringify(data.subarray(0, 80).toString('latin1'))})`,
            ),
        );
    };
    socket.setTimeout(REQUEST_TIMEOUT_MS, () =>
      finish(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)),
    );
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      if (parseResponse(Buffer.concat(chunks))) finish();
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (err) => finish(err));
    socket.write(bytes, () => socket.end());
  });
}

/** The first complete HTTP/1.1 response in `data`, or null (Content-Length, chunked, or until close). */
export function parseResponse(data: Buffer): FuzzResponse | null {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!m) return null;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const rest = data.subarray(end + 4);
  const status = Number(m[1]);
  const length = headers['content-length'];
  if (length !== undefined) {
    const n = Number(length);
    return rest.length >= n ? { status, headers, body: rest.subarray(0, n) } : null;
  }
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const body: Buffer[] = [];
    let at = 0;
    for (;;) {
      const eol = rest.indexOf('\r\n', at);
      if (eol < 0) return null;
      const size = Number.parseInt(rest.subarray(at, eol).toString('latin1'), 16);
      if (Number.isNaN(size)) return null;
      if (size === 0) return { status, headers, body: Buffer.concat(body) };
      if (rest.length < eol + 2 + size) return null;
      body.push(rest.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
  }
  // No framing: the body runs to the end of the connection, which the caller waits for.
  return status === 204 || status === 304 || rest.length === 0 ? { status, headers, body: rest } : null;
}

/** The service answers /healthz with 200. */
export async function healthy(port: number): Promise<boolean> {
  try {
    const res = await sendHttp(port, {
      family: 'unknown',
      method: 'GET',
      path: '/healthz',
      headers: [],
      note: { canonicalPath: true, tags: [] },
    });
    return res.status === 200;
  } catch {
    return false;
  }
}

export interface MemorySample {
  requests: number;
  /** heapUsed + external (buffers) after a full GC, bytes. */
  live: number;
  rss: number;
  storeBytes: number;
}

export function sampleMemory(requests: number, storeBytes: number): MemorySample {
  fullGc();
  const m = process.memoryUsage();
  return { requests, live: m.heapUsed + m.external, rss: m.rss, storeBytes };
}

/**
 * Memory must not keep growing. The live heap (heapUsed + external after two full GCs,
 * sampled at batch boundaries; fuzzer and service share the process) is compared with the
 * sample after the first batch (JIT, decision caches and pools warmed up). What the
 * fuzz legitimately adds to the store (accepted requests) may grow it, with room for the
 * in-memory indexes: the allowance is 24 MB + 8 × the growth of the store's canonical
 * export. A failure also needs the growth to be monotone over the last half of the
 * samples: one GC-timing outlier at the end does not fail a run, a steady climb does.
 */
export function memoryVerdict(samples: readonly MemorySample[]): string | null {
  if (samples.length < 3) return null;
  const base = samples[0] as MemorySample;
  const last = samples[samples.length - 1] as MemorySample;
  const allowance = 24 * 2 ** 20 + 8 * Math.max(0, last.storeBytes - base.storeBytes);
  const growth = last.live - base.live;
  if (growth <= allowance) return null;
  const tail = samples.slice(Math.floor(samples.length / 2));
  const climbing = tail.every((s, i) => i === 0 || s.live >= (tail[i - 1] as MemorySample).live);
  if (!climbing) return null;
  const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
  return `live heap grew ${mb(growth)} over ${last.requests - base.requests} requests (allowance ${mb(allowance)}), climbing: ${samples.map((s) => mb(s.live)).join(' → ')}`;
}
