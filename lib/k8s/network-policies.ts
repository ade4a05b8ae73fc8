/**
 * Micro-segmentation from the call graph: a service admits ingress only from the services that declare they
 * call it (plus the ingress gateway when it is public, and the monitoring namespace on its metrics ports), and
 * egresses only to the services it calls and its declared external endpoints. DNS and the mesh control plane
 * are allowed namespace-wide by {@link PlatformNamespace}; everything else is denied there. Further rules can be
 * added after construction with {@link ServiceNetworkPolicy.allowFrom} and {@link ServiceNetworkPolicy.allowTo}.
 */
import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { IntOrString, KubeNetworkPolicy, type NetworkPolicyEgressRule, type NetworkPolicyIngressRule, type NetworkPolicyPeer, type NetworkPolicyPort } from 'cdk8s-plus-28/lib/imports/k8s';
import { qualifiedName, serviceSelector } from '../model/names';
import type { ExternalEndpointSpec, ServiceDefinition, ServicePortSpec } from '../model/service';
import { parseCidr } from '../model/cidr';
import { ValidationError, requireDns1123Label, requireIntegerInRange } from '../model/validation';
import { targetPortOf } from './_workload';

/** The label every namespace carries with its own name (set by Kubernetes since 1.22). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** The namespace Prometheus runs in unless the chart's `mesh.monitoringNamespace` says otherwise. */
export const DEFAULT_MONITORING_NAMESPACE = 'monitoring';

/** Where the mesh's ingress gateway runs. */
export interface IngressGatewayRef {
  /** @default 'istio-ingress' */
  readonly namespace?: string;
  /** @default { istio: 'ingressgateway' } */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/**
 * The destinations of an external endpoint without declared addresses: anywhere but private ranges,
 * so that a missing CIDR never opens the cluster's own network.
 */
export const PUBLIC_INTERNET = { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] } as const;

/** The sidecar's metrics ports Prometheus scrapes: 15020 (merged app + proxy metrics), 15090 (Envoy's own). */
export const SIDECAR_METRICS_PORTS: readonly number[] = [15020, 15090];

/**
 * The other end of a rule added with {@link ServiceNetworkPolicy.allowFrom} or {@link ServiceNetworkPolicy.allowTo}.
 * Build one with the static factories.
 */
export class NetworkPeer {
  /** The pods of a service of the platform (every version), in its own namespace. */
  public static service(service: ServiceDefinition): NetworkPeer {
    return new NetworkPeer(`service ${qualifiedName(service)}`, (_path, fromNamespace) => peerOf(service, fromNamespace), service);
  }

  /** Every pod of a namespace (e.g. `monitoring`). */
  public static namespace(name: string): NetworkPeer {
    return new NetworkPeer(`namespace ${name}`, (path) => {
      requireDns1123Label(path, 'peer.namespace', name);
      return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: name } } };
    });
  }

  /** The pods with these labels in `namespace`. */
  public static pods(namespace: string, labels: Readonly<Record<string, string>>): NetworkPeer {
    return new NetworkPeer(`pods ${JSON.stringify(labels)} in ${namespace}`, (path, fromNamespace) => {
      requireDns1123Label(path, 'peer.namespace', namespace);
      if (Object.keys(labels).length === 0) {
        throw new ValidationError(path, 'peer.labels', labels, 'allowed: one or more labels (use NetworkPeer.namespace for every pod of a namespace)');
      }
      const podSelector = { matchLabels: { ...labels } };
      return namespace === fromNamespace ? { podSelector } : { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } }, podSelector };
    });
  }

  /** Addresses outside the cluster: an IPv4 network CIDR, less the `except` CIDRs inside it. */
  public static ipBlock(cidr: string, except: readonly string[] = []): NetworkPeer {
    return new NetworkPeer(`ipBlock ${cidr}`, (path) => {
      const parse = (text: string) => {
        try {
          return parseCidr(text).text;
        } catch {
          throw new ValidationError(path, 'peer.ipBlock', text, 'allowed: IPv4 network CIDRs a.b.c.d/n');
        }
      };
      return { ipBlock: except.length > 0 ? { cidr: parse(cidr), except: except.map(parse) } : { cidr: parse(cidr) } };
    });
  }

  private constructor(
    /** What the peer is, for messages. */
    public readonly description: string,
    private readonly render: (path: string, fromNamespace: string) => NetworkPolicyPeer,
    /** The platform service the peer is, if it is one. */
    public readonly service?: ServiceDefinition,
  ) {}

  /** The NetworkPolicy peer, seen from a policy in `fromNamespace`; throws (naming `path`) on an invalid peer. */
  public toPeer(path: string, fromNamespace: string): NetworkPolicyPeer {
    return this.render(path, fromNamespace);
  }
}

