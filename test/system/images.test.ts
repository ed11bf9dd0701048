// The three production images, built for real with podman from the repository's Dockerfiles on locally made
// stand-ins for the official bases (nothing can be pulled here), then run the way Kubernetes runs them:
// read-only root, only /tmp writable, no capabilities, the image's own non-root user. Each must become
// ready and then exit 0 promptly on SIGTERM (PID 1 handles it; a PID 1 without a handler ignores SIGTERM,
// so a clean, quick exit proves the graceful path ran).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { commandMissing, needs } from '../support/system-deps';
import {
  buildBases,
  buildImage,
  inspectImage,
  localBases,
  logsOf,
  podman,
  repoRoot,
  runLocked,
  stopWithSigterm,
  waitForStatus,
} from '../../scripts/images/podman';

const dockerfiles = {
  users: 'services/Dockerfile',
  shifts: 'services/Dockerfile',
  web: 'web/Dockerfile',
} as const;
/** users and shifts come from one Dockerfile, told which service to bundle. */
const buildArgsOf = (image: Image): Record<string, string> => (image === 'web' ? {} : { SERVICE: image });
type Image = keyof typeof dockerfiles;
const tagOf = (image: Image) => `localhost/shiftstack/${image}:test`;
const containerOf = (image: Image) => `shiftstack-image-test-${image}`;

/** Graceful-shutdown budget given to the services in the run test (runtime contract: drain + timeout). */
const shutdownEnv = { SHUTDOWN_DRAIN_SECONDS: '1', SHUTDOWN_TIMEOUT_SECONDS: '5' };
const graceSeconds = 10;

function read(path: string): string {
  return readFileSync(join(repoRoot, path), 'utf8');
}

/** The stages that build the dependency layer, from the first FROM up to the image-specific build stage. */
function sharedStages(dockerfile: string): string {
  const text = read(dockerfile);
  return text.slice(text.indexOf('# --- manifests:'), text.indexOf('# --- build:'));
}

describe('Dockerfiles', () => {
  test('one Dockerfile builds both services, and refuses to guess which', () => {
    const text = read(dockerfiles.users);
    expect(text).toMatch(/^ARG SERVICE$/m); // no default: a build without SERVICE fails with a clear message
    expect(text).toContain('--build-arg SERVICE=users or SERVICE=shifts');
    for (const service of ['users', 'shifts'])
      expect(existsSync(join(repoRoot, `services/${service}/Dockerfile`))).toBe(false);
  });

  test('all three share the dependency stages, so one cached npm ci layer serves every image', () => {
    const users = sharedStages(dockerfiles.users);
    expect(users).toContain('RUN npm ci');
    expect(sharedStages(dockerfiles.web)).toBe(users);
  });

  test('the bases are build arguments defaulting to official images', () => {
    expect(read(dockerfiles.users)).toMatch(/^ARG NODE_BASE=node:20-bookworm-slim$/m);
    expect(read(dockerfiles.web)).toMatch(/^ARG NGINX_BASE=nginxinc\/nginx-unprivileged:[\w.-]+$/m);
  });
});

const ok =
  needs('podman', commandMissing('podman', ['--version'])) &&
  needs('debootstrap', commandMissing('debootstrap', ['--version']));

