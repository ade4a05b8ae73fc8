/**
 * The platform's rules over workloads and the objects around them, judged over a whole scope of plain Kubernetes
 * objects (one environment's output, or one path given to `eks-platform check`): a service account token only where
 * the API is used (automounted, or projected with the API server's audience), no workload in `default` or a system
 * namespace, replicas (autoscaler and KEDA ScaledObject minimums) and a PodDisruptionBudget that lets drains proceed,
 * zone spread (topology spread or zone anti-affinity), NetworkPolicies for ingress and egress of every pod (a policy
 * that allows all traffic is a warning), and no Istio mTLS disabled.
 *
 * Reads plain objects only; imports nothing of cdk8s or cdktf. Which rule applies to which kind:
 *
 * | kind | token, namespace, network policies | replicas, disruption budget, zone spread |
 * | --- | --- | --- |
 * | Deployment, Rollout (Argo Rollouts) | yes | yes (`platform/replicas` is an error) |
 * | StatefulSet | yes | yes (`platform/stateful-replicas` is a warning: see {@link WorkloadRule.STATEFUL_REPLICAS}) |
 * | DaemonSet | yes | no: one pod per node, drained with the node |
 * | Job, CronJob, Pod, ReplicaSet, ReplicationController | yes | no: run to completion, or owned by a controller above |
 * | any other kind with `spec.template.spec.containers` | yes | no |
 */
import { DEFAULT_MIN_REPLICAS, MIN_REPLICAS_ANNOTATION } from '../model/rules';
import type { KubernetesObject } from './pod-security';

/** The rules of this module. */
export enum WorkloadRule {
  /** The pod mounts a service account token although its ServiceAccount is bound to no Role or ClusterRole in scope. */
  SERVICE_ACCOUNT_TOKEN = 'platform/service-account-token',
  /** A workload without a namespace, or in `default`, `kube-system`, `kube-public` or `kube-node-lease`. */
  SYSTEM_NAMESPACE = 'platform/system-namespace',
  /** A Deployment's replicas (or its autoscaler's minimum) below its namespace's demand. */
  REPLICAS = 'platform/replicas',
  /**
   * A StatefulSet's replicas below its namespace's demand: a warning, not an error. Whether a second replica of a
   * store is a replica or a second, diverging store depends on the image's configuration, which the rules cannot
   * read; adding replicas is no fix the gate can demand. A highly available store (an operator, a managed service)
   * is the fix.
   */
  STATEFUL_REPLICAS = 'platform/stateful-replicas',
  /** No PodDisruptionBudget where the namespace demands 2 or more, more than one, or one that blocks every eviction. */
  DISRUPTION_BUDGET = 'platform/disruption-budget',
  /** A workload that may run 2 or more pods without a topology spread constraint over zones that selects its pods. */
  ZONE_SPREAD = 'platform/zone-spread',
  /** A pod no NetworkPolicy of its namespace selects for Ingress. */
  NETWORK_POLICY_INGRESS = 'platform/network-policy-ingress',
  /** A pod no NetworkPolicy of its namespace selects for Egress. */
  NETWORK_POLICY_EGRESS = 'platform/network-policy-egress',
  /**
   * A pod a NetworkPolicy selects with a rule that allows all traffic of its type (no peers and no ports:
   * `ingress: [{}]`, `egress: [{}]`): a warning, not an error. The pod is covered, but the policy isolates nothing;
   * allowing all egress is a deliberate choice for some components.
   */
  NETWORK_POLICY_OPEN = 'platform/network-policy-open',
  /** A PeerAuthentication that disables mTLS, or a DestinationRule that sends plain text to a host of the mesh. */
  MTLS_DISABLED = 'mesh/mtls-disabled',
}


/** Namespaces no workload of the platform runs in. */
export const SYSTEM_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** The node label of the availability zone. */
export const ZONE_TOPOLOGY_KEY = 'topology.kubernetes.io/zone';

/** One broken rule. */
export interface WorkloadFinding {
  readonly rule: WorkloadRule;
  /** `error` refuses the synth and fails the check; `warning` is reported only. */
  readonly severity: 'error' | 'warning';
  /** The object that breaks the rule. */
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** The field, from the object's root, when the rule names one. */
  readonly field?: string;
  readonly expected: string;
  readonly found: string;
  readonly message: string;
}

/** One line for a finding: `Deployment shop/cart-v1: spec.replicas: message [platform/replicas]`. */
export function formatWorkloadFinding(f: WorkloadFinding): string {
  return `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name}${f.field ? `: ${f.field}` : ''}: ${f.message} [${f.rule}]`;
}

type Labels = Readonly<Record<string, string>>;

/** A label selector (`matchLabels` AND `matchExpressions`). */
export interface LabelSelectorLike {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: ReadonlyArray<{ readonly key?: string; readonly operator?: string; readonly values?: readonly string[] }>;
}

