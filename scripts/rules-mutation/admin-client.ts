const ADMIN = { Authorization: 'Bearer demo-admin-token' };

export interface AppStatus {
  active: { version: string; hash: string } | null;
  lastError: { at: string; hash: string | null; problems: string[] } | null;
}

/** The admin calls the suite makes: reload (the watcher's code path) and the rules status. */
export class AdminClient {
  constructor(
    private readonly url: string,
    private readonly appId = 'demo',
  ) {}

  async reload(): Promise<{ status: number; body: string }> {
    const res = await fetch(`${this.url}/admin/rules/reload?app=${this.appId}`, {
      method: 'POST',
      headers: ADMIN,
    });
    return { status: res.status, body: await res.text() };
  }

  async status(): Promise<AppStatus> {
    const res = await fetch(`${this.url}/admin/rules`, { headers: ADMIN });
    if (!res.ok) throw new Error(`GET /admin/rules: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { apps: ({ appId: string } & AppStatus)[] };
    const app = body.apps.find((a) => a.appId === this.appId);
    if (!app) throw new Error(`GET /admin/rules lists no app '${this.appId}'`);
    return app;
  }

  /** Polls the status until `done` holds; the last status read, and whether it held in time. */
  async waitFor(
    done: (s: AppStatus) => boolean,
    timeoutMs: number,
  ): Promise<{ ok: boolean; status: AppStatus }> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const status = await this.status();
      if (done(status)) return { ok: true, status };
      if (performance.now() > deadline) return { ok: false, status };
      await new Promise((r) => setTimeout(r, 40));
    }
  }
}
