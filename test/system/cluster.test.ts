// The deploy promises on a real single-node Kubernetes, built from the pinned sources and started the way a
// user starts it (`npm run cluster -- up`, `deploy`, `down`): a real API server, kubelet, containerd and
// controllers. Traffic stays on this machine (the cluster's own bridge and service addresses).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GATEWAY_NAMESPACE } from '../../scripts/cluster/addons';
import { binDir, CONTROLLER_PARTS, repoRoot } from '../../scripts/cluster/build';
import { DEV_NAMESPACE, imageOf, importPodmanImage, tagImage } from '../../scripts/cluster/deploy';
import {
  ARGO_ROLLOUTS_NAMESPACE,
  KEDA_NAMESPACE,
  MONITORING_NAMESPACE,
} from '../../scripts/cluster/controllers';
import { podman } from '../../scripts/images/podman';
import {
  adminKubeconfig,
  kubectl as clusterKubectl,
  kubectlQuiet,
  kubeRouterSets,
  logFile,
  NODE_IP,
  NODE_NAME,
  pki,
  stateDir,
} from '../../scripts/cluster/node';
import { capacityOf, cpu } from '../../deploy/k8s/tests/support/capacity';
import { ofKind, renderOverlay } from '../../deploy/k8s/tests/support/manifests';
import { actions, allowedFor, type ApiRequest } from '../support/dev-team-actions';
import { commandMissing, needs } from '../support/system-deps';
import { signIn } from '@shiftstack/dev-issuer/sign-in';
import { fetchAs } from '../support/auth';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 3_000_000 });
const run = promisify(execFile);
const NS = DEV_NAMESPACE;
/** Production's delivery (test/system/production-like) runs beside the dev namespace, on a host of its own. */
const DELIVERY_NS = 'shiftstack-delivery';
const HOSTS: Record<string, string> = {
  [NS]: 'shiftstack.localhost',
  [DELIVERY_NS]: 'delivery.shiftstack.localhost',
};
/** The dev overlay's workloads, in the order they become ready. */
const DEV_WORKLOADS = [
  'deployment/dev-issuer',
  'statefulset/users-db',
  'statefulset/shifts-db',
  'deployment/users',
  'deployment/shifts',
  'deployment/web',
];

/**
 * CLUSTER_TEST_REUSE=1 runs the tests against a cluster you started and deployed yourself (`npm run
 * cluster -- up` and `deploy`), and leaves it running: quicker while working on one test. CI never sets it.
 */
const reuse = process.env.CLUSTER_TEST_REUSE === '1';

function clusterToolsMissing(): string | null {
  if (process.getuid?.() !== 0) return 'the local cluster needs root';
  for (const file of ['/usr/sbin/runc', '/usr/lib/cni/bridge', '/usr/lib/cni/host-local'])
    if (!existsSync(file)) return `${file} is missing (apt-get install runc containernetworking-plugins)`;
  for (const [command, args] of [
    ['go', ['version']],
    ['iptables', ['--version']],
    ['conntrack', ['--version']],
    ['openssl', ['version']],
    ['gcc', ['--version']],
    ['podman', ['--version']],
    ['ipset', ['--version']],
  ] as const) {
    const missing = commandMissing(command, [...args]);
    if (missing) return missing;
  }
  if (existsSync(adminKubeconfig) && !reuse)
    return `a cluster from \`npm run cluster -- up\` is running (${stateDir}); stop it first`;
  return null;
}

const available = needs('a local Kubernetes cluster', clusterToolsMissing());

async function cluster(command: string): Promise<string> {
  try {
    const { stdout } = await run('npx', ['tsx', 'scripts/cluster/main.ts', ...command.split(' ')], {
      cwd: repoRoot,
      // A cold build of the cluster and its controllers takes half an hour on 2 cores (docs/cluster.md).
      timeout: 2_700_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`npm run cluster -- ${command} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}${logTails()}`);
  }
}

/** The last lines of every component log, for a failure message. */
function logTails(): string {
  return ['kubelet', 'containerd', 'kube-apiserver']
    .map((name) => {
      const file = logFile(name);
      return existsSync(file)
        ? `\n--- ${name}\n${readFileSync(file, 'utf8').split('\n').slice(-15).join('\n')}`
        : '';
    })
    .join('');
}

const kubectl = (...args: string[]) => clusterKubectl(binDir(), args);
/** kubectl as a member of the dev team (impersonation: the API server's real RBAC decides). */
const asDevTeam = (...args: string[]) => kubectl('--as=alex@example.com', '--as-group=dev-team', ...args);
const refused = (fn: () => unknown) => {
  try {
    fn();
    return '';
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
};

const serviceUrl = (name: string, ns = NS) =>
  `http://${kubectl('-n', ns, 'get', 'svc', name, '-o', 'jsonpath={.spec.clusterIP}')}:8080`;
/** An overlay's first admin, signed in at its namespace's development issuer (through its Service). */
const DEV_ISSUER = `http://${HOSTS[NS]}/auth`;
const DEV_ADMIN = 'admin@shiftstack.localhost';
const adminTokens = new Map<string, { value: string; until: number }>();
async function devAdminToken(ns = NS): Promise<string> {
  const cached = adminTokens.get(ns);
  if (cached && cached.until > Date.now()) return cached.value;
  const issuer = `http://${HOSTS[ns]}/auth`;
  const { accessToken, expiresIn } = await signIn(issuer, DEV_ADMIN, `${serviceUrl('dev-issuer', ns)}/auth`);
  adminTokens.set(ns, { value: accessToken, until: Date.now() + (expiresIn - 60) * 1000 });
  return accessToken;
}
let deployed = false;
// Every API call in this file is the dev admin's, once the overlay is deployed.
fetchAs(async () => (deployed ? devAdminToken() : undefined));

/**
 * One write outside the load tests. Retried once when the connection fails: after a rollout, the client's
 * pool may hold a keep-alive connection to a pod that just went away (the load tests count such failures).
 */
const post = async (url: string, body: unknown): Promise<{ id: number }> => {
  const send = () =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  const res = await send().catch(send);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: number };
};

const kubectlAsync = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(join(binDir(), 'kubectl'), ['--kubeconfig', adminKubeconfig, ...args], {
    timeout: 300_000,
    env: { ...process.env, ...env },
  });

/** Gives the built images another tag in containerd (a new pod template for a rollout). */
const tagRelease = (tag: string, names: Array<'users' | 'shifts' | 'web'> = ['users', 'shifts', 'web']) => {
  for (const name of names) tagImage(binDir(), imageOf(name, '0.1.0'), imageOf(name, tag));
};

/** The project's release script, as CD runs it, against this cluster. */
async function releaseScript(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'scripts/deploy.ts', ...args], {
      cwd: repoRoot,
      // A canary walks through its steps: minutes, not seconds (its own timeout is the script's).
      timeout: 1_500_000,
      env: {
        ...process.env,
        KUBECONFIG: adminKubeconfig,
        KUBECTL: join(binDir(), 'kubectl'),
        // `kubectl argo rollouts`: the plugin is one of the controllers' binaries.
        PATH: `${binDir(CONTROLLER_PARTS)}:${process.env.PATH}`,
      },
    });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/**
 * Paced clients (about 8 requests a second in all, under the services' per-client rate limit: this
 * machine is one client to them) reading and writing users and shifts through kube-proxy until stopped.
 */
