// The rollout plan and the rollback decisions, as pure functions: everything the deploy script decides is
// here and unit tested (plan.test.ts); scripts/deploy/cluster.ts only runs the commands these return.
import { parseAllDocuments } from 'yaml';

export const environments = ['dev', 'staging', 'production'] as const;
export type Environment = (typeof environments)[number];

export const images = [
  'ghcr.io/shiftstack/users',
  'ghcr.io/shiftstack/shifts',
  'ghcr.io/shiftstack/web',
] as const;

/** The kinds that roll out pods; Rollout is Argo Rollouts' canary-capable Deployment (production). */
export const workloadKinds = ['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout'] as const;
export type WorkloadKind = (typeof workloadKinds)[number];

export interface Workload {
  kind: WorkloadKind;
  name: string;
  /** A canary's own schedule: the seconds its steps pause for, and how many traffic steps it has. */
  canary?: { pauseSeconds: number; weightSteps: number };
}

/** A shell-free command: program and arguments, run without a shell so no value is ever interpreted. */
export type Command = readonly string[];

export interface Plan {
  environment: Environment;
  version: string;
  namespace: string;
  overlay: string;
  /** The kustomization written to a temporary folder: the overlay plus the image tags. Overlays stay untouched. */
  kustomization: string;
  render: Command;
  apply: Command;
  waits: { workload: Workload; command: Command }[];
}

/** Docker's tag grammar. */
const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** Production runs released versions only: the tag CD pushes for a `vX.Y.Z` git tag. */
const releasePattern = /^v\d+\.\d+\.\d+$/;

export interface Options {
  environment: Environment;
  version: string;
  dryRun: boolean;
  /** Seconds each Deployment/StatefulSet may take to become ready. */
  timeoutSeconds: number;
  /** A kustomization to release instead of the environment's overlay (a variant of it, say with the canary). */
  overlay?: string;
}

export function parseArgs(argv: readonly string[]): Options {
  const options: Partial<Options> & { dryRun: boolean } = { dryRun: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '--env') {
      const env = value();
      if (!(environments as readonly string[]).includes(env)) {
        throw new UsageError(`--env must be one of ${environments.join(', ')}, not "${env}"`);
      }
      options.environment = env as Environment;
    } else if (arg === '--version') options.version = value();
    else if (arg === '--overlay') options.overlay = value();
    else if (arg === '--dry-run') options.dryRun = true;
    else if (arg === '--timeout') {
      const seconds = Number(value());
      if (!Number.isInteger(seconds) || seconds < 30 || seconds > 3600) {
        throw new UsageError('--timeout is whole seconds between 30 and 3600');
      }
      options.timeoutSeconds = seconds;
    } else throw new UsageError(`unknown argument "${arg}"`);
  }
  if (!options.environment) throw new UsageError('--env is required');
  if (!options.version) throw new UsageError('--version is required');
  if (!tagPattern.test(options.version))
    throw new UsageError(`"${options.version}" is not a valid image tag`);
  if (options.environment === 'production' && !releasePattern.test(options.version)) {
    throw new UsageError(`production deploys release versions only (vX.Y.Z), not "${options.version}"`);
  }
  return {
    environment: options.environment,
    version: options.version,
    dryRun: options.dryRun,
    timeoutSeconds: options.timeoutSeconds ?? 300,
    ...(options.overlay ? { overlay: options.overlay } : {}),
  };
}

export class UsageError extends Error {}

export const usage = `usage: npm run deploy -- --env dev|staging|production --version TAG [--timeout SECONDS] [--overlay DIR] [--dry-run]
  Sets the three shiftstack images to TAG in the environment's overlay (deploy/k8s/overlays/ENV, never edited),
  applies it, waits for every rollout, and rolls back what changed if one fails. --overlay releases another
  kustomization of that environment instead (a variant of its overlay; its namespace is where it deploys).`;

/** The kustomization a release renders: the one given, or the environment's overlay in the repository. */
export function overlayPath(options: Pick<Options, 'environment' | 'overlay'>): string {
  return options.overlay ?? `deploy/k8s/overlays/${options.environment}`;
}

/** The temporary kustomization: the overlay as its only resource, plus the image tags for this release. */
export function kustomizationFor(overlayAbsolutePath: string, version: string): string {
  const lines = [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    `  - ${overlayAbsolutePath}`,
    'images:',
    ...images.flatMap((name) => [`  - name: ${name}`, `    newTag: "${version}"`]),
  ];
  return `${lines.join('\n')}\n`;
}

