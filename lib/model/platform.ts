/**
 * The platform model: environments and the service catalog, validated when built.
 * Both worlds (lib/aws, lib/k8s) read it; it imports nothing of either.
 */
import { cidrsOverlap, parseCidr, tryParseCidr, type Cidr } from './cidr';
import type { EnvironmentConfig, NamespaceQuotaConfig } from './environment';
import { qualifiedName, serviceAccountName, serviceAccountRoleArn } from './names';
import { ReleaseStrategy, WorkloadKind, type ServiceDefinition, type TolerationSpec } from './service';
import { ValidationError, imageProblem, isDns1123Label } from './validation';

/** Options for a {@link Platform}. */
export interface PlatformProps {
  /** Short name of the platform, a DNS-1123 label of at most 20 characters (it prefixes cluster, bucket and role names). */
  readonly name: string;
  /** The environments, each name at most once. */
  readonly environments: readonly EnvironmentConfig[];
  /** The service catalog. @default [] */
  readonly services?: readonly ServiceDefinition[];
  /** Tags on every AWS resource of every environment. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const K8S_VERSION = /^1\.\d{2}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]{1,512}$/;

/** The validated platform model. */
export class Platform {
  /** The platform's name. */
  public readonly name: string;
  /** The environments, in the order given. */
  public readonly environments: readonly EnvironmentConfig[];
  /** The service catalog, in the order given. */
  public readonly services: readonly ServiceDefinition[];
  /** Tags on every AWS resource. */
  public readonly tags: Readonly<Record<string, string>>;

  private readonly path: string;

  constructor(props: PlatformProps) {
    this.path = `Platform(${props.name})`;
    if (!isDns1123Label(props.name) || props.name.length > 20) {
      throw new ValidationError(this.path, 'name', props.name, 'allowed: a DNS-1123 label of at most 20 characters');
    }
    this.name = props.name;
    this.environments = props.environments;
    this.services = props.services ?? [];
    this.tags = props.tags ?? {};
    this.validateEnvironments();
    this.validateServices();
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
    const found = this.services.find((s) => s.name === name && (ns === undefined || s.namespace === ns));
    if (!found) {
      throw new ValidationError(this.path, 'service', ref, `allowed: one of ${this.services.map(qualifiedName).join(', ')}`);
    }
    return found;
  }

  /** The services `service` calls, resolved, in declaration order. */
  public calleesOf(service: ServiceDefinition): ServiceDefinition[] {
    return (service.calls ?? []).map((ref) => this.service(ref, service.namespace));
  }

  /** The services that declare they call `service`, sorted by namespace and name. */
  public callersOf(service: ServiceDefinition): ServiceDefinition[] {
    const key = qualifiedName(service);
    return this.services
      .filter((s) => this.calleesOf(s).some((c) => qualifiedName(c) === key))
      .sort((a, b) => qualifiedName(a).localeCompare(qualifiedName(b)));
  }

  /** The platform namespaces, sorted. */
  public namespaces(): string[] {
    return [...new Set(this.services.map((s) => s.namespace))].sort();
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

  /** The ARN of the service's IAM role in an environment, or undefined if it asks for no AWS permissions. */
  public serviceRoleArn(env: EnvironmentConfig, service: ServiceDefinition): string | undefined {
    if (!service.awsPermissions || service.awsPermissions.length === 0) {
      return undefined;
    }
    return serviceAccountRoleArn(this.name, env.name, env.accountId, service.namespace, serviceAccountName(service));
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
      if (seen.has(env.name)) {
        throw new ValidationError(this.path, 'environments[].name', env.name, 'allowed: each environment once');
      }
      if (!ACCOUNT_ID.test(env.accountId)) {
        throw new ValidationError(this.path, at('accountId'), env.accountId, 'allowed: 12 digits');
      }
      if (!REGION.test(env.region)) {
        throw new ValidationError(this.path, at('region'), env.region, 'allowed: an AWS region name such as eu-central-1');
      }
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
      if (!K8S_VERSION.test(env.kubernetesVersion)) {
        throw new ValidationError(this.path, at('kubernetesVersion'), env.kubernetesVersion, 'allowed: a pinned minor version such as 1.33');
      }
      validateNodeGroups(this.path, env);
      for (const arn of env.clusterAdminRoleArns ?? []) {
        if (!ROLE_ARN.test(arn)) {
          throw new ValidationError(this.path, at('clusterAdminRoleArns'), arn, 'allowed: IAM role ARNs (arn:aws:iam::<account>:role/<name>)');
        }
      }
      validatePublicAccessCidrs(this.path, at('publicApiAccessCidrs'), env.publicApiAccessCidrs ?? []);
      validateKubernetes(this.path, env);
      if (!Number.isInteger(env.backup.retentionDays) || env.backup.retentionDays < 1) {
        throw new ValidationError(this.path, at('backup.retentionDays'), env.backup.retentionDays, 'allowed: a whole number of days, 1 or more');
      }
      if (env.backup.replicaRegion !== undefined && (!REGION.test(env.backup.replicaRegion) || env.backup.replicaRegion === env.region)) {
        throw new ValidationError(this.path, at('backup.replicaRegion'), env.backup.replicaRegion, `allowed: an AWS region other than ${env.region}`);
      }
    }
  }

