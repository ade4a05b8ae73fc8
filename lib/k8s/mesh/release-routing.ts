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
import { ReleaseStrategy, Release, PortProtocol, type ServiceDefinition, type ServicePortSpec } from '../../model/service';
import { ValidationError } from '../../model/validation';
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

/** The service's release, or `Release.single(<only version>)` when it declares none. */
export function releaseOf(service: ServiceDefinition): Release {
  return service.release ?? Release.single(service.versions[0].name);
}

/**
 * Validates a release against the service: every weight an integer 0..100, the weights summing to
 * 100, blue-green with two versions and its active one at 100, tester and mirror versions that run.
 * Throws a {@link ValidationError} naming `path`.
 */
export function validateRelease(path: string, service: ServiceDefinition): void {
  const release = releaseOf(service);
  const versions = service.versions.map((v) => v.name);
  const entries = Object.entries(release.weights);
  for (const [version, weight] of entries) {
    if (!versions.includes(version)) {
      throw new ValidationError(path, `release.weights.${version}`, weight, `allowed: versions of ${service.name} (${versions.join(', ')})`);
    }
    if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
      throw new ValidationError(path, `release.weights.${version}`, weight, 'allowed: an integer from 0 to 100 (percent)');
    }
  }
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  if (total !== 100) {
    throw new ValidationError(path, 'release.weights', release.weights, `allowed: weights summing to 100 (they sum to ${total})`);
  }
  if (release.strategy === ReleaseStrategy.BLUE_GREEN) {
    if (entries.length !== 2 || release.active === undefined || release.weights[release.active] !== 100) {
      throw new ValidationError(path, 'release', release.weights, 'allowed: a blue-green pair of two versions with all traffic (100) on the active one');
    }
  }
  const tester = release.options.testerRoute;
  if (tester) {
    if (!versions.includes(tester.version)) {
      throw new ValidationError(path, 'release.options.testerRoute.version', tester.version, `allowed: versions of ${service.name} (${versions.join(', ')})`);
    }
    if (!/^[a-z0-9-]+$/.test(tester.header) || tester.value.length === 0) {
      throw new ValidationError(path, 'release.options.testerRoute.header', tester.header, 'allowed: a lower-case HTTP header name and a non-empty value');
    }
  }
  const mirror = release.options.mirrorTo;
  if (mirror) {
    if (!versions.includes(mirror.version)) {
      throw new ValidationError(path, 'release.options.mirrorTo.version', mirror.version, `allowed: versions of ${service.name} (${versions.join(', ')})`);
    }
    const percent = mirror.percent ?? 100;
    if (!(percent > 0 && percent <= 100)) {
      throw new ValidationError(path, 'release.options.mirrorTo.percent', percent, 'allowed: a percentage above 0 and at most 100');
    }
  }
}

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
