/**
 * Private helpers shared by Microservice and StatefulService: one validation and one pod template for both (ports,
 * probes, configuration files, secrets, writable paths, the ServiceAccount), topology spread and the preStop pause.
 * Not exported from the library.
 */
import { createHash } from 'node:crypto';
import { ApiObject, JsonPatch } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Container, ContainerPort, EnvVar, PodSpec, Probe, ServicePort, Toleration, TopologySpreadConstraint, Volume, VolumeMount } from 'cdk8s-plus-28/lib/imports/k8s';
import { IntOrString, KubeConfigMap, KubeDeployment, KubeServiceAccount, KubeStatefulSet, Quantity, type KubeDeploymentProps, type KubeStatefulSetProps } from 'cdk8s-plus-28/lib/imports/k8s';
import { STS_REGIONAL_ENDPOINTS_ANNOTATION } from '../model/aws-endpoints';
import { ROLE_ARN_ANNOTATION, portName, serviceAccountName } from '../model/names';
import { requireRoleArn } from '../model/rules';
import { SecretOwnerKind, type ResolvedSecret } from '../model/secrets';
import {
  PortProtocol,
  configMountPath,
  diskVolumesMiB,
  metricsExporterPort,
  ownPorts,
  validateMetricsExporter,
  withMetricsExporter,
  validateServiceVolumes,
  validateWritableVolumeBudget,
  type MetricsExporterSpec,
  type ProbeSpec,
  type ServiceDefinition,
  type ServicePortSpec,
  type TolerationSpec,
  type WritablePathSpec,
} from '../model/service';
import { ValidationError, imageProblem, isDns1123Label, requireDns1123Label, requireIntegerInRange } from '../model/validation';
import { DEFAULT_METRICS_EXPORTER_RESOURCES, Hardening, TMP_VOLUME, addResources, resolveResources, resourceRequirements, type ResolvedResources } from './hardening';
import { demandOf, type QuotaDemand } from './quota';
import { ServiceSecretSync } from './secrets/service-secret-sync';
import { resolveSidecarResources, sidecarAnnotations, type ResolvedSidecarResources } from './sidecar';
import type { WorkloadProps } from './workload-props';

/** The topology keys every workload spreads over. */
export const ZONE_KEY = 'topology.kubernetes.io/zone';
export const HOSTNAME_KEY = 'kubernetes.io/hostname';

/** The container port of a service port. */
export function targetPortOf(p: ServicePortSpec): number {
  return p.targetPort ?? p.port;
}

const IANA_SVC_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9]|-(?!-))*$/;

/**
 * Checks a service's ports: at least one; `<protocol>-<name>` names unique, valid port names (IANA service names,
 * at most 15 characters, as container ports require); port and container port numbers unique and within 1..65535.
 */
function validatePorts(path: string, ports: readonly ServicePortSpec[]): void {
  if (ports.length === 0) {
    throw new ValidationError(path, 'ports', [], 'allowed: one or more ports');
  }
  const names = new Set<string>();
  const numbers = new Set<number>();
  const targets = new Set<number>();
  for (const p of ports) {
    const name = portName(p);
    if (!isDns1123Label(p.name) || name.length > 15 || !IANA_SVC_NAME.test(name)) {
      throw new ValidationError(path, 'ports[].name', name, 'allowed: <protocol>-<name> of at most 15 lower-case letters, digits and single "-" (a Kubernetes port name)');
    }
    if (names.has(name)) {
      throw new ValidationError(path, 'ports[].name', name, `allowed: unique port names (already used: ${[...names].sort().join(', ')})`);
    }
    names.add(name);
    requireIntegerInRange(path, `ports.${p.name}.port`, p.port, 1, 65535);
    requireIntegerInRange(path, `ports.${p.name}.targetPort`, targetPortOf(p), 1, 65535);
    if (numbers.has(p.port)) {
      throw new ValidationError(path, `ports.${p.name}.port`, p.port, 'allowed: unique port numbers');
    }
    if (targets.has(targetPortOf(p))) {
      throw new ValidationError(path, `ports.${p.name}.targetPort`, targetPortOf(p), 'allowed: unique container port numbers');
    }
    numbers.add(p.port);
    targets.add(targetPortOf(p));
  }
}

