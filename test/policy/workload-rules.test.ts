/**
 * The workload rules (lib/policy/workload-rules.ts): per rule, objects that pass and objects that fail; the rules
 * through `eks-platform check` (file, kind, namespace, name, field, expected, found; suppressions); and the committed
 * reference output (dist/, every environment) against them.
 */
import { DEFAULT_MIN_REPLICAS, MIN_REPLICAS_ANNOTATION } from '../../lib/model/rules';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dump } from 'js-yaml';
import { Testing } from 'cdk8s';
import { PlatformChart } from '../../lib/k8s/platform-chart';
import { checkPaths } from '../../lib/policy/check';
import { platform as shopWithStatefulRedis } from '../fixtures/shop';
import type { KubernetesObject } from '../../lib/policy/pod-security';
import {
  WorkloadRule, checkWorkloads, isMeshHost, selectorMatches, type WorkloadFinding,
} from '../../lib/policy/workload-rules';

const ROOT = path.join(__dirname, '..', '..');
const LABELS = { app: 'web', version: 'v1' };

/** Plain objects, as parsed from YAML (no typed model: the rules read any input). */
type Obj = Omit<KubernetesObject, 'metadata'> & { readonly metadata?: KubernetesObject['metadata'] & { readonly labels?: Readonly<Record<string, string>> } } & Record<string, unknown>;

function namespace(name = 'team', minReplicas: string | undefined = '2'): Obj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(minReplicas !== undefined ? { annotations: { [MIN_REPLICAS_ANNOTATION]: minReplicas } } : {}) } };
}

function podSpec(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    serviceAccountName: 'web',
    automountServiceAccountToken: false,
    topologySpreadConstraints: [{ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { ...LABELS } } }],
    containers: [{ name: 'web', image: 'r.example.com/web:1.0.0' }],
    ...extra,
  };
}

function deployment(opts: { name?: string; ns?: string | null; replicas?: number; spec?: Record<string, unknown>; labels?: Record<string, string>; kind?: string } = {}): Obj {
  const ns = opts.ns === null ? undefined : opts.ns ?? 'team';
  return {
    apiVersion: 'apps/v1', kind: opts.kind ?? 'Deployment',
    metadata: { name: opts.name ?? 'web', ...(ns !== undefined ? { namespace: ns } : {}) },
    spec: {
      ...(opts.replicas !== undefined ? { replicas: opts.replicas } : {}),
      selector: { matchLabels: { ...(opts.labels ?? LABELS) } },
      template: { metadata: { labels: { ...(opts.labels ?? LABELS) } }, spec: podSpec(opts.spec) },
    },
  };
}

function hpa(min: number, max = 10, target = 'web', kind = 'Deployment'): Obj {
  return { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: target, namespace: 'team' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind, name: target }, minReplicas: min, maxReplicas: max } };
}

/** A budget; `selector` null for none. */
function pdb(spec: Record<string, unknown> = { maxUnavailable: 1 }, name = 'web', selector: unknown = { matchLabels: { ...LABELS } }): Obj {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: 'team' }, spec: { ...spec, ...(selector !== null ? { selector } : {}) } };
}

function networkPolicy(name: string, podSelector: unknown, policyTypes?: string[], extra: Record<string, unknown> = {}): Obj {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'team' }, spec: { podSelector, ...(policyTypes ? { policyTypes } : {}), ...extra } };
}

const DEFAULT_DENY = networkPolicy('default-deny', {}, ['Ingress', 'Egress']);
const SERVICE_ACCOUNT: Obj = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'team' }, automountServiceAccountToken: false };

/** A scope every rule passes: a Deployment autoscaled from 2, its budget, spread, default-deny, no token. */
function good(): Obj[] {
  return [namespace(), SERVICE_ACCOUNT, DEFAULT_DENY, deployment(), hpa(2), pdb()];
}

function findings(objects: readonly Obj[], rule: WorkloadRule): WorkloadFinding[] {
  return checkWorkloads(objects).filter((f) => f.rule === rule);
}

describe('checkWorkloads on a scope that keeps every rule', () => {
  test('finds nothing', () => {
    expect(checkWorkloads(good())).toEqual([]);
  });
});

