/**
 * The service catalog: what each service is, what it exposes and whom it calls.
 * Declared once; the AWS side (IAM roles), the Kubernetes side (workloads, NetworkPolicies)
 * and the mesh (Istio routing and authorization) all read it.
 */
import type { AlertOverride, ServiceAlertName } from './observability';
import { ValidationError, imageProblem } from './validation';
import { isAbsoluteMountPath, pathsOverlap, validateSecrets, type SecretSpec } from './secrets';

/** The application protocol of a port. It names the port (`http-web`) so that Istio can route it. */
export enum PortProtocol {
  HTTP = 'http',
  HTTP2 = 'http2',
  GRPC = 'grpc',
  TCP = 'tcp',
  TLS = 'tls',
  REDIS = 'redis',
}

/** A port a service serves. */
export interface ServicePortSpec {
  /** Port name suffix; the Service port is named `<protocol>-<name>` (e.g. `http-web`). A DNS-1123 label. */
  readonly name: string;
  /** The port number, 1 to 65535. */
  readonly port: number;
  /** The application protocol. */
  readonly protocol: PortProtocol;
  /** The container port, when it differs from `port`. @default port */
  readonly targetPort?: number;
}

/** One running version of a service (a Deployment of its own, labelled `version: <name>`). */
export interface ServiceVersionSpec {
  /** The version's name, a DNS-1123 label, e.g. `v1`. */
  readonly name: string;
  /**
   * The image, pinned by tag or digest (`repo:1.4.2` or `repo@sha256:...`); `latest` or no tag is refused. It comes
   * from the platform's registry (`Platform.repositoryUrl(service)`) or one of `allowedImageRegistries`.
   */
  readonly image: string;
}

/** An endpoint outside the cluster that a service calls (a payment provider, a managed database). */
export interface ExternalEndpointSpec {
  /** DNS name, e.g. `api.stripe.com`. */
  readonly host: string;
  /** Port, e.g. 443. */
  readonly port: number;
  /** The endpoint's addresses, for the NetworkPolicy egress rule. @default ['0.0.0.0/0'] less the cluster's private ranges */
  readonly cidrs?: readonly string[];
  /** @default PortProtocol.TLS */
  readonly protocol?: PortProtocol;
}

