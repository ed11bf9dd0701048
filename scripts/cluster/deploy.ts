// `npm run cluster -- deploy`: the project's images built with podman (the same Dockerfiles and local
// bases as the image tests), a PostgreSQL stand-in for the official image, all imported into the
// cluster's containerd; then the dev overlay applied with those images, and every workload waited for.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildBases, buildImage, podman } from '../images/podman';
import { repoRoot } from './build';
import { importImage, kubectl } from './node';

export const DEV_NAMESPACE = 'shiftstack-dev';
const TAG = 'local';
const images = {
  users: { dockerfile: 'services/Dockerfile', args: { SERVICE: 'users' } },
  shifts: { dockerfile: 'services/Dockerfile', args: { SERVICE: 'shifts' } },
  web: { dockerfile: 'web/Dockerfile', args: {} },
};
export const POSTGRES_IMAGE = 'localhost/shiftstack/postgres:15';
export const imageOf = (name: keyof typeof images, tag = TAG) => `localhost/shiftstack/${name}:${tag}`;

type Log = (line: string) => void;

/** Builds the images and imports them into containerd. */
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
      POSTGRES_IMAGE,
      join(repoRoot, 'deploy/images/postgres'),
    ],
    600_000,
  );
  for (const [name, image] of Object.entries(images))
    await buildImage(image.dockerfile, imageOf(name as keyof typeof images), image.args);
  const work = mkdtempSync(join(tmpdir(), 'shiftstack-images-'));
  try {
    for (const tag of [
      POSTGRES_IMAGE,
      ...Object.keys(images).map((n) => imageOf(n as keyof typeof images)),
    ]) {
      const archive = join(work, 'image.tar');
      await podman(['save', '--format', 'docker-archive', '-o', archive, tag], 300_000);
      importImage(bin, archive);
      rmSync(archive);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The dev overlay with the locally built images, as a kustomization in a temporary folder. */
export function devKustomization(dir: string, tag = TAG): string {
  // Kustomize only accepts a relative path to another kustomization.
  const overlay = relative(dir, join(repoRoot, 'deploy/k8s/overlays/dev'));
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [${overlay}]
images:
  - { name: ghcr.io/shiftstack/users, newName: localhost/shiftstack/users, newTag: ${tag} }
  - { name: ghcr.io/shiftstack/shifts, newName: localhost/shiftstack/shifts, newTag: ${tag} }
  - { name: ghcr.io/shiftstack/web, newName: localhost/shiftstack/web, newTag: ${tag} }
  - { name: docker.io/library/postgres, newName: localhost/shiftstack/postgres, newTag: '15' }
`;
}

/** Applies the dev overlay and waits until the databases and every Deployment are ready. */
export function applyDev(bin: string, log: Log): void {
  const dir = mkdtempSync(join(tmpdir(), 'shiftstack-dev-'));
  try {
    writeFileSync(join(dir, 'kustomization.yaml'), devKustomization(dir));
    log('applying the dev overlay');
    // The namespace first: everything else in the overlay lives in it.
    const rendered = kubectl(bin, ['kustomize', dir]);
    kubectl(bin, ['apply', '--server-side', '--force-conflicts', '-f', '-'], rendered);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