describe(WorkloadRule.SERVICE_ACCOUNT_TOKEN, () => {
  const rule = WorkloadRule.SERVICE_ACCOUNT_TOKEN;
  const mounting = (extra: Record<string, unknown>) => deployment({ spec: { automountServiceAccountToken: undefined, ...extra } });
  const binding = (kind: 'RoleBinding' | 'ClusterRoleBinding', subject: Record<string, unknown>): Obj => ({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name: 'web-reader', ...(kind === 'RoleBinding' ? { namespace: 'team' } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [subject],
  });

  test('passes when the pod template says false, or leaves it unset and the ServiceAccount says false', () => {
    expect(findings(good(), rule)).toEqual([]);
    expect(findings([namespace(), SERVICE_ACCOUNT, DEFAULT_DENY, mounting({}), hpa(2), pdb()], rule)).toEqual([]);
  });

  test('passes when the pod mounts the token of a ServiceAccount a RoleBinding or ClusterRoleBinding binds', () => {
    const sa = { ...SERVICE_ACCOUNT, automountServiceAccountToken: true };
    expect(findings([sa, mounting({ automountServiceAccountToken: true }), binding('RoleBinding', { kind: 'ServiceAccount', name: 'web' })], rule)).toEqual([]);
    expect(findings([sa, mounting({}), binding('ClusterRoleBinding', { kind: 'ServiceAccount', name: 'web', namespace: 'team' })], rule)).toEqual([]);
    expect(findings([sa, mounting({}), binding('ClusterRoleBinding', { kind: 'Group', name: 'system:serviceaccounts:team' })], rule)).toEqual([]);
  });

  test('fails when the pod template sets automountServiceAccountToken true and nothing binds the ServiceAccount', () => {
    expect(findings([SERVICE_ACCOUNT, mounting({ automountServiceAccountToken: true })], rule)).toEqual([expect.objectContaining({
      kind: 'Deployment', namespace: 'team', name: 'web', field: 'spec.template.spec.automountServiceAccountToken', found: 'true', severity: 'error',
    })]);
  });

  test('fails when the token setting is unset on the pod and on its ServiceAccount, or the ServiceAccount is not in scope', () => {
    const sa = { ...SERVICE_ACCOUNT, automountServiceAccountToken: undefined };
    expect(findings([sa, mounting({})], rule)[0].found).toBe('unset (ServiceAccount web: automountServiceAccountToken unset)');
    expect(findings([mounting({})], rule)[0].found).toBe('unset (ServiceAccount web not in scope: the token is mounted)');
    // a pod without serviceAccountName runs as `default`
    expect(findings([mounting({ serviceAccountName: undefined })], rule)[0].expected).toContain('ServiceAccount default');
  });

  test('fails when the binding names the ServiceAccount of another namespace', () => {
    const other = binding('ClusterRoleBinding', { kind: 'ServiceAccount', name: 'web', namespace: 'elsewhere' });
    expect(findings([mounting({ automountServiceAccountToken: true }), other], rule)).toHaveLength(1);
  });

  test('fails when a pod mounts a projected serviceAccountToken for the API server (no audience, or the API server\'s), as automount would', () => {
    const projected = (token: Record<string, unknown>) => deployment({ spec: { volumes: [{ name: 'cfg', configMap: { name: 'c' } }, { name: 'tok', projected: { sources: [{ configMap: { name: 'ca' } }, { serviceAccountToken: token }] } }] } });
    for (const token of [{ path: 'token', expirationSeconds: 3600 }, { path: 'token', audience: 'https://kubernetes.default.svc' }, { path: 'token', audience: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789' }]) {
      expect(findings([namespace(), SERVICE_ACCOUNT, DEFAULT_DENY, projected(token), hpa(2), pdb()], rule)).toEqual([expect.objectContaining({
        kind: 'Deployment', name: 'web', severity: 'error', field: 'spec.template.spec.volumes[1].projected.sources[1].serviceAccountToken',
        found: 'audience' in token ? `a projected serviceAccountToken of audience ${token.audience} (the API server's)` : 'a projected serviceAccountToken without audience (the API server\'s)',
      })]);
    }
    // the same exemption as automount: a binding of the ServiceAccount in scope means the pod uses the API
    const bound = binding('RoleBinding', { kind: 'ServiceAccount', name: 'web' });
    expect(findings([namespace(), SERVICE_ACCOUNT, DEFAULT_DENY, projected({ path: 'token' }), hpa(2), pdb(), bound], rule)).toEqual([]);
  });

  test('accepts projected tokens for another audience: sts.amazonaws.com (IRSA), istio-ca', () => {
    for (const audience of ['sts.amazonaws.com', 'istio-ca', 'vault']) {
      const pod = deployment({ spec: { volumes: [{ name: 'tok', projected: { sources: [{ serviceAccountToken: { path: 'token', audience } }] } }] } });
      expect([audience, findings([namespace(), SERVICE_ACCOUNT, DEFAULT_DENY, pod, hpa(2), pdb()], rule)]).toEqual([audience, []]);
    }
  });

  test('fails when a CronJob\'s pod mounts the token unbound, naming the field in the job template', () => {
    const cron: Obj = {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'team' },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { metadata: { labels: { app: 'nightly' } }, spec: { containers: [{ name: 'c', image: 'r.example.com/c:1' }] } } } } },
    };
    expect(findings([cron], rule)).toEqual([expect.objectContaining({ kind: 'CronJob', field: 'spec.jobTemplate.spec.template.spec.automountServiceAccountToken' })]);
  });
});

describe(WorkloadRule.SYSTEM_NAMESPACE, () => {
  const rule = WorkloadRule.SYSTEM_NAMESPACE;

  test('passes for a workload in a namespace of its own', () => {
    expect(findings(good(), rule)).toEqual([]);
  });

  test.each(['default', 'kube-system', 'kube-public', 'kube-node-lease'])('fails when a workload runs in %s', (ns) => {
    expect(findings([deployment({ ns })], rule)).toEqual([expect.objectContaining({ field: 'metadata.namespace', found: ns, namespace: ns })]);
  });

  test('fails when a workload has no namespace', () => {
    expect(findings([deployment({ ns: null })], rule)).toEqual([expect.objectContaining({ field: 'metadata.namespace', found: 'unset' })]);
  });

  test('judges workloads only: a ConfigMap or Service in default is not its concern', () => {
    expect(findings([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } }], rule)).toEqual([]);
  });
});

