// Vitest global setup: one throwaway PostgreSQL server per project run, shared by its test files
// (each suite creates its own database on it). Missing PostgreSQL leaves the URL empty; suites then
// skip, or fail under REQUIRE_SYSTEM_DEPS=1 (see system-deps.ts).
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { postgresMissing, startPostgres } from '../../scripts/lib/postgres-server';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    postgresMissing: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const missing = postgresMissing();
  if (missing) {
    project.provide('postgresUrl', '');
    project.provide('postgresMissing', missing);
    return () => {};
  }
  const server = await startPostgres();
  project.provide('postgresUrl', server.url);
  project.provide('postgresMissing', '');
  return () => server.stop();
}