function mixedLoad(locationId: number) {
  const users = serviceUrl('users');
  const shifts = serviceUrl('shifts');
  const failures: string[] = [];
  const written: string[] = [];
  let requests = 0;
  let running = true;
  const client = async (i: number) => {
    for (let n = 0; running; n++) {
      await new Promise((r) => setTimeout(r, 500));
      const write = n % 2 === 0;
      const onUsers = i % 2 === 0;
      const base = onUsers ? `${users}/api/v1/users` : `${shifts}/api/v1/shifts`;
      const start = new Date(
        Date.UTC(2035, 0, 1) + (i * 100_000 + n) * 60_000 + (Date.now() % 1000) * 3600_000,
      );
      try {
        const res = write
          ? await fetch(base, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(
                onUsers
                  ? { first_name: 'Rolling', last_name: `Writer ${i}-${n}`, location_ids: [locationId] }
                  : {
                      location_id: locationId,
                      start: start.toISOString(),
                      end: new Date(start.getTime() + 3600_000).toISOString(),
                    },
              ),
              signal: AbortSignal.timeout(15_000),
            })
          : await fetch(
              onUsers
                ? `${base}?limit=5`
                : `${base}?start[gte]=2035-01-01T00:00:00Z&start[lt]=2035-01-02T00:00:00Z&limit=5`,
              { signal: AbortSignal.timeout(15_000) },
            );
        requests++;
        const body = (await res.json()) as { id?: number };
        if (!res.ok) failures.push(`${res.status} ${JSON.stringify(body)}`);
        else if (write) written.push(`${base}/${body.id}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  };
  const clients = Array.from({ length: 4 }, (_, i) => client(i));
  return {
    async stop() {
      running = false;
      await Promise.all(clients);
      const lost: string[] = [];
      for (const url of written) if ((await fetch(url)).status !== 200) lost.push(url);
      return { requests, failures, written: written.length, lost };
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An HTTP answer's status and whole body, as text. */
function answerOf(res: IncomingMessage): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (body += chunk));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    res.on('error', reject);
  });
}

/** A GET through the Gateway's proxy Service with a namespace's hostname (fetch may not set Host). */
async function gatewayGet(path: string, signedIn = true, ns = NS): Promise<{ status: number; body: string }> {
  const host = kubectl('-n', GATEWAY_NAMESPACE, 'get', 'svc', 'traefik', '-o', 'jsonpath={.spec.clusterIP}');
  const authorization =
    signedIn && path.startsWith('/api/') ? { authorization: `Bearer ${await devAdminToken(ns)}` } : {};
  return new Promise((resolve, reject) => {
    const req = httpGet(
      { host, port: 80, path, headers: { host: HOSTS[ns], ...authorization }, timeout: 10_000 },
      (res) => void answerOf(res).then(resolve, reject),
    );
    req.on('error', reject);
  });
}

/** The body of a GET through the Gateway; anything but 200 throws. */
async function viaGateway(path: string, signedIn = true): Promise<string> {
  const { status, body } = await gatewayGet(path, signedIn);
  if (status !== 200) throw new Error(`${status} ${body}`);
  return body;
}
async function eventually<T>(what: string, probe: () => T | Promise<T>, ok: (v: T) => boolean, ms: number) {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (ok(last)) return last;
    // Once a second: most conditions here are a controller's next step, seen within a second of it.
    await sleep(1000);
  }
  throw new Error(`${what}: still ${JSON.stringify(last)} after ${ms / 1000} s`);
}

const imageOfUsers = () =>
  kubectl('-n', NS, 'get', 'deployment/users', '-o', 'jsonpath={.spec.template.spec.containers[0].image}');

/** A namespace for an overlay that is not deployed here (staging, production), made once. */
const ensureNamespace = (name: string) => {
  if (!kubectl('get', 'namespace', name, '--ignore-not-found', '-o', 'name'))
    kubectl('create', 'namespace', name);
};

/** Asks the API server (SubjectAccessReviews) whether the dev team may make each request in `ns`. */
function devTeamMay(ns: string, requests: ApiRequest[]): boolean[] {
  const reviews = requests.map((r) => {
    const [resource, subresource] = r.resource.split('/');
    return {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: 'alex@example.com',
        groups: ['dev-team', 'system:authenticated'],
        resourceAttributes: {
          namespace: ns,
          verb: r.verb,
          group: r.group,
          resource,
          ...(subresource ? { subresource } : {}),
          ...(r.name ? { name: r.name } : {}),
        },
      },
    };
  });
  // kubectl prints the template once per created review: one answer per line, in order.
  const out = clusterKubectl(
    binDir(),
    ['create', '-o', 'jsonpath={.status.allowed}{"\\n"}', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: reviews }),
  );
  const answers = out.trim().split('\n');
  if (answers.length !== requests.length) throw new Error(`expected ${requests.length} answers, got: ${out}`);
  return answers.map((answer) => answer === 'true');
}

/** A throwaway pod running the users image (it has node, to try connections), restricted-compliant. */
function probePod(ns: string, name: string, labels: Record<string, string>): void {
  clusterKubectl(
    binDir(),
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, labels },
      spec: {
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'probe',
            image: imageOf('users', '0.1.0'),
            command: ['node', '-e', 'setInterval(() => {}, 1 << 30)'],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          },
        ],
      },
    }),
  );
  kubectl('-n', ns, 'wait', '--for=condition=Ready', `pod/${name}`, '--timeout=60s');
}

/** Whether a TCP connection from inside a pod to host:port opens within 3 s. */
function connects(ns: string, target: string, host: string, port: number): boolean {
  const script = `const s = require('net').connect(${port}, '${host}', () => { console.log('open'); process.exit(0); });
s.on('error', (e) => { console.log(e.code); process.exit(0); });
setTimeout(() => { console.log('timeout'); process.exit(0); }, 3000);`;
  return kubectl('-n', ns, 'exec', target, '--', 'node', '-e', script).trim() === 'open';
}

/** The address of a running pod of a workload (the first, where there are several). */
const podIpOf = (name: string) =>
  kubectl(
    '-n',
    NS,
    'get',
    'pods',
    '-l',
    `app.kubernetes.io/name=${name}`,
    '-o',
    'jsonpath={.items[0].status.podIP}',
  );

/**
 * Holds each workload's autoscaler at one of its bounds (the other bound set to it) and waits until exactly
 * that many of its pods run, all ready. `kubectl apply -k` of the overlay puts the bounds back.
 */
async function holdAutoscalersAt(bound: 'minReplicas' | 'maxReplicas'): Promise<void> {
  const other = bound === 'minReplicas' ? 'maxReplicas' : 'minReplicas';
  const names = ['users', 'shifts', 'web'];
  for (const name of names) {
    const replicas = kubectl('-n', NS, 'get', 'hpa', name, '-o', `jsonpath={.spec.${bound}}`);
    kubectl('-n', NS, 'patch', 'hpa', name, '--type=merge', '-p', `{"spec":{"${other}":${replicas}}}`);
  }
  for (const name of names)
    await eventually(
      `${name} at its ${bound}`,
      () =>
        kubectl(
          '-n',
          NS,
          'get',
          'deployment',
          name,
          '-o',
          'jsonpath={.status.replicas}/{.status.readyReplicas}/{.spec.replicas}/',
        ) + kubectl('-n', NS, 'get', 'hpa', name, '-o', `jsonpath={.spec.${bound}}`),
      (v) => new Set(v.split('/')).size === 1,
      180_000,
    );
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/**
 * Instant queries to Prometheus' HTTP API, at the pod prometheus-operator runs (its Service is headless).
 * The pod's address is looked up once, not at every poll.
 */
function prometheus(): (expr: string) => Promise<Sample[]> {
  const ip = kubectl(
    '-n',
    MONITORING_NAMESPACE,
    'get',
    'pod',
    'prometheus-shiftstack-0',
    '-o',
    'jsonpath={.status.podIP}',
  );
  return async (expr) => {
    const response = await fetch(`http://${ip}:9090/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as { status: string; data: { result: Sample[] }; error?: string };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
    return body.data.result;
  };
}

/**
 * Requests at a steady pace until stopped: what a dashboard and an alert would see in real use. `request`
 * answers a status (0: no answer).
 */
function steadyLoad(request: () => Promise<number>, perSecond: number) {
  let running = true;
  const statuses = new Map<number, number>();
  const loop = (async () => {
    while (running) {
      const status = await request().catch(() => 0);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      await sleep(1000 / perSecond);
    }
  })();
  return {
    statuses,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

describe.skipIf(!available)('shiftstack on a real single-node Kubernetes', () => {
  beforeAll(async () => {
    deployed = true;
    if (reuse) return;
    deployed = false;
    const started = Date.now();
    await cluster('up --with-controllers');
    const upAt = Date.now();
    await cluster('deploy');
    deployed = true;
    console.log(
      `cluster: up (build included when not cached) in ${((upAt - started) / 1000).toFixed(0)} s, ` +
        `deploy (images built and imported, all ready) in ${((Date.now() - upAt) / 1000).toFixed(0)} s`,
    );
  });

  afterAll(async () => {
    if (!available || reuse) return;
    await cluster('down');
    // Nothing left behind: no state, no bridge, no process from the cluster's binaries, no mount.
    expect(existsSync(stateDir)).toBe(false);
    expect(() => execFileSync('ip', ['link', 'show', 'shiftstack-br0'], { stdio: 'pipe' })).toThrow();
    const leftovers = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(binDir()));
    expect(leftovers).toEqual([]);
    expect(readFileSync('/proc/self/mounts', 'utf8')).not.toContain(stateDir);
    expect(kubeRouterSets()).toEqual([]);
  });

  // The dev namespace's scenarios, one after another, while production's delivery runs in its own
  // namespace beside them (below): the two share no state but the node. it.sequential keeps each
  // suite's tests in order inside a concurrent suite.
  describe.concurrent('the dev namespace', () => {
    it.sequential(
      'deploy: every pod of the dev overlay is ready, and the Services answer with users and shifts with names',
      async () => {
        const pods = JSON.parse(kubectl('-n', NS, 'get', 'pods', '-o', 'json')) as {
          items: Array<{
            metadata: { name: string };
            status: { conditions?: Array<{ type: string; status: string }> };
          }>;
        };
        expect(pods.items.length).toBeGreaterThanOrEqual(5);
        for (const pod of pods.items)
          expect(pod.status.conditions?.find((c) => c.type === 'Ready')?.status, pod.metadata.name).toBe(
            'True',
          );

        const users = serviceUrl('users');
        const shifts = serviceUrl('shifts');
        const location = await post(`${users}/api/v1/locations`, { name: 'On Kubernetes', timezone: 'UTC' });
        const person = await post(`${users}/api/v1/users`, {
          first_name: 'Kubelet',
          last_name: 'Tester',
          location_ids: [location.id],
        });
        await post(`${shifts}/api/v1/shifts`, {
          location_id: location.id,
          user_id: person.id,
          start: '2034-02-06T09:00:00Z',
          end: '2034-02-06T17:00:00Z',
        });
        // shifts calls users through the users Service by its DNS name, and adds the name.
        const list = (await (
          await fetch(
            `${shifts}/api/v1/shifts?start[gte]=2034-02-06T00:00:00Z&start[lt]=2034-02-07T00:00:00Z`,
          )
        ).json()) as { data: Array<{ assignee: { first_name: string } | null }> };
        expect(list.data.map((s) => s.assignee?.first_name)).toEqual(['Kubelet']);

        // The same through the Gateway (Traefik implementing the overlay's GatewayClass), by its hostname.
        expect(
          kubectl(
            '-n',
            NS,
            'get',
            'gateway',
            'shiftstack',
            '-o',
            'jsonpath={.status.conditions[?(@.type=="Programmed")].status}',
          ),
        ).toBe('True');
        const routed = JSON.parse(
          await viaGateway('/api/v1/shifts?start[gte]=2034-02-06T00:00:00Z&start[lt]=2034-02-07T00:00:00Z'),
        ) as { data: Array<{ assignee: { first_name: string } | null }> };
        expect(routed.data.map((s) => s.assignee?.first_name)).toEqual(['Kubelet']);
        expect(await viaGateway('/')).toContain('<div id="root">');
        // Signed in or nothing: without a token the API answers 401, through the Gateway and on a service's
        // own port; the sign-in page is served on the board's origin.
        await expect(viaGateway('/api/v1/users', false)).rejects.toThrow(/^401 .*unauthenticated/);
        const direct = await fetch(`${users}/api/v1/users`, { headers: { authorization: 'Bearer garbage' } });
        expect(direct.status).toBe(401);
        expect(await viaGateway('/auth/.well-known/openid-configuration')).toContain(DEV_ISSUER);
      },
    );

    it.sequential(
      'Pod Security "restricted" is enforced by the real admission: a privileged pod is refused',
      () => {
        const error = refused(() =>
          kubectl(
            '-n',
            NS,
            'run',
            'privileged',
            '--image=localhost/shiftstack/pause:3.10',
            '--restart=Never',
            '--overrides={"spec":{"containers":[{"name":"privileged","image":"localhost/shiftstack/pause:3.10","securityContext":{"privileged":true}}]}}',
          ),
        );
        expect(error).toMatch(/violates PodSecurity "restricted/);
      },
    );

    it.sequential.each(['dev', 'staging', 'production'] as const)(
      "the dev team's table, decided by the real RBAC for the %s overlay's Role",
      (env) => {
        const ns = `shiftstack-${env}`;
        if (env !== 'dev') {
          // Only the Role and RoleBinding of the overlay: what the API server's authorizer reads.
          ensureNamespace(ns);
          const rendered = kubectl('kustomize', join(repoRoot, 'deploy/k8s/overlays', env));
          const rbac = rendered
            .split(/^---$/m)
            .filter((doc) => /^kind: (Role|RoleBinding)$/m.test(doc))
            .join('\n---\n');
          // Server-side, as the dry run of the whole overlay below is: one field manager, no conflict.
          clusterKubectl(binDir(), ['apply', '--server-side', '-f', '-'], rbac);
        }
        const allowed = new Set<string>(allowedFor[env]);
        for (const [action, requests] of Object.entries(actions)) {
          const answers = devTeamMay(ns, requests);
          if (allowed.has(action))
            expect(answers, `${env}: ${action} should be allowed`).not.toContain(false);
          else expect(answers, `${env}: ${action} should be refused`).toContain(false);
        }
      },
    );

    it.sequential('`kubectl auth can-i --list` for the dev team is what docs/operations.md says', () => {
      const docs = readFileSync(join(repoRoot, 'docs/operations.md'), 'utf8');
      const block = /```text dev-team-can-i\n([\s\S]*?)```/.exec(docs)?.[1] ?? '';
      // "resource [verbs]" per rule, ignoring the self-reviews and discovery URLs every signed-in user has.
      const rows = (text: string) =>
        text
          .split('\n')
          .map((line) => /^(\S+)\s.*?(\[[^\]]*\])\s*$/.exec(line))
          .filter((m): m is RegExpExecArray => !!m && !m[1]!.startsWith('self') && m[1] !== 'Resources')
          .map((m) => `${m[1]} ${m[2]}`)
          .sort();
      const listed = asDevTeam('-n', NS, 'auth', 'can-i', '--list');
      expect(rows(listed)).toEqual(rows(block));
      expect(rows(block).length).toBeGreaterThan(0);
    });

    it.sequential(
      'the dev team ships and takes back versions for real, and every other change is refused by the API server',
      async () => {
        tagRelease('dev-team', ['users']);
        const before = imageOfUsers();
        // Allowed, for real.
        asDevTeam('-n', NS, 'set', 'image', 'deployment/users', `users=${imageOf('users', 'dev-team')}`);
        asDevTeam('-n', NS, 'rollout', 'status', 'deployment/users', '--timeout=180s');
        expect(asDevTeam('-n', NS, 'rollout', 'history', 'deployment/users')).toContain('REVISION');
        asDevTeam('-n', NS, 'rollout', 'undo', 'deployment/users');
        asDevTeam('-n', NS, 'rollout', 'status', 'deployment/users', '--timeout=180s');
        expect(imageOfUsers()).toBe(before);
        asDevTeam('-n', NS, 'rollout', 'restart', 'deployment/users');
        asDevTeam('-n', NS, 'rollout', 'status', 'deployment/users', '--timeout=180s');
        const pod = asDevTeam(
          '-n',
          NS,
          'get',
          'pods',
          '-l',
          'app.kubernetes.io/name=users',
          '-o',
          'name',
        ).split('\n')[0]!;
        expect(pod).toMatch(/^pod\/users-/);
        expect(asDevTeam('-n', NS, 'logs', pod, '--tail=5')).not.toBe('');

        // Refused by RBAC.
        const rbacRefusals: Array<[string, string[]]> = [
          ['read a secret', ['get', 'secret', 'users-db-app']],
          ['exec', ['exec', pod, '--', 'true']],
          ['port-forward', ['port-forward', pod, '18080:8080', '--pod-running-timeout=5s']],
          ['delete a pod', ['delete', pod, '--wait=false']],
          ['scale', ['scale', 'deployment/users', '--replicas=2']],
          ['create', ['create', 'deployment', 'x', `--image=${imageOf('users', '0.1.0')}`]],
          ['edit config', ['patch', 'configmap', usersConfigMap(), '-p', '{"data":{"LOG_LEVEL":"trace"}}']],
          ['delete a deployment', ['delete', 'deployment/users', '--wait=false']],
        ];
        for (const [what, args] of rbacRefusals)
          expect(
            refused(() => asDevTeam('-n', NS, ...args)),
            what,
          ).toMatch(/forbidden/i);

        // Allowed by RBAC (patch), refused by the ValidatingAdmissionPolicy: anything but image and config.
        const policyRefusals: Array<[string, string[]]> = [
          [
            'mount a Secret',
            [
              'patch',
              'deployment/users',
              '--type=json',
              '-p',
              '[{"op":"add","path":"/spec/template/spec/volumes/-","value":{"name":"s","secret":{"secretName":"users-db-app"}}}]',
            ],
          ],
          [
            'change the service account',
            [
              'patch',
              'deployment/users',
              '-p',
              '{"spec":{"template":{"spec":{"serviceAccountName":"default"}}}}',
            ],
          ],
          ['add an environment variable', ['set', 'env', 'deployment/users', 'LOG_LEVEL=trace']],
          ['change resources', ['set', 'resources', 'deployment/users', '--limits=cpu=4']],
          ['change the replicas', ['patch', 'deployment/users', '-p', '{"spec":{"replicas":5}}']],
          ['change the strategy', ['patch', 'deployment/users', '-p', '{"spec":{"minReadySeconds":0}}']],
          ...(
            [
              ['pin the pod to a node', { nodeName: NODE_NAME }],
              ['add host aliases', { hostAliases: [{ ip: '10.0.0.9', hostnames: ['users-db'] }] }],
              ['change DNS', { dnsPolicy: 'None', dnsConfig: { nameservers: ['10.0.0.9'] } }],
              ['add an image pull secret', { imagePullSecrets: [{ name: 'users-db-app' }] }],
            ] as const
          ).map(([what, podSpec]): [string, string[]] => [
            what,
            ['patch', 'deployment/users', '-p', JSON.stringify({ spec: { template: { spec: podSpec } } })],
          ]),
          [
            "read another service's ConfigMap",
            [
              'patch',
              'deployment/users',
              '--type=json',
              '-p',
              JSON.stringify([
                {
                  op: 'replace',
                  path: '/spec/template/spec/containers/0/envFrom/0/configMapRef/name',
                  value: kubectl(
                    '-n',
                    NS,
                    'get',
                    'deployment/shifts',
                    '-o',
                    'jsonpath={.spec.template.spec.containers[0].envFrom[0].configMapRef.name}',
                  ),
                },
              ]),
            ],
          ],
        ];
        for (const [what, args] of policyRefusals)
          expect(
            refused(() => asDevTeam('-n', NS, ...args)),
            what,
          ).toMatch(/ValidatingAdmissionPolicy 'shiftstack-dev-team-ships-images-only'/);
        expect(imageOfUsers()).toBe(before);
      },
    );

    it.sequential(
      'rolls every service to a new version with the release script under a mixed load: no failed request, no lost write',
      async () => {
        const location = await post(`${serviceUrl('users')}/api/v1/locations`, {
          name: `Rolling ${Date.now()}`,
          timezone: 'UTC',
        });
        tagRelease('rolled');
        const load = mixedLoad(location.id);
        await sleep(2000);
        const release = await releaseScript('--env', 'dev', '--version', 'rolled');
        await sleep(2000);
        const result = await load.stop();
        console.log(
          `cluster: release script rolling users, shifts and web under load: ${result.requests} requests, ` +
            `${result.failures.length} failed, ${result.written} writes acknowledged, ${result.lost.length} lost`,
        );
        expect(release.code, release.output).toBe(0);
        expect(imageOfUsers()).toBe(imageOf('users', 'rolled'));
        expect(result.failures).toEqual([]);
        expect(result.lost).toEqual([]);
        expect(result.written).toBeGreaterThan(0);
      },
    );

    it.sequential(
      'a release that never becomes ready: the script rolls back by itself, the old version serves throughout, and `rollout undo` does the same by hand',
      async () => {
        const location = await post(`${serviceUrl('users')}/api/v1/locations`, {
          name: `Failing ${Date.now()}`,
          timezone: 'UTC',
        });
        const before = imageOfUsers();
        const load = mixedLoad(location.id);
        // No such image anywhere (and no registry to pull from): the new pods never become ready.
        const release = await releaseScript('--env', 'dev', '--version', 'never-built', '--timeout', '30');
        const result = await load.stop();
        expect(release.code, release.output).toBe(1);
        expect(release.output).toMatch(/FAILED .*the previous version is back/);
        expect(imageOfUsers()).toBe(before);
        expect(result.failures).toEqual([]);
        expect(result.lost).toEqual([]);

        // By hand, as the dev team: the status check fails, undo restores, the old pod answers meanwhile.
        asDevTeam('-n', NS, 'set', 'image', 'deployment/users', `users=${imageOf('users', 'never-built')}`);
        const status = refused(() =>
          asDevTeam('-n', NS, 'rollout', 'status', 'deployment/users', '--timeout=20s'),
        );
        expect(status).toMatch(/timed out|exceeded/);
        for (let i = 0; i < 10; i++)
          expect((await fetch(`${serviceUrl('users')}/api/v1/users?limit=1`)).status).toBe(200);
        asDevTeam('-n', NS, 'rollout', 'undo', 'deployment/users');
        asDevTeam('-n', NS, 'rollout', 'status', 'deployment/users', '--timeout=180s');
        expect(imageOfUsers()).toBe(before);
      },
    );

    it.sequential(
      'a config change in the overlay rolls the pods (the generated ConfigMap carries its content hash)',
      () => {
        const dir = mkdtempSync(join(tmpdir(), 'shiftstack-config-'));
        try {
          const overlay = relative(dir, join(repoRoot, 'deploy/k8s/overlays/dev'));
          writeFileSync(
            join(dir, 'kustomization.yaml'),
            `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [${overlay}]
configMapGenerator:
  - { name: users-config, behavior: merge, literals: [LOG_LEVEL=info] }
images:
  - { name: ghcr.io/shiftstack/users, newTag: rolled }
  - { name: ghcr.io/shiftstack/shifts, newTag: rolled }
  - { name: ghcr.io/shiftstack/web, newTag: rolled }
`,
          );
          const generation = () =>
            Number(kubectl('-n', NS, 'get', 'deployment/users', '-o', 'jsonpath={.metadata.generation}'));
          const before = { generation: generation(), config: usersConfigMap() };
          kubectl('apply', '-k', dir);
          kubectl('-n', NS, 'rollout', 'status', 'deployment/users', '--timeout=180s');
          expect(usersConfigMap()).not.toBe(before.config);
          expect(generation()).toBeGreaterThan(before.generation);
          // The old pod may still be draining: ask the one that is not being deleted.
          const pods = JSON.parse(
            kubectl('-n', NS, 'get', 'pods', '-l', 'app.kubernetes.io/name=users', '-o', 'json'),
          ) as { items: Array<{ metadata: { name: string; deletionTimestamp?: string } }> };
          const pod = `pod/${pods.items.find((p) => !p.metadata.deletionTimestamp)!.metadata.name}`;
          expect(kubectl('-n', NS, 'exec', pod, '--', 'node', '-p', 'process.env.LOG_LEVEL').trim()).toBe(
            'info',
          );
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );

    it.sequential(
      'users scales out on its own CPU load (HPA at 70%, metrics-server) while shifts stays, and both come back down',
      async () => {
        // Shorter scale-down window than the overlay's 5 minutes, so the test sees the way back.
        for (const name of ['users', 'shifts'])
          kubectl(
            '-n',
            NS,
            'patch',
            'hpa',
            name,
            '--type=merge',
            '-p',
            '{"spec":{"behavior":{"scaleDown":{"stabilizationWindowSeconds":15,"policies":[{"type":"Percent","value":100,"periodSeconds":15}]}}}}',
          );
        const replicas = (name: string) =>
          Number(kubectl('-n', NS, 'get', 'hpa', name, '-o', 'jsonpath={.status.desiredReplicas}') || 0);
        const max = Number(kubectl('-n', NS, 'get', 'hpa', 'users', '-o', 'jsonpath={.spec.maxReplicas}'));
        await eventually(
          'the users HPA reading CPU',
          () =>
            kubectl(
              '-n',
              NS,
              'get',
              'hpa',
              'users',
              '-o',
              'jsonpath={.status.currentMetrics[0].resource.current.averageUtilization}',
            ),
          (v) => v !== '',
          90_000,
        );
        // Both at rest first (the rollouts before this test may have warmed them).
        for (const name of ['users', 'shifts'])
          await eventually(
            `${name} at rest`,
            () => replicas(name),
            (n) => n === 1,
            120_000,
          );
        // CPU load inside the users container for 75 s: a busy loop in its cgroup, well over 70% of its request.
        const busy = kubectlAsync([
          '-n',
          NS,
          'exec',
          'deployment/users',
          '--',
          'node',
          '-e',
          'const end = Date.now() + 75000; while (Date.now() < end);',
        ]).catch(() => undefined); // the exec ends with its pod if that pod is the one scaled away
        await eventually(
          'users scaling out',
          () => replicas('users'),
          (n) => n === max,
          70_000,
        );
        expect(replicas('shifts')).toBe(1);
        await busy;
        await eventually(
          'users scaling back in',
          () => replicas('users'),
          (n) => n === 1,
          150_000,
        );
        expect(replicas('shifts')).toBe(1);
        const events = kubectl(
          '-n',
          NS,
          'get',
          'events',
          '--field-selector',
          'involvedObject.name=users,involvedObject.kind=HorizontalPodAutoscaler',
          '-o',
          'jsonpath={.items[*].message}',
        );
        expect(events).toMatch(
          /New size: 2; reason: cpu resource utilization \(percentage of request\) above target/,
        );
      },
    );

    it.sequential(
      'every workload at its autoscaler maximum at once is scheduled and admitted within the quota',
      async () => {
        const started = Date.now() - 1000;
        try {
          await holdAutoscalersAt('maxReplicas');
          // No pod refused by the quota while scaling (earlier events, from before this test, do not count).
          const events = JSON.parse(
            kubectl('-n', NS, 'get', 'events', '--field-selector', 'reason=FailedCreate', '-o', 'json'),
          ) as { items: Array<{ message: string; lastTimestamp?: string; eventTime?: string }> };
          const refusals = events.items.filter(
            (e) =>
              Date.parse(e.lastTimestamp ?? e.eventTime ?? '') >= started && /exceeded quota/.test(e.message),
          );
          expect(refusals.map((e) => e.message)).toEqual([]);
        } finally {
          kubectl('apply', '-k', join(repoRoot, 'deploy/k8s/overlays/dev'));
        }
      },
    );

    it.sequential(
      "production's quota admits every pod at its peak (maximum + surge, databases with their backup sidecar), and refuses beyond it where the arithmetic says",
      () => {
        // The production overlay's ResourceQuota and LimitRange, for real, in a namespace of their own; then
        // one pod per pod at peak, with the containers' own resources (capacity.ts), the way the autoscalers
        // and operators would create them. They can never run here (2 cores): a node selector no node has
        // keeps them Pending, and a pending pod counts against the quota all the same.
        const production = renderOverlay('production');
        const capacity = capacityOf(production);
        const ns = 'quota-at-peak';
        ensureNamespace(ns);
        try {
          const limits = ['ResourceQuota', 'LimitRange'].map((kind) => {
            const o = structuredClone(ofKind(production, kind)[0]!);
            o.metadata = { name: o.metadata.name, namespace: ns };
            return o;
          });
          clusterKubectl(
            binDir(),
            ['apply', '-f', '-'],
            JSON.stringify({ apiVersion: 'v1', kind: 'List', items: limits }),
          );
          const pod = (name: string, containers: Array<Record<string, unknown>>) => ({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name, namespace: ns },
            spec: {
              nodeSelector: { 'shiftstack.dev/never': 'true' },
              containers: containers.map((resources, i) => ({
                name: `c${i}`,
                image: 'registry.invalid/never:1',
                resources,
              })),
            },
          });
          const pods = capacity.groups.flatMap((g) =>
            Array.from({ length: g.pods }, (_, i) =>
              pod(`${g.name.replace('/', '-').toLowerCase()}-${i}`, g.containers),
            ),
          );
          expect(pods.length).toBe(capacity.total.pods);
          // One at a time, as controllers create them: a refusal names the pod.
          for (const p of pods) clusterKubectl(binDir(), ['create', '-f', '-'], JSON.stringify(p));
          const used = JSON.parse(
            kubectl('-n', ns, 'get', 'resourcequota', 'shiftstack', '-o', 'jsonpath={.status.used}'),
          ) as Record<string, string>;
          console.log(`production at peak, admitted by the real quota: ${JSON.stringify(used)}`);
          expect(Number(used.pods)).toBe(capacity.total.pods);
          // The quota binds where the arithmetic says: pods at the LimitRange's largest CPU limit fill what is
          // left of limits.cpu, and the first that would go beyond it is refused, naming the quota.
          const largest = cpu(ofKind(production, 'LimitRange')[0]!.spec.limits[0].max.cpu);
          const fits = Math.floor((capacity.quota.limits.cpu - capacity.total.limits.cpu) / largest);
          const big = (i: number) =>
            JSON.stringify(
              pod(`one-more-${i}`, [
                { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: `${largest}`, memory: '16Mi' } },
              ]),
            );
          for (let i = 0; i < fits; i++) clusterKubectl(binDir(), ['create', '-f', '-'], big(i));
          const refusal = refused(() => clusterKubectl(binDir(), ['create', '-f', '-'], big(fits)));
          expect(refusal).toMatch(/exceeded quota: shiftstack, requested: limits\.cpu=\d+/);
        } finally {
          kubectl('delete', 'namespace', ns, '--wait=false');
        }
      },
    );

    it.sequential(
      'NetworkPolicies are enforced (kube-router): allowed paths connect, denied ones do not',
      async () => {
        // Room in the namespace's quota for the probe pod: the test before leaves every workload at its
        // maximum, going down only after the overlay's five-minute scale-down window.
        await holdAutoscalersAt('minReplicas');
        const usersDb = kubectl('-n', NS, 'get', 'pod', 'users-db-0', '-o', 'jsonpath={.status.podIP}');
        const shiftsDb = kubectl('-n', NS, 'get', 'pod', 'shifts-db-0', '-o', 'jsonpath={.status.podIP}');
        const users = podIpOf('users');
        // "The internet": an address outside the pod network (the node's API server; this machine has no other).
        const outside = ['10.244.0.1', 6443] as const;
        probePod(NS, 'probe-web', {
          'app.kubernetes.io/name': 'web-probe',
          'app.kubernetes.io/part-of': 'shiftstack',
        });
        // A namespace no policy applies to, to show each refused path is open on the network itself.
        ensureNamespace('netpol-control');
        probePod('netpol-control', 'probe', { app: 'probe' });
        try {
          const usersPod = 'deployment/users';
          const shiftsPod = 'deployment/shifts';
          expect(connects(NS, usersPod, usersDb, 5432), 'users -> users database').toBe(true);
          expect(connects(NS, shiftsPod, shiftsDb, 5432), 'shifts -> shifts database').toBe(true);
          expect(connects(NS, shiftsPod, users, 8080), 'shifts -> users API').toBe(true);
          expect(connects(NS, usersPod, shiftsDb, 5432), 'users -> shifts database').toBe(false);
          expect(connects(NS, shiftsPod, usersDb, 5432), 'shifts -> users database').toBe(false);
          expect(connects(NS, 'pod/probe-web', usersDb, 5432), 'a web pod -> users database').toBe(false);
          expect(
            connects(NS, 'pod/probe-web', users, 8080),
            'a web pod -> users API (only the front door may)',
          ).toBe(false);
          expect(connects(NS, usersPod, ...outside), 'users -> outside the cluster').toBe(false);
          expect(
            connects('netpol-control', 'pod/probe', usersDb, 5432),
            'another namespace -> users database',
          ).toBe(false);
          expect(
            connects('netpol-control', 'pod/probe', users, 8080),
            'another namespace -> users API (only the Gateway namespace may)',
          ).toBe(false);
          // The control: the same network paths open where no policy applies.
          expect(connects('netpol-control', 'pod/probe', ...outside), 'control -> outside').toBe(true);
        } finally {
          // Waited for: a pod without a controller left on the node would stop a drain. A second's grace: the
          // probe is PID 1 with no SIGTERM handler, so it would wait out the default 30 s.
          kubectl('-n', NS, 'delete', 'pod', 'probe-web', '--grace-period=1');
          kubectl('-n', 'netpol-control', 'delete', 'pod', 'probe', '--grace-period=1');
          kubectl('delete', 'namespace', 'netpol-control');
        }
      },
    );

    it.sequential(
      'Prometheus (run by prometheus-operator) scrapes every service pod through the PodMonitor, records the rules, and alerts fire for real on a lost database and a lost target',
      async () => {
        // The monitoring component's own PodMonitor and PrometheusRule (the dev overlay leaves them out), as
        // an overlay that includes the component would apply them.
        // One pod of each, so the targets are known (earlier tests leave scaled-out pods going away slowly).
        await holdAutoscalersAt('minReplicas');
        const promQuery = prometheus();
        const component = join(repoRoot, 'deploy/k8s/components/monitoring');
        kubectl('-n', NS, 'apply', '-f', join(component, 'pod-monitor.yaml'));
        // The rules as production has them, but for the clock: the two alerts this test waits for fire after
        // 20 s instead of 2 and 5 minutes. promtool proves production's own durations
        // (deploy/observability/prometheus/tests); here it is the wiring that is on trial.
        kubectl(
          '-n',
          NS,
          'apply',
          '-f',
          rulesWithShortWaits(join(component, 'prometheus-rule.yaml'), ALERTS_ON_TRIAL),
        );
        // What the Deployments run (a pod still terminating is listed by `get pods` but no longer scraped).
        const servicePods = ['users', 'shifts'].reduce(
          (n, name) =>
            n + Number(kubectl('-n', NS, 'get', 'deployment', name, '-o', 'jsonpath={.status.replicas}')),
          0,
        );
        const started = Date.now();
        await eventually(
          'every users and shifts pod a target that is up',
          () => promQuery(`up{job="shiftstack", namespace="${NS}"} == 1`),
          (up) => up.length === servicePods,
          180_000,
        );
        const scrapedIn = (Date.now() - started) / 1000;
        // users answers straight from its pod, so its own metrics see every answer (a Service would drop an
        // unready pod, and the refusals would never reach the application).
        const usersPod = podIpOf('users');
        const load = steadyLoad(
          () => fetch(`http://${usersPod}:8080/api/v1/users?limit=1`).then((r) => r.status),
          5,
        );
        const monitoringPolicy = (services: string) =>
          kubectl(
            '-n',
            NS,
            'patch',
            'networkpolicy',
            'allow-monitoring',
            '--type=json',
            '-p',
            JSON.stringify([
              {
                op: 'replace',
                path: '/spec/podSelector/matchExpressions/0/values',
                value: services.split(','),
              },
            ]),
          );
        const alert = (name: string, service: string) =>
          `ALERTS{alertname="${name}", alertstate="firing", namespace="${NS}", service="${service}"}`;
        const untilAlert = (name: string, service: string, firing: boolean, ms: number) =>
          eventually(
            `${name} for ${service} ${firing ? 'firing' : 'resolved'}`,
            () => promQuery(alert(name, service)),
            (a) => a.length === (firing ? 1 : 0),
            ms,
          );
        try {
          await eventually(
            'the request-rate recording rule for users',
            () => promQuery(`namespace_service:http_requests:rate5m{namespace="${NS}", service="users"} > 0`),
            (series) => series.length === 1,
            120_000,
          );
          expect(
            await promQuery(alert('ShiftstackErrorBudgetBurnFast', 'users')),
            'no burn before the fault',
          ).toEqual([]);
          // Two faults at once: users loses its database (it answers 503 to everything: the error budget
          // burns), and a NetworkPolicy change cuts Prometheus off shifts' metrics port (the target goes down).
          kubectl('-n', NS, 'scale', 'statefulset/users-db', '--replicas=0');
          monitoringPolicy('users');
          // A policy does not cut connections already open (Prometheus keeps its scrape connection alive):
          // it takes effect for shifts' next pod, as it would after any restart or rollout.
          kubectl('-n', NS, 'rollout', 'restart', 'deployment/shifts');
          kubectl('-n', NS, 'rollout', 'status', 'deployment/shifts', '--timeout=180s');
          const faults = Date.now();
          await untilAlert('ShiftstackErrorBudgetBurnFast', 'users', true, 180_000);
          const burnFiredIn = (Date.now() - faults) / 1000;
          await untilAlert('ShiftstackTargetDown', 'shifts', true, 180_000);
          const downFiredIn = (Date.now() - faults) / 1000;
          expect(load.statuses.get(503), JSON.stringify([...load.statuses])).toBeGreaterThan(0);
          kubectl('-n', NS, 'scale', 'statefulset/users-db', '--replicas=1');
          monitoringPolicy('users,shifts');
          const repaired = Date.now();
          await untilAlert('ShiftstackTargetDown', 'shifts', false, 120_000);
          // The burn alert keeps firing until the errors leave its 30-minute window (the slow pair of the
          // multi-window rule), by design; users itself is ready again within seconds.
          kubectl('-n', NS, 'rollout', 'status', 'statefulset/users-db', '--timeout=180s');
          console.log(
            `monitoring: ${servicePods} targets up ${scrapedIn.toFixed(0)} s after the PodMonitor was applied; ` +
              `ShiftstackErrorBudgetBurnFast fired ${burnFiredIn.toFixed(0)} s into the database outage, ` +
              `ShiftstackTargetDown ${downFiredIn.toFixed(0)} s after the policy change and resolved ` +
              `${((Date.now() - repaired) / 1000).toFixed(0)} s after the repair; ` +
              `answers meanwhile: ${JSON.stringify(Object.fromEntries(load.statuses))}`,
          );
        } finally {
          await load.stop();
          kubectl('-n', NS, 'scale', 'statefulset/users-db', '--replicas=1');
          monitoringPolicy('users,shifts');
        }
      },
      900_000,
    );

    it.sequential.each(['staging', 'production'])(
      'the %s overlay passes a server-side dry run: the API server checks it against the upstream CRDs',
      (env) => {
        const rendered = kubectl('kustomize', join(repoRoot, 'deploy/k8s/overlays', env));
        // A dry run cannot create the namespace its other objects go into, so that one is made for real.
        // --force-conflicts: the cluster-wide admission policy is shared with the dev overlay applied above
        // (an ownership question, not a validity one).
        ensureNamespace(`shiftstack-${env}`);
        const out = clusterKubectl(
          binDir(),
          ['apply', '--server-side', '--force-conflicts', '--dry-run=server', '-f', '-'],
          rendered,
        );
        const kinds = new Set(out.split('\n').map((line) => line.split('/')[0]));
        const custom =
          env === 'production'
            ? [
                'rollout.argoproj.io',
                'scaledobject.keda.sh',
                'prometheusrule.monitoring.coreos.com',
                'podmonitor.monitoring.coreos.com',
                'cluster.postgresql.cnpg.io',
                'scheduledbackup.postgresql.cnpg.io',
                'objectstore.barmancloud.cnpg.io',
                'externalsecret.external-secrets.io',
              ]
            : ['httproute.gateway.networking.k8s.io', 'externalsecret.external-secrets.io'];
        for (const kind of custom) expect(kinds, out).toContain(kind);
        expect(out).toContain('serverside-applied (server dry run)');
      },
    );
  });

  // Production's delivery, run by its controllers (`up --with-controllers`), in a namespace of its own
  // while the dev namespace's scenarios run: the dev overlay there (test/system/production-like/dev)
  // becomes test/system/production-like (users and shifts as Argo Rollouts with the canary analysis,
  // scaled by KEDA on CPU and p95).
  describe.concurrent('production delivery in its own namespace: Argo Rollouts and KEDA', () => {
    beforeAll(() => {
      if (kubectlQuiet(binDir(), ['-n', DELIVERY_NS, 'get', 'rollout', 'users', '-o', 'name'])) return;
      kubectl('apply', '-k', join(PRODUCTION_LIKE, 'dev'));
      for (const workload of DEV_WORKLOADS)
        kubectl('-n', DELIVERY_NS, 'rollout', 'status', workload, '--timeout=300s');
    });
    // What the node runs for the drain at the end is the dev namespace alone: gone, not terminating (an
    // eviction in a terminating namespace is refused, which would hold the drain).
    afterAll(() => {
      if (!reuse) kubectl('delete', 'namespace', DELIVERY_NS, '--timeout=300s');
    });

    it.sequential(
      'users and shifts become Rollouts that KEDA scales, without a failed request through the Gateway; one autoscaler each',
      async () => {
        const load = gatewayLoad(DELIVERY_NS, 4);
        kubectl('apply', '-k', PRODUCTION_LIKE);
        for (const name of ['users', 'shifts']) await untilRollout(name, 'Healthy', 180_000);
        // What the overlay no longer has: base's HPAs (KEDA owns one of its own now) and the Deployments
        // the Rollouts replace (their pods drain as any rollout's do).
        kubectl('-n', DELIVERY_NS, 'delete', 'hpa', 'users', 'shifts', '--ignore-not-found');
        kubectl('-n', DELIVERY_NS, 'delete', 'deployment', 'users', 'shifts', '--ignore-not-found');
        for (const name of ['users', 'shifts'])
          await eventually(
            `${name}'s ScaledObject ready`,
            () =>
              kubectl(
                '-n',
                DELIVERY_NS,
                'get',
                'scaledobject',
                name,
                '-o',
                'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
              ),
            (ready) => ready === 'True',
            120_000,
          );
        await sleep(5000);
        const result = await load.stop();
        console.log(`production-like: converted under load through the Gateway: ${JSON.stringify(result)}`);
        expect(Object.keys(result).filter((status) => status !== '200')).toEqual([]);
        const targets = autoscalerTargets();
        expect(targets.filter((t) => t.target === 'Rollout/users')).toEqual([
          { name: 'keda-hpa-users', owner: 'ScaledObject/users', target: 'Rollout/users' },
        ]);
        expect(targets.filter((t) => t.target === 'Rollout/shifts')).toEqual([
          { name: 'keda-hpa-shifts', owner: 'ScaledObject/shifts', target: 'Rollout/shifts' },
        ]);
        expect(targets.filter((t) => t.target.startsWith('Deployment/'))).toHaveLength(1); // web's own
      },
      600_000,
    );

    it.sequential(
      'the release script walks a good version through the canary to 100% under load through the Gateway; a version answering 5xx is aborted by its analysis, back to stable, with the errors in Prometheus',
      async () => {
        const promQuery = prometheus();
        const release = (version: string) =>
          releaseScript('--env', 'dev', '--overlay', PRODUCTION_LIKE, '--version', version);

        // A good version: every step of the canary, in order, then promoted; no failed request meanwhile.
        // Tags of their own (a run against a reused cluster releases new versions too).
        const goodTag = `canary-good-${Date.now() % 1_000_000}`;
        const badTag = `canary-bad-${Date.now() % 1_000_000}`;
        tagRelease(goodTag);
        let load = gatewayLoad(DELIVERY_NS, 4);
        let steps = watchSteps('users');
        let started = Date.now();
        const good = await release(goodTag);
        const goodSeconds = (Date.now() - started) / 1000;
        const goodSteps = steps.stop();
        const goodLoad = await load.stop();
        expect(good.code, good.output).toBe(0);
        // Steps: 10% (0), pause (1), 25% (2), pause (3), 50% (4), pause (5), promoted (6).
        expect(goodSteps).toEqual([0, 1, 2, 3, 4, 5, 6].filter((i) => goodSteps.includes(i)));
        expect(goodSteps).toEqual(expect.arrayContaining([1, 3, 5, 6]));
        expect(rolloutImage('users')).toBe(imageOf('users', goodTag));
        expect(
          Object.keys(goodLoad).filter((status) => status !== '200'),
          JSON.stringify(goodLoad),
        ).toEqual([]);

        // A bad version of users (shifts and web unchanged in code): 30% of its API answers are 500s.
        await buildBadVersion(badTag);
        tagRelease(badTag, ['shifts', 'web']);
        load = gatewayLoad(DELIVERY_NS, 4);
        steps = watchSteps('users');
        started = Date.now();
        const bad = await release(badTag);
        const badSeconds = (Date.now() - started) / 1000;
        const badSteps = steps.stop();
        expect(bad.code, bad.output).toBe(1);
        expect(bad.output).toMatch(/Degraded|abort/i);
        expect(bad.output).toMatch(/FAILED .*the previous version is back/);
        // The analysis failed it, not the clock: its AnalysisRun failed on the error ratio.
        const runs = JSON.parse(kubectl('-n', DELIVERY_NS, 'get', 'analysisruns', '-o', 'json')) as {
          items: Array<{
            metadata: { name: string; labels?: Record<string, string> };
            status?: { phase?: string; metricResults?: Array<{ name: string; phase: string }> };
          }>;
        };
        const failedRun = runs.items.find(
          (r) => r.metadata.name.startsWith('users-') && r.status?.phase === 'Failed',
        );
        expect(failedRun?.status?.metricResults, JSON.stringify(runs.items.map((r) => r.status))).toEqual(
          expect.arrayContaining([expect.objectContaining({ name: 'error-ratio', phase: 'Failed' })]),
        );
        // Back to stable: the good version serves, and shifts, promoted meanwhile, is taken back with it.
        await untilRollout('users', 'Healthy', 180_000);
        expect(rolloutImage('users')).toBe(imageOf('users', goodTag));
        await untilRollout('shifts', 'Healthy', 300_000);
        expect(rolloutImage('shifts')).toBe(imageOf('shifts', goodTag));
        // The error budget the canary spent is in Prometheus, and the stable version answers cleanly again.
        const ratio = await eventually(
          "users' 5-minute error ratio in Prometheus",
          () =>
            promQuery(
              `namespace_service:http_request_error_ratio:rate5m{namespace="${DELIVERY_NS}", service="users"}`,
            ),
          (series) => series.length === 1 && Number(series[0]!.value[1]) > 0,
          60_000,
        );
        const afterAbort = Date.now();
        await sleep(20_000);
        const badLoad = await load.stop();
        expect(badLoad['500'] ?? 0, JSON.stringify(badLoad)).toBeGreaterThan(0);
        const cleanAfter = gatewayLoad(DELIVERY_NS, 4);
        await sleep(15_000);
        expect(Object.keys(await cleanAfter.stop())).toEqual(['200']);
        console.log(
          `canary: good version promoted in ${goodSeconds.toFixed(0)} s (steps ${goodSteps.join(',')}, ` +
            `answers ${JSON.stringify(goodLoad)}); bad version aborted and rolled back by the script in ` +
            `${badSeconds.toFixed(0)} s (steps ${badSteps.join(',')}, answers ${JSON.stringify(badLoad)}), ` +
            `users' error ratio in Prometheus ${Number(ratio[0]!.value[1]).toFixed(3)} ` +
            `${((afterAbort - started) / 1000).toFixed(0)} s after the release began`,
        );
      },
      1_500_000,
    );

    it.sequential(
      'the dev team may abort or retry a canary, but never promote it past its pauses and analysis',
      async () => {
        // The status writes `kubectl argo rollouts` sends (a PATCH of the status subresource, no GET
        // first), as the dev team, checked by the real admission: a server-side dry run runs every
        // admission policy and changes nothing.
        const statusPatch = async (status: object) => {
          const answer = await devTeamRolloutStatusPatch(DELIVERY_NS, 'users', { status });
          return answer.status === 200 ? '' : `${answer.status} ${answer.body}`;
        };
        expect(await statusPatch({ abort: true }), 'abort').toBe('');
        expect(await statusPatch({ abort: false }), 'retry').toBe('');
        for (const [what, status] of [
          ['promote --full', { promoteFull: true }],
          ['promote (skip the pause)', { pauseConditions: [] }],
          ['move the canary to another step', { currentStepIndex: 2 }],
        ] as const)
          expect(await statusPatch(status), what).toMatch(
            /ValidatingAdmissionPolicy 'shiftstack-dev-team-never-promotes'/,
          );
      },
    );

    it.sequential(
      'KEDA scales users out on its own p95 when its database slows down (CPU stays low) and back in afterwards',
      async () => {
        const replicas = () =>
          Number(kubectl('-n', DELIVERY_NS, 'get', 'rollout', 'users', '-o', 'jsonpath={.spec.replicas}'));
        await eventually('users at its minimum of 1', replicas, (n) => n === 1, 300_000);
        const load = gatewayLoad(DELIVERY_NS, 4, [USERS_PAGE]);
        // A slow dependency: a session takes users' table for 900 ms of every second (lock contention, as a
        // migration or a long report would), for at most three minutes: it stops once the scale-out is seen
        // (the marker file in the pod's /tmp). Reads wait; the pods' CPU does not rise.
        const slowFor = 180;
        const STOP_SLOW = '/tmp/stop-slow';
        const slow = kubectlAsync([
          '-n',
          DELIVERY_NS,
          'exec',
          'statefulset/users-db',
          '--',
          'bash',
          '-c',
          `rm -f ${STOP_SLOW}; end=$((SECONDS+${slowFor})); ` +
            `while [ $SECONDS -lt $end ] && [ ! -e ${STOP_SLOW} ]; do PGPASSWORD="$POSTGRES_PASSWORD" ` +
            `psql -qAt -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c ` +
            `"BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(0.9); COMMIT;" >/dev/null; sleep 0.1; done`,
        ]);
        const started = Date.now();
        try {
          await eventually('users scaled out', replicas, (n) => n > 1, slowFor * 1000);
          const outIn = (Date.now() - started) / 1000;
          const metrics = hpaMetrics('keda-hpa-users');
          kubectl('-n', DELIVERY_NS, 'exec', 'statefulset/users-db', '--', 'touch', STOP_SLOW);
          await slow;
          const slowEnded = Date.now();
          await eventually('users back at 1', replicas, (n) => n === 1, 600_000);
          const inIn = (Date.now() - slowEnded) / 1000;
          const answers = await load.stop();
          console.log(
            `keda: users scaled out ${outIn.toFixed(0)} s into the slow database (HPA saw ${JSON.stringify(metrics)}), ` +
              `back to 1 pod ${inIn.toFixed(0)} s after it ended; answers ${JSON.stringify(answers)}`,
          );
          console.log(`controllers' memory (metrics-server): ${controllersMemory()}`);
          // The latency trigger did it: p95 above its 0.25 s while CPU stayed under its 70%.
          expect(metrics.latency).toBeGreaterThan(0.25);
          expect(metrics.cpu).toBeLessThan(70);
          expect(Object.keys(answers).filter((s) => !['200'].includes(s))).toEqual([]);
        } finally {
          await load.stop();
          await slow.catch(() => undefined);
        }
      },
      1_200_000,
    );
  });

  it('`kubectl drain` of the only node at minimum replicas evicts every pod within the PodDisruptionBudgets, and after `uncordon` the system serves again', async () => {
    // At the autoscalers' minimum, the promise the PDBs make (one eviction allowed there). Above it, a
    // single node cannot drain: the second eviction rightly waits for a replacement that has no other node
    // to go to. The earlier tests leave some workloads scaled out (scale-down waits 5 minutes), so the
    // ceilings come down to the floors for a moment; the overlay is applied again afterwards.
    await holdAutoscalersAt('minReplicas');
    const started = Date.now();
    // No --force: a pod without a controller would stop the drain; --ignore-daemonsets is the usual flag.
    const out = kubectl(
      'drain',
      NODE_NAME,
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--timeout=300s',
    );
    const drainedIn = (Date.now() - started) / 1000;
    try {
      expect(out).toMatch(/drained/);
      for (const name of ['users', 'shifts', 'web'])
        expect(out, name).toMatch(new RegExp(`evicting pod ${NS}/${name}-`));
      // Nothing of shiftstack runs on the cordoned node: what the controllers re-created waits for a node.
      const running = kubectl('-n', NS, 'get', 'pods', '--field-selector=status.phase=Running', '-o', 'name');
      expect(running).toBe('');
    } finally {
      kubectl('uncordon', NODE_NAME);
      kubectl('apply', '-k', join(repoRoot, 'deploy/k8s/overlays/dev'));
    }
    // The development issuer made new signing keys when it started again: sign in anew.
    adminTokens.delete(NS);
    for (const workload of DEV_WORKLOADS) kubectl('-n', NS, 'rollout', 'status', workload, '--timeout=300s');
    const users = await eventually(
      'users answering after the drain',
      async () => (await fetch(`${serviceUrl('users')}/api/v1/users?limit=1`).catch(() => undefined))?.status,
      (status) => status === 200,
      120_000,
    );
    expect(users).toBe(200);
    console.log(
      `drain: ${drainedIn.toFixed(0)} s; back and serving ${((Date.now() - started) / 1000).toFixed(0)} s after it began`,
    );
  });
});

const PRODUCTION_LIKE = join(repoRoot, 'test/system/production-like');

/**
 * A merge patch of a Rollout's status as the dev team (impersonated by the cluster's admin), sent the way
 * `kubectl argo rollouts abort/promote` sends it: straight to the subresource, no GET first (kubectl patch
 * would read it, which the team may not). A server-side dry run.
 */
function devTeamRolloutStatusPatch(ns: string, name: string, patch: object) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpsRequest(
      {
        host: NODE_IP,
        port: 6443,
        method: 'PATCH',
        path: `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/${name}/status?dryRun=All`,
        ca: readFileSync(join(pki, 'ca.crt')),
        cert: readFileSync(join(pki, 'admin.crt')),
        key: readFileSync(join(pki, 'admin.key')),
        headers: {
          'content-type': 'application/merge-patch+json',
          'impersonate-user': 'alex@example.com',
          'impersonate-group': 'dev-team',
        },
      },
      (res) => void answerOf(res).then(resolve, reject),
    );
    req.on('error', reject);
    req.end(JSON.stringify(patch));
  });
}

