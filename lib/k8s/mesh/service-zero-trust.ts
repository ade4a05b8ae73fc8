/**
 * Zero trust for one workload, from the same call graph as the NetworkPolicies:
 * an AuthorizationPolicy that admits only the mesh principals of its declared callers (plus the
 * ingress gateway for a public service, plus the monitoring namespace on the metrics port), a Sidecar
 * that limits its egress to the services it calls and its declared external hosts (with
 * `REGISTRY_ONLY`), and a ServiceEntry per external host so that `REGISTRY_ONLY` lets it through.
 */
import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { DataStorePlacement, dataStoreHost, managedStoreRecordName, resolveDataStore } from '../../model/data-stores';
import type { EnvironmentConfig } from '../../model/environment';
import { meshPrincipal, serviceAccountName, serviceHost, serviceSelector } from '../../model/names';
import type { Platform } from '../../model/platform';
import { PortProtocol, type ExternalEndpointSpec, type ServiceDefinition, type ServicePortSpec } from '../../model/service';
import { ValidationError, requireDns1123Label } from '../../model/validation';
import { IstioAuthorizationPolicy, IstioServiceEntry, IstioSidecar, type AuthorizationRule, type ServiceEntrySpec } from './istio-resources';
import { DEFAULT_MONITORING_NAMESPACE } from '../network-policies';
import { INGRESS_GATEWAY_NAMESPACE, INGRESS_GATEWAY_SERVICE_ACCOUNT } from './public-gateway';

/** Options for a {@link ServiceZeroTrust}. */
export interface ServiceZeroTrustProps {
  /** The platform: the call graph comes from `platform.callersOf` / `calleesOf`. */
  readonly platform: Platform;
  /** The workload's service. */
  readonly service: ServiceDefinition;
  /**
   * The ingress gateway's mesh principal, admitted into public services.
   * @default 'cluster.local/ns/istio-ingress/sa/istio-ingressgateway'
   */
  readonly ingressGatewayPrincipal?: string;
  /**
   * The namespace of Prometheus, admitted on the metrics port only (by namespace, which under
   * STRICT mTLS means Prometheus scrapes with its Istio certificate; see docs/mesh.md).
   * `undefined` together with `allowMetricsScrape: false` admits no scraper.
   * @default 'monitoring'
   */
  readonly monitoringNamespace?: string;
  /** Admit the monitoring namespace on the service's metrics port. @default true (when the service has a metricsPort) */
  readonly allowMetricsScrape?: boolean;
  /**
   * The endpoints outside the cluster the service calls: a ServiceEntry each, and the Sidecar's egress
   * (`platform.externalEndpointsOf(env, service)`: its own and the AWS services its `awsPermissions` call).
   * @default the service's `externalEndpoints`
   */
  readonly externalEndpoints?: readonly ExternalEndpointSpec[];
  /**
   * The environment: a managed data store the service calls adds the store's record in the private zone
   * (`managedStoreRecordName`, the host of its ServiceEntry) to the Sidecar's egress, next to `<store>.<ns>.svc.cluster.local`
   * (the ExternalName Service, which Istio treats as an alias of that host).
   * @default none: only `<store>.<ns>.svc.cluster.local` per store
   */
  readonly environment?: EnvironmentConfig;
}

/** The AuthorizationPolicy, Sidecar and ServiceEntries of one workload. */
export class ServiceZeroTrust extends Construct {
  /** Principals admitted on the service's ports, sorted: its callers', plus the gateway's when public. */
  public readonly allowedPrincipals: readonly string[];
  /** Egress hosts of the Sidecar (`<namespace>/<host>`), sorted. */
  public readonly egressHosts: readonly string[];
  /** The namespace admitted on the metrics port, if any. */
  public readonly metricsScrapeNamespace?: string;
  /** The AuthorizationPolicy (id `Resource`). */
  public readonly authorizationPolicy: IstioAuthorizationPolicy;
  /** The Sidecar (id `Sidecar`). */
  public readonly sidecar: IstioSidecar;
  /** One ServiceEntry per external endpoint (under `ServiceEntries`, id = the host). */
  public readonly serviceEntries: readonly IstioServiceEntry[];

