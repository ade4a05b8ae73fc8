/**
 * The platform model: environments and the service catalog, validated when built.
 * Both worlds (lib/aws, lib/k8s) read it; it imports nothing of either.
 */
import { partitionOf } from './aws-data';
import { awsExternalEndpoints, awsServiceEndpoints, dnsSuffixOf } from './aws-endpoints';
import { cidrsOverlap, kubernetesServiceCidrOf, kubernetesServiceCidrProblem, tryParseCidr, type Cidr } from './cidr';
import type { EnvironmentConfig, NamespaceQuotaConfig, NodeGroupConfig } from './environment';
import { qualifiedName, secretsReaderServiceAccountName, serviceAccountName, serviceAccountRoleArn } from './names';
import { arnPartition } from './partition';
import { SERVICE_ALERTS, type AlertOverride, type ObservabilityConfig } from './observability';
import { validateBackupRules } from './backup-rules';
import { validateRelease } from './release';
import { isLabelKey, isLabelValue, replicaFloor, requireAccountId, requireRegion, requireRoleArn, validateIamStatements, validateNodeGroupConfigs, validatePublicAccessCidrs } from './rules';
import { WorkloadKind, validateMetricsExporter, validateServiceVolumes, withMetricsExporter, type ExternalEndpointSpec, type ServiceDefinition, type TolerationSpec } from './service';
import { ValidationError, imageProblem, isDns1123Label } from './validation';
import { dataStoreEnv, dataStoreKey, resolveDataStore, validateDataStores, type DataStoreDefinition, type ResolvedDataStore } from './data-stores';
import { SecretOwnerKind, kubernetesSecretName, resolveServiceSecrets, secretsManagerSecretName, validateSecretsReaders, type ResolvedSecret } from './secrets';
import { validateGitOps, type GitOpsConfig } from './gitops';
import { validateAwsTags, validateEnvironmentFields, validateObservabilityFields, validatePublicRoutes, validateServiceFields, validateShapes } from './field-domains';

/**
 * Namespaces a platform service may not run in: Kubernetes' own, and the mesh's. The platform labels its
 * namespaces restricted, denies all traffic by default and turns on STRICT mTLS; in `kube-system` that would cut
 * off cluster DNS.
 */
export const RESERVED_NAMESPACES: readonly string[] = ['default', 'istio-system', 'kube-node-lease', 'kube-public', 'kube-system'];

/** Options for a {@link Platform}. */
export interface PlatformProps {
  /** Short name of the platform, a DNS-1123 label of at most 20 characters (it prefixes cluster, bucket and role names). */
  readonly name: string;
  /** The environments, each name at most once. */
  readonly environments: readonly EnvironmentConfig[];
  /** The service catalog. @default [] */
  readonly services?: readonly ServiceDefinition[];
  /** The data stores (PostgreSQL, Redis), placed per environment (`EnvironmentConfig.dataStores`). @default [] */
  readonly dataStores?: readonly DataStoreDefinition[];
  /** Tags on every AWS resource of every environment. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /** How the platform is operated: monitoring, alert routing, runbooks, log shipping. @default none: no monitoring objects (a named weakening) */
  readonly observability?: ObservabilityConfig;
  /**
   * The ECR registry of the platform's images: one account and region for every environment, one repository per
   * service (`<platform>/<service>`). The stack of the first environment in that account and region creates it;
   * when no environment is there (a dedicated registry account), deploy a `ContainerRegistry` in a stack of that
   * account. Environments in other accounts get pull access through the repository policies.
   * @default the account and region of the first environment, created by that environment's stack
   */
  readonly registry?: ContainerRegistryConfig;
  /**
   * Registries other than the platform's own that service images may come from: a host (`public.ecr.aws`,
   * `docker.io` for images without a host), a host with a path prefix (`public.ecr.aws/docker/library`), or one
   * repository (`docker.io/oliver006/redis_exporter`). An image from anywhere else is refused.
   * @default []: only the platform's own registry
   */
  readonly allowedImageRegistries?: readonly string[];
  /**
   * The Git repository Argo CD reads the synthesized YAML from: with it, every environment's folder gets an Argo CD
   * Application (app of apps) that syncs it, automated or manual per environment (`EnvironmentConfig.gitops`).
   * @default none: no Application for the platform's own folders (point Argo CD or Flux at `dist/<env>/` by hand)
   */
  readonly gitops?: GitOpsConfig;
}

/** Where the platform's container images live (see {@link PlatformProps.registry}). */
export interface ContainerRegistryConfig {
  /** The AWS account id of the registry, 12 digits. */
  readonly accountId: string;
  /** The region of the registry, in the partition of the environments. */
  readonly region: string;
  /** Tagged images (releases) each repository keeps, the newest; older ones expire. @default 30 */
  readonly keepReleases?: number;
  /** Days an untagged image is kept after its push. @default 7 */
  readonly untaggedExpiryDays?: number;
}

/** The platform's registry with its defaults resolved. */
export interface ResolvedContainerRegistry {
  readonly accountId: string;
  readonly region: string;
  readonly keepReleases: number;
  readonly untaggedExpiryDays: number;
  /** The registry's host, `<account>.dkr.ecr.<region>.amazonaws.com`. */
  readonly host: string;
}

/** Tagged images a repository keeps by default. */
export const DEFAULT_KEEP_RELEASES = 30;
/** Days an untagged image is kept by default. */
export const DEFAULT_UNTAGGED_EXPIRY_DAYS = 7;

