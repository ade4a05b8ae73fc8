/**
 * The environments of a platform: where each runs (account, region, zones), its network,
 * its cluster sizing and the Kubernetes-side limits its namespaces get.
 */

/** The environments a platform has, in promotion order. */
export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;

/** The name of an environment. */
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

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
  /** Kubernetes labels on the nodes. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Where Terraform keeps an environment's state: an S3 bucket with a DynamoDB lock table. */
export interface RemoteStateConfig {
  /** @default `<platform>-<env>-<accountId>-tfstate` */
  readonly bucket?: string;
  /** @default `<platform>-<env>-tflock` */
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
  /** Per service (by name): replica bounds that differ from the environment's. @default {} */
  readonly serviceOverrides?: Readonly<Record<string, { readonly minReplicas?: number; readonly maxReplicas?: number }>>;
}

/** Backups of an environment. */
export interface BackupConfig {
  /** Days a backup is kept before it expires. */
  readonly retentionDays: number;
  /** A second region that receives a replica of every backup. @default no replication */
  readonly replicaRegion?: string;
  /** Expected new backup data per day, for the cost projection. @default 50 */
  readonly expectedGbPerDay?: number;
}

/** One environment of the platform. */
export interface EnvironmentConfig {
  /** `dev`, `staging` or `prod`. */
  readonly name: EnvironmentName;
  /** The AWS account id, 12 digits. */
  readonly accountId: string;
  /** The AWS region, e.g. `eu-central-1`. */
  readonly region: string;
  /** Exactly three availability zones of the region, e.g. `eu-central-1a`. */
  readonly availabilityZones: readonly string[];
  /** The VPC's IPv4 CIDR, prefix /16 to /22. Must not overlap another environment's. */
  readonly vpcCidr: string;
  /** The pinned Kubernetes minor version of the EKS control plane, e.g. `1.33`. */
  readonly kubernetesVersion: string;
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
}
