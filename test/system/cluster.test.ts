// The deploy promises on a real single-node Kubernetes, built from the pinned sources and started the way a
// user starts it (`npm run cluster -- up`, `deploy`, `down`): a real API server, kubelet, containerd and
// controllers. Traffic stays on this machine (the cluster's own bridge and service addresses).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { binDir, repoRoot } from '../../scripts/cluster/build';
import {
  adminKubeconfig,
  containerdSocket,
  kubectl as clusterKubectl,
  stateDir,
} from '../../scripts/cluster/node';
import { commandMissing, needs } from '../support/system-deps';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 1_800_000 });
const run = promisify(execFile);
const NS = 'shiftstack-dev';

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
  ] as const) {
    const missing = commandMissing(command, [...args]);
    if (missing) return missing;
  }
  if (existsSync(adminKubeconfig))
    return `a cluster from \`npm run cluster -- up\` is running (${stateDir}); stop it first`;
  return null;
}

const available = needs('a local Kubernetes cluster', clusterToolsMissing());

async function cluster(command: string): Promise<string> {
  try {
    const { stdout } = await run('npx', ['tsx', 'scripts/cluster/main.ts', command], {
      cwd: repoRoot,
      timeout: 1_500_000,
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
  const logs = join(stateDir, 'logs');
  if (!existsSync(logs)) return '';
  return ['kubelet', 'containerd', 'kube-apiserver']
    .map((name) => {
      const file = join(logs, `${name}.log`);
      return existsSync(file)
        ? `\n--- ${name}\n${readFileSync(file, 'utf8').split('\n').slice(-15).join('\n')}`
        : '';
    })
    .join('');
}

const kubectl = (...args: string[]) => clusterKubectl(binDir(), args);
/** kubectl as a member of the dev team (impersonation: the API server's real RBAC decides). */
const asDevTeam = (...args: string[]) => kubectl('--as=alex@example.com', '--as-group=dev-team', ...args);
/** `kubectl auth can-i` as the dev team: "yes" or "no" (it exits 1 on "no"). */
const devTeamCan = (verb: string, resource: string) => {
  try {
    return asDevTeam('-n', NS, 'auth', 'can-i', verb, resource).trim();
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? '').trim();
  }
};
const refused = (fn: () => unknown) => {
  try {
    fn();
    return '';
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
};

const serviceUrl = (name: string) =>
  `http://${kubectl('-n', NS, 'get', 'svc', name, '-o', 'jsonpath={.spec.clusterIP}')}:8080`;
const post = async (url: string, body: unknown) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: number };
};

describe.skipIf(!available)('shiftstack on a real single-node Kubernetes', () => {
  beforeAll(async () => {
    const started = Date.now();
    await cluster('up');
    const upAt = Date.now();
    await cluster('deploy');
    console.log(
      `cluster: up (build included when not cached) in ${((upAt - started) / 1000).toFixed(0)} s, ` +
        `deploy (images built and imported, all ready) in ${((Date.now() - upAt) / 1000).toFixed(0)} s`,
    );
  });

  afterAll(async () => {
    if (!available) return;
    await cluster('down');
    // Nothing left behind: no state, no bridge, no process from the cluster's binaries, no mount.
    expect(existsSync(stateDir)).toBe(false);
    expect(() => execFileSync('ip', ['link', 'show', 'shiftstack-br0'], { stdio: 'pipe' })).toThrow();
    const leftovers = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(binDir()));
    expect(leftovers).toEqual([]);
    expect(readFileSync('/proc/self/mounts', 'utf8')).not.toContain(stateDir);
  });

  it('deploy: every pod of the dev overlay is ready, and the Services answer with users and shifts with names', async () => {
    const pods = JSON.parse(kubectl('-n', NS, 'get', 'pods', '-o', 'json')) as {
      items: Array<{
        metadata: { name: string };
        status: { conditions?: Array<{ type: string; status: string }> };
      }>;
    };
    expect(pods.items.length).toBeGreaterThanOrEqual(5);
    for (const pod of pods.items)
      expect(pod.status.conditions?.find((c) => c.type === 'Ready')?.status, pod.metadata.name).toBe('True');

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
      await fetch(`${shifts}/api/v1/shifts?start[gte]=2034-02-06T00:00:00Z&start[lt]=2034-02-07T00:00:00Z`)
    ).json()) as { data: Array<{ assignee: { first_name: string } | null }> };
    expect(list.data.map((s) => s.assignee?.first_name)).toEqual(['Kubelet']);
  });

  it('Pod Security "restricted" is enforced by the real admission: a privileged pod is refused', () => {
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
  });

  it('the dev team may roll out and roll back, and may not read secrets or change RBAC', () => {
    expect(devTeamCan('patch', 'deployments')).toBe('yes');
    expect(asDevTeam('-n', NS, 'rollout', 'history', 'deployment/users')).toContain('REVISION');
    for (const [verb, resource] of [
      ['get', 'secrets'],
      ['create', 'rolebindings'],
      ['delete', 'deployments'],
      ['create', 'deployments'],
    ] as const)
      expect(devTeamCan(verb, resource), `${verb} ${resource}`).toBe('no');
    expect(refused(() => asDevTeam('-n', NS, 'get', 'secrets'))).toMatch(/Forbidden/);
  });

  it('rolls users and then shifts to a new image under a mixed load through kube-proxy: no failed request, no lost write', async () => {
    const users = serviceUrl('users');
    const shifts = serviceUrl('shifts');
    const location = await post(`${users}/api/v1/locations`, { name: 'Rolling', timezone: 'UTC' });
    // The same image under a new tag: a new pod template, so a real rollout.
    for (const name of ['users', 'shifts'])
      execFileSync(join(binDir(), 'ctr'), [
        '--address',
        containerdSocket,
        '-n',
        'k8s.io',
        'images',
        'tag',
        '--force',
        `localhost/shiftstack/${name}:local`,
        `localhost/shiftstack/${name}:rolled`,
      ]);
    const failures: string[] = [];
    const written: Array<{ url: string; id: number }> = [];
    let requests = 0;
    let running = true;
    // Paced (about 8 requests a second in all): the load is bounded, and stays under the services' per-client
    // rate limit (this machine is one client to them).
    const client = async (i: number) => {
      for (let n = 0; running; n++) {
        await new Promise((r) => setTimeout(r, 500));
        const write = n % 2 === 0;
        const onUsers = i % 2 === 0;
        const base = onUsers ? users : shifts;
        const start = new Date(Date.UTC(2035, 0, 1) + (i * 100_000 + n) * 60_000);
        try {
          const res = write
            ? await fetch(`${base}/api/v1/${onUsers ? 'users' : 'shifts'}`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(
                  onUsers
                    ? { first_name: 'Rolling', last_name: `Writer ${i}-${n}`, location_ids: [location.id] }
                    : {
                        location_id: location.id,
                        start: start.toISOString(),
                        end: new Date(start.getTime() + 3600_000).toISOString(),
                      },
                ),
                signal: AbortSignal.timeout(15_000),
              })
            : await fetch(
                `${base}/api/v1/${onUsers ? 'users?limit=5' : 'shifts?start[gte]=2035-01-01T00:00:00Z&start[lt]=2035-01-02T00:00:00Z&limit=5'}`,
                {
                  signal: AbortSignal.timeout(15_000),
                },
              );
          requests++;
          const body = (await res.json()) as { id?: number };
          if (!res.ok) failures.push(`${res.status} ${JSON.stringify(body)}`);
          else if (write)
            written.push({ url: `${base}/api/v1/${onUsers ? 'users' : 'shifts'}/${body.id}`, id: body.id! });
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    };
    const clients = Array.from({ length: 4 }, (_, i) => client(i));
    // Asynchronously: a synchronous kubectl would stall the clients' event loop for the whole rollout.
    const kubectlAsync = (...args: string[]) =>
      run(join(binDir(), 'kubectl'), ['--kubeconfig', adminKubeconfig, '-n', NS, ...args], {
        timeout: 300_000,
      });
    await new Promise((r) => setTimeout(r, 2000));
    for (const name of ['users', 'shifts']) {
      await kubectlAsync('set', 'image', `deployment/${name}`, `${name}=localhost/shiftstack/${name}:rolled`);
      await kubectlAsync('rollout', 'status', `deployment/${name}`, '--timeout=240s');
    }
    await new Promise((r) => setTimeout(r, 2000));
    running = false;
    await Promise.all(clients);
    const lost: string[] = [];
    for (const w of written) if ((await fetch(w.url)).status !== 200) lost.push(w.url);
    console.log(
      `cluster: rolling update of users then shifts under load: ${requests} requests, ${failures.length} failed, ` +
        `${written.length} writes acknowledged, ${lost.length} lost`,
    );
    expect(failures).toEqual([]);
    expect(lost).toEqual([]);
    expect(written.length).toBeGreaterThan(0);
  });

  it.each(['staging', 'production'])(
    'the %s overlay passes a server-side dry run: the API server checks it against the upstream CRDs',
    (env) => {
      const rendered = kubectl('kustomize', join(repoRoot, 'deploy/k8s/overlays', env));
      // A dry run cannot create the namespace its other objects go into, so that one is made for real.
      kubectl('create', 'namespace', `shiftstack-${env}`);
      const out = clusterKubectl(
        binDir(),
        ['apply', '--server-side', '--dry-run=server', '-f', '-'],
        rendered,
      );
      const kinds = new Set(out.split('\n').map((line) => line.split('/')[0]));
      const custom =
        env === 'production'
          ? [
              'rollout.argoproj.io',
              'scaledobject.keda.sh',
              'prometheusrule.monitoring.coreos.com',
              'cluster.postgresql.cnpg.io',
            ]
          : ['httproute.gateway.networking.k8s.io'];
      for (const kind of custom) expect(kinds, out).toContain(kind);
      expect(out).toContain('serverside-applied (server dry run)');
    },
  );

  it('a rollout that never becomes ready fails its status check; the old pod keeps serving; undo restores it', async () => {
    const users = serviceUrl('users');
    const imageOfUsers = () =>
      kubectl(
        '-n',
        NS,
        'get',
        'deployment/users',
        '-o',
        'jsonpath={.spec.template.spec.containers[0].image}',
      );
    const before = imageOfUsers();
    kubectl('-n', NS, 'set', 'image', 'deployment/users', 'users=localhost/shiftstack/users:does-not-exist');
    // maxUnavailable 0: the new pod never becomes ready (no such image), so the old one keeps all traffic.
    const status = refused(() => kubectl('-n', NS, 'rollout', 'status', 'deployment/users', '--timeout=20s'));
    expect(status).toMatch(/timed out|exceeded/);
    for (let i = 0; i < 20; i++) expect((await fetch(`${users}/api/v1/users?limit=1`)).status).toBe(200);
    asDevTeam('-n', NS, 'rollout', 'undo', 'deployment/users');
    kubectl('-n', NS, 'rollout', 'status', 'deployment/users', '--timeout=120s');
    expect(imageOfUsers()).toBe(before);
    expect((await fetch(`${users}/api/v1/users?limit=1`)).status).toBe(200);
  });
});
