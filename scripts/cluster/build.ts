// Builds the local cluster's programs from the pinned Go modules in deploy/cluster (Kubernetes and etcd in
// one module, containerd in its own) and the pause image from the pause.c that ships in the kubernetes
// module. Everything lands in a cache folder outside the repository whose name is a hash of the pins, so
// a second build is a no-op and a change of pins builds into a new folder.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildKubernetesPrograms, pinnedKubernetesVersion } from '../tools/kubectl';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const moduleDir = join(repoRoot, 'deploy/cluster');
const containerdDir = join(moduleDir, 'containerd');
const corednsDir = join(moduleDir, 'coredns');

const KUBERNETES = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
  'kube-proxy',
  'kubectl',
];
const CONTAINERD = ['containerd', 'containerd-shim-runc-v2', 'ctr'];
export const PAUSE_IMAGE = 'localhost/shiftstack/pause:3.10';

/** The folder the binaries of the current pins live in. */
export function binDir(): string {
  const hash = createHash('sha256');
  for (const file of [
    'go.mod',
    'go.sum',
    'cmd/etcd/main.go',
    'containerd/go.mod',
    'containerd/go.sum',
    'coredns/go.mod',
    'coredns/go.sum',
  ])
    hash.update(readFileSync(join(moduleDir, file)));
  hash.update(readFileSync(fileURLToPath(import.meta.url))); // how they are built is part of the key
  const root = process.env.SHIFTSTACK_CLUSTER_CACHE ?? join(homedir(), '.cache/shiftstack/cluster');
  return join(root, hash.digest('hex').slice(0, 16));
}

const go = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  execFileSync('go', args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });

/** Builds whatever is missing; returns the folder. `log` hears what takes time. */
export function buildCluster(log: (line: string) => void): string {
  const dir = binDir();
  if (existsSync(join(dir, '.complete'))) return dir;
  mkdirSync(dir, { recursive: true });
  const version = pinnedKubernetesVersion();
  const started = Date.now();
  log(`building Kubernetes ${version} (${KUBERNETES.join(', ')}) and etcd into ${dir}`);
  buildKubernetesPrograms(KUBERNETES, `${dir}/`);
  go(
    ['build', '-mod=readonly', '-trimpath', '-ldflags', '-s -w', '-o', join(dir, 'etcd'), './cmd/etcd'],
    moduleDir,
  );
  log('building containerd');
  // Pure Go and no btrfs: nothing to link against, and the overlayfs snapshotter is all the node needs.
  go(
    [
      'build',
      '-mod=readonly',
      '-trimpath',
      '-tags',
      'no_btrfs',
      '-ldflags',
      '-s -w',
      '-o',
      `${dir}/`,
      ...CONTAINERD.map((c) => `github.com/containerd/containerd/v2/cmd/${c}`),
    ],
    containerdDir,
    { CGO_ENABLED: '0' },
  );
  log('building CoreDNS');
  go(
    [
      'build',
      '-mod=readonly',
      '-trimpath',
      '-ldflags',
      '-s -w',
      '-o',
      join(dir, 'coredns'),
      'github.com/coredns/coredns',
    ],
    corednsDir,
    { CGO_ENABLED: '0' },
  );
  buildPauseImage(dir, version);
  writeFileSync(
    join(dir, '.complete'),
    `${new Date().toISOString()} in ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
  log(`built in ${Math.round((Date.now() - started) / 1000)} s`);
  return dir;
}

/** The kubernetes module's own source folder (for pause.c), as the Go module cache holds it. */
function kubernetesSource(): string {
  const out = execFileSync('go', ['list', '-m', '-f', '{{.Dir}}', 'k8s.io/kubernetes'], {
    cwd: moduleDir,
    encoding: 'utf8',
  });
  return out.trim();
}

/**
 * The sandbox ("pause") image, with no registry: pause.c compiled static, laid out as a one-layer OCI
 * image archive that `ctr images import` reads.
 */
function buildPauseImage(dir: string, version: string): void {
  const work = mkdtempSync(join(tmpdir(), 'shiftstack-pause-'));
  try {
    const rootfs = join(work, 'rootfs');
    mkdirSync(rootfs);
    execFileSync('gcc', [
      '-Os',
      '-static',
      '-Wall',
      '-Werror',
      `-DVERSION=${version}-shiftstack`,
      '-o',
      join(rootfs, 'pause'),
      join(kubernetesSource(), 'build/pause/linux/pause.c'),
    ]);
    const layout = join(work, 'oci');
    const blobs = join(layout, 'blobs/sha256');
    mkdirSync(blobs, { recursive: true });
    const layerTar = join(work, 'layer.tar');
    execFileSync('tar', [
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--mtime=@0',
      '-C',
      rootfs,
      '-cf',
      layerTar,
      'pause',
    ]);
    const blob = (bytes: Buffer, mediaType: string) => {
      const digest = createHash('sha256').update(bytes).digest('hex');
      writeFileSync(join(blobs, digest), bytes);
      return { mediaType, digest: `sha256:${digest}`, size: bytes.length };
    };
    const layer = blob(readFileSync(layerTar), 'application/vnd.oci.image.layer.v1.tar');
    const config = blob(
      Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          config: { Entrypoint: ['/pause'], User: '65535:65535' },
          rootfs: { type: 'layers', diff_ids: [layer.digest] },
        }),
      ),
      'application/vnd.oci.image.config.v1+json',
    );
    const manifest = blob(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config,
          layers: [layer],
        }),
      ),
      'application/vnd.oci.image.manifest.v1+json',
    );
    writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeFileSync(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            ...manifest,
            annotations: {
              'io.containerd.image.name': PAUSE_IMAGE,
              'org.opencontainers.image.ref.name': '3.10',
            },
          },
        ],
      }),
    );
    const archive = join(dir, 'pause.oci.tar');
    execFileSync('tar', ['-C', layout, '-cf', `${archive}.tmp`, '.']);
    renameSync(`${archive}.tmp`, archive);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