/** Checks a Kubernetes object name (a DNS-1123 label). */
export function validateName(path: string, field: string, name: string): void {
  requireDns1123Label(path, field, name);
}

/**
 * The checks every workload makes of its service: name and namespace are DNS-1123 labels, ports are valid and
 * unique, there is at least one version, version names are unique labels and every image is pinned.
 */
export function validateServiceIdentity(path: string, svc: ServiceDefinition): void {
  validateName(path, 'service.name', svc.name);
  validateName(path, 'service.namespace', svc.namespace);
  validatePorts(path, svc.ports);
  if (svc.versions.length === 0) {
    throw new ValidationError(path, 'service.versions', [], 'allowed: one or more versions');
  }
  for (const v of svc.versions) {
    validateName(path, 'service.versions[].name', v.name);
    const problem = imageProblem(v.image);
    if (problem) {
      throw new ValidationError(path, `service.versions.${v.name}.image`, v.image, problem);
    }
  }
  if (new Set(svc.versions.map((v) => v.name)).size !== svc.versions.length) {
    throw new ValidationError(path, 'service.versions[].name', svc.versions.map((v) => v.name), 'allowed: unique version names');
  }
  validateMetricsExporter(path, 'service.', svc);
}

/** The name of the metrics exporter's container. */
export const METRICS_EXPORTER_CONTAINER = 'metrics-exporter';

/**
 * The metrics exporter's container: hardened like the service's own (the same security context), its port named
 * like the Service port (`http-metrics`), its resources, and HTTP GET probes of `/metrics` (every exporter serves it):
 * readiness every 10 s, liveness every 20 s, and a startup probe that allows a minute.
 * It mounts only the pod's /tmp.
 */
export function metricsExporterContainer(exporter: MetricsExporterSpec, resources: ResolvedResources, hardening: Hardening): Container {
  const port = metricsExporterPort(exporter);
  const httpGet = { path: '/metrics', port: IntOrString.fromNumber(port.port), scheme: 'HTTP' };
  return {
    name: METRICS_EXPORTER_CONTAINER,
    image: exporter.image,
    imagePullPolicy: 'IfNotPresent',
    args: exporter.args ? [...exporter.args] : undefined,
    ports: containerPorts([port]),
    resources: resourceRequirements(resources),
    securityContext: hardening.containerSecurityContext(),
    readinessProbe: { httpGet, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3, successThreshold: 1 },
    livenessProbe: { httpGet, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3, successThreshold: 1 },
    startupProbe: { httpGet, periodSeconds: 2, timeoutSeconds: 5, failureThreshold: 30, successThreshold: 1 },
    volumeMounts: [{ name: TMP_VOLUME, mountPath: '/tmp' }],
  };
}

/** The container ports, named like the Service ports. */
export function containerPorts(ports: readonly ServicePortSpec[]): ContainerPort[] {
  return ports.map((p) => ({ name: portName(p), containerPort: targetPortOf(p), protocol: 'TCP' }));
}

/** The Service ports: named `<protocol>-<name>`, with `appProtocol` so the mesh knows the protocol either way. */
export function servicePorts(ports: readonly ServicePortSpec[]): ServicePort[] {
  return ports.map((p) => ({
    name: portName(p),
    port: p.port,
    targetPort: IntOrString.fromString(portName(p)),
    protocol: 'TCP',
    appProtocol: p.protocol,
  }));
}

/** Readiness, liveness and startup probes: distinct in purpose, path and timing. */
export interface WorkloadProbes {
  readonly readiness: Probe;
  readonly liveness: Probe;
  readonly startup: Probe;
}