describe(`${WorkloadRule.REPLICAS} and ${WorkloadRule.STATEFUL_REPLICAS}`, () => {
  test('passes when the autoscaler minimum, or the replicas without an autoscaler, meet the namespace\'s demand', () => {
    expect(findings(good(), WorkloadRule.REPLICAS)).toEqual([]);
    expect(findings([namespace(), deployment({ replicas: 3 })], WorkloadRule.REPLICAS)).toEqual([]);
    expect(findings([namespace('team', '1'), deployment(), hpa(1)], WorkloadRule.REPLICAS)).toEqual([]);
  });

  test('fails when the autoscaler minimum is below the demand the namespace annotates', () => {
    expect(findings([namespace('team', '3'), deployment(), hpa(2)], WorkloadRule.REPLICAS)).toEqual([expect.objectContaining({
      kind: 'Deployment', name: 'web', field: 'spec.replicas', severity: 'error',
      expected: `at least 3 (annotation ${MIN_REPLICAS_ANNOTATION} of Namespace team)`, found: 'HorizontalPodAutoscaler web minReplicas 2',
    })]);
  });

  test(`fails when a Deployment runs one replica and no Namespace object states a demand (the default, ${DEFAULT_MIN_REPLICAS})`, () => {
    expect(findings([deployment()], WorkloadRule.REPLICAS)).toEqual([expect.objectContaining({ found: 'replicas unset (1)', expected: 'at least 2 (the default: no Namespace object in scope)' })]);
    expect(findings([namespace('team', 'many'), deployment({ replicas: 1 })], WorkloadRule.REPLICAS)[0].expected).toContain('has no valid annotation');
  });

  test('fails with a warning only when a StatefulSet runs below the demand', () => {
    const found = checkWorkloads([namespace(), deployment({ kind: 'StatefulSet', replicas: 1 })]).filter((f) => f.rule === WorkloadRule.STATEFUL_REPLICAS || f.rule === WorkloadRule.REPLICAS);
    expect(found).toEqual([expect.objectContaining({ rule: WorkloadRule.STATEFUL_REPLICAS, severity: 'warning', kind: 'StatefulSet', found: 'replicas 1' })]);
  });

  test('accepts a Deployment scaled by a KEDA ScaledObject whose minReplicaCount meets the demand; fails when it is below, or unset (0)', () => {
    const scaled = (spec: Record<string, unknown>, ref: Record<string, unknown> = { name: 'web' }): Obj => ({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'web-scaler', namespace: 'team' }, spec: { scaleTargetRef: ref, ...spec, triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } }] } });
    const scope = (so: Obj) => [namespace(), SERVICE_ACCOUNT, DEFAULT_DENY, deployment(), pdb(), so];
    expect(checkWorkloads(scope(scaled({ minReplicaCount: 3, maxReplicaCount: 10 })))).toEqual([]);
    expect(checkWorkloads(scope(scaled({ minReplicaCount: 2 }, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' })))).toEqual([]);
    expect(findings(scope(scaled({ minReplicaCount: 1 })), WorkloadRule.REPLICAS)).toEqual([expect.objectContaining({ found: 'ScaledObject web-scaler minReplicaCount 1' })]);
    expect(findings(scope(scaled({})), WorkloadRule.REPLICAS)).toEqual([expect.objectContaining({ found: 'ScaledObject web-scaler minReplicaCount 0 (unset)' })]);
    // a ScaledObject of another target, or of another API group, scales nothing of this Deployment
    expect(findings(scope(scaled({ minReplicaCount: 3 }, { name: 'other' })), WorkloadRule.REPLICAS)).toHaveLength(1);
    expect(findings(scope({ ...scaled({ minReplicaCount: 3 }), apiVersion: 'example.com/v1' }), WorkloadRule.REPLICAS)).toHaveLength(1);
  });

  test('fails when an Argo Rollout runs below the demand, as a Deployment; its HorizontalPodAutoscaler (kind Rollout) and budget count', () => {
    const rollout = (extra: Record<string, unknown> = {}): Obj => ({ ...deployment({ ...extra }), apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' });
    expect(findings([namespace(), rollout({ replicas: 1 })], WorkloadRule.REPLICAS)).toEqual([expect.objectContaining({ kind: 'Rollout', severity: 'error', found: 'replicas 1' })]);
    expect(findings([namespace(), rollout()], WorkloadRule.DISRUPTION_BUDGET)).toEqual([expect.objectContaining({ kind: 'Rollout', found: 'none' })]);
    expect(findings([namespace(), rollout({ replicas: 3, spec: { topologySpreadConstraints: undefined } })], WorkloadRule.ZONE_SPREAD)).toEqual([expect.objectContaining({ kind: 'Rollout' })]);
    expect(checkWorkloads([namespace(), SERVICE_ACCOUNT, DEFAULT_DENY, rollout(), hpa(2, 10, 'web', 'Rollout'), pdb()])).toEqual([]);
    // a Rollout with workloadRef has no template of its own: the Deployment it names is judged
    const ref: Obj = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'web', namespace: 'team' }, spec: { replicas: 1, workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } } };
    expect(checkWorkloads([namespace(), ref])).toEqual([]);
  });

  test('fails when any other kind with spec.template.spec.containers breaks the token, namespace or network rules; its replicas are not judged', () => {
    const custom: Obj = { ...deployment({ ns: 'default', replicas: 1, spec: { automountServiceAccountToken: true } }), apiVersion: 'example.com/v1', kind: 'Worker' };
    expect(checkWorkloads([custom]).map((f) => `${f.kind} ${f.rule}`)).toEqual([
      `Worker ${WorkloadRule.SYSTEM_NAMESPACE}`, `Worker ${WorkloadRule.SERVICE_ACCOUNT_TOKEN}`, `Worker ${WorkloadRule.NETWORK_POLICY_INGRESS}`, `Worker ${WorkloadRule.NETWORK_POLICY_EGRESS}`,
    ]);
  });

  test('does not judge the replicas of DaemonSets, Jobs and Pods', () => {
    const daemonSet = deployment({ kind: 'DaemonSet' });
    const job = deployment({ kind: 'Job' });
    expect(checkWorkloads([namespace(), daemonSet, job]).filter((f) => f.rule === WorkloadRule.REPLICAS || f.rule === WorkloadRule.DISRUPTION_BUDGET || f.rule === WorkloadRule.ZONE_SPREAD)).toEqual([]);
  });
});

