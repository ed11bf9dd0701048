// What a cluster needs beyond its control plane and node, each as upstream runs it: CoreDNS as a pod
// behind the kube-dns Service (so the NetworkPolicies' DNS rule means what it says), metrics-server
// behind the aggregation layer (the HPAs' CPU figures), kube-router's firewall controller, which
// enforces NetworkPolicies with iptables and ipsets beside the bridge CNI plugin and kube-proxy, and
// Traefik as the Gateway API implementation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COREDNS_IMAGE, TRAEFIK_IMAGE } from './build';
import {
  daemon,
  DNS_SERVICE_IP,
  identityFlags,
  kubectl,
  kubectlApply,
  NODE_IP,
  NODE_NAME,
  pki,
  SERVICE_CIDR,
  stateDir,
} from './node';

const METRICS_SERVER_PORT = 4443;

/** A ClusterRole with these rules (YAML list items), bound to the user of the same name (a client cert). */
function clusterRoleForUser(name: string, rules: string): string {
  return `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: '${name}' }
rules:
${rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: '${name}' }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: '${name}' }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: '${name}' }]
`;
}

/** The API server's client identity towards kubelets (logs, exec, port-forward go through it). */
export function allowApiServerToKubelets(bin: string): void {
  kubectlApply(
    bin,
    `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: kube-apiserver-kubelet-client }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:kubelet-api-admin }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: kube-apiserver-kubelet-client }]
`,
  );
}

/**
 * Cluster DNS: CoreDNS as a Deployment in kube-system labelled k8s-app=kube-dns behind the kube-dns
 * Service, as every distribution runs it. It answers cluster.local from the API server and NXDOMAIN for
 * everything else (this machine has no outside DNS). It listens on port 53 itself, as upstream's does,
 * because a NetworkPolicy's port is the pod's port (the base's allow-dns rule says 53): non-root, with the
 * namespaced sysctl that opens low ports to it rather than a capability.
 */
export async function startDns(bin: string): Promise<void> {
  kubectlApply(
    bin,
    `apiVersion: v1
kind: ServiceAccount
metadata: { name: coredns, namespace: kube-system }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: system:coredns }
rules:
  - { apiGroups: [''], resources: [endpoints, services, pods, namespaces], verbs: [list, watch] }
  - { apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [list, watch] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: system:coredns }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:coredns }
subjects: [{ kind: ServiceAccount, name: coredns, namespace: kube-system }]
---
apiVersion: v1
kind: ConfigMap
metadata: { name: coredns, namespace: kube-system }
data:
  Corefile: |
    cluster.local:53 in-addr.arpa:53 {
      kubernetes cluster.local in-addr.arpa {
        pods insecure
      }
      cache 30
      errors
      health :8080
      ready :8181
    }
    .:53 {
      template ANY ANY { rcode NXDOMAIN }
    }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: coredns, namespace: kube-system, labels: { k8s-app: kube-dns } }
spec:
  replicas: 1
  selector: { matchLabels: { k8s-app: kube-dns } }
  template:
    metadata: { labels: { k8s-app: kube-dns } }
    spec:
      serviceAccountName: coredns
      priorityClassName: system-cluster-critical
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        seccompProfile: { type: RuntimeDefault }
        sysctls: [{ name: net.ipv4.ip_unprivileged_port_start, value: '53' }]
      containers:
        - name: coredns
          image: ${COREDNS_IMAGE}
          imagePullPolicy: Never
          args: [-conf, /etc/coredns/Corefile]
          ports:
            - { name: dns, containerPort: 53, protocol: UDP }
            - { name: dns-tcp, containerPort: 53, protocol: TCP }
          resources:
            requests: { cpu: 50m, memory: 32Mi }
            limits: { memory: 128Mi }
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: { drop: [ALL] }
          readinessProbe: { httpGet: { path: /ready, port: 8181 }, periodSeconds: 2 }
          livenessProbe: { httpGet: { path: /health, port: 8080 }, periodSeconds: 10 }
          volumeMounts: [{ name: config, mountPath: /etc/coredns, readOnly: true }]
      volumes: [{ name: config, configMap: { name: coredns } }]
---
apiVersion: v1
kind: Service
metadata: { name: kube-dns, namespace: kube-system, labels: { k8s-app: kube-dns } }
spec:
  clusterIP: ${DNS_SERVICE_IP}
  selector: { k8s-app: kube-dns }
  ports:
    - { name: dns, port: 53, protocol: UDP }
    - { name: dns-tcp, port: 53, protocol: TCP }
`,
  );
  kubectl(bin, ['-n', 'kube-system', 'rollout', 'status', 'deployment/coredns', '--timeout=120s']);
}

