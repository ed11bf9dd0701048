// A real single-node Kubernetes on this machine, every part a host process started by us: etcd, the API
// server, controller manager and scheduler, containerd (with Debian's runc and CNI plugins), the kubelet
// and kube-proxy. Everything listens on loopback or on the node address, on a bridge of our own.
// State lives in .cluster/ (git-ignored) and /run/shiftstack-cluster; `down` removes both.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  allowApiServerToKubelets,
  startDns,
  startGateway,
  startMetricsServer,
  startNetworkPolicies,
} from './addons';
import { PAUSE_IMAGE, repoRoot } from './build';
import { issue, kubeconfig, makeCa } from './pki';

export const NODE_NAME = 'shiftstack-node';
/** The node's address: the pods' gateway on the cluster's own bridge, so the pods reach the node directly. */
export const NODE_IP = '10.244.0.1';
export const POD_CIDR = '10.244.0.0/24';
export const SERVICE_CIDR = '10.96.0.0/16';
const API_SERVICE_IP = '10.96.0.1';
export const DNS_SERVICE_IP = '10.96.0.10';
const BRIDGE = 'shiftstack-br0';
const ETCD_PORT = 23790;

export const stateDir = join(repoRoot, '.cluster');
const runDir = '/run/shiftstack-cluster';
export const pki = join(stateDir, 'pki');
export const logs = join(stateDir, 'logs');
const pids = join(stateDir, 'pids');
export const adminKubeconfig = join(stateDir, 'kubeconfig');
export const containerdSocket = join(runDir, 'containerd.sock');
export const apiServer = `https://${NODE_IP}:6443`;

type Log = (line: string) => void;

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: 'pipe', encoding: 'utf8' });
const shQuiet = (cmd: string, args: string[]) => {
  try {
    return sh(cmd, args);
  } catch {
    return undefined;
  }
};

/** Starts a program detached, its output to .cluster/logs/NAME.log; `down` stops it by its pid file. */
export function daemon(bin: string, name: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  const out = openSync(logFile(name), 'a');
  const child = spawn(join(bin, name), args, {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ...env },
  });
  child.unref();
  writeFileSync(join(pids, `${name}.pid`), String(child.pid));
}

/** Where a component started as a host process (`daemon`) writes its output. */
export const logFile = (name: string) => join(logs, `${name}.log`);

