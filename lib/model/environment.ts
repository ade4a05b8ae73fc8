/**
 * The environments of a platform: where each runs (account, region, zones), its network,
 * its cluster sizing and the Kubernetes-side limits its namespaces get.
 */

import type { EnvironmentDataStoresConfig } from './data-stores';
import type { EnvironmentGitOpsConfig } from './gitops';

/**
 * The name of an environment: any DNS-1123 label (`dev`, `qa`, `perf`, `prod-eu`). Nothing in the library
 * tests the name; what differs between environments is a setting of {@link EnvironmentConfig}.
 */
export type EnvironmentName = string;

/** EC2 capacity for a managed node group. */
export enum CapacityType {
  ON_DEMAND = 'ON_DEMAND',
  SPOT = 'SPOT',
}

/** One managed node group of an environment's cluster. */
export interface NodeGroupConfig {
  /** Name of the node group, a DNS-1123 label, e.g. `general`. */
  readonly name: string;
  /** EC2 instance types, e.g. `['m6i.xlarge']`. At least one. */
  readonly instanceTypes: readonly string[];
  /** Fewest nodes the autoscaler keeps. */
  readonly minSize: number;
  /** Most nodes the autoscaler may add. */
  readonly maxSize: number;
  /** Nodes at creation; Terraform ignores later drift so the autoscaler owns it. Within minSize..maxSize. */
  readonly desiredSize: number;
  /** @default CapacityType.ON_DEMAND */
  readonly capacityType?: CapacityType;
  /** Size of each node's encrypted root volume. @default 50 */
  readonly diskSizeGiB?: number;
  /** Kubernetes labels on the nodes; services select them with `nodeSelector`. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Kubernetes taints on the nodes; only services that tolerate them are scheduled there. @default [] */
  readonly taints?: readonly NodeTaintSpec[];
  /**
   * Accept instance types outside the library's table of EC2 families (a family AWS launched after this version).
   * A named weakening: a typo then fails only at `terraform apply`.
   * @default false
   */
  readonly allowUnlistedInstanceTypes?: boolean;
}

/** What a taint does to pods that do not tolerate it. */
export enum TaintEffect {
  NO_SCHEDULE = 'NoSchedule',
  PREFER_NO_SCHEDULE = 'PreferNoSchedule',
  NO_EXECUTE = 'NoExecute',
}

/** A Kubernetes taint on a node group's nodes. */
export interface NodeTaintSpec {
  /** The taint's key, a qualified Kubernetes label key, e.g. `workload` or `example.com/dedicated`. */
  readonly key: string;
  /** The taint's value, a label value. @default no value */
  readonly value?: string;
  /** The effect. */
  readonly effect: TaintEffect;
}

/** An existing VPC the environment's cluster is placed in, instead of a VPC the platform creates. */
export interface ExistingVpcConfig {
  /** The VPC's id, `vpc-...`. Its CIDR is the environment's `vpcCidr`. */
  readonly vpcId: string;
  /** The private subnets the nodes run in, one per availability zone, in the order of `availabilityZones`. */
  readonly privateSubnetIds: readonly string[];
  /** Intra subnets (no internet route) for the control plane's network interfaces. @default the private subnets */
  readonly intraSubnetIds?: readonly string[];
}

/** Where Terraform keeps an environment's state: an S3 bucket, locked with S3 native locking (`use_lockfile`). */
export interface RemoteStateConfig {
  /** @default `<platform>-<env>-<accountId>-tfstate` */
  readonly bucket?: string;
  /**
   * A DynamoDB lock table used in addition to S3 native locking (while migrating from table locking; Terraform 1.11
   * deprecates it).
   * @default none: S3 native locking only
   */
  readonly lockTable?: string;
  /** @default the environment's region */
  readonly region?: string;
}

/** What the namespaces of an environment may consume in total (a ResourceQuota), with numeric units in the names. */
export interface NamespaceQuotaConfig {
  /** Sum of CPU requests, in millicores. */
  readonly requestsCpuMillis: number;
  /** Sum of memory requests, in MiB. */
  readonly requestsMemoryMiB: number;
  /** Sum of CPU limits, in millicores. */
  readonly limitsCpuMillis: number;
  /** Sum of memory limits, in MiB. */
  readonly limitsMemoryMiB: number;
  /** Sum of ephemeral-storage requests, in MiB. @default no quota on ephemeral storage */
  readonly requestsEphemeralStorageMiB?: number;
  /** Most pods. */
  readonly pods: number;
  /** Most PersistentVolumeClaims. @default 20 */
  readonly persistentVolumeClaims?: number;
}

