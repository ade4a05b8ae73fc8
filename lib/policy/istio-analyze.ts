/**
 * A subset of `istioctl analyze`, run at synth over plain Kubernetes/Istio objects (parsed YAML or
 * `ApiObject.toJson()`): no cluster, no cdk8s. Each finding carries the code and name of the
 * istioctl message it mirrors (https://istio.io/latest/docs/reference/config/analysis/):
 *
 * - IST0101 ReferencedResourceNotFound (Error): a route or mirror names a subset that no
 *   DestinationRule of its host defines, or a VirtualService names a Gateway that does not exist.
 * - IST0118 PortNameIsNotUnderNamingConvention (Info in istioctl): a Service port is neither named
 *   `<protocol>[-<suffix>]` nor has an `appProtocol`, so Istio cannot tell its protocol.
 * - IST0132 VirtualServiceHostNotFoundInGateway (Warning): a VirtualService bound to a Gateway
 *   has a host that no server of that Gateway serves.
 * - IST0144 InvalidApplicationUID (Warning): a workload runs as UID 1337, the sidecar proxy's UID,
 *   which breaks the proxy's iptables redirection.
 * - IST0173 DestinationRuleSubsetNotSelectPods (Error): a subset whose labels (with the Service's
 *   selector) select no pod; requests routed to it fail with 503 UH.
 * - EPC0001 RouteWeightsInvalid: not an istioctl message (Istio normalises weights that do not sum
 *   to 100); this platform requires each weight 0..100 and a sum of 100 so a canary percentage means
 *   what it says.
 *
 * The platform treats every finding as a synth error, whatever istioctl's level.
 * Type-only imports of `@kubernetes-models/istio` describe the specs read; nothing is imported at run time
 * except the model's ValidationError.
 */
import type { IDestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1/DestinationRule' with { 'resolution-mode': 'import' };
import type { IGateway } from '@kubernetes-models/istio/networking.istio.io/v1/Gateway' with { 'resolution-mode': 'import' };
import type { IVirtualService } from '@kubernetes-models/istio/networking.istio.io/v1/VirtualService' with { 'resolution-mode': 'import' };
import { ValidationError } from '../model/validation';

/** A Kubernetes object as parsed from YAML or JSON. */
export interface IstioAnalyzedObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly spec?: unknown;
}

/** The codes this analysis reports. */
export type IstioFindingCode = 'IST0101' | 'IST0118' | 'IST0132' | 'IST0144' | 'IST0173' | 'EPC0001';

/** istioctl's level of a message. */
export type IstioFindingLevel = 'Error' | 'Warning' | 'Info';

/** One problem found, shaped like an istioctl analyze message. */
export interface IstioFinding {
  /** `IST0101`, ... or `EPC0001` (the platform's own weight check). */
  readonly code: IstioFindingCode;
  /** The message name, e.g. `ReferencedResourceNotFound`. */
  readonly name: string;
  /** The level istioctl gives it. */
  readonly level: IstioFindingLevel;
  /** The affected resource, `<Kind> <name>.<namespace>` as istioctl prints it. */
  readonly resource: string;
  /** What is wrong. */
  readonly message: string;
}

const MESSAGES: Readonly<Record<IstioFindingCode, { readonly name: string; readonly level: IstioFindingLevel }>> = {
  IST0101: { name: 'ReferencedResourceNotFound', level: 'Error' },
  IST0118: { name: 'PortNameIsNotUnderNamingConvention', level: 'Info' },
  IST0132: { name: 'VirtualServiceHostNotFoundInGateway', level: 'Warning' },
  IST0144: { name: 'InvalidApplicationUID', level: 'Warning' },
  IST0173: { name: 'DestinationRuleSubsetNotSelectPods', level: 'Error' },
  EPC0001: { name: 'RouteWeightsInvalid', level: 'Error' },
};

/** The sidecar proxy's UID (IST0144). */
export const ISTIO_PROXY_UID = 1337;

