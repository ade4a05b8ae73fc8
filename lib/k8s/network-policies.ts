/**
 * Micro-segmentation from the call graph: a service admits ingress only from the services that declare they
 * call it (plus the ingress gateway when it is public, and the monitoring namespace on its metrics ports), and
 * egresses only to the services it calls and its declared external endpoints. DNS and the mesh control plane
 * are allowed namespace-wide by {@link PlatformNamespace}; everything else is denied there.
 */
import { Construct } from 'constructs';
import { IntOrString, KubeNetworkPolicy, type NetworkPolicyEgressRule, type NetworkPolicyIngressRule, type NetworkPolicyPeer, type NetworkPolicyPort } from 'cdk8s-plus-28/lib/imports/k8s';
import { qualifiedName, serviceSelector } from '../model/names';
import type { ServiceDefinition, ServicePortSpec } from '../model/service';
import { parseCidr } from '../model/cidr';
import { ValidationError, requireIntegerInRange } from '../model/validation';
import { targetPortOf } from './_workload';

/** The label every namespace carries with its own name (set by Kubernetes since 1.22). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

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
    this.monitoringNamespace = props.monitoringNamespace ?? 'monitoring';
    this.sidecarMetricsPorts = [...(props.sidecarMetricsPorts ?? SIDECAR_METRICS_PORTS)].sort((a, b) => a - b);
    this.sidecarMetricsPorts.forEach((p) => requireIntegerInRange(path, 'sidecarMetricsPorts', p, 1, 65535));

    const ingress: NetworkPolicyIngressRule[] = [];
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

    const egress: NetworkPolicyEgressRule[] = [];
    for (const callee of this.callees) {
      const ports = tcpPorts(servingPortsOf(callee));
      if (ports.length > 0) {
        egress.push({ to: [peerOf(callee, svc.namespace)], ports });
      }
    }
    const endpoints = [...(svc.externalEndpoints ?? [])].sort((a, b) => `${a.host}:${a.port}`.localeCompare(`${b.host}:${b.port}`));
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
      egress.push({ to, ports: tcpNumbers([ep.port]) });
    }

    this.resource = new KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: svc.name, namespace: svc.namespace, labels: serviceSelector(svc) },
      spec: {
        podSelector: { matchLabels: serviceSelector(svc) },
        policyTypes: ['Ingress', 'Egress'],
        ingress,
        egress,
      },
    });
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
