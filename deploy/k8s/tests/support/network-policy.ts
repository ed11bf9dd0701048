// Evaluates NetworkPolicies as the NetworkPolicy API defines them: a pod selected by no policy of a
// direction is open in that direction; once selected, only what some rule allows gets through, and a
// connection needs both the source's egress and the destination's ingress to allow it.
import type { Obj } from './manifests.js';

export interface Endpoint {
  /** Namespace name; its kubernetes.io/metadata.name label is implied, as the API server sets it. */
  namespace: string;
  namespaceLabels?: Record<string, string>;
  /** Pod labels, or undefined for something that is not a pod (an address outside the cluster). */
  labels?: Record<string, string>;
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }[];
}

export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const value = labels[key];
    switch (operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
    }
  });
  return byLabel && byExpression;
}

const nsLabels = (e: Endpoint) => ({ 'kubernetes.io/metadata.name': e.namespace, ...e.namespaceLabels });

/** Does one `from`/`to` peer of a policy in `policyNamespace` match endpoint `e`? */
function peerMatches(peer: Obj, policyNamespace: string, e: Endpoint): boolean {
  // ipBlock: treated as matching anything, pods included (some CNIs do apply it to pod IPs), so that
  // "cannot reach" checks err on the safe side.
  if (peer.ipBlock) return true;
  if (!e.labels) return false; // pod/namespace selectors only ever match pods
  const nsOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector as LabelSelector, nsLabels(e))
    : e.namespace === policyNamespace;
  const podOk = peer.podSelector ? selects(peer.podSelector as LabelSelector, e.labels) : true;
  return nsOk && podOk;
}

const portMatches = (ports: Obj[] | undefined, port: number, protocol: string) =>
  !ports?.length ||
  ports.some((p) => (p.protocol ?? 'TCP') === protocol && (p.port === undefined || p.port === port));

function directionAllows(
  policies: Obj[],
  self: Endpoint,
  other: Endpoint,
  dir: 'Ingress' | 'Egress',
  port: number,
  protocol: string,
): boolean {
  if (!self.labels) return true; // not a pod: not governed by NetworkPolicy
  const applying = policies.filter(
    (p) =>
      p.metadata.namespace === self.namespace &&
      (p.spec.policyTypes as string[]).includes(dir) &&
      selects(p.spec.podSelector as LabelSelector, self.labels!),
  );
  if (applying.length === 0) return true;
  const key = dir === 'Ingress' ? 'ingress' : 'egress';
  const peersKey = dir === 'Ingress' ? 'from' : 'to';
  return applying.some((p) =>
    ((p.spec[key] ?? []) as Obj[]).some(
      (rule) =>
        portMatches(rule.ports as Obj[] | undefined, port, protocol) &&
        (!rule[peersKey]?.length ||
          (rule[peersKey] as Obj[]).some((peer) => peerMatches(peer, p.metadata.namespace as string, other))),
    ),
  );
}

export function canConnect(
  policies: Obj[],
  from: Endpoint,
  to: Endpoint,
  port: number,
  protocol = 'TCP',
): boolean {
  return (
    directionAllows(policies, from, to, 'Egress', port, protocol) &&
    directionAllows(policies, to, from, 'Ingress', port, protocol)
  );
}

/** Policies that select this pod for a direction (empty = the pod is not isolated that way). */
export const policiesSelecting = (policies: Obj[], pod: Endpoint, dir: 'Ingress' | 'Egress') =>
  policies.filter(
    (p) =>
      p.metadata.namespace === pod.namespace &&
      (p.spec.policyTypes as string[]).includes(dir) &&
      selects(p.spec.podSelector as LabelSelector, pod.labels ?? {}),
  );
