// Every PromQL expression the shipped rules and dashboards evaluate, labelled by where it comes from.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface Located {
  where: string;
  expr: string;
}

export function loadRules(rulesFile: string): Rule[] {
  const file = parse(readFileSync(rulesFile, 'utf8')) as { groups: { rules: Rule[] }[] };
  return file.groups.flatMap((g) => g.rules);
}

export const ruleExpressions = (rules: Rule[]): Located[] =>
  rules.map((r) => ({ where: `rules.yaml ${r.record ?? r.alert}`, expr: r.expr }));

// Dashboards are untyped JSON read field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Dashboard = Record<string, any>;

export function loadDashboards(dir: string): { file: string; dashboard: Dashboard }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard }));
}

/** Grafana's template variables, replaced by values PromQL accepts, as Grafana would at query time. */
export function substituteVariables(expr: string): string {
  return expr
    .replace(/\$\{?__rate_interval\}?/g, '5m')
    .replace(/\$\{?__interval\}?/g, '1m')
    .replace(/\$\{?(\w+)\}?/g, 'dashboard-variable');
}

/** Panel targets, annotation queries and the metric of each label_values() variable. */
export function dashboardExpressions(file: string, dashboard: Dashboard): Located[] {
  const found: Located[] = [];
  for (const panel of dashboard.panels as Dashboard[]) {
    for (const target of (panel.targets ?? []) as Dashboard[]) {
      found.push({ where: `${file} panel "${panel.title}" ${target.refId}`, expr: target.expr as string });
    }
  }
  for (const annotation of (dashboard.annotations?.list ?? []) as Dashboard[]) {
    if (annotation.expr)
      found.push({ where: `${file} annotation "${annotation.name}"`, expr: annotation.expr as string });
  }
  for (const variable of (dashboard.templating?.list ?? []) as Dashboard[]) {
    const query = (variable.query?.query ?? '') as string;
    const labelValues = /^label_values\((.*),\s*\w+\)$/.exec(query);
    if (labelValues) found.push({ where: `${file} variable ${variable.name}`, expr: labelValues[1]! });
  }
  return found.map((l) => ({ ...l, expr: substituteVariables(l.expr) }));
}