describe(WorkloadRule.DISRUPTION_BUDGET, () => {
  const rule = WorkloadRule.DISRUPTION_BUDGET;

  test('passes with one budget that allows an eviction: maxUnavailable 1, minAvailable below the minimum, a percentage, matchExpressions', () => {
    expect(findings(good(), rule)).toEqual([]);
    expect(findings([namespace(), deployment(), hpa(3), pdb({ minAvailable: 2 })], rule)).toEqual([]);
    expect(findings([namespace(), deployment(), hpa(4), pdb({ minAvailable: '50%' })], rule)).toEqual([]);
    expect(findings([namespace(), deployment(), hpa(2), pdb({ maxUnavailable: '10%' })], rule)).toEqual([]); // rounds up to 1
    expect(findings([namespace(), deployment(), hpa(2), pdb(undefined, 'web', { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] })], rule)).toEqual([]);
  });

  test('passes without a budget where the namespace demands one replica and the workload runs one', () => {
    expect(findings([namespace('team', '1'), deployment(), hpa(1)], rule)).toEqual([]);
  });

  test('accepts a StatefulSet below 2 pods without a budget (the warning platform/stateful-replicas reports it); a budget that blocks every drain is still a finding', () => {
    expect(findings([namespace(), deployment({ kind: 'StatefulSet', replicas: 1 })], rule)).toEqual([]);
    expect(findings([namespace(), deployment({ kind: 'StatefulSet', replicas: 1 }), pdb({ minAvailable: 1 })], rule)).toEqual([expect.objectContaining({
      kind: 'PodDisruptionBudget', found: 'minAvailable 1 of 1 pod(s)',
    })]);
    // from 2 pods it needs one, as a Deployment
    expect(findings([namespace(), deployment({ kind: 'StatefulSet', replicas: 2 })], rule)).toEqual([expect.objectContaining({ kind: 'StatefulSet', found: 'none' })]);
  });

  test('fails when no budget selects the pods where the namespace demands 2 or more', () => {
    const other = pdb(undefined, 'other', { matchLabels: { app: 'other' } });
    expect(findings([namespace(), deployment(), hpa(2), other], rule)).toEqual([expect.objectContaining({
      kind: 'Deployment', name: 'web', found: 'none', field: 'spec.template.metadata.labels',
    })]);
  });

  test('fails when the budget has no selector (policy/v1: it selects no pod)', () => {
    expect(findings([namespace(), deployment(), hpa(2), pdb(undefined, 'web', null)], rule)).toEqual([expect.objectContaining({ kind: 'Deployment', found: 'none' })]);
  });

  test('fails when maxUnavailable is 0 or 0%: no drain can evict a pod', () => {
    for (const maxUnavailable of [0, '0%']) {
      expect(findings([namespace(), deployment(), hpa(2), pdb({ maxUnavailable })], rule)).toEqual([expect.objectContaining({
        kind: 'PodDisruptionBudget', name: 'web', namespace: 'team', field: 'spec.maxUnavailable', found: `maxUnavailable ${JSON.stringify(maxUnavailable)}`,
      })]);
    }
  });

  test('fails when minAvailable equals the minimum replicas, or is 100%', () => {
    expect(findings([namespace(), deployment(), hpa(2), pdb({ minAvailable: 2 })], rule)).toEqual([expect.objectContaining({
      kind: 'PodDisruptionBudget', field: 'spec.minAvailable', found: 'minAvailable 2 of 2 pod(s)',
    })]);
    expect(findings([namespace(), deployment({ replicas: 3 }), pdb({ minAvailable: '100%' })], rule)).toHaveLength(1);
  });

  test('counts the pods of every workload a budget selects: minAvailable 2 over two versions of 2 pods each passes', () => {
    const app = { matchLabels: { app: 'web' } };
    const v2 = deployment({ name: 'web-v2', labels: { app: 'web', version: 'v2' }, replicas: 2 });
    const v1 = deployment({ name: 'web-v1', replicas: 2 });
    expect(findings([namespace(), v1, v2, pdb({ minAvailable: 2 }, 'web', app)], rule)).toEqual([]);
    expect(findings([namespace(), v1, v2, pdb({ minAvailable: 4 }, 'web', app)], rule)).toEqual([expect.objectContaining({ found: 'minAvailable 4 of 4 pod(s)' })]);
  });

  test('fails when two budgets select the same pods: the eviction API refuses to evict them', () => {
    expect(findings([...good(), pdb(undefined, 'web-extra', { matchLabels: { app: 'web' } })], rule)).toEqual([expect.objectContaining({
      kind: 'Deployment', name: 'web', found: '2: web, web-extra',
    })]);
  });

  test('fails when the budget states no limit', () => {
    expect(findings([namespace(), deployment(), hpa(2), pdb({})], rule)).toEqual([expect.objectContaining({ kind: 'PodDisruptionBudget', found: 'neither set' })]);
  });
});

