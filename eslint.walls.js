// The walls between the parts of the repository (docs/architecture.md), as lint rules on resolved paths: a
// relative path and a workspace package name that lead to the same file are the same import. Its own
// module so scripts/walls.test.ts can show each wall stopping a deliberate breach.
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';

const walls = [
  ...['users', 'shifts'].map((service, i, both) => ({
    target: `services/${service}`,
    from: `services/${both[1 - i]}`,
    message: 'Services never import each other: they talk over HTTP, in the types of @shiftstack/contract.',
  })),
  {
    target: 'packages',
    from: ['services', 'web', 'scripts'],
    message: 'The packages know no service, web app or script: what both sides need belongs in a package.',
  },
  {
    target: 'web/src',
    from: ['packages', 'services', 'scripts', 'bench', 'test'],
    except: ['./contract'],
    message: 'The web app knows only the contract and HTTP.',
  },
  {
    target: ['scripts', 'bench'],
    from: 'web/src',
    message: "Scripts and benchmarks never reach into the web app's sources: share it through a package.",
  },
  {
    target: 'packages/service-kit/src/errors.ts',
    from: 'packages/service-kit/src/http',
    message:
      "The chassis' errors know no HTTP client: an error that knows its problem brings it (KnowsItsProblem).",
  },
];
// Only for what runs as a script or benchmark: their own tests may use the test support like any test.
const toolWalls = [
  ...walls,
  {
    target: ['scripts', 'bench'],
    from: 'test',
    message: 'Scripts and benchmarks never use test support: move what they share to scripts/lib.',
  },
];
const importWalls = (zones) => ['error', { basePath: import.meta.dirname, zones }];

export const wallsConfig = [
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ alwaysTryTypes: true })] },
    rules: { 'import-x/no-restricted-paths': importWalls(walls) },
  },
  {
    files: ['scripts/**', 'bench/**'],
    ignores: ['**/*.test.ts'],
    rules: { 'import-x/no-restricted-paths': importWalls(toolWalls) },
  },
];