  constructor(scope: Construct, id: string, props: ServiceZeroTrustProps) {
    super(scope, id);
    const { platform, service } = props;
    const gatewayPrincipal = props.ingressGatewayPrincipal ?? meshPrincipal(INGRESS_GATEWAY_NAMESPACE, INGRESS_GATEWAY_SERVICE_ACCOUNT);
    const monitoringNamespace = props.monitoringNamespace ?? DEFAULT_MONITORING_NAMESPACE;
    const allowScrape = props.allowMetricsScrape ?? true;
    requireDns1123Label(this.node.path, 'monitoringNamespace', monitoringNamespace);

    const callerPrincipals = platform.callersOf(service).map((c) => meshPrincipal(c.namespace, serviceAccountName(c)));
    this.allowedPrincipals = [...new Set([...callerPrincipals, ...(service.public ? [gatewayPrincipal] : [])])].sort();

    const metricsPort = service.metricsPort === undefined ? undefined : service.ports.find((p) => p.name === service.metricsPort);
    if (service.metricsPort !== undefined && !metricsPort) {
      throw new ValidationError(this.node.path, 'service.metricsPort', service.metricsPort, `allowed: one of the service's port names (${service.ports.map((p) => p.name).join(', ')})`);
    }
    const appPorts = service.ports.filter((p) => p !== metricsPort);
    this.metricsScrapeNamespace = metricsPort && allowScrape ? monitoringNamespace : undefined;

    const rules: AuthorizationRule[] = [];
    if (this.allowedPrincipals.length > 0 && appPorts.length > 0) {
      rules.push({ from: [{ source: { principals: [...this.allowedPrincipals] } }], to: [{ operation: { ports: workloadPorts(appPorts) } }] });
    }
    if (metricsPort && this.metricsScrapeNamespace !== undefined) {
      rules.push({ from: [{ source: { namespaces: [this.metricsScrapeNamespace] } }], to: [{ operation: { ports: workloadPorts([metricsPort]) } }] });
    }
    // An ALLOW policy without rules admits nothing: a service nobody calls stays closed.
    this.authorizationPolicy = new IstioAuthorizationPolicy(this, 'Resource', {
      metadata: { name: service.name, namespace: service.namespace },
      spec: {
        selector: { matchLabels: serviceSelector(service) },
        action: 'ALLOW',
        ...(rules.length > 0 ? { rules } : {}),
      },
    });

    const externals = [...(props.externalEndpoints ?? service.externalEndpoints ?? [])].sort((a, b) => a.host.localeCompare(b.host) || a.port - b.port);
    const entriesScope = new Construct(this, 'ServiceEntries');
    const byHost = new Map<string, typeof externals>();
    for (const e of externals) {
      byHost.set(e.host, [...(byHost.get(e.host) ?? []), e]);
    }
    this.serviceEntries = [...byHost.entries()].map(([host, endpoints]) => new IstioServiceEntry(entriesScope, host, {
      metadata: { name: serviceEntryName(service.name, host), namespace: service.namespace },
      spec: {
        hosts: [host],
        location: 'MESH_EXTERNAL',
        // a wildcard host (S3's virtual-hosted names) cannot be resolved ahead: the proxy passes it on by SNI
        resolution: host.startsWith('*.') ? 'NONE' : 'DNS',
        exportTo: ['.'],
        ports: endpoints.map((e) => ({ number: e.port, name: `${(e.protocol ?? PortProtocol.TLS)}-${e.port}`, protocol: istioProtocol(e.protocol ?? PortProtocol.TLS) })),
      },
    }));

    this.egressHosts = [...new Set([
      ...platform.calleesOf(service).map((c) => `${c.namespace}/${serviceHost(c)}`),
      // the data stores it calls: the store's Service (in the cluster) or its ServiceEntry (managed), same host
      ...platform.dataStoresCalledBy(service).map((d) => `${d.namespace}/${dataStoreHost(d)}`),
      // a managed store's ServiceEntry host (its record in the private zone), the ExternalName's target
      ...(props.environment === undefined ? [] : platform.dataStoresCalledBy(service)
        .filter((d) => resolveDataStore(d, (props.environment as EnvironmentConfig).dataStores).placement === DataStorePlacement.MANAGED)
        .map((d) => `${d.namespace}/${managedStoreRecordName(platform.name, (props.environment as EnvironmentConfig).name, d)}`)),
      ...[...byHost.keys()].map((host) => `${service.namespace}/${host}`),
      'istio-system/*',
    ])].sort();
    this.sidecar = new IstioSidecar(this, 'Sidecar', {
      metadata: { name: service.name, namespace: service.namespace },
      spec: {
        workloadSelector: { labels: serviceSelector(service) },
        egress: [{ hosts: [...this.egressHosts] }],
        outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
      },
    });
  }
}

/** The ports the workload listens on (AuthorizationPolicy matches the pod's port, not the Service's). */
function workloadPorts(ports: readonly ServicePortSpec[]): string[] {
  return [...new Set(ports.map((p) => String(p.targetPort ?? p.port)))].sort();
}

type ServiceEntryProtocol = NonNullable<NonNullable<ServiceEntrySpec['ports']>[number]['protocol']>;

/** The ServiceEntry protocol of a model protocol (Redis is carried as opaque TCP). */
function istioProtocol(protocol: PortProtocol): ServiceEntryProtocol {
  switch (protocol) {
    case PortProtocol.HTTP: return 'HTTP';
    case PortProtocol.HTTP2: return 'HTTP2';
    case PortProtocol.GRPC: return 'GRPC';
    case PortProtocol.TLS: return 'TLS';
    case PortProtocol.TCP:
    case PortProtocol.REDIS: return 'TCP';
  }
}

/** `<service>-<host with dots as dashes>`, cut to 63 characters with a hash suffix when longer. */
export function serviceEntryName(serviceName: string, host: string): string {
  const full = `${serviceName}-${host.replace(/^\*\./, 'any.').replace(/\./g, '-')}`.replace(/[^a-z0-9-]/g, '-');
  if (full.length <= 63) {
    return full;
  }
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, 54).replace(/-+$/, '')}-${hash}`;
}
