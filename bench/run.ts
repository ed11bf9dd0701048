// `npm run bench`: every benchmark, one after the other (they would only slow each other down).
// Never part of `npm test`. Pass --seconds N to shorten the API cases.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const benches = ['api/run.ts', 'web/run.ts', 'cluster/run.ts'];
let failed = false;
for (const bench of benches) {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, bench), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  failed ||= r.status !== 0;
}
process.exit(failed ? 1 : 0);
