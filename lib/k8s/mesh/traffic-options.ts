/**
 * Per-service traffic settings of the mesh (timeouts, retries, connection pool, outlier detection),
 * with documented defaults a service may override. Resolved once into {@link ResolvedTrafficOptions}.
 */
import { Duration } from 'cdk8s';
import { ValidationError, requireIntegerInRange } from '../../model/validation';

/** Retries of HTTP and gRPC requests (a VirtualService's `retries`). */
export interface MeshRetryOptions {
  /** Retries after the first try; 0 turns retries off. @default 2 */
  readonly attempts?: number;
  /** Time limit of each try, at most the route's timeout. @default Duration.seconds(2) */
  readonly perTryTimeout?: Duration;
  /**
   * Envoy retry conditions. The default retries only failures where the request never reached the
   * application (so that non-idempotent calls such as a payment are never sent twice): no `5xx`.
   * @default 'connect-failure,refused-stream,unavailable,cancelled'
   */
  readonly retryOn?: string;
}

/** Connection-pool limits towards a service (a DestinationRule's `trafficPolicy.connectionPool`). */
export interface MeshConnectionPoolOptions {
  /** Most TCP connections to all endpoints of the service, per calling proxy. @default 1000 */
  readonly maxConnections?: number;
  /** TCP connect timeout. @default Duration.seconds(2) */
  readonly connectTimeout?: Duration;
  /** Most HTTP/1.1 requests queued while waiting for a connection. @default 1024 */
  readonly http1MaxPendingRequests?: number;
  /** Most concurrent HTTP/2 (and gRPC) requests. @default 1024 */
  readonly http2MaxRequests?: number;
  /** Requests per connection before it is recycled; 0 means unlimited. @default 0 */
  readonly maxRequestsPerConnection?: number;
}

/** Ejection of failing endpoints (a DestinationRule's `trafficPolicy.outlierDetection`). */
export interface MeshOutlierDetectionOptions {
  /** Consecutive 5xx (or gRPC UNAVAILABLE...) responses that eject an endpoint. @default 5 */
  readonly consecutive5xxErrors?: number;
  /** How often endpoints are evaluated. @default Duration.seconds(10) */
  readonly interval?: Duration;
  /** Minimum ejection time (multiplied by the number of ejections). @default Duration.seconds(30) */
  readonly baseEjectionTime?: Duration;
  /** Most endpoints ejected at once, in percent. @default 50 */
  readonly maxEjectionPercent?: number;
}

/** Traffic settings of one service in the mesh. */
export interface ServiceTrafficOptions {
  /** Time limit of a whole request, retries included. @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** Retries. @default see MeshRetryOptions */
  readonly retries?: MeshRetryOptions;
  /** Connection-pool limits. @default see MeshConnectionPoolOptions */
  readonly connectionPool?: MeshConnectionPoolOptions;
  /** Outlier detection. @default see MeshOutlierDetectionOptions */
  readonly outlierDetection?: MeshOutlierDetectionOptions;
}

/** {@link ServiceTrafficOptions} with every default applied. */
export interface ResolvedTrafficOptions {
  readonly timeout: Duration;
  readonly retries: Required<MeshRetryOptions>;
  readonly connectionPool: Required<MeshConnectionPoolOptions>;
  readonly outlierDetection: Required<MeshOutlierDetectionOptions>;
}

/** The defaults of {@link ServiceTrafficOptions}. */
export const DEFAULT_TRAFFIC_OPTIONS: ResolvedTrafficOptions = {
  timeout: Duration.seconds(10),
  retries: { attempts: 2, perTryTimeout: Duration.seconds(2), retryOn: 'connect-failure,refused-stream,unavailable,cancelled' },
  connectionPool: { maxConnections: 1000, connectTimeout: Duration.seconds(2), http1MaxPendingRequests: 1024, http2MaxRequests: 1024, maxRequestsPerConnection: 0 },
  outlierDetection: { consecutive5xxErrors: 5, interval: Duration.seconds(10), baseEjectionTime: Duration.seconds(30), maxEjectionPercent: 50 },
};