/** Port-name prefixes Istio reads the protocol from (`<protocol>[-<suffix>]`). */
const PROTOCOL_PORT_NAME = /^(grpc|grpc-web|http|http2|https|mongo|mysql|redis|tcp|tls|udp)(-.*)?$/;

/** `Error [IST0101] (VirtualService catalog.shop) ...`, as istioctl prints it. */
export function formatFinding(f: IstioFinding): string {
  return `${f.level} [${f.code}] (${f.resource}) ${f.message}`;
}

type VirtualServiceSpec = NonNullable<IVirtualService['spec']>;
type DestinationRuleSpec = NonNullable<IDestinationRule['spec']>;
type GatewaySpec = NonNullable<IGateway['spec']>;

interface ContainerLike {
  readonly name?: string;
  readonly securityContext?: { readonly runAsUser?: number };
}
interface PodSpecLike {
  readonly securityContext?: { readonly runAsUser?: number };
  readonly containers?: readonly ContainerLike[];
  readonly initContainers?: readonly ContainerLike[];
}
interface PodTemplateLike {
  readonly metadata?: { readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: PodSpecLike;
}
interface ServiceSpecLike {
  readonly selector?: Readonly<Record<string, string>>;
  readonly ports?: readonly { readonly name?: string; readonly port?: number; readonly targetPort?: number | string; readonly appProtocol?: string }[];
}

/** A pod (or pod template) found in the objects: where it runs and its labels. */
interface PodInfo {
  readonly owner: IstioAnalyzedObject;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: PodSpecLike;
}

const TEMPLATE_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'];

/** Runs every check over `objects` and returns the findings, sorted by code then resource. */
export function analyzeIstio(objects: readonly IstioAnalyzedObject[]): IstioFinding[] {
  const findings: IstioFinding[] = [];
  const report = (code: IstioFindingCode, obj: IstioAnalyzedObject, message: string) => {
    findings.push({ code, ...MESSAGES[code], resource: resourceName(obj), message });
  };

  const virtualServices = objects.filter((o) => isIstio(o, 'VirtualService'));
  const destinationRules = objects.filter((o) => isIstio(o, 'DestinationRule'));
  const gateways = objects.filter((o) => isIstio(o, 'Gateway'));
  const services = objects.filter((o) => o.apiVersion === 'v1' && o.kind === 'Service');
  const pods = podsOf(objects);

  // subsets defined per FQDN host
  const subsetsByHost = new Map<string, Set<string>>();
  for (const dr of destinationRules) {
    const spec = (dr.spec ?? {}) as DestinationRuleSpec;
    if (!spec.host) {
      continue;
    }
    const host = fqdn(spec.host, namespaceOf(dr));
    const set = subsetsByHost.get(host) ?? new Set<string>();
    for (const s of spec.subsets ?? []) {
      set.add(s.name);
    }
    subsetsByHost.set(host, set);
  }

  for (const vs of virtualServices) {
    const ns = namespaceOf(vs);
    const spec = (vs.spec ?? {}) as VirtualServiceSpec;
    // IST0101: subsets of routes and mirrors
    const destinations = [
      ...(spec.http ?? []).flatMap((r) => [...(r.route ?? []).map((d) => d.destination), ...(r.mirror ? [r.mirror] : []), ...(r.mirrors ?? []).map((m) => m.destination)]),
      ...(spec.tcp ?? []).flatMap((r) => (r.route ?? []).map((d) => d.destination)),
      ...(spec.tls ?? []).flatMap((r) => (r.route ?? []).map((d) => d.destination)),
    ];
    for (const d of destinations) {
      if (d?.subset && !subsetsByHost.get(fqdn(d.host, ns))?.has(d.subset)) {
        report('IST0101', vs, `Referenced host+subset in destinationrule not found: "${fqdn(d.host, ns)}+${d.subset}"`);
      }
    }
    // EPC0001: weights
    const routeLists: { label: string; route: readonly { readonly weight?: number }[] }[] = [
      ...(spec.http ?? []).map((r, i) => ({ label: `http[${r.name ?? i}]`, route: r.route ?? [] })),
      ...(spec.tcp ?? []).map((r, i) => ({ label: `tcp[${i}]`, route: r.route ?? [] })),
      ...(spec.tls ?? []).map((r, i) => ({ label: `tls[${i}]`, route: r.route ?? [] })),
    ];
    for (const { label, route } of routeLists) {
      if (route.length < 2 && route.every((d) => d.weight === undefined)) {
        continue;
      }
      const weights = route.map((d) => d.weight ?? 0);
      const bad = weights.filter((w) => !Number.isInteger(w) || w < 0 || w > 100);
      const total = weights.reduce((a, b) => a + b, 0);
      if (bad.length > 0 || total !== 100) {
        report('EPC0001', vs, `Route ${label} has weights [${weights.join(', ')}] summing to ${total}; each must be an integer 0..100 and they must sum to 100.`);
      }
    }
    // IST0101 (gateways) and IST0132 (hosts a gateway does not serve)
    for (const ref of spec.gateways ?? []) {
      if (ref === 'mesh') {
        continue;
      }
      const [gwNs, gwName] = ref.includes('/') ? ref.split('/', 2) : [ns, ref];
      const gw = gateways.find((g) => namespaceOf(g) === gwNs && g.metadata?.name === gwName);
      if (!gw) {
        report('IST0101', vs, `Referenced gateway not found: "${ref}"`);
        continue;
      }
      const served = ((gw.spec ?? {}) as GatewaySpec).servers?.flatMap((s) => s.hosts ?? []) ?? [];
      const missing = (spec.hosts ?? []).filter((h) => !served.some((pattern) => gatewayServes(pattern, h, ns)));
      if (missing.length > 0) {
        report('IST0132', vs, `one or more host [${missing.join(', ')}] defined in VirtualService ${ns}/${vs.metadata?.name} not found in Gateway ${gwNs}/${gwName}.`);
      }
    }
  }

  // IST0173: subsets that select no pods
  for (const dr of destinationRules) {
    const spec = (dr.spec ?? {}) as DestinationRuleSpec;
    if (!spec.host) {
      continue;
    }
    const host = fqdn(spec.host, namespaceOf(dr));
    const m = /^([^.]+)\.([^.]+)\.svc\.cluster\.local$/.exec(host);
    if (!m) {
      continue; // an external host: no pods to select
    }
    const [, svcName, svcNs] = m;
    const svc = services.find((s) => s.metadata?.name === svcName && namespaceOf(s) === svcNs);
    const selector = ((svc?.spec ?? {}) as ServiceSpecLike).selector ?? {};
    for (const subset of spec.subsets ?? []) {
      const wanted = { ...selector, ...(subset.labels ?? {}) };
      if (!pods.some((p) => p.namespace === svcNs && matches(p.labels, wanted))) {
        report('IST0173', dr, `The Subset ${subset.name} defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).`);
      }
    }
  }

  // IST0118: Service ports not named by protocol
  for (const svc of services) {
    for (const p of ((svc.spec ?? {}) as ServiceSpecLike).ports ?? []) {
      if (!p.appProtocol && !PROTOCOL_PORT_NAME.test(p.name ?? '')) {
        report('IST0118', svc, `Port name ${p.name ?? '(unnamed)'} (port: ${p.port}, targetPort: ${p.targetPort ?? p.port}) doesn't follow the naming convention of Istio port.`);
      }
    }
  }

  // IST0144: UID 1337
  for (const pod of pods) {
    const containers = [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])].filter((c) => c.name !== 'istio-proxy');
    const podUid = pod.spec.securityContext?.runAsUser;
    const offenders = containers.filter((c) => (c.securityContext?.runAsUser ?? podUid) === ISTIO_PROXY_UID).map((c) => c.name ?? '(unnamed)');
    if (offenders.length > 0 || (containers.length === 0 && podUid === ISTIO_PROXY_UID)) {
      report('IST0144', pod.owner, `User ID (UID) ${ISTIO_PROXY_UID} is reserved for the sidecar proxy (containers: ${offenders.join(', ') || 'pod securityContext'}).`);
    }
  }

  return findings.sort((a, b) => a.code.localeCompare(b.code) || a.resource.localeCompare(b.resource) || a.message.localeCompare(b.message));
}

