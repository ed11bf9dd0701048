// What the dev team may do, as the table in docs/operations.md ("The dev team's role") says it. Each kubectl
// action is the list of API requests kubectl really sends (kubectl and kubectl-argo-rollouts source); an
// action is allowed when the API server allows every one of its requests, refused when it refuses any.
// test/system/cluster.test.ts asks a real API server about each, in every environment.

export interface ApiRequest {
  verb: string;
  group: string;
  /** With its subresource, if any: "pods/exec". */
  resource: string;
  name?: string;
}

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
const replicaSets = (verb: string): ApiRequest => ({ verb, group: 'apps', resource: 'replicasets' });

export const actions: Record<string, ApiRequest[]> = {
  'kubectl set image deployment/users users=…': [deploy('get', 'users'), deploy('patch', 'users')],
  'kubectl rollout status deployment/users': [deploy('get', 'users'), deploy('list'), deploy('watch')],
  'kubectl rollout undo deployment/users': [
    deploy('get', 'users'),
    replicaSets('list'),
    deploy('patch', 'users'),
  ],
  'kubectl rollout history deployment/users': [deploy('get', 'users'), replicaSets('list')],
  'kubectl rollout restart deployment/users': [deploy('get', 'users'), deploy('patch', 'users')],
  'kubectl get pods': [core('list', 'pods')],
  'kubectl logs users-…': [core('get', 'pods', 'users-1'), core('get', 'pods/log', 'users-1')],
  'kubectl exec users-… -- sh': [
    core('get', 'pods', 'users-1'),
    core('create', 'pods/exec', 'users-1'),
    core('get', 'pods/exec', 'users-1'),
  ],
  'kubectl port-forward users-… 8080': [
    core('get', 'pods', 'users-1'),
    core('create', 'pods/portforward', 'users-1'),
    core('get', 'pods/portforward', 'users-1'),
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
  // promote writes the same subresource: RBAC allows the write, admission refuses a promotion (the
  // ValidatingAdmissionPolicy shiftstack-dev-team-never-promotes; cluster.test.ts shows both).
  'kubectl argo rollouts retry rollout users': [rollout('get'), rollout('patch', 'rollouts/status')],
  'kubectl argo rollouts abort users': [rollout('patch', 'rollouts/status')],
  'kubectl argo rollouts undo users': [rollout('get'), replicaSets('list'), rollout('patch')],
  // The plugin's informers list and watch everything it shows.
  'kubectl argo rollouts get rollout users --watch': [
    rollout('get'),
    rollout('list'),
    rollout('watch'),
    replicaSets('list'),
    replicaSets('watch'),
    core('list', 'pods'),
    core('watch', 'pods'),
    { verb: 'list', group: 'argoproj.io', resource: 'analysisruns' },
    { verb: 'watch', group: 'argoproj.io', resource: 'analysisruns' },
    { verb: 'list', group: 'argoproj.io', resource: 'experiments' },
    { verb: 'watch', group: 'argoproj.io', resource: 'experiments' },
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
  'kubectl argo rollouts retry rollout users',
  'kubectl argo rollouts abort users',
  'kubectl argo rollouts undo users',
  'kubectl argo rollouts get rollout users --watch',
];

/** What the dev team may do per environment; every other action in the table must be refused. */
export const allowedFor = {
  dev: deployAndRollBack,
  staging: deployAndRollBack,
  production: [...deployAndRollBack, ...argoRollouts],
} as const;
