/**
 * A platform namespace with its guardrails: Pod Security Admission labels, mesh injection, its replica demand (an
 * annotation the gate reads), a ResourceQuota and a LimitRange, a default-deny NetworkPolicy with DNS and mesh
 * control-plane egress allowed, and the synth-time check that its quota holds every workload at its autoscaler maximum.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IntOrString, KubeLimitRange, KubeNamespace, KubeNetworkPolicy, KubeResourceQuota, Quantity } from 'cdk8s-plus-28/lib/imports/k8s';
import type { NamespaceQuotaConfig } from '../model/environment';
import { ValidationError } from '../model/validation';
import { DEFAULT_MIN_REPLICAS, MIN_REPLICAS_ANNOTATION } from '../model/rules';
import { validateName } from './_workload';
import { DEFAULT_RESOURCES, PodSecurityLevel } from './hardening';
import { NAMESPACE_NAME_LABEL } from './network-policies';
import { DEFAULT_PVC_QUOTA, isQuotaConsumer, quotaShortfalls, sumDemands, type IQuotaConsumer, type QuotaDemand } from './quota';

/** Where the mesh control plane runs, for the egress every sidecar needs. */
export interface MeshControlPlaneRef {
  /** @default 'istio-system' */
  readonly namespace?: string;
  /** @default { app: 'istiod' } */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** Ports of istiod the sidecars connect to. @default [15012] (xDS and certificate signing over mTLS) */
  readonly ports?: readonly number[];
}

/** Options for a {@link PlatformNamespace}. */
export interface PlatformNamespaceProps {
  /** The namespace's name, a DNS-1123 label. */
  readonly name: string;
  /** The namespace's quota (from `platform.namespaceQuota(env, namespace)`). */
  readonly quota: NamespaceQuotaConfig;
  /** The Pod Security Standard enforced, audited and warned about. @default PodSecurityLevel.RESTRICTED */
  readonly podSecurity?: PodSecurityLevel;
  /** The version of the Pod Security Standard, e.g. `v1.33` (pin it to the cluster's minor version). @default 'latest' */
  readonly podSecurityVersion?: string;
  /** Labels the namespace for Istio sidecar injection (`istio-injection: enabled`). @default true */
  readonly meshInjection?: boolean;
  /** The mesh control plane the sidecars reach; `false` for none. @default istiod in istio-system on 15012 */
  readonly meshControlPlane?: MeshControlPlaneRef | false;
  /** Where cluster DNS runs. @default kube-system, pods k8s-app=kube-dns */
  readonly dns?: { readonly namespace?: string; readonly podLabels?: Readonly<Record<string, string>> };
  /**
   * The fewest replicas each Deployment and StatefulSet of the namespace must keep (its autoscaler minimum, or its
   * replicas), written as the annotation `eks-platform/min-replicas` ({@link MIN_REPLICAS_ANNOTATION}) that the gate's
   * rules `platform/replicas`, `platform/stateful-replicas` and `platform/disruption-budget` read
   * (lib/policy/workload-rules.ts). A whole number,
   * 1 or more.
   * @default DEFAULT_MIN_REPLICAS (2); `PlatformChart` passes the environment's `replicaFloor` (1 with
   * `kubernetes.allowSingleReplica`)
   */
  readonly minReplicas?: number;
}

