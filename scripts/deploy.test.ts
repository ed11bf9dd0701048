// The rollout script: its arguments, the plan it prints for each environment (rendered with the real kubectl
// from the real overlays, offline), and the decisions it takes when a rollout fails.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { commandMissing, needs } from '../test/support/system-deps';
import { kubectlPath } from './tools/kubectl';
import {
  changedWorkloads,
  decideRollback,
  durationSeconds,
  imagesNotAt,
  key,
  parseArgs,
  parseManifests,
  rollbackCommands,
  waitCommand,
  workloadsOf,
  type Workload,
} from './deploy/plan';

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, '..');

describe('arguments', () => {
  test('env and version are required; the timeout defaults to 300 s', () => {
    expect(parseArgs(['--env', 'staging', '--version', '3f2c1ab'])).toEqual({
      environment: 'staging',
      version: '3f2c1ab',
      dryRun: false,
      timeoutSeconds: 300,
    });
    expect(parseArgs(['--dry-run', '--env', 'dev', '--version', 'kind-1', '--timeout', '120'])).toMatchObject(
      { dryRun: true, timeoutSeconds: 120 },
    );
  });

  test('--overlay names another kustomization of the environment', () => {
    expect(
      parseArgs(['--env', 'dev', '--version', 'kind-1', '--overlay', 'test/system/production-like']),
    ).toMatchObject({ environment: 'dev', overlay: 'test/system/production-like' });
  });

  test.each([
    [[], /--env is required/],
    [['--env', 'staging'], /--version is required/],
    [['--env', 'qa', '--version', 'v1.0.0'], /--env must be one of dev, staging, production/],
    [['--env', 'staging', '--version', 'a b'], /not a valid image tag/],
    [['--env', 'staging', '--version', '-rf'], /needs a value|not a valid image tag/],
    [['--env', 'staging', '--version', 'v1', '--force'], /unknown argument "--force"/],
    [['--env', 'staging', '--version', 'v1', '--timeout', '5'], /--timeout/],
    // Production takes released versions only, never a branch build.
    [['--env', 'production', '--version', '3f2c1ab'], /release versions only/],
    [['--env', 'production', '--version', 'latest'], /release versions only/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

const users: Workload = { kind: 'Deployment', name: 'users' };
const shifts: Workload = { kind: 'Deployment', name: 'shifts' };
const web: Workload = { kind: 'Deployment', name: 'web' };
const canary: Workload = { kind: 'Rollout', name: 'users' };
const generations = (entries: [Workload, number | undefined][]) =>
  new Map(entries.map(([w, g]) => [key(w), g]));

describe('which workloads a release changed', () => {
  test('a raised generation is a change; an unchanged one is not; a new workload is created, not changed', () => {
    const before = generations([
      [users, 4],
      [shifts, 7],
      [web, undefined],
    ]);
    const after = generations([
      [users, 5],
      [shifts, 7],
      [web, 1],
    ]);
    expect(changedWorkloads([users, shifts, web], before, after)).toEqual({
      changed: [users],
      created: [web],
    });
  });
});

describe('rollback decisions', () => {
  const all = [users, shifts, web];

  test('nothing is undone when every rollout succeeded', () => {
    const decision = decideRollback(all, 'ns', { changed: all, created: [] }, []);
    expect(decision.undo).toEqual([]);
    expect(decision.keep.map((k) => k.reason)).toEqual(Array(3).fill('every rollout succeeded'));
  });

  test('one failure undoes every changed workload, including the ones that succeeded', () => {
    const decision = decideRollback(all, 'ns', { changed: [users, shifts], created: [] }, [shifts]);
    expect(decision.undo.map((u) => key(u.workload))).toEqual(['Deployment/users', 'Deployment/shifts']);
    expect(decision.undo[0]!.commands).toEqual([
      ['kubectl', 'rollout', 'undo', 'deployment/users', '-n', 'ns'],
    ]);
    expect(decision.keep).toEqual([{ workload: web, reason: 'not changed by this release' }]);
  });

  test('a workload this release created has no previous revision and is left in place', () => {
    const decision = decideRollback(all, 'ns', { changed: [users], created: [web] }, [web]);
    expect(decision.undo.map((u) => key(u.workload))).toEqual(['Deployment/users']);
    expect(decision.keep).toContainEqual({
      workload: web,
      reason: 'created by this release: no previous revision',
    });
  });

  test('a canary is aborted before it is undone', () => {
    expect(rollbackCommands(canary, 'shiftstack-production')).toEqual([
      ['kubectl', 'argo', 'rollouts', 'abort', 'users', '-n', 'shiftstack-production'],
      ['kubectl', 'argo', 'rollouts', 'undo', 'users', '-n', 'shiftstack-production'],
    ]);
  });

  test('waits have timeouts; a canary gets three times longer to walk its steps', () => {
    expect(waitCommand(users, 'ns', 300)).toEqual([
      'kubectl',
      'rollout',
      'status',
      'deployment/users',
      '-n',
      'ns',
      '--timeout=300s',
    ]);
    expect(waitCommand(canary, 'ns', 300)).toEqual([
      'kubectl',
      'argo',
      'rollouts',
      'status',
      'users',
      '-n',
      'ns',
      '--timeout',
      '900s',
    ]);
  });
});

describe("a canary's wait follows its own schedule", () => {
  test('reads pause durations as Argo Rollouts does', () => {
    expect([
      durationSeconds('30s'),
      durationSeconds('5m'),
      durationSeconds('1h'),
      durationSeconds(45),
    ]).toEqual([30, 300, 3600, 45]);
    expect(() => durationSeconds('5 minutes')).toThrow(/cannot read/);
  });

  test('waits for every pause plus the readiness time of each step, never less than the pauses', () => {
    const scheduled: Workload = { ...canary, canary: { pauseSeconds: 900, weightSteps: 3 } };
    expect(waitCommand(scheduled, 'ns', 300).at(-1)).toBe('2100s');
  });

  test('refuses a canary that pauses until a human promotes it', () => {
    const rollout = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: users, namespace: ns }
spec:
  strategy:
    canary:
      steps: [{ setWeight: 10 }, { pause: {} }]
`;
    expect(() => workloadsOf(parseManifests(rollout))).toThrow(/promoted by hand/);
  });
});

describe('rendered output checks', () => {
  const manifest = (image: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: shiftstack-staging}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: users, namespace: shiftstack-staging}
spec: {template: {spec: {containers: [{name: users, image: "${image}"}]}}}
`;

  test('finds the workloads and their one namespace', () => {
    expect(workloadsOf(parseManifests(manifest('ghcr.io/shiftstack/users:v1')))).toEqual({
      namespace: 'shiftstack-staging',
      workloads: [users],
    });
  });

  test('refuses a render where a shiftstack image is not at the requested version', () => {
    expect(imagesNotAt(parseManifests(manifest('ghcr.io/shiftstack/users:v1')), 'v1')).toEqual([]);
    expect(imagesNotAt(parseManifests(manifest('ghcr.io/shiftstack/users@sha256:abc')), 'v1')).toEqual([
      'Deployment/users: ghcr.io/shiftstack/users@sha256:abc',
    ]);
  });
});

describe.skipIf(!needs('kubectl', commandMissing(kubectlPath(), ['version', '--client'])))(
  '--dry-run on the real overlays',
  () => {
    async function dryRun(...args: string[]): Promise<string> {
      const { stdout } = await run('npx', ['tsx', 'scripts/deploy.ts', ...args, '--dry-run'], {
        cwd: repoRoot,
        timeout: 60_000,
      });
      return stdout;
    }

    test.each([
      ['dev', 'kind-3f2c1ab', 'Deployment'],
      ['staging', '3f2c1ab', 'Deployment'],
      ['production', 'v1.2.3', 'Rollout'],
    ] as const)(
      '%s: image edits, apply, a timed wait per workload, and the rollback commands',
      async (env, version, serviceKind) => {
        const plan = await dryRun('--env', env, '--version', version);
        const namespace = `shiftstack-${env}`;
        expect(plan).toContain(`Deploy shiftstack ${version} to ${env} (namespace ${namespace})`);
        for (const image of ['users', 'shifts', 'web']) {
          expect(plan).toContain(`- name: ghcr.io/shiftstack/${image}\n         newTag: "${version}"`);
        }
        expect(plan).toContain(`<repository>/deploy/k8s/overlays/${env}`);
        expect(plan).toMatch(/kubectl kustomize .* \| kubectl apply -f -/);
        expect(plan).toContain(`kubectl rollout status deployment/web -n ${namespace} --timeout=300s`);
        expect(plan).toContain(`kubectl rollout undo deployment/web -n ${namespace}`);
        for (const service of ['users', 'shifts']) {
          if (serviceKind === 'Rollout') {
            // The canary's own 15 minutes of pauses, plus 300 s for each of its 3 traffic steps and the promotion.
            expect(plan).toContain(`kubectl argo rollouts status ${service} -n ${namespace} --timeout 2100s`);
            expect(plan).toContain(`kubectl argo rollouts abort ${service} -n ${namespace}`);
          } else {
            expect(plan).toContain(
              `kubectl rollout status deployment/${service} -n ${namespace} --timeout=300s`,
            );
            expect(plan).toContain(`kubectl rollout undo deployment/${service} -n ${namespace}`);
          }
        }
        // Dry run means dry: nothing that talks to a cluster ran (there is none here), and the plan says what would.
        expect(plan).not.toMatch(/error|failed/i);
      },
      90_000,
    );

    test('--overlay releases a variant of an environment: the canary schedule it has sets the wait', async () => {
      const plan = await dryRun(
        '--env',
        'dev',
        '--overlay',
        'test/system/production-like',
        '--version',
        'kind-1',
      );
      expect(plan).toContain('Deploy shiftstack kind-1 to dev (namespace shiftstack-delivery)');
      expect(plan).toContain(resolve(repoRoot, 'test/system/production-like'));
      // Its three 30 s pauses, plus 300 s for each of 3 traffic steps and the promotion.
      expect(plan).toContain('kubectl argo rollouts status users -n shiftstack-delivery --timeout 1290s');
      expect(plan).toContain('kubectl rollout status deployment/web -n shiftstack-delivery --timeout=300s');
    }, 60_000);

    test('a usage error exits 64 with the usage text', async () => {
      const failure = await run(
        'npx',
        ['tsx', 'scripts/deploy.ts', '--env', 'production', '--version', 'main', '--dry-run'],
        {
          cwd: repoRoot,
          timeout: 60_000,
        },
      ).then(
        () => null,
        (err: { code: number; stderr: string }) => err,
      );
      expect(failure?.code).toBe(64);
      expect(failure?.stderr).toContain('production deploys release versions only');
      expect(failure?.stderr).toContain('usage: npm run deploy --');
    }, 60_000);
  },
);