  private validateServices(): void {
    const seen = new Set<string>();
    for (const svc of this.services) {
      const at = (field: string) => `services.${svc.name}.${field}`;
      if (!isDns1123Label(svc.name)) {
        throw new ValidationError(this.path, 'services[].name', svc.name, 'allowed: a DNS-1123 label (lower-case letters, digits and "-", at most 63 characters)');
      }
      if (!isDns1123Label(svc.namespace)) {
        throw new ValidationError(this.path, at('namespace'), svc.namespace, 'allowed: a DNS-1123 label');
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
      }
      if (svc.ports.length === 0) {
        throw new ValidationError(this.path, at('ports'), [], 'allowed: one or more ports');
      }
    }
    // References second, so that a bad name is reported as such rather than as a dangling call.
    for (const svc of this.services) {
      const at = (field: string) => `services.${svc.name}.${field}`;
      const versionNames = svc.versions.map((v) => v.name);
      const calls = svc.calls ?? [];
      for (const ref of calls) {
        const callee = this.services.find((s) => (ref.includes('/') ? qualifiedName(s) === ref : s.name === ref && s.namespace === svc.namespace));
        if (!callee) {
          throw new ValidationError(this.path, at('calls'), ref, `allowed: services of the catalog (${this.services.map(qualifiedName).join(', ')})`);
        }
        if (callee === svc) {
          throw new ValidationError(this.path, at('calls'), ref, 'allowed: other services (a service does not call itself through the network policy)');
        }
      }
      if (svc.release) {
        for (const version of Object.keys(svc.release.weights)) {
          if (!versionNames.includes(version)) {
            throw new ValidationError(this.path, at('release'), version, `allowed: versions of the service (${versionNames.join(', ')})`);
          }
        }
        if (svc.release.strategy !== ReleaseStrategy.SINGLE && svc.versions.length < 2) {
          throw new ValidationError(this.path, at('versions'), versionNames, `allowed: two or more versions for a ${svc.release.strategy} release`);
        }
      } else if (svc.versions.length > 1) {
        throw new ValidationError(this.path, at('release'), undefined, 'allowed: a Release (canary or blue-green) whenever a service runs more than one version');
      }
      if ((svc.kind ?? WorkloadKind.DEPLOYMENT) === WorkloadKind.STATEFUL && !svc.storage) {
        throw new ValidationError(this.path, at('storage'), undefined, 'allowed: a StorageSpec for a stateful service');
      }
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

function validateNodeGroups(path: string, env: EnvironmentConfig): void {
  const at = (field: string) => `environments.${env.name}.nodeGroups.${field}`;
  if (env.nodeGroups.length === 0) {
    throw new ValidationError(path, at('length'), 0, 'allowed: one or more node groups');
  }
  const names = new Set<string>();
  for (const ng of env.nodeGroups) {
    if (!isDns1123Label(ng.name) || names.has(ng.name)) {
      throw new ValidationError(path, at('name'), ng.name, 'allowed: unique DNS-1123 labels');
    }
    names.add(ng.name);
    if (ng.instanceTypes.length === 0) {
      throw new ValidationError(path, at(`${ng.name}.instanceTypes`), [], 'allowed: one or more EC2 instance types');
    }
    if (!Number.isInteger(ng.minSize) || ng.minSize < 0) {
      throw new ValidationError(path, at(`${ng.name}.minSize`), ng.minSize, 'allowed: a whole number, 0 or more');
    }
    if (!Number.isInteger(ng.maxSize) || ng.maxSize < ng.minSize || ng.maxSize < 1) {
      throw new ValidationError(path, at(`${ng.name}.maxSize`), ng.maxSize, `allowed: a whole number, at least minSize (${ng.minSize}) and at least 1`);
    }
    if (!Number.isInteger(ng.desiredSize) || ng.desiredSize < ng.minSize || ng.desiredSize > ng.maxSize) {
      throw new ValidationError(path, at(`${ng.name}.desiredSize`), ng.desiredSize, `allowed: a whole number from minSize (${ng.minSize}) to maxSize (${ng.maxSize})`);
    }
  }
}

function validatePublicAccessCidrs(path: string, field: string, cidrs: readonly string[]): void {
  for (const text of cidrs) {
    const cidr = parseCidrOrThrow(path, field, text);
    if (cidr.prefixLength === 0) {
      throw new ValidationError(path, field, text, 'allowed: specific CIDRs of the admins\' networks; 0.0.0.0/0 would open the API to the internet');
    }
  }
}

function parseCidrOrThrow(path: string, field: string, text: string): Cidr {
  try {
    return parseCidr(text);
  } catch {
    throw new ValidationError(path, field, text, 'allowed: an IPv4 network CIDR a.b.c.d/n without host bits');
  }
}

function validateKubernetes(path: string, env: EnvironmentConfig): void {
  const k = env.kubernetes;
  const at = (field: string) => `environments.${env.name}.kubernetes.${field}`;
  const floor = k.allowSingleReplica ? 1 : 2;
  const check = (field: string, min: number, max: number) => {
    if (!Number.isInteger(min) || min < floor) {
      throw new ValidationError(path, at(`${field}minReplicas`), min, floor === 1 ? 'allowed: 1 or more' : 'allowed: 2 or more (set allowSingleReplica for an environment where one replica is enough)');
    }
    if (!Number.isInteger(max) || max < min) {
      throw new ValidationError(path, at(`${field}maxReplicas`), max, `allowed: a whole number of at least minReplicas (${min})`);
    }
  };
  check('', k.minReplicas, k.maxReplicas);
  for (const [name, o] of Object.entries(k.serviceOverrides ?? {})) {
    check(`serviceOverrides.${name}.`, o.minReplicas ?? k.minReplicas, o.maxReplicas ?? k.maxReplicas);
  }
  for (const [key, value] of Object.entries(k.namespaceQuota)) {
    if (value !== undefined && (!Number.isInteger(value) || value <= 0)) {
      throw new ValidationError(path, at(`namespaceQuota.${key}`), value, 'allowed: a positive whole number');
    }
  }
}