/** Options for a {@link ServiceNetworkPolicy}. */
export interface ServiceNetworkPolicyProps {
  /** The service whose pods the policy selects (all its versions). */
  readonly service: ServiceDefinition;
  /** The services that declare they call it (`platform.callersOf(service)`). @default none */
  readonly callers?: readonly ServiceDefinition[];
  /** The services it calls (`platform.calleesOf(service)`). @default none */
  readonly callees?: readonly ServiceDefinition[];
  /** The ingress gateway admitted when the service is public. @default namespace istio-ingress, pods istio=ingressgateway */
  readonly ingressGateway?: IngressGatewayRef;
  /** The namespace Prometheus runs in; admitted on the metrics port and the sidecar's metrics ports. @default 'monitoring' */
  readonly monitoringNamespace?: string;
  /** The sidecar's metrics ports admitted from monitoring. @default SIDECAR_METRICS_PORTS (15020, 15090) */
  readonly sidecarMetricsPorts?: readonly number[];
  /**
   * The endpoints outside the cluster the service calls, each opened on its port (`platform.externalEndpointsOf(env,
   * service)`: its own and the AWS services its `awsPermissions` call, STS included).
   * @default the service's `externalEndpoints`
   */
  readonly externalEndpoints?: readonly ExternalEndpointSpec[];
  /**
   * The data stores the service calls, each opened on its port: the store's pods in the cluster, or the VPC blocks a
   * managed store's addresses come from (`dataStoreEgressOf` in lib/k8s/data-stores).
   * @default none
   */
  readonly dataStores?: readonly DataStoreEgress[];
}

/** Where a caller's pods may connect to reach one data store. */
export interface DataStoreEgress {
  /** The store, `namespace/name`, for messages. */
  readonly store: string;
  /** The destinations: the store's pods, or address blocks. */
  readonly peers: readonly NetworkPeer[];
  /** The store's port. */
  readonly port: number;
}

/** One NetworkPolicy per service, selecting every version's pods, covering ingress and egress. */
export class ServiceNetworkPolicy extends Construct {
  public readonly service: ServiceDefinition;
  public readonly callers: readonly ServiceDefinition[];
  public readonly callees: readonly ServiceDefinition[];
  public readonly ingressGatewayNamespace: string;
  public readonly ingressGatewayLabels: Readonly<Record<string, string>>;
  public readonly monitoringNamespace: string;
  public readonly sidecarMetricsPorts: readonly number[];
  public readonly resource: KubeNetworkPolicy;

  private readonly ingressRules: NetworkPolicyIngressRule[] = [];
  private readonly egressRules: NetworkPolicyEgressRule[] = [];

