// `npm run cluster -- deploy`: the project's images built with podman (the same Dockerfiles and local
// bases as the image tests), a PostgreSQL stand-in for the official image, all imported into the
// cluster's containerd under the names the dev overlay uses; then the dev overlay applied as it is
// (`kubectl apply -k`), and every workload waited for.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBases, buildImage, podman } from '../images/podman';
import { repoRoot } from './build';
import { ctr, importImage, kubectl } from './node';

export const DEV_NAMESPACE = 'shiftstack-dev';
const DEV_OVERLAY = join(repoRoot, 'deploy/k8s/overlays/dev');
const images = {
  users: { dockerfile: 'services/Dockerfile', args: { SERVICE: 'users' } },
  shifts: { dockerfile: 'services/Dockerfile', args: { SERVICE: 'shifts' } },
  web: { dockerfile: 'web/Dockerfile', args: {} },
  'dev-issuer': { dockerfile: 'packages/dev-issuer/Dockerfile', args: {} },
};
type Image = keyof typeof images;
const BUILT_TAG = 'local';
const built = (name: Image) => `localhost/shiftstack/${name}:${BUILT_TAG}`;
const POSTGRES_STAND_IN = 'localhost/shiftstack/postgres:15';
/** The name the overlay gives an image, at a tag: what the kubelet looks up in containerd. */
export const imageOf = (name: Image, tag: string) => `ghcr.io/shiftstack/${name}:${tag}`;

type Log = (line: string) => void;

/**
 * Builds the images and imports them into containerd under the names the dev overlay uses, as `kind load`
 * would: the overlay applies unchanged and nothing is pulled (IfNotPresent, and there is no registry).
 */
export async function buildAndImportImages(bin: string, log: Log): Promise<void> {
  log('building the base images (the first time: debootstrap, about a minute)');
  await buildBases();
  log('building the PostgreSQL stand-in and the users, shifts and web images');
  await podman(
    [
      'build',
      '--quiet',
      '--pull=never',
      '--network=host',
      '--build-arg',
      'DEBIAN_BASE=localhost/shiftstack-debian:bookworm',
      '-t',
      POSTGRES_STAND_IN,
      join(repoRoot, 'deploy/images/postgres'),
    ],
    600_000,
  );
  for (const [name, image] of Object.entries(images))
    await buildImage(image.dockerfile, built(name as Image), image.args);
  for (const tag of [POSTGRES_STAND_IN, ...Object.keys(images).map((n) => built(n as Image))])
    await importPodmanImage(bin, tag);
  const rendered = kubectl(bin, ['kustomize', DEV_OVERLAY]);
  for (const name of Object.keys(images) as Image[])
    tagImage(bin, built(name), imageOf(name, overlayTag(rendered, imageOf(name, ''))));
  // Debian 12 has PostgreSQL 15, not the official image's version: the stand-in answers to that name here.
  const postgres = /image: (docker\.io\/library\/postgres:\S+)/.exec(rendered)?.[1];
  if (!postgres) throw new Error('the dev overlay names no postgres image');
  tagImage(bin, POSTGRES_STAND_IN, postgres);
}

/** Copies an image podman built into the cluster's containerd, under the same name. */
export async function importPodmanImage(bin: string, tag: string): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'shiftstack-images-'));
  try {
    const archive = join(work, 'image.tar');
    await podman(['save', '--format', 'docker-archive', '-o', archive, tag], 300_000);
    importImage(bin, archive);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The tag the rendered overlay gives an image (its name up to the colon). */
function overlayTag(rendered: string, prefix: string): string {
  const tag = new RegExp(`image: ${prefix.replaceAll('.', '\\.')}(\\S+)`).exec(rendered)?.[1];
  if (!tag) throw new Error(`the dev overlay does not use ${prefix}`);
  return tag;
}

/** Gives an image in the cluster's containerd another name (a new tag for a rollout, say). */
export function tagImage(bin: string, from: string, to: string): void {
  ctr(bin, ['images', 'tag', '--force', from, to]);
}

/** `kubectl apply -k deploy/k8s/overlays/dev`, then waits until the databases and every Deployment are ready. */
export function applyDev(bin: string, log: Log): void {
  log('applying the dev overlay');
  kubectl(bin, ['apply', '-k', DEV_OVERLAY]);
  for (const workload of [
    'statefulset/users-db',
    'statefulset/shifts-db',
    'deployment/users',
    'deployment/shifts',
    'deployment/web',
  ]) {
    log(`waiting for ${workload}`);
    kubectl(bin, ['-n', DEV_NAMESPACE, 'rollout', 'status', workload, '--timeout=300s']);
  }
}