const K8S_VERSION = /^1\.\d{2}$/;
/** The largest int32, the bound of Kubernetes replica counts. */
const MAX_INT32 = 2147483647;

/** The validated platform model. */
export class Platform {
  /** The platform's name. */
  public readonly name: string;
  /** The environments, in the order given. */
  public readonly environments: readonly EnvironmentConfig[];
  /**
   * The service catalog, in the order given, as the platform presents it: a service with a `metricsExporter` has
   * the exporter's port as its port `metrics` and its `metricsPort` (see `withMetricsExporter`).
   */
  public readonly services: readonly ServiceDefinition[];
  /** The data stores, in the order given. */
  public readonly dataStores: readonly DataStoreDefinition[];
  /** Tags on every AWS resource. */
  public readonly tags: Readonly<Record<string, string>>;
  /** How the platform is operated, when it says. */
  public readonly observability?: ObservabilityConfig;
  /** The ECR registry of the platform's images, defaults resolved. */
  public readonly registry: ResolvedContainerRegistry;
  /** Registries (hosts or host/path prefixes) images may come from besides {@link registry}. */
  public readonly allowedImageRegistries: readonly string[];
  /** The Git repository Argo CD reads the output from, when the platform says. */
  public readonly gitops?: GitOpsConfig;

  private readonly path: string;
  /** Callers of each service by `namespace/name`, built once: callersOf is then linear in its answer. */
  private readonly callers: ReadonlyMap<string, readonly ServiceDefinition[]>;
  /** The services by `namespace/name`. */
  private readonly byKey: ReadonlyMap<string, ServiceDefinition>;
  /** The data stores by `namespace/name`. */
  private readonly storesByKey: ReadonlyMap<string, DataStoreDefinition>;

  constructor(props: PlatformProps) {
    this.path = `Platform(${props.name})`;
    // a value of the wrong kind (a string for a list, a number for a name) is refused before any rule reads into it
    validateShapes(this.path, props);
    if (!isDns1123Label(props.name) || props.name.length > 20 || !/^[a-z]/.test(props.name)) {
      throw new ValidationError(this.path, 'name', props.name, 'allowed: a DNS-1123 label of at most 20 characters starting with a letter (it starts RDS and ElastiCache identifiers, which must)');
    }
    this.name = props.name;
    this.environments = props.environments;
    this.services = props.services ?? [];
    this.dataStores = props.dataStores ?? [];
    this.tags = props.tags ?? {};
    this.observability = props.observability;
    this.gitops = props.gitops;
    validateAwsTags(this.path, 'tags', this.tags);
    this.validateEnvironments();
    validateObservabilityFields(this.path, this.observability);
    validateGitOps(this.path, this.gitops, this.environments);
    this.registry = resolveRegistry(this.path, props.registry ?? { accountId: this.environments[0].accountId, region: this.environments[0].region }, this.environments);
    this.allowedImageRegistries = props.allowedImageRegistries ?? [];
    validateAllowedImageRegistries(this.path, this.allowedImageRegistries);
    validateDataStores(this.path, this.dataStores, this.environments, new Set(this.services.map(qualifiedName)), (ns) => RESERVED_NAMESPACES.includes(ns) || ns.startsWith('kube-'));
    this.storesByKey = new Map(this.dataStores.map((d) => [dataStoreKey(d), d]));
    this.validateServices();
    // the ServiceAccounts External Secrets reads each service's secrets as: names within limits, clashing with none
    validateSecretsReaders(this.path, this.services.filter((s) => (s.secrets ?? []).length > 0 || this.dataStoresCalledBy(s).length > 0), this.services, this.dataStores);
    // normalised once, after validation of the services as declared: every reader then sees the exporter's port
    this.services = this.services.map(withMetricsExporter);
    this.byKey = new Map(this.services.map((svc) => [qualifiedName(svc), svc]));
    this.validateEnvironmentsAgainstServices();
    this.callers = this.indexCallers();
  }

  /** The environment called `name`; throws for a name the platform does not have. */
  public environment(name: string): EnvironmentConfig {
    const env = this.environments.find((e) => e.name === name);
    if (!env) {
      throw new ValidationError(this.path, 'environment', name, `allowed: one of ${this.environments.map((e) => e.name).join(', ')}`);
    }
    return env;
  }

  /**
   * The service a reference names: `name` (in `fromNamespace`) or `namespace/name`.
   * Throws if there is none.
   */
  public service(ref: string, fromNamespace?: string): ServiceDefinition {
    const [ns, name] = ref.includes('/') ? ref.split('/', 2) : [fromNamespace, ref];
    // by `namespace/name` from the index (linear synths of large catalogs), else the first of that name
    const found = ns !== undefined ? this.byKey.get(`${ns}/${name}`) : this.services.find((s) => s.name === name);
    if (!found) {
      throw new ValidationError(this.path, 'service', ref, `allowed: one of ${summarize(this.services.map(qualifiedName))}`);
    }
    return found;
  }

  /** The services `service` calls, resolved, in declaration order (the data stores it calls are in {@link dataStoresCalledBy}). */
  public calleesOf(service: ServiceDefinition): ServiceDefinition[] {
    return (service.calls ?? []).filter((ref) => this.findDataStore(ref, service.namespace) === undefined).map((ref) => this.service(ref, service.namespace));
  }

  /** The data store a reference names (`namespace/name`, or `name` in `fromNamespace`), if one does. */
  public findDataStore(ref: string, fromNamespace?: string): DataStoreDefinition | undefined {
    return this.storesByKey.get(ref.includes('/') ? ref : `${fromNamespace}/${ref}`);
  }