  constructor(scope: Construct, id: string, props: ServiceNetworkPolicyProps) {
    super(scope, id);
    const path = this.node.path;
    const svc = props.service;
    this.service = svc;
    const byName = (a: ServiceDefinition, b: ServiceDefinition) => qualifiedName(a).localeCompare(qualifiedName(b));
    this.callers = [...(props.callers ?? [])].sort(byName);
    this.callees = [...(props.callees ?? [])].sort(byName);
    this.ingressGatewayNamespace = props.ingressGateway?.namespace ?? 'istio-ingress';
    this.ingressGatewayLabels = props.ingressGateway?.podLabels ?? { istio: 'ingressgateway' };
    this.monitoringNamespace = props.monitoringNamespace ?? DEFAULT_MONITORING_NAMESPACE;
    this.sidecarMetricsPorts = [...(props.sidecarMetricsPorts ?? SIDECAR_METRICS_PORTS)].sort((a, b) => a - b);
    this.sidecarMetricsPorts.forEach((p) => requireIntegerInRange(path, 'sidecarMetricsPorts', p, 1, 65535));

    const ingress = this.ingressRules;
    const servingPorts = tcpPorts(servingPortsOf(svc));
    if (this.callers.length > 0 && servingPorts.length > 0) {
      ingress.push({ from: this.callers.map((c) => peerOf(c, svc.namespace)), ports: servingPorts });
    }
    if (svc.public && servingPorts.length > 0) {
      ingress.push({
        from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: this.ingressGatewayNamespace } }, podSelector: { matchLabels: { ...this.ingressGatewayLabels } } }],
        ports: servingPorts,
      });
    }
    const metricsPort = svc.metricsPort === undefined ? undefined : svc.ports.find((p) => p.name === svc.metricsPort);
    if (svc.metricsPort !== undefined && !metricsPort) {
      throw new ValidationError(path, 'service.metricsPort', svc.metricsPort, `allowed: one of the service's port names (${svc.ports.map((p) => p.name).join(', ')})`);
    }
    const scrapePorts = [...(metricsPort ? [targetPortOf(metricsPort)] : []), ...this.sidecarMetricsPorts];
    if (scrapePorts.length > 0) {
      ingress.push({
        from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: this.monitoringNamespace } } }],
        ports: tcpNumbers([...new Set(scrapePorts)]),
      });
    }

    const egress = this.egressRules;
    for (const callee of this.callees) {
      const ports = tcpPorts(servingPortsOf(callee));
      if (ports.length > 0) {
        egress.push({ to: [peerOf(callee, svc.namespace)], ports });
      }
    }
    for (const ds of [...(props.dataStores ?? [])].sort((a, b) => a.store.localeCompare(b.store))) {
      requireIntegerInRange(path, `dataStores.${ds.store}.port`, ds.port, 1, 65535);
      egress.push({ to: ds.peers.map((p) => p.toPeer(path, svc.namespace)), ports: tcpNumbers([ds.port]) });
    }
    const endpoints = [...(props.externalEndpoints ?? svc.externalEndpoints ?? [])].sort((a, b) => `${a.host}:${a.port}`.localeCompare(`${b.host}:${b.port}`));
    for (const ep of endpoints) {
      requireIntegerInRange(path, `externalEndpoints.${ep.host}.port`, ep.port, 1, 65535);
      const to: NetworkPolicyPeer[] = ep.cidrs && ep.cidrs.length > 0
        ? [...ep.cidrs].sort().map((cidr) => {
          try {
            return { ipBlock: { cidr: parseCidr(cidr).text } };
          } catch {
            throw new ValidationError(path, `externalEndpoints.${ep.host}.cidrs`, cidr, 'allowed: IPv4 network CIDRs a.b.c.d/n');
          }
        })
        : [{ ipBlock: { cidr: PUBLIC_INTERNET.cidr, except: [...PUBLIC_INTERNET.except] } }];
      const rule = { to, ports: tcpNumbers([ep.port]) };
      // hosts behind the same addresses and port (an AWS service's names, all inside the VPC) share one rule
      if (!egress.some((r) => JSON.stringify(r) === JSON.stringify(rule))) {
        egress.push(rule);
      }
    }

    this.resource = new KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: svc.name, namespace: svc.namespace, labels: serviceSelector(svc) },
      spec: {
        podSelector: { matchLabels: serviceSelector(svc) },
        policyTypes: ['Ingress', 'Egress'],
        // rendered at synth, so that rules added after construction appear
        ingress: Lazy.any({ produce: () => [...this.ingressRules] }),
        egress: Lazy.any({ produce: () => [...this.egressRules] }),
      },
    });
  }

  /**
   * Admits traffic from `peer` to the service's pods, on `port` (TCP).
   * @param port the container port admitted. @default the service's serving ports (every port but its metrics port)
   */
  public allowFrom(peer: NetworkPeer, port?: number): void {
    const ports = this.portsOf('allowFrom', port, this.service);
    this.ingressRules.push({ from: [peer.toPeer(this.node.path, this.service.namespace)], ports });
  }

  /**
   * Lets the service's pods connect to `peer`, on `port` (TCP).
   * @param port the destination port allowed. @default for a service peer, its serving ports (every port but its
   *   metrics port); for any other peer, required
   */
  public allowTo(peer: NetworkPeer, port?: number): void {
    if (port === undefined && !peer.service) {
      throw new ValidationError(this.node.path, 'allowTo.port', port, `allowed: a port (1..65535) for ${peer.description}; only a service peer has default ports`);
    }
    const ports = this.portsOf('allowTo', port, peer.service);
    this.egressRules.push({ to: [peer.toPeer(this.node.path, this.service.namespace)], ports });
  }

  private portsOf(method: string, port: number | undefined, service: ServiceDefinition | undefined): NetworkPolicyPort[] {
    if (port !== undefined) {
      requireIntegerInRange(this.node.path, `${method}.port`, port, 1, 65535);
      return tcpNumbers([port]);
    }
    const ports = service ? tcpPorts(servingPortsOf(service)) : [];
    if (ports.length === 0) {
      throw new ValidationError(this.node.path, `${method}.port`, port, `allowed: a port (1..65535); ${service ? qualifiedName(service) : 'the peer'} serves no port besides its metrics port`);
    }
    return ports;
  }
}

/** The ports a service serves to its callers: every port but its metrics port. */
export function servingPortsOf(svc: ServiceDefinition): ServicePortSpec[] {
  return svc.ports.filter((p) => p.name !== svc.metricsPort);
}

function tcpPorts(ports: readonly ServicePortSpec[]): NetworkPolicyPort[] {
  return tcpNumbers(ports.map(targetPortOf));
}

function tcpNumbers(ports: readonly number[]): NetworkPolicyPort[] {
  return [...ports].sort((a, b) => a - b).map((p) => ({ protocol: 'TCP', port: IntOrString.fromNumber(p) }));
}

/** The pods of `other`, seen from a policy in `fromNamespace` (a namespace selector only when it lives elsewhere). */
function peerOf(other: ServiceDefinition, fromNamespace: string): NetworkPolicyPeer {
  return other.namespace === fromNamespace
    ? { podSelector: { matchLabels: serviceSelector(other) } }
    : { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: other.namespace } }, podSelector: { matchLabels: serviceSelector(other) } };
}