/**
 * Whether a selector selects `labels`: every `matchLabels` pair and every expression (In, NotIn, Exists,
 * DoesNotExist) holds; an empty selector selects everything. An unknown operator selects nothing.
 */
export function selectorMatches(selector: LabelSelectorLike, labels: Labels): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const key = e.key ?? '';
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function recordOf(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {};
}

function labelsOf(v: unknown): Labels {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(recordOf(v))) {
    if (typeof x === 'string') out[k] = x;
  }
  return out;
}

function describeLabels(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.length === 0 ? '{}' : `{${keys.map((k) => `${k}=${labels[k]}`).join(', ')}}`;
}

/** A pod template of a workload, with where it sits in the object. */
interface PodTemplateAt {
  readonly object: KubernetesObject;
  readonly kind: string;
  readonly name: string;
  /** The object's namespace as written (undefined when it has none). */
  readonly namespace?: string;
  readonly labels: Labels;
  readonly spec: Record<string, unknown>;
  /** Field of the pod spec, e.g. `spec.template.spec`. */
  readonly specAt: string;
  /** Field of the pod's labels, e.g. `spec.template.metadata.labels`. */
  readonly labelsAt: string;
}

const TEMPLATE_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job']);
/** Kinds whose replicas, disruption budget and zone spread the rules judge (Rollout: Argo Rollouts, a Deployment's replacement). */
const REPLICATED_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'Rollout']);

function podTemplateOf(obj: KubernetesObject): PodTemplateAt | undefined {
  const spec = recordOf(obj.spec);
  const base = { object: obj, kind: obj.kind ?? '?', name: obj.metadata?.name ?? '?', namespace: obj.metadata?.namespace };
  if (obj.kind === 'Pod' && isObject(obj.spec)) {
    return { ...base, labels: labelsOf(recordOf(obj.metadata).labels), spec, specAt: 'spec', labelsAt: 'metadata.labels' };
  }
  if (obj.kind === 'CronJob') {
    const template = recordOf(recordOf(recordOf(spec.jobTemplate).spec).template);
    return isObject(template.spec)
      ? { ...base, labels: labelsOf(recordOf(template.metadata).labels), spec: template.spec, specAt: 'spec.jobTemplate.spec.template.spec', labelsAt: 'spec.jobTemplate.spec.template.metadata.labels' }
      : undefined;
  }
  const template = recordOf(spec.template);
  // the built-in kinds, and any other kind that carries a pod template (Argo Rollouts' Rollout, a custom resource)
  const known = obj.kind !== undefined && TEMPLATE_KINDS.has(obj.kind);
  if (isObject(template.spec) && (known || (obj.kind !== 'PodTemplate' && Array.isArray(template.spec.containers)))) {
    return { ...base, labels: labelsOf(recordOf(template.metadata).labels), spec: template.spec, specAt: 'spec.template.spec', labelsAt: 'spec.template.metadata.labels' };
  }
  return undefined;
}

/**
 * Objects found by the labels their selector selects: each object is filed under one `key=value` of its
 * `matchLabels` (a pod must have that label to be selected), or among those to test always when it has none. A pod
 * then tests only the objects filed under its own labels: linear in the objects of a namespace, not quadratic.
 */
class SelectorIndex {
  private readonly byLabel = new Map<string, Array<{ readonly object: KubernetesObject; readonly selector: LabelSelectorLike }>>();
  private readonly always: Array<{ readonly object: KubernetesObject; readonly selector: LabelSelectorLike }> = [];

  /** `selectorOf` returns undefined for an object that selects no pod. */
  constructor(objects: readonly KubernetesObject[], selectorOf: (o: KubernetesObject) => LabelSelectorLike | undefined) {
    for (const object of objects) {
      const selector = selectorOf(object);
      if (selector === undefined) continue;
      const first = Object.entries(selector.matchLabels ?? {})[0];
      if (first === undefined) {
        this.always.push({ object, selector });
      } else {
        const key = `${first[0]}=${first[1]}`;
        const list = this.byLabel.get(key);
        if (list) list.push({ object, selector });
        else this.byLabel.set(key, [{ object, selector }]);
      }
    }
  }

  /** The objects that select `labels`, in their order in the scope. */
  public selecting(labels: Labels, order: ReadonlyMap<KubernetesObject, number>): KubernetesObject[] {
    const candidates = [...this.always, ...Object.entries(labels).flatMap(([k, v]) => this.byLabel.get(`${k}=${v}`) ?? [])];
    return candidates.filter((c) => selectorMatches(c.selector, labels)).map((c) => c.object)
      .sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  }
}