/**
 * metrics-server as a host process on the node address, registered as the metrics.k8s.io API: it reads
 * each kubelet's /metrics/resource with its own identity, and trusts the API server's front-proxy
 * certificate to name the caller.
 */
export function startMetricsServer(bin: string): void {
  const ca = readFileSync(join(pki, 'ca.crt')).toString('base64');
  kubectlApply(
    bin,
    `${clusterRoleForUser(
      'system:metrics-server',
      `  - { apiGroups: [''], resources: [nodes/metrics], verbs: [get] }
  - { apiGroups: [''], resources: [pods, nodes], verbs: [get, list, watch] }`,
    )}
---
# To check the callers the API server forwards: token reviews, and its request-header configuration.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: metrics-server:system:auth-delegator }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:auth-delegator }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: system:metrics-server }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: metrics-server-auth-reader, namespace: kube-system }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: extension-apiserver-authentication-reader }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: system:metrics-server }]
---
# No selector: the endpoint is the host process on the node address.
apiVersion: v1
kind: Service
metadata: { name: metrics-server, namespace: kube-system }
spec:
  ports: [{ name: https, port: 443, targetPort: ${METRICS_SERVER_PORT} }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: metrics-server-host
  namespace: kube-system
  labels: { kubernetes.io/service-name: metrics-server }
addressType: IPv4
ports: [{ name: https, port: ${METRICS_SERVER_PORT}, protocol: TCP }]
endpoints: [{ addresses: ['${NODE_IP}'], conditions: { ready: true } }]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: { name: v1beta1.metrics.k8s.io }
spec:
  group: metrics.k8s.io
  version: v1beta1
  service: { name: metrics-server, namespace: kube-system, port: 443 }
  caBundle: ${ca}
  groupPriorityMinimum: 100
  versionPriority: 100
`,
  );
  daemon(bin, 'metrics-server', [
    ...identityFlags('metrics-server'),
    `--bind-address=${NODE_IP}`,
    `--secure-port=${METRICS_SERVER_PORT}`,
    `--tls-cert-file=${pki}/metrics-server-serving.crt`,
    `--tls-private-key-file=${pki}/metrics-server-serving.key`,
    `--requestheader-client-ca-file=${pki}/ca.crt`,
    `--kubelet-certificate-authority=${pki}/ca.crt`,
    '--kubelet-preferred-address-types=InternalIP',
    // The HPA controller reads every 15 s; fresher figures make the autoscaling test quicker to settle.
    '--metric-resolution=10s',
    '--kubelet-request-timeout=5s',
  ]);
}

/**
 * NetworkPolicy enforcement: kube-router's firewall controller alone (the bridge plugin wires the pods,
 * kube-proxy serves the Services), as a host process like k3s runs it.
 */
export function startNetworkPolicies(bin: string): void {
  kubectlApply(
    bin,
    clusterRoleForUser(
      'system:kube-router',
      `  - { apiGroups: [''], resources: [namespaces, pods, nodes, services, endpoints], verbs: [get, list, watch] }
  - { apiGroups: [networking.k8s.io], resources: [networkpolicies], verbs: [get, list, watch] }
  - { apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [get, list, watch] }`,
    ),
  );
  daemon(bin, 'kube-router', [
    `--kubeconfig=${join(stateDir, 'kube-router.kubeconfig')}`,
    `--hostname-override=${NODE_NAME}`,
    '--run-firewall=true',
    '--run-router=false',
    '--run-service-proxy=false',
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--health-port=0',
  ]);
}

