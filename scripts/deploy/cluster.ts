// The side of the deploy script that touches the cluster: renders, applies, waits and rolls back by running
// the commands plan.ts decides, with kubectl (and its argo rollouts plugin for canaries).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import {
  buildPlan,
  changedWorkloads,
  decideRollback,
  imagesNotAt,
  key,
  overlayPath,
  parseManifests,
  kustomizationFor,
  showCommand,
  type Command,
  type Options,
  type Plan,
  type Workload,
} from './plan';
import { kubectlPath } from '../tools/kubectl';

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command without a shell; `echo` streams its output through (for the long waits). The plan says
 * `kubectl`; which binary that is, is kubectlPath()'s to decide.
 */
export function run(command: Command, input?: string, echo = false): Promise<Result> {
  const [program, ...args] = command;
  return new Promise((done, fail) => {
    const child = spawn(program === 'kubectl' ? kubectlPath() : program!, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (echo) process.stderr.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (echo) process.stderr.write(chunk);
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

async function mustRun(command: Command, input?: string): Promise<string> {
  const result = await run(command, input);
  if (result.code !== 0)
    throw new Error(`\`${showCommand(command)}\` failed (exit ${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}

/** Renders the overlay with the release's image tags, offline, and builds the plan from what it renders. */
export async function preparePlan(
  options: Options,
  repoRoot: string,
): Promise<{ plan: Plan; manifests: string }> {
  // A path given on the command line is the caller's (relative to where they are); ours is the repository's.
  const overlay = options.overlay ? resolve(options.overlay) : resolve(repoRoot, overlayPath(options));
  const dir = mkdtempSync(join(tmpdir(), 'shiftstack-deploy-'));
  try {
    // Relative: kustomize refuses an absolute path as a resource.
    writeFileSync(join(dir, 'kustomization.yaml'), kustomizationFor(relative(dir, overlay), options.version));
    const manifests = await mustRun(['kubectl', 'kustomize', dir]);
    const objects = parseManifests(manifests);
    const wrong = imagesNotAt(objects, options.version);
    if (wrong.length > 0)
      throw new Error(
        `the rendered overlay does not use ${options.version} everywhere:\n  ${wrong.join('\n  ')}`,
      );
    // The plan names the overlay by its path in the repository: the temporary folder changes on every run.
    const plan = buildPlan(
      options,
      objects,
      '<temporary folder with this kustomization>',
      options.overlay ? overlay : `<repository>/${overlayPath(options)}`,
    );
    return { plan, manifests };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const resource = (workload: Workload) =>
  workload.kind === 'Rollout'
    ? `rollouts.argoproj.io/${workload.name}`
    : `${workload.kind.toLowerCase()}/${workload.name}`;

/** metadata.generation of each workload, or undefined when it does not exist yet. */
async function generations(
  workloads: Workload[],
  namespace: string,
): Promise<Map<string, number | undefined>> {
  const entries = await Promise.all(
    workloads.map(async (workload): Promise<[string, number | undefined]> => {
      const result = await run([
        'kubectl',
        'get',
        resource(workload),
        '-n',
        namespace,
        '--ignore-not-found',
        '-o',
        'jsonpath={.metadata.generation}',
      ]);
      if (result.code !== 0) throw new Error(`cannot read ${key(workload)}: ${result.stderr.trim()}`);
      const text = result.stdout.trim();
      return [key(workload), text === '' ? undefined : Number(text)];
    }),
  );
  return new Map(entries);
}

/** Applies the plan; on a failed rollout rolls back what changed. Returns the process exit code. */
export async function execute(plan: Plan, manifests: string, log: (line: string) => void): Promise<number> {
  const workloads = plan.waits.map((wait) => wait.workload);
  const before = await generations(workloads, plan.namespace);
  log(`applying ${plan.version} to ${plan.namespace}`);
  process.stderr.write(await mustRun(plan.apply, manifests));
  const changes = changedWorkloads(workloads, before, await generations(workloads, plan.namespace));
  log(
    `changed: ${changes.changed.map(key).join(', ') || 'none'}; created: ${changes.created.map(key).join(', ') || 'none'}`,
  );

  // All rollouts progress together; each has its own timeout.
  const results = await Promise.all(
    plan.waits.map(async ({ workload, command }) => ({
      workload,
      result: await run(command, undefined, true),
    })),
  );
  const failed = results.filter(({ result }) => result.code !== 0).map(({ workload }) => workload);
  if (failed.length === 0) {
    log(`${plan.version} is live in ${plan.environment}: ${workloads.map(key).join(', ')} rolled out`);
    return 0;
  }

  const decision = decideRollback(workloads, plan.namespace, changes, failed);
  log(
    `rollout failed for ${failed.map(key).join(', ')}; rolling back ${decision.undo.map((u) => key(u.workload)).join(', ') || 'nothing'}`,
  );
  let rollbackFailed = false;
  for (const { workload, commands } of decision.undo) {
    for (const command of commands) {
      const result = await run(command, undefined, true);
      if (result.code !== 0) {
        rollbackFailed = true;
        log(`ROLLBACK FAILED for ${key(workload)}: \`${showCommand(command)}\` exited ${result.code}`);
      }
    }
  }
  for (const { workload, reason } of decision.keep) log(`left as is: ${key(workload)} (${reason})`);
  log(
    rollbackFailed
      ? `deploy of ${plan.version} to ${plan.environment} FAILED and the rollback did not complete: check the workloads above by hand`
      : `deploy of ${plan.version} to ${plan.environment} FAILED (${failed.map(key).join(', ')}); the previous version is back`,
  );
  return rollbackFailed ? 2 : 1;
}