/** The objects of one kind, by namespace (`''` for none). */
function byNamespace(objects: readonly KubernetesObject[], kind: string): Map<string, KubernetesObject[]> {
  const out = new Map<string, KubernetesObject[]>();
  for (const o of objects.filter((x) => x.kind === kind)) {
    const ns = o.metadata?.namespace ?? '';
    const list = out.get(ns);
    if (list) list.push(o);
    else out.set(ns, [o]);
  }
  return out;
}

/** Everything the rules look up across the scope. */
class Scope {
  public readonly namespaces = new Map<string, KubernetesObject>();
  public readonly serviceAccounts: Map<string, KubernetesObject[]>;
  public readonly networkPolicies: Map<string, KubernetesObject[]>;
  public readonly disruptionBudgets: Map<string, KubernetesObject[]>;
  /** Position of each object in the scope, to report in a stable order. */
  public readonly order: ReadonlyMap<KubernetesObject, number>;
  private readonly policyIndex = new Map<string, SelectorIndex>();
  private readonly budgetIndex = new Map<string, SelectorIndex>();
  /**
   * Autoscalers by `namespace/kind/name` of their target (the first one, when several name it):
   * HorizontalPodAutoscalers, and KEDA ScaledObjects (`keda.sh`; target kind Deployment when unset).
   */
  public readonly autoscalers = new Map<string, KubernetesObject>();
  /** Every namespace known in scope: a Namespace object's name, or the namespace of any object. */
  public readonly knownNamespaces = new Set<string>();
  /** Every host a ServiceEntry (`networking.istio.io`) in scope declares: a service outside the mesh. */
  public readonly serviceEntryHosts = new Set<string>();
  /** `namespace/name` of every ServiceAccount a RoleBinding or ClusterRoleBinding names, and `namespace/*` for groups. */
  public readonly boundServiceAccounts = new Set<string>();

  constructor(objects: readonly KubernetesObject[]) {
    for (const o of objects.filter((x) => x.kind === 'Namespace' && x.metadata?.name !== undefined)) {
      this.namespaces.set(o.metadata!.name!, o);
    }
    this.serviceAccounts = byNamespace(objects, 'ServiceAccount');
    this.networkPolicies = byNamespace(objects, 'NetworkPolicy');
    this.disruptionBudgets = byNamespace(objects, 'PodDisruptionBudget');
    this.order = new Map(objects.map((o, i) => [o, i]));
    for (const [ns, list] of this.networkPolicies) {
      // podSelector is required; `{}` (or a missing one, which the API server reads as `{}`) selects every pod
      this.policyIndex.set(ns, new SelectorIndex(list, (p) => recordOf(recordOf(p.spec).podSelector) as LabelSelectorLike));
    }
    for (const [ns, list] of this.disruptionBudgets) {
      // policy/v1: an empty selector selects every pod of the namespace, an unset one none
      this.budgetIndex.set(ns, new SelectorIndex(list, (b) => {
        const selector = recordOf(b.spec).selector;
        return isObject(selector) ? selector as LabelSelectorLike : undefined;
      }));
    }
    for (const h of objects.filter((x) => x.kind === 'HorizontalPodAutoscaler' || isScaledObject(x))) {
      const ref = recordOf(recordOf(h.spec).scaleTargetRef);
      const kind = ref.kind === undefined && isScaledObject(h) ? 'Deployment' : String(ref.kind);
      const key = `${h.metadata?.namespace ?? ''}/${kind}/${String(ref.name)}`;
      if (!this.autoscalers.has(key)) this.autoscalers.set(key, h);
    }
    for (const o of objects) {
      if (typeof o.metadata?.namespace === 'string' && o.metadata.namespace !== '') this.knownNamespaces.add(o.metadata.namespace);
    }
    for (const name of this.namespaces.keys()) this.knownNamespaces.add(name);
    for (const e of objects.filter((x) => x.kind === 'ServiceEntry' && (x.apiVersion ?? '').split('/')[0] === 'networking.istio.io')) {
      const hosts = recordOf(e.spec).hosts;
      for (const h of Array.isArray(hosts) ? hosts : []) {
        if (typeof h === 'string') this.serviceEntryHosts.add(h);
      }
    }
    for (const binding of objects.filter((x) => x.kind === 'RoleBinding' || x.kind === 'ClusterRoleBinding')) {
      const subjects = (binding as unknown as { subjects?: unknown }).subjects;
      for (const s of Array.isArray(subjects) ? subjects.map(recordOf) : []) {
        if (s.kind === 'ServiceAccount' && typeof s.name === 'string') {
          const ns = typeof s.namespace === 'string' ? s.namespace : binding.kind === 'RoleBinding' ? binding.metadata?.namespace ?? '' : '';
          this.boundServiceAccounts.add(`${ns}/${s.name}`);
        } else if (s.kind === 'Group' && s.name === 'system:serviceaccounts') {
          this.boundServiceAccounts.add('*');
        } else if (s.kind === 'Group' && typeof s.name === 'string' && s.name.startsWith('system:serviceaccounts:')) {
          this.boundServiceAccounts.add(`${s.name.slice('system:serviceaccounts:'.length)}/*`);
        }
      }
    }
  }

