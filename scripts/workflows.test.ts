// The GitHub Actions workflows: actionlint (pinned in deploy/tools/actionlint/go.mod and built from the Go
// module proxy; with shellcheck on PATH it checks each `run:` script too) finds nothing, shellcheck
// passes the scripts they run, and the pipeline keeps its promises:
// least-privilege tokens, scan before push, SBOM and provenance, production behind an approval, every deploy
// through the rollout script.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { commandMissing, needs } from '../test/support/system-deps';
import { ensureActionlint } from './tools/actionlint';
import { goMissing } from './tools/kubectl';

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}
const haveGo = needs('Go (to build the pinned actionlint)', goMissing());
/** actionlint's findings for `source`, read as the workflow file `path`. */
function runLint(source: string, path: string): LintResult[] {
  const run = spawnSync(ensureActionlint(), ['-format', '{{json .}}', '-stdin-filename', path, '-'], {
    cwd: repoRoot,
    input: source,
    encoding: 'utf8',
  });
  // 0: nothing found, 1: findings; anything else is actionlint failing to run.
  if (run.status !== 0 && run.status !== 1) throw new Error(`actionlint failed: ${run.stderr}`);
  return JSON.parse(run.stdout || '[]') as LintResult[];
}

const repoRoot = resolve(import.meta.dirname, '..');
const workflowsDir = join(repoRoot, '.github/workflows');
const workflowFiles = readdirSync(workflowsDir).filter((name) => /\.ya?ml$/.test(name));
const read = (name: string) => readFileSync(join(workflowsDir, name), 'utf8');

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: Record<string, string>;
  environment?: string;
  needs?: string[];
  steps?: Step[];
  container?: { image: string };
  'timeout-minutes'?: number;
}
const workflow = (name: string) =>
  parse(read(name)) as { permissions: Record<string, string>; jobs: Record<string, Job> };

describe.skipIf(!haveGo)('actionlint', () => {
  test('finds workflows to check', () => {
    expect(workflowFiles.sort()).toEqual(['cd.yml', 'ci.yml']);
  });

  test.each(workflowFiles)('%s has no findings', (name) => {
    const findings = runLint(read(name), `.github/workflows/${name}`);
    expect(
      findings
        .filter((finding) => finding.message)
        .map((f) => `${name}:${f.line}:${f.column} ${f.message} [${f.kind}]`),
    ).toEqual([]);
  });

  test('reports a broken workflow (the check can fail)', () => {
    const broken =
      'on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nope }}\n        uses: actions/checkout@v4\n';
    expect(runLint(broken, '.github/workflows/broken.yml').length).toBeGreaterThan(0);
  });
});

describe.skipIf(!needs('shellcheck', commandMissing('shellcheck', ['--version'])))('shell scripts', () => {
  test('the scripts the pipeline and the image test run pass shellcheck', () => {
    const scripts = [
      '.ci/run',
      '.github/scripts/smoke-and-rolling-update.sh',
      'deploy/images/build-bases.sh',
    ];
    execFileSync('shellcheck', scripts, { cwd: repoRoot, stdio: 'pipe' });
  });
});

