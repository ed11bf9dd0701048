// podman, set up the way the CI machine needs it (deploy/images/containers.conf and storage.conf), for the
// image tests and the local cluster (npm run cluster -- deploy). Every call goes through `podman()`, so the settings live in one place.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const repoRoot = resolve(import.meta.dirname, '../..');
const imagesDir = join(repoRoot, 'deploy/images');

export const podmanEnv: NodeJS.ProcessEnv = {
  ...process.env,
  CONTAINERS_CONF: join(imagesDir, 'containers.conf'),
  CONTAINERS_STORAGE_CONF: join(
    imagesDir,
    process.env.SHIFTSTACK_PODMAN_STORAGE === 'vfs' ? 'storage-vfs.conf' : 'storage.conf',
  ),
};

/** The local stand-ins for the official bases, made by deploy/images/build-bases.sh. */
export const localBases = {
  NODE_BASE: 'localhost/shiftstack-node-base:20',
  NGINX_BASE: 'localhost/shiftstack-nginx-base:bookworm',
};

export async function podman(args: string[], timeoutMs = 60_000): Promise<string> {
  const { stdout } = await run('podman', args, {
    env: podmanEnv,
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.trim();
}

export async function buildBases(): Promise<void> {
  await run('bash', [join(imagesDir, 'build-bases.sh')], { env: podmanEnv, timeout: 300_000 });
}

/**
 * Build-time mounts that let `npm ci` inside the build use this machine's npm cache (filled by the `npm ci`
 * that runs before the tests) and trust the same CA bundle as the host. They exist only while RUN steps
 * execute and never end up in a layer; the Dockerfiles are the same ones CI builds with BuildKit.
 */
function npmBuildVolumes(dir: string): string[] {
  const lines = ['prefer-offline=true', 'update-notifier=false', 'fund=false', 'audit=false'];
  const volumes: string[] = [];
  const hostCa = process.env.NODE_EXTRA_CA_CERTS;
  if (hostCa && existsSync(hostCa)) {
    volumes.push('-v', `${hostCa}:/etc/ssl/certs/host-ca.crt:ro`);
    lines.push('cafile=/etc/ssl/certs/host-ca.crt');
  }
  writeFileSync(join(dir, 'npmrc'), `${lines.join('\n')}\n`);
  volumes.push('-v', `${join(dir, 'npmrc')}:/root/.npmrc:ro`);
  const cache = join(process.env.HOME ?? '/root', '.npm');
  if (existsSync(cache)) volumes.push('-v', `${cache}:/root/.npm`);
  return volumes;
}

export async function buildImage(
  dockerfile: string,
  tag: string,
  args: Record<string, string> = {},
): Promise<void> {
  const buildArgs = Object.entries({ ...localBases, ...args }).flatMap(([name, value]) => [
    '--build-arg',
    `${name}=${value}`,
  ]);
  const npmrcDir = mkdtempSync(join(tmpdir(), 'shiftstack-npmrc-'));
  try {
    // --network=host: npm inside the build reaches the registry exactly as the host does.
    await podman(
      [
        'build',
        '--quiet',
        '--pull=never',
        '--network=host',
        ...buildArgs,
        ...npmBuildVolumes(npmrcDir),
        '-f',
        dockerfile,
        '-t',
        tag,
        repoRoot,
      ],
      480_000,
    );
  } finally {
    rmSync(npmrcDir, { recursive: true, force: true });
  }
}

export interface ImageConfig {
  User: string;
  Labels: Record<string, string> | null;
  ExposedPorts: Record<string, unknown> | null;
  StopSignal?: string;
  Cmd: string[] | null;
  Entrypoint: string[] | null;
}

export async function inspectImage(tag: string): Promise<{ size: number; config: ImageConfig }> {
  const [image] = JSON.parse(await podman(['image', 'inspect', tag])) as {
    Size: number;
    Config: ImageConfig;
  }[];
  if (!image) throw new Error(`no image ${tag}`);
  return { size: image.Size, config: image.Config };
}

/**
 * Runs an image the way the Kubernetes manifests do: its own (non-root) user, read-only root file system with
 * only /tmp writable, every capability dropped, no privilege escalation. Publishes `port` on a free loopback port.
 */
export async function runLocked(
  tag: string,
  name: string,
  port: number,
  env: Record<string, string>,
): Promise<string> {
  await podman(['rm', '--force', '--ignore', name]);
  const envArgs = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
  await podman([
    'run',
    '--detach',
    '--name',
    name,
    '--read-only',
    '--tmpfs',
    '/tmp:rw,size=64m,mode=1777',
    '--cap-drop=ALL',
    '--security-opt=no-new-privileges',
    '-p',
    `127.0.0.1::${port}`,
    ...envArgs,
    tag,
  ]);
  return `http://${await podman(['port', name, String(port)])}`;
}

export async function waitForStatus(url: string, status: number, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status === status) return response;
      last = `status ${response.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
}

/** Sends SIGTERM to the container's PID 1 and waits for it to exit; returns its exit code and how long it took. */
export async function stopWithSigterm(
  name: string,
  timeoutMs: number,
): Promise<{ exitCode: number; seconds: number }> {
  const started = Date.now();
  await podman(['kill', '--signal', 'TERM', name]);
  const exitCode = Number(await podman(['wait', name], timeoutMs));
  return { exitCode, seconds: (Date.now() - started) / 1000 };
}

export async function logsOf(name: string): Promise<string> {
  const { stdout, stderr } = await run('podman', ['logs', name], {
    env: podmanEnv,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout + stderr;
}