  /** The replica demand of a namespace, and where it comes from. */
  public demandOf(namespace: string | undefined): { readonly count: number; readonly source: string } {
    const ns = namespace === undefined ? undefined : this.namespaces.get(namespace);
    const raw = ns?.metadata?.annotations?.[MIN_REPLICAS_ANNOTATION];
    if (raw !== undefined && /^[1-9]\d{0,3}$/.test(raw)) {
      return { count: Number(raw), source: `annotation ${MIN_REPLICAS_ANNOTATION} of Namespace ${namespace}` };
    }
    return { count: DEFAULT_MIN_REPLICAS, source: ns ? `the default: Namespace ${namespace} has no valid annotation ${MIN_REPLICAS_ANNOTATION}` : 'the default: no Namespace object in scope' };
  }

  /** The NetworkPolicies of `namespace` whose podSelector selects `labels`. */
  public policiesSelecting(namespace: string, labels: Labels): KubernetesObject[] {
    return this.policyIndex.get(namespace)?.selecting(labels, this.order) ?? [];
  }

  /** The PodDisruptionBudgets of `namespace` whose selector selects `labels`. */
  public budgetsSelecting(namespace: string, labels: Labels): KubernetesObject[] {
    return this.budgetIndex.get(namespace)?.selecting(labels, this.order) ?? [];
  }

  public isBound(namespace: string, serviceAccount: string): boolean {
    return this.boundServiceAccounts.has(`${namespace}/${serviceAccount}`) || this.boundServiceAccounts.has(`${namespace}/*`) || this.boundServiceAccounts.has('*');
  }
}

/** Whether an object is a KEDA ScaledObject (`keda.sh`), which scales its target as an autoscaler does. */
function isScaledObject(o: KubernetesObject): boolean {
  return o.kind === 'ScaledObject' && (o.apiVersion ?? '').split('/')[0] === 'keda.sh';
}

/** The fewest and most pods a Deployment, Rollout or StatefulSet runs: its autoscaler's bounds, else its replicas. */
function replicaBounds(t: PodTemplateAt, scope: Scope): { readonly min: number; readonly max: number; readonly field: string; readonly source: string } {
  const hpa = scope.autoscalers.get(`${t.namespace ?? ''}/${t.kind}/${t.name}`);
  if (hpa && isScaledObject(hpa)) {
    // KEDA: minReplicaCount 0 and maxReplicaCount 100 when unset
    const spec = recordOf(hpa.spec);
    const min = typeof spec.minReplicaCount === 'number' ? spec.minReplicaCount : 0;
    const max = typeof spec.maxReplicaCount === 'number' ? spec.maxReplicaCount : 100;
    return { min, max, field: 'spec.replicas', source: `ScaledObject ${hpa.metadata?.name} minReplicaCount ${min}${typeof spec.minReplicaCount === 'number' ? '' : ' (unset)'}` };
  }
  if (hpa) {
    const spec = recordOf(hpa.spec);
    const min = typeof spec.minReplicas === 'number' ? spec.minReplicas : 1;
    const max = typeof spec.maxReplicas === 'number' ? spec.maxReplicas : min;
    return { min, max, field: 'spec.replicas', source: `HorizontalPodAutoscaler ${hpa.metadata?.name} minReplicas ${min}` };
  }
  const replicas = recordOf(t.object.spec).replicas;
  const n = typeof replicas === 'number' ? replicas : 1;
  return { min: n, max: n, field: 'spec.replicas', source: typeof replicas === 'number' ? `replicas ${n}` : 'replicas unset (1)' };
}

/** Pods a budget allows to be evicted when `pods` run, or undefined when it states no limit. */
function allowedDisruptions(spec: Record<string, unknown>, pods: number): number | undefined {
  const scaled = (v: unknown): number | undefined => {
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && /^\d+%$/.test(v)) return Math.ceil((Number(v.slice(0, -1)) * pods) / 100);
    if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
    return undefined;
  };
  if (spec.maxUnavailable !== undefined) {
    const max = scaled(spec.maxUnavailable);
    return max === undefined ? undefined : Math.min(max, pods);
  }
  if (spec.minAvailable !== undefined) {
    const min = scaled(spec.minAvailable);
    return min === undefined ? undefined : Math.max(0, pods - min);
  }
  return undefined;
}

/** What the scope tells about hosts: the namespaces it knows, the hosts its ServiceEntries declare. */
export interface MeshHostScope {
  readonly namespaces?: ReadonlySet<string>;
  readonly serviceEntryHosts?: ReadonlySet<string>;
}

