// The web image's nginx configuration (web/nginx/), run with Debian's real nginx on a loopback port against a
// tiny built app: security headers on every response, the single-page-app fallback, caching rules, gzip,
// /healthz, and no version leaks. The image test (images.test.ts) checks the same file inside the image.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { commandMissing, needs } from '../support/system-deps';

const nginxDir = resolve(import.meta.dirname, '../../web/nginx');
const asset = '/assets/index-Bq3xYz12.js';
const script = `// a hashed bundle\n${'export const board = "schedule";\n'.repeat(40)}`;
const indexHtml = `<!doctype html><html><head><script type="module" src="${asset}"></script></head><body><div id="root"></div></body></html>\n`;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/**
 * web/nginx/nginx.conf with the three container paths pointed at a temp folder: the listen port, the document
 * root, and /tmp (pid and temp files). Each replacement must apply, so a change to the file fails loudly here.
 */
function localConfig(dir: string, port: number): string {
  const replacements: [string, string][] = [
    // First: the other new paths are themselves under the machine's /tmp.
    ['/tmp/', `${dir}/run/`],
    ['listen 8080;', `listen 127.0.0.1:${port};`],
    ['root /usr/share/nginx/html;', `root ${dir}/html;`],
  ];
  let config = readFileSync(join(nginxDir, 'nginx.conf'), 'utf8');
  for (const [from, to] of replacements) {
    expect(config, `nginx.conf contains ${from}`).toContain(from);
    config = config.replaceAll(from, to);
  }
  return config;
}

const ok = needs('nginx', commandMissing('nginx', ['-v']));

describe.skipIf(!ok)('web nginx configuration (real nginx)', () => {
  let dir: string;
  let nginx: ChildProcess;
  let port: number;
  let stderr = '';

  function get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
    return new Promise((done, fail) => {
      const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      });
      req.on('error', fail);
      req.end();
    });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shiftstack-web-nginx-'));
    port = await freePort();
    mkdirSync(join(dir, 'html/assets'), { recursive: true });
    mkdirSync(join(dir, 'run'));
    writeFileSync(join(dir, 'html/index.html'), indexHtml);
    writeFileSync(join(dir, `html${asset}`), script);
    writeFileSync(join(dir, 'html/favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dir, 'nginx.conf'), localConfig(dir, port));
    copyFileSync(join(nginxDir, 'security-headers.conf'), join(dir, 'security-headers.conf'));
    mkdirSync(join(dir, 'board'));
    copyFileSync(join(nginxDir, 'board/connect-src.conf'), join(dir, 'board/connect-src.conf'));
    copyFileSync('/etc/nginx/mime.types', join(dir, 'mime.types'));
    // Started as root, nginx's workers drop to nobody: they must be able to read the files.
    for (const path of [dir, join(dir, 'html'), join(dir, 'html/assets'), join(dir, 'run')])
      chmodSync(path, 0o755);

    nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    nginx.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        if ((await get('/healthz')).status === 200) break;
      } catch {
        // not listening yet
      }
      if (nginx.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start: ${stderr}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((done) => nginx.once('exit', done));
      nginx.kill('SIGQUIT');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function expectSecurityHeaders(reply: Reply): void {
    const csp = String(reply.headers['content-security-policy']);
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "object-src 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-inline');
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(reply.headers['permissions-policy']).toContain('camera=()');
    expect(reply.headers['x-frame-options']).toBe('DENY');
    // server_tokens off: the product name only, never its version.
    expect(reply.headers.server).toBe('nginx');
  }

  test('/healthz answers 200 without touching the app', async () => {
    const reply = await get('/healthz');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body.toString())).toEqual({ status: 'ok' });
  });

  test('index.html is revalidated on every visit and carries the security headers', async () => {
    for (const path of ['/', '/index.html']) {
      const reply = await get(path);
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toMatch(/^text\/html/);
      expect(reply.headers['cache-control']).toBe('no-cache');
      expect(reply.body.toString()).toBe(indexHtml);
      expectSecurityHeaders(reply);
    }
  });

  test('a client-side route falls back to index.html', async () => {
    const reply = await get('/schedule/2025-03-10?location=2');
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe(indexHtml);
    expect(reply.headers['cache-control']).toBe('no-cache');
    expectSecurityHeaders(reply);
  });

  test('hashed assets are cached for a year as immutable; a missing one is a 404, not index.html', async () => {
    const reply = await get(asset);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/javascript/);
    expect(reply.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expectSecurityHeaders(reply);

    const missing = await get('/assets/index-gone.js');
    expect(missing.status).toBe(404);
    expect(missing.body.toString()).not.toContain('<div id="root">');
    expect(missing.body.toString()).not.toMatch(/nginx\/\d/);
    expect(missing.headers['cache-control']).toBeUndefined();
    expectSecurityHeaders(missing);
  });

  test('config.json (where the board signs in) is a 404 until a ConfigMap provides it, then served uncached', async () => {
    const missing = await get('/config.json');
    expect(missing.status).toBe(404);
    expect(missing.body.toString()).not.toContain('<div id="root">');
    const config = '{"issuer":"https://id.example.com/realms/shiftstack","client_id":"shiftstack-board"}';
    writeFileSync(join(dir, 'html/config.json'), config);
    chmodSync(join(dir, 'html/config.json'), 0o644);
    try {
      const reply = await get('/config.json');
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('application/json');
      expect(reply.headers['cache-control']).toBe('no-cache');
      expect(reply.body.toString()).toBe(config);
      expectSecurityHeaders(reply);
    } finally {
      rmSync(join(dir, 'html/config.json'));
    }
  });

  test('text is served gzip-compressed to clients that accept it', async () => {
    const reply = await get(asset, { 'accept-encoding': 'gzip' });
    expect(reply.headers['content-encoding']).toBe('gzip');
    expect(reply.headers.vary).toContain('Accept-Encoding');
    expect(gunzipSync(reply.body).toString()).toBe(script);
    expect(reply.body.length).toBeLessThan(script.length);
  });

  test('a public file that is not hashed is served but not cached for long', async () => {
    const reply = await get('/favicon.svg');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('image/svg+xml');
    expect(reply.headers['cache-control']).toBe('no-cache');
  });
});