/** One IAM statement a service's role grants: actions on resources, never `*` on `*`. */
export interface IamStatementSpec {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

/** A service that is reachable from outside through the mesh's ingress gateway. */
export interface PublicExposureSpec {
  /** Public host names, e.g. `shop.example.com`. */
  readonly hosts: readonly string[];
  /** The path prefix routed to the service. @default '/' */
  readonly pathPrefix?: string;
}

/** CPU, memory and ephemeral storage of one container, with the unit in the name. */
export interface ResourceSpec {
  /** @default 250 */
  readonly cpuRequestMillis?: number;
  /** @default 1000 */
  readonly cpuLimitMillis?: number;
  /** @default 256 */
  readonly memoryRequestMiB?: number;
  /** @default 512 */
  readonly memoryLimitMiB?: number;
  /** @default 256 */
  readonly ephemeralStorageRequestMiB?: number;
  /** @default 1024 */
  readonly ephemeralStorageLimitMiB?: number;
}

/**
 * A sidecar container in a service's pods that serves the service's metrics (for an image without a metrics
 * endpoint of its own, e.g. redis_exporter beside Redis). Its port becomes the service's metrics port: the Platform
 * presents the service with a port `{ name: 'metrics', port, protocol: HTTP }` and `metricsPort: 'metrics'`.
 */
export interface MetricsExporterSpec {
  /** The exporter's image, pinned by tag or digest, from the platform's registry or one of `allowedImageRegistries`. */
  readonly image: string;
  /** The port it serves Prometheus metrics on (HTTP, `/metrics`), 1 to 65535, none of the service's own ports. */
  readonly port: number;
  /** Container arguments. @default the image's own command */
  readonly args?: readonly string[];
  /**
   * Its container's resources.
   * @default 50m/100m CPU, 32/64 MiB memory, 32/128 MiB ephemeral storage (request/limit)
   */
  readonly resources?: ResourceSpec;
}

/** The name of the port a metrics exporter adds to its service (the Service port `http-metrics`). */
export const METRICS_EXPORTER_PORT_NAME = 'metrics';

/** The port a metrics exporter adds to its service. */
export function metricsExporterPort(exporter: Pick<MetricsExporterSpec, 'port'>): ServicePortSpec {
  return { name: METRICS_EXPORTER_PORT_NAME, port: exporter.port, protocol: PortProtocol.HTTP };
}

/** Whether `svc` already carries its exporter's port as its metrics port (as {@link withMetricsExporter} returns it). */
function presentsExporter(svc: ServiceDefinition): boolean {
  const e = svc.metricsExporter;
  const last = svc.ports[svc.ports.length - 1];
  return e !== undefined && svc.metricsPort === METRICS_EXPORTER_PORT_NAME && last !== undefined && last.name === METRICS_EXPORTER_PORT_NAME
    && last.port === e.port && last.protocol === PortProtocol.HTTP && (last.targetPort === undefined || last.targetPort === e.port);
}

/** The ports the service itself serves: its ports less the one its metrics exporter adds. */
export function ownPorts(svc: ServiceDefinition): readonly ServicePortSpec[] {
  return presentsExporter(svc) ? svc.ports.slice(0, -1) : svc.ports;
}

/**
 * The service as the platform presents it: with a metrics exporter, its port appended to `ports` and named the
 * `metricsPort`, so that Services, NetworkPolicies, AuthorizationPolicies and ServiceMonitors follow. Idempotent;
 * a service without an exporter is returned as it is.
 */
export function withMetricsExporter(svc: ServiceDefinition): ServiceDefinition {
  const e = svc.metricsExporter;
  if (e === undefined || presentsExporter(svc)) {
    return svc;
  }
  return { ...svc, ports: [...svc.ports, metricsExporterPort(e)], metricsPort: METRICS_EXPORTER_PORT_NAME };
}

/**
 * Checks a service's metrics exporter, as declared or as {@link withMetricsExporter} presents it: a pinned image, a
 * port from 1 to 65535 that none of the service's ports uses, no port of its own named `metrics`, and no `metricsPort`
 * (the exporter's port is the metrics port). `field` prefixes the field names (`services.redis.`).
 */
export function validateMetricsExporter(path: string, field: string, svc: ServiceDefinition): void {
  const e = svc.metricsExporter;
  if (e === undefined) {
    return;
  }
  const problem = imageProblem(e.image);
  if (problem) {
    throw new ValidationError(path, `${field}metricsExporter.image`, e.image, problem);
  }
  if (!Number.isInteger(e.port) || e.port < 1 || e.port > 65535) {
    throw new ValidationError(path, `${field}metricsExporter.port`, e.port, 'allowed: an integer from 1 to 65535');
  }
  const presented = presentsExporter(svc);
  if (!presented && svc.metricsPort !== undefined) {
    throw new ValidationError(path, `${field}metricsPort`, svc.metricsPort, 'allowed: no metricsPort with a metricsExporter (the exporter\'s port is the metrics port)');
  }
  for (const p of ownPorts(svc)) {
    if (p.name === METRICS_EXPORTER_PORT_NAME) {
      throw new ValidationError(path, `${field}ports.${p.name}`, p.name, `allowed: another port name with a metricsExporter (it adds the port "${METRICS_EXPORTER_PORT_NAME}")`);
    }
    if (p.port === e.port || (p.targetPort ?? p.port) === e.port) {
      throw new ValidationError(path, `${field}metricsExporter.port`, e.port, `allowed: a port none of the service's ports uses (${p.name} uses ${p.targetPort !== undefined ? `${p.port} and ${p.targetPort}` : p.port})`);
    }
  }
}

/** How a release shares traffic among a service's versions. */
export enum ReleaseStrategy {
  /** One version takes all traffic. */
  SINGLE = 'single',
  /** Weights per version, each 0..100, summing to 100. */
  CANARY = 'canary',
  /** Two versions deployed; all traffic on the one named active. */
  BLUE_GREEN = 'blue-green',
}

/** Options every release strategy accepts. */
export interface ReleaseOptions {
  /** Requests carrying this header and value go to `version`, whatever the weights (for testers). @default none */
  readonly testerRoute?: { readonly header: string; readonly value: string; readonly version: string };
  /** Mirror (shadow) a copy of live traffic to this version. @default none */
  readonly mirrorTo?: { readonly version: string; readonly percent?: number };
}

/** A release: how traffic is split among the versions of a service. Build one with the static factories. */
export class Release {
  /** All traffic to one version. */
  public static single(version: string, options: ReleaseOptions = {}): Release {
    return new Release(ReleaseStrategy.SINGLE, { [version]: 100 }, options);
  }