  /** The data stores `service` calls, in `calls` order, each once. */
  public dataStoresCalledBy(service: ServiceDefinition): DataStoreDefinition[] {
    const found = (service.calls ?? []).map((ref) => this.findDataStore(ref, service.namespace)).filter((d): d is DataStoreDefinition => d !== undefined);
    return [...new Set(found)];
  }

  /** The services that call a data store, sorted by namespace and name. */
  public callersOfDataStore(store: DataStoreDefinition): ServiceDefinition[] {
    return this.services.filter((s) => this.dataStoresCalledBy(s).includes(store)).sort((a, b) => qualifiedName(a).localeCompare(qualifiedName(b)));
  }

  /** Every data store as an environment runs it (defaults applied, placement decided), in declaration order. */
  public dataStoresIn(env: EnvironmentConfig): ResolvedDataStore[] {
    return this.dataStores.map((d) => resolveDataStore(d, env.dataStores));
  }

  /** The services that declare they call `service`, sorted by namespace and name. */
  public callersOf(service: ServiceDefinition): ServiceDefinition[] {
    return [...(this.callers.get(qualifiedName(service)) ?? [])];
  }

  private indexCallers(): Map<string, ServiceDefinition[]> {
    const byKey = new Map(this.services.map((s) => [qualifiedName(s), s]));
    const callers = new Map<string, ServiceDefinition[]>();
    for (const caller of this.services) {
      for (const ref of new Set(caller.calls ?? [])) {
        const key = ref.includes('/') ? ref : `${caller.namespace}/${ref}`;
        const list = callers.get(key) ?? [];
        if (byKey.has(key) && !list.includes(caller)) {
          list.push(caller);
          callers.set(key, list);
        }
      }
    }
    for (const list of callers.values()) {
      list.sort((a, b) => qualifiedName(a).localeCompare(qualifiedName(b)));
    }
    return callers;
  }

  /**
   * The secrets a service reads in an environment: its own (`ServiceDefinition.secrets`), then the credentials of
   * every data store it calls, in `calls` order. Both worlds read this: the AWS side grants the service's role exactly
   * these secrets, the Kubernetes side syncs and mounts exactly these.
   */
  public secretsOf(env: EnvironmentConfig, service: ServiceDefinition): ResolvedSecret[] {
    return [...this.ownSecretsOf(env, service), ...this.dataStoreSecretsOf(env, service)];
  }

  /** The service's own secrets, resolved (`ServiceDefinition.secrets`). */
  private ownSecretsOf(env: EnvironmentConfig, service: ServiceDefinition): ResolvedSecret[] {
    return resolveServiceSecrets(this.name, env.name, service);
  }

  /**
   * The credentials of the data stores the service calls, resolved: one secret per store, at
   * `<platform>/<env>/<store namespace>/<store>` (the store creates it, in both placements), as `<STORE>_<KEY>` variables.
   */
  private dataStoreSecretsOf(env: EnvironmentConfig, service: ServiceDefinition): ResolvedSecret[] {
    return this.dataStoresCalledBy(service).map((store) => ({
      name: store.name,
      owner: SecretOwnerKind.DATA_STORE,
      secretsManagerName: secretsManagerSecretName(this.name, env.name, store.namespace, store.name),
      kubernetesSecretName: kubernetesSecretName(service.name, store.name),
      env: dataStoreEnv(store),
      description: `Credentials of data store ${dataStoreKey(store)} (${store.engine})`,
    }));
  }

  /** The platform namespaces (of the services and the data stores), sorted. */
  public namespaces(): string[] {
    return [...new Set([...this.services.map((s) => s.namespace), ...this.dataStores.map((d) => d.namespace)])].sort();
  }

  /** The autoscaler bounds of a service in an environment, after the environment's per-service overrides. */
  public replicaBounds(env: EnvironmentConfig, service: ServiceDefinition): { readonly min: number; readonly max: number } {
    const override = env.kubernetes.serviceOverrides?.[service.name] ?? {};
    return {
      min: override.minReplicas ?? env.kubernetes.minReplicas,
      max: override.maxReplicas ?? env.kubernetes.maxReplicas,
    };
  }

  /** Replicas of a stateful service in an environment: the environment's override, else the service's `replicas`, else 1. */
  public statefulReplicas(env: EnvironmentConfig, service: ServiceDefinition): number {
    return env.kubernetes.serviceOverrides?.[service.name]?.replicas ?? service.replicas ?? 1;
  }

  /** The quota of a namespace in an environment: its entry in `namespaceQuotas`, else `namespaceQuota`. */
  public namespaceQuota(env: EnvironmentConfig, namespace: string): NamespaceQuotaConfig {
    return env.kubernetes.namespaceQuotas?.[namespace] ?? env.kubernetes.namespaceQuota;
  }

  /** Where a service's pods may run in an environment: node labels they require and taints they tolerate. */
  public schedulingOf(env: EnvironmentConfig, service: ServiceDefinition): { readonly nodeSelector: Readonly<Record<string, string>>; readonly tolerations: readonly TolerationSpec[] } {
    return {
      nodeSelector: env.kubernetes.serviceOverrides?.[service.name]?.nodeSelector ?? service.nodeSelector ?? {},
      tolerations: service.tolerations ?? [],
    };
  }

