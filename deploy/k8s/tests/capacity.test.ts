// The arithmetic at peak, for every environment, from the rendered overlays: every workload at its
// autoscaler's maximum plus its rollout surge (the canary's surge included) fits the namespace's
// ResourceQuota, and the connections every pod's pool may open (plus one each to migrate at start) fit
// what each database accepts, with headroom. The numbers are printed, and docs/operations.md carries the
// same tables ("Capacity at peak"), checked here to be current.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONNECTION_HEADROOM, capacityOf, capacityTable, cpu, memory } from './support/capacity.js';
import {
  autoscalersOf,
  environments,
  k8sDir,
  kubectlAvailable,
  minReplicasOf,
  ofKind,
  podWorkloads,
  renderOverlay,
  type Obj,
} from './support/manifests.js';

const operations = () => readFileSync(join(k8sDir, '../../docs/operations.md'), 'utf8');

describe.skipIf(!kubectlAvailable)('capacity at peak', () => {
  const rendered = new Map(environments.map((env) => [env, renderOverlay(env)]));

  describe.each(environments)('overlays/%s', (env) => {
    const objs = rendered.get(env)!;
    const capacity = capacityOf(objs);
    const table = capacityTable(env, capacity);

    it('admits every workload at its maximum plus surge, and the databases, within the ResourceQuota', () => {
      console.log(`\n${table}\n`);
      const { total, quota } = capacity;
      expect(total.pods, 'pods').toBeLessThanOrEqual(quota.pods);
      expect(total.requests.cpu, 'requests.cpu').toBeLessThanOrEqual(quota.requests.cpu);
      expect(total.requests.memory, 'requests.memory').toBeLessThanOrEqual(quota.requests.memory);
      expect(total.limits.cpu, 'limits.cpu').toBeLessThanOrEqual(quota.limits.cpu);
      expect(total.limits.memory, 'limits.memory').toBeLessThanOrEqual(quota.limits.memory);
    });

    it('keeps every container within the LimitRange', () => {
      const max = ofKind(objs, 'LimitRange')[0]?.spec.limits.find(
        (l: { type: string }) => l.type === 'Container',
      )?.max;
      for (const w of podWorkloads(objs))
        for (const c of w.spec.template.spec.containers) {
          expect(cpu(c.resources?.limits?.cpu), `${w.metadata.name}/${c.name} cpu`).toBeLessThanOrEqual(
            cpu(max.cpu),
          );
          expect(
            memory(c.resources?.limits?.memory),
            `${w.metadata.name}/${c.name} memory`,
          ).toBeLessThanOrEqual(memory(max.memory));
        }
    });

    it('opens at most what each database accepts, at peak, with headroom', () => {
      expect(capacity.connections.length).toBe(2);
      for (const k of capacity.connections)
        expect(
          k.atPeak + CONNECTION_HEADROOM,
          `${k.database}: ${k.pods} pods × (${k.pool} + 1)`,
        ).toBeLessThanOrEqual(k.maxConnections);
    });

    it('is written down in docs/operations.md as it is', () => {
      expect(operations()).toContain(table);
    });
  });
});

describe.skipIf(!kubectlAvailable)('spreading and disruption', () => {
  describe.each(environments)('overlays/%s', (env) => {
    const objs = renderOverlay(env);

    it('spreads by node without counting cordoned or tainted nodes, so a drain never strands a pod', () => {
      for (const w of podWorkloads(objs))
        for (const c of (w.spec.template.spec.topologySpreadConstraints ?? []) as Obj[])
          if (c.whenUnsatisfiable === 'DoNotSchedule')
            expect(c.nodeTaintsPolicy, `${w.metadata.name} ${c.topologyKey}`).toBe('Honor');
    });

    it('schedules the databases first when nodes are full, and nothing else above the default', () => {
      const [priority] = ofKind(objs, 'PriorityClass');
      expect(priority?.metadata.name).toBe('shiftstack-database');
      expect(priority?.globalDefault).toBe(false);
      // Above every default-priority pod, below the system classes (2,000,000,000 and up).
      expect(priority?.value).toBeGreaterThan(0);
      expect(priority?.value).toBeLessThan(1_000_000_000);
      const databases = [...ofKind(objs, 'Cluster'), ...ofKind(objs, 'StatefulSet')];
      expect(databases.map((d) => d.metadata.name).sort()).toEqual(['shifts-db', 'users-db']);
      for (const d of databases)
        expect(
          d.kind === 'Cluster' ? d.spec.priorityClassName : d.spec.template.spec.priorityClassName,
          d.metadata.name,
        ).toBe('shiftstack-database');
      for (const w of podWorkloads(objs).filter((o) => o.kind !== 'StatefulSet'))
        expect(w.spec.template.spec.priorityClassName, w.metadata.name).toBeUndefined();
    });

    it('lets a drain evict a pod of every workload even at its minimum replicas', () => {
      for (const pdb of ofKind(objs, 'PodDisruptionBudget')) {
        const name = pdb.spec.selector.matchLabels['app.kubernetes.io/name'] as string;
        const w = podWorkloads(objs).find((o) => o.metadata.name === name);
        if (!w) continue;
        const scaler = autoscalersOf(objs, w)[0];
        const min = scaler ? minReplicasOf(scaler) : Number(w.spec.replicas ?? 1);
        const allowed =
          pdb.spec.maxUnavailable !== undefined
            ? Number(pdb.spec.maxUnavailable)
            : min - Number(pdb.spec.minAvailable);
        expect(allowed, `${pdb.metadata.name} at ${min} replicas`).toBeGreaterThanOrEqual(1);
      }
    });
  });
});