describe('pipeline promises', () => {
  test('every workflow defaults to a read-only token', () => {
    for (const name of workflowFiles) expect(workflow(name).permissions, name).toEqual({ contents: 'read' });
  });

  test('ci: images are scanned before the push, pushed on main only, by commit, with SBOM and provenance', () => {
    const steps = workflow('ci.yml').jobs.images!.steps!;
    const scan = steps.findIndex((step) => step.uses?.startsWith('aquasecurity/trivy-action'));
    const push = steps.findIndex((step) => step.with?.push === true);
    expect(scan).toBeGreaterThan(-1);
    expect(push).toBeGreaterThan(scan);
    expect(steps[scan]!.with).toMatchObject({ 'exit-code': '1', severity: 'CRITICAL,HIGH' });
    expect(steps[push]!.if).toContain("github.ref == 'refs/heads/main'");
    expect(steps[push]!.with).toMatchObject({
      sbom: true,
      provenance: 'mode=max',
      tags: '${{ steps.name.outputs.image }}:${{ github.sha }}',
    });
  });

  test('ci: the test job runs exactly .ci/run on Debian 12, with Go from go.mod and time for a cold run', () => {
    const test = workflow('ci.yml').jobs.test!;
    expect(test.container?.image).toBe('debian:bookworm');
    expect(
      test.steps!.filter((step) => step.run?.includes('npm') || step.run?.includes('.ci/')).map((s) => s.run),
    ).toEqual(['bash .ci/run']);
    const go = test.steps!.find((step) => step.uses?.startsWith('actions/setup-go'));
    expect(go?.with).toMatchObject({ 'go-version-file': 'deploy/cluster/go.mod' });
    // CI's own limit; docs/development.md keeps the measured cold figure under it.
    expect(test['timeout-minutes']).toBe(90);
  });

  test('ci: the fast tier runs with Node.js alone (no Go, no Debian packages)', () => {
    const fast = workflow('ci.yml').jobs.fast!;
    expect(fast.container).toBeUndefined();
    expect(fast.steps!.map((step) => step.run).filter(Boolean)).toEqual(['npm ci', 'npm test']);
    expect(fast.steps!.some((step) => step.uses?.startsWith('actions/setup-go'))).toBe(false);
  });

  test('the Node.js version comes from one place, .nvmrc, which .ci/run checks too', () => {
    for (const name of workflowFiles)
      for (const job of Object.values(workflow(name).jobs))
        for (const step of job.steps ?? [])
          if (step.uses?.startsWith('actions/setup-node'))
            expect(step.with, `${name}: ${step.uses}`).toEqual(
              expect.objectContaining({ 'node-version-file': '.nvmrc' }),
            );
    // The composite actions the workflows use, too.
    for (const action of readdirSync(join(repoRoot, '.github/actions'))) {
      const file = join(repoRoot, '.github/actions', action, 'action.yml');
      const steps = (parse(readFileSync(file, 'utf8')) as { runs: { steps: Step[] } }).runs.steps;
      for (const step of steps.filter((s) => s.uses?.startsWith('actions/setup-node')))
        expect(step.with, `${action}/action.yml`).toEqual(
          expect.objectContaining({ 'node-version-file': '.nvmrc' }),
        );
    }
    expect(readFileSync(join(repoRoot, '.ci/run'), 'utf8')).toContain('.nvmrc');
  });

  test('every action outside this repository is pinned by commit SHA, with its version beside it', () => {
    const files = [
      ...workflowFiles.map((name) => join(workflowsDir, name)),
      ...readdirSync(join(repoRoot, '.github/actions')).map((a) =>
        join(repoRoot, '.github/actions', a, 'action.yml'),
      ),
    ];
    const uses = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => /^\s*-?\s*uses:/.test(line))
        .map((line) => ({ file, line: line.trim() })),
    );
    expect(uses.length).toBeGreaterThan(10);
    for (const { file, line } of uses.filter((u) => !u.line.includes('uses: ./')))
      expect(line, relative(repoRoot, file)).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v?\d+(\.\d+)*$/);
  });

  test('deploy jobs run no install script and check the Argo Rollouts plugin before running it', () => {
    const action = readFileSync(join(repoRoot, '.github/actions/deploy-setup/action.yml'), 'utf8');
    const steps = (parse(action) as { runs: { steps: Step[] } }).runs.steps;
    const runs = steps.map((step) => step.run ?? '');
    expect(runs.filter((run) => /\bnpm (ci|install)\b/.test(run))).toEqual(['npm ci --ignore-scripts']);
    const plugin = runs.find((run) => run.includes('kubectl-argo-rollouts'))!;
    expect(plugin.indexOf('sha256sum --check')).toBeGreaterThan(-1);
    expect(plugin.indexOf('sha256sum --check')).toBeLessThan(plugin.indexOf('install -m'));
  });

  test('cd: staging and production deploy with the rollout script; production waits for approval', () => {
    const { jobs } = workflow('cd.yml');
    expect(jobs.staging!.environment).toBe('staging');
    expect(jobs.production!.environment).toBe('production');
    for (const [job, env] of [
      ['staging', 'staging'],
      ['production', 'production'],
    ] as const) {
      expect(
        jobs[job]!.steps!.some((step) => step.run?.startsWith(`npm run deploy -- --env ${env} --version`)),
      ).toBe(true);
    }
    const kind = jobs.kind!.steps!.map((step) => step.run ?? '');
    expect(kind.some((run) => run.includes('npm run deploy -- --env dev'))).toBe(true);
    expect(kind.some((run) => run.includes('smoke-and-rolling-update.sh rolling-update'))).toBe(true);
  });
});