  /**
   * Every endpoint outside the cluster a service calls in an environment: its `externalEndpoints`, then the AWS
   * services its `awsPermissions` call, STS first (see lib/model/aws-endpoints.ts). The mesh and the NetworkPolicy
   * both open exactly these.
   */
  public externalEndpointsOf(env: EnvironmentConfig, service: ServiceDefinition): ExternalEndpointSpec[] {
    return [...(service.externalEndpoints ?? []), ...awsExternalEndpoints(env.region, env.vpcCidr, service.awsPermissions ?? [], env.privateAwsEndpoints ?? true)];
  }

  /**
   * The interface endpoints an environment's VPC needs, sorted: those of the AWS services the services' pods call
   * (STS first, from `awsPermissions`), and STS and Secrets Manager whenever External Secrets Operator runs (a service
   * reads a secret, or there are data stores): its controller, not the services' pods, exchanges each secrets reader
   * ServiceAccount's token at STS and reads Secrets Manager (docs/secrets.md).
   */
  public interfaceEndpointsOf(env: EnvironmentConfig): string[] {
    if (env.privateAwsEndpoints === false) {
      return [];
    }
    const names = this.services.flatMap((s) => awsServiceEndpoints(env.region, s.awsPermissions ?? []).map((e) => e.interfaceEndpoint));
    // External Secrets Operator exchanges the secrets reader's token at STS and reads Secrets Manager (docs/secrets.md)
    const secrets = this.dataStores.length > 0 || this.services.some((s) => this.secretsOf(env, s).length > 0) ? ['sts', 'secretsmanager'] : [];
    return [...new Set([...names, ...secrets].filter((n): n is string => n !== undefined))].sort();
  }

  /**
   * The ARN of the IAM role of the service's pods (the IRSA role of its own ServiceAccount) in an environment, or
   * undefined when the pods call no AWS API (`awsPermissions` empty or absent). Reading secrets gives the pods no role:
   * External Secrets Operator reads them as the service's secrets reader ({@link secretsReaderRoleArn}).
   */
  public serviceRoleArn(env: EnvironmentConfig, service: ServiceDefinition): string | undefined {
    if (!service.awsPermissions || service.awsPermissions.length === 0) {
      return undefined;
    }
    return serviceAccountRoleArn(this.name, env.name, env.accountId, service.namespace, serviceAccountName(service), arnPartition(env.region));
  }

  /**
   * The ARN of the service's secrets reader role in an environment: the IRSA role of the ServiceAccount
   * `<service>-secrets` (`secretsReaderServiceAccountName`) that External Secrets Operator authenticates as, allowed
   * `secretsmanager:GetSecretValue` on exactly the service's secrets ({@link secretsOf}); undefined when it reads none.
   * No pod runs as that ServiceAccount.
   */
  public secretsReaderRoleArn(env: EnvironmentConfig, service: ServiceDefinition): string | undefined {
    if (this.secretsOf(env, service).length === 0) {
      return undefined;
    }
    return serviceAccountRoleArn(this.name, env.name, env.accountId, service.namespace, secretsReaderServiceAccountName(service), arnPartition(env.region));
  }

  /** The ECR repository name of a service: `<platform>/<service>`. */
  public repositoryName(service: Pick<ServiceDefinition, 'name'>): string {
    return containerRepositoryName(this.name, service);
  }

  /** The URL of a service's ECR repository, `<registry host>/<platform>/<service>` (an image without its tag). */
  public repositoryUrl(service: Pick<ServiceDefinition, 'name'>): string {
    return `${this.registry.host}/${this.repositoryName(service)}`;
  }

  /** The environment whose stack creates the registry: the first in its account and region; undefined for a registry account of its own. */
  public registryEnvironment(): EnvironmentConfig | undefined {
    return this.environments.find((e) => e.accountId === this.registry.accountId && e.region === this.registry.region);
  }

  private validateEnvironments(): void {
    if (this.environments.length === 0) {
      throw new ValidationError(this.path, 'environments', [], 'allowed: one or more environments');
    }
    const seen = new Map<string, Cidr>();
    for (const env of this.environments) {
      const at = (field: string) => `environments.${env.name}.${field}`;
      if (!isDns1123Label(env.name) || env.name.length > 20) {
        throw new ValidationError(this.path, 'environments[].name', env.name, 'allowed: a DNS-1123 label of at most 20 characters (dev, qa, prod-eu)');
      }
      if (env.name === 'registry') {
        throw new ValidationError(this.path, 'environments[].name', env.name, 'allowed: any DNS label but registry (the name of the container registry\'s stack)');
      }
      if (seen.has(env.name)) {
        throw new ValidationError(this.path, 'environments[].name', env.name, 'allowed: each environment once');
      }
      requireAccountId(this.path, at('accountId'), env.accountId);
      requireRegion(this.path, at('region'), env.region);
      validateZones(this.path, at('availabilityZones'), env.region, env.availabilityZones);
      const cidr = tryParseCidr(env.vpcCidr);
      if (typeof cidr === 'string' || cidr.prefixLength < 16 || cidr.prefixLength > 22) {
        throw new ValidationError(this.path, at('vpcCidr'), env.vpcCidr, 'allowed: an IPv4 network CIDR with a prefix from /16 to /22');
      }
      for (const [other, otherCidr] of seen) {
        if (cidrsOverlap(cidr, otherCidr)) {
          throw new ValidationError(this.path, at('vpcCidr'), env.vpcCidr, `allowed: a CIDR that does not overlap environment ${other}'s ${otherCidr.text}`);
        }
      }
      seen.set(env.name, cidr);
      const serviceCidr = kubernetesServiceCidrOf(env);
      const serviceCidrProblem = kubernetesServiceCidrProblem(serviceCidr, env.vpcCidr);
      if (serviceCidrProblem !== undefined) {
        throw new ValidationError(this.path, at('kubernetesServiceCidr'), serviceCidr, `${serviceCidrProblem}${env.kubernetesServiceCidr === undefined ? ' (the default; set kubernetesServiceCidr to another block)' : ''}`);
      }
      if (!K8S_VERSION.test(env.kubernetesVersion)) {
        throw new ValidationError(this.path, at('kubernetesVersion'), env.kubernetesVersion, 'allowed: a pinned minor version such as 1.33');
      }
      validateNodeGroupConfigs(this.path, at('nodeGroups'), env.nodeGroups);
      for (const arn of env.clusterAdminRoleArns ?? []) {
        requireRoleArn(this.path, at('clusterAdminRoleArns'), arn);
      }
      validatePublicAccessCidrs(this.path, at('publicApiAccessCidrs'), env.publicApiAccessCidrs ?? []);
      validateKubernetes(this.path, env);
      validateBackup(this.path, env);
      validateEnvironmentFields(this.path, this.name, this.tags, env);
    }
  }

