// Evaluates RBAC the way the API server's RBAC authorizer does, for one subject in one namespace:
// a request is allowed when any rule of any Role or ClusterRole bound to the subject matches its API
// group, resource (with subresource, "pods/exec"), verb and, if the rule lists resourceNames, its name.
import { find, ofKind, type Obj } from './manifests.js';

export interface ApiRequest {
  verb: string;
  group: string; // "" for the core group
  resource: string; // "pods", or "pods/exec" for a subresource
  name?: string;
}

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
}

const has = (list: string[] | undefined, value: string) =>
  !!list && (list.includes('*') || list.includes(value));

function resourceMatches(rule: PolicyRule, resource: string): boolean {
  if (has(rule.resources, resource)) return true;
  // "*/scale" matches the scale subresource of every resource; "pods" never matches "pods/exec".
  const [, sub] = resource.split('/');
  return sub !== undefined && !!rule.resources?.includes(`*/${sub}`);
}

export function ruleAllows(rule: PolicyRule, req: ApiRequest): boolean {
  if (!has(rule.verbs, req.verb) || !has(rule.apiGroups, req.group) || !resourceMatches(rule, req.resource))
    return false;
  // A rule restricted to names never matches a request without one (list, watch, create).
  if (rule.resourceNames?.length) return req.name !== undefined && rule.resourceNames.includes(req.name);
  return true;
}

/** The rules granted to a group by the RoleBindings in `objs` (roles must be in `objs` too). */
export function rulesForGroup(objs: Obj[], group: string): PolicyRule[] {
  return ofKind(objs, 'RoleBinding')
    .filter((b) => ((b.subjects ?? []) as Obj[]).some((s) => s.kind === 'Group' && s.name === group))
    .flatMap((b) => {
      const role = find(objs, b.roleRef.kind as string, b.roleRef.name as string);
      // A binding to a role we do not ship (e.g. the built-in "edit") would grant rights this test
      // cannot see: fail loudly rather than under-report.
      if (!role)
        throw new Error(
          `RoleBinding ${b.metadata.name} refers to ${b.roleRef.kind}/${b.roleRef.name}, not in the manifests`,
        );
      return (role.rules ?? []) as PolicyRule[];
    });
}

export const allows = (rules: PolicyRule[], req: ApiRequest) => rules.some((r) => ruleAllows(r, req));
