#!/usr/bin/env node
// Production build of one service (run by `npm run build -w @shiftstack/<service>`, cwd = the service folder).
//
// The workspace packages (@shiftstack/service-kit, @shiftstack/contract) export TypeScript source, so the
// service cannot run from plain `node` without a build: this bundles src/main.ts with every workspace package
// inlined into dist/main.js. Every npm dependency stays external and is installed next to the bundle by
// `npm ci --omit=dev` in the image, because some load files from their own package at run time
// (@electric-sql/pglite reads its wasm and data files) and because keeping them as packages keeps their
// licences, versions and vulnerability scans visible.
import { build } from 'esbuild';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const serviceDir = process.cwd();
const entry = join(serviceDir, 'src/main.ts');
const outfile = join(serviceDir, 'dist/main.js');
const workspaceScope = '@shiftstack/';

function readPackageJson(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

/**
 * The folder of a workspace package, found through the node_modules links npm makes for workspaces (walking
 * up like Node does). Not require.resolve: the packages' `exports` do not expose package.json.
 */
function workspacePackageDir(name, fromDir) {
  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir)
      throw new Error(`build-service: workspace package ${name} not found from ${fromDir}`);
  }
}

/**
 * npm packages that must stay external: the dependencies of the service and of every workspace package it
 * reaches, followed transitively. Workspace packages themselves are bundled.
 */
function externalDependencies(dir, seen = new Set()) {
  const external = new Set();
  const pkg = readPackageJson(dir);
  for (const name of Object.keys({
    ...pkg.dependencies,
    ...pkg.peerDependencies,
    ...pkg.optionalDependencies,
  })) {
    if (!name.startsWith(workspaceScope)) {
      external.add(name);
    } else if (!seen.has(name)) {
      seen.add(name);
      for (const dep of externalDependencies(workspacePackageDir(name, dir), seen)) external.add(dep);
    }
  }
  return external;
}

/** The service imports service-kit and contract even when its package.json forgets to say so. */
function allExternals() {
  const external = externalDependencies(serviceDir);
  for (const name of ['@shiftstack/service-kit', '@shiftstack/contract']) {
    for (const dep of externalDependencies(workspacePackageDir(name, serviceDir))) external.add(dep);
  }
  return [...external].sort();
}

if (!existsSync(entry)) {
  console.error(`build-service: ${entry} does not exist`);
  process.exit(1);
}

const external = allExternals();
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
  // Subpath imports (`pg/lib/...`, `@electric-sql/pglite/contrib/btree_gist`) follow their package.
  external,
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
    `${external.length} external packages`,
);