  /** What an environment says about services and namespaces, checked against the catalog. */
  private validateEnvironmentsAgainstServices(): void {
    const namespaces = this.namespaces();
    for (const env of this.environments) {
      const at = (field: string) => `environments.${env.name}.kubernetes.${field}`;
      for (const name of Object.keys(env.kubernetes.serviceOverrides ?? {})) {
        if (!this.services.some((s) => s.name === name)) {
          throw new ValidationError(this.path, at('serviceOverrides'), name, `allowed: services of the catalog (${summarize(this.services.map((s) => s.name))})`);
        }
      }
      for (const ns of Object.keys(env.kubernetes.namespaceQuotas ?? {})) {
        if (!namespaces.includes(ns)) {
          throw new ValidationError(this.path, at('namespaceQuotas'), ns, `allowed: namespaces of the platform (${namespaces.join(', ')})`);
        }
      }
      for (const svc of this.services) {
        const override = env.kubernetes.serviceOverrides?.[svc.name];
        const stateful = (svc.kind ?? WorkloadKind.DEPLOYMENT) === WorkloadKind.STATEFUL;
        const podQuota = this.namespaceQuota(env, svc.namespace).pods;
        const { max } = this.replicaBounds(env, svc);
        if (!stateful && max > podQuota) {
          throw new ValidationError(this.path, at(override?.maxReplicas !== undefined ? `serviceOverrides.${svc.name}.maxReplicas` : 'maxReplicas'), max, `allowed: at most the pods of namespace ${svc.namespace}'s quota (${podQuota}); service ${svc.name} could never reach its autoscaler maximum, and the namespace's quota check refuses it later`);
        }
        if (override?.replicas !== undefined && (!stateful || !Number.isInteger(override.replicas) || override.replicas < 1)) {
          throw new ValidationError(this.path, at(`serviceOverrides.${svc.name}.replicas`), override.replicas, stateful ? 'allowed: a whole number, 1 or more' : 'allowed: replicas only for a stateful service; a stateless one takes minReplicas and maxReplicas');
        }
        if (stateful && Number.isInteger(podQuota) && this.statefulReplicas(env, svc) > podQuota) {
          const field = override?.replicas !== undefined ? at(`serviceOverrides.${svc.name}.replicas`) : `services.${svc.name}.replicas`;
          throw new ValidationError(this.path, field, this.statefulReplicas(env, svc), `allowed: at most the pods of namespace ${svc.namespace}'s quota in ${env.name} (${podQuota}); the StatefulSet could never run them all`);
        }
        if (stateful && (override?.minReplicas !== undefined || override?.maxReplicas !== undefined)) {
          throw new ValidationError(this.path, at(`serviceOverrides.${svc.name}`), override, 'allowed: replicas for a stateful service (it is not autoscaled); minReplicas and maxReplicas are for stateless ones');
        }
        const { nodeSelector, tolerations } = this.schedulingOf(env, svc);
        validateScheduling(this.path, at(`serviceOverrides.${svc.name}.`), override?.nodeSelector ?? {}, []);
        if (!env.nodeGroups.some((g) => canRunOn(g, nodeSelector, tolerations))) {
          throw new ValidationError(this.path, `services.${svc.name}.nodeSelector`, nodeSelector, `allowed: labels of a node group of ${env.name} whose taints the service tolerates (${env.nodeGroups.map((g) => `${g.name}: ${JSON.stringify(g.labels ?? {})}`).join('; ')}); otherwise its pods stay Pending`);
        }
      }
    }
  }

