/**
 * Data stores: PostgreSQL and Redis, declared once and placed per environment either in the cluster (an operator or
 * chart, highly available over the zones) or managed by AWS (RDS/Aurora, ElastiCache). Callers address a store the
 * same way in both placements (`calls: ['<namespace>/<store>']`), receive its credentials as a secret, and their
 * network and mesh policies follow from `calls` as for any service.
 */
import { createHash } from 'node:crypto';
import { carvedSubnetCidrs, parseCidr } from './cidr';
import { ValidationError, isDns1123Label, requireBoolean } from './validation';

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
  /**
   * The version of each store's credentials (by name): raising it writes a new password to the store's secret and to
   * the store in the next `terraform apply` (rotation, docs/data-stores.md).
   * @default 1 for every store
   */
  readonly credentialsVersions?: Readonly<Record<string, number>>;
}

/** The PostgreSQL port, in both placements. */
export const POSTGRES_PORT = 5432;
/** The Redis port, in both placements. */
export const REDIS_PORT = 6379;
/** PostgreSQL instances of an in-cluster store: a primary and two standbys, one per zone (fewer is refused). */
export const IN_CLUSTER_POSTGRES_INSTANCES = 3;
/** Redis pods of an in-cluster store (each with its Sentinel), one per zone: Sentinel's quorum of 2 survives a zone. */
export const IN_CLUSTER_REDIS_REPLICAS = 3;
/** Engine versions the library knows how to deploy, by engine. */
export const DATA_STORE_VERSIONS: Readonly<Record<DataStoreEngine, readonly string[]>> = {
  [DataStoreEngine.POSTGRESQL]: ['16', '17'],
  [DataStoreEngine.REDIS]: ['7', '8'],
};
/** The defaults of {@link DataStoreDefinition} and {@link EnvironmentDataStoresConfig}. */
export const DATA_STORE_DEFAULTS = {
  postgresVersion: '17',
  redisVersion: '7',
  storageGiB: 20,
  placement: DataStorePlacement.MANAGED,
  postgresFlavour: ManagedPostgresFlavour.RDS,
  postgresInstanceClass: 'db.m7g.large',
  redisNodeType: 'cache.m7g.large',
  backupRetentionDays: 14,
} as const;

/** The keys of a store's credentials secret (its JSON value in Secrets Manager), by engine. */
export const DATA_STORE_SECRET_KEYS: Readonly<Record<DataStoreEngine, readonly string[]>> = {
  [DataStoreEngine.POSTGRESQL]: ['username', 'password', 'host', 'port', 'dbname'],
  [DataStoreEngine.REDIS]: ['password', 'host', 'port', 'tls'],
};

/** {@link EnvironmentDataStoresConfig} with its defaults applied. */
export interface ResolvedDataStoresConfig {
  readonly placement: DataStorePlacement;
  readonly placementOverrides: Readonly<Record<string, DataStorePlacement>>;
  readonly postgresFlavour: ManagedPostgresFlavour;
  readonly postgresInstanceClass: string;
  readonly redisNodeType: string;
  readonly backupRetentionDays: number;
  readonly credentialsVersions: Readonly<Record<string, number>>;
}

/** A data store as one environment runs it: the definition with its defaults and its placement there. */
export interface ResolvedDataStore {
  /** The store's name. */
  readonly name: string;
  /** Its namespace. */
  readonly namespace: string;
  readonly engine: DataStoreEngine;
  /** The engine's major version. */
  readonly version: string;
  /** Storage per instance, GiB. */
  readonly storageGiB: number;
  /** The database (PostgreSQL); the owner role is named the same. Empty for Redis. */
  readonly database: string;
  readonly critical: boolean;
  /** Where it runs in this environment. */
  readonly placement: DataStorePlacement;
  /** The port callers connect to. */
  readonly port: number;
  /** The name callers connect to, in both placements: `<store>.<namespace>.svc.cluster.local`. */
  readonly host: string;
}

