/**
 * How the mesh routes to one service: its DestinationRule (mTLS, connection pool, outlier detection,
 * one subset per running version), its VirtualService (release routes with timeouts and retries)
 * and, for a public service, a VirtualService binding its public hosts to the ingress Gateway.
 */
import { Construct } from 'constructs';
import { portName, serviceHost, LABEL_ISTIO_VERSION } from '../../model/names';
import type { ServiceDefinition } from '../../model/service';
import { ValidationError } from '../../model/validation';
import { IstioDestinationRule, IstioVirtualService, type IstioTrafficPolicy } from './istio-resources';
import { isHttpPort, releaseHttpRoutes, releaseTcpRoutes, validateRelease } from './release-routing';
import { istioDuration, resolveTrafficOptions, type ResolvedTrafficOptions, type ServiceTrafficOptions } from './traffic-options';

/** Options for a {@link ServiceRouting}. */
export interface ServiceRoutingProps {
  /** The service, from the platform model. */
  readonly service: ServiceDefinition;
  /** Timeouts, retries, connection pool and outlier detection. @default DEFAULT_TRAFFIC_OPTIONS (10s timeout, 2 retries of 2s, ...) */
  readonly traffic?: ServiceTrafficOptions;
  /**
   * The ingress Gateway (`<namespace>/<name>`) a public service is bound to. Without it, no public
   * VirtualService is emitted even if the service is public.
   * @default none
   */
  readonly gateway?: string;
}

/** The DestinationRule and VirtualServices of one service. */
export class ServiceRouting extends Construct {
  /** The service's in-mesh host, `<name>.<namespace>.svc.cluster.local`. */
  public readonly host: string;
  /** The traffic settings after defaults. */
  public readonly traffic: ResolvedTrafficOptions;
  /** The subsets the DestinationRule defines (one per running version), sorted. */
  public readonly subsets: readonly string[];
  /** The Gateway the public routes bind to, if any. */
  public readonly gateway?: string;
  /** The DestinationRule (id `DestinationRule`). */
  public readonly destinationRule: IstioDestinationRule;
  /** The in-mesh VirtualService (id `Resource`). */
  public readonly virtualService: IstioVirtualService;
  /** The VirtualService of the public hosts (id `Public`), for a public service with a gateway. */
  public readonly publicVirtualService?: IstioVirtualService;

  constructor(scope: Construct, id: string, props: ServiceRoutingProps) {
    super(scope, id);
    const service = props.service;
    this.host = serviceHost(service);
    this.traffic = resolveTrafficOptions(this.node.path, props.traffic);
    this.gateway = props.gateway;
    validateRelease(this.node.path, service);
    if (this.gateway !== undefined && !/^[a-z0-9-]+\/[a-z0-9-]+$/.test(this.gateway)) {
      throw new ValidationError(this.node.path, 'gateway', this.gateway, 'allowed: <namespace>/<name> of a Gateway');
    }
    this.subsets = service.versions.map((v) => v.name).sort();

    this.destinationRule = new IstioDestinationRule(this, 'DestinationRule', {
      metadata: { name: service.name, namespace: service.namespace },
      spec: {
        host: this.host,
        // by the ports it serves: a TCP store's metrics exporter (HTTP, scraped on the pod) does not make it an HTTP service
        trafficPolicy: trafficPolicy(this.traffic, service.ports.some((p) => p.name !== service.metricsPort && isHttpPort(p))),
        subsets: this.subsets.map((name) => ({ name, labels: { [LABEL_ISTIO_VERSION]: name } })),
      },
    });

    const httpPorts = service.ports.filter(isHttpPort);
    const tcpPorts = service.ports.filter((p) => !isHttpPort(p));
    this.virtualService = new IstioVirtualService(this, 'Resource', {
      metadata: { name: service.name, namespace: service.namespace },
      spec: {
        hosts: [this.host],
        ...(httpPorts.length > 0 ? { http: releaseHttpRoutes(service, { host: this.host, traffic: this.traffic }) } : {}),
        ...(tcpPorts.length > 0 ? { tcp: releaseTcpRoutes(service, this.host) } : {}),
      },
    });

    if (service.public && this.gateway !== undefined) {
      const port = httpPorts.find((p) => p.name !== service.metricsPort);
      if (!port) {
        throw new ValidationError(this.node.path, 'service.ports', service.ports.map(portName), 'allowed: a public service needs an HTTP, HTTP/2 or gRPC port other than its metrics port');
      }
      const hosts = [...service.public.hosts].sort();
      if (hosts.length === 0) {
        throw new ValidationError(this.node.path, 'service.public.hosts', hosts, 'allowed: one or more public host names');
      }
      this.publicVirtualService = new IstioVirtualService(this, 'Public', {
        metadata: { name: `${service.name}-public`, namespace: service.namespace },
        spec: {
          hosts,
          gateways: [this.gateway],
          http: releaseHttpRoutes(service, { host: this.host, traffic: this.traffic, port: port.port, uriPrefix: service.public.pathPrefix ?? '/' }),
        },
      });
    }
  }
}

/**
 * The DestinationRule's traffic policy: Istio mTLS, least-request balancing, pool limits, outlier detection. A service
 * without HTTP ports (a TCP data store) gets TCP settings only: no HTTP pool, and endpoints ejected on connection
 * failures (`consecutiveGatewayErrors`), not on HTTP 5xx.
 */
function trafficPolicy(t: ResolvedTrafficOptions, http: boolean): IstioTrafficPolicy {
  const tcp = { maxConnections: t.connectionPool.maxConnections, connectTimeout: istioDuration(t.connectionPool.connectTimeout) };
  if (!http) {
    return {
      tls: { mode: 'ISTIO_MUTUAL' },
      loadBalancer: { simple: 'LEAST_REQUEST' },
      connectionPool: { tcp },
      outlierDetection: {
        consecutiveGatewayErrors: t.outlierDetection.consecutive5xxErrors,
        interval: istioDuration(t.outlierDetection.interval),
        baseEjectionTime: istioDuration(t.outlierDetection.baseEjectionTime),
        maxEjectionPercent: t.outlierDetection.maxEjectionPercent,
      },
    };
  }
  return {
    tls: { mode: 'ISTIO_MUTUAL' },
    loadBalancer: { simple: 'LEAST_REQUEST' },
    connectionPool: {
      tcp,
      http: {
        http1MaxPendingRequests: t.connectionPool.http1MaxPendingRequests,
        http2MaxRequests: t.connectionPool.http2MaxRequests,
        maxRequestsPerConnection: t.connectionPool.maxRequestsPerConnection,
      },
    },
    outlierDetection: {
      consecutive5xxErrors: t.outlierDetection.consecutive5xxErrors,
      interval: istioDuration(t.outlierDetection.interval),
      baseEjectionTime: istioDuration(t.outlierDetection.baseEjectionTime),
      maxEjectionPercent: t.outlierDetection.maxEjectionPercent,
    },
  };
}
