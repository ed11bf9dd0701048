// Who may talk to whom, per environment, computed from the rendered NetworkPolicies: default deny,
// then only the flows the system needs.
import { describe, expect, it } from 'vitest';
import {
  environments,
  kubectlAvailable,
  namespaceOf,
  ofKind,
  podLabelSets,
  renderOverlay,
  renderWithComponents,
  type Obj,
} from './support/manifests.js';
import { canConnect, policiesSelecting, type Endpoint } from './support/network-policy.js';

function endpoints(objs: Obj[], namespace: string) {
  const pods = podLabelSets(objs).map((p) => {
    const endpoint: Endpoint = { namespace, labels: p.labels };
    return { ...p, endpoint };
  });
  const pod = (instance: string) => {
    const found = pods.find((p) => p.labels['app.kubernetes.io/instance'] === instance);
    if (!found) throw new Error(`no pod with instance ${instance}`);
    return found.endpoint;
  };
  return { pods, pod };
}

const outside = {
  envoyGateway: { namespace: 'envoy-gateway-system', labels: { 'app.kubernetes.io/name': 'envoy' } },
  ingressNginx: { namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
  monitoring: { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } },
  cnpgOperator: { namespace: 'cnpg-system', labels: { 'app.kubernetes.io/name': 'cloudnative-pg' } },
  otherApp: { namespace: 'other-team', labels: { app: 'anything' } },
  kubeDns: { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
  internet: { namespace: '' },
} satisfies Record<string, Endpoint>;

describe.skipIf(!kubectlAvailable)('network policies', () => {
  describe.each(environments)('overlays/%s', (env) => {
    const objs = renderOverlay(env);
    const policies = ofKind(objs, 'NetworkPolicy');
    const { pods, pod } = endpoints(objs, namespaceOf(env));
    const [users, shifts, web, usersDb, shiftsDb] = ['users', 'shifts', 'web', 'users-db', 'shifts-db'].map(
      pod,
    );
    const can = (from: Endpoint, to: Endpoint, port: number, protocol = 'TCP') =>
      canConnect(policies, from, to, port, protocol);

    it('lets no pod reach the cloud metadata endpoint or private addresses through an internet egress rule', () => {
      const metadata = '169.254.0.0/16';
      for (const policy of policies)
        for (const rule of (policy.spec.egress ?? []) as Array<{
          to?: Array<{ ipBlock?: { cidr: string; except?: string[] } }>;
        }>)
          for (const peer of rule.to ?? [])
            if (peer.ipBlock?.cidr === '0.0.0.0/0' && policy.metadata.name !== 'cnpg-kube-api')
              expect(peer.ipBlock.except ?? [], policy.metadata.name).toEqual(
                expect.arrayContaining([metadata, '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']),
              );
    });

    it('denies all ingress and egress by default', () => {
      const deny = policies.find((p) => p.metadata.name === 'default-deny');
      expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    });

    it('covers every pod in both directions', () => {
      for (const p of pods) {
        expect(
          policiesSelecting(policies, p.endpoint, 'Ingress').length,
          `${p.owner} ingress`,
        ).toBeGreaterThan(0);
        expect(policiesSelecting(policies, p.endpoint, 'Egress').length, `${p.owner} egress`).toBeGreaterThan(
          0,
        );
      }
    });

    it('lets the gateway reach the HTTP ports of web, users and shifts, and nothing else', () => {
      for (const target of [web, users, shifts]) expect(can(outside.envoyGateway, target!, 8080)).toBe(true);
      expect(can(outside.envoyGateway, users!, 9090)).toBe(false);
      expect(can(outside.envoyGateway, usersDb!, 5432)).toBe(false);
      expect(can(outside.otherApp, web!, 8080)).toBe(false);
    });

    it("lets the Gateway reach cert-manager's HTTP-01 solver where TLS is on, on its port only", () => {
      const solver: Endpoint = {
        namespace: namespaceOf(env),
        labels: { 'acme.cert-manager.io/http01-solver': 'true', 'acme.cert-manager.io/http-domain': '1' },
      };
      const tls = env !== 'dev';
      expect(can(outside.envoyGateway, solver, 8089)).toBe(tls);
      expect(can(outside.envoyGateway, solver, 8080)).toBe(false);
      expect(can(outside.otherApp, solver, 8089)).toBe(false);
    });

    it('lets the monitoring namespace scrape the metrics ports only', () => {
      expect(can(outside.monitoring, users!, 9090)).toBe(true);
      expect(can(outside.monitoring, shifts!, 9090)).toBe(true);
      expect(can(outside.monitoring, users!, 8080)).toBe(false);
      expect(can(outside.otherApp, users!, 9090)).toBe(false);
    });

    it('lets the database operator manage, Prometheus scrape and the backups leave each CloudNativePG instance', () => {
      const instances = pods.filter((p) => p.labels['cnpg.io/cluster']);
      expect(instances.length).toBe(env === 'production' ? 2 : 0);
      for (const { endpoint, owner } of instances) {
        expect(can(outside.cnpgOperator, endpoint, 8000), `${owner}: operator -> instance manager`).toBe(
          true,
        );
        expect(can(outside.cnpgOperator, endpoint, 5432), `${owner}: operator -> PostgreSQL`).toBe(true);
        expect(can(outside.monitoring, endpoint, 9187), `${owner}: Prometheus -> exporter`).toBe(true);
        // The instance manager watches its Cluster; the backup sidecar writes to object storage (HTTPS).
        expect(can(endpoint, outside.internet, 443), `${owner}: -> API server, object storage`).toBe(true);
        expect(can(outside.otherApp, endpoint, 8000), `${owner}: another app -> instance manager`).toBe(
          false,
        );
        expect(can(outside.monitoring, endpoint, 5432), `${owner}: Prometheus -> PostgreSQL`).toBe(false);
      }
    });

    it('lets shifts and users call each other, and no other service-to-service call', () => {
      expect(can(shifts!, users!, 8080)).toBe(true);
      // users opens a leaver's future shifts.
      expect(can(users!, shifts!, 8080)).toBe(true);
      expect(can(web!, users!, 8080)).toBe(false);
      expect(can(web!, shifts!, 8080)).toBe(false);
    });

    it('lets each service reach its own database and no other', () => {
      const databases = pods.filter((p) => p.labels['app.kubernetes.io/component'] === 'database');
      expect(databases.length).toBeGreaterThanOrEqual(2);
      for (const [service, own] of [
        ['users', 'users-db'],
        ['shifts', 'shifts-db'],
        ['web', undefined],
      ] as const) {
        const reachable = databases
          .filter((db) => can(pod(service), db.endpoint, 5432))
          .map((db) => db.labels['app.kubernetes.io/instance']);
        expect(reachable, service).toEqual(own ? [own] : []);
      }
      expect(can(outside.otherApp, usersDb!, 5432)).toBe(false);
      expect(can(shiftsDb!, usersDb!, 5432)).toBe(false);
    });

    it('lets every pod resolve names through the cluster DNS, and the services reach nothing outside but the issuer', () => {
      for (const p of pods) expect(can(p.endpoint, outside.kubeDns, 53, 'UDP'), p.owner).toBe(true);
      for (const service of [users, shifts, web]) {
        // users and shifts reach an external OpenID Connect provider over HTTPS (components/external-issuer).
        expect(can(service!, outside.internet, 443)).toBe(service !== web && env !== 'dev');
        expect(can(service!, outside.internet, 80)).toBe(false);
        expect(can(service!, outside.otherApp, 8080)).toBe(false);
      }
    });
  });

  it('opens the front door to ingress-nginx instead when the ingress component is used', () => {
    const objs = renderWithComponents('shiftstack-dev', [
      'components/in-cluster-postgres',
      'components/ingress',
    ]);
    const policies = ofKind(objs, 'NetworkPolicy');
    const web = {
      namespace: 'shiftstack-dev',
      labels: podLabelSets(objs).find((p) => p.owner === 'Deployment/web')!.labels,
    };
    expect(canConnect(policies, outside.ingressNginx, web, 8080)).toBe(true);
    expect(canConnect(policies, outside.envoyGateway, web, 8080)).toBe(false);
  }, 30_000);
});