/** The environment's data-store settings with the defaults applied. */
export function resolveDataStoresConfig(config: EnvironmentDataStoresConfig | undefined): ResolvedDataStoresConfig {
  const c = config ?? {};
  return {
    placement: c.placement ?? DATA_STORE_DEFAULTS.placement,
    placementOverrides: c.placementOverrides ?? {},
    postgresFlavour: c.postgresFlavour ?? DATA_STORE_DEFAULTS.postgresFlavour,
    postgresInstanceClass: c.postgresInstanceClass ?? DATA_STORE_DEFAULTS.postgresInstanceClass,
    redisNodeType: c.redisNodeType ?? DATA_STORE_DEFAULTS.redisNodeType,
    backupRetentionDays: c.backupRetentionDays ?? DATA_STORE_DEFAULTS.backupRetentionDays,
    credentialsVersions: c.credentialsVersions ?? {},
  };
}

/** `<namespace>/<name>`: how `calls` names a store. */
export function dataStoreKey(store: Pick<DataStoreDefinition, 'name' | 'namespace'>): string {
  return `${store.namespace}/${store.name}`;
}

/** The name callers connect to in both placements: `<store>.<namespace>.svc.cluster.local`. */
export function dataStoreHost(store: Pick<DataStoreDefinition, 'name' | 'namespace'>): string {
  return `${store.name}.${store.namespace}.svc.cluster.local`;
}

/** The port of an engine. */
export function dataStorePort(engine: DataStoreEngine): number {
  return engine === DataStoreEngine.POSTGRESQL ? POSTGRES_PORT : REDIS_PORT;
}

/** The store as an environment runs it (defaults applied, placement decided). */
export function resolveDataStore(store: DataStoreDefinition, config: EnvironmentDataStoresConfig | undefined): ResolvedDataStore {
  const c = resolveDataStoresConfig(config);
  const postgres = store.engine === DataStoreEngine.POSTGRESQL;
  return {
    name: store.name,
    namespace: store.namespace,
    engine: store.engine,
    version: store.version ?? (postgres ? DATA_STORE_DEFAULTS.postgresVersion : DATA_STORE_DEFAULTS.redisVersion),
    storageGiB: store.storageGiB ?? DATA_STORE_DEFAULTS.storageGiB,
    database: postgres ? store.database ?? store.name.replace(/-/g, '_') : '',
    critical: store.critical ?? false,
    placement: c.placementOverrides[store.name] ?? c.placement,
    port: dataStorePort(store.engine),
    host: dataStoreHost(store),
  };
}

/**
 * The environment variables a caller gets from a store's credentials: `<STORE>_<KEY>` for every key of the secret
 * (`erp-db` gives `ERP_DB_HOST`, `ERP_DB_PASSWORD`, ...), so that two stores never collide.
 */
export function dataStoreEnv(store: Pick<DataStoreDefinition, 'name' | 'engine'>): Record<string, string> {
  const prefix = store.name.toUpperCase().replace(/-/g, '_');
  return Object.fromEntries(DATA_STORE_SECRET_KEYS[store.engine].map((key) => [`${prefix}_${key.toUpperCase()}`, key]));
}

/**
 * The VPC blocks a managed store's addresses come from: the intra subnets the platform carves from `vpcCidr`
 * (`carvedSubnetCidrs`, what lib/aws/network.ts builds), or the whole VPC for an existing one (its
 * subnets' CIDRs are not in the model). Callers' NetworkPolicies open the store's port to these only.
 */
export function managedStoreCidrs(vpcCidr: string, existingVpc: boolean): string[] {
  const vpc = parseCidr(vpcCidr, 'vpcCidr');
  return existingVpc ? [vpc.text] : carvedSubnetCidrs(vpc).intra.map((c) => c.text);
}

const ALLOWED_PLACEMENTS = Object.values(DataStorePlacement) as string[];

/**
 * Checks the data stores and every environment's `dataStores`, in one place (the Platform calls it): names, engines,
 * versions, sizes, database names, unique `<namespace>/<name>` that no service takes, placements, flavours, classes
 * and the PITR window. `serviceKeys` are the services' `namespace/name`.
 */
