/**
 * Data stores: PostgreSQL and Redis, declared once and placed per environment either in the cluster (an operator or
 * chart, highly available over the zones) or managed by AWS (RDS/Aurora, ElastiCache). Callers address a store the
 * same way in both placements (`calls: ['<namespace>/<store>']`), receive its credentials as a secret, and their
 * network and mesh policies follow from `calls` as for any service.
 */

/** The engine of a data store. */
export enum DataStoreEngine {
  /** PostgreSQL: CloudNativePG in the cluster; Amazon RDS (Multi-AZ) or Aurora when managed. */
  POSTGRESQL = 'postgresql',
  /** Redis (Valkey when managed by ElastiCache): replicas with Sentinel in the cluster; an ElastiCache replication group when managed. */
  REDIS = 'redis',
}

/** Where a data store runs in an environment. */
export enum DataStorePlacement {
  /** In the cluster, through a well-kept operator or chart, spread over the zones. */
  IN_CLUSTER = 'in-cluster',
  /** Managed by AWS, in the environment's private subnets, reachable only from the cluster. */
  MANAGED = 'managed',
}

/** The managed flavour of a PostgreSQL store. */
export enum ManagedPostgresFlavour {
  /** An Amazon RDS for PostgreSQL Multi-AZ DB instance. */
  RDS = 'rds',
  /** An Amazon Aurora PostgreSQL cluster with a writer and readers in other zones. */
  AURORA = 'aurora',
}

/** One data store, declared once for every environment. */
export interface DataStoreDefinition {
  /** The store's name, a DNS-1123 label of at most 30 characters; callers write `<namespace>/<name>` in `calls`. */
  readonly name: string;
  /** The platform namespace it belongs to (in-cluster it runs there; managed, its address lives there). */
  readonly namespace: string;
  /** The engine. */
  readonly engine: DataStoreEngine;
  /**
   * The engine's major version: PostgreSQL `'16'`, `'17'`; Redis/Valkey `'7'`, `'8'`.
   * @default PostgreSQL '17', Redis '7'
   */
  readonly version?: string;
  /** Storage of each instance (PostgreSQL; in-cluster Redis), in GiB. @default 20 */
  readonly storageGiB?: number;
  /** The database the callers use (PostgreSQL). @default the store's name with `-` as `_` */
  readonly database?: string;
  /** Critical data (the namespace is backed up every 15 minutes; see ServiceDefinition.critical). @default false */
  readonly critical?: boolean;
}

/** Per-environment choices for data stores (in `EnvironmentConfig.dataStores`). */
export interface EnvironmentDataStoresConfig {
  /** Where the environment's stores run. @default DataStorePlacement.MANAGED */
  readonly placement?: DataStorePlacement;
  /** Per store (by name), a placement that differs from the environment's. @default {} */
  readonly placementOverrides?: Readonly<Record<string, DataStorePlacement>>;
  /** The managed PostgreSQL flavour. @default ManagedPostgresFlavour.RDS */
  readonly postgresFlavour?: ManagedPostgresFlavour;
  /** RDS/Aurora instance class. @default 'db.m7g.large' */
  readonly postgresInstanceClass?: string;
  /** ElastiCache node type. @default 'cache.m7g.large' */
  readonly redisNodeType?: string;
  /** Days of automated backups (point-in-time recovery window) of managed stores, 1 to 35. @default 14 */
  readonly backupRetentionDays?: number;
}
