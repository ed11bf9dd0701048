// `npm start`: the whole system on this machine. Ctrl-C stops everything cleanly.
import { startSystem } from './local/system';

const env = process.env;
const say = (line: string) => process.stdout.write(`[shiftstack] ${line}\n`);

const system = await startSystem({
  port: Number(env.PORT ?? 8080),
  host: env.HOST ?? '127.0.0.1',
  ...(env.USERS_PORT ? { usersPort: Number(env.USERS_PORT) } : {}),
  ...(env.SHIFTS_PORT ? { shiftsPort: Number(env.SHIFTS_PORT) } : {}),
  ...(env.ISSUER_PORT ? { issuerPort: Number(env.ISSUER_PORT) } : {}),
  dataDir: env.DATA_DIR,
  usersDatabaseUrl: env.USERS_DATABASE_URL,
  shiftsDatabaseUrl: env.SHIFTS_DATABASE_URL,
  log: say,
}).catch((err: unknown) => {
  say(`could not start: ${(err as Error).message}`);
  process.exit(1);
});

say(`ready:
  schedule board   ${system.url}/   (sign in: pick a demo person; no passwords, development only)
  sign-in issuer   ${system.issuerUrl}   (a token for curl: npm run token -- --as <email>)
  users API        ${system.url}/api/v1/users      (docs: ${system.usersUrl}/docs)
  shifts API       ${system.url}/api/v1/shifts?start[gte]=...&start[lt]=...   (docs: ${system.shiftsUrl}/docs)
  metrics          http://127.0.0.1:9101/metrics (users), http://127.0.0.1:9102/metrics (shifts)
  Press Ctrl-C to stop.`);

let stopping = false;
let firstSignalAt = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // npm forwards Ctrl-C to us as well as the terminal sending it: the same keypress arrives twice.
    if (stopping && Date.now() - firstSignalAt < 1000) return;
    if (stopping) {
      say('stopping now');
      process.exit(1);
    }
    stopping = true;
    firstSignalAt = Date.now();
    say('stopping... (press Ctrl-C again to stop at once)');
    void system.stop().then(() => {
      say('stopped');
      process.exit(0);
    });
  });
}

void system.exited.then(({ service, code }) => {
  if (stopping) return;
  say(`${service} exited unexpectedly (code ${code}); stopping everything`);
  void system.stop().then(() => process.exit(1));
});