export function validateDataStores(path: string, stores: readonly DataStoreDefinition[], environments: readonly { readonly name: string; readonly dataStores?: EnvironmentDataStoresConfig }[], serviceKeys: ReadonlySet<string>, reservedNamespace: (ns: string) => boolean): void {
  const seen = new Set<string>();
  for (const store of stores) {
    const at = (field: string) => `dataStores.${store.name}.${field}`;
    if (!isDns1123Label(store.name) || store.name.length > 30 || !/^[a-z]/.test(store.name)) {
      throw new ValidationError(path, 'dataStores[].name', store.name, 'allowed: a DNS-1035 label of at most 30 characters (a lower-case letter first): the name of its Kubernetes Service');
    }
    if (!isDns1123Label(store.namespace)) {
      throw new ValidationError(path, at('namespace'), store.namespace, 'allowed: a DNS-1123 label');
    }
    if (reservedNamespace(store.namespace)) {
      throw new ValidationError(path, at('namespace'), store.namespace, 'allowed: a namespace of the platform\'s own; not default, istio-system or kube-*');
    }
    const key = dataStoreKey(store);
    if (seen.has(key)) {
      throw new ValidationError(path, 'dataStores[].name', key, 'allowed: each store once per namespace');
    }
    if (serviceKeys.has(key)) {
      throw new ValidationError(path, 'dataStores[].name', key, 'allowed: a name no service of the namespace has (callers address both the same way)');
    }
    seen.add(key);
    if (!(Object.values(DataStoreEngine) as string[]).includes(store.engine)) {
      throw new ValidationError(path, at('engine'), store.engine, `allowed: ${Object.values(DataStoreEngine).join(', ')}`);
    }
    if (store.version !== undefined && !DATA_STORE_VERSIONS[store.engine].includes(store.version)) {
      throw new ValidationError(path, at('version'), store.version, `allowed: a major version of ${store.engine}: ${DATA_STORE_VERSIONS[store.engine].join(', ')}`);
    }
    // RDS gp3 starts at 20 GiB; Redis keeps its data in memory (the volume holds the in-cluster snapshots only)
    const minGiB = store.engine === DataStoreEngine.POSTGRESQL ? 20 : 1;
    if (store.storageGiB !== undefined && (!Number.isInteger(store.storageGiB) || store.storageGiB < minGiB || store.storageGiB > 65536)) {
      throw new ValidationError(path, at('storageGiB'), store.storageGiB, `allowed: a whole number of GiB from ${minGiB}${minGiB === 20 ? ' (the RDS minimum for gp3)' : ''} to 65536`);
    }
    requireBoolean(path, at('critical'), store.critical);
    if (store.database !== undefined) {
      if (store.engine !== DataStoreEngine.POSTGRESQL) {
        throw new ValidationError(path, at('database'), store.database, 'allowed: a database only for PostgreSQL');
      }
      if (!/^[a-z][a-z0-9_]{0,62}$/.test(store.database) || ['postgres', 'template0', 'template1', 'rdsadmin'].includes(store.database)) {
        throw new ValidationError(path, at('database'), store.database, 'allowed: a PostgreSQL identifier (a lower-case letter, then letters, digits or _; at most 63) other than postgres, template0, template1 and rdsadmin');
      }
    }
  }
  const names = new Set(stores.map((s) => s.name));
  for (const env of environments) {
    const at = (field: string) => `environments.${env.name}.dataStores.${field}`;
    const c = env.dataStores;
    if (c === undefined) {
      continue;
    }
    if (c.placement !== undefined && !ALLOWED_PLACEMENTS.includes(c.placement)) {
      throw new ValidationError(path, at('placement'), c.placement, `allowed: ${ALLOWED_PLACEMENTS.join(', ')}`);
    }
    for (const [name, placement] of Object.entries(c.placementOverrides ?? {})) {
      if (!names.has(name)) {
        throw new ValidationError(path, at('placementOverrides'), name, `allowed: names of the platform's data stores (${[...names].join(', ') || 'none declared'})`);
      }
      if (!ALLOWED_PLACEMENTS.includes(placement)) {
        throw new ValidationError(path, at(`placementOverrides.${name}`), placement, `allowed: ${ALLOWED_PLACEMENTS.join(', ')}`);
      }
    }
    for (const [name, version] of Object.entries(c.credentialsVersions ?? {})) {
      if (!names.has(name)) {
        throw new ValidationError(path, at('credentialsVersions'), name, `allowed: names of the platform's data stores (${[...names].join(', ') || 'none declared'})`);
      }
      if (!Number.isInteger(version) || version < 1) {
        throw new ValidationError(path, at(`credentialsVersions.${name}`), version, 'allowed: a whole number, 1 or more (raise it to rotate)');
      }
    }
    if (c.postgresFlavour !== undefined && !(Object.values(ManagedPostgresFlavour) as string[]).includes(c.postgresFlavour)) {
      throw new ValidationError(path, at('postgresFlavour'), c.postgresFlavour, `allowed: ${Object.values(ManagedPostgresFlavour).join(', ')}`);
    }
    if (c.postgresInstanceClass !== undefined && !/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(c.postgresInstanceClass)) {
      throw new ValidationError(path, at('postgresInstanceClass'), c.postgresInstanceClass, 'allowed: an RDS instance class such as db.m7g.large');
    }
    if (c.redisNodeType !== undefined && !/^cache\.[a-z0-9]+\.[a-z0-9]+$/.test(c.redisNodeType)) {
      throw new ValidationError(path, at('redisNodeType'), c.redisNodeType, 'allowed: an ElastiCache node type such as cache.m7g.large');
    }
    if (c.backupRetentionDays !== undefined && (!Number.isInteger(c.backupRetentionDays) || c.backupRetentionDays < 1 || c.backupRetentionDays > 35)) {
      throw new ValidationError(path, at('backupRetentionDays'), c.backupRetentionDays, 'allowed: a whole number of days from 1 to 35 (the RDS and ElastiCache limits; 0 would turn point-in-time recovery off)');
    }
  }
}