/** The error {@link assertIstioClean} throws: a ValidationError listing every finding. */
export class IstioAnalysisError extends ValidationError {
  constructor(path: string, public readonly findings: readonly IstioFinding[]) {
    super(path, 'istio analysis', findings.map(formatFinding), 'allowed: no findings (see docs/mesh.md, "Checks at synth")');
    this.name = 'IstioAnalysisError';
  }
}

/** Throws an {@link IstioAnalysisError} naming `path` when {@link analyzeIstio} finds anything. */
export function assertIstioClean(path: string, objects: readonly IstioAnalyzedObject[]): void {
  const findings = analyzeIstio(objects);
  if (findings.length > 0) {
    throw new IstioAnalysisError(path, findings);
  }
}

function isIstio(o: IstioAnalyzedObject, kind: string): boolean {
  return o.kind === kind && (o.apiVersion ?? '').startsWith('networking.istio.io/');
}

function namespaceOf(o: IstioAnalyzedObject): string {
  return o.metadata?.namespace ?? 'default';
}

function resourceName(o: IstioAnalyzedObject): string {
  return `${o.kind ?? '(no kind)'} ${o.metadata?.name ?? '(unnamed)'}.${namespaceOf(o)}`;
}

/** A host as Istio resolves it from `namespace`: a short name becomes the in-cluster FQDN; anything with a dot is taken as written. */
function fqdn(host: string, namespace: string): string {
  if (!host.includes('.')) {
    return `${host}.${namespace}.svc.cluster.local`;
  }
  return host;
}