  /** A canary: weights per version (0..100 each, summing to 100). */
  public static canary(weights: Readonly<Record<string, number>>, options: ReleaseOptions = {}): Release {
    return new Release(ReleaseStrategy.CANARY, weights, options);
  }

  /** A blue-green pair: both deployed, all traffic on `active`. */
  public static blueGreen(blue: string, green: string, active: string, options: ReleaseOptions = {}): Release {
    return new Release(ReleaseStrategy.BLUE_GREEN, { [blue]: active === blue ? 100 : 0, [green]: active === green ? 100 : 0 }, options, active);
  }

  private constructor(
    /** The strategy. */
    public readonly strategy: ReleaseStrategy,
    /** Traffic weight per version name, in percent. */
    public readonly weights: Readonly<Record<string, number>>,
    /** Tester route and mirror. */
    public readonly options: ReleaseOptions,
    /** For blue-green, the version that takes the traffic. */
    public readonly active?: string,
  ) {}
}

/** How a service's workload is run. */
export enum WorkloadKind {
  /** Stateless: a Deployment per version, autoscaled. */
  DEPLOYMENT = 'deployment',
  /** Stateful: a StatefulSet with persistent volumes (Redis, for example). */
  STATEFUL = 'stateful',
}

/** Persistent storage of a stateful service. */
export interface StorageSpec {
  /** Size of each replica's volume. */
  readonly sizeGiB: number;
  /** Where the volume is mounted. */
  readonly mountPath: string;
  /** The StorageClass. @default 'gp3' */
  readonly storageClassName?: string;
}

/** HTTP probes of a service. */
export interface ProbeSpec {
  /** Path of the readiness probe. @default '/ready' */
  readonly readinessPath?: string;
  /** Path of the liveness probe. @default '/healthz' */
  readonly livenessPath?: string;
  /** Path of the startup probe. @default the liveness path */
  readonly startupPath?: string;
  /** The port name suffix probed. @default the first port */
  readonly port?: string;
}

/** One service of the platform, declared once. */
export interface ServiceDefinition {
  /** The service's name, a DNS-1123 label of at most 63 characters. */
  readonly name: string;
  /** The platform namespace it runs in, a DNS-1123 label. */
  readonly namespace: string;
  /** The application it is part of (`app.kubernetes.io/part-of`), e.g. `shop`. */
  readonly partOf: string;
  /** @default WorkloadKind.DEPLOYMENT */
  readonly kind?: WorkloadKind;
  /** The versions running. At least one; two or more for a canary or a blue-green release. */
  readonly versions: readonly ServiceVersionSpec[];
  /** The ports it serves. At least one. */
  readonly ports: readonly ServicePortSpec[];
  /** Services it calls, by name (same namespace) or `namespace/name`. @default [] */
  readonly calls?: readonly string[];
  /** Reachable from outside through the ingress gateway. @default not public */
  readonly public?: PublicExposureSpec;
  /** Endpoints outside the cluster it calls. @default [] */
  readonly externalEndpoints?: readonly ExternalEndpointSpec[];
  /** AWS permissions; when set, the service gets an IAM role bound to its service account. @default no IAM role */
  readonly awsPermissions?: readonly IamStatementSpec[];
  /** Traffic split among versions. @default Release.single(<the only version>) */
  readonly release?: Release;
  /** Container resources. @default see ResourceSpec */
  readonly resources?: ResourceSpec;
  /** Probes. @default see ProbeSpec */
  readonly probes?: ProbeSpec;
  /** Configuration files mounted read-only under /etc/<name>/ (file name to content). @default {} */
  readonly configFiles?: Readonly<Record<string, string>>;
  /** Plain environment variables, never secret values (see `secrets`). @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Secrets the service reads, by name: values live in AWS Secrets Manager and reach the pods through External
   * Secrets Operator, as environment variables or files. No value is ever written in the model or the output.
   * @default []
   */
  readonly secrets?: readonly SecretSpec[];
  /**
   * Paths the image must write (data, sockets, caches): each gets an emptyDir volume of its size, counted against
   * the ephemeral-storage limit and the namespace quota; the root filesystem stays read-only.
   * @default [] (besides /tmp, which every service gets)
   */
  readonly writablePaths?: readonly WritablePathSpec[];
  /** Persistent storage (stateful services only). @default none */
  readonly storage?: StorageSpec;
  /** Port name suffix that serves Prometheus metrics. Not with a `metricsExporter`. @default none */
  readonly metricsPort?: string;
  /**
   * A sidecar container (`metrics-exporter`) in the service's pods that serves its metrics, for an image without a
   * metrics endpoint. Its port becomes the service's port `metrics` (Service port `http-metrics`) and its metrics
   * port, scraped like any other. Refused together with `metricsPort`.
   * @default none
   */
  readonly metricsExporter?: MetricsExporterSpec;
  /**
   * Replicas of a stateful service (stateful services only; per environment through `serviceOverrides`).
   * @default 1
   */
  readonly replicas?: number;
  /** Node labels the pods require (they run only on node groups with these labels). @default {}: any node */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Taints of node groups the pods tolerate. @default [] */
  readonly tolerations?: readonly TolerationSpec[];
  /**
   * Critical data: the service's namespace is backed up every 15 minutes or faster (RPO under 15 minutes), and
   * restored in a scratch namespace every day by the restore check.
   * @default false: daily backups
   */
  readonly critical?: boolean;
  /** Changes of the service's alerts, by alert name (see SERVICE_ALERTS); an unknown name is refused. @default the defaults */
  readonly alerts?: Readonly<Partial<Record<ServiceAlertName, AlertOverride>>>;
}

/** A path a service's image writes to, outside its persistent storage. */
export interface WritablePathSpec {
  /** An absolute path, e.g. `/var/run/postgresql`; not `/`, not below another writable path, not `/tmp`. */
  readonly path: string;
  /** The most it may hold, in MiB (the emptyDir's `sizeLimit`). */
  readonly sizeMiB: number;
  /** Kept in memory (tmpfs; counts against the memory limit instead). @default false */
  readonly inMemory?: boolean;
}

/** A taint a service's pods tolerate. */
export interface TolerationSpec {
  /** The taint's key. */
  readonly key: string;
  /** The taint's value; omitted, every value of the key is tolerated. @default any value */
  readonly value?: string;
  /** The effect tolerated. @default every effect */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** Where a service's configuration files are mounted: `/etc/<service>`. */
export function configMountPath(serviceName: string): string {
  return `/etc/${serviceName}`;
}

/**
 * Checks a service's writable paths as declared: absolute, normalised paths, none `/tmp` (every service has it) and
 * none below another; sizes whole numbers of MiB, 1 or more. `field` prefixes the field names (`services.db.`).
 */
export function validateWritablePaths(path: string, field: string, writablePaths: readonly WritablePathSpec[]): void {
  writablePaths.forEach((w, i) => {
    if (typeof w.path !== 'string' || !isAbsoluteMountPath(w.path) || pathsOverlap(w.path, '/tmp')) {
      throw new ValidationError(path, `${field}writablePaths[${i}].path`, w.path, 'allowed: an absolute, normalised path other than /, not /tmp or below it (every service gets /tmp), e.g. /var/run/postgresql');
    }
    if (!Number.isInteger(w.sizeMiB) || w.sizeMiB < 1) {
      throw new ValidationError(path, `${field}writablePaths.${w.path}.sizeMiB`, w.sizeMiB, 'allowed: a whole number of MiB, 1 or more');
    }
    const other = writablePaths.find((o, j) => j !== i && pathsOverlap(o.path, w.path));
    if (other !== undefined) {
      throw new ValidationError(path, `${field}writablePaths.${w.path}.path`, w.path, `allowed: paths apart from one another (it overlaps ${other.path}; one volume would hide the other)`);
    }
  });
}

/**
 * Checks that nothing a service mounts hides anything else it mounts: its secrets' mount paths, its writable paths,
 * its persistent storage, /tmp and its configuration directory (`/etc/<service>`, with `configFiles`) lie apart.
 * Run after {@link validateSecrets} and {@link validateWritablePaths}; `field` prefixes the field names.
 */
export function validateServiceMounts(path: string, field: string, svc: ServiceDefinition): void {
  const mounts: Array<{ readonly field: string; readonly path: string }> = [
    { field: 'tmp', path: '/tmp' },
    ...(Object.keys(svc.configFiles ?? {}).length > 0 ? [{ field: 'configFiles', path: configMountPath(svc.name) }] : []),
    ...(svc.storage ? [{ field: 'storage.mountPath', path: svc.storage.mountPath }] : []),
    ...(svc.writablePaths ?? []).map((w) => ({ field: `writablePaths.${w.path}.path`, path: w.path })),
    ...(svc.secrets ?? []).filter((s) => s.mountPath !== undefined).map((s) => ({ field: `secrets.${s.name}.mountPath`, path: s.mountPath as string })),
  ];
  mounts.forEach((m, i) => {
    const clash = mounts.slice(0, i).find((o) => pathsOverlap(o.path, m.path));
    if (clash !== undefined && !(clash.field === 'tmp' && m.field === 'tmp')) {
      throw new ValidationError(path, `${field}${m.field}`, m.path, `allowed: a path apart from the service's other mounts (it overlaps ${clash.path}, ${clash.field === 'tmp' ? 'the /tmp every service gets' : clash.field})`);
    }
  });
}

/** Checks a service's secrets, writable paths and where they and its other volumes mount (see the three checks). */
export function validateServiceVolumes(path: string, field: string, svc: ServiceDefinition): void {
  validateSecrets(path, field, svc.secrets ?? [], svc.env ?? {});
  validateWritablePaths(path, field, svc.writablePaths ?? []);
  validateServiceMounts(path, field, svc);
}

/** What a pod's volumes take of its container's limits, in MiB. */
export interface WritableVolumeBudget {
  /** The /tmp emptyDir's size limit. */
  readonly tmpSizeMiB: number;
  /** The field that sets /tmp's size, named when /tmp alone outgrows the limit. @default 'tmpSizeMiB' */
  readonly tmpSizeField?: string;
  /** The writable paths. */
  readonly writablePaths: readonly WritablePathSpec[];
  /** The container's ephemeral-storage limit. */
  readonly ephemeralStorageLimitMiB: number;
  /** The container's memory limit. */
  readonly memoryLimitMiB: number;
}

/** The MiB of node disk a pod's emptyDirs may fill: /tmp and the writable paths not kept in memory. */
export function diskVolumesMiB(tmpSizeMiB: number, writablePaths: readonly WritablePathSpec[]): number {
  return tmpSizeMiB + writablePaths.filter((w) => w.inMemory !== true).reduce((sum, w) => sum + w.sizeMiB, 0);
}

/** The MiB of memory a pod's in-memory (tmpfs) writable paths may fill. */
export function memoryVolumesMiB(writablePaths: readonly WritablePathSpec[]): number {
  return writablePaths.filter((w) => w.inMemory === true).reduce((sum, w) => sum + w.sizeMiB, 0);
}

/**
 * Checks that a pod's volumes fit its container's limits: /tmp and the on-disk writable paths together within the
 * ephemeral-storage limit (the kubelet evicts a pod whose emptyDirs outgrow it), the in-memory ones below the memory
 * limit (tmpfs pages count as the container's memory: at the limit the process would be OOM-killed).
 */
export function validateWritableVolumeBudget(path: string, field: string, budget: WritableVolumeBudget): void {
  const disk = diskVolumesMiB(budget.tmpSizeMiB, budget.writablePaths);
  if (budget.tmpSizeMiB > budget.ephemeralStorageLimitMiB) {
    throw new ValidationError(path, budget.tmpSizeField ?? 'tmpSizeMiB', budget.tmpSizeMiB, `allowed: at most the ephemeral-storage limit (${budget.ephemeralStorageLimitMiB} MiB), which /tmp counts against`);
  }
  if (disk > budget.ephemeralStorageLimitMiB) {
    const parts = [`/tmp ${budget.tmpSizeMiB}`, ...budget.writablePaths.filter((w) => w.inMemory !== true).map((w) => `${w.path} ${w.sizeMiB}`)].join(' + ');
    throw new ValidationError(path, `${field}writablePaths`, budget.writablePaths.map((w) => w.path), `allowed: volumes on disk within the ephemeral-storage limit (${budget.ephemeralStorageLimitMiB} MiB); these need ${disk} MiB (${parts}): raise resources.ephemeralStorageLimitMiB or shrink them`);
  }
  const memory = memoryVolumesMiB(budget.writablePaths);
  if (memory > 0 && memory >= budget.memoryLimitMiB) {
    throw new ValidationError(path, `${field}writablePaths`, budget.writablePaths.filter((w) => w.inMemory === true).map((w) => w.path), `allowed: in-memory volumes below the memory limit (${budget.memoryLimitMiB} MiB), which they count against; these need ${memory} MiB: raise resources.memoryLimitMiB or shrink them`);
  }
}
