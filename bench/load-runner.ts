/**
 * Runs one autocannon load in its own process (so the generator is never the process
 * being measured) and sends back req/s, latencies and status counts. The request spec
 * comes as JSON in argv[2]; `{uid}` in the path or body is replaced per request by a
 * user id drawn uniformly from 0..users-1.
 */
import autocannon from 'autocannon';

interface LoadSpec {
  url: string;
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

autocannon(
  {
    url: spec.url,
    connections: spec.connections,
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
  (err, result) => {
    // Disconnecting lets the process end: the IPC channel would keep it alive.
    const done = () => process.disconnect?.();
    if (err) {
      process.send?.({ error: String(err) }, done);
      return;
    }
    process.send?.(
      {
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
        total: result.requests.total,
      },
      done,
    );
  },
);
