// Builds the local cluster's programs from the pinned Go modules in deploy/cluster (Kubernetes and etcd in
// one module; containerd, CoreDNS, metrics-server, Traefik and kube-router each in their own, because each is
// built against other versions of client-go or gRPC) and the pause image from the pause.c that ships in
// the kubernetes module. Everything lands in cache folders outside the repository named by a hash of the
// pins, so a second build is a no-op and a change of pins rebuilds only the part it touches.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import pLimit from 'p-limit';
import { fileURLToPath } from 'node:url';
import {
  ensureKubectl,
  kubernetesBuildArgs,
  kubernetesModuleDir,
  pinnedKubernetesVersion,
} from '../tools/kubectl';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const moduleDir = join(repoRoot, 'deploy/cluster');

const KUBERNETES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy'];
export const PAUSE_IMAGE = 'localhost/shiftstack/pause:3.10';
export const COREDNS_IMAGE = 'localhost/shiftstack/coredns:1.14.7';
export const TRAEFIK_IMAGE = 'localhost/shiftstack/traefik:3.6.12';
export const PROMETHEUS_IMAGE = 'localhost/shiftstack/prometheus:3.5.0';
export const PROMETHEUS_OPERATOR_IMAGE = 'localhost/shiftstack/prometheus-operator:0.85.0';
export const CONFIG_RELOADER_IMAGE = 'localhost/shiftstack/prometheus-config-reloader:0.85.0';
export const ARGO_ROLLOUTS_IMAGE = 'localhost/shiftstack/argo-rollouts:1.8.3';
export const KEDA_IMAGE = 'localhost/shiftstack/keda:2.17.2';
export const KEDA_METRICS_IMAGE = 'localhost/shiftstack/keda-metrics-apiserver:2.17.2';

type Log = (line: string) => void;

/**
 * One pinned part of the cluster: its own Go module (the folder under deploy/cluster holding go.mod and
 * go.sum), and how its programs are built. Each part is cached on its own, keyed by its pins and recipe,
 * so a new part or a changed pin builds only that part.
 */
interface Part {
  name: string;
  module: string;
  /** Files besides go.mod and go.sum whose content is part of the key. */
  extraFiles?: string[];
  /** Changed by hand when the build below changes in a way the pins do not show. */
  recipe: string;
  build(out: string): Promise<void>;
}

/**
 * `go build` of pure-Go programs from a part's module, stripped, without cgo. `modfile` stands in for the
 * module's go.mod (`go build -modfile`).
 */
const goBuild = (module: string, out: string, packages: string[], tags: string[] = [], modfile?: string) =>
  run(
    'go',
    [
      'build',
      '-mod=readonly',
      '-trimpath',
      ...(tags.length ? ['-tags', tags.join(',')] : []),
      ...(modfile ? ['-modfile', modfile] : []),
      '-ldflags',
      '-s -w',
      '-o',
      packages.length === 1 ? join(out, basename(packages[0]!)) : `${out}/`,
      ...packages,
    ],
    join(moduleDir, module),
    { CGO_ENABLED: '0' },
  );

/** Runs a command to its end (its output goes to ours); rejects with its exit code. */
function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...env },
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0
        ? resolvePromise()
        : reject(new Error(`${command} ${args.join(' ')} failed: ${signal ?? code}`)),
    );
  });
}

/** A program that runs as a pod: built from its module, and packed as a one-binary image (user 65532) at its root. */
function imagePart(name: string, pkg: string, ref: string): Part {
  return {
    name,
    module: name,
    recipe: `${name}, as a one-binary image`,
    async build(out) {
      await goBuild(name, out, [pkg]);
      packBinaryImage(join(out, basename(pkg)), join(out, `${name}.oci.tar`), ref, '65532:65532');
    },
  };
}

export const PARTS: Part[] = [
  {
    name: 'kubernetes',
    module: '.',
    extraFiles: ['cmd/etcd/main.go'],
    recipe:
      'kubernetes programs stamped, kubectl the pinned one; etcd; pause.c static as an OCI archive (3.10)',
    async build(out) {
      await run('go', kubernetesBuildArgs(KUBERNETES, `${out}/`), kubernetesModuleDir);
      // kubectl is built once, by the one place that says which kubectl runs (same module, same pins).
      copyFileSync(ensureKubectl(), join(out, 'kubectl'));
      await goBuild('.', out, ['./cmd/etcd']);
      buildPauseImage(out, pinnedKubernetesVersion());
    },
  },
  {
    name: 'containerd',
    module: 'containerd',
    // No btrfs: nothing to link against, and the overlayfs snapshotter is all the node needs.
    recipe: 'containerd, shim, ctr; no_btrfs',
    build: (out) =>
      goBuild(
        'containerd',
        out,
        ['containerd', 'containerd-shim-runc-v2', 'ctr'].map(
          (c) => `github.com/containerd/containerd/v2/cmd/${c}`,
        ),
        ['no_btrfs'],
      ),
  },
  imagePart('coredns', 'github.com/coredns/coredns', COREDNS_IMAGE),
  {
    name: 'metrics-server',
    module: 'metrics-server',
    recipe: 'metrics-server',
    build: (out) => goBuild('metrics-server', out, ['sigs.k8s.io/metrics-server/cmd/metrics-server']),
  },
  imagePart('traefik', 'github.com/traefik/traefik/v3/cmd/traefik', TRAEFIK_IMAGE),
  {
    name: 'kube-router',
    module: 'kube-router',
    recipe: 'kube-router',
    build: (out) =>
      goBuild('kube-router', out, ['github.com/cloudnativelabs/kube-router/v2/cmd/kube-router']),
  },
];