/**
 * Probes from a ProbeSpec. HTTP ports get HTTP GETs on distinct paths; gRPC ports the gRPC health check;
 * other protocols (tcp, tls, redis) a TCP connect. Readiness reacts fast (every 5 s), liveness slowly
 * (every 10 s, 3 failures), and the startup probe gives a slow start up to 2 minutes before liveness begins.
 */
export function probesFor(path: string, spec: ProbeSpec = {}, ports: readonly ServicePortSpec[]): WorkloadProbes {
  const port = spec.port === undefined ? ports[0] : ports.find((p) => p.name === spec.port);
  if (!port) {
    throw new ValidationError(path, 'probes.port', spec.port, `allowed: one of the service's port names (${ports.map((p) => p.name).join(', ')})`);
  }
  const readinessPath = spec.readinessPath ?? '/ready';
  const livenessPath = spec.livenessPath ?? '/healthz';
  const startupPath = spec.startupPath ?? livenessPath;
  for (const [field, value] of [['probes.readinessPath', readinessPath], ['probes.livenessPath', livenessPath], ['probes.startupPath', startupPath]] as const) {
    if (!value.startsWith('/')) {
      throw new ValidationError(path, field, value, 'allowed: an absolute HTTP path starting with "/"');
    }
  }
  const n = targetPortOf(port);
  const action = (httpPath: string): Pick<Probe, 'httpGet' | 'grpc' | 'tcpSocket'> => {
    switch (port.protocol) {
      case PortProtocol.HTTP:
      case PortProtocol.HTTP2:
        return { httpGet: { path: httpPath, port: IntOrString.fromNumber(n), scheme: 'HTTP' } };
      case PortProtocol.GRPC:
        return { grpc: { port: n } };
      default:
        return { tcpSocket: { port: IntOrString.fromNumber(n) } };
    }
  };
  return {
    readiness: { ...action(readinessPath), periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 1 },
    liveness: { ...action(livenessPath), periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3, successThreshold: 1 },
    startup: { ...action(startupPath), periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 60, successThreshold: 1 },
  };
}

/** A deterministic checksum of configuration files: changing a file rolls the pods. */
export function configChecksum(files: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(files).sort()) {
    hash.update(`${key}\0${files[key]}\0`);
  }
  return hash.digest('hex');
}

/** Checks configuration file names (ConfigMap keys). */
export function validateConfigFiles(path: string, files: Readonly<Record<string, string>>): void {
  for (const key of Object.keys(files)) {
    if (!/^[-._a-zA-Z0-9]{1,253}$/.test(key) || key === '.' || key === '..') {
      throw new ValidationError(path, 'configFiles', key, 'allowed: file names of letters, digits, "-", "_" and "." (ConfigMap keys)');
    }
  }
}

/**
 * Spread over zones (at most one pod more in any zone; a pod stays pending rather than pile into one zone)
 * and over nodes (best effort). `matchLabelKeys: pod-template-hash` keeps a rollout's new pods spread on their own.
 */
export function topologySpread(selector: Record<string, string>, options: { readonly zoneWhenUnsatisfiable?: 'DoNotSchedule' | 'ScheduleAnyway'; readonly rollingHash?: boolean } = {}): TopologySpreadConstraint[] {
  const matchLabelKeys = options.rollingHash === false ? undefined : ['pod-template-hash'];
  return [
    { topologyKey: ZONE_KEY, maxSkew: 1, whenUnsatisfiable: options.zoneWhenUnsatisfiable ?? 'DoNotSchedule', labelSelector: { matchLabels: { ...selector } }, matchLabelKeys },
    { topologyKey: HOSTNAME_KEY, maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...selector } }, matchLabelKeys },
  ];
}

/** The pod spec's `nodeSelector`: a sorted copy, or undefined (omitted) when there is no label. */
export function podNodeSelector(nodeSelector: Readonly<Record<string, string>>): Record<string, string> | undefined {
  const keys = Object.keys(nodeSelector).sort();
  return keys.length > 0 ? Object.fromEntries(keys.map((k) => [k, nodeSelector[k]])) : undefined;
}

