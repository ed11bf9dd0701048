// The services run as they run in their images: `node dist/main.js`, the esbuild bundle of src/main.ts
// with the workspace packages and most npm dependencies inlined (scripts/build-service.mjs). `npm start`, the tests and the benchmark
// start them this way, so what they measure and check is the artifact that ships, and start-up does not
// pay for compiling TypeScript on every start.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type ServiceName = 'users' | 'shifts';

const ROOT = resolve(import.meta.dirname, '../..');

/** What a service's bundle is built from. */
const SOURCES = (name: ServiceName) => [
  `services/${name}/src`,
  `services/${name}/migrations`,
  `services/${name}/package.json`,
  'packages/service-kit/src',
  'packages/contract/src',
  'scripts/build-service.mjs',
];

/** The newest modification time of a file, or of any file under a folder (0 when it does not exist). */
export function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function serviceBundle(name: ServiceName): string {
  return join(ROOT, `services/${name}/dist/main.js`);
}

/** Builds the service's bundle when it is missing or older than any of its sources (about a second). */
export function ensureServiceBuilt(name: ServiceName, log: (line: string) => void = () => {}): string {
  const bundle = serviceBundle(name);
  const built = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
  const sources = Math.max(...SOURCES(name).map((p) => newestMtime(join(ROOT, p))));
  if (built < sources) {
    log(`building the ${name} service (services/${name}/dist)...`);
    execFileSync(process.execPath, [join(ROOT, 'scripts/build-service.mjs')], {
      cwd: join(ROOT, `services/${name}`),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return bundle;
}

/** Node's arguments to run a service: its bundle, with source maps so stack traces name the sources. */
export function serviceArgs(name: ServiceName, nodeOptions: string[] = []): string[] {
  return ['--enable-source-maps', ...nodeOptions, ensureServiceBuilt(name)];
}
