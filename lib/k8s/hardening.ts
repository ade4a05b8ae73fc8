/**
 * The hardened pod and container security defaults every workload of the platform gets,
 * and the explicit, named options that weaken them (refused in a namespace that enforces "restricted").
 */
import type { Capabilities, PodSecurityContext, ResourceRequirements, SecurityContext, Volume, VolumeMount } from 'cdk8s-plus-28/lib/imports/k8s';
import { Quantity } from 'cdk8s-plus-28/lib/imports/k8s';
import type { ResourceSpec } from '../model/service';
import { ValidationError } from '../model/validation';

/** The Pod Security Standard a namespace enforces (label `pod-security.kubernetes.io/enforce`). */
export enum PodSecurityLevel {
  /** The hardened profile: every workload of the platform meets it. */
  RESTRICTED = 'restricted',
  /** Prevents known privilege escalations; allows root and added capabilities. */
  BASELINE = 'baseline',
  /** No restriction at all. */
  PRIVILEGED = 'privileged',
}

/** The Istio sidecar's UID: a workload must never run as it (its traffic would bypass the mesh's redirection). */
export const MESH_PROXY_UID = 1337;

/** The lowest UID/GID a workload may run as, so it never matches a user of the node. */
export const MIN_WORKLOAD_ID = 10000;

/** A path of the node mounted into the pod: refused in every namespace that is not "privileged". */
export interface HostPathMount {
  /** The path on the node, e.g. `/var/log`. */
  readonly hostPath: string;
  /** Where it is mounted in the container. */
  readonly mountPath: string;
  /** @default true */
  readonly readOnly?: boolean;
}

/**
 * Named options that weaken the hardened defaults. Each one is visible in review, and synth refuses every one
 * of them in a namespace that enforces "restricted" (host paths and host networking also under "baseline").
 */
export interface InsecureOptions {
  /** Lets the container run as root (runAsNonRoot false, UID 0). @default false */
  readonly allowRootUser?: boolean;
  /** A writable root filesystem. @default false: read-only, with an emptyDir at /tmp */
  readonly writableRootFilesystem?: boolean;
  /** allowPrivilegeEscalation true (setuid binaries work). @default false */
  readonly allowPrivilegeEscalation?: boolean;
  /** Linux capabilities added back after dropping ALL (e.g. `NET_ADMIN`). @default none */
  readonly addCapabilities?: readonly string[];
  /** No seccomp profile (Unconfined) instead of RuntimeDefault. @default false */
  readonly unconfinedSeccomp?: boolean;
  /** Paths of the node mounted into the pod. @default none */
  readonly hostPaths?: readonly HostPathMount[];
  /** The node's network namespace. @default false */
  readonly hostNetwork?: boolean;
}

/** Options for {@link Hardening}. */
export interface HardeningProps {
  /** The UID the containers run as: 10000 or more, never 1337. @default 10001 */
  readonly runAsUser?: number;
  /** The primary GID: 10000 or more, never 1337. @default 10001 */
  readonly runAsGroup?: number;
  /** The group owning mounted volumes: 10000 or more, never 1337. @default runAsGroup */
  readonly fsGroup?: number;
  /** Size limit of the emptyDir mounted at /tmp. Counts against the ephemeral-storage limit. @default 128 */
  readonly tmpSizeLimitMiB?: number;
  /** The Pod Security level of the namespace the pods run in; weakening options are checked against it. @default PodSecurityLevel.RESTRICTED */
  readonly namespaceLevel?: PodSecurityLevel;
  /** Explicit weakening of the defaults. @default none: fully hardened */
  readonly insecure?: InsecureOptions;
}

/** Resources of one container after defaults, with the unit in the name. */
export interface ResolvedResources {
  readonly cpuRequestMillis: number;
  readonly cpuLimitMillis: number;
  readonly memoryRequestMiB: number;
  readonly memoryLimitMiB: number;
  readonly ephemeralStorageRequestMiB: number;
  readonly ephemeralStorageLimitMiB: number;
}

/** The defaults of {@link ResourceSpec}. */
export const DEFAULT_RESOURCES: ResolvedResources = {
  cpuRequestMillis: 250,
  cpuLimitMillis: 1000,
  memoryRequestMiB: 256,
  memoryLimitMiB: 512,
  ephemeralStorageRequestMiB: 256,
  ephemeralStorageLimitMiB: 1024,
};