/**
 * The pod spec's `tolerations`, or undefined (omitted) when there is none: without a value a toleration matches
 * every value of its key (`Exists`), with one only that value (`Equal`); without an effect, every effect.
 */
export function podTolerations(tolerations: readonly TolerationSpec[]): Toleration[] | undefined {
  if (tolerations.length === 0) {
    return undefined;
  }
  return tolerations.map((t) => (t.value === undefined
    ? { key: t.key, operator: 'Exists', effect: t.effect }
    : { key: t.key, operator: 'Equal', value: t.value, effect: t.effect }));
}

/**
 * The JSON patches that give every container of a workload a preStop pause: endpoints are removed while the
 * process still serves, so in-flight requests finish. The hook is the kubelet's built-in sleep (no shell or
 * `sleep` binary needed in the image; Kubernetes 1.30+).
 *
 * Patches rather than props: they are added at construction, before any patch of the user's, so a user's
 * `addJsonPatch` on a container's `lifecycle` is applied after them and wins.
 */
function preStopSleepPatches(containerCount: number, seconds: number): JsonPatch[] {
  return Array.from({ length: containerCount }, (_, i) =>
    JsonPatch.add(`/spec/template/spec/containers/${i}/lifecycle`, { preStop: { sleep: { seconds } } }));
}

/**
 * A Deployment whose containers pause before they stop.
 *
 * A plain ApiObject holding the Deployment as the bindings render it (`KubeDeployment.manifest`) rather than a
 * `KubeDeployment`: the bindings of cdk8s-plus-28 (Kubernetes 1.28) predate the `sleep` action, and
 * `KubeDeployment.toJson` re-renders the patched object through them, which would drop it (and any other field
 * a user's patch adds that Kubernetes 1.28 did not have).
 */
export class DrainingDeployment extends ApiObject {
  constructor(scope: Construct, id: string, props: KubeDeploymentProps, preStopSleepSeconds: number) {
    super(scope, id, KubeDeployment.manifest(props));
    this.addJsonPatch(...preStopSleepPatches(props.spec?.template.spec?.containers.length ?? 0, preStopSleepSeconds));
  }
}

/** A StatefulSet whose containers pause before they stop; an ApiObject for the reason given at {@link DrainingDeployment}. */
export class DrainingStatefulSet extends ApiObject {
  constructor(scope: Construct, id: string, props: KubeStatefulSetProps, preStopSleepSeconds: number) {
    super(scope, id, KubeStatefulSet.manifest(props));
    this.addJsonPatch(...preStopSleepPatches(props.spec?.template.spec?.containers.length ?? 0, preStopSleepSeconds));
  }
}

/** Sorted entries of a record as Kubernetes env vars. */
export function envVars(env: Readonly<Record<string, string>>): Array<{ name: string; value: string }> {
  return Object.keys(env).sort().map((name) => ({ name, value: env[name] }));
}

/**
 * What Microservice and StatefulService resolve and check the same way, in one place: the hardening, resources,
 * proxy, probes, metrics exporter, configuration files, secrets and writable paths of the pods, and the role.
 */
export class WorkloadPod {
  /** The service as the Platform presents it (a metrics exporter's port is its port `metrics`). */
  public readonly service: ServiceDefinition;
  public readonly hardening: Hardening;
  public readonly resources: ResolvedResources;
  /** The injected proxy's resources, or undefined without injection. */
  public readonly sidecar?: ResolvedSidecarResources;
  public readonly probes: WorkloadProbes;
  /** The metrics exporter's resources, or undefined without a `metricsExporter`. */
  public readonly metricsExporterResources?: ResolvedResources;
  /** Configuration files, mounted read-only at `/etc/<service>`. */
  public readonly configFiles: Readonly<Record<string, string>>;
  /** The secrets the pods read (own and data stores'). */
  public readonly secrets: readonly ResolvedSecret[];
  /** The paths the image writes, each an emptyDir. */
  public readonly writablePaths: readonly WritablePathSpec[];
  /** The IRSA role of the pods' ServiceAccount, for their own AWS calls (none for secrets: ESO reads them as the reader). */
  public readonly roleArn?: string;
  /** Node labels the pods require ({} for any node). */
  public readonly nodeSelector: Readonly<Record<string, string>>;
  /** Node taints the pods tolerate. */
  public readonly tolerations: readonly TolerationSpec[];

