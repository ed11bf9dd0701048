// Vitest global setup for the suites that run kubectl: builds the pinned kubectl (scripts/tools/kubectl.ts)
// before any test file is collected. Without Go it leaves things as they are, so the suites use a kubectl
// from PATH or skip; under REQUIRE_SYSTEM_DEPS=1 (CI) a failed build fails the run.
import { ensureKubectl, goMissing } from '../../scripts/tools/kubectl';
import { needs } from './system-deps';

export default function setup(): void {
  if (!needs('Go (to build the pinned kubectl)', goMissing())) return;
  ensureKubectl((line) => process.stderr.write(`${line}\n`));
}
