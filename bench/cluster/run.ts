// `npx tsx bench/cluster/run.ts [--cold]`: how long the local Kubernetes takes, step by step, as a user
// runs it: `npm run cluster -- build`, `up`, `deploy`, `down`. --cold builds into an empty binary cache with
// an empty Go build and module cache (everything downloaded and compiled, as on a fresh CI machine). Peak
// memory is the largest single process of the step (getrusage of the children: the Go linker, when
// building). Needs root and no cluster running. Never part of `npm test`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '../..');
const cold = process.argv.includes('--cold');
const scratch = mkdtempSync(join(tmpdir(), 'shiftstack-cluster-bench-'));
const env = {
  ...process.env,
  ...(cold
    ? {
        SHIFTSTACK_CLUSTER_CACHE: join(scratch, 'cluster'),
        GOCACHE: join(scratch, 'gocache'),
        GOMODCACHE: join(scratch, 'gomodcache'),
        GOFLAGS: '-modcacherw',
      }
    : {}),
};

/** Runs one `npm run cluster` step; returns seconds and the peak RSS (MiB) of its largest process. */
function step(command: string): { seconds: number; peakMiB: number } {
  const started = process.hrtime.bigint();
  const r = spawnSync(
    'python3',
    [
      '-c',
      'import resource, subprocess, sys\n' +
        'code = subprocess.run(sys.argv[1:]).returncode\n' +
        'print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n' +
        'sys.exit(code)',
      'npx',
      'tsx',
      'scripts/cluster/main.ts',
      command,
    ],
    { cwd: repoRoot, env, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const lines = r.stderr.trim().split('\n');
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    throw new Error(`npm run cluster -- ${command} failed`);
  }
  return { seconds, peakMiB: Math.round(Number(lines.at(-1)) / 1024) };
}

const rows: Array<[string, { seconds: number; peakMiB: number }]> = [];
try {
  for (const command of ['build', 'up', 'deploy', 'down']) rows.push([command, step(command)]);
} finally {
  if (cold) spawnSync('chmod', ['-R', 'u+w', scratch]);
  rmSync(scratch, { recursive: true, force: true });
}
console.log(`\nlocal cluster, ${cold ? 'cold (empty caches)' : 'warm caches'}:`);
console.log('| step | seconds | peak MiB (largest process) |\n|---|--:|--:|');
for (const [command, r] of rows) console.log(`| ${command} | ${r.seconds.toFixed(0)} | ${r.peakMiB} |`);