interface CanaryStep {
  setWeight?: number;
  pause?: { duration?: string | number };
}

interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: {
    template?: { spec?: { containers?: { image?: string }[]; initContainers?: { image?: string }[] } };
    strategy?: { canary?: { steps?: CanaryStep[] } };
  };
}

/** Argo Rollouts' pause duration ("30s", "5m", "1h", or a number of seconds) in seconds. */
export function durationSeconds(duration: string | number): number {
  if (typeof duration === 'number') return duration;
  const match = /^(\d+)([smh]?)$/.exec(duration);
  if (!match) throw new Error(`cannot read the canary pause duration "${duration}"`);
  return Number(match[1]) * { '': 1, s: 1, m: 60, h: 3600 }[match[2] as '' | 's' | 'm' | 'h'];
}

/** A Rollout's canary schedule; an open-ended pause waits for a human, so no script can wait it out. */
function canaryOf(object: K8sObject): Workload['canary'] {
  const steps = object.spec?.strategy?.canary?.steps;
  if (!steps) return undefined;
  let pauseSeconds = 0;
  for (const step of steps) {
    if (!step.pause) continue;
    if (step.pause.duration === undefined)
      throw new Error(
        `Rollout ${object.metadata?.name} pauses until promoted by hand: the deploy script cannot wait for it`,
      );
    pauseSeconds += durationSeconds(step.pause.duration);
  }
  return { pauseSeconds, weightSteps: steps.filter((step) => step.setWeight !== undefined).length };
}

export function parseManifests(yamlText: string): K8sObject[] {
  return parseAllDocuments(yamlText)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null && typeof object === 'object');
}

/** The workloads of a rendered overlay, and the namespace they live in (every overlay has exactly one). */
export function workloadsOf(objects: K8sObject[]): { namespace: string; workloads: Workload[] } {
  const workloads = objects
    .filter((object) => (workloadKinds as readonly string[]).includes(object.kind ?? ''))
    .map((object) => {
      const canary = object.kind === 'Rollout' ? canaryOf(object) : undefined;
      return {
        kind: object.kind as WorkloadKind,
        name: object.metadata?.name ?? '',
        ...(canary ? { canary } : {}),
      };
    });
  const namespaces = new Set(objects.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata?.namespace));
  namespaces.delete(undefined); // cluster-scoped objects
  if (namespaces.size !== 1)
    throw new Error(`expected one namespace in the overlay, found ${[...namespaces].join(', ') || 'none'}`);
  return { namespace: [...namespaces][0]!, workloads };
}

/**
 * Every shiftstack image in the rendered output must carry the requested tag: an overlay that pins a digest or
 * another tag would otherwise deploy something other than what the plan says.
 */
export function imagesNotAt(objects: K8sObject[], version: string): string[] {
  const wrong: string[] = [];
  for (const object of objects) {
    const spec = object.spec?.template?.spec;
    for (const container of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
      const image = container.image ?? '';
      const repository = images.find((name) => image.startsWith(`${name}:`) || image.startsWith(`${name}@`));
      if (repository && image !== `${repository}:${version}`)
        wrong.push(`${object.kind}/${object.metadata?.name}: ${image}`);
    }
  }
  return wrong;
}

/**
 * How long to wait for one workload. A canary walks through its own pauses, and each traffic step (and
 * the full promotion) gets the readiness time a Deployment gets: a fixed wait shorter than the pauses would
 * roll back every release.
 */
export function waitCommand(workload: Workload, namespace: string, timeoutSeconds: number): Command {
  if (workload.kind === 'Rollout') {
    const canary = workload.canary ?? { pauseSeconds: 0, weightSteps: 2 };
    const budget = canary.pauseSeconds + timeoutSeconds * (canary.weightSteps + 1);
    return [
      'kubectl',
      'argo',
      'rollouts',
      'status',
      workload.name,
      '-n',
      namespace,
      '--timeout',
      `${budget}s`,
    ];
  }
  return [
    'kubectl',
    'rollout',
    'status',
    `${workload.kind.toLowerCase()}/${workload.name}`,
    '-n',
    namespace,
    `--timeout=${timeoutSeconds}s`,
  ];
}

