// One route table, three front doors: the Gateway's HTTPRoute (the cluster), compose's nginx and the local
// front door (`npm start`) send the same path prefixes to the same service, none rewriting the path. The
// HTTPRoute is the reference; each of the others is read from its own source and compared with it.
// How each behaves on real requests: deploy/compose/compose.test.ts (real nginx), test/system/local-run.test.ts
// and test/system/cluster.test.ts (through the Gateway).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../../scripts/local/front-door';
import { get, k8sDir, kubectlAvailable, kustomize, type Obj } from './support/manifests.js';

type Table = Record<string, string[]>;
const sorted = (table: Table): Table =>
  Object.fromEntries(
    Object.entries(table)
      .map(([service, prefixes]) => [service, [...prefixes].sort()] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

/** The base's HTTPRoute: PathPrefix matches per backend, with no filter that would rewrite them. */
function gatewayTable(): Table {
  const route = get(kustomize(join(k8sDir, 'base')), 'HTTPRoute', 'shiftstack');
  const table: Table = {};
  for (const rule of route.spec.rules as Obj[]) {
    expect(rule.filters, 'no URLRewrite on the route').toBeUndefined();
    const [backend] = rule.backendRefs as Obj[];
    for (const m of rule.matches as Obj[]) {
      expect(m.path.type).toBe('PathPrefix');
      (table[backend!.name as string] ??= []).push(m.path.value as string);
    }
  }
  return table;
}

/** compose's nginx: `location ~ ^/api/v1/(a|b)(/|$)` (whole segments) or `location /`, each to one upstream. */
function nginxTable(): Table {
  const conf = readFileSync(join(k8sDir, '../compose/frontdoor.conf'), 'utf8');
  const table: Table = {};
  for (const m of conf.matchAll(/location (~ \^(\S+)\(\/\|\$\)|\/) \{\s*proxy_pass http:\/\/(\w+);/g)) {
    const [, whole, pattern, upstream] = m;
    const prefixes =
      whole === '/'
        ? ['/']
        : (() => {
            const alternatives = /^(.*)\(([\w|-]+)\)$/.exec(pattern!);
            return alternatives
              ? alternatives[2]!.split('|').map((a) => `${alternatives[1]}${a}`)
              : [pattern!];
          })();
    (table[upstream!] ??= []).push(...prefixes);
  }
  expect(conf, 'proxy_pass without a path: nginx passes the path unchanged').not.toMatch(
    /proxy_pass http:\/\/\w+\/\S*;/,
  );
  return table;
}

/** The local front door: its API prefixes, and the web app for the rest (it serves the build itself). */
const localTable = (): Table => ({
  ...Object.fromEntries(Object.entries(ROUTES).map(([service, prefixes]) => [service, [...prefixes]])),
  web: ['/'],
});

describe.skipIf(!kubectlAvailable)('the route table', () => {
  it('is the same in the Gateway, compose and the local front door', () => {
    const gateway = sorted(gatewayTable());
    expect(gateway).toEqual({
      shifts: ['/api/v1/shifts'],
      users: ['/api/v1/locations', '/api/v1/roles', '/api/v1/time-off', '/api/v1/users'],
      web: ['/'],
    });
    expect(sorted(nginxTable()), 'deploy/compose/frontdoor.conf').toEqual(gateway);
    expect(sorted(localTable()), 'scripts/local/front-door.ts').toEqual(gateway);
  });
});