describe(WorkloadRule.ZONE_SPREAD, () => {
  const rule = WorkloadRule.ZONE_SPREAD;

  test('passes with a zone constraint selecting the pods, and for a workload that never runs more than one pod', () => {
    expect(findings(good(), rule)).toEqual([]);
    expect(findings([deployment({ replicas: 1, spec: { topologySpreadConstraints: undefined } })], rule)).toEqual([]);
  });

  test('accepts a zone podAntiAffinity term, required or preferred, whose labelSelector selects the pods', () => {
    const term = (labelSelector: unknown, topologyKey = 'topology.kubernetes.io/zone') => ({ topologyKey, labelSelector });
    const required = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ matchLabels: { app: 'web' } })] } };
    const preferred = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term({ matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }) }] } };
    for (const affinity of [required, preferred]) {
      expect(findings([deployment({ replicas: 3, spec: { topologySpreadConstraints: undefined, affinity } })], rule)).toEqual([]);
    }
    // on the host key, or selecting other pods: not a zone spread
    const host = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ matchLabels: { app: 'web' } }, 'kubernetes.io/hostname')] } };
    const other = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ matchLabels: { app: 'other' } })] } };
    expect(findings([deployment({ replicas: 3, spec: { topologySpreadConstraints: undefined, affinity: host } })], rule)).toHaveLength(1);
    expect(findings([deployment({ replicas: 3, spec: { topologySpreadConstraints: undefined, affinity: other } })], rule)[0].found).toContain('select other pods');
  });

  test('fails when a workload that may scale to 2 pods has no constraint on the zone key', () => {
    const hostOnly = [{ topologyKey: 'kubernetes.io/hostname', maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...LABELS } } }];
    expect(findings([namespace('team', '1'), deployment({ spec: { topologySpreadConstraints: hostOnly } }), hpa(1, 2)], rule)).toEqual([expect.objectContaining({
      field: 'spec.template.spec.topologySpreadConstraints', found: 'no constraint on topology.kubernetes.io/zone',
    })]);
  });

  test('fails when the zone constraint selects other pods, or has no labelSelector', () => {
    const other = [{ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'other' } } }];
    expect(findings([deployment({ replicas: 3, spec: { topologySpreadConstraints: other } })], rule)[0].found).toContain('select other pods');
    const none = [{ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' }];
    expect(findings([deployment({ kind: 'StatefulSet', replicas: 3, spec: { topologySpreadConstraints: none } })], rule)).toHaveLength(1);
  });
});

