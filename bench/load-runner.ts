/**
 * Runs one autocannon load in its own process (so the generator is never the process
 * being measured) and sends back req/s, latencies and status counts. The request spec
 * comes as JSON in argv[2]; `{uid}` in the path or body is replaced per request by a
 * user id drawn uniformly from 0..users-1.
 */
import autocannon from 'autocannon';

interface LoadSpec {
  url: string;
  alsoUrls?: string[];
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  users: number;
  connections: number;
  seconds: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const pick = () => `u${Math.floor(Math.random() * spec.users)}`;

/** One autocannon instance per target, the connections split between them. */
function run(url: string, connections: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) =>
    autocannon(
      {
        url,
        connections,
        duration: spec.seconds,
        requests: [
          {
            method: spec.method,
            headers: spec.headers,
            setupRequest: (req) => {
              const uid = pick();
              return {
                ...req,
                path: spec.path.replaceAll('{uid}', uid),
                ...(spec.body ? { body: spec.body.replaceAll('{uid}', uid) } : {}),
              };
            },
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    ),
  );
}

const urls = [spec.url, ...(spec.alsoUrls ?? [])];
const share = (i: number) =>
  Math.floor(spec.connections / urls.length) + (i < spec.connections % urls.length ? 1 : 0);

// Disconnecting lets the process end: the IPC channel would keep it alive.
const done = () => process.disconnect?.();
Promise.all(urls.map((u, i) => run(u, share(i)))).then(
  (results) => {
    const total = results.reduce((n, r) => n + r.requests.total, 0);
    // Over several targets: req/s add up, p50 is the request-weighted mean of theirs and
    // p99 the worst of theirs (autocannon gives percentiles, not mergeable histograms).
    process.send?.(
      {
        rps: results.reduce((n, r) => n + r.requests.average, 0),
        p50: results.reduce((n, r) => n + r.latency.p50 * r.requests.total, 0) / Math.max(1, total),
        p99: Math.max(...results.map((r) => r.latency.p99)),
        non2xx: results.reduce((n, r) => n + r.non2xx, 0),
        errors: results.reduce((n, r) => n + r.errors + r.timeouts, 0),
        total,
      },
      done,
    );
  },
  (err: unknown) => process.send?.({ error: String(err) }, done),
);