/** Whether a Gateway server host (`host`, `ns/host`, `*`, `*.example.com`) serves `host` for a VirtualService in `vsNamespace`. */
function gatewayServes(pattern: string, host: string, vsNamespace: string): boolean {
  let hostPattern = pattern;
  if (pattern.includes('/')) {
    const [ns, h] = pattern.split('/', 2);
    if (ns !== '*' && ns !== '.' && ns !== vsNamespace) {
      return false;
    }
    hostPattern = h;
  }
  if (hostPattern === '*' || hostPattern === host) {
    return true;
  }
  return hostPattern.startsWith('*.') && host.endsWith(hostPattern.slice(1));
}

function matches(labels: Readonly<Record<string, string>>, wanted: Readonly<Record<string, string>>): boolean {
  return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

function podsOf(objects: readonly IstioAnalyzedObject[]): PodInfo[] {
  const pods: PodInfo[] = [];
  for (const o of objects) {
    let template: PodTemplateLike | undefined;
    if (o.apiVersion === 'v1' && o.kind === 'Pod') {
      template = { metadata: o.metadata, spec: o.spec as PodSpecLike | undefined };
    } else if (TEMPLATE_KINDS.includes(o.kind ?? '')) {
      template = (o.spec as { readonly template?: PodTemplateLike } | undefined)?.template;
    } else if (o.kind === 'CronJob') {
      template = (o.spec as { readonly jobTemplate?: { readonly spec?: { readonly template?: PodTemplateLike } } } | undefined)?.jobTemplate?.spec?.template;
    }
    if (template) {
      pods.push({ owner: o, namespace: namespaceOf(o), labels: template.metadata?.labels ?? {}, spec: template.spec ?? {} });
    }
  }
  return pods;
}