describe(`${WorkloadRule.NETWORK_POLICY_INGRESS} and ${WorkloadRule.NETWORK_POLICY_EGRESS}`, () => {
  const netpol = (objects: readonly Obj[]) => checkWorkloads(objects).filter((f) => f.rule === WorkloadRule.NETWORK_POLICY_INGRESS || f.rule === WorkloadRule.NETWORK_POLICY_EGRESS);

  test('passes when policies of the namespace select the pods for both types, by matchLabels or by matchExpressions', () => {
    expect(netpol(good())).toEqual([]);
    const byExpressions = networkPolicy('web', { matchExpressions: [
      { key: 'app', operator: 'In', values: ['web', 'api'] }, { key: 'version', operator: 'NotIn', values: ['v0'] },
      { key: 'version', operator: 'Exists' }, { key: 'canary', operator: 'DoesNotExist' },
    ] }, ['Ingress', 'Egress']);
    expect(netpol([deployment(), byExpressions])).toEqual([]);
    // policyTypes unset: Ingress, plus Egress when the policy has egress rules
    expect(netpol([deployment(), networkPolicy('web', { matchLabels: { app: 'web' } }, undefined, { ingress: [], egress: [{ to: [] }] })])).toEqual([]);
  });

  test('fails when no NetworkPolicy is in the pods\' namespace', () => {
    const other = { ...DEFAULT_DENY, metadata: { name: 'default-deny', namespace: 'elsewhere' } };
    expect(netpol([deployment(), other])).toEqual([
      expect.objectContaining({ rule: WorkloadRule.NETWORK_POLICY_INGRESS, field: 'spec.template.metadata.labels', found: 'no NetworkPolicy in namespace team' }),
      expect.objectContaining({ rule: WorkloadRule.NETWORK_POLICY_EGRESS, found: 'no NetworkPolicy in namespace team' }),
    ]);
  });

  test('fails when the policies select other pods (an expression that does not hold, an unknown operator)', () => {
    const notIn = networkPolicy('web', { matchExpressions: [{ key: 'version', operator: 'NotIn', values: ['v1'] }] }, ['Ingress', 'Egress']);
    expect(netpol([deployment(), notIn])).toHaveLength(2);
    const unknown = networkPolicy('web', { matchExpressions: [{ key: 'app', operator: 'Matches', values: ['web'] }] }, ['Ingress', 'Egress']);
    expect(netpol([deployment(), unknown])[0].found).toBe('none of the NetworkPolicies in namespace team (web) selects the pod');
  });

  test('fails for Egress only when the policy that selects the pods is of type Ingress only', () => {
    expect(netpol([deployment(), networkPolicy('web', { matchLabels: { app: 'web' } }, ['Ingress'])])).toEqual([
      expect.objectContaining({ rule: WorkloadRule.NETWORK_POLICY_EGRESS, found: 'the NetworkPolicies that select the pod (web) are not of type Egress' }),
    ]);
    // policyTypes unset and no egress rules: Ingress only
    expect(netpol([deployment(), networkPolicy('web', {})]).map((f) => f.rule)).toEqual([WorkloadRule.NETWORK_POLICY_EGRESS]);
  });

  test(`warns (${WorkloadRule.NETWORK_POLICY_OPEN}) when a policy that selects the pods allows all traffic: ingress [{}], egress [{}], rules without peers and ports`, () => {
    const open = (ingress: unknown[], egress: unknown[]) => checkWorkloads([deployment(), networkPolicy('web', {}, ['Ingress', 'Egress'], { ingress, egress })]).filter((f) => f.rule.startsWith('platform/network-policy'));
    expect(open([{}], [{}])).toEqual([
      expect.objectContaining({ rule: WorkloadRule.NETWORK_POLICY_OPEN, severity: 'warning', kind: 'Deployment', field: 'spec.template.metadata.labels', found: 'NetworkPolicy web: spec.ingress[0] allows all incoming traffic' }),
      expect.objectContaining({ rule: WorkloadRule.NETWORK_POLICY_OPEN, severity: 'warning', found: 'NetworkPolicy web: spec.egress[0] allows all outgoing traffic' }),
    ]);
    expect(open([{ from: [] }], [{ to: [], ports: [] }]).map((f) => f.found)).toEqual(['NetworkPolicy web: spec.ingress[0] allows all incoming traffic', 'NetworkPolicy web: spec.egress[0] allows all outgoing traffic']);
    // policies add up: an allow-all policy beside a default-deny opens the pods all the same
    expect(checkWorkloads([deployment(), DEFAULT_DENY, networkPolicy('allow-all-egress', { matchLabels: { app: 'web' } }, ['Egress'], { egress: [{}] })]).filter((f) => f.rule === WorkloadRule.NETWORK_POLICY_OPEN)).toEqual([
      expect.objectContaining({ found: 'NetworkPolicy allow-all-egress: spec.egress[0] allows all outgoing traffic' }),
    ]);
    // peers or ports narrow a rule: not open; a warning does not fail the gate
    const dns = { to: [], ports: [{ port: 53, protocol: 'UDP' }] };
    expect(open([{ from: [{ podSelector: {} }] }], [dns])).toEqual([]);
    expect(open([], [])).toEqual([]);
  });

  test('fails for a Pod, a DaemonSet or a Job as for a Deployment', () => {
    const pod: Obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: 'team', labels: { app: 'debug' } }, spec: { containers: [] } };
    expect(netpol([pod, deployment({ kind: 'DaemonSet' }), deployment({ kind: 'Job' })]).map((f) => `${f.kind} ${f.field}`)).toEqual([
      'Pod metadata.labels', 'Pod metadata.labels',
      'DaemonSet spec.template.metadata.labels', 'DaemonSet spec.template.metadata.labels',
      'Job spec.template.metadata.labels', 'Job spec.template.metadata.labels',
    ]);
  });
});