const RETRY_ON = /^[a-z0-9-]+(,[a-z0-9-]+)*$/;

/**
 * Applies the defaults, then `overrides` over `base` field by field, and validates the result.
 * `path` is the construct path named in errors.
 */
export function resolveTrafficOptions(path: string, base: ServiceTrafficOptions = {}, overrides: ServiceTrafficOptions = {}): ResolvedTrafficOptions {
  const d = DEFAULT_TRAFFIC_OPTIONS;
  const resolved: ResolvedTrafficOptions = {
    timeout: overrides.timeout ?? base.timeout ?? d.timeout,
    retries: { ...d.retries, ...defined(base.retries), ...defined(overrides.retries) },
    connectionPool: { ...d.connectionPool, ...defined(base.connectionPool), ...defined(overrides.connectionPool) },
    outlierDetection: { ...d.outlierDetection, ...defined(base.outlierDetection), ...defined(overrides.outlierDetection) },
  };
  requirePositiveDuration(path, 'timeout', resolved.timeout);
  requirePositiveDuration(path, 'retries.perTryTimeout', resolved.retries.perTryTimeout);
  requirePositiveDuration(path, 'connectionPool.connectTimeout', resolved.connectionPool.connectTimeout);
  requirePositiveDuration(path, 'outlierDetection.interval', resolved.outlierDetection.interval);
  requirePositiveDuration(path, 'outlierDetection.baseEjectionTime', resolved.outlierDetection.baseEjectionTime);
  requireIntegerInRange(path, 'retries.attempts', resolved.retries.attempts, 0, 10);
  if (resolved.retries.perTryTimeout.toMilliseconds() > resolved.timeout.toMilliseconds()) {
    throw new ValidationError(path, 'retries.perTryTimeout', istioDuration(resolved.retries.perTryTimeout), `allowed: at most the timeout (${istioDuration(resolved.timeout)})`);
  }
  if (!RETRY_ON.test(resolved.retries.retryOn)) {
    throw new ValidationError(path, 'retries.retryOn', resolved.retries.retryOn, 'allowed: comma-separated Envoy retry conditions such as connect-failure,refused-stream');
  }
  requireIntegerInRange(path, 'connectionPool.maxConnections', resolved.connectionPool.maxConnections, 1, 1_000_000);
  requireIntegerInRange(path, 'connectionPool.http1MaxPendingRequests', resolved.connectionPool.http1MaxPendingRequests, 1, 1_000_000);
  requireIntegerInRange(path, 'connectionPool.http2MaxRequests', resolved.connectionPool.http2MaxRequests, 1, 1_000_000);
  requireIntegerInRange(path, 'connectionPool.maxRequestsPerConnection', resolved.connectionPool.maxRequestsPerConnection, 0, 1_000_000);
  requireIntegerInRange(path, 'outlierDetection.consecutive5xxErrors', resolved.outlierDetection.consecutive5xxErrors, 1, 1000);
  requireIntegerInRange(path, 'outlierDetection.maxEjectionPercent', resolved.outlierDetection.maxEjectionPercent, 0, 100);
  return resolved;
}

/** A Duration as Istio writes it: whole seconds as `10s`, else milliseconds as `1500ms`. */
export function istioDuration(duration: Duration): string {
  const ms = duration.toMilliseconds();
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function requirePositiveDuration(path: string, field: string, duration: Duration): void {
  const ms = duration.toMilliseconds();
  if (!Number.isInteger(ms) || ms < 1) {
    throw new ValidationError(path, field, `${ms}ms`, 'allowed: a whole number of milliseconds, 1ms or more');
  }
}

/** The object without its undefined fields, so that spreading it does not erase defaults. */
function defined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) {
    return {};
  }
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
