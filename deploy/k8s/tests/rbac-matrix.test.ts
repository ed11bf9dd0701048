// What can the dev team do? Each kubectl action is the list of API requests kubectl really sends
// (kubectl and kubectl-argo-rollouts source), evaluated against the Roles bound to group dev-team in
// the rendered overlay. The same table is in docs/operations.md; keep them together.
import { describe, expect, it } from 'vitest';
import { environments, kubectlAvailable, renderOverlay, type Environment } from './support/manifests.js';
import { allows, ruleAllows, rulesForGroup, type ApiRequest } from './support/rbac.js';

const deploy = (verb: string, name?: string): ApiRequest => ({
  verb,
  group: 'apps',
  resource: 'deployments',
  ...(name ? { name } : {}),
});
const rollout = (verb: string, resource = 'rollouts'): ApiRequest => ({
  verb,
  group: 'argoproj.io',
  resource,
  name: 'users',
});
const core = (verb: string, resource: string, name?: string): ApiRequest => ({
  verb,
  group: '',
  resource,
  ...(name ? { name } : {}),
});
const listReplicaSets: ApiRequest = { verb: 'list', group: 'apps', resource: 'replicasets' };

const actions: Record<string, ApiRequest[]> = {
  'kubectl set image deployment/users users=…': [deploy('get', 'users'), deploy('patch', 'users')],
  'kubectl rollout status deployment/users': [deploy('get', 'users'), deploy('list'), deploy('watch')],
  'kubectl rollout undo deployment/users': [
    deploy('get', 'users'),
    listReplicaSets,
    deploy('patch', 'users'),
  ],
  'kubectl rollout history deployment/users': [deploy('get', 'users'), listReplicaSets],
  'kubectl rollout restart deployment/users': [deploy('get', 'users'), deploy('patch', 'users')],
  'kubectl get pods': [core('list', 'pods')],
  'kubectl logs users-…': [core('get', 'pods', 'users-1'), core('get', 'pods/log', 'users-1')],
  'kubectl exec users-… -- sh': [core('get', 'pods', 'users-1'), core('create', 'pods/exec', 'users-1')],
  'kubectl port-forward users-… 8080': [
    core('get', 'pods', 'users-1'),
    core('create', 'pods/portforward', 'users-1'),
  ],
  'kubectl debug users-… (ephemeral container)': [core('patch', 'pods/ephemeralcontainers', 'users-1')],
  'kubectl delete pod users-…': [core('delete', 'pods', 'users-1')],
  'kubectl get secrets': [core('list', 'secrets')],
  'kubectl get secret users-db-app': [core('get', 'secrets', 'users-db-app')],
  'kubectl edit configmap users-config': [
    core('get', 'configmaps', 'users-config'),
    core('patch', 'configmaps', 'users-config'),
  ],
  'kubectl scale deployment/users --replicas=5': [
    { verb: 'patch', group: 'apps', resource: 'deployments/scale', name: 'users' },
  ],
  'kubectl delete deployment/users': [deploy('delete', 'users')],
  'kubectl create deployment x': [deploy('create')],
  'kubectl apply (replace) deployment/users': [deploy('update', 'users')],
  'kubectl delete service users': [core('delete', 'services', 'users')],
  'kubectl edit networkpolicy default-deny': [
    { verb: 'patch', group: 'networking.k8s.io', resource: 'networkpolicies', name: 'default-deny' },
  ],
  'kubectl create role x': [{ verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'roles' }],
  'kubectl create rolebinding x': [
    { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings' },
  ],
  'kubectl delete namespace': [core('delete', 'namespaces', 'shiftstack')],
  'kubectl argo rollouts set image users …': [rollout('get'), rollout('patch')],
  'kubectl argo rollouts promote users': [rollout('get'), rollout('patch', 'rollouts/status')],
  'kubectl argo rollouts abort users': [rollout('patch', 'rollouts/status')],
  'kubectl argo rollouts undo users': [rollout('get'), listReplicaSets, rollout('patch')],
  'kubectl argo rollouts get rollout users --watch': [
    rollout('get'),
    rollout('watch'),
    listReplicaSets,
    core('list', 'pods'),
    { verb: 'list', group: 'argoproj.io', resource: 'analysisruns' },
  ],
  'kubectl delete rollout users': [rollout('delete')],
  'kubectl edit analysistemplate canary-health': [
    { verb: 'patch', group: 'argoproj.io', resource: 'analysistemplates', name: 'canary-health' },
  ],
};

const deployAndRollBack = [
  'kubectl set image deployment/users users=…',
  'kubectl rollout status deployment/users',
  'kubectl rollout undo deployment/users',
  'kubectl rollout history deployment/users',
  'kubectl rollout restart deployment/users',
  'kubectl get pods',
  'kubectl logs users-…',
];
const argoRollouts = [
  'kubectl argo rollouts set image users …',
  'kubectl argo rollouts promote users',
  'kubectl argo rollouts abort users',
  'kubectl argo rollouts undo users',
  'kubectl argo rollouts get rollout users --watch',
];
const devDebugging = [
  'kubectl exec users-… -- sh',
  'kubectl port-forward users-… 8080',
  'kubectl delete pod users-…',
  'kubectl scale deployment/users --replicas=5',
];

/** What the dev team may do per environment; every other action in the table must be denied. */
const expectedAllowed: Record<Environment, string[]> = {
  dev: [...deployAndRollBack, ...devDebugging],
  staging: deployAndRollBack,
  production: [...deployAndRollBack, ...argoRollouts],
};

describe('the evaluator matches like the RBAC authorizer', () => {
  const rule = { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'] };
  it.each([
    ['the exact group, resource and verb', rule, deploy('patch', 'users'), true],
    ['another verb', rule, deploy('delete', 'users'), false],
    [
      'a subresource of an allowed resource',
      rule,
      { verb: 'patch', group: 'apps', resource: 'deployments/scale', name: 'users' },
      false,
    ],
    [
      'the same resource name in another group',
      rule,
      { verb: 'get', group: 'extensions', resource: 'deployments' },
      false,
    ],
    [
      'wildcards',
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      core('create', 'pods/exec', 'x'),
      true,
    ],
    [
      'a */scale rule on a scale subresource',
      { apiGroups: ['apps'], resources: ['*/scale'], verbs: ['patch'] },
      { verb: 'patch', group: 'apps', resource: 'deployments/scale' },
      true,
    ],
    [
      'resourceNames with the named object',
      { ...rule, resourceNames: ['users'] },
      deploy('get', 'users'),
      true,
    ],
    [
      'resourceNames with another object',
      { ...rule, resourceNames: ['users'] },
      deploy('get', 'shifts'),
      false,
    ],
    [
      'resourceNames with a list (no name)',
      { ...rule, verbs: ['list'], resourceNames: ['users'] },
      deploy('list'),
      false,
    ],
  ])('%s', (_what, r, req, expected) => {
    expect(ruleAllows(r, req)).toBe(expected);
  });
});

describe.skipIf(!kubectlAvailable)('dev-team RBAC matrix', () => {
  describe.each(environments)('overlays/%s', (env) => {
    const rules = rulesForGroup(renderOverlay(env), 'dev-team');
    const allowed = new Set(expectedAllowed[env]);

    it.each(Object.entries(actions))('%s', (action, requests) => {
      const denied = requests.filter((r) => !allows(rules, r));
      if (allowed.has(action)) expect(denied, `${action} should be allowed`).toEqual([]);
      else expect(denied.length, `${action} should be denied`).toBeGreaterThan(0);
    });
  });

  it('binds the deployer Role, and nothing broader, in staging and production', () => {
    for (const env of ['staging', 'production'] as const) {
      const bindings = renderOverlay(env).filter((o) => o.kind === 'RoleBinding');
      expect(bindings.map((b) => `${b.roleRef.kind}/${b.roleRef.name}`)).toEqual(['Role/deployer']);
    }
  }, 30_000);
});
