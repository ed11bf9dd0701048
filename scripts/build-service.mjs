#!/usr/bin/env node
// Production build of one service (run by `npm run build -w @shiftstack/<service>`, cwd = the service folder).
//
// The workspace packages (@shiftstack/service-kit, @shiftstack/contract) export TypeScript source, so the
// service cannot run from plain `node` without a build: this bundles src/main.ts, the workspace packages
// and the npm dependencies into dist/ (main.js and its chunks). Loading some 1,300 modules file by file was
// half of a service's start-up (670 ms to ready; about 430 ms bundled). Only the packages in KEEP_EXTERNAL
// stay packages, installed next to the bundle by `npm ci --omit=dev` in the image, which installs every
// production dependency, so their licences and versions stay visible to scanners (bundled licences are
// gathered in the chunks' .LEGAL.txt files).
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const serviceDir = process.cwd();
const entry = join(serviceDir, 'src/main.ts');
const outfile = join(serviceDir, 'dist/main.js');

function readPackageJson(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

if (!existsSync(entry)) {
  console.error(`build-service: ${entry} does not exist`);
  process.exit(1);
}

/** Packages that must be loaded from node_modules at run time, and why. */
const KEEP_EXTERNAL = [
  // OpenTelemetry's instrumentation patches pg as it is loaded; inside the bundle it could not.
  'pg',
  'pg-native',
  // Reads its WebAssembly and data files from its own package folder.
  '@electric-sql/pglite',
  // Transports (pino-pretty) run in worker threads that load modules by package name.
  'pino',
  'pino-pretty',
  // Serves the docs UI's files from its own package folder.
  '@fastify/swagger-ui',
  // Loaded only when tracing is on, and must load before what it instruments.
  '@opentelemetry/*',
];

const result = await build({
  entryPoints: [entry],
  outdir: dirname(outfile),
  // main.ts starts tracing before it imports the service: split there, so the service's own imports (http,
  // pg, fastify) load after the instrumentation is in place; in one file they would be hoisted above it.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  // Stack traces need the mappings only; the sources' text would make every start parse megabytes.
  sourcesContent: false,
  // Subpath imports (`pg/lib/...`, `@electric-sql/pglite/contrib/btree_gist`) follow their package.
  external: KEEP_EXTERNAL,
  // Bundled code that still calls require() (rare in ESM sources) gets a real one instead of a crash.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
  write: false,
});

// Each file is replaced whole (written aside, then renamed over the old one): a service starting while
// another process rebuilds (`npm start`, a test run) reads the old bundle or the new one, never half of one.
// Chunks before the entry, so a new main.js never names a chunk not written yet; then old chunks go.
const outputs = [...result.outputFiles].sort(
  (a, b) => Number(a.path === outfile) - Number(b.path === outfile),
);
for (const file of outputs) {
  mkdirSync(dirname(file.path), { recursive: true });
  const aside = `${file.path}.${process.pid}.tmp`;
  writeFileSync(aside, file.contents);
  renameSync(aside, file.path);
}
const chunks = join(dirname(outfile), 'chunks');
const written = new Set(outputs.map((f) => f.path));
for (const name of existsSync(chunks) ? readdirSync(chunks) : [])
  if (!written.has(join(chunks, name))) rmSync(join(chunks, name), { force: true });

const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(
  `build-service: ${readPackageJson(serviceDir).name} -> dist/main.js (${(bytes / 1024).toFixed(0)} KiB with map), ` +
    `${KEEP_EXTERNAL.length} packages left external`,
);