  private validateServices(): void {
    const seen = new Set<string>();
    for (const svc of this.services) {
      const at = (field: string) => `services.${svc.name}.${field}`;
      if (!isDns1123Label(svc.name) || !/^[a-z]/.test(svc.name)) {
        throw new ValidationError(this.path, 'services[].name', svc.name, 'allowed: a DNS-1035 label (a lower-case letter, then lower-case letters, digits and "-", at most 63 characters): the name of its Kubernetes Service');
      }
      if (!isDns1123Label(svc.namespace)) {
        throw new ValidationError(this.path, at('namespace'), svc.namespace, 'allowed: a DNS-1123 label');
      }
      if (RESERVED_NAMESPACES.includes(svc.namespace) || svc.namespace.startsWith('kube-')) {
        throw new ValidationError(this.path, at('namespace'), svc.namespace, `allowed: a namespace of the platform's own; not ${RESERVED_NAMESPACES.join(', ')} or kube-* (the platform would apply default-deny and STRICT mTLS to the system)`);
      }
      if (seen.has(qualifiedName(svc))) {
        throw new ValidationError(this.path, 'services[].name', qualifiedName(svc), 'allowed: each service once per namespace');
      }
      seen.add(qualifiedName(svc));
      if (svc.versions.length === 0) {
        throw new ValidationError(this.path, at('versions'), [], 'allowed: one or more versions');
      }
      const versionNames = svc.versions.map((v) => v.name);
      for (const v of svc.versions) {
        if (!isDns1123Label(v.name) || versionNames.indexOf(v.name) !== versionNames.lastIndexOf(v.name)) {
          throw new ValidationError(this.path, at('versions[].name'), v.name, 'allowed: unique DNS-1123 labels');
        }
        const problem = imageProblem(v.image);
        if (problem) {
          throw new ValidationError(this.path, at(`versions.${v.name}.image`), v.image, problem);
        }
        this.requireAllowedImage(at(`versions.${v.name}.image`), v.image);
      }
      if (svc.ports.length === 0) {
        throw new ValidationError(this.path, at('ports'), [], 'allowed: one or more ports');
      }
      validateServiceFields(this.path, at(''), svc);
      validateMetricsExporter(this.path, at(''), svc);
      if (svc.metricsExporter !== undefined) {
        this.requireAllowedImage(at('metricsExporter.image'), svc.metricsExporter.image);
      }
    }
    validatePublicRoutes(this.path, this.services);
    // References second, so that a bad name is reported as such rather than as a dangling call.
    for (const svc of this.services) {
      const at = (field: string) => `services.${svc.name}.${field}`;
      const calls = svc.calls ?? [];
      for (const ref of calls) {
        const callee = this.services.find((s) => (ref.includes('/') ? qualifiedName(s) === ref : s.name === ref && s.namespace === svc.namespace));
        if (!callee && this.findDataStore(ref, svc.namespace) !== undefined) {
          continue;
        }
        if (!callee) {
          throw new ValidationError(this.path, at('calls'), ref, `allowed: services of the catalog (${summarize(this.services.map(qualifiedName))})${this.dataStores.length > 0 ? ` or data stores (${summarize(this.dataStores.map(dataStoreKey))})` : ''}`);
        }
        if (callee === svc) {
          throw new ValidationError(this.path, at('calls'), ref, 'allowed: other services (a service does not call itself through the network policy)');
        }
      }
      if (svc.release) {
        validateRelease(this.path, svc, `services.${svc.name}.`);
      } else if (svc.versions.length > 1) {
        throw new ValidationError(this.path, at('release'), undefined, 'allowed: a Release (canary or blue-green) whenever a service runs more than one version');
      }
      const stateful = (svc.kind ?? WorkloadKind.DEPLOYMENT) === WorkloadKind.STATEFUL;
      if (stateful && !svc.storage) {
        throw new ValidationError(this.path, at('storage'), undefined, 'allowed: a StorageSpec for a stateful service');
      }
      if (!stateful && svc.storage) {
        throw new ValidationError(this.path, at('storage'), svc.storage, 'allowed: no storage on a stateless service (kind: WorkloadKind.STATEFUL keeps data on volumes)');
      }
      if (!stateful && svc.replicas !== undefined) {
        throw new ValidationError(this.path, at('replicas'), svc.replicas, 'allowed: no replicas on a stateless service (its autoscaler bounds come from the environment)');
      }
      if (svc.replicas !== undefined && (!Number.isInteger(svc.replicas) || svc.replicas < 1)) {
        throw new ValidationError(this.path, at('replicas'), svc.replicas, 'allowed: a whole number, 1 or more');
      }
      validateIamStatements(this.path, at('awsPermissions'), svc.awsPermissions ?? []);
      validateAlertOverrides(this.path, at('alerts'), svc.alerts ?? {});
      validateScheduling(this.path, at(''), svc.nodeSelector ?? {}, svc.tolerations ?? []);
      validateServiceVolumes(this.path, at(''), svc);
    }
  }

  /** Throws unless an image comes from the platform's registry or an allowed one. */
  private requireAllowedImage(field: string, image: string): void {
    if (!this.isAllowedImage(image)) {
      const others = this.allowedImageRegistries.length > 0 ? ` or of allowedImageRegistries (${this.allowedImageRegistries.join(', ')})` : ' (add other registries to allowedImageRegistries)';
      throw new ValidationError(this.path, field, image, `allowed: an image of the platform's registry ${this.registry.host}${others}; this one comes from ${imageRegistry(image)}`);
    }
  }

  /** Whether an image comes from the platform's registry or an allowed one (a host, a path prefix or the image's own repository). */
  private isAllowedImage(image: string): boolean {
    const host = imageRegistry(image);
    const name = host === 'docker.io' && !image.startsWith('docker.io/') ? `docker.io/${image}` : image;
    const repository = imageRepository(name);
    return host === this.registry.host || this.allowedImageRegistries.some((entry) => entry === host || (entry.includes('/') && (name.startsWith(`${entry}/`) || repository === entry)));
  }
}

/** The ECR repository name of a service: `<platform>/<service>`. */
export function containerRepositoryName(platformName: string, service: Pick<ServiceDefinition, 'name'>): string {
  return `${platformName}/${service.name}`;
}

/** The host of an account's private ECR registry in a region, `<account>.dkr.ecr.<region>.amazonaws.com` (`.com.cn` in China). */
export function containerRegistryHost(accountId: string, region: string): string {
  return `${accountId}.dkr.ecr.${region}.${dnsSuffixOf(region)}`;
}