/** Polls `check` until it holds; a timeout names what to read: a log file, or a command for a pod's log. */
export async function waitFor(what: string, lookAt: string, check: () => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await sleep(500);
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s; see ${lookAt}`);
}

function prepareHost(): void {
  if (process.getuid?.() !== 0)
    throw new Error('the local cluster needs root (it sets up networking and cgroups)');
  for (const module of ['br_netfilter', 'overlay']) shQuiet('modprobe', [module]);
  sh('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
  sh('sysctl', ['-q', '-w', 'net.bridge.bridge-nf-call-iptables=1']);
  // The bridge exists before any pod does (this kernel has no dummy interfaces), so the node address is
  // there for the API server and kubelet to bind to; the CNI bridge plugin adopts it for the pods.
  if (!shQuiet('ip', ['link', 'show', BRIDGE])) {
    sh('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
    sh('ip', ['addr', 'add', `${NODE_IP}/24`, 'dev', BRIDGE]);
    sh('ip', ['link', 'set', BRIDGE, 'up']);
  }
}

function makePki(): void {
  makeCa(pki);
  issue(pki, {
    name: 'apiserver',
    cn: 'kube-apiserver',
    sans: [
      `IP:${NODE_IP}`,
      `IP:${API_SERVICE_IP}`,
      'IP:127.0.0.1',
      'DNS:localhost',
      'DNS:kubernetes',
      'DNS:kubernetes.default',
      'DNS:kubernetes.default.svc',
      'DNS:kubernetes.default.svc.cluster.local',
    ],
  });
  issue(pki, {
    name: 'metrics-server-serving',
    cn: 'metrics-server',
    sans: [`IP:${NODE_IP}`, 'DNS:metrics-server.kube-system.svc'],
  });
  issue(pki, {
    name: 'kubelet-serving',
    cn: `system:node:${NODE_NAME}`,
    org: 'system:nodes',
    sans: [`IP:${NODE_IP}`, `DNS:${NODE_NAME}`],
  });
  const clients = [
    { name: 'admin', cn: 'shiftstack-admin', org: 'system:masters' },
    { name: 'apiserver-kubelet-client', cn: 'kube-apiserver-kubelet-client' },
    { name: 'controller-manager', cn: 'system:kube-controller-manager' },
    { name: 'scheduler', cn: 'system:kube-scheduler' },
    { name: 'kubelet', cn: `system:node:${NODE_NAME}`, org: 'system:nodes' },
    { name: 'kube-proxy', cn: 'system:kube-proxy' },
    { name: 'kube-router', cn: 'system:kube-router' },
    { name: 'metrics-server', cn: 'system:metrics-server' },
    // The API server's identity towards aggregated API servers (metrics-server), which trust it to name
    // the user in request headers.
    { name: 'front-proxy-client', cn: 'front-proxy-client' },
  ];
  for (const client of clients) {
    issue(pki, client);
    writeFileSync(join(stateDir, `${client.name}.kubeconfig`), kubeconfig(pki, apiServer, client.name));
  }
  writeFileSync(adminKubeconfig, kubeconfig(pki, apiServer, 'admin'));
}

/** kubectl (the one built with the cluster) as the cluster's admin. */
export function kubectl(bin: string, args: string[], input?: string): string {
  return execFileSync(join(bin, 'kubectl'), ['--kubeconfig', adminKubeconfig, ...args], {
    encoding: 'utf8',
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** The same, for polling: undefined instead of an error. */
export function kubectlQuiet(bin: string, args: string[]): string | undefined {
  try {
    return kubectl(bin, args);
  } catch {
    return undefined;
  }
}

const apiReady = (bin: string) => kubectlQuiet(bin, ['get', '--raw', '/readyz']) === 'ok';

function startControlPlane(bin: string): void {
  daemon(bin, 'etcd', [
    '--name=shiftstack',
    `--data-dir=${join(stateDir, 'etcd')}`,
    `--listen-client-urls=http://127.0.0.1:${ETCD_PORT}`,
    `--advertise-client-urls=http://127.0.0.1:${ETCD_PORT}`,
    `--listen-peer-urls=http://127.0.0.1:${ETCD_PORT + 10}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${ETCD_PORT + 10}`,
    `--initial-cluster=shiftstack=http://127.0.0.1:${ETCD_PORT + 10}`,
    '--listen-metrics-urls=http://127.0.0.1:23810',
  ]);
  daemon(bin, 'kube-apiserver', [
    `--etcd-servers=http://127.0.0.1:${ETCD_PORT}`,
    `--advertise-address=${NODE_IP}`,
    `--bind-address=${NODE_IP}`,
    '--secure-port=6443',
    `--client-ca-file=${pki}/ca.crt`,
    `--tls-cert-file=${pki}/apiserver.crt`,
    `--tls-private-key-file=${pki}/apiserver.key`,
    `--kubelet-client-certificate=${pki}/apiserver-kubelet-client.crt`,
    `--kubelet-client-key=${pki}/apiserver-kubelet-client.key`,
    `--kubelet-certificate-authority=${pki}/ca.crt`,
    '--kubelet-preferred-address-types=InternalIP',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki}/sa.pub`,
    `--service-account-signing-key-file=${pki}/sa.key`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction',
    '--allow-privileged=true',
    '--profiling=false',
    // The aggregation layer, for metrics-server's metrics.k8s.io: the API server proxies to it with its
    // front-proxy client certificate and names the user in these headers; straight to its address.
    `--requestheader-client-ca-file=${pki}/ca.crt`,
    '--requestheader-allowed-names=front-proxy-client',
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${pki}/front-proxy-client.crt`,
    `--proxy-client-key-file=${pki}/front-proxy-client.key`,
    '--enable-aggregator-routing=true',
  ]);
}

/**
 * The flags that give a component built on the apiserver libraries its identity: one kubeconfig for its
 * own calls and for checking who calls it.
 */
export function identityFlags(name: string): string[] {
  const kubeconfig = join(stateDir, `${name}.kubeconfig`);
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
  ];
}