/** The alerts the monitoring test waits for, and how long each must hold in the test's copy of the rules. */
const ALERTS_ON_TRIAL = { ShiftstackErrorBudgetBurnFast: '20s', ShiftstackTargetDown: '20s' };

/**
 * A copy of a PrometheusRule file (in a temporary folder) in which the named alerts hold for the given
 * time instead of production's; every other rule, expression and label is as the file has it.
 */
function rulesWithShortWaits(file: string, waits: Record<string, string>): string {
  const rule = parse(readFileSync(file, 'utf8')) as {
    spec: { groups: Array<{ rules: Array<{ alert?: string; for?: string }> }> };
  };
  const changed = new Set<string>();
  for (const group of rule.spec.groups)
    for (const r of group.rules)
      if (r.alert && r.alert in waits) {
        r.for = waits[r.alert];
        changed.add(r.alert);
      }
  expect([...changed].sort(), `alerts in ${file}`).toEqual(Object.keys(waits).sort());
  const copy = join(mkdtempSync(join(tmpdir(), 'shiftstack-rules-')), 'prometheus-rule.yaml');
  writeFileSync(copy, stringify(rule));
  return copy;
}

const USERS_PAGE = '/api/v1/users?limit=5';
const SHIFTS_DAY = '/api/v1/shifts?start[gte]=2034-02-06T00:00:00Z&start[lt]=2034-02-07T00:00:00Z';

