// Policies every environment must meet; each check fails on the first violation it finds, naming it.
import { describe, expect, it } from 'vitest';
import {
  envOf,
  environments,
  find,
  get,
  kubectlAvailable,
  namespaceOf,
  ofKind,
  podWorkloads,
  renderOverlay,
  serviceNames,
  workload,
  workloadNames,
  type Environment,
  type Obj,
  autoscalersOf,
  minReplicasOf,
} from './support/manifests.js';

/** Cluster-scoped objects every environment applies identically (kustomize leaves them unnamespaced). */
const clusterWide = new Set(['Namespace', 'PriorityClass']);

const allowedVolumeTypes = [
  'configMap',
  'downwardAPI',
  'emptyDir',
  'projected',
  'secret',
  'csi',
  'persistentVolumeClaim',
  'ephemeral',
  'image',
];

/** Pod Security Standard "restricted" (plus our read-only root file system), for one pod template. */
function restrictedViolations(owner: string, spec: Obj): string[] {
  const v: string[] = [];
  const pod = (spec.securityContext ?? {}) as Obj;
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) v.push(`${owner}: host namespaces`);
  if (spec.automountServiceAccountToken !== false) v.push(`${owner}: service account token mounted`);
  if (!spec.serviceAccountName || spec.serviceAccountName === 'default')
    v.push(`${owner}: no own ServiceAccount`);
  for (const vol of (spec.volumes ?? []) as Obj[]) {
    const type = Object.keys(vol).find((k) => k !== 'name');
    if (!type || !allowedVolumeTypes.includes(type)) v.push(`${owner}: volume ${vol.name} of type ${type}`);
  }
  for (const c of [...((spec.initContainers ?? []) as Obj[]), ...(spec.containers as Obj[])]) {
    const sc = (c.securityContext ?? {}) as Obj;
    const at = `${owner}/${c.name}`;
    const runAsUser = sc.runAsUser ?? pod.runAsUser;
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) v.push(`${at}: runAsNonRoot not true`);
    if (typeof runAsUser !== 'number' || runAsUser === 0) v.push(`${at}: no numeric non-root runAsUser`);
    if (!['RuntimeDefault', 'Localhost'].includes((sc.seccompProfile ?? pod.seccompProfile)?.type as string))
      v.push(`${at}: seccomp`);
    if (sc.allowPrivilegeEscalation !== false) v.push(`${at}: allowPrivilegeEscalation not false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) v.push(`${at}: capabilities not dropped`);
    if ((sc.capabilities?.add ?? []).some((cap: string) => cap !== 'NET_BIND_SERVICE'))
      v.push(`${at}: capabilities added`);
    if (sc.privileged) v.push(`${at}: privileged`);
    if (sc.readOnlyRootFilesystem !== true) v.push(`${at}: root file system writable`);
    const tmp = ((c.volumeMounts ?? []) as Obj[]).find((m) => m.mountPath === '/tmp');
    if (!tmp || !((spec.volumes ?? []) as Obj[]).some((vol) => vol.name === tmp.name && vol.emptyDir))
      v.push(`${at}: no emptyDir on /tmp`);
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'])
      if (!c[probe]) v.push(`${at}: no ${probe}`);
    for (const kind of ['requests', 'limits'])
      for (const res of ['cpu', 'memory'])
        if (!c.resources?.[kind]?.[res]) v.push(`${at}: no ${res} ${kind}`);
    if (c.image.endsWith(':latest') || !/(:[\w.-]+|@sha256:[0-9a-f]{64})$/.test(c.image as string))
      v.push(`${at}: image ${c.image} has no pinned tag`);
  }
  return v;
}

describe.skipIf(!kubectlAvailable)('policies', () => {
  const rendered = Object.fromEntries(environments.map((env) => [env, renderOverlay(env)])) as Record<
    Environment,
    Obj[]
  >;

  describe.each(environments)('overlays/%s', (env) => {
    const objs = rendered[env];
    const ns = namespaceOf(env);

    it('puts everything but the shared cluster-wide objects in its namespace, which enforces the restricted profile and has a quota and limits', () => {
      const namespace = get(objs, 'Namespace', ns);
      expect(namespace.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
      expect(find(objs, 'ResourceQuota', 'shiftstack')).toBeDefined();
      expect(find(objs, 'LimitRange', 'shiftstack')).toBeDefined();
      expect(
        objs
          .filter((o) => !clusterWide.has(o.kind as string) && o.metadata.namespace !== ns)
          .map((o) => `${o.kind}/${o.metadata.name}`),
      ).toEqual([]);
    });

    it('runs every pod template under the restricted profile, with probes, resources and pinned images', () => {
      const workloads = podWorkloads(objs);
      expect(workloads.length).toBeGreaterThanOrEqual(3);
      expect(
        workloads.flatMap((w) =>
          restrictedViolations(`${w.kind}/${w.metadata.name}`, w.spec.template.spec as Obj),
        ),
      ).toEqual([]);
      for (const w of workloads)
        expect(
          find(objs, 'ServiceAccount', w.spec.template.spec.serviceAccountName as string)
            ?.automountServiceAccountToken,
        ).toBe(false);
    });

    it.each(workloadNames)('rolls %s out with zero downtime and drains it before it stops', (name) => {
      const w = workload(objs, name);
      const strategy = w.kind === 'Rollout' ? w.spec.strategy.canary : w.spec.strategy.rollingUpdate;
      if (w.kind === 'Deployment') expect(w.spec.strategy.type).toBe('RollingUpdate');
      expect(strategy.maxUnavailable).toBe(0);
      expect(strategy.maxSurge).toBeTruthy();
      expect(w.spec.minReadySeconds).toBeGreaterThan(0);
      expect(w.spec.progressDeadlineSeconds).toBeGreaterThan(w.spec.minReadySeconds);
      expect(w.spec.revisionHistoryLimit).toBeGreaterThan(1);
      expect(w.spec.replicas, 'the autoscaler owns replicas').toBeUndefined();
      const pod = w.spec.template.spec as Obj;
      const container = (pod.containers as Obj[])[0]!;
      expect(pod.containers.map((c: Obj) => c.name)).toEqual([name]);
      expect(container.image).toMatch(new RegExp(`^ghcr\\.io/shiftstack/${name}:`));
      const preStop = container.lifecycle.preStop.sleep.seconds as number;
      const config = envOf(objs, container);
      // The services drain and wait for in-flight requests after SIGTERM (docs/runtime-contract.md).
      const appBudget =
        name === 'web' ? 0 : Number(config.SHUTDOWN_DRAIN_SECONDS) + Number(config.SHUTDOWN_TIMEOUT_SECONDS);
      expect(Number.isNaN(appBudget)).toBe(false);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + appBudget);
      const keys = (pod.topologySpreadConstraints as Obj[]).map((c) => c.topologyKey);
      expect(keys).toEqual(expect.arrayContaining(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']));
    });

    it.each(workloadNames)('serves %s through a ClusterIP Service on the contract ports', (name) => {
      const svc = get(objs, 'Service', name);
      const podLabels = workload(objs, name).spec.template.metadata.labels as Record<string, string>;
      expect(svc.spec.type).toBe('ClusterIP');
      expect(podLabels).toMatchObject(svc.spec.selector as Record<string, string>);
      const ports = (svc.spec.ports as Obj[]).map((p) => `${p.name}:${p.port}`);
      expect(ports).toEqual(name === 'web' ? ['http:8080'] : ['http:8080', 'metrics:9090']);
    });

    it.each(workloadNames)(
      'autoscales %s on 70%% CPU with one autoscaler, and protects it with a PDB when it has more than one pod',
      (name) => {
        const w = workload(objs, name);
        const scalers = autoscalersOf(objs, w);
        expect(scalers.length, 'exactly one autoscaler per target').toBe(1);
        const scaler = scalers[0]!;
        expect(scaler.spec.scaleTargetRef).toMatchObject({ kind: w.kind, apiVersion: w.apiVersion });
        if (scaler.kind === 'HorizontalPodAutoscaler') {
          expect(scaler.spec.metrics).toContainEqual({
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
          });
          expect(scaler.spec.behavior.scaleUp.policies.length).toBeGreaterThan(0);
          expect(scaler.spec.behavior.scaleDown.policies.length).toBeGreaterThan(0);
        } else {
          expect(scaler.spec.triggers).toContainEqual({
            type: 'cpu',
            metricType: 'Utilization',
            metadata: { value: '70' },
          });
          expect(scaler.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown).toBeDefined();
        }
        if (minReplicasOf(scaler) > 1) {
          const pdb = ofKind(objs, 'PodDisruptionBudget').find(
            (p) => p.spec.selector.matchLabels['app.kubernetes.io/name'] === name,
          );
          expect(pdb, `PDB for ${name}`).toBeDefined();
        }
      },
    );

    it('adds the p95 latency trigger wherever KEDA scales a service, on this namespace', () => {
      for (const so of ofKind(objs, 'ScaledObject')) {
        const prom = (so.spec.triggers as Obj[]).find((t) => t.type === 'prometheus');
        expect(prom?.metricType).toBe('Value');
        expect(prom?.metadata.query).toContain('histogram_quantile(0.95');
        expect(prom?.metadata.query).toContain('http_request_duration_seconds_bucket{');
        expect(prom?.metadata.query).toContain(`namespace="${ns}"`);
        expect(prom?.metadata.query).toContain(`service="${so.metadata.name}"`);
      }
    });

    it.each(serviceNames)('points %s at its own database with credentials from its own Secret', (name) => {
      const container = (workload(objs, name).spec.template.spec.containers as Obj[])[0]!;
      const config = envOf(objs, container);
      expect(config.PGHOST).toMatch(new RegExp(`^${name}-db(-rw)?$`));
      expect(config.PGDATABASE).toBe(name);
      const secretRefs = (container.env as Obj[])
        .filter((e) => e.valueFrom?.secretKeyRef)
        .map((e) => e.valueFrom.secretKeyRef.name);
      // Its database credentials, its own client secret at the issuer (docs/security.md), and for shifts
      // outside dev the key that signs its webhook posts (components/notifications).
      const signs = name === 'shifts' && env !== 'dev' ? ['shifts-notify-webhook'] : [];
      expect(new Set(secretRefs)).toEqual(new Set([`${name}-db-app`, 'shiftstack-oidc-clients', ...signs]));
      expect(config.AUTH_CLIENT_ID).toBe(`shiftstack-${name}`);
      expect(config.AUTH_ISSUER, 'every environment names its issuer').toMatch(/^https?:\/\//);
      if (name === 'shifts') expect(config.USERS_URL).toBe('http://users:8080');
    });

    it('has no trace of the development issuer outside dev: no such pod, setting or route', () => {
      const text = JSON.stringify(objs);
      if (env === 'dev') expect(text).toContain('development-only-no-passwords');
      else
        for (const trace of ['dev-issuer', 'SHIFTSTACK_DEV_ISSUER', 'development-only-no-passwords', '/auth'])
          expect(text, trace).not.toContain(trace);
    });

    it("reads its secrets through its own store only: one named like its namespace, under its namespace's keys", () => {
      for (const es of ofKind(objs, 'ExternalSecret')) {
        const spec = es.spec as {
          secretStoreRef: { kind: string; name: string };
          dataFrom: Array<{ extract: { key: string } }>;
        };
        expect(spec.secretStoreRef, es.metadata.name).toEqual({ kind: 'ClusterSecretStore', name: ns });
        for (const from of spec.dataFrom)
          expect(from.extract.key.startsWith(`${ns}/`), es.metadata.name).toBe(true);
      }
    });

    it("lets the board sign in where the services' tokens come from: its config.json and CSP name the same issuer", () => {
      const web = workload(objs, 'web');
      const volumes = (web.spec.template.spec.volumes ?? []) as Obj[];
      const boardVolume = volumes.find((v) => v.name === 'board');
      if (env === 'dev') {
        expect(boardVolume, 'dev signs in at its own /auth').toBeUndefined();
        return;
      }
      const users = workload(objs, 'users');
      const issuer = envOf(objs, users.spec.template.spec.containers[0]).AUTH_ISSUER!;
      const data = find(objs, 'ConfigMap', boardVolume!.configMap.name as string)!.data as Record<
        string,
        string
      >;
      expect(JSON.parse(data['config.json']!)).toEqual({ issuer, client_id: 'shiftstack-board' });
      expect(data['connect-src.conf']).toBe(`set $board_connect_src "'self' ${new URL(issuer).origin}/";`);
      const mounts = (web.spec.template.spec.containers[0].volumeMounts as Obj[]).map((m) => m.mountPath);
      expect(mounts).toEqual(
        expect.arrayContaining(['/etc/nginx/board', '/usr/share/nginx/html/config.json']),
      );
    });

    it('commits no Secret with values outside dev', () => {
      const secrets = ofKind(objs, 'Secret').filter((s) => s.data || s.stringData);
      if (env === 'dev')
        expect(
          secrets.every((s) =>
            Object.values((s.data ?? {}) as Record<string, string>).some((v) =>
              /dev-only/.test(Buffer.from(v, 'base64').toString()),
            ),
          ),
        ).toBe(true);
      else expect(secrets.map((s) => s.metadata.name)).toEqual([]);
    });

    it('needs no hand-made Secret: each one read has a source in the overlay', () => {
      // What reads Secrets: pod templates (env and volumes) and the backups' ObjectStores.
      const read = new Set<string>();
      for (const w of podWorkloads(objs)) {
        const spec = w.spec.template.spec as Obj;
        for (const c of [...((spec.initContainers ?? []) as Obj[]), ...(spec.containers as Obj[])])
          for (const e of (c.env ?? []) as Obj[])
            if (e.valueFrom?.secretKeyRef) read.add(e.valueFrom.secretKeyRef.name as string);
        for (const v of (spec.volumes ?? []) as Obj[]) if (v.secret) read.add(v.secret.secretName as string);
      }
      for (const store of ofKind(objs, 'ObjectStore'))
        for (const ref of Object.values((store.spec.configuration.s3Credentials ?? {}) as Obj))
          if (ref?.name) read.add(ref.name as string);
      // Where each can come from: a generator (dev only, per the test above), External Secrets Operator,
      // or CloudNativePG, which writes <cluster>-app for each cluster's owner.
      const sources = new Map<string, string>([
        ...ofKind(objs, 'Secret').map((s) => [s.metadata.name, 'generated'] as [string, string]),
        ...ofKind(objs, 'ExternalSecret').map(
          (e) => [e.spec.target.name, 'ExternalSecret'] as [string, string],
        ),
        ...ofKind(objs, 'Cluster').map(
          (c) => [`${c.metadata.name}-app`, 'CloudNativePG'] as [string, string],
        ),
      ]);
      expect([...read].filter((name) => !sources.has(name))).toEqual([]);
      if (env !== 'dev')
        for (const e of ofKind(objs, 'ExternalSecret')) {
          expect(e.spec.dataFrom[0].extract.key, e.metadata.name).toBe(`${ns}/${e.spec.target.name}`);
          expect(e.spec.target.deletionPolicy, e.metadata.name).toBe('Retain');
        }
    });

    it('labels everything as part of shiftstack, and workloads, pods and their companions by name', () => {
      const missing = objs.filter(
        (o) =>
          o.metadata.labels?.['app.kubernetes.io/part-of'] !== 'shiftstack' ||
          !o.metadata.labels?.['app.kubernetes.io/managed-by'],
      );
      expect(missing.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
      const named = objs.filter((o) =>
        [
          'Deployment',
          'Rollout',
          'StatefulSet',
          'Service',
          'ServiceAccount',
          'HorizontalPodAutoscaler',
          'ScaledObject',
          'PodDisruptionBudget',
        ].includes(o.kind as string),
      );
      for (const o of [
        ...named,
        ...podWorkloads(objs).map((w) => ({
          kind: 'pod template of',
          metadata: { ...w.spec.template.metadata, name: w.metadata.name },
        })),
      ])
        for (const label of ['name', 'instance', 'component'])
          expect(
            o.metadata.labels?.[`app.kubernetes.io/${label}`],
            `${o.kind} ${o.metadata.name}: ${label}`,
          ).toBeTruthy();
    });

    it('routes the API prefixes to their services and everything else to web', () => {
      const route = get(objs, 'HTTPRoute', 'shiftstack');
      const backendOf = (prefix: string) =>
        (route.spec.rules as Obj[]).find((r) => (r.matches as Obj[]).some((m) => m.path.value === prefix))
          ?.backendRefs[0];
      for (const [prefix, backend] of [
        ['/api/v1/users', 'users'],
        ['/api/v1/locations', 'users'],
        ['/api/v1/roles', 'users'],
        ['/api/v1/time-off', 'users'],
        ['/api/v1/shifts', 'shifts'],
        ['/', 'web'],
      ])
        expect(backendOf(prefix!), prefix).toEqual({ name: backend, port: 8080 });
      const gateway = get(objs, 'Gateway', 'shiftstack');
      const https = (gateway.spec.listeners as Obj[]).find((l) => l.protocol === 'HTTPS');
      if (env === 'dev') expect(https).toBeUndefined();
      else {
        expect(https?.hostname).toBe(route.spec.hostnames[0]);
        expect(route.spec.parentRefs[0].sectionName).toBe('https');
        expect(find(objs, 'HTTPRoute', 'shiftstack-https-redirect')).toBeDefined();
      }
    });
  });

  it('makes the environments differ for real', () => {
    const summary = (env: Environment) => {
      const objs = rendered[env];
      const users = workload(objs, 'users');
      const container = (users.spec.template.spec.containers as Obj[])[0]!;
      return {
        minReplicas: minReplicasOf(autoscalersOf(objs, users)[0]!),
        cpuRequest: container.resources.requests.cpu,
        logLevel: envOf(objs, container).LOG_LEVEL,
        database: ofKind(objs, 'Cluster').length
          ? 'cloudnative-pg'
          : `statefulset ${get(objs, 'StatefulSet', 'users-db').spec.volumeClaimTemplates[0].spec.resources.requests.storage}`,
        hostname: get(objs, 'HTTPRoute', 'shiftstack').spec.hostnames[0],
        canary: users.kind === 'Rollout',
        latencyAutoscaling: ofKind(objs, 'ScaledObject').length > 0,
        quotaCpu: get(objs, 'ResourceQuota', 'shiftstack').spec.hard['requests.cpu'],
      };
    };
    const [dev, staging, production] = environments.map(summary);
    for (const key of Object.keys(dev!) as (keyof typeof dev)[]) {
      if (key === 'canary' || key === 'latencyAutoscaling') continue;
      expect(new Set([dev![key], staging![key], production![key]]).size, key).toBeGreaterThan(1);
    }
    expect(dev).toMatchObject({ minReplicas: 1, logLevel: 'debug', canary: false });
    expect(production).toMatchObject({
      minReplicas: 3,
      database: 'cloudnative-pg',
      canary: true,
      latencyAutoscaling: true,
    });
  });

  describe('production', () => {
    const objs = rendered.production;

    it.each(serviceNames)(
      'releases %s as a canary (10, 25, 50, then all) that analysis aborts by itself',
      (name) => {
        const rollout = get(objs, 'Rollout', name);
        const canary = rollout.spec.strategy.canary as Obj;
        expect((canary.steps as Obj[]).filter((s) => 'setWeight' in s).map((s) => s.setWeight)).toEqual([
          10, 25, 50,
        ]);
        expect((canary.steps as Obj[]).filter((s) => 'pause' in s).length).toBe(3);
        expect(rollout.spec.progressDeadlineAbort).toBe(true);
        const template = get(objs, 'AnalysisTemplate', canary.analysis.templates[0].templateName as string);
        const metrics = template.spec.metrics as Obj[];
        expect(metrics.map((m) => m.name).sort()).toEqual(['error-ratio', 'p99-latency']);
        for (const m of metrics) {
          expect(m.successCondition, 'no traffic (NaN) must pass').toMatch(/isNaN\(result\[0\]\)/);
          expect(m.provider.prometheus.query).toMatch(/or vector\(0\)\s*$/);
          expect(m.provider.prometheus.query).toContain('pod=~"{{args.service}}-{{args.canary-hash}}-.*"');
        }
      },
    );

    it.each(['users-db', 'shifts-db'])(
      'backs %s up continuously: WAL archived to its ObjectStore, a base backup every night',
      (name) => {
        const cluster = get(objs, 'Cluster', name);
        const [plugin] = cluster.spec.plugins as Obj[];
        expect(plugin).toMatchObject({ name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true });
        const store = get(objs, 'ObjectStore', plugin!.parameters.barmanObjectName as string);
        expect(store.spec.configuration.destinationPath).toMatch(/^s3:\/\/[\w.-]+\//);
        expect(store.spec.configuration.endpointURL).toMatch(/^https:\/\//);
        expect(store.spec.retentionPolicy).toMatch(/^\d+[dwm]$/);
        expect(store.spec.instanceSidecarConfiguration.resources.limits).toMatchObject({
          cpu: expect.any(String),
          memory: expect.any(String),
        });
        const nightly = ofKind(objs, 'ScheduledBackup').filter((b) => b.spec.cluster.name === name);
        expect(nightly).toHaveLength(1);
        expect(nightly[0]!.spec).toMatchObject({
          method: 'plugin',
          pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' },
          immediate: true,
        });
        // CloudNativePG's six-field cron: once a day.
        expect(nightly[0]!.spec.schedule).toMatch(/^0 \d+ \d+ \* \* \*$/);
      },
    );

    it.each(['users-db', 'shifts-db'])(
      'runs %s as a three-instance CloudNativePG cluster owned by its service',
      (name) => {
        const cluster = get(objs, 'Cluster', name);
        expect(cluster.spec.instances).toBe(3);
        expect(cluster.spec.bootstrap.initdb).toEqual({
          database: name.replace('-db', ''),
          owner: name.replace('-db', ''),
        });
        expect(cluster.spec.inheritedMetadata.labels['app.kubernetes.io/instance']).toBe(name);
        expect(cluster.spec.imageName).toMatch(/:\d+\.\d+/);
      },
    );
  });
});
