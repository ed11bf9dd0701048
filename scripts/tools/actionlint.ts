// actionlint at the version pinned in deploy/tools/actionlint/go.mod, built from the Go module proxy into
// .tools/bin (go.sum pins every byte), for the full suite's check of the GitHub workflows. The binary's
// name carries its version, so a new pin builds anew and an old binary is never taken for it.
//
//   npx tsx scripts/tools/actionlint.ts build    builds it if missing, prints its path
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goMissing } from './kubectl';
import { buildCommand, buildInPlace } from './pinned-build';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const moduleDir = join(repoRoot, 'deploy/tools/actionlint');

/** The actionlint version the module requires, e.g. "v1.7.12". */
export function pinnedActionlintVersion(): string {
  const goMod = readFileSync(join(moduleDir, 'go.mod'), 'utf8');
  const match = /^\s+github\.com\/rhysd\/actionlint (v\d+\.\d+\.\d+)\b/m.exec(goMod);
  if (!match) throw new Error('deploy/tools/actionlint/go.mod does not require github.com/rhysd/actionlint');
  return match[1]!;
}

export const actionlintPath = () => join(repoRoot, `.tools/bin/actionlint-${pinnedActionlintVersion()}`);

/** Builds the pinned actionlint unless it is there (a few seconds with Go's caches warm); returns its path. */
export function ensureActionlint(log: (line: string) => void = () => {}): string {
  const path = actionlintPath();
  if (existsSync(path)) return path;
  const missing = goMissing();
  if (missing) throw new Error(missing);
  log(`building actionlint ${pinnedActionlintVersion()} from deploy/tools/actionlint/go.mod into .tools/bin`);
  return buildInPlace(path, (temporary) =>
    execFileSync(
      'go',
      [
        'build',
        '-mod=readonly',
        '-trimpath',
        '-ldflags',
        '-s -w',
        '-o',
        temporary,
        'github.com/rhysd/actionlint/cmd/actionlint',
      ],
      { cwd: moduleDir, stdio: ['ignore', 'inherit', 'inherit'] },
    ),
  );
}

buildCommand(import.meta.url, ensureActionlint);