  private readonly path: string;
  private readonly props: WorkloadProps;

  /**
   * Validates `props.service` and the options every workload shares (one validation for both kinds).
   * @param path the workload's construct path, for errors
   */
  constructor(path: string, declared: ServiceDefinition, props: WorkloadProps) {
    this.path = path;
    this.props = props;
    validateServiceIdentity(path, declared);
    const svc = withMetricsExporter(declared);
    this.service = svc;
    if (props.roleArn !== undefined) {
      requireRoleArn(path, 'roleArn', props.roleArn);
    }
    this.roleArn = props.roleArn;
    this.hardening = new Hardening(path, props.hardening);
    this.resources = resolveResources(path, svc.resources);
    this.sidecar = props.sidecar === false ? undefined : resolveSidecarResources(path, props.sidecar);
    this.probes = probesFor(path, svc.probes, ownPorts(svc));
    this.metricsExporterResources = svc.metricsExporter
      ? resolveResources(path, svc.metricsExporter.resources, DEFAULT_METRICS_EXPORTER_RESOURCES, 'service.metricsExporter.resources')
      : undefined;
    this.configFiles = svc.configFiles ?? {};
    validateConfigFiles(path, this.configFiles);
    this.nodeSelector = props.nodeSelector ?? {};
    this.tolerations = props.tolerations ?? [];
    // the model's rules for secrets, writable paths and mounts, then what only the workload knows: /tmp's size
    validateServiceVolumes(path, 'service.', svc);
    this.writablePaths = svc.writablePaths ?? [];
    validateWritableVolumeBudget(path, 'service.', {
      tmpSizeMiB: this.hardening.tmpSizeLimitMiB,
      tmpSizeField: 'hardening.tmpSizeLimitMiB',
      writablePaths: this.writablePaths,
      ephemeralStorageLimitMiB: this.resources.ephemeralStorageLimitMiB,
      memoryLimitMiB: this.resources.memoryLimitMiB,
    });
    this.secrets = props.secrets?.secrets ?? [];
    const given = new Set(this.secrets.filter((s) => s.owner === SecretOwnerKind.SERVICE).map((s) => s.name));
    const missing = (svc.secrets ?? []).filter((s) => !given.has(s.name)).map((s) => s.name);
    if (missing.length > 0) {
      throw new ValidationError(path, 'secrets', missing, 'allowed: the secrets the service declares, resolved: pass secrets: { region, secrets: platform.secretsOf(env, service) }');
    }
    const names = new Set<string>();
    const variables = new Map<string, string>(Object.keys(svc.env ?? {}).map((v) => [v, 'the plain env']));
    for (const secret of this.secrets) {
      if (names.has(secret.name)) {
        throw new ValidationError(path, 'secrets', secret.name, 'allowed: each secret name once (an own secret and a data store the service calls share it)');
      }
      names.add(secret.name);
      for (const variable of Object.keys(secret.env)) {
        const owner = variables.get(variable);
        if (owner !== undefined) {
          throw new ValidationError(path, `secrets.${secret.name}.env`, variable, `allowed: a variable set once per container (already set by ${owner})`);
        }
        variables.set(variable, `secret ${secret.name}`);
      }
    }
  }

