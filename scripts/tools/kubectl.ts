// The one place that says which kubectl the project runs: tests (kustomize rendering), the deploy script
// and, later, the local cluster. It is kubectl at the Kubernetes version pinned in deploy/cluster/go.mod,
// built from the Go module proxy into .tools/bin (go.sum pins every byte), so every machine renders the
// overlays with the same kustomize. KUBECTL=/path/to/kubectl overrides it.
//
//   npx tsx scripts/tools/kubectl.ts build    builds it if missing or at another version, prints its path
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { buildCommand, buildInPlace } from './pinned-build';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const goModuleDir = join(repoRoot, 'deploy/cluster');
const pinnedPath = join(repoRoot, '.tools/bin/kubectl');

/** The Kubernetes version deploy/cluster/go.mod requires, e.g. "v1.36.3". */
export function pinnedKubernetesVersion(): string {
  const goMod = readFileSync(join(goModuleDir, 'go.mod'), 'utf8');
  const match = /^(?:require)?\s+k8s\.io\/kubernetes (v\d+\.\d+\.\d+)\b/m.exec(goMod);
  if (!match) throw new Error('deploy/cluster/go.mod does not require k8s.io/kubernetes at a vX.Y.Z version');
  return match[1]!;
}

/**
 * The kubectl to run: $KUBECTL, else the pinned build in .tools/bin, else `kubectl` from PATH (a user
 * deploying to their own cluster with their own kubectl). Tests make sure the pinned build exists first.
 */
export function kubectlPath(): string {
  if (process.env.KUBECTL) return process.env.KUBECTL;
  return existsSync(pinnedPath) ? pinnedPath : 'kubectl';
}

function builtVersion(): string | null {
  if (!existsSync(pinnedPath)) return null;
  try {
    const out = execFileSync(pinnedPath, ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
    return (JSON.parse(out) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion ?? null;
  } catch {
    return null;
  }
}

/**
 * `-ldflags` for a Kubernetes program: stripped, and stamped with its version (an unstamped build reports
 * v0.0.0, and version checks in kubectl and kustomize read it).
 */
function versionLdflags(version: string): string {
  const [major, minor] = version.slice(1).split('.');
  return [
    '-s -w',
    `-X k8s.io/component-base/version.gitVersion=${version}`,
    `-X k8s.io/component-base/version.gitMajor=${major}`,
    `-X k8s.io/component-base/version.gitMinor=${minor}`,
    `-X k8s.io/client-go/pkg/version.gitVersion=${version}`,
  ].join(' ');
}

/**
 * The `go build` arguments for programs of the kubernetes module (`kube-apiserver`, `kubectl`, ...) at the
 * pinned, stamped version, into `output`: a file for one program, a folder (ending in /) for several. Run
 * them in `kubernetesModuleDir`.
 */
export function kubernetesBuildArgs(programs: string[], output: string): string[] {
  return [
    'build',
    '-mod=readonly',
    '-trimpath',
    '-ldflags',
    versionLdflags(pinnedKubernetesVersion()),
    '-o',
    output,
    ...programs.map((p) => `k8s.io/kubernetes/cmd/${p}`),
  ];
}
export const kubernetesModuleDir = goModuleDir;

/** `go build` of programs from the kubernetes module (see kubernetesBuildArgs). */
export function buildKubernetesPrograms(programs: string[], output: string): void {
  execFileSync('go', kubernetesBuildArgs(programs, output), {
    cwd: goModuleDir,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** Null when Go can build here, else why not. */
export function goMissing(): string | null {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'Go is not installed (kubectl is built from deploy/cluster/go.mod; install Go 1.26+)';
  }
}

/** Builds the pinned kubectl unless it is already there at the pinned version; returns its path. About 2 minutes cold on 2 cores, instant after. */
export function ensureKubectl(log: (line: string) => void = () => {}): string {
  const version = pinnedKubernetesVersion();
  if (builtVersion() === version) return pinnedPath;
  const missing = goMissing();
  if (missing) throw new Error(missing);
  log(
    `building kubectl ${version} from deploy/cluster/go.mod into .tools/bin (about 2 minutes the first time)`,
  );
  return buildInPlace(pinnedPath, (temporary) => buildKubernetesPrograms(['kubectl'], temporary));
}

buildCommand(import.meta.url, ensureKubectl);
