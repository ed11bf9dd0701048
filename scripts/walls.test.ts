// The walls of eslint.walls.js stop a deliberate breach of each, and let through what is allowed: lint a
// one-line file placed (in name only: nothing is written) where the breach would be.
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, test } from 'vitest';
import { wallsConfig } from '../eslint.walls.js';

const repoRoot = resolve(import.meta.dirname, '..');
const eslint = new ESLint({
  cwd: repoRoot,
  overrideConfigFile: true,
  overrideConfig: [
    { files: ['**/*.{ts,tsx}'], languageOptions: { parser: tseslint.parser } },
    ...wallsConfig,
  ],
});

async function wallMessages(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\n`, { filePath: resolve(repoRoot, file) });
  return result!.messages.map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`);
}

describe('the walls between the parts of the repository', () => {
  test.each([
    [
      'services/users/src/breach.ts',
      "import { buildApp } from '../../shifts/src/app';",
      /Services never import each other/,
    ],
    ['services/shifts/src/breach.ts', "import '../../users/src/app';", /Services never import each other/],
    ['packages/service-kit/src/breach.ts', "import '../../../services/users/src/app';", /know no service/],
    ['packages/contract/src/breach.ts', "import '../../../web/src/time';", /know no service, web app/],
    [
      'web/src/breach.ts',
      "import { createServer } from '@shiftstack/service-kit';",
      /only the contract and HTTP/,
    ],
    ['web/src/board/breach.tsx', "import '../../../scripts/lib/ports';", /only the contract and HTTP/],
    [
      'scripts/local/breach.ts',
      "import { addDays } from '../../web/src/time';",
      /never reach into the web app/,
    ],
    [
      'bench/web/breach.ts',
      "import { ROOT } from '../../test/system/browser/support';",
      /never use test support/,
    ],
    ['scripts/breach.ts', "import { needs } from '../test/support/system-deps';", /never use test support/],
    [
      'packages/service-kit/src/errors.ts',
      "import { UpstreamUnavailable } from './http/upstream-client';",
      /errors know no HTTP client/,
    ],
  ])('%s: %s is refused', async (file, source, message) => {
    const messages = await wallMessages(file, source);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^import-x\/no-restricted-paths: /);
    expect(messages[0]).toMatch(message);
  });

  test.each([
    ['web/src/breach.ts', "import { addDays } from '@shiftstack/contract/time';"],
    ['scripts/local/breach.ts', "import { addDays } from '@shiftstack/contract/time';"],
    ['services/shifts/src/breach.ts', "import { createServer } from '@shiftstack/service-kit';"],
    ['scripts/breach.test.ts', "import { needs } from '../test/support/system-deps';"],
    ['bench/web/breach.ts', "import { launchChromium } from '../../scripts/lib/chromium';"],
    ['packages/service-kit/src/http/breach.ts', "import { ProblemError } from '../errors';"],
  ])('%s: %s is allowed', async (file, source) => {
    expect(await wallMessages(file, source)).toEqual([]);
  });
});
