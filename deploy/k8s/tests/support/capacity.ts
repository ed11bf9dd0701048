// The arithmetic of an environment at its peak, from its rendered manifests: every workload at its
// autoscaler's maximum plus the rollout surge, the databases, the connections the pools may open, and
// what the namespace's ResourceQuota admits. capacity.test.ts checks it and prints it.
import { autoscalersOf, envOf, find, maxReplicasOf, ofKind, podWorkloads, type Obj } from './manifests.js';

/** Connections kept free on each database beyond the services' pools: superuser_reserved_connections (3),
 * the operator and monitoring (5), a human with psql (2). */
export const CONNECTION_HEADROOM = 10;
/** PostgreSQL's default max_connections. */
const DEFAULT_MAX_CONNECTIONS = 100;

export interface PodGroup {
  name: string;
  /** Pods at peak: the maximum replicas plus the rollout surge. */
  pods: number;
  max: number;
  surge: number;
  requests: { cpu: number; memory: number };
  limits: { cpu: number; memory: number };
  /** Each container's `resources`, as the pod at peak asks for them (a database's sidecars included). */
  containers: Obj[];
}

export interface Connections {
  service: string;
  database: string;
  pods: number;
  pool: number;
  /** pods x (pool + 1): each pod also opens one connection of its own to migrate at start. */
  atPeak: number;
  maxConnections: number;
}

export interface Capacity {
  groups: PodGroup[];
  total: { pods: number; requests: { cpu: number; memory: number }; limits: { cpu: number; memory: number } };
  quota: { pods: number; requests: { cpu: number; memory: number }; limits: { cpu: number; memory: number } };
  connections: Connections[];
}

export function cpu(q: string | number | undefined): number {
  if (q === undefined) return 0;
  const s = String(q);
  return s.endsWith('m') ? Number(s.slice(0, -1)) / 1000 : Number(s);
}

const UNITS: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  k: 1e3,
  M: 1e6,
  G: 1e9,
};

/** Bytes. */
export function memory(q: string | number | undefined): number {
  if (q === undefined) return 0;
  const m = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(String(q));
  if (!m) throw new Error(`not a quantity: ${q}`);
  return Number(m[1]) * (m[2] ? (UNITS[m[2]] ?? NaN) : 1);
}

function podResources(spec: Obj) {
  const sum = {
    requests: { cpu: 0, memory: 0 },
    limits: { cpu: 0, memory: 0 },
    containers: ((spec.containers ?? []) as Obj[]).map((c) => (c.resources ?? {}) as Obj),
  };
  for (const c of (spec.containers ?? []) as Obj[]) {
    sum.requests.cpu += cpu(c.resources?.requests?.cpu);
    sum.requests.memory += memory(c.resources?.requests?.memory);
    sum.limits.cpu += cpu(c.resources?.limits?.cpu);
    sum.limits.memory += memory(c.resources?.limits?.memory);
  }
  return sum;
}

/** The most replicas an autoscaler may give the workload (the highest, if two target it); else its replicas. */
function maxReplicas(objs: Obj[], w: Obj): number {
  const ceilings = autoscalersOf(objs, w).map(maxReplicasOf);
  return ceilings.length > 0 ? Math.max(...ceilings) : Number(w.spec.replicas ?? 1);
}

function surgeOf(w: Obj, max: number): number {
  if (w.kind === 'StatefulSet') return 0;
  const surge =
    w.kind === 'Rollout' ? w.spec.strategy?.canary?.maxSurge : w.spec.strategy?.rollingUpdate?.maxSurge;
  const value = (surge ?? '25%') as string | number;
  return typeof value === 'string' && value.endsWith('%')
    ? Math.ceil((max * Number(value.slice(0, -1))) / 100)
    : Number(value);
}

/** The containers CNPG-I plugins add to every instance pod: the Barman Cloud plugin's sidecar, sized in its ObjectStore. */
function pluginSidecars(objs: Obj[], cluster: Obj): Obj[] {
  return ((cluster.spec.plugins ?? []) as Obj[]).map((plugin) => {
    const store = find(objs, 'ObjectStore', plugin.parameters?.barmanObjectName as string);
    if (!store)
      throw new Error(`${cluster.metadata.name}: plugin ${plugin.name} names no ObjectStore we ship`);
    return { resources: store.spec.instanceSidecarConfiguration?.resources };
  });
}

