// What /readyz answers: ready only when migrations are done, the database answers, and we are not
// draining. Liveness (/healthz) is deliberately none of this: a database outage must not restart pods.
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export class Readiness {
  draining = false;
  migrated = false;
  /** Set while runService applies migrations: the schema may not exist yet, so API routes answer 503. */
  migrating = false;
  private readonly checks: ReadinessCheck[] = [];

  add(check: ReadinessCheck): void {
    this.checks.push(check);
  }

  async evaluate(): Promise<{ ready: boolean; checks: Record<string, string> }> {
    const checks: Record<string, string> = {
      draining: this.draining ? 'fail: shutting down' : 'ok',
      migrations: this.migrated ? 'ok' : 'fail: not yet applied',
    };
    await Promise.all(
      this.checks.map(async (c) => {
        try {
          await c.check();
          checks[c.name] = 'ok';
        } catch (err) {
          checks[c.name] = `fail: ${(err as Error).message}`;
        }
      }),
    );
    return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
  }
}
