// Validates rendered objects against the Kubernetes and CRD schemas that kubernetes-models ships, and
// also rejects unknown fields, which `Model.validate()` alone lets through (the API server would
// reject them under kubectl's default strict field validation, or drop them silently for CRDs).
//
// How unknown fields are found without a second copy of the schemas: the models' validators are
// generated code that reads every property their schema declares (`data.minReadySeconds`, ...) and
// enumerates the keys of maps (labels, ConfigMap data: `additionalProperties`). We run the real
// validator over a Proxy that records, per object node, which keys it read and whether it enumerated
// them. A key present in the data that the validator neither read nor enumerated is not in the schema.
// Nodes the validator never looked inside (free-form `x-kubernetes-preserve-unknown-fields`) are left
// alone. strict-schema.test.ts proves this catches misspelled fields in built-in and CRD kinds.
import * as admission from 'kubernetes-models/admissionregistration.k8s.io/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as rbac from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as scheduling from 'kubernetes-models/scheduling.k8s.io/v1';
import * as core from 'kubernetes-models/v1';
import { validate as validatePodTemplateSpec } from 'kubernetes-models/_schemas/IoK8sApiCoreV1PodTemplateSpec';
import * as argo from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1';
import * as externalSecrets from '@kubernetes-models/external-secrets/external-secrets.io/v1';
import * as gateway from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import * as keda from '@kubernetes-models/keda/keda.sh/v1alpha1';
import * as monitoring from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { Obj } from './manifests.js';

interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data: Obj): object;
  prototype: { validate(): void };
}

const modules: Record<string, Record<string, unknown>> = {
  v1: core,
  'admissionregistration.k8s.io/v1': admission,
  'apps/v1': apps,
  'autoscaling/v2': autoscaling,
  'networking.k8s.io/v1': networking,
  'policy/v1': policy,
  'rbac.authorization.k8s.io/v1': rbac,
  'scheduling.k8s.io/v1': scheduling,
  'argoproj.io/v1alpha1': argo,
  'external-secrets.io/v1': externalSecrets,
  'gateway.networking.k8s.io/v1': gateway,
  'keda.sh/v1alpha1': keda,
  'monitoring.coreos.com/v1': monitoring,
};

/**
 * Kinds we ship for which no schema package exists on the registry. Listed, not silently skipped:
 * policy.test.ts checks the fields of these that matter instead, and the cluster tests have the API server
 * check them against the upstream CRDs (a server-side dry run of staging and production).
 */
export const kindsWithoutSchema = new Set([
  'postgresql.cnpg.io/v1/Cluster',
  'postgresql.cnpg.io/v1/ScheduledBackup',
  'barmancloud.cnpg.io/v1/ObjectStore',
]);

export function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  const candidate = modules[apiVersion]?.[kind] as ModelClass | undefined;
  return candidate && candidate.apiVersion === apiVersion && candidate.kind === kind ? candidate : undefined;
}

interface NodeRecord {
  path: string;
  read: Set<string>;
  enumerated: boolean;
}

/** Wraps `root` so every object node records the keys a validator reads or enumerates. */
function tracker(root: object) {
  const records = new Map<object, NodeRecord>();
  const wrap = (value: unknown, path: string): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const target = value;
    if (!Array.isArray(target) && !records.has(target))
      records.set(target, { path, read: new Set(), enumerated: false });
    return new Proxy(target, {
      get(t, key, receiver) {
        const child: unknown = Reflect.get(t, key, receiver);
        if (typeof key !== 'string') return child;
        if (Array.isArray(t)) return /^\d+$/.test(key) ? wrap(child, `${path}[${key}]`) : child;
        records.get(t)?.read.add(key);
        return typeof child === 'function' ? child : wrap(child, path ? `${path}.${key}` : key);
      },
      has(t, key) {
        if (typeof key === 'string' && !Array.isArray(t)) records.get(t)?.read.add(key);
        return Reflect.has(t, key);
      },
      ownKeys(t) {
        const r = records.get(t);
        if (r) r.enumerated = true;
        return Reflect.ownKeys(t);
      },
    });
  };
  const unknownFields = () =>
    [...records.entries()].flatMap(([node, r]) =>
      r.enumerated || r.read.size === 0
        ? []
        : Object.keys(node)
            .filter((k) => !r.read.has(k))
            .map((k) => (r.path ? `${r.path}.${k}` : k)),
    );
  return { proxy: wrap(root, '') as object, unknownFields };
}

/** Schema errors plus unknown fields of one object; [] when it is valid. */
export function strictErrors(obj: Obj): string[] {
  const Model = modelFor(obj.apiVersion as string, obj.kind as string);
  if (!Model) return [`no schema for ${obj.apiVersion}/${obj.kind}`];
  const where = `${obj.kind}/${obj.metadata?.name}`;
  const { proxy, unknownFields } = tracker(new Model(obj));
  try {
    Model.prototype.validate.call(proxy);
  } catch (err) {
    return [`${where}: ${(err as Error).message}`];
  }
  const errors = unknownFields().map((f) => `${where}: unknown field ${f}`);
  // Argo's CRD schema keeps the pod template loose; Argo uses the core PodTemplateSpec, so hold it to that.
  if (obj.kind === 'Rollout' && obj.spec?.template)
    errors.push(...podTemplateErrors(obj.spec.template as Obj, where));
  return errors;
}

function podTemplateErrors(template: Obj, where: string): string[] {
  const { proxy, unknownFields } = tracker(structuredClone(template));
  const validate = validatePodTemplateSpec as unknown as ((data: unknown) => boolean) & {
    errors?: unknown[];
  };
  if (!validate(proxy)) return [`${where}: spec.template: ${JSON.stringify(validate.errors)}`];
  return unknownFields().map((f) => `${where}: unknown field spec.template.${f}`);
}
