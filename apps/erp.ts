/**
 * The second reference platform: an ERP system (an API, orders, invoicing, reporting and auth) with its PostgreSQL
 * database and its Redis, leaving VMs for EKS. Its data stores run in the cluster in development (CloudNativePG,
 * Redis with Sentinel) and are managed by AWS in production (RDS Multi-AZ, ElastiCache), from the same two entries;
 * every password is a secret by name, its value in AWS Secrets Manager only.
 *
 * `eks-platform synth apps/erp.ts --outdir platforms/erp` (part of `npm run synth`) writes both worlds of both
 * environments below `platforms/erp/`. It imports the package by its name, exactly like a user's platform.
 */
import {
  CapacityType,
  DataStoreEngine,
  DataStorePlacement,
  GitOpsSync,
  ManagedPostgresFlavour,
  Platform,
  PortProtocol,
  type DataStoreDefinition,
  type EnvironmentConfig,
  type ObservabilityConfig,
  type ServiceDefinition,
  type ServicePortSpec,
} from 'eks-platform-constructs/model';

const REGISTRY = '444455556666.dkr.ecr.eu-west-1.amazonaws.com/erp';
const HTTP: ServicePortSpec = { name: 'web', port: 8080, protocol: PortProtocol.HTTP };
const METRICS: ServicePortSpec = { name: 'metrics', port: 9100, protocol: PortProtocol.HTTP };

/** An ERP service: one version from the ERP's registry, an HTTP port and a metrics port. */
function erpService(name: string, tag: string, rest: Partial<ServiceDefinition> = {}): ServiceDefinition {
  return {
    name,
    namespace: 'erp',
    partOf: 'erp',
    versions: [{ name: 'v1', image: `${REGISTRY}/${name}:${tag}` }],
    ports: [HTTP, METRICS],
    metricsPort: 'metrics',
    ...rest,
  };
}

/** The database and the cache: one entry each, placed per environment (`dataStores` of each environment). */
export const dataStores: DataStoreDefinition[] = [
  { name: 'erp-db', namespace: 'erp-data', engine: DataStoreEngine.POSTGRESQL, version: '17', storageGiB: 100, database: 'erp', critical: true },
  { name: 'erp-cache', namespace: 'erp-data', engine: DataStoreEngine.REDIS, version: '7', storageGiB: 10 },
];

export const services: ServiceDefinition[] = [
  erpService('api', '2.14.0', {
    public: { hosts: ['erp.example.com'] },
    calls: ['auth', 'orders', 'invoicing', 'reporting', 'erp-data/erp-cache'],
  }),
  erpService('auth', '1.8.3', {
    calls: ['erp-data/erp-db', 'erp-data/erp-cache'],
    // the key that signs session tokens: a file, never an environment variable
    secrets: [{ name: 'signing-key', mountPath: '/etc/auth/keys', description: 'PEM private key that signs ERP session tokens' }],
  }),
  erpService('orders', '4.2.1', {
    critical: true,
    calls: ['erp-data/erp-db', 'invoicing'],
  }),
  erpService('invoicing', '3.0.7', {
    critical: true,
    calls: ['erp-data/erp-db'],
    externalEndpoints: [{ host: 'smtp.example.com', port: 587, protocol: PortProtocol.TCP }],
    secrets: [{ name: 'smtp', env: { SMTP_USERNAME: 'username', SMTP_PASSWORD: 'password' }, description: 'SMTP account that sends invoices' }],
    // PDF rendering writes its fonts cache and temporary documents here
    writablePaths: [{ path: '/var/cache/invoicing', sizeMiB: 256 }],
  }),
  erpService('reporting', '1.5.0', {
    calls: ['erp-data/erp-db'],
    resources: { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryRequestMiB: 1024, memoryLimitMiB: 2048, ephemeralStorageLimitMiB: 2048 },
    writablePaths: [{ path: '/var/lib/reporting/exports', sizeMiB: 1024 }],
  }),
];

const ZONES = (region: string) => [`${region}a`, `${region}b`, `${region}c`];