/**
 * The registry an image reference points to: its first path component when that is a host (it holds a `.` or a
 * `:`, or is `localhost`), else `docker.io` (Docker Hub, as the container runtime resolves it).
 */
export function imageRegistry(image: string): string {
  const slash = image.indexOf('/');
  const first = slash < 0 ? '' : image.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : 'docker.io';
}

/** An image reference without its tag or digest: `docker.io/oliver006/redis_exporter:v1.74.0` gives `docker.io/oliver006/redis_exporter`. */
function imageRepository(image: string): string {
  const at = image.indexOf('@');
  const undigested = at < 0 ? image : image.slice(0, at);
  const colon = undigested.indexOf(':', undigested.lastIndexOf('/') + 1);
  return colon < 0 ? undigested : undigested.slice(0, colon);
}

function resolveRegistry(path: string, config: ContainerRegistryConfig, environments: readonly EnvironmentConfig[]): ResolvedContainerRegistry {
  requireAccountId(path, 'registry.accountId', config.accountId);
  requireRegion(path, 'registry.region', config.region);
  const partitions = [...new Set(environments.map((e) => partitionOf(e.region)))];
  if (partitions.some((p) => p !== partitionOf(config.region))) {
    throw new ValidationError(path, 'registry.region', config.region, `allowed: a region of the environments' partition (${partitions.join(', ')}); nodes pull only within a partition`);
  }
  const keepReleases = config.keepReleases ?? DEFAULT_KEEP_RELEASES;
  const untaggedExpiryDays = config.untaggedExpiryDays ?? DEFAULT_UNTAGGED_EXPIRY_DAYS;
  requireWholeNumberAtLeastOne(path, 'registry.keepReleases', keepReleases);
  requireWholeNumberAtLeastOne(path, 'registry.untaggedExpiryDays', untaggedExpiryDays);
  return { accountId: config.accountId, region: config.region, keepReleases, untaggedExpiryDays, host: containerRegistryHost(config.accountId, config.region) };
}

/** Throws unless `value` is a whole number, 1 or more (the registry's retention counts; ContainerRegistry applies it too). */
export function requireWholeNumberAtLeastOne(path: string, field: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new ValidationError(path, field, value, 'allowed: a whole number, 1 or more');
  }
}

function validateAllowedImageRegistries(path: string, entries: readonly string[]): void {
  for (const entry of entries) {
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9._-]+)*$/.test(entry)) {
      throw new ValidationError(path, 'allowedImageRegistries', entry, 'allowed: a registry host such as public.ecr.aws (with an optional :port), optionally followed by a path prefix such as /docker/library; no scheme, no trailing /');
    }
  }
}

function validateZones(path: string, field: string, region: string, zones: readonly string[]): void {
  if (zones.length !== 3 || new Set(zones).size !== 3) {
    throw new ValidationError(path, field, zones, 'allowed: exactly three distinct availability zones');
  }
  for (const zone of zones) {
    if (!new RegExp(`^${region}[a-z]$`).test(zone)) {
      throw new ValidationError(path, field, zone, `allowed: zones of region ${region} (${region}a, ${region}b, ...)`);
    }
  }
}

function validateKubernetes(path: string, env: EnvironmentConfig): void {
  const k = env.kubernetes;
  const at = (field: string) => `environments.${env.name}.kubernetes.${field}`;
  const floor = replicaFloor(k);
  const check = (field: string, min: number, max: number) => {
    if (!Number.isInteger(min) || min < floor) {
      throw new ValidationError(path, at(`${field}minReplicas`), min, floor === 1 ? 'allowed: 1 or more' : 'allowed: 2 or more (set allowSingleReplica for an environment where one replica is enough)');
    }
    if (!Number.isInteger(max) || max < min || max > MAX_INT32) {
      throw new ValidationError(path, at(`${field}maxReplicas`), max, `allowed: a whole number of at least minReplicas (${min}) and at most ${MAX_INT32} (the HorizontalPodAutoscaler's int32)`);
    }
    // one workload at its maximum must fit the pods of the largest namespace quota, or the autoscaler can never reach it
    const pods = Math.max(k.namespaceQuota.pods, ...Object.values(k.namespaceQuotas ?? {}).map((q) => q.pods));
    if (Number.isInteger(pods) && pods >= 1 && max > pods) {
      throw new ValidationError(path, at(`${field}maxReplicas`), max, `allowed: at most the pods of the namespace quota (${pods}): the quota refuses pods beyond it, so the autoscaler could never reach this maximum`);
    }
  };
  check('', k.minReplicas, k.maxReplicas);
  for (const [name, o] of Object.entries(k.serviceOverrides ?? {})) {
    check(`serviceOverrides.${name}.`, o.minReplicas ?? k.minReplicas, o.maxReplicas ?? k.maxReplicas);
  }
  const quotas: [string, NamespaceQuotaConfig][] = [['namespaceQuota', k.namespaceQuota], ...Object.entries(k.namespaceQuotas ?? {}).map(([ns, q]) => [`namespaceQuotas.${ns}`, q] as [string, NamespaceQuotaConfig])];
  for (const [field, quota] of quotas) {
    for (const [key, value] of Object.entries(quota)) {
      if (value !== undefined && (!Number.isInteger(value) || value <= 0)) {
        throw new ValidationError(path, at(`${field}.${key}`), value, 'allowed: a positive whole number');
      }
    }
    if (quota.limitsCpuMillis < quota.requestsCpuMillis || quota.limitsMemoryMiB < quota.requestsMemoryMiB) {
      throw new ValidationError(path, at(field), quota, 'allowed: limits at least as large as requests (CPU and memory)');
    }
  }
}