describe(WorkloadRule.MTLS_DISABLED, () => {
  const rule = WorkloadRule.MTLS_DISABLED;
  const peer = (spec: Record<string, unknown>): Obj => ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'team' }, spec });
  const dr = (host: string, spec: Record<string, unknown>): Obj => ({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'web', namespace: 'team' }, spec: { host, ...spec } });

  test('passes for STRICT, PERMISSIVE and UNSET, ISTIO_MUTUAL, and plain text to a host outside the mesh', () => {
    expect(findings([peer({ mtls: { mode: 'STRICT' } }), peer({ mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { 9090: { mode: 'UNSET' } } })], rule)).toEqual([]);
    expect(findings([dr('web.team.svc.cluster.local', { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } })], rule)).toEqual([]);
    expect(findings([dr('api.example.com', { trafficPolicy: { tls: { mode: 'DISABLE' } } })], rule)).toEqual([]);
  });

  test('fails when a PeerAuthentication disables mTLS, for the workload or for a port', () => {
    expect(findings([peer({ mtls: { mode: 'DISABLE' }, portLevelMtls: { 8080: { mode: 'DISABLE' } } })], rule)).toEqual([
      expect.objectContaining({ kind: 'PeerAuthentication', name: 'default', namespace: 'team', field: 'spec.mtls.mode', found: 'DISABLE' }),
      expect.objectContaining({ field: 'spec.portLevelMtls.8080.mode', found: 'DISABLE' }),
    ]);
  });

  test('fails when a DestinationRule sends plain text to a host of the mesh: in its policy, a port\'s, or a subset\'s', () => {
    const spec = {
      trafficPolicy: { tls: { mode: 'DISABLE' }, portLevelSettings: [{ port: { number: 8080 }, tls: { mode: 'DISABLE' } }] },
      subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { tls: { mode: 'DISABLE' } } }],
    };
    expect(findings([dr('web', spec)], rule).map((f) => f.field)).toEqual([
      'spec.trafficPolicy.tls.mode', 'spec.trafficPolicy.portLevelSettings[0].tls.mode', 'spec.subsets[0].trafficPolicy.tls.mode',
    ]);
    expect(findings([dr('*.team.svc.cluster.local', { trafficPolicy: { tls: { mode: 'DISABLE' } } })], rule)).toHaveLength(1);
  });

  test('fails when a DestinationRule disables TLS for Istio\'s namespace-qualified short forms: <name>.<namespace> of a namespace in scope, <name>.<namespace>.svc', () => {
    const disable = { trafficPolicy: { tls: { mode: 'DISABLE' } } };
    expect(findings([dr('web.team', disable), dr('web.team.svc', disable)], rule)).toHaveLength(2);
    // the namespace is known from a Namespace object as well as from any object in it
    expect(findings([namespace('shop'), { ...dr('web.shop', disable), metadata: { name: 'web', namespace: 'mesh' } }], rule)).toHaveLength(1);
  });

  test('accepts plain text to <name>.<tld> when no object of the scope is in that namespace, and to a host a ServiceEntry declares', () => {
    const disable = { trafficPolicy: { tls: { mode: 'DISABLE' } } };
    expect(findings([dr('example.com', disable)], rule)).toEqual([]);
    const entry: Obj = { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'legacy', namespace: 'team' }, spec: { hosts: ['legacy.team', 'db.legacy.svc'], location: 'MESH_EXTERNAL', resolution: 'DNS' } };
    expect(findings([entry, dr('legacy.team', disable), dr('db.legacy.svc', disable)], rule)).toEqual([]);
  });

  test('knows the hosts of the mesh: short names, *.svc, *.cluster.local, *, <name>.<namespace> of a known namespace; never a ServiceEntry host', () => {
    expect(['web', 'web.team.svc', 'web.team.svc.cluster.local', '*.cluster.local', '*'].every((h) => isMeshHost(h))).toBe(true);
    expect(['api.example.com', '*.amazonaws.com', 'web.team'].some((h) => isMeshHost(h))).toBe(false);
    expect(isMeshHost('web.team', { namespaces: new Set(['team']) })).toBe(true);
    expect(isMeshHost('web.team.svc', { serviceEntryHosts: new Set(['web.team.svc']) })).toBe(false);
  });
});

describe('selectorMatches', () => {
  test('ANDs matchLabels and every expression; an empty selector selects everything', () => {
    expect(selectorMatches({}, {})).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'version', operator: 'In', values: ['v2'] }] }, LABELS)).toBe(false);
    expect(selectorMatches({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'version', operator: 'In', values: ['v1'] }] }, LABELS)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] }, LABELS)).toBe(true);
  });
});