/** Where the overlays expect their Gateway's proxies (base/network/front-door.yaml admits only them). */
export const GATEWAY_NAMESPACE = 'envoy-gateway-system';

/**
 * The Gateway API implementation: Traefik's kubernetesgateway provider, as a pod, implementing the
 * GatewayClass the overlays name (`eg`) in the namespace their front-door NetworkPolicy admits. Envoy
 * Gateway itself needs Envoy, a C++ program that cannot be built from the Go module proxy; the overlay
 * applies unchanged either way. Listener port 80 is the entry point `web`; non-root, with the namespaced
 * sysctl that opens port 80 to it.
 */
export async function startGateway(bin: string): Promise<void> {
  kubectlApply(
    bin,
    `apiVersion: v1
kind: Namespace
metadata:
  name: ${GATEWAY_NAMESPACE}
  labels: { pod-security.kubernetes.io/enforce: restricted }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: traefik, namespace: ${GATEWAY_NAMESPACE} }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: shiftstack-gateway }
rules:
  - { apiGroups: [''], resources: [namespaces, services, secrets, configmaps, nodes], verbs: [get, list, watch] }
  - { apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [get, list, watch] }
  - apiGroups: [gateway.networking.k8s.io]
    resources: [gatewayclasses, gateways, httproutes, grpcroutes, tcproutes, tlsroutes, referencegrants, backendtlspolicies]
    verbs: [get, list, watch]
  - apiGroups: [gateway.networking.k8s.io]
    resources: [gatewayclasses/status, gateways/status, httproutes/status, grpcroutes/status, tcproutes/status, tlsroutes/status, backendtlspolicies/status]
    verbs: [update, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: shiftstack-gateway }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: shiftstack-gateway }
subjects: [{ kind: ServiceAccount, name: traefik, namespace: ${GATEWAY_NAMESPACE} }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: eg }
spec:
  controllerName: traefik.io/gateway-controller
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: traefik, namespace: ${GATEWAY_NAMESPACE}, labels: { app.kubernetes.io/name: traefik } }
spec:
  replicas: 1
  selector: { matchLabels: { app.kubernetes.io/name: traefik } }
  template:
    metadata: { labels: { app.kubernetes.io/name: traefik } }
    spec:
      serviceAccountName: traefik
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        seccompProfile: { type: RuntimeDefault }
        sysctls: [{ name: net.ipv4.ip_unprivileged_port_start, value: '80' }]
      containers:
        - name: traefik
          image: ${TRAEFIK_IMAGE}
          imagePullPolicy: Never
          args:
            - --providers.kubernetesgateway=true
            - --entrypoints.web.address=:80
            - --entrypoints.traefik.address=:8080
            - --ping=true
            - --log.level=INFO
            - --global.checknewversion=false
            - --global.sendanonymoususage=false
          ports:
            - { name: web, containerPort: 80 }
            - { name: admin, containerPort: 8080 }
          resources:
            requests: { cpu: 50m, memory: 64Mi }
            limits: { memory: 256Mi }
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: { drop: [ALL] }
          readinessProbe: { httpGet: { path: /ping, port: 8080 }, periodSeconds: 2 }
          livenessProbe: { httpGet: { path: /ping, port: 8080 }, periodSeconds: 10 }
---
apiVersion: v1
kind: Service
metadata: { name: traefik, namespace: ${GATEWAY_NAMESPACE} }
spec:
  selector: { app.kubernetes.io/name: traefik }
  ports: [{ name: web, port: 80, targetPort: 80 }]
`,
  );
  kubectl(bin, ['-n', GATEWAY_NAMESPACE, 'rollout', 'status', 'deployment/traefik', '--timeout=120s']);
}
