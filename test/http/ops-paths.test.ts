import test from 'ava';
import { httpRequest, rawRequest } from '../helpers/raw-http.js';
import { startTestService } from '../helpers/start-test-service.js';

// Hostile probe: /metrics also answered 200 (no token set) on /METRICS, //metrics and /metrics/,
// so a proxy rule denying exactly /metrics (docs/security.md) kept nothing private.
test('/healthz, /readyz and /metrics answer only their exact path; any other spelling is the neutral 404', async (t) => {
  const s = await startTestService(t);
  const port = s.port;
  for (const path of ['/healthz', '/readyz', '/metrics', '/metrics?x=1', 'http://127.0.0.1/metrics']) {
    t.is((await rawRequest(port, httpRequest('GET', path))).status, 200, path);
  }
  const variants = [
    '/METRICS',
    '//metrics',
    '/metrics/',
    '/Metrics',
    '///metrics',
    '/HEALTHZ',
    '/readyz/',
    '//healthz',
  ];
  for (const path of variants) {
    for (const method of ['GET', 'HEAD', 'POST']) {
      const res = await rawRequest(port, httpRequest(method, path));
      t.is(res.status, 404, `${method} ${path}`);
      if (method !== 'HEAD')
        t.like(JSON.parse(res.body), { error: { code: 'NOT_FOUND', message: 'Not found' } });
    }
  }
});