describe('the workload rules through eks-platform check', () => {
  function folder(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workload-rules-test-'));
    for (const [name, text] of Object.entries(files)) {
      fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
  }
  const yaml = (objects: readonly Obj[]) => objects.map((o) => dump(o)).join('---\n');

  test('reports file, kind, namespace, name, field, expected and found; a suppression with a reason accepts the finding', () => {
    const dir = folder({
      'app.yaml': yaml([namespace(), SERVICE_ACCOUNT, DEFAULT_DENY, deployment(), hpa(2)]),
      's.yaml': `- { rule: ${WorkloadRule.DISRUPTION_BUDGET}, kind: Deployment, namespace: team, name: web, reason: "budget is applied by the team's own chart, TICKET-7" }\n`,
    });
    const report = checkPaths(['app.yaml'], { cwd: dir });
    expect(report.exitCode).toBe(1);
    expect(report.findings.filter((f) => f.rule === WorkloadRule.DISRUPTION_BUDGET)).toEqual([{
      rule: WorkloadRule.DISRUPTION_BUDGET, severity: 'error', file: 'app.yaml', kind: 'Deployment', namespace: 'team', name: 'web',
      field: 'spec.template.metadata.labels', expected: 'a PodDisruptionBudget in namespace team whose selector selects the pod labels {app=web, version=v1}',
      found: 'none', message: 'no PodDisruptionBudget covers its pods: a node drain may evict all of them at once',
      line: expect.any(Number),
    }]);
    // the line of the field: the pod template's labels
    const budget = report.findings.find((f) => f.rule === WorkloadRule.DISRUPTION_BUDGET)!;
    expect(fs.readFileSync(path.join(dir, 'app.yaml'), 'utf8').split('\n')[budget.line! - 1]).toMatch(/^\s*labels:/);
    const suppressed = checkPaths(['app.yaml'], { cwd: dir, suppressions: 's.yaml' });
    expect(suppressed.findings.filter((f) => f.rule.startsWith('platform/') && f.rule !== 'platform/probes' && f.rule !== 'platform/resources')).toEqual([]);
    expect(suppressed.suppressed).toEqual([expect.objectContaining({ rule: WorkloadRule.DISRUPTION_BUDGET, reason: "budget is applied by the team's own chart, TICKET-7" })]);
  });

  test(`a warning (${WorkloadRule.NETWORK_POLICY_OPEN}: an allow-all NetworkPolicy) does not fail the check`, () => {
    const allowAll = networkPolicy('allow-all', {}, ['Ingress', 'Egress'], { ingress: [{}], egress: [{}] });
    const dir = folder({ 'open.yaml': yaml([namespace(), SERVICE_ACCOUNT, allowAll, deployment(), hpa(2), pdb()]) });
    const report = checkPaths(['open.yaml'], { cwd: dir });
    const mine = report.findings.filter((f) => (Object.values(WorkloadRule) as string[]).includes(f.rule));
    expect(mine.map((f) => `${f.severity} ${f.rule}`)).toEqual([`warning ${WorkloadRule.NETWORK_POLICY_OPEN}`, `warning ${WorkloadRule.NETWORK_POLICY_OPEN}`]);
    expect(report.findings.filter((f) => f.severity === 'error' && (Object.values(WorkloadRule) as string[]).includes(f.rule))).toEqual([]);
  });

  test('a warning (a StatefulSet below the demand) does not fail the check', () => {
    const dir = folder({ 'db.yaml': yaml([namespace(), { ...SERVICE_ACCOUNT }, DEFAULT_DENY, deployment({ kind: 'StatefulSet', replicas: 1 }), pdb()]) });
    const mine = checkPaths(['db.yaml'], { cwd: dir }).findings.filter((f) => (Object.values(WorkloadRule) as string[]).includes(f.rule));
    expect(mine).toEqual([expect.objectContaining({ rule: WorkloadRule.STATEFUL_REPLICAS, severity: 'warning', file: 'db.yaml' })]);
  });
});

describe('the committed reference output (dist/)', () => {
  const rules = Object.values(WorkloadRule) as string[];
  const envs = fs.readdirSync(path.join(ROOT, 'dist')).filter((e) => fs.existsSync(path.join(ROOT, 'dist', e, 'platform.k8s.yaml'))).sort();

  test('has the three environments', () => {
    expect(envs).toEqual(['dev', 'prod', 'staging']);
  });

  test.each(envs)('dist/%s breaks none of the workload rules and warns of nothing (its Redis is a data store, no StatefulSet of the chart)', (env) => {
    const report = checkPaths([`dist/${env}`], { cwd: ROOT });
    const mine = report.findings.filter((f) => rules.includes(f.rule));
    expect(mine.filter((f) => f.severity === 'error')).toEqual([]);
    // Redis runs as the redis-ha chart's three pods (an Argo CD Application) in dev and staging, as ElastiCache in prod
    expect(mine).toEqual([]);
    const text = fs.readFileSync(path.join(ROOT, 'dist', env, 'platform.k8s.yaml'), 'utf8');
    expect(text).not.toMatch(/^kind: StatefulSet$/m);
  });

  test.each(['dev', 'staging', 'prod'])('the shop with its Redis as a stateful service (test/fixtures/shop.ts) in %s: the one warning is the single-instance Redis where 2 are demanded', (env) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workload-rules-shop-'));
    const objects = Testing.synth(new PlatformChart(Testing.app(), env, { platform: shopWithStatefulRedis, environment: env }));
    fs.writeFileSync(path.join(dir, 'platform.k8s.yaml'), objects.map((o) => dump(o)).join('---\n'));
    const mine = checkPaths(['platform.k8s.yaml'], { cwd: dir }).findings.filter((f) => rules.includes(f.rule));
    expect(mine.filter((f) => f.severity === 'error')).toEqual([]);
    // dev allows a single replica; staging and prod demand 2, and this Redis is one StatefulSet pod
    expect(mine).toEqual(env === 'dev' ? [] : [expect.objectContaining({ rule: WorkloadRule.STATEFUL_REPLICAS, severity: 'warning', kind: 'StatefulSet', namespace: 'shop-data', name: 'redis', found: 'replicas 1' })]);
  });

  test('states each namespace\'s demand from the environment: 1 in dev (allowSingleReplica), 2 in staging and prod', () => {
    for (const [env, demand] of [['dev', '1'], ['staging', '2'], ['prod', '2']]) {
      const text = fs.readFileSync(path.join(ROOT, 'dist', env, 'platform.k8s.yaml'), 'utf8');
      expect(text.match(new RegExp(`${MIN_REPLICAS_ANNOTATION}: "(\\d+)"`, 'g'))).toEqual([`${MIN_REPLICAS_ANNOTATION}: "${demand}"`, `${MIN_REPLICAS_ANNOTATION}: "${demand}"`]);
    }
  });
});
