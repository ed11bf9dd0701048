// compose.yaml: valid for docker-compose, hardened like the Kubernetes manifests, wired to the runtime contract,
// and its front door (frontdoor.conf) routing each public path prefix to the right service, checked with real
// nginx in front of stand-in upstreams.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { commandMissing, needs } from '../../test/support/system-deps';

const repoRoot = resolve(import.meta.dirname, '../..');
const composeFile = join(repoRoot, 'compose.yaml');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
  security_opt?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
}
// Merge keys (<<) resolved, as compose does.
const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const apps = { users: 'users-db', shifts: 'shifts-db' } as const;

describe.skipIf(!needs('docker-compose', commandMissing('docker-compose', ['version'])))(
  'compose.yaml with docker-compose',
  () => {
    test('docker-compose accepts the file', () => {
      // Throws (with docker-compose's message) on any schema or interpolation error.
      execFileSync('docker-compose', ['-f', composeFile, 'config', '--quiet'], {
        cwd: repoRoot,
        stdio: 'pipe',
      });
    });
  },
);

describe('compose.yaml', () => {
  test('has the whole system: three apps, a front door, a PostgreSQL per service, Prometheus and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['frontdoor', 'grafana', 'prometheus', 'shifts', 'shifts-db', 'users', 'users-db', 'web'].sort(),
    );
  });

  test('every container is hardened: read-only root, writable /tmp only, no capabilities, no privilege escalation', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.read_only, name).toBe(true);
      expect(
        service.tmpfs?.some((mount) => mount.startsWith('/tmp:')),
        name,
      ).toBe(true);
      expect(service.cap_drop, name).toEqual(['ALL']);
      expect(service.security_opt, name).toContain('no-new-privileges:true');
    }
  });

  test('the apps are built from this checkout and named like the published images', () => {
    for (const [name, dockerfile, args] of [
      ['users', 'services/Dockerfile', { SERVICE: 'users' }],
      ['shifts', 'services/Dockerfile', { SERVICE: 'shifts' }],
      ['web', 'web/Dockerfile', undefined],
    ] as const) {
      expect(services[name]?.build).toEqual({ context: '.', dockerfile, ...(args ? { args } : {}) });
      expect(existsSync(join(repoRoot, dockerfile))).toBe(true);
      expect(services[name]?.image).toMatch(new RegExp(`^ghcr\\.io/shiftstack/${name}:`));
    }
  });

  test('each service has its own PostgreSQL 15 with a volume and a TCP readiness check', () => {
    for (const [app, db] of Object.entries(apps)) {
      const database = services[db]!;
      expect(database.image).toMatch(/^postgres:15/);
      expect(database.volumes).toEqual([`${db}-data:/var/lib/postgresql/data`]);
      expect(compose.volumes).toHaveProperty(`${db}-data`);
      expect(database.healthcheck?.test).toEqual(expect.arrayContaining(['pg_isready', '--host=127.0.0.1']));
      expect(database.ports, `${db} is reachable only inside the stack`).toBeUndefined();
      const env = services[app]!.environment!;
      expect(env.PGHOST).toBe(db);
      expect(env.PGUSER).toBe(database.environment!.POSTGRES_USER);
      expect(env.PGDATABASE).toBe(database.environment!.POSTGRES_DB);
      expect(env.PGPASSWORD).toBe(database.environment!.POSTGRES_PASSWORD);
      expect(services[app]!.depends_on?.[db]).toEqual({ condition: 'service_healthy' });
    }
    expect(services.shifts!.environment!.USERS_URL).toBe('http://users:8080');
  });

  test('everything waits for healthy dependencies, and every dependency has a health check', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(condition, `${name} -> ${dependency}`).toBe('service_healthy');
        expect(services[dependency]?.healthcheck, `${dependency} has a healthcheck`).toBeDefined();
      }
    }
  });

  test('published ports listen on loopback only', () => {
    const published = Object.values(services).flatMap((service) => service.ports ?? []);
    expect(published.sort()).toEqual(['127.0.0.1:3000:3000', '127.0.0.1:8080:8080', '127.0.0.1:9090:9090']);
  });

  test('every file mounted from the repository exists, and Prometheus scrapes every service', () => {
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        if (volume.startsWith('./'))
          expect(existsSync(join(repoRoot, volume.split(':')[0]!)), volume).toBe(true);
      }
    }
    const prometheus = readFileSync(join(repoRoot, 'deploy/observability/prometheus/prometheus.yml'), 'utf8');
    for (const app of Object.keys(apps)) expect(prometheus).toContain(`'${app}:9090'`);
  });

  test('no secret is committed: passwords come from the environment, with local-only defaults', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (/PASSWORD/.test(key))
          expect(value, `${name} ${key}`).toMatch(/^\$\{[A-Z_]+:-[a-z]+-local-only\}$/);
      }
    }
  });
});