function startControllers(bin: string): void {
  daemon(bin, 'kube-controller-manager', [
    ...identityFlags('controller-manager'),
    '--bind-address=127.0.0.1',
    '--leader-elect=false',
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${pki}/sa.key`,
    `--root-ca-file=${pki}/ca.crt`,
    `--cluster-signing-cert-file=${pki}/ca.crt`,
    `--cluster-signing-key-file=${pki}/ca.key`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--profiling=false',
  ]);
  daemon(bin, 'kube-scheduler', [
    ...identityFlags('scheduler'),
    '--bind-address=127.0.0.1',
    '--leader-elect=false',
    '--profiling=false',
  ]);
}

function startContainerd(bin: string): void {
  const cniDir = join(stateDir, 'cni');
  mkdirSync(cniDir, { recursive: true });
  writeFileSync(
    join(cniDir, '10-shiftstack.conflist'),
    JSON.stringify({
      cniVersion: '1.0.0',
      name: 'shiftstack',
      plugins: [
        {
          type: 'bridge',
          bridge: BRIDGE,
          isGateway: true,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: POD_CIDR }]], routes: [{ dst: '0.0.0.0/0' }] },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    }),
  );
  const config = join(stateDir, 'containerd.toml');
  writeFileSync(
    config,
    `version = 3
root = "${join(stateDir, 'containerd')}"
state = "${join(runDir, 'containerd-state')}"
[grpc]
  address = "${containerdSocket}"
[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = "${PAUSE_IMAGE}"
[plugins.'io.containerd.cri.v1.runtime']
  # Root here lacks CAP_SYS_RESOURCE, so no process may lower its OOM score (the kubelet asks -998 for
  # sandboxes): clamp to containerd's own instead of failing every pod.
  restrict_oom_score_adj = true
  [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
      BinaryName = "/usr/sbin/runc"
      SystemdCgroup = false
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = ["/usr/lib/cni"]
    conf_dir = "${cniDir}"
`,
  );
  daemon(bin, 'containerd', ['--config', config]);
}

/** ctr on the cluster's containerd, in the kubelet's namespace; its warnings stay out of the output. */
export const ctr = (bin: string, args: string[]) =>
  sh(join(bin, 'ctr'), ['--address', containerdSocket, '--namespace', 'k8s.io', ...args]);

/** Imports an image archive (OCI or docker) into the cluster's containerd. */
export function importImage(bin: string, archive: string): void {
  ctr(bin, ['images', 'import', '--no-unpack=false', archive]);
}

function startNode(bin: string): void {
  const kubeletConfig = join(stateDir, 'kubelet.yaml');
  writeFileSync(
    kubeletConfig,
    `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${NODE_IP}
healthzBindAddress: 127.0.0.1
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: ${pki}/ca.crt }
authorization: { mode: Webhook }
tlsCertFile: ${pki}/kubelet-serving.crt
tlsPrivateKeyFile: ${pki}/kubelet-serving.key
containerRuntimeEndpoint: unix://${containerdSocket}
cgroupDriver: cgroupfs
# This machine mounts the cgroup controllers as v1; kubelet 1.35+ refuses v1 unless told otherwise.
failCgroupV1: false
failSwapOn: false
clusterDomain: cluster.local
clusterDNS: [${DNS_SERVICE_IP}]
podCIDR: ${POD_CIDR}
resolvConf: /etc/resolv.conf
serializeImagePulls: false
evictionHard: { memory.available: 200Mi, nodefs.available: 2%, imagefs.available: 2% }
`,
  );
  daemon(bin, 'kubelet', [
    `--config=${kubeletConfig}`,
    `--kubeconfig=${join(stateDir, 'kubelet.kubeconfig')}`,
    `--hostname-override=${NODE_NAME}`,
    `--node-ip=${NODE_IP}`,
    `--root-dir=${join(stateDir, 'kubelet')}`,
  ]);
  const proxyConfig = join(stateDir, 'kube-proxy.yaml');
  writeFileSync(
    proxyConfig,
    `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: { kubeconfig: ${join(stateDir, 'kube-proxy.kubeconfig')} }
hostnameOverride: ${NODE_NAME}
mode: iptables
clusterCIDR: ${POD_CIDR}
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
conntrack: { maxPerCore: 0 }
`,
  );
  daemon(bin, 'kube-proxy', [`--config=${proxyConfig}`]);
}

/**
 * Storage: no dynamic provisioner runs here, so the node offers a few local volumes (folders under
 * .cluster/volumes) that the databases' claims bind to.
 */
function makeVolumes(bin: string, count = 6): void {
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(stateDir, 'volumes', `pv${i}`);
    mkdirSync(path, { recursive: true, mode: 0o777 });
    execFileSync('chmod', ['0777', path]);
    docs.push(`apiVersion: v1
kind: PersistentVolume
metadata: { name: local-pv${i} }
spec:
  capacity: { storage: 2Gi }
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  local: { path: ${path} }
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions: [{ key: kubernetes.io/hostname, operator: In, values: [${NODE_NAME}] }]
`);
  }
  kubectlApply(bin, docs.join('---\n'));
}

/**
 * Upstream CustomResourceDefinitions, read from the modules pinned in deploy/cluster/crds: Gateway API (the
 * dev overlay routes with it), and what staging and production use (Argo Rollouts, KEDA,
 * prometheus-operator, CloudNativePG and its Barman Cloud plugin, External Secrets), so the API server
 * itself checks those overlays. `pin` is the folder under deploy/cluster/crds whose go.mod pins the module.
 */
const CRDS: Array<{ module: string; dir: string; match: RegExp; pin?: string }> = [
  { module: 'sigs.k8s.io/gateway-api', dir: 'config/crd/standard', match: /\.yaml$/ },
  { module: 'github.com/argoproj/argo-rollouts', dir: 'manifests/crds', match: /-crd\.yaml$/ },
  {
    module: 'github.com/kedacore/keda/v2',
    dir: 'config/crd/bases',
    match: /^(eventing\.)?keda\.sh_.*\.yaml$/,
  },
  {
    module: 'github.com/prometheus-operator/prometheus-operator',
    dir: 'example/prometheus-operator-crd',
    match: /\.yaml$/,
  },
  { module: 'github.com/cloudnative-pg/cloudnative-pg', dir: 'config/crd/bases', match: /\.yaml$/ },
  {
    module: 'github.com/cloudnative-pg/plugin-barman-cloud',
    dir: 'config/crd/bases',
    match: /\.yaml$/,
    pin: 'barman-cloud',
  },
  {
    module: 'github.com/external-secrets/external-secrets',
    dir: 'config/crds/bases',
    match: /^external-secrets\.io_(externalsecrets|secretstores|clustersecretstores)\.yaml$/,
  },
];

/** Where the Go module cache holds a pinned module (downloaded first if it is not there yet). */
export function pinnedModuleDir(module: string, pin = '.'): string {
  const cwd = join(repoRoot, 'deploy/cluster/crds', pin);
  execFileSync('go', ['mod', 'download', module], { cwd, stdio: 'pipe' });
  return sh('go', ['-C', cwd, 'list', '-m', '-f', '{{.Dir}}', module]).trim();
}

function installCrds(bin: string): void {
  for (const crd of CRDS) {
    const folder = join(pinnedModuleDir(crd.module, crd.pin), crd.dir);
    for (const file of readdirSync(folder).filter((f) => crd.match.test(f)))
      // Server-side: several of these CRDs are too large for client-side apply's annotation.
      kubectlApply(bin, readFileSync(join(folder, file), 'utf8'), ['--server-side']);
  }
}

export const kubectlApply = (bin: string, manifest: string, extra: string[] = []) =>
  kubectl(bin, ['apply', ...extra, '-f', '-'], manifest);

/** Brings the cluster up; resolves once the node is Ready. */
export async function up(bin: string, log: Log): Promise<void> {
  for (const dir of [stateDir, logs, pids, runDir]) mkdirSync(dir, { recursive: true });
  prepareHost();
  makePki();
  log('starting etcd and the API server');
  startControlPlane(bin);
  await waitFor('the API server', logFile('kube-apiserver'), () => apiReady(bin), 90_000);
  log('starting the controller manager and scheduler, containerd');
  startControllers(bin);
  startContainerd(bin);
  await waitFor(
    'containerd',
    logFile('containerd'),
    () =>
      existsSync(containerdSocket) && !!shQuiet(join(bin, 'ctr'), ['--address', containerdSocket, 'version']),
  );
  importImage(bin, join(bin, 'pause.oci.tar'));
  importImage(bin, join(bin, 'coredns.oci.tar'));
  importImage(bin, join(bin, 'traefik.oci.tar'));
  log('starting the kubelet, kube-proxy, kube-router (NetworkPolicies) and metrics-server');
  allowApiServerToKubelets(bin);
  startNode(bin);
  startMetricsServer(bin);
  makeVolumes(bin);
  installCrds(bin);
  await waitFor(
    `node ${NODE_NAME} Ready`,
    logFile('kubelet'),
    () =>
      kubectlQuiet(bin, [
        'get',
        'node',
        NODE_NAME,
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
      ]) === 'True',
    120_000,
  );
  // Pods cannot be created in a namespace before its default service account exists.
  await waitFor(
    'the default service account',
    logFile('kube-controller-manager'),
    () => !!kubectlQuiet(bin, ['get', 'serviceaccount', 'default']),
  );
  // kube-router reads its node object at start.
  startNetworkPolicies(bin);
  log('starting CoreDNS and the Gateway (Traefik)');
  await startDns(bin);
  await startGateway(bin);
  await waitFor(
    'the metrics API',
    logFile('metrics-server'),
    () => !!kubectlQuiet(bin, ['top', 'node']),
    120_000,
  );
}

/** Stops every process `up` started and removes all state: nothing left running, mounted or configured. */
export async function down(bin: string | undefined, log: Log): Promise<void> {
  // The node side first, so nothing restarts containers while they are being removed.
  for (const name of [
    'metrics-server',
    'kube-router',
    'kube-proxy',
    'kubelet',
    'kube-scheduler',
    'kube-controller-manager',
    'kube-apiserver',
  ])
    await stop(name);
  if (bin && existsSync(containerdSocket)) removeAllContainers(bin);
  await stop('containerd');
  // Shims outlive containerd by design; ours are the ones whose address is our socket's folder.
  for (const pid of processesMatching(runDir)) shQuiet('kill', ['-9', String(pid)]);
  await stop('etcd');
  if (bin) shQuiet(join(bin, 'kube-proxy'), ['--cleanup']);
  if (bin) shQuiet(join(bin, 'kube-router'), ['--cleanup-config']);
  for (const tool of ['iptables', 'ip6tables']) removeKubeChains(tool);
  removeKubeRouterSets();
  unmountUnder(stateDir);
  unmountUnder(runDir);
  shQuiet('ip', ['link', 'delete', BRIDGE]);
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(runDir, { recursive: true, force: true });
  rmSync('/var/lib/cni/networks/shiftstack', { recursive: true, force: true });
  rmSync('/var/lib/cni/results', { recursive: true, force: true });
  log('cluster removed');
}

async function stop(name: string): Promise<void> {
  const file = join(pids, `${name}.pid`);
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, 'utf8'));
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 40 && alive(); i++) await sleep(250);
  if (alive()) process.kill(pid, 'SIGKILL');
}

function removeAllContainers(bin: string): void {
  const tasks =
    shQuiet(join(bin, 'ctr'), ['--address', containerdSocket, '-n', 'k8s.io', 'tasks', 'list', '-q']) ?? '';
  for (const id of tasks.split('\n').filter(Boolean))
    shQuiet(join(bin, 'ctr'), [
      '--address',
      containerdSocket,
      '-n',
      'k8s.io',
      'tasks',
      'kill',
      '-s',
      'SIGKILL',
      id,
    ]);
}

function processesMatching(text: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

/** The KUBE-* chains the kubelet leaves (KUBE-FIREWALL, canaries, hints), and the jumps to them. */
function removeKubeChains(tool: string): void {
  for (const table of ['filter', 'nat', 'mangle']) {
    const rules = (shQuiet(tool, ['-t', table, '-S']) ?? '').split('\n');
    for (const rule of rules.filter((r) => /^-A \S+ .*-j KUBE-/.test(r) && !/^-A KUBE-/.test(r)))
      shQuiet(tool, ['-t', table, ...rule.replace(/^-A/, '-D').split(' ')]);
    const chains = rules.filter((r) => r.startsWith('-N KUBE-')).map((r) => r.slice(3));
    for (const chain of chains) shQuiet(tool, ['-t', table, '-F', chain]);
    for (const chain of chains) shQuiet(tool, ['-t', table, '-X', chain]);
  }
}

/** kube-router's ipsets (its rules referencing them are gone by now). */
function removeKubeRouterSets(): void {
  for (const set of kubeRouterSets()) shQuiet('ipset', ['destroy', set]);
}

/** The ipsets kube-router made: every one of them is named KUBE-* or kube-router-*. */
export function kubeRouterSets(): string[] {
  return (shQuiet('ipset', ['list', '-n']) ?? '').split('\n').filter((s) => /^(KUBE-|kube-router-)/i.test(s));
}

/** Unmounts everything mounted below `dir`, deepest first. */
function unmountUnder(dir: string): void {
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) shQuiet('umount', ['-l', point]);
}