/** Steady GETs through the Gateway, signed in, taking `paths` in turn; the answers counted by status. */
function gatewayLoad(ns: string, perSecond: number, paths = [USERS_PAGE, SHIFTS_DAY]) {
  let n = 0;
  const load = steadyLoad(
    () => gatewayGet(paths[n++ % paths.length]!, true, ns).then((r) => r.status),
    perSecond,
  );
  return {
    stop: async () => {
      await load.stop();
      return Object.fromEntries(load.statuses) as Record<string, number>;
    },
  };
}

const rolloutImage = (name: string) =>
  kubectl(
    '-n',
    DELIVERY_NS,
    'get',
    'rollout',
    name,
    '-o',
    'jsonpath={.spec.template.spec.containers[0].image}',
  );

const untilRollout = (name: string, phase: string, ms: number) =>
  eventually(
    `Rollout ${name} ${phase}`,
    () => kubectl('-n', DELIVERY_NS, 'get', 'rollout', name, '-o', 'jsonpath={.status.phase}'),
    (p) => p === phase,
    ms,
  );

/**
 * The canary steps a Rollout goes through while watched (status.currentStepIndex, each once, in order),
 * from the first change on: before it, the index is the last rollout's end.
 */
function watchSteps(name: string) {
  const stepIndex = () =>
    kubectlQuiet(binDir(), [
      '-n',
      DELIVERY_NS,
      'get',
      'rollout',
      name,
      '-o',
      'jsonpath={.status.currentStepIndex}',
    ])?.trim();
  const before = stepIndex();
  const seen: number[] = [];
  const sample = () => {
    const index = stepIndex();
    if (!index || (seen.length === 0 && index === before)) return;
    if (seen.at(-1) !== Number(index)) seen.push(Number(index));
  };
  const timer = setInterval(sample, 1000);
  return {
    // One last look: the script may return within the second after the final step (promoted) began.
    stop: () => {
      clearInterval(timer);
      sample();
      return seen;
    },
  };
}