/**
 * What `up --with-controllers` adds (issue 15), built only then, so the plain `up` stays lean: Prometheus,
 * and prometheus-operator with its config reloader, which the operator runs beside every Prometheus as
 * /bin/prometheus-config-reloader, as their own images do; Argo Rollouts' controller and its kubectl plugin
 * (`kubectl argo rollouts`, which the deploy script runs); KEDA's operator and metrics API server, where
 * their own images keep them (/keda, /keda-adapter).
 */
export const CONTROLLER_PARTS: Part[] = [
  {
    name: 'prometheus',
    module: 'prometheus',
    extraFiles: ['plugins/plugins.go'],
    recipe: 'prometheus with kubernetes discovery only (our plugins.go), one-binary image in /bin',
    async build(out) {
      await withOurPlugins((modfile) =>
        goBuild('prometheus', out, ['github.com/prometheus/prometheus/cmd/prometheus'], [], modfile),
      );
      packBinaryImage(
        join(out, 'prometheus'),
        join(out, 'prometheus.oci.tar'),
        PROMETHEUS_IMAGE,
        '65532:65532',
        'bin',
      );
    },
  },
  {
    name: 'prometheus-operator',
    module: 'prometheus-operator',
    recipe: 'operator and config reloader, one-binary images in /bin',
    async build(out) {
      const cmd = 'github.com/prometheus-operator/prometheus-operator/cmd';
      await goBuild('prometheus-operator', out, [`${cmd}/operator`, `${cmd}/prometheus-config-reloader`]);
      for (const [binary, image, ref] of [
        ['operator', 'prometheus-operator', PROMETHEUS_OPERATOR_IMAGE],
        ['prometheus-config-reloader', 'prometheus-config-reloader', CONFIG_RELOADER_IMAGE],
      ] as const)
        packBinaryImage(join(out, binary), join(out, `${image}.oci.tar`), ref, '65532:65532', 'bin');
    },
  },
  {
    name: 'argo-rollouts',
    module: 'argo-rollouts',
    recipe: 'controller as a one-binary image in /bin; the kubectl plugin beside the other binaries',
    async build(out) {
      const cmd = 'github.com/argoproj/argo-rollouts/cmd';
      await goBuild('argo-rollouts', out, [`${cmd}/rollouts-controller`, `${cmd}/kubectl-argo-rollouts`]);
      packBinaryImage(
        join(out, 'rollouts-controller'),
        join(out, 'argo-rollouts.oci.tar'),
        ARGO_ROLLOUTS_IMAGE,
        '65532:65532',
        'bin',
      );
    },
  },
  {
    name: 'keda',
    module: 'keda',
    recipe: 'operator as /keda, metrics API server as /keda-adapter, one-binary images',
    async build(out) {
      const cmd = 'github.com/kedacore/keda/v2/cmd';
      await goBuild('keda', out, [`${cmd}/operator`, `${cmd}/adapter`]);
      for (const [binary, name, ref] of [
        ['operator', 'keda', KEDA_IMAGE],
        ['adapter', 'keda-adapter', KEDA_METRICS_IMAGE],
      ] as const) {
        renameSync(join(out, binary), join(out, name));
        packBinaryImage(join(out, name), join(out, `${name}.oci.tar`), ref, '65532:65532');
      }
    },
  },
];

/**
 * Runs `build` with the path of a go.mod (for `go build -modfile`) that is the prometheus module's own but
 * for one `replace`: Prometheus' source comes from a copy whose plugins/plugins.go is
 * deploy/cluster/prometheus/plugins/plugins.go, so only the discovery we use is compiled. (`go build
 * -overlay` may not replace files in the module cache.) go.sum is the module's, beside it.
 */