describe.skipIf(!ok)('images built and run with podman', () => {
  const sizes: Partial<Record<Image | 'node-base' | 'nginx-base', number>> = {};

  beforeAll(async () => {
    const started = Date.now();
    await buildBases();
    const basesDone = Date.now();
    // users first: it fills the shared `npm ci` layer; then shifts and web reuse it side by side.
    const build = async (image: Image) => {
      await buildImage(dockerfiles[image], tagOf(image), buildArgsOf(image));
      sizes[image] = (await inspectImage(tagOf(image))).size;
    };
    await build('users');
    await Promise.all([build('shifts'), build('web')]);
    sizes['node-base'] = (await inspectImage(localBases.NODE_BASE)).size;
    sizes['nginx-base'] = (await inspectImage(localBases.NGINX_BASE)).size;
    const mb = (bytes = 0) => `${(bytes / 1e6).toFixed(0)} MB`;
    console.log(
      `images: bases ready in ${((basesDone - started) / 1000).toFixed(0)} s, three images built in ` +
        `${((Date.now() - basesDone) / 1000).toFixed(0)} s; sizes: users ${mb(sizes.users)}, shifts ${mb(sizes.shifts)}, ` +
        `web ${mb(sizes.web)} (local bases: node ${mb(sizes['node-base'])}, nginx ${mb(sizes['nginx-base'])})`,
    );
  }, 540_000);

  afterAll(async () => {
    for (const image of Object.keys(dockerfiles) as Image[]) {
      await podman(['rm', '--force', '--ignore', containerOf(image)]).catch(() => undefined);
    }
  });

  async function exec(image: Image, ...command: string[]): Promise<string> {
    return podman(['exec', containerOf(image), ...command]);
  }

  async function expectLockedDown(image: Image, uid: number): Promise<void> {
    expect(await exec(image, 'id', '-u')).toBe(String(uid));
    // Read-only root, writable /tmp.
    await expect(exec(image, 'sh', '-c', 'echo x > /probe')).rejects.toThrow(/Read-only file system/);
    await exec(image, 'sh', '-c', 'echo x > /tmp/probe');
    // No capabilities left in the effective set.
    expect(await exec(image, 'sh', '-c', "grep '^CapEff' /proc/self/status")).toMatch(/CapEff:\s+0+$/);
  }

  async function expectGracefulStop(image: Image): Promise<void> {
    const { exitCode, seconds } = await stopWithSigterm(containerOf(image), graceSeconds * 1000);
    if (exitCode !== 0) console.error(await logsOf(containerOf(image)));
    expect(exitCode).toBe(0);
    expect(seconds).toBeLessThan(graceSeconds);
  }

  for (const service of ['users', 'shifts'] as const) {
    test(`${service}: runs read-only as UID 10001, becomes ready on /readyz, exits 0 on SIGTERM`, async () => {
      const { config, size } = await inspectImage(tagOf(service));
      expect(config.User).toBe('10001:10001');
      expect(Object.keys(config.ExposedPorts ?? {}).sort()).toEqual(['8080/tcp', '9090/tcp']);
      expect(config.Cmd).toEqual(['node', 'dist/main.js']);
      expect(config.Labels?.['org.opencontainers.image.title']).toBe(`shiftstack-${service}`);
      expect(config.Labels?.['org.opencontainers.image.source']).toMatch(/^https:\/\//);
      // Only production dependencies and the bundle on top of the base: the dev tree alone is several times this.
      expect(size - (sizes['node-base'] ?? 0)).toBeLessThan(150e6);

      const url = await runLocked(tagOf(service), containerOf(service), 8080, {
        PGLITE_DATA_DIR: 'memory://',
        LOG_FORMAT: 'json',
        ...shutdownEnv,
        // Each service needs to know where the other is and who issues tokens; readiness depends on neither.
        ...(service === 'shifts'
          ? { USERS_URL: 'http://127.0.0.1:9' }
          : { SHIFTS_URL: 'http://127.0.0.1:9' }),
        AUTH_ISSUER: 'http://127.0.0.1:9/auth',
        AUTH_AUDIENCE: 'urn:shiftstack:api',
        AUTH_CLIENT_ID: `shiftstack-${service}`,
        AUTH_CLIENT_SECRET: 'not-a-real-secret-0123456789',
      });
      const ready = await waitForStatus(`${url}/readyz`, 200, 90_000);
      expect(await ready.json()).toMatchObject({ status: 'ready' });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      // The admin port serves Prometheus metrics (asked from inside: only the API port is published here).
      const metrics = await exec(
        service,
        'node',
        '-e',
        "fetch('http://127.0.0.1:9090/metrics').then(async (r) => { process.stdout.write(await r.text()); process.exit(r.ok ? 0 : 1); })",
      );
      expect(metrics).toContain('http_request_duration_seconds');

      expect((await exec(service, 'cat', '/proc/1/cmdline')).split('\0').filter(Boolean)).toEqual([
        'node',
        'dist/main.js',
      ]);
      expect((await exec(service, 'ls', '-A', '/app')).split('\n').sort()).toEqual([
        'dist',
        'node_modules',
        'package.json',
      ]);
      // The bundled workspace packages are not shipped again as links to missing sources.
      await expect(exec(service, 'test', '-e', '/app/node_modules/@shiftstack')).rejects.toThrow();
      await expectLockedDown(service, 10001);
      await expectGracefulStop(service);
    }, 150_000);
  }

  test('web: unprivileged nginx (UID 101) serves the app read-only and exits 0 on SIGTERM', async () => {
    const { config } = await inspectImage(tagOf('web'));
    expect(config.User).toBe('101:101');
    expect(Object.keys(config.ExposedPorts ?? {})).toEqual(['8080/tcp']);
    expect(config.Labels?.['org.opencontainers.image.title']).toBe('shiftstack-web');

    const url = await runLocked(tagOf('web'), containerOf('web'), 8080, {});
    await waitForStatus(`${url}/healthz`, 200, 30_000);
    const page = await fetch(`${url}/schedule/some/client/route`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    const asset = /(?:src|href)="(\/assets\/[^"]+)"/.exec(html)?.[1];
    expect(asset, 'index.html links a hashed asset').toBeDefined();
    const assetResponse = await fetch(`${url}${asset}`);
    expect(assetResponse.status).toBe(200);
    expect(assetResponse.headers.get('cache-control')).toContain('immutable');
    expect(page.headers.get('server')).toBe('nginx');

    // nginx's master is PID 1 (no entrypoint shell in between).
    expect(await exec('web', 'cat', '/proc/1/cmdline')).toMatch(/^nginx: master process/);
    await expectLockedDown('web', 101);
    await expectGracefulStop('web');
  }, 120_000);
});