describe.skipIf(!needs('nginx', commandMissing('nginx', ['-v'])))(
  'the front door routes by path prefix (real nginx)',
  () => {
    const upstreams = ['users', 'shifts', 'web'] as const;
    const servers: Server[] = [];
    let nginx: ChildProcess;
    let dir: string;
    let base: string;

    /** A stand-in upstream that answers with its own name and the path it received. */
    async function startUpstream(name: string): Promise<number> {
      const server = createServer((req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({ upstream: name, url: req.url, requestId: req.headers['x-request-id'] ?? null }),
        );
      });
      servers.push(server);
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      return (server.address() as AddressInfo).port;
    }

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'shiftstack-frontdoor-'));
      chmodSync(dir, 0o755);
      const probe = createServer();
      await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
      const port = (probe.address() as AddressInfo).port;
      await new Promise((done) => probe.close(done));

      let config = readFileSync(join(import.meta.dirname, 'frontdoor.conf'), 'utf8');
      const replacements: [string, string][] = [
        ['/tmp/', `${dir}/`],
        ['listen 8080;', `listen 127.0.0.1:${port};`],
      ];
      for (const name of upstreams)
        replacements.push([`server ${name}:8080;`, `server 127.0.0.1:${await startUpstream(name)};`]);
      for (const [from, to] of replacements) {
        expect(config, `frontdoor.conf contains ${from}`).toContain(from);
        config = config.replaceAll(from, to);
      }
      writeFileSync(join(dir, 'nginx.conf'), config);
      nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr'], { stdio: 'ignore' });
      base = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 10_000;
      while ((await fetch(`${base}/frontdoor/healthz`).catch(() => null))?.status !== 200) {
        if (nginx.exitCode !== null || Date.now() > deadline)
          throw new Error('front door nginx did not start');
        await new Promise((done) => setTimeout(done, 100));
      }
    });

    afterAll(async () => {
      if (nginx?.exitCode === null) {
        const exited = new Promise((done) => nginx.once('exit', done));
        nginx.kill('SIGQUIT');
        await exited;
      }
      for (const server of servers) server.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test.each([
      ['/api/v1/users', 'users'],
      ['/api/v1/users/42?fields=all', 'users'],
      ['/api/v1/users?ids=1,2,3', 'users'],
      ['/api/v1/locations', 'users'],
      ['/api/v1/roles?location_id=1', 'users'],
      ['/api/v1/time-off?from=2026-01-01&to=2026-01-02', 'users'],
      ['/api/v1/shifts?start[gte]=2025-01-01T00:00:00Z', 'shifts'],
      ['/api/v1/shifts/publish', 'shifts'],
      ['/', 'web'],
      ['/schedule/2025-03-10', 'web'],
      ['/assets/index-abc.js', 'web'],
      // Prefixes are whole path segments.
      ['/api/v1/usersettings', 'web'],
    ])('%s goes to %s with the path unchanged', async (path, upstream) => {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { upstream: string; url: string; requestId: string | null };
      expect(body).toMatchObject({ upstream, url: path });
      expect(body.requestId, 'a request id is always forwarded').toMatch(/^[0-9a-f]{32}$/);
    });

    test("a client's request id is passed through", async () => {
      const response = await fetch(`${base}/api/v1/users`, { headers: { 'x-request-id': 'trace-me-123' } });
      expect(await response.json()).toMatchObject({ requestId: 'trace-me-123' });
    });
  },
);