async function withOurPlugins(build: (modfile: string) => Promise<void>): Promise<void> {
  const module = join(moduleDir, 'prometheus');
  // `go mod download` fetches the module when the cache is cold (`go list -m` would answer an empty Dir).
  const download = execFileSync('go', ['mod', 'download', '-json', 'github.com/prometheus/prometheus'], {
    cwd: module,
    encoding: 'utf8',
  });
  const source = (JSON.parse(download) as { Dir?: string }).Dir;
  if (!source) throw new Error(`no source folder for github.com/prometheus/prometheus: ${download}`);
  const work = mkdtempSync(join(tmpdir(), 'shiftstack-prometheus-'));
  try {
    const copy = join(work, 'prometheus');
    cpSync(source, copy, { recursive: true });
    chmodSync(join(copy, 'plugins'), 0o755);
    rmSync(join(copy, 'plugins/plugins.go'), { force: true });
    copyFileSync(join(module, 'plugins/plugins.go'), join(copy, 'plugins/plugins.go'));
    const goMod = readFileSync(join(module, 'go.mod'), 'utf8');
    writeFileSync(join(work, 'go.mod'), `${goMod}\nreplace github.com/prometheus/prometheus => ${copy}\n`);
    copyFileSync(join(module, 'go.sum'), join(work, 'go.sum'));
    await build(join(work, 'go.mod'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const cacheRoot = () => process.env.SHIFTSTACK_CLUSTER_CACHE ?? join(homedir(), '.cache/shiftstack/cluster');

export function partKey(part: Part): string {
  const hash = createHash('sha256').update(part.recipe);
  for (const file of ['go.mod', 'go.sum', ...(part.extraFiles ?? [])])
    hash.update(readFileSync(join(moduleDir, part.module, file)));
  return `${part.name}-${hash.digest('hex').slice(0, 16)}`;
}

/** The folder all binaries of the current pins of `parts` are gathered in (hard links into each part's folder). */
export function binDir(parts: Part[] = PARTS): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(partKey(part));
  return join(cacheRoot(), hash.digest('hex').slice(0, 16));
}

/**
 * Builds whatever part of `parts` is missing, gathers them; returns the folder. `log` hears what takes
 * time. Parts build two at a time, across every call (see `buildSlots`).
 */
export async function buildCluster(log: Log, parts: Part[] = PARTS): Promise<string> {
  const dir = binDir(parts);
  if (existsSync(join(dir, '.complete'))) return dir;
  const started = Date.now();
  const built = await Promise.all(parts.map((part) => buildPart(part, log)));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const partDir of built)
    for (const file of readdirSync(partDir))
      if (!file.startsWith('.')) linkSync(join(partDir, file), join(dir, file));
  writeFileSync(join(dir, '.complete'), `${new Date().toISOString()}\n`);
  log(`binaries ready in ${Math.round((Date.now() - started) / 1000)} s`);
  return dir;
}

/**
 * Two part builds at a time: `go build` keeps both cores busy while it compiles, but it links a program
 * on one core and waits on the network for modules, and a second build fills those gaps.
 */
const buildSlots = pLimit(2);

async function buildPart(part: Part, log: Log): Promise<string> {
  const dir = join(cacheRoot(), 'parts', partKey(part));
  if (existsSync(join(dir, '.complete'))) return dir;
  return buildSlots(async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const started = Date.now();
    log(`building ${part.name} from deploy/cluster/${part.module === '.' ? '' : `${part.module}/`}go.mod`);
    await part.build(dir);
    const seconds = Math.round((Date.now() - started) / 1000);
    writeFileSync(join(dir, '.complete'), `${new Date().toISOString()} in ${seconds} s\n`);
    log(`built ${part.name} in ${seconds} s`);
    return dir;
  });
}

/** The kubernetes module's own source folder (for pause.c), as the Go module cache holds it. */
function kubernetesSource(): string {
  const out = execFileSync('go', ['list', '-m', '-f', '{{.Dir}}', 'k8s.io/kubernetes'], {
    cwd: moduleDir,
    encoding: 'utf8',
  });
  return out.trim();
}

/** The sandbox ("pause") image, with no registry: pause.c compiled static, packed as an image archive. */
function buildPauseImage(dir: string, version: string): void {
  const work = mkdtempSync(join(tmpdir(), 'shiftstack-pause-'));
  try {
    execFileSync('gcc', [
      '-Os',
      '-static',
      '-Wall',
      '-Werror',
      `-DVERSION=${version}-shiftstack`,
      '-o',
      join(work, 'pause'),
      join(kubernetesSource(), 'build/pause/linux/pause.c'),
    ]);
    packBinaryImage(join(work, 'pause'), join(dir, 'pause.oci.tar'), PAUSE_IMAGE, '65535:65535');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * An image of one static binary with no registry: a one-layer OCI image archive, the binary at its root
 * (or in the folder `at`) and as its entrypoint, that `ctr images import` reads.
 */
function packBinaryImage(binary: string, archive: string, ref: string, user: string, at = ''): void {
  const name = at ? `${at}/${basename(binary)}` : basename(binary);
  const work = mkdtempSync(join(tmpdir(), 'shiftstack-image-'));
  try {
    const rootfs = join(work, 'rootfs');
    mkdirSync(join(rootfs, at), { recursive: true });
    copyFileSync(binary, join(rootfs, name));
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
      at || name, // a folder goes in with its entry, so it gets the usual 0755
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
          config: { Entrypoint: [`/${name}`], User: user },
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
              'io.containerd.image.name': ref,
              'org.opencontainers.image.ref.name': ref.split(':').pop(),
            },
          },
        ],
      }),
    );
    execFileSync('tar', ['-C', layout, '-cf', `${archive}.tmp`, '.']);
    renameSync(`${archive}.tmp`, archive);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