/**
 * The Route 53 private hosted zone of an environment's managed stores, associated with its VPC only:
 * `<env>.<platform>.data.internal`. The Kubernetes side points each store's ExternalName Service at its record.
 */
export function dataStoresZoneName(platformName: string, environmentName: string): string {
  return `${environmentName}.${platformName}.data.internal`;
}

/** The record of a managed store in the environment's private zone: `<store>.<namespace>.<zone>`, a CNAME of the AWS endpoint. */
export function managedStoreRecordName(platformName: string, environmentName: string, store: Pick<DataStoreDefinition, 'name' | 'namespace'>): string {
  return `${store.name}.${store.namespace}.${dataStoresZoneName(platformName, environmentName)}`;
}

/** The longest identifier of a managed store: ElastiCache replication group ids are at most 40 characters (RDS allows 63). */
export const MANAGED_STORE_IDENTIFIER_MAX = 40;

/**
 * `<platform>-<env>-<store>`: the identifier of a managed store's RDS instance, Aurora cluster or replication group.
 * Longer than 40 characters, it is cut and ends in 8 hex characters of a SHA-256 of the full name (deterministic, unique).
 */
export function managedStoreIdentifier(platformName: string, environmentName: string, store: Pick<DataStoreDefinition, 'name'>): string {
  const full = `${platformName}-${environmentName}-${store.name}`;
  if (full.length <= MANAGED_STORE_IDENTIFIER_MAX) {
    return full;
  }
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, MANAGED_STORE_IDENTIFIER_MAX - 9).replace(/-+$/, '')}-${hash}`;
}

/**
 * The service accounts of an in-cluster store, in its namespace: `cluster` is CloudNativePG's (named after the
 * Cluster; its IRSA role writes the backups), `credentials` the one External Secrets reads the store's own secret as.
 */
export function dataStoreServiceAccounts(store: Pick<DataStoreDefinition, 'name'>): { readonly cluster: string; readonly credentials: string } {
  return { cluster: store.name, credentials: `${store.name}-credentials` };
}

/** Where an in-cluster PostgreSQL store's base backups and WAL go in the environment's backup bucket: `data-stores/<namespace>/<store>`. */
export function dataStoreBackupPrefix(store: Pick<DataStoreDefinition, 'name' | 'namespace'>): string {
  return `data-stores/${store.namespace}/${store.name}`;
}