/** The defaults of a metrics exporter's resources (`MetricsExporterSpec.resources`): a small sidecar. */
export const DEFAULT_METRICS_EXPORTER_RESOURCES: ResolvedResources = {
  cpuRequestMillis: 50,
  cpuLimitMillis: 100,
  memoryRequestMiB: 32,
  memoryLimitMiB: 64,
  ephemeralStorageRequestMiB: 32,
  ephemeralStorageLimitMiB: 128,
};

/**
 * Applies the defaults to a resource spec and checks every request is positive and at most its limit.
 * @param defaults the defaults applied @default DEFAULT_RESOURCES
 * @param field the field named in errors @default 'resources'
 */
export function resolveResources(path: string, spec: ResourceSpec = {}, defaults: ResolvedResources = DEFAULT_RESOURCES, field = 'resources'): ResolvedResources {
  const r: ResolvedResources = { ...defaults, ...stripUndefined(spec) };
  for (const [key, value] of Object.entries(r)) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new ValidationError(path, `${field}.${key}`, value, 'allowed: a positive whole number');
    }
  }
  const pairs: Array<[keyof ResolvedResources, keyof ResolvedResources]> = [
    ['cpuRequestMillis', 'cpuLimitMillis'],
    ['memoryRequestMiB', 'memoryLimitMiB'],
    ['ephemeralStorageRequestMiB', 'ephemeralStorageLimitMiB'],
  ];
  for (const [request, limit] of pairs) {
    if (r[request] > r[limit]) {
      throw new ValidationError(path, `${field}.${request}`, r[request], `allowed: at most ${limit} (${r[limit]})`);
    }
  }
  return r;
}

/** The resources of containers together (a pod's containers, for its quota demand). */
export function addResources(a: ResolvedResources, b: ResolvedResources): ResolvedResources {
  return sumFields([a, b]);
}

/** Field-wise sums of records of numbers with the same keys (resources of containers, quota demands). */
export function sumFields<T extends { readonly [K in keyof T]: number }>(records: readonly T[], zero?: T): T {
  const [first, ...rest] = zero === undefined ? records : [zero, ...records];
  if (first === undefined) {
    throw new Error('sumFields: nothing to add');
  }
  return rest.reduce<T>((acc, r) => Object.fromEntries(Object.keys(acc).map((k) => [k, acc[k as keyof T] + r[k as keyof T]])) as T, { ...first });
}