/** What undoes one workload's rollout: back to the previous revision (for a canary, abort it first). */
export function rollbackCommands(workload: Workload, namespace: string): Command[] {
  if (workload.kind === 'Rollout') {
    return [
      ['kubectl', 'argo', 'rollouts', 'abort', workload.name, '-n', namespace],
      ['kubectl', 'argo', 'rollouts', 'undo', workload.name, '-n', namespace],
    ];
  }
  return [['kubectl', 'rollout', 'undo', `${workload.kind.toLowerCase()}/${workload.name}`, '-n', namespace]];
}

export function buildPlan(
  options: Options,
  rendered: K8sObject[],
  kustomizationDir: string,
  overlayAbsolutePath: string,
): Plan {
  const { namespace, workloads } = workloadsOf(rendered);
  return {
    environment: options.environment,
    version: options.version,
    namespace,
    overlay: overlayPath(options),
    kustomization: kustomizationFor(overlayAbsolutePath, options.version),
    render: ['kubectl', 'kustomize', kustomizationDir],
    apply: ['kubectl', 'apply', '-f', '-'],
    waits: workloads.map((workload) => ({
      workload,
      command: waitCommand(workload, namespace, options.timeoutSeconds),
    })),
  };
}

export const key = (workload: Workload) => `${workload.kind}/${workload.name}`;

/**
 * A workload changed when the apply raised its metadata.generation (the API server bumps it on every spec
 * change, and only then). Absent before = created by this apply: nothing to roll back to.
 */
export function changedWorkloads(
  workloads: Workload[],
  before: ReadonlyMap<string, number | undefined>,
  after: ReadonlyMap<string, number | undefined>,
): { changed: Workload[]; created: Workload[] } {
  const changed: Workload[] = [];
  const created: Workload[] = [];
  for (const workload of workloads) {
    const was = before.get(key(workload));
    const now = after.get(key(workload));
    if (was === undefined && now !== undefined) created.push(workload);
    else if (was !== undefined && now !== undefined && now > was) changed.push(workload);
  }
  return { changed, created };
}

export interface RollbackDecision {
  /** Workloads to undo, with the commands, in the order to run them. */
  undo: { workload: Workload; commands: Command[] }[];
  /** Workloads left as they are, and why. */
  keep: { workload: Workload; reason: string }[];
}

/**
 * When any rollout failed, every workload this release changed goes back to its previous revision, including
 * the ones that succeeded: users, shifts and web are released together, and a half-released system is the state
 * nobody tested. Workloads the apply did not change are left alone, and so are new ones (no previous revision).
 * When every rollout succeeded, nothing is undone.
 */
export function decideRollback(
  workloads: Workload[],
  namespace: string,
  changes: { changed: Workload[]; created: Workload[] },
  failed: Workload[],
): RollbackDecision {
  const decision: RollbackDecision = { undo: [], keep: [] };
  const changed = new Set(changes.changed.map(key));
  const created = new Set(changes.created.map(key));
  for (const workload of workloads) {
    if (failed.length === 0) decision.keep.push({ workload, reason: 'every rollout succeeded' });
    else if (changed.has(key(workload)))
      decision.undo.push({ workload, commands: rollbackCommands(workload, namespace) });
    else if (created.has(key(workload)))
      decision.keep.push({ workload, reason: 'created by this release: no previous revision' });
    else decision.keep.push({ workload, reason: 'not changed by this release' });
  }
  return decision;
}

const show = (command: Command) =>
  command.map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : `'${part}'`)).join(' ');

/** The plan as a reviewer reads it (`--dry-run`): every command that would run, in order. */
export function describePlan(plan: Plan): string {
  const lines = [
    `Deploy shiftstack ${plan.version} to ${plan.environment} (namespace ${plan.namespace})`,
    '',
    `1. Set the image tags on ${plan.overlay} (in a temporary kustomization; the overlay is not edited):`,
    ...plan.kustomization
      .trimEnd()
      .split('\n')
      .map((line) => `     ${line}`),
    '',
    '2. Render and apply:',
    `     ${show(plan.render)} | ${show(plan.apply)}`,
    '',
    '3. Record which workloads the apply changed (metadata.generation before and after), then wait for every rollout:',
    ...plan.waits.map(({ command }) => `     ${show(command)}`),
    '',
    '4. If any rollout fails or times out: undo every workload this release changed (the others are left alone), then exit 1:',
    ...plan.waits.flatMap(({ workload }) =>
      rollbackCommands(workload, plan.namespace).map(
        (command) => `     ${show(command)}    # if ${key(workload)} changed`,
      ),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

export { show as showCommand };