/** What the controllers' pods use now, by namespace, as `kubectl top` reads it from metrics-server. */
function controllersMemory(): string {
  const namespaces = [MONITORING_NAMESPACE, ARGO_ROLLOUTS_NAMESPACE, KEDA_NAMESPACE];
  return namespaces
    .map((ns) => {
      const out = kubectlQuiet(binDir(), ['top', 'pods', '-n', ns, '--no-headers']);
      if (out === undefined) return `${ns} not measured`;
      const lines = out.trim().split('\n');
      const mib = lines.reduce((sum, line) => sum + Number(/(\d+)Mi\s*$/.exec(line)?.[1] ?? 0), 0);
      return `${ns} ${mib} MiB`;
    })
    .join(', ');
}

/** Every HPA in the namespace: what it scales and who owns it. */
function autoscalerTargets(): Array<{ name: string; owner: string; target: string }> {
  const list = JSON.parse(kubectl('-n', DELIVERY_NS, 'get', 'hpa', '-o', 'json')) as {
    items: Array<{
      metadata: { name: string; ownerReferences?: Array<{ kind: string; name: string }> };
      spec: { scaleTargetRef: { kind: string; name: string } };
    }>;
  };
  return list.items.map((hpa) => ({
    name: hpa.metadata.name,
    owner: hpa.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`).join(',') ?? '',
    target: `${hpa.spec.scaleTargetRef.kind}/${hpa.spec.scaleTargetRef.name}`,
  }));
}

/** What KEDA's HPA last read: the p95 (its external metric) and the CPU utilisation, in percent. */
function hpaMetrics(name: string): { latency: number; cpu: number } {
  const hpa = JSON.parse(kubectl('-n', DELIVERY_NS, 'get', 'hpa', name, '-o', 'json')) as {
    status: {
      currentMetrics?: Array<{
        type: string;
        external?: { current: { value?: string; averageValue?: string } };
        resource?: { current: { averageUtilization?: number } };
      }>;
    };
  };
  const metrics = hpa.status.currentMetrics ?? [];
  const external = metrics.find((m) => m.type === 'External')?.external?.current;
  return {
    latency: quantity(external?.value ?? external?.averageValue ?? '0'),
    cpu: metrics.find((m) => m.type === 'Resource')?.resource?.current.averageUtilization ?? 0,
  };
}

/** A Kubernetes quantity ("250m", "1", "1500u") as a number. */
function quantity(text: string): number {
  const match = /^([\d.]+)([munk]?)$/.exec(text);
  if (!match) throw new Error(`cannot read the quantity "${text}"`);
  return (
    Number(match[1]) * { '': 1, m: 1e-3, u: 1e-6, n: 1e-9, k: 1e3 }[match[2] as '' | 'm' | 'u' | 'n' | 'k']
  );
}

/**
 * users' bad version (test/system/bad-version): the built image plus a layer answering 500 to 30% of API
 * requests, imported into the cluster under `tag`.
 */
async function buildBadVersion(tag: string): Promise<void> {
  const local = 'localhost/shiftstack/users:bad-version';
  await podman(
    [
      'build',
      '--quiet',
      '--pull=never',
      '--build-arg',
      'GOOD=localhost/shiftstack/users:local',
      '-t',
      local,
      join(repoRoot, 'test/system/bad-version'),
    ],
    300_000,
  );
  await importPodmanImage(binDir(), local);
  tagImage(binDir(), local, imageOf('users', tag));
}

/** The name of the users ConfigMap the Deployment reads now (hash-suffixed). */
function usersConfigMap(): string {
  return kubectl(
    '-n',
    NS,
    'get',
    'deployment/users',
    '-o',
    'jsonpath={.spec.template.spec.containers[0].envFrom[0].configMapRef.name}',
  );
}