/**
 * Whether a DestinationRule host names a service of the mesh: `*`, a short name, a name ending in `.svc`,
 * `.svc.cluster.local` or `.cluster.local`, or Istio's namespace-qualified short form `<name>.<namespace>` where the
 * namespace is known in scope; never a host a ServiceEntry in scope declares (a service outside the mesh).
 */
export function isMeshHost(host: string, scope: MeshHostScope = {}): boolean {
  if (scope.serviceEntryHosts?.has(host)) return false;
  if (host === '*' || !host.includes('.') || host.endsWith('.svc') || host.endsWith('.cluster.local')) return true;
  const parts = host.split('.');
  return parts.length === 2 && (scope.namespaces?.has(parts[1]) ?? false);
}

/** Checks every workload and mesh object of one scope; returns every finding (empty when all pass). */
export function checkWorkloads(objects: readonly KubernetesObject[]): WorkloadFinding[] {
  const scope = new Scope(objects);
  const out: WorkloadFinding[] = [];
  const templates = objects.map(podTemplateOf).filter((t): t is PodTemplateAt => t !== undefined);
  for (const t of templates) {
    const add = (rule: WorkloadRule, field: string | undefined, expected: string, found: string, message: string, severity: 'error' | 'warning' = 'error') =>
      out.push({ rule, severity, kind: t.kind, name: t.name, namespace: t.namespace, field, expected, found, message });
    checkNamespace(t, add);
    checkServiceAccountToken(t, scope, add);
    checkNetworkPolicies(t, scope, add);
    if (REPLICATED_KINDS.has(t.kind)) {
      checkReplicas(t, scope, add);
    }
  }
  out.push(...checkBudgets(templates.filter((t) => REPLICATED_KINDS.has(t.kind)), scope));
  out.push(...checkMesh(objects, scope));
  return out;
}

type Add = (rule: WorkloadRule, field: string | undefined, expected: string, found: string, message: string, severity?: 'error' | 'warning') => void;

function checkNamespace(t: PodTemplateAt, add: Add): void {
  if (t.namespace === undefined || t.namespace === '') {
    add(WorkloadRule.SYSTEM_NAMESPACE, 'metadata.namespace', 'a namespace of the platform', 'unset',
      'has no namespace: it lands in whatever namespace it is applied to (default, usually); name one of the platform\'s namespaces');
  } else if (SYSTEM_NAMESPACES.includes(t.namespace)) {
    add(WorkloadRule.SYSTEM_NAMESPACE, 'metadata.namespace', `a namespace of the platform, not ${SYSTEM_NAMESPACES.join(', ')}`, t.namespace,
      `runs in ${t.namespace}, which has none of the platform's guardrails (quota, default-deny, Pod Security labels)`);
  }
}

/**
 * Whether a projected token's audience is the API server's: unset or empty (the API server's own audience), the
 * in-cluster API names (`kubernetes.default.svc[.cluster.local]`, with or without `https://`), or an EKS cluster's
 * OIDC issuer. Other audiences (`sts.amazonaws.com` for IRSA, `istio-ca`, `vault`) are tokens for other parties.
 */