  /**
   * The pods' ServiceAccount (id `ServiceAccount` under `scope`), annotated with `roleArn` only when there is one: a
   * service that only reads secrets gets no AWS credential in its pods.
   */
  public serviceAccount(scope: Construct, labels: Record<string, string>, automountServiceAccountToken: boolean): KubeServiceAccount {
    return new KubeServiceAccount(scope, 'ServiceAccount', {
      metadata: {
        name: serviceAccountName(this.service),
        namespace: this.service.namespace,
        labels,
        annotations: this.roleArn ? { [ROLE_ARN_ANNOTATION]: this.roleArn, [STS_REGIONAL_ENDPOINTS_ANNOTATION]: 'true' } : undefined,
      },
      automountServiceAccountToken,
    });
  }

  /** The ConfigMap of the configuration files (id `Config` under `scope`), or undefined without any. */
  public configMap(scope: Construct, labels: Record<string, string>): KubeConfigMap | undefined {
    const keys = Object.keys(this.configFiles).sort();
    if (keys.length === 0) {
      return undefined;
    }
    const name = this.configMapName;
    validateName(this.path, 'configMap name', name);
    return new KubeConfigMap(scope, 'Config', {
      metadata: { name, namespace: this.service.namespace, labels },
      data: Object.fromEntries(keys.map((k) => [k, this.configFiles[k]])),
      immutable: false,
    });
  }

  /** The secrets reader ServiceAccount, SecretStore and ExternalSecrets (id `Secrets` under `scope`), or undefined without secrets. */
  public secretSync(scope: Construct, labels: Record<string, string>): ServiceSecretSync | undefined {
    if (this.secrets.length === 0 || this.props.secrets === undefined) {
      return undefined;
    }
    return new ServiceSecretSync(scope, 'Secrets', {
      serviceName: this.service.name,
      namespace: this.service.namespace,
      readerRoleArn: this.props.secrets.readerRoleArn,
      region: this.props.secrets.region,
      secrets: this.secrets,
      refreshInterval: this.props.secrets.refreshInterval,
      labels,
    });
  }

  /** The ConfigMap's name, `<service>-config`. */
  public get configMapName(): string {
    return `${this.service.name}-config`;
  }

  /** The pod's annotations: a checksum that rolls pods when configuration changes, and the proxy's resources. */
  public podAnnotations(): Record<string, string> | undefined {
    const annotations: Record<string, string> = {
      ...(Object.keys(this.configFiles).length > 0 ? { 'checksum/config': configChecksum(this.configFiles) } : {}),
      ...(this.sidecar ? sidecarAnnotations(this.sidecar) : {}),
    };
    return Object.keys(annotations).length > 0 ? annotations : undefined;
  }

  /**
   * The pod's volumes: /tmp (and any insecure host paths), the configuration files (read-only, 0444), an emptyDir per
   * writable path (its size the limit; tmpfs when in memory), a `secret` volume per mounted secret (0400).
   */
  public volumes(): Volume[] {
    const out: Volume[] = [...this.hardening.volumes()];
    if (Object.keys(this.configFiles).length > 0) {
      out.push({ name: 'config', configMap: { name: this.configMapName, defaultMode: 0o444 } });
    }
    this.writablePaths.forEach((w, i) => out.push({
      name: writableVolumeName(i),
      emptyDir: { sizeLimit: Quantity.fromString(`${w.sizeMiB}Mi`), ...(w.inMemory === true ? { medium: 'Memory' } : {}) },
    }));
    for (const s of this.secrets.filter((x) => x.mountPath !== undefined)) {
      out.push({ name: secretVolumeName(s), secret: { secretName: s.kubernetesSecretName, defaultMode: 0o400 } });
    }
    return out;
  }

  /** The main container's mounts: /tmp, configuration (read-only), writable paths (read-write), secrets (read-only). */
  public volumeMounts(): VolumeMount[] {
    const out: VolumeMount[] = [...this.hardening.volumeMounts()];
    if (Object.keys(this.configFiles).length > 0) {
      out.push({ name: 'config', mountPath: configMountPath(this.service.name), readOnly: true });
    }
    this.writablePaths.forEach((w, i) => out.push({ name: writableVolumeName(i), mountPath: w.path }));
    for (const s of this.secrets.filter((x) => x.mountPath !== undefined)) {
      out.push({ name: secretVolumeName(s), mountPath: s.mountPath as string, readOnly: true });
    }
    return out;
  }

