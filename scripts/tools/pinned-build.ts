// What the pinned tools built from the Go module proxy (kubectl.ts, actionlint.ts) share: the binary is
// written beside its final name and renamed, so two callers building at once never leave a half-written
// file, and each file is also a command: `npx tsx scripts/tools/<tool>.ts build` prints the path.
import { mkdirSync, renameSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Runs `build` into a temporary name beside `path`, then moves the result into place. */
export function buildInPlace(path: string, build: (temporary: string) => void): string {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  build(temporary);
  renameSync(temporary, path);
  return path;
}

/** When the module at `moduleUrl` is the script run, does `build` (usage: `<script> build`) and prints the path. */
export function buildCommand(moduleUrl: string, ensure: (log: (line: string) => void) => string): void {
  const script = fileURLToPath(moduleUrl);
  if (!process.argv[1] || resolve(process.argv[1]) !== script) return;
  if (process.argv[2] !== 'build') {
    process.stderr.write(`usage: npx tsx ${script.slice(process.cwd().length + 1)} build\n`);
    process.exit(2);
  }
  process.stdout.write(`${ensure((line) => process.stderr.write(`${line}\n`))}\n`);
}