function validateBackup(path: string, env: EnvironmentConfig): void {
  const b = env.backup;
  const at = (field: string) => `environments.${env.name}.backup.${field}`;
  if (!Number.isInteger(b.retentionDays) || b.retentionDays < 1) {
    throw new ValidationError(path, at('retentionDays'), b.retentionDays, 'allowed: a whole number of days, 1 or more');
  }
  if (b.replicaRegion !== undefined) {
    requireRegion(path, at('replicaRegion'), b.replicaRegion);
    if (b.replicaRegion === env.region || partitionOf(b.replicaRegion) !== partitionOf(env.region)) {
      throw new ValidationError(path, at('replicaRegion'), b.replicaRegion, `allowed: another region of ${env.region}'s partition (${partitionOf(env.region)}); S3 replicates only within a partition`);
    }
  } else if (b.replicationTimeControl === true) {
    throw new ValidationError(path, at('replicationTimeControl'), true, 'allowed: only with a replicaRegion (it is a setting of the replication)');
  }
  if (b.objectLock !== undefined && b.disableObjectLock) {
    throw new ValidationError(path, at('objectLock'), b.objectLock, 'allowed: objectLock or disableObjectLock, not both');
  }
  const lockDays = b.objectLock?.days;
  if (lockDays !== undefined && (!Number.isInteger(lockDays) || lockDays < 1 || lockDays > b.retentionDays)) {
    throw new ValidationError(path, at('objectLock.days'), lockDays, `allowed: a whole number of days from 1 to retentionDays (${b.retentionDays}); a lock longer than the retention keeps every version past its expiry`);
  }
  if (b.expectedGbPerDay !== undefined && (typeof b.expectedGbPerDay !== 'number' || !(b.expectedGbPerDay >= 0) || !Number.isFinite(b.expectedGbPerDay))) {
    throw new ValidationError(path, at('expectedGbPerDay'), b.expectedGbPerDay, 'allowed: a number of GB, 0 or more');
  }
  validateBackupRules(path, env);
}

function validateScheduling(path: string, at: string, nodeSelector: Readonly<Record<string, string>>, tolerations: readonly TolerationSpec[]): void {
  for (const [key, value] of Object.entries(nodeSelector)) {
    if (!isLabelKey(key) || !isLabelValue(value)) {
      throw new ValidationError(path, `${at}nodeSelector.${key}`, value, 'allowed: Kubernetes label keys and values');
    }
  }
  for (const t of tolerations) {
    if (!isLabelKey(t.key) || (t.value !== undefined && !isLabelValue(t.value))) {
      throw new ValidationError(path, `${at}tolerations`, t, 'allowed: a label-like key and an optional label value');
    }
  }
}

/** Whether a node group's labels satisfy a nodeSelector, and the service tolerates every NoSchedule/NoExecute taint of it. */
function canRunOn(group: NodeGroupConfig, nodeSelector: Readonly<Record<string, string>>, tolerations: readonly TolerationSpec[]): boolean {
  const labels = group.labels ?? {};
  if (!Object.entries(nodeSelector).every(([k, v]) => labels[k] === v)) {
    return false;
  }
  return (group.taints ?? [])
    .filter((taint) => taint.effect !== 'PreferNoSchedule')
    .every((taint) => tolerations.some((t) => t.key === taint.key && (t.value === undefined || t.value === (taint.value ?? '')) && (t.effect === undefined || t.effect === taint.effect)));
}

/** A list of names for an error message: all of them up to 12, else the first 12 and how many there are. */
function summarize(names: readonly string[]): string {
  return names.length <= 12 ? names.join(', ') : `${names.slice(0, 12).join(', ')}, ... (${names.length} in all)`;
}

const PROMETHEUS_DURATION = /^(?=\d)(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;

function validateAlertOverrides(path: string, field: string, alerts: Readonly<Record<string, AlertOverride | undefined>>): void {
  for (const [name, o] of Object.entries(alerts)) {
    if (!(SERVICE_ALERTS as readonly string[]).includes(name)) {
      throw new ValidationError(path, field, name, `allowed: alerts of every service (${SERVICE_ALERTS.join(', ')})`);
    }
    if (o?.severity !== undefined && !['critical', 'warning', 'info'].includes(o.severity)) {
      throw new ValidationError(path, `${field}.${name}.severity`, o.severity, 'allowed: critical, warning or info');
    }
    const ratio = name === 'HighErrorRatio' || name === 'HighSaturation';
    if (o?.threshold !== undefined && (typeof o.threshold !== 'number' || !(o.threshold > 0) || (ratio && o.threshold >= 1) || (name === 'CrashLooping' && !Number.isInteger(o.threshold)))) {
      throw new ValidationError(path, `${field}.${name}.threshold`, o.threshold, ratio
        ? 'allowed: a ratio above 0 and below 1 (the alert fires above it; a ratio of requests or of the CPU limit never exceeds 1)'
        : name === 'CrashLooping' ? 'allowed: a whole number of restarts, 1 or more' : 'allowed: a positive number in the alert\'s unit');
    }
    if (o?.for !== undefined && !PROMETHEUS_DURATION.test(o.for)) {
      throw new ValidationError(path, `${field}.${name}.for`, o.for, 'allowed: a Prometheus duration such as 5m or 1h30m');
    }
  }
}