/** A namespace with the platform's guardrails. */
export class PlatformNamespace extends Construct {
  public readonly name: string;
  public readonly quota: NamespaceQuotaConfig;
  public readonly podSecurity: PodSecurityLevel;
  public readonly podSecurityVersion: string;
  public readonly meshInjection: boolean;
  public readonly meshControlPlane?: Required<MeshControlPlaneRef>;
  /** The replica demand of the namespace's Deployments and StatefulSets (annotation `eks-platform/min-replicas`). */
  public readonly minReplicas: number;
  /** The Namespace object (id `Resource`). */
  public readonly resource: KubeNamespace;
  public readonly resourceQuota: KubeResourceQuota;
  public readonly limitRange: KubeLimitRange;
  public readonly defaultDeny: KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: PlatformNamespaceProps) {
    super(scope, id);
    const path = this.node.path;
    validateName(path, 'name', props.name);
    this.name = props.name;
    this.quota = props.quota;
    for (const [key, value] of Object.entries(this.quota)) {
      if (value !== undefined && (!Number.isInteger(value) || value <= 0)) {
        throw new ValidationError(path, `quota.${key}`, value, 'allowed: a positive whole number');
      }
    }
    this.podSecurity = props.podSecurity ?? PodSecurityLevel.RESTRICTED;
    this.podSecurityVersion = props.podSecurityVersion ?? 'latest';
    if (!/^(latest|v1\.\d{1,2})$/.test(this.podSecurityVersion)) {
      throw new ValidationError(path, 'podSecurityVersion', this.podSecurityVersion, 'allowed: latest or v1.<minor>, e.g. v1.33');
    }
    this.meshInjection = props.meshInjection ?? true;
    this.minReplicas = props.minReplicas ?? DEFAULT_MIN_REPLICAS;
    if (!Number.isInteger(this.minReplicas) || this.minReplicas < 1) {
      throw new ValidationError(path, 'minReplicas', this.minReplicas, 'allowed: a whole number, 1 or more');
    }
    if (props.meshControlPlane !== false) {
      const m = props.meshControlPlane ?? {};
      this.meshControlPlane = { namespace: m.namespace ?? 'istio-system', podLabels: m.podLabels ?? { app: 'istiod' }, ports: m.ports ?? [15012] };
    }
    const ns = this.name;

    const labels: Record<string, string> = { [NAMESPACE_NAME_LABEL]: ns };
    for (const mode of ['enforce', 'audit', 'warn']) {
      labels[`pod-security.kubernetes.io/${mode}`] = this.podSecurity;
      labels[`pod-security.kubernetes.io/${mode}-version`] = this.podSecurityVersion;
    }
    if (this.meshInjection) {
      labels['istio-injection'] = 'enabled';
    }
    this.resource = new KubeNamespace(this, 'Resource', {
      metadata: { name: ns, labels, annotations: { [MIN_REPLICAS_ANNOTATION]: String(this.minReplicas) } },
    });

    const q = this.quota;
    const hard: Record<string, Quantity> = {
      'requests.cpu': Quantity.fromString(`${q.requestsCpuMillis}m`),
      'requests.memory': Quantity.fromString(`${q.requestsMemoryMiB}Mi`),
      'limits.cpu': Quantity.fromString(`${q.limitsCpuMillis}m`),
      'limits.memory': Quantity.fromString(`${q.limitsMemoryMiB}Mi`),
      pods: Quantity.fromNumber(q.pods),
      persistentvolumeclaims: Quantity.fromNumber(q.persistentVolumeClaims ?? DEFAULT_PVC_QUOTA),
      // no node ports or load balancers: traffic enters through the mesh's ingress gateway
      'services.loadbalancers': Quantity.fromNumber(0),
      'services.nodeports': Quantity.fromNumber(0),
    };
    if (q.requestsEphemeralStorageMiB !== undefined) {
      hard['requests.ephemeral-storage'] = Quantity.fromString(`${q.requestsEphemeralStorageMiB}Mi`);
    }
    this.resourceQuota = new KubeResourceQuota(this, 'Quota', {
      metadata: { name: 'platform-quota', namespace: ns },
      spec: { hard: sortKeys(hard) },
    });

    // Containers that state no resources (e.g. an injected sidecar without settings) get the platform's defaults,
    // so the quota (which requires requests and limits) admits them.
    const d = DEFAULT_RESOURCES;
    this.limitRange = new KubeLimitRange(this, 'Limits', {
      metadata: { name: 'platform-limits', namespace: ns },
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: { cpu: Quantity.fromString(`${d.cpuRequestMillis}m`), memory: Quantity.fromString(`${d.memoryRequestMiB}Mi`), 'ephemeral-storage': Quantity.fromString(`${d.ephemeralStorageRequestMiB}Mi`) },
          default: { cpu: Quantity.fromString(`${d.cpuLimitMillis}m`), memory: Quantity.fromString(`${d.memoryLimitMiB}Mi`), 'ephemeral-storage': Quantity.fromString(`${d.ephemeralStorageLimitMiB}Mi`) },
        }],
      },
    });

    this.defaultDeny = new KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny', namespace: ns },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });

    const dnsNamespace = props.dns?.namespace ?? 'kube-system';
    const dnsLabels = props.dns?.podLabels ?? { 'k8s-app': 'kube-dns' };
    new KubeNetworkPolicy(this, 'AllowDns', {
      metadata: { name: 'allow-dns-egress', namespace: ns },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{
          to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: dnsNamespace } }, podSelector: { matchLabels: { ...dnsLabels } } }],
          ports: [{ protocol: 'UDP', port: IntOrString.fromNumber(53) }, { protocol: 'TCP', port: IntOrString.fromNumber(53) }],
        }],
      },
    });

    if (this.meshControlPlane) {
      const m = this.meshControlPlane;
      new KubeNetworkPolicy(this, 'AllowMeshControlPlane', {
        metadata: { name: 'allow-mesh-control-plane-egress', namespace: ns },
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{
            to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: m.namespace } }, podSelector: { matchLabels: { ...m.podLabels } } }],
            ports: [...m.ports].sort((a, b) => a - b).map((p) => ({ protocol: 'TCP', port: IntOrString.fromNumber(p) })),
          }],
        },
      });
    }

    this.node.addValidation({ validate: () => this.validateQuota() });
  }

  /** The workloads of the chart that run in this namespace. */
  public workloads(): IQuotaConsumer[] {
    return [...(consumersByNamespace(Chart.of(this)).get(this.name) ?? [])];
  }

  /** Messages for every quota dimension the namespace's workloads exceed at their autoscaler maximum. */
  private validateQuota(): string[] {
    const workloads = this.workloads();
    const demand = sumDemands(workloads.map((w) => w.quotaDemand));
    return quotaShortfalls(this.quota, demand).map((s) => new ValidationError(
      this.node.path,
      `quota.${s.field}`,
      s.quota,
      `allowed: at least ${s.needed} to hold every workload at its autoscaler maximum (short by ${s.needed - s.quota}; workloads: ${workloads.map((w) => `${w.service.name} ${w.quotaDemand[s.field as keyof QuotaDemand]}`).join(', ')})`,
    ).message);
  }
}

/**
 * The quota consumers of a chart by namespace, found with one walk of the construct tree however many namespaces ask
 * (each namespace's validation asks: one walk each would make a synth quadratic in the number of services). Kept
 * until the current synchronous pass (a synth's validations) ends, so a later change of the tree is seen.
 */
const consumerIndex = new WeakMap<Chart, Map<string, IQuotaConsumer[]>>();
function consumersByNamespace(chart: Chart): Map<string, IQuotaConsumer[]> {
  let index = consumerIndex.get(chart);
  if (index === undefined) {
    index = new Map();
    for (const c of chart.node.findAll().filter(isQuotaConsumer)) {
      index.set(c.namespace, [...(index.get(c.namespace) ?? []), c]);
    }
    consumerIndex.set(chart, index);
    queueMicrotask(() => consumerIndex.delete(chart));
  }
  return index;
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}