export function isApiAudience(audience: unknown): boolean {
  if (audience === undefined || audience === null || audience === '') return true;
  if (typeof audience !== 'string') return false;
  const host = audience.replace(/^https:\/\//, '').replace(/\/$/, '');
  return host === 'kubernetes.default.svc' || host === 'kubernetes.default.svc.cluster.local' || /^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/id\/[A-Za-z0-9]+$/.test(host);
}

/** The fields and audiences of a pod's projected service account tokens for the API server (see {@link isApiAudience}). */
function projectedApiTokens(t: PodTemplateAt): Array<{ readonly field: string; readonly audience: unknown }> {
  const out: Array<{ field: string; audience: unknown }> = [];
  (Array.isArray(t.spec.volumes) ? t.spec.volumes.map(recordOf) : []).forEach((v, i) => {
    const sources = recordOf(v.projected).sources;
    (Array.isArray(sources) ? sources.map(recordOf) : []).forEach((src, j) => {
      if (isObject(src.serviceAccountToken) && isApiAudience(src.serviceAccountToken.audience)) {
        out.push({ field: `${t.specAt}.volumes[${i}].projected.sources[${j}].serviceAccountToken`, audience: src.serviceAccountToken.audience });
      }
    });
  });
  return out;
}

function checkServiceAccountToken(t: PodTemplateAt, scope: Scope, add: Add): void {
  const onPod = t.spec.automountServiceAccountToken;
  const ns = t.namespace ?? '';
  const saName = typeof t.spec.serviceAccountName === 'string' && t.spec.serviceAccountName !== ''
    ? t.spec.serviceAccountName
    : typeof t.spec.serviceAccount === 'string' && t.spec.serviceAccount !== '' ? t.spec.serviceAccount : 'default';
  if (scope.isBound(ns, saName)) return;
  // a projected token for the API server is a mounted token, whatever automount says
  for (const { field, audience } of projectedApiTokens(t)) {
    add(WorkloadRule.SERVICE_ACCOUNT_TOKEN, field,
      `no projected serviceAccountToken for the API server (audience unset or the API server's); another audience (sts.amazonaws.com, istio-ca) is not an API token; or a RoleBinding/ClusterRoleBinding of ServiceAccount ${saName} in scope (the pod uses the API)`,
      typeof audience === 'string' && audience !== '' ? `a projected serviceAccountToken of audience ${audience} (the API server's)` : 'a projected serviceAccountToken without audience (the API server\'s)',
      `mounts a token of ServiceAccount ${saName} for the API server in a projected volume, and no RoleBinding or ClusterRoleBinding in scope binds it: a credential for the API server in a pod that does not use it`);
  }
  if (onPod === false) return;
  const sa = (scope.serviceAccounts.get(ns) ?? []).find((s) => s.metadata?.name === saName);
  const onAccount = sa === undefined ? undefined : (sa as unknown as { automountServiceAccountToken?: unknown }).automountServiceAccountToken;
  if (onPod === undefined && onAccount === false) return;
  const found = onPod === true
    ? 'true'
    : sa === undefined
      ? `unset (ServiceAccount ${saName} not in scope: the token is mounted)`
      : `unset (ServiceAccount ${saName}: automountServiceAccountToken ${onAccount === undefined ? 'unset' : String(onAccount)})`;
  add(WorkloadRule.SERVICE_ACCOUNT_TOKEN, `${t.specAt}.automountServiceAccountToken`,
    `false, on the pod or on ServiceAccount ${saName}; or a RoleBinding/ClusterRoleBinding of ServiceAccount ${saName} in scope (the pod uses the API)`,
    found,
    `mounts the token of ServiceAccount ${saName}, which no RoleBinding or ClusterRoleBinding in scope binds: a credential for the API server in a pod that does not use it`);
}

function policyTypesOf(policy: KubernetesObject): readonly string[] {
  const spec = recordOf(policy.spec);
  if (Array.isArray(spec.policyTypes)) return spec.policyTypes.filter((x): x is string => typeof x === 'string');
  // unset: Ingress always, Egress when the policy has egress rules
  return Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** The indexes of a policy's rules of `type` that allow all traffic: no peers (`from`/`to` unset or empty) and no ports. */
function openRules(policy: KubernetesObject, type: 'Ingress' | 'Egress'): number[] {
  const spec = recordOf(policy.spec);
  const rules = type === 'Ingress' ? spec.ingress : spec.egress;
  const peers = type === 'Ingress' ? 'from' : 'to';
  const empty = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);
  return (Array.isArray(rules) ? rules.map(recordOf) : []).flatMap((r, i) => (empty(r[peers]) && empty(r.ports) ? [i] : []));
}

function checkNetworkPolicies(t: PodTemplateAt, scope: Scope, add: Add): void {
  const ns = t.namespace ?? '';
  const policies = scope.networkPolicies.get(ns) ?? [];
  const selecting = scope.policiesSelecting(ns, t.labels);
  for (const [type, rule] of [['Ingress', WorkloadRule.NETWORK_POLICY_INGRESS], ['Egress', WorkloadRule.NETWORK_POLICY_EGRESS]] as const) {
    const ofType = selecting.filter((p) => policyTypesOf(p).includes(type));
    if (ofType.length > 0) {
      // covered; but a rule without peers and ports allows all traffic of the type (policies add up: one is enough)
      const open = ofType.flatMap((p) => openRules(p, type).map((i) => `NetworkPolicy ${p.metadata?.name}: spec.${type.toLowerCase()}[${i}]`));
      if (open.length > 0) {
        add(WorkloadRule.NETWORK_POLICY_OPEN, t.labelsAt, `NetworkPolicies whose ${type.toLowerCase()} rules name peers (${type === 'Ingress' ? 'from' : 'to'}) or ports`,
          `${open.join(', ')} allows all ${type === 'Ingress' ? 'incoming' : 'outgoing'} traffic`,
          `its pods are open to all ${type === 'Ingress' ? 'incoming' : 'outgoing'} traffic: ${open.join(', ')} has no peers and no ports`, 'warning');
      }
      continue;
    }
    const where = ns === '' ? 'without a namespace' : `in namespace ${ns}`;
    const found = policies.length === 0
      ? `no NetworkPolicy ${where}`
      : selecting.length === 0
        ? `none of the NetworkPolicies ${where} (${policies.map((p) => p.metadata?.name).join(', ')}) selects the pod`
        : `the NetworkPolicies that select the pod (${selecting.map((p) => p.metadata?.name).join(', ')}) are not of type ${type}`;
    add(rule, t.labelsAt, `a NetworkPolicy ${where} whose podSelector selects the pod labels ${describeLabels(t.labels)}, with policyTypes ${type}`, found,
      `its pods are open to all ${type === 'Ingress' ? 'incoming' : 'outgoing'} traffic: ${found}`);
  }
}

function checkReplicas(t: PodTemplateAt, scope: Scope, add: Add): void {
  const demand = scope.demandOf(t.namespace);
  const bounds = replicaBounds(t, scope);
  if (bounds.min < demand.count) {
    const stateful = t.kind === 'StatefulSet';
    add(stateful ? WorkloadRule.STATEFUL_REPLICAS : WorkloadRule.REPLICAS, bounds.field, `at least ${demand.count} (${demand.source})`, bounds.source,
      `runs as few as ${bounds.min} pod(s), below the namespace's demand of ${demand.count}: a node drain or the loss of a zone takes it down${stateful ? '; make the store highly available (replication it is configured for, an operator, or a managed store)' : ''}`,
      stateful ? 'warning' : 'error');
  }
  if (bounds.max >= 2) {
    const spread = Array.isArray(t.spec.topologySpreadConstraints) ? t.spec.topologySpreadConstraints.map(recordOf) : [];
    // a zone anti-affinity term (required, or preferred) that selects the pods keeps them apart as well
    const antiAffinity = recordOf(recordOf(t.spec.affinity).podAntiAffinity);
    const terms = [
      ...(Array.isArray(antiAffinity.requiredDuringSchedulingIgnoredDuringExecution) ? antiAffinity.requiredDuringSchedulingIgnoredDuringExecution.map(recordOf) : []),
      ...(Array.isArray(antiAffinity.preferredDuringSchedulingIgnoredDuringExecution) ? antiAffinity.preferredDuringSchedulingIgnoredDuringExecution.map((p) => recordOf(recordOf(p).podAffinityTerm)) : []),
    ];
    const zone = [...spread, ...terms].filter((c) => c.topologyKey === ZONE_TOPOLOGY_KEY);
    if (!zone.some((c) => isObject(c.labelSelector) && selectorMatches(c.labelSelector as LabelSelectorLike, t.labels))) {
      add(WorkloadRule.ZONE_SPREAD, `${t.specAt}.topologySpreadConstraints`,
        `a constraint with topologyKey ${ZONE_TOPOLOGY_KEY} (or a podAntiAffinity term on that key) whose labelSelector selects the pod labels ${describeLabels(t.labels)}`,
        zone.length === 0 ? `no constraint on ${ZONE_TOPOLOGY_KEY}` : `the constraints on ${ZONE_TOPOLOGY_KEY} select other pods (or none)`,
        `may run ${bounds.max} pods with nothing keeping them in different zones: the loss of one zone can take every pod`);
    }
  }
}

/** The disruption-budget rule: per workload (none where demanded, more than one), per budget (blocks every eviction). */
function checkBudgets(workloads: readonly PodTemplateAt[], scope: Scope): WorkloadFinding[] {
  const out: WorkloadFinding[] = [];
  const podsPerBudget = new Map<KubernetesObject, number>();
  const coveredBy = new Map<KubernetesObject, PodTemplateAt[]>();
  for (const t of workloads) {
    const budgets = scope.budgetsSelecting(t.namespace ?? '', t.labels);
    const bounds = replicaBounds(t, scope);
    const base = { severity: 'error' as const, kind: t.kind, name: t.name, namespace: t.namespace };
    const demand = scope.demandOf(t.namespace);
    // a StatefulSet below 2 pods (the warning platform/stateful-replicas) needs no budget: one that allowed no
    // eviction would block every drain, one that allowed one would protect nothing
    const demanded = bounds.min >= 2 || (demand.count >= 2 && t.kind !== 'StatefulSet');
    if (budgets.length === 0 && demanded) {
      out.push({
        ...base, rule: WorkloadRule.DISRUPTION_BUDGET, field: t.labelsAt,
        expected: `a PodDisruptionBudget in namespace ${t.namespace ?? '(none)'} whose selector selects the pod labels ${describeLabels(t.labels)}`,
        found: 'none',
        message: 'no PodDisruptionBudget covers its pods: a node drain may evict all of them at once',
      });
    }
    if (budgets.length > 1) {
      const names = budgets.map((b) => b.metadata?.name).join(', ');
      out.push({
        ...base, rule: WorkloadRule.DISRUPTION_BUDGET, field: t.labelsAt, expected: 'exactly one PodDisruptionBudget selecting its pods', found: `${budgets.length}: ${names}`,
        message: `${budgets.length} PodDisruptionBudgets select its pods (${names}): the eviction API refuses to evict a pod that more than one budget selects, so drains stall`,
      });
    }
    for (const b of budgets) {
      podsPerBudget.set(b, (podsPerBudget.get(b) ?? 0) + bounds.min);
      coveredBy.set(b, [...(coveredBy.get(b) ?? []), t]); // a budget covers a few workloads: copying is cheap
    }
  }
  for (const [b, pods] of podsPerBudget) {
    if (pods === 0) continue; // workloads scaled to zero: nothing to evict
    const spec = recordOf(b.spec);
    const field = spec.maxUnavailable !== undefined ? 'spec.maxUnavailable' : spec.minAvailable !== undefined ? 'spec.minAvailable' : 'spec';
    const base = { rule: WorkloadRule.DISRUPTION_BUDGET, severity: 'error' as const, kind: 'PodDisruptionBudget', name: b.metadata?.name ?? '?', namespace: b.metadata?.namespace, field };
    const allowed = allowedDisruptions(spec, pods);
    const workloadNames = (coveredBy.get(b) ?? []).map((t) => `${t.kind} ${t.name}`).join(', ');
    if (allowed === undefined) {
      out.push({ ...base, expected: 'minAvailable or maxUnavailable, a whole number or a percentage', found: spec.maxUnavailable !== undefined || spec.minAvailable !== undefined ? JSON.stringify(spec.maxUnavailable ?? spec.minAvailable) : 'neither set',
        message: 'states no limit the rules can read' });
    } else if (allowed < 1) {
      const found = field === 'spec.maxUnavailable' ? `maxUnavailable ${JSON.stringify(spec.maxUnavailable)}` : `minAvailable ${JSON.stringify(spec.minAvailable)} of ${pods} pod(s)`;
      out.push({ ...base, expected: `a budget that allows at least 1 eviction at the workloads' minimum of ${pods} pod(s) (${workloadNames})`, found,
        message: `allows no eviction at the minimum of ${pods} pod(s) (${workloadNames}): every node drain and cluster upgrade stalls on it` });
    }
  }
  return out;
}

function checkMesh(objects: readonly KubernetesObject[], scope: Scope): WorkloadFinding[] {
  const hostScope: MeshHostScope = { namespaces: scope.knownNamespaces, serviceEntryHosts: scope.serviceEntryHosts };
  const out: WorkloadFinding[] = [];
  for (const o of objects) {
    const group = (o.apiVersion ?? '').split('/')[0];
    const base = { rule: WorkloadRule.MTLS_DISABLED, severity: 'error' as const, kind: o.kind ?? '?', name: o.metadata?.name ?? '?', namespace: o.metadata?.namespace };
    const spec = recordOf(o.spec);
    if (o.kind === 'PeerAuthentication' && group === 'security.istio.io') {
      if (recordOf(spec.mtls).mode === 'DISABLE') {
        out.push({ ...base, field: 'spec.mtls.mode', expected: 'STRICT, PERMISSIVE or UNSET (inherited)', found: 'DISABLE',
          message: 'disables mTLS: the workloads it selects accept only plain text, unauthenticated and unencrypted' });
      }
      for (const [port, settings] of Object.entries(recordOf(spec.portLevelMtls))) {
        if (recordOf(settings).mode === 'DISABLE') {
          out.push({ ...base, field: `spec.portLevelMtls.${port}.mode`, expected: 'STRICT, PERMISSIVE or UNSET (inherited)', found: 'DISABLE',
            message: `disables mTLS on port ${port}: plain text, unauthenticated and unencrypted` });
        }
      }
    }
    if (o.kind === 'DestinationRule' && group === 'networking.istio.io' && typeof spec.host === 'string' && isMeshHost(spec.host, hostScope)) {
      const policies: Array<[string, Record<string, unknown>]> = [['spec.trafficPolicy', recordOf(spec.trafficPolicy)]];
      (Array.isArray(spec.subsets) ? spec.subsets : []).forEach((s, i) => policies.push([`spec.subsets[${i}].trafficPolicy`, recordOf(recordOf(s).trafficPolicy)]));
      for (const [at, policy] of policies) {
        const tls: Array<[string, unknown]> = [[`${at}.tls.mode`, recordOf(policy.tls).mode]];
        (Array.isArray(policy.portLevelSettings) ? policy.portLevelSettings : []).forEach((p, i) => tls.push([`${at}.portLevelSettings[${i}].tls.mode`, recordOf(recordOf(p).tls).mode]));
        for (const [field, mode] of tls) {
          if (mode === 'DISABLE') {
            out.push({ ...base, field, expected: `ISTIO_MUTUAL or unset (auto mTLS) for ${spec.host}, a host of the mesh`, found: 'DISABLE',
              message: `sends plain text to ${spec.host}, a service of the mesh: no mTLS, no peer identity for its AuthorizationPolicies` });
          }
        }
      }
    }
  }
  return out;
}
