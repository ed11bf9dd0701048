// `npm run deploy -- --env staging --version TAG [--dry-run]`: release one version of shiftstack to one
// environment. What it decides is in scripts/deploy/plan.ts, what it runs in scripts/deploy/cluster.ts;
// docs/containers.md has examples. Exit codes: 0 deployed, 1 failed and rolled back, 2 rollback incomplete,
// 64 bad usage.
import { resolve } from 'node:path';
import { execute, preparePlan } from './deploy/cluster';
import { describePlan, parseArgs, usage, UsageError } from './deploy/plan';

const repoRoot = resolve(import.meta.dirname, '..');
const log = (line: string) => process.stderr.write(`[deploy] ${line}\n`);

try {
  const options = parseArgs(process.argv.slice(2));
  const { plan, manifests } = await preparePlan(options, repoRoot);
  if (options.dryRun) {
    process.stdout.write(describePlan(plan));
    process.exit(0);
  }
  process.stderr.write(describePlan(plan));
  process.exit(await execute(plan, manifests, log));
} catch (err) {
  if (err instanceof UsageError) {
    log(err.message);
    process.stderr.write(`${usage}\n`);
    process.exit(64);
  }
  log(`deploy failed: ${(err as Error).message}`);
  process.exit(1);
}
