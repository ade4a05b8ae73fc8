/**
 * Turns a service's {@link Release} (single, canary, blue-green; tester route; mirror) into the
 * routes of a VirtualService. Pure functions; the constructs call them.
 *
 * Choices:
 * - A version with weight 0 (the idle side of a blue-green pair, a canary at 0 %) is absent from the
 *   default route rather than listed with `weight: 0`: Envoy never sees it, and it still has its
 *   DestinationRule subset, so the tester route and the mirror can reach it.
 * - The tester route (a header match) comes first: Istio evaluates HTTP routes in order.
 * - Routes only ever name subsets of the service's own DestinationRule (one subset per version).
 */
import { releaseOf } from '../../model/release';
import { PortProtocol, type ServiceDefinition, type ServicePortSpec } from '../../model/service';
import type { IstioHttpRoute, VirtualServiceSpec } from './istio-resources';
import { istioDuration, type ResolvedTrafficOptions } from './traffic-options';

/** One TCP route of a VirtualService. */
export type IstioTcpRoute = NonNullable<VirtualServiceSpec['tcp']>[number];
type RouteDestination = NonNullable<IstioHttpRoute['route']>[number];

/** Protocols routed by `http` routes (timeouts, retries, header matches apply). */
const HTTP_FAMILY: readonly PortProtocol[] = [PortProtocol.HTTP, PortProtocol.HTTP2, PortProtocol.GRPC];

/** Whether a port carries HTTP, HTTP/2 or gRPC (routed by `http` routes). */
export function isHttpPort(port: Pick<ServicePortSpec, 'protocol'>): boolean {
  return HTTP_FAMILY.includes(port.protocol);
}

export { releaseOf, validateRelease } from '../../model/release';

/** The weighted destinations of the default route: every version with a weight above 0, sorted by version. */
export function weightedDestinations(service: ServiceDefinition, host: string, port?: number): RouteDestination[] {
  const release = releaseOf(service);
  return Object.entries(release.weights)
    .filter(([, weight]) => weight > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([subset, weight]) => ({ destination: destination(host, subset, port), weight }));
}

/** Where the HTTP routes go and what they carry. */
export interface ReleaseRouteOptions {
  /** The destination host (the service's FQDN). */
  readonly host: string;
  /** Resolved timeouts and retries. */
  readonly traffic: ResolvedTrafficOptions;
  /** The destination port; needed from a gateway when the service has several ports. @default none */
  readonly port?: number;
  /** A URI prefix every route matches (public routes). @default none: every request */
  readonly uriPrefix?: string;
}

/**
 * The HTTP routes of a release: the tester route first (header match to its version), then the
 * default route (weights; mirror when asked). Both carry the timeout and retries.
 */
export function releaseHttpRoutes(service: ServiceDefinition, options: ReleaseRouteOptions): IstioHttpRoute[] {
  const release = releaseOf(service);
  const { host, traffic, port, uriPrefix } = options;
  const common = {
    timeout: istioDuration(traffic.timeout),
    retries: {
      attempts: traffic.retries.attempts,
      perTryTimeout: istioDuration(traffic.retries.perTryTimeout),
      retryOn: traffic.retries.retryOn,
    },
  };
  const uri = uriPrefix === undefined ? {} : { uri: { prefix: uriPrefix } };
  const routes: IstioHttpRoute[] = [];
  const tester = release.options.testerRoute;
  if (tester) {
    routes.push({
      name: 'tester',
      match: [{ ...uri, headers: { [tester.header]: { exact: tester.value } } }],
      route: [{ destination: destination(host, tester.version, port), weight: 100 }],
      ...common,
    });
  }
  const mirror = release.options.mirrorTo;
  routes.push({
    name: 'default',
    ...(uriPrefix === undefined ? {} : { match: [uri] }),
    route: weightedDestinations(service, host, port),
    ...(mirror ? { mirror: destination(host, mirror.version, port), mirrorPercentage: { value: mirror.percent ?? 100 } } : {}),
    ...common,
  });
  return routes;
}

/** The TCP route of a release (opaque TCP, TLS, Redis ports): the weights only. */
export function releaseTcpRoutes(service: ServiceDefinition, host: string): IstioTcpRoute[] {
  return [{ route: weightedDestinations(service, host) }];
}

function destination(host: string, subset: string, port?: number): RouteDestination['destination'] {
  return port === undefined ? { host, subset } : { host, subset, port: { number: port } };
}
