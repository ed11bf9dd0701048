// What the shutdown tests (shutdown.test.ts, shutdown.postgres.test.ts) do to a real users process: start
// it, send a body in two halves with a signal between, wait for its exit.
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll } from 'vitest';
import { startServiceProcess, type ServiceProcess } from '../../support/service-process';
import { asTestAdmin } from '../../support/auth';

const started: ServiceProcess[] = [];
/** Kills, after the file, any process a test left running. */
export const killLeftovers = () =>
  afterAll(async () => {
    for (const p of started) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  });

export async function start(env: Record<string, string>) {
  const p = await startServiceProcess('users', env);
  started.push(p);
  return p;
}

export async function exitWithin(p: ServiceProcess, ms: number): Promise<number | null | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  const result = await Promise.race([p.exited, timedOut]);
  clearTimeout(timer);
  return result;
}

/** Polls until `check` is true, at most `ms`. */
export async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await sleep(50);
  }
  return false;
}

/**
 * POSTs a location with the body sent in two halves: the first now, the rest after `betweenMs`, with
 * `midway` (e.g. sending SIGTERM) run between. Resolves with the status and parsed body.
 */
export async function slowPost(url: string, body: unknown, midway: () => void, betweenMs: number) {
  const authorization = `Bearer ${await asTestAdmin()}`;
  const payload = Buffer.from(JSON.stringify(body));
  const half = Math.floor(payload.length / 2);
  return new Promise<{ status: number; body: Record<string, unknown>; connection?: string }>(
    (resolve, reject) => {
      const req = request(
        `${url}/api/v1/locations`,
        {
          method: 'POST',
          agent: false,
          headers: {
            'content-type': 'application/json',
            'content-length': String(payload.length),
            authorization,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            try {
              resolve({
                status: res.statusCode ?? 0,
                body: JSON.parse(text) as Record<string, unknown>,
                connection: res.headers.connection,
              });
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          });
        },
      );
      req.on('error', reject);
      req.flushHeaders();
      req.write(payload.subarray(0, half));
      // Let the server receive the headers and half the body before the signal.
      setTimeout(() => {
        midway();
        setTimeout(() => req.end(payload.subarray(half)), betweenMs);
      }, 250);
    },
  );
}