function maxConnectionsOf(objs: Obj[], database: string): number | undefined {
  const cluster = find(objs, 'Cluster', database);
  if (cluster) return Number(cluster.spec.postgresql?.parameters?.max_connections ?? DEFAULT_MAX_CONNECTIONS);
  const set = find(objs, 'StatefulSet', database);
  if (!set) return undefined;
  const args = ((set.spec.template.spec.containers as Obj[])[0]?.args ?? []) as string[];
  const given = args.map((a) => /^max_connections=(\d+)$/.exec(a)?.[1]).find(Boolean);
  return Number(given ?? DEFAULT_MAX_CONNECTIONS);
}

export function capacityOf(objs: Obj[]): Capacity {
  const groups: PodGroup[] = podWorkloads(objs).map((w) => {
    const max = maxReplicas(objs, w);
    const surge = surgeOf(w, max);
    return {
      name: `${w.kind}/${w.metadata.name}`,
      max,
      surge,
      pods: max + surge,
      ...podResources(w.spec.template.spec),
    };
  });
  for (const c of ofKind(objs, 'Cluster')) {
    const instances = Number(c.spec.instances ?? 1);
    const r = podResources({ containers: [{ resources: c.spec.resources }, ...pluginSidecars(objs, c)] });
    groups.push({ name: `Cluster/${c.metadata.name}`, max: instances, surge: 0, pods: instances, ...r });
  }
  const total = {
    pods: groups.reduce((n, g) => n + g.pods, 0),
    requests: {
      cpu: groups.reduce((n, g) => n + g.pods * g.requests.cpu, 0),
      memory: groups.reduce((n, g) => n + g.pods * g.requests.memory, 0),
    },
    limits: {
      cpu: groups.reduce((n, g) => n + g.pods * g.limits.cpu, 0),
      memory: groups.reduce((n, g) => n + g.pods * g.limits.memory, 0),
    },
  };
  const hard = (ofKind(objs, 'ResourceQuota')[0]?.spec.hard ?? {}) as Record<string, string>;
  const quota = {
    pods: Number(hard.pods ?? Infinity),
    requests: { cpu: cpu(hard['requests.cpu']), memory: memory(hard['requests.memory']) },
    limits: { cpu: cpu(hard['limits.cpu']), memory: memory(hard['limits.memory']) },
  };
  const connections: Connections[] = [];
  for (const service of ['users', 'shifts']) {
    const w = podWorkloads(objs).find((o) => o.metadata.name === service);
    if (!w) continue;
    const container = (w.spec.template.spec.containers as Obj[])[0]!;
    const pool = Number(envOf(objs, container).DB_POOL_MAX ?? 10);
    const group = groups.find((g) => g.name === `${w.kind}/${service}`)!;
    const database = `${service}-db`;
    const maxConnections = maxConnectionsOf(objs, database);
    if (maxConnections === undefined) continue; // a database outside the cluster: its own budget
    connections.push({
      service,
      database,
      pods: group.pods,
      pool,
      atPeak: group.pods * (pool + 1),
      maxConnections,
    });
  }
  return { groups, total, quota, connections };
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)}Gi`;

/** The capacity as the table docs/operations.md carries. */
export function capacityTable(env: string, c: Capacity): string {
  const lines = [
    `#### ${env}`,
    '',
    '| at peak | pods | CPU requests | CPU limits | memory requests | memory limits |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...c.groups.map(
      (g) =>
        `| ${g.name} (${g.max}${g.surge ? ` + ${g.surge} surge` : ''}) | ${g.pods} | ${(g.pods * g.requests.cpu).toFixed(2)} | ${(g.pods * g.limits.cpu).toFixed(1)} | ${gib(g.pods * g.requests.memory)} | ${gib(g.pods * g.limits.memory)} |`,
    ),
    `| **total** | **${c.total.pods}** | **${c.total.requests.cpu.toFixed(2)}** | **${c.total.limits.cpu.toFixed(1)}** | **${gib(c.total.requests.memory)}** | **${gib(c.total.limits.memory)}** |`,
    `| ResourceQuota | ${c.quota.pods} | ${c.quota.requests.cpu} | ${c.quota.limits.cpu} | ${gib(c.quota.requests.memory)} | ${gib(c.quota.limits.memory)} |`,
    '',
    '| database | pods at peak × (pool + 1) | connections at peak | + headroom | max_connections |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...c.connections.map(
      (k) =>
        `| ${k.database} | ${k.pods} × (${k.pool} + 1) | ${k.atPeak} | ${k.atPeak + CONNECTION_HEADROOM} | ${k.maxConnections} |`,
    ),
  ];
  return lines.join('\n');
}