/** Kubernetes-side settings of an environment, like a Helm values file per environment. */
export interface KubernetesEnvironmentConfig {
  /** Fewest replicas of every microservice (its autoscaler minimum). */
  readonly minReplicas: number;
  /** Most replicas of every microservice (its autoscaler maximum). */
  readonly maxReplicas: number;
  /**
   * Allows a single replica (dev). Without it, minReplicas must be 2 or more,
   * so that a node drain or the loss of a zone never takes a service down.
   * @default false
   */
  readonly allowSingleReplica?: boolean;
  /** The quota of each platform namespace. */
  readonly namespaceQuota: NamespaceQuotaConfig;
  /**
   * Quotas of particular namespaces (by namespace name), replacing `namespaceQuota` for them.
   * A key that names no namespace of the platform is refused.
   * @default {}: every namespace gets `namespaceQuota`
   */
  readonly namespaceQuotas?: Readonly<Record<string, NamespaceQuotaConfig>>;
  /**
   * Per service (by name): settings that differ in this environment. A key that names no service is refused.
   * @default {}
   */
  readonly serviceOverrides?: Readonly<Record<string, ServiceOverrideConfig>>;
}

/** What one service does differently in one environment. */
export interface ServiceOverrideConfig {
  /** Autoscaler minimum (stateless services only). @default the environment's minReplicas */
  readonly minReplicas?: number;
  /** Autoscaler maximum (stateless services only). @default the environment's maxReplicas */
  readonly maxReplicas?: number;
  /** Replicas of a stateful service (stateful services only). @default the service's `replicas` */
  readonly replicas?: number;
  /** Node labels the service's pods require in this environment, replacing the service's `nodeSelector`. @default the service's */
  readonly nodeSelector?: Readonly<Record<string, string>>;
}

/** Object Lock on an environment's backup bucket: no one can delete or overwrite a backup version before it ends. */
export interface BackupObjectLockConfig {
  /** GOVERNANCE (users with s3:BypassGovernanceRetention can lift it) or COMPLIANCE (no one can). @default 'GOVERNANCE' */
  readonly mode?: 'GOVERNANCE' | 'COMPLIANCE';
  /** Days each version is locked; at most the retention. @default min(30, retentionDays) */
  readonly days?: number;
}

/** Backups of an environment. */
export interface BackupConfig {
  /** Days a backup is kept before it expires. */
  readonly retentionDays: number;
  /** A second region that receives a replica of every backup. @default no replication */
  readonly replicaRegion?: string;
  /** Expected new backup data per day, for the cost projection. @default 50 */
  readonly expectedGbPerDay?: number;
  /** Object Lock of the backup bucket. @default GOVERNANCE for min(30, retentionDays) days */
  readonly objectLock?: BackupObjectLockConfig;
  /**
   * Turns Object Lock off (a named weakening: backups can then be deleted as soon as they are written).
   * @default false
   */
  readonly disableObjectLock?: boolean;
  /**
   * S3 Replication Time Control on the replication to `replicaRegion`: 99.99 % of objects replicated within
   * 15 minutes, with metrics (extra cost per GB). Only with a `replicaRegion`.
   * @default true when `replicaRegion` is set
   */
  readonly replicationTimeControl?: boolean;
  /**
   * Days Velero keeps each backup (the `ttl` of every Schedule); Velero deletes it then. At most `retentionDays` (the
   * bucket expires what is older, behind Velero's back) and at least the Object Lock days (Velero could not delete what
   * it expires). Checked by lib/model/backup-rules.ts.
   * @default retentionDays
   */
  readonly ttlDays?: number;
  /**
   * Days a backup must stay restorable without a manual thaw: no lifecycle transition into a class Velero cannot read
   * directly (GLACIER, DEEP_ARCHIVE) before then. At most `ttlDays`.
   * @default ttlDays: every backup Velero lists is restorable
   */
  readonly restorableDays?: number;
  /**
   * Minutes between two backups of a namespace that holds a `critical` service (its RPO): 1 to 15, dividing 60
   * (the Schedule is `*\/<n> * * * *`).
   * @default 15
   */
  readonly criticalIntervalMinutes?: number;
  /**
   * Storage-class transitions of the bucket's current versions, replacing the default ladder. A transition into GLACIER
   * or DEEP_ARCHIVE before `restorableDays` is refused.
   * @default STANDARD_IA at 30 days, GLACIER_IR at 90, DEEP_ARCHIVE at max(180, restorableDays); each kept only if the
   * objects then stay in it for its minimum storage duration before the expiry (lib/aws/lifecycle.ts)
   */
  readonly transitions?: readonly BackupTransitionConfig[];
}