  /** The main container's variables: the plain ones, then those from secrets (`secretKeyRef`), sorted by name. */
  public env(): EnvVar[] | undefined {
    const plain: EnvVar[] = envVars(this.service.env ?? {});
    const fromSecrets: EnvVar[] = this.secrets.flatMap((s) => Object.keys(s.env).map((name) => ({
      name,
      valueFrom: { secretKeyRef: { name: s.kubernetesSecretName, key: s.env[name], optional: false } },
    })));
    const all = [...plain, ...fromSecrets].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return all.length > 0 ? all : undefined;
  }

  /** The main container of a version's pods. */
  public mainContainer(image: string, args?: readonly string[]): Container {
    return {
      name: this.service.name,
      image,
      imagePullPolicy: 'IfNotPresent',
      args: args ? [...args] : undefined,
      ports: containerPorts(ownPorts(this.service)),
      env: this.env(),
      resources: resourceRequirements(this.resources),
      securityContext: this.hardening.containerSecurityContext(),
      readinessProbe: this.probes.readiness,
      livenessProbe: this.probes.liveness,
      startupProbe: this.probes.startup,
      volumeMounts: this.volumeMounts(),
    };
  }

  /** The pod spec of a version: hardened, spread, scheduled, with the main container and the metrics exporter. */
  public podSpec(options: PodSpecOptions): PodSpec {
    return {
      serviceAccountName: serviceAccountName(this.service),
      automountServiceAccountToken: options.automountServiceAccountToken,
      enableServiceLinks: false,
      hostNetwork: this.hardening.insecure.hostNetwork === true ? true : undefined,
      securityContext: this.hardening.podSecurityContext(),
      terminationGracePeriodSeconds: options.terminationGracePeriodSeconds,
      topologySpreadConstraints: options.topologySpreadConstraints,
      nodeSelector: podNodeSelector(this.nodeSelector),
      tolerations: podTolerations(this.tolerations),
      containers: [this.mainContainer(options.image, options.args), ...this.exporterContainers()],
      volumes: this.volumes(),
    };
  }

  /**
   * The quota demand of `replicas` pods: their containers (and proxies), each pod's ephemeral-storage request counted
   * as at least what its emptyDirs on disk may fill (/tmp and the writable paths).
   */
  public quotaDemand(replicas: number, persistentVolumeClaimsPerPod = 0): QuotaDemand {
    const perPod = this.metricsExporterResources ? addResources(this.resources, this.metricsExporterResources) : this.resources;
    const disk = diskVolumesMiB(this.hardening.tmpSizeLimitMiB, this.writablePaths);
    return demandOf({ ...perPod, ephemeralStorageRequestMiB: Math.max(perPod.ephemeralStorageRequestMiB, disk) }, replicas, persistentVolumeClaimsPerPod, this.sidecar);
  }

  private exporterContainers(): Container[] {
    const exporter = this.service.metricsExporter;
    return exporter && this.metricsExporterResources ? [metricsExporterContainer(exporter, this.metricsExporterResources, this.hardening)] : [];
  }
}

/** What differs between the pod specs of the two workload kinds. */
export interface PodSpecOptions {
  readonly image: string;
  readonly args?: readonly string[];
  readonly automountServiceAccountToken: boolean;
  readonly terminationGracePeriodSeconds: number;
  readonly topologySpreadConstraints: TopologySpreadConstraint[];
}

/** The volume of the writable path at `index`. */
function writableVolumeName(index: number): string {
  return `writable-${index}`;
}

/** The volume of a mounted secret, `secret-<name>`. */
function secretVolumeName(secret: ResolvedSecret): string {
  return `secret-${secret.name}`;
}