export const environments: EnvironmentConfig[] = [
  {
    name: 'dev',
    accountId: '444444444444',
    region: 'eu-west-1',
    availabilityZones: ZONES('eu-west-1'),
    vpcCidr: '10.40.0.0/16',
    kubernetesVersion: '1.35',
    singleNatGateway: true,
    nodeGroups: [{ name: 'general', instanceTypes: ['m6i.xlarge', 'm5.xlarge'], minSize: 3, maxSize: 6, desiredSize: 3, capacityType: CapacityType.SPOT }],
    clusterAdminRoleArns: ['arn:aws:iam::444444444444:role/erp-admins'],
    backup: { retentionDays: 30, ttlDays: 7, expectedGbPerDay: 5, disableObjectLock: true },
    // development: the database and the cache run in the cluster, still three instances over three zones
    dataStores: { placement: DataStorePlacement.IN_CLUSTER },
    kubernetes: {
      minReplicas: 1,
      maxReplicas: 2,
      allowSingleReplica: true,
      namespaceQuota: { requestsCpuMillis: 32000, requestsMemoryMiB: 65536, limitsCpuMillis: 96000, limitsMemoryMiB: 131072, requestsEphemeralStorageMiB: 65536, pods: 100 },
    },
    tags: { CostCenter: 'erp-dev' },
  },
  {
    name: 'prod',
    accountId: '555555555555',
    region: 'eu-west-1',
    availabilityZones: ZONES('eu-west-1'),
    vpcCidr: '10.50.0.0/16',
    kubernetesVersion: '1.35',
    nodeGroups: [{ name: 'general', instanceTypes: ['m6i.2xlarge'], minSize: 6, maxSize: 30, desiredSize: 6 }],
    clusterAdminRoleArns: ['arn:aws:iam::555555555555:role/erp-admins'],
    backup: { retentionDays: 365, ttlDays: 30, replicaRegion: 'eu-central-1', expectedGbPerDay: 50 },
    // production: RDS for PostgreSQL Multi-AZ and ElastiCache over the three zones, managed by AWS
    dataStores: { placement: DataStorePlacement.MANAGED, postgresFlavour: ManagedPostgresFlavour.RDS, postgresInstanceClass: 'db.r7g.large', redisNodeType: 'cache.r7g.large', backupRetentionDays: 14 },
    // production changes wait for a person to press Sync in Argo CD
    gitops: { sync: GitOpsSync.MANUAL },
    kubernetes: {
      minReplicas: 3,
      maxReplicas: 8,
      namespaceQuota: { requestsCpuMillis: 64000, requestsMemoryMiB: 131072, limitsCpuMillis: 192000, limitsMemoryMiB: 262144, requestsEphemeralStorageMiB: 131072, pods: 200 },
    },
    tags: { CostCenter: 'erp-prod' },
  },
];

/** Alerts by severity to the ERP team (Secrets by reference: create `alerting` in `monitoring` before the first sync). */
export const observability: ObservabilityConfig = {
  runbookBaseUrl: 'https://git.example.com/erp/platform/-/blob/main/platforms/erp/dist',
  alerting: {
    pagerDutyRoutingKey: { name: 'alerting', key: 'pagerduty-routing-key' },
    slack: { apiUrl: { name: 'alerting', key: 'slack-webhook-url' }, channel: '#erp-alerts' },
    email: { to: 'erp-ops@example.com', from: 'alertmanager@example.com', smarthost: 'smtp.example.com:587' },
  },
};

export const platform = new Platform({
  name: 'erp',
  environments,
  services,
  dataStores,
  tags: { Project: 'erp', ManagedBy: 'eks-platform-constructs' },
  observability,
  registry: { accountId: '444455556666', region: 'eu-west-1' },
  // Argo CD syncs platforms/erp/dist/<env>/ of this repository
  gitops: { repoURL: 'https://git.example.com/erp/platform.git', revision: 'main', path: 'platforms/erp/dist' },
});

export default platform;