/** An S3 storage class a backup may move to (the names of lib/aws/lifecycle.ts's `StorageClass`). */
export type BackupStorageClassName = 'STANDARD_IA' | 'ONEZONE_IA' | 'INTELLIGENT_TIERING' | 'GLACIER_IR' | 'GLACIER' | 'DEEP_ARCHIVE';

/** A lifecycle move of backups to another storage class, a number of days after they are written. */
export interface BackupTransitionConfig {
  /** The class the backups move to. */
  readonly storageClass: BackupStorageClassName;
  /** Days after the backup is written. */
  readonly afterDays: number;
}

/** One environment of the platform. */
export interface EnvironmentConfig {
  /** The environment's name, a DNS-1123 label of at most 20 characters (`dev`, `qa`, `prod-eu`). */
  readonly name: EnvironmentName;
  /** The AWS account id, 12 digits. */
  readonly accountId: string;
  /** The AWS region, e.g. `eu-central-1`. */
  readonly region: string;
  /** Exactly three availability zones of the region, e.g. `eu-central-1a`. */
  readonly availabilityZones: readonly string[];
  /** The VPC's IPv4 CIDR, prefix /16 to /22. Must not overlap another environment's. */
  readonly vpcCidr: string;
  /**
   * The block the cluster's Services get their ClusterIPs from (the EKS cluster's
   * `kubernetes_network_config.service_ipv4_cidr`; fixed once the cluster exists): a private /12 to /24 that does not
   * overlap `vpcCidr`. Its first address is the `kubernetes` Service's ClusterIP (`kubernetesApiServiceIp`), which
   * NetworkPolicies open for pods that call the API server: the VPC CNI's network policy agent judges the destination
   * before the Service's DNAT.
   * @default DEFAULT_KUBERNETES_SERVICE_CIDR (172.20.0.0/16)
   */
  readonly kubernetesServiceCidr?: string;
  /** Place the cluster in an existing VPC (by its attributes) instead of creating one. @default a new VPC over the three zones */
  readonly existingVpc?: ExistingVpcConfig;
  /** The pinned Kubernetes minor version of the EKS control plane, e.g. `1.33`. */
  readonly kubernetesVersion: string;
  /**
   * Keep `kubernetesVersion` in EKS extended support (billed per cluster hour) once its standard support ends,
   * instead of letting EKS upgrade the control plane (the cluster's `upgrade_policy.support_type`). A named opt-in.
   * @default false: support type STANDARD
   */
  readonly kubernetesExtendedSupport?: boolean;
  /** Managed node groups; their sizes add up to the environment's cluster size. */
  readonly nodeGroups: readonly NodeGroupConfig[];
  /** IAM role ARNs that get cluster-admin access entries. @default [] */
  readonly clusterAdminRoleArns?: readonly string[];
  /**
   * CIDRs allowed to reach a public API endpoint. Setting any turns the public endpoint on;
   * `0.0.0.0/0` is refused.
   * @default none: the API endpoint is private only
   */
  readonly publicApiAccessCidrs?: readonly string[];
  /**
   * One NAT gateway shared by the three zones (cheaper, not zone-redundant): for dev only.
   * @default false: one NAT gateway per zone
   */
  readonly singleNatGateway?: boolean;
  /**
   * VPC interface endpoints (private DNS) for STS and the AWS services the catalog's `awsPermissions` call, where AWS
   * offers one (see INTERFACE_ENDPOINTS): pods reach them inside the VPC, and their NetworkPolicies open 443 to the
   * VPC only. `false` (for an existing VPC that already has them, say) sends those calls over the NAT gateways, and
   * the NetworkPolicies then open 443 to public addresses.
   * @default true
   */
  readonly privateAwsEndpoints?: boolean;
  /** Days CloudWatch keeps control-plane and flow logs. @default 90 */
  readonly logRetentionDays?: number;
  /** Terraform remote state. @default names derived from the platform and environment */
  readonly remoteState?: RemoteStateConfig;
  /** Backups of the environment. */
  readonly backup: BackupConfig;
  /** The Kubernetes-side settings. */
  readonly kubernetes: KubernetesEnvironmentConfig;
  /** Tags on every AWS resource of the environment (merged over the platform's). @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /** Where the platform's data stores run in this environment, and how they are sized. @default see EnvironmentDataStoresConfig */
  readonly dataStores?: EnvironmentDataStoresConfig;
  /**
   * How Argo CD applies this environment's folder (only with `PlatformProps.gitops`): the revision it follows and
   * automated or manual sync.
   * @default the platform's revision, GitOpsSync.AUTOMATED
   */
  readonly gitops?: EnvironmentGitOpsConfig;
}