/** The Kubernetes resource requirements (requests and limits for cpu, memory and ephemeral storage). */
export function resourceRequirements(r: ResolvedResources): ResourceRequirements {
  return {
    requests: {
      cpu: Quantity.fromString(`${r.cpuRequestMillis}m`),
      memory: Quantity.fromString(`${r.memoryRequestMiB}Mi`),
      'ephemeral-storage': Quantity.fromString(`${r.ephemeralStorageRequestMiB}Mi`),
    },
    limits: {
      cpu: Quantity.fromString(`${r.cpuLimitMillis}m`),
      memory: Quantity.fromString(`${r.memoryLimitMiB}Mi`),
      'ephemeral-storage': Quantity.fromString(`${r.ephemeralStorageLimitMiB}Mi`),
    },
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The name of the /tmp volume every hardened pod has. */
export const TMP_VOLUME = 'tmp';

/**
 * The resolved security settings of one workload's pods: build one per workload and read its
 * pod and container security contexts, volumes and mounts.
 */
export class Hardening {
  public readonly runAsUser: number;
  public readonly runAsGroup: number;
  public readonly fsGroup: number;
  public readonly tmpSizeLimitMiB: number;
  public readonly namespaceLevel: PodSecurityLevel;
  public readonly insecure: InsecureOptions;

  /**
   * @param path the construct path of the workload, for error messages
   */
  constructor(path: string, props: HardeningProps = {}) {
    this.insecure = props.insecure ?? {};
    this.namespaceLevel = props.namespaceLevel ?? PodSecurityLevel.RESTRICTED;
    const root = this.insecure.allowRootUser === true;
    this.runAsUser = props.runAsUser ?? 10001;
    this.runAsGroup = props.runAsGroup ?? 10001;
    this.fsGroup = props.fsGroup ?? this.runAsGroup;
    this.tmpSizeLimitMiB = props.tmpSizeLimitMiB ?? 128;
    for (const [field, id] of [['hardening.runAsUser', this.runAsUser], ['hardening.runAsGroup', this.runAsGroup], ['hardening.fsGroup', this.fsGroup]] as const) {
      const rootAllowed = root && id === 0;
      if (!Number.isInteger(id) || ((id < MIN_WORKLOAD_ID || id === MESH_PROXY_UID) && !rootAllowed)) {
        throw new ValidationError(path, field, id, `allowed: a whole number of at least ${MIN_WORKLOAD_ID}, never ${MESH_PROXY_UID} (the mesh proxy's UID); 0 only with insecure.allowRootUser`);
      }
    }
    if (!Number.isInteger(this.tmpSizeLimitMiB) || this.tmpSizeLimitMiB < 1) {
      throw new ValidationError(path, 'hardening.tmpSizeLimitMiB', this.tmpSizeLimitMiB, 'allowed: a positive whole number');
    }
    this.checkAgainstNamespace(path);
  }

  /** The weakening options in use, by name. */
  public get weakenings(): string[] {
    const i = this.insecure;
    const out: string[] = [];
    if (i.allowRootUser) out.push('allowRootUser');
    if (i.writableRootFilesystem) out.push('writableRootFilesystem');
    if (i.allowPrivilegeEscalation) out.push('allowPrivilegeEscalation');
    if ((i.addCapabilities ?? []).length > 0) out.push('addCapabilities');
    if (i.unconfinedSeccomp) out.push('unconfinedSeccomp');
    if ((i.hostPaths ?? []).length > 0) out.push('hostPaths');
    if (i.hostNetwork) out.push('hostNetwork');
    return out;
  }

  /** The pod-level security context. */
  public podSecurityContext(): PodSecurityContext {
    const root = this.insecure.allowRootUser === true;
    return {
      runAsNonRoot: !root,
      runAsUser: this.runAsUser,
      runAsGroup: this.runAsGroup,
      fsGroup: this.fsGroup,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: this.insecure.unconfinedSeccomp ? 'Unconfined' : 'RuntimeDefault' },
    };
  }

  /** The container-level security context. */
  public containerSecurityContext(): SecurityContext {
    const root = this.insecure.allowRootUser === true;
    const capabilities: Capabilities = (this.insecure.addCapabilities ?? []).length > 0
      ? { drop: ['ALL'], add: [...(this.insecure.addCapabilities ?? [])].sort() }
      : { drop: ['ALL'] };
    return {
      runAsNonRoot: !root,
      runAsUser: this.runAsUser,
      runAsGroup: this.runAsGroup,
      allowPrivilegeEscalation: this.insecure.allowPrivilegeEscalation === true,
      privileged: false,
      readOnlyRootFilesystem: this.insecure.writableRootFilesystem !== true,
      capabilities,
      seccompProfile: { type: this.insecure.unconfinedSeccomp ? 'Unconfined' : 'RuntimeDefault' },
    };
  }

  /** The volumes hardening adds: an emptyDir for /tmp and any (insecure) host paths. */
  public volumes(): Volume[] {
    const out: Volume[] = [{ name: TMP_VOLUME, emptyDir: { sizeLimit: Quantity.fromString(`${this.tmpSizeLimitMiB}Mi`) } }];
    (this.insecure.hostPaths ?? []).forEach((h, i) => out.push({ name: `host-${i}`, hostPath: { path: h.hostPath, type: 'Directory' } }));
    return out;
  }

  /** The mounts hardening adds to the container. */
  public volumeMounts(): VolumeMount[] {
    const out: VolumeMount[] = [{ name: TMP_VOLUME, mountPath: '/tmp' }];
    (this.insecure.hostPaths ?? []).forEach((h, i) => out.push({ name: `host-${i}`, mountPath: h.mountPath, readOnly: h.readOnly ?? true }));
    return out;
  }

  private checkAgainstNamespace(path: string): void {
    const i = this.insecure;
    const hostPaths = i.hostPaths ?? [];
    if (hostPaths.length > 0 && this.namespaceLevel !== PodSecurityLevel.PRIVILEGED) {
      throw new ValidationError(
        path,
        'hardening.insecure.hostPaths',
        hostPaths.map((h) => h.hostPath),
        `allowed: none in a namespace enforcing "${this.namespaceLevel}": a host path gives the pod the node's files; use a ConfigMap, Secret, emptyDir or PersistentVolumeClaim`,
      );
    }
    if (i.hostNetwork && this.namespaceLevel !== PodSecurityLevel.PRIVILEGED) {
      throw new ValidationError(path, 'hardening.insecure.hostNetwork', true, `allowed: false in a namespace enforcing "${this.namespaceLevel}"`);
    }
    if (this.namespaceLevel === PodSecurityLevel.RESTRICTED) {
      const used = this.weakenings;
      if (used.length > 0) {
        throw new ValidationError(path, `hardening.insecure.${used[0]}`, i[used[0] as keyof InsecureOptions], 'allowed: no weakening in a namespace enforcing "restricted"; run the workload in a namespace with a weaker Pod Security level');
      }
    }
  }
}
