/**
 * The reference platform: an e-commerce shop of 12 microservices and its Redis, in three environments.
 * Declared once, as a user declares theirs: `eks-platform synth apps/platform.ts` (`npm run synth`) writes
 * both worlds of every environment. It imports the package by its name, exactly like a user's platform.
 */
import {
  CapacityType,
  DataStoreEngine,
  DataStorePlacement,
  GitOpsSync,
  Platform,
  PortProtocol,
  Release,
  type DataStoreDefinition,
  type EnvironmentConfig,
  type ObservabilityConfig,
  type PlatformProps,
  type ServiceDefinition,
  type ServicePortSpec,
} from 'eks-platform-constructs/model';

const REGISTRY = '111122223333.dkr.ecr.eu-central-1.amazonaws.com/shop';
const HTTP: ServicePortSpec = { name: 'web', port: 8080, protocol: PortProtocol.HTTP };
const GRPC: ServicePortSpec = { name: 'api', port: 9090, protocol: PortProtocol.GRPC };
const METRICS: ServicePortSpec = { name: 'metrics', port: 9100, protocol: PortProtocol.HTTP };

/** A stateless shop service with one version, an HTTP port and a metrics port. */
function shopService(name: string, tag: string, rest: Partial<ServiceDefinition> = {}): ServiceDefinition {
  return {
    name,
    namespace: 'shop',
    partOf: 'shop',
    versions: [{ name: 'v1', image: `${REGISTRY}/${name}:${tag}` }],
    ports: [HTTP, METRICS],
    metricsPort: 'metrics',
    ...rest,
  };
}

export const services: ServiceDefinition[] = [
  shopService('storefront', '3.12.0', {
    calls: ['catalog', 'search', 'cart', 'customer', 'recommendation', 'checkout'],
    public: { hosts: ['shop.example.com'] },
    configFiles: { 'storefront.yaml': 'theme: default\ncache_ttl_seconds: 60\n' },
  }),
  shopService('catalog', '2.8.1', {
    versions: [
      { name: 'v1', image: `${REGISTRY}/catalog:2.8.1` },
      { name: 'v2', image: `${REGISTRY}/catalog:2.9.0` },
    ],
    release: Release.canary({ v1: 90, v2: 10 }, { testerRoute: { header: 'x-shop-tester', value: 'canary', version: 'v2' } }),
    ports: [HTTP, GRPC, METRICS],
    calls: ['inventory'],
  }),
  shopService('search', '1.20.3', {
    calls: ['catalog'],
    externalEndpoints: [{ host: 'search-shop.eu-central-1.es.amazonaws.com', port: 443 }],
    resources: { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryRequestMiB: 1024, memoryLimitMiB: 2048 },
  }),
  shopService('cart', '4.1.0', {
    calls: ['catalog', 'inventory', 'shop-data/redis'],
  }),
  shopService('checkout', '5.0.2', {
    critical: true, // its namespace's data: backed up every 15 minutes, restored daily by the restore check
    calls: ['cart', 'payment', 'order', 'customer', 'inventory'],
    public: { hosts: ['checkout.example.com'] },
  }),
  shopService('payment', '2.3.0', {
    critical: true,
    versions: [
      { name: 'blue', image: `${REGISTRY}/payment:2.3.0` },
      { name: 'green', image: `${REGISTRY}/payment:2.4.0` },
    ],
    release: Release.blueGreen('blue', 'green', 'blue', { testerRoute: { header: 'x-shop-tester', value: 'green', version: 'green' } }),
    ports: [GRPC, METRICS],
    externalEndpoints: [{ host: 'api.stripe.com', port: 443 }],
    // the payment provider's API key: a secret by name, its value in Secrets Manager only (docs/secrets.md)
    secrets: [{ name: 'stripe', env: { STRIPE_API_KEY: 'api-key' }, description: 'Stripe API key of the shop' }],
  }),
  shopService('order', '3.4.1', {
    critical: true,
    ports: [GRPC, METRICS],
    calls: ['inventory', 'shipping', 'notification', 'payment'],
  }),
  shopService('inventory', '1.9.0', {
    ports: [GRPC, METRICS],
  }),
  shopService('shipping', '1.2.7', {
    externalEndpoints: [{ host: 'api.carrier.example.net', port: 443 }],
  }),
  shopService('customer', '2.0.4', {
    ports: [GRPC, METRICS],
  }),
  shopService('notification', '1.6.2', {
    awsPermissions: [{ actions: ['ses:SendEmail', 'ses:SendRawEmail'], resources: ['arn:aws:ses:eu-central-1:*:identity/example.com'] }],
  }),
  shopService('recommendation', '0.9.5', {
    calls: ['catalog'],
    awsPermissions: [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::shop-recommendation-models/*'] }],
    resources: { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryRequestMiB: 1024, memoryLimitMiB: 2048 },
  }),
];

const ZONES = (region: string) => [`${region}a`, `${region}b`, `${region}c`];

/**
 * The shop's Redis (the cart's sessions): one entry, highly available wherever it runs: three Redis pods with
 * Sentinel over three zones in dev and staging, an ElastiCache replication group over three zones in prod.
 */
export const dataStores: DataStoreDefinition[] = [
  { name: 'redis', namespace: 'shop-data', engine: DataStoreEngine.REDIS, version: '7', storageGiB: 20 },
];

export const environments: EnvironmentConfig[] = [
  {
    name: 'dev',
    accountId: '111111111111',
    region: 'eu-central-1',
    availabilityZones: ZONES('eu-central-1'),
    vpcCidr: '10.10.0.0/16',
    kubernetesVersion: '1.35',
    singleNatGateway: true,
    nodeGroups: [{ name: 'general', instanceTypes: ['m6i.large', 'm5.large'], minSize: 2, maxSize: 6, desiredSize: 3, capacityType: CapacityType.SPOT }],
    clusterAdminRoleArns: ['arn:aws:iam::111111111111:role/platform-admins'],
    // dev keeps nothing worth locking: a named weakening
    // Velero keeps backups ttlDays (at least the Object Lock's days); the bucket keeps versions retentionDays
    backup: { retentionDays: 30, ttlDays: 7, expectedGbPerDay: 5, disableObjectLock: true },
    dataStores: { placement: DataStorePlacement.IN_CLUSTER },
    kubernetes: {
      minReplicas: 1,
      maxReplicas: 2,
      allowSingleReplica: true,
      namespaceQuota: { requestsCpuMillis: 32000, requestsMemoryMiB: 65536, limitsCpuMillis: 96000, limitsMemoryMiB: 131072, requestsEphemeralStorageMiB: 65536, pods: 100 },
    },
    tags: { CostCenter: 'shop-dev' },
  },
  {
    name: 'staging',
    accountId: '222222222222',
    region: 'eu-central-1',
    availabilityZones: ZONES('eu-central-1'),
    vpcCidr: '10.20.0.0/16',
    kubernetesVersion: '1.35',
    nodeGroups: [{ name: 'general', instanceTypes: ['m6i.xlarge'], minSize: 3, maxSize: 12, desiredSize: 3 }],
    clusterAdminRoleArns: ['arn:aws:iam::222222222222:role/platform-admins'],
    // staging: replicated, but without Object Lock and without Replication Time Control's extra cost
    backup: { retentionDays: 90, ttlDays: 14, replicaRegion: 'eu-west-1', expectedGbPerDay: 20, disableObjectLock: true, replicationTimeControl: false },
    dataStores: { placement: DataStorePlacement.IN_CLUSTER },
    kubernetes: {
      minReplicas: 2,
      maxReplicas: 4,
      namespaceQuota: { requestsCpuMillis: 64000, requestsMemoryMiB: 131072, limitsCpuMillis: 192000, limitsMemoryMiB: 262144, requestsEphemeralStorageMiB: 131072, pods: 200 },
    },
    tags: { CostCenter: 'shop-staging' },
  },
  {
    name: 'prod',
    accountId: '333333333333',
    region: 'eu-central-1',
    availabilityZones: ZONES('eu-central-1'),
    vpcCidr: '10.30.0.0/16',
    kubernetesVersion: '1.35',
    nodeGroups: [
      { name: 'general', instanceTypes: ['m6i.2xlarge'], minSize: 12, maxSize: 150, desiredSize: 12 },
      { name: 'memory', instanceTypes: ['r6i.2xlarge'], minSize: 8, maxSize: 50, desiredSize: 8, labels: { workload: 'memory' } },
    ],
    clusterAdminRoleArns: ['arn:aws:iam::333333333333:role/platform-admins', 'arn:aws:iam::333333333333:role/sre-oncall'],
    backup: { retentionDays: 365, ttlDays: 30, replicaRegion: 'eu-west-1', expectedGbPerDay: 200 },
    dataStores: { placement: DataStorePlacement.MANAGED, redisNodeType: 'cache.r7g.large' },
    // production changes wait for a person to press Sync in Argo CD
    gitops: { sync: GitOpsSync.MANUAL },
    kubernetes: {
      minReplicas: 3,
      maxReplicas: 10,
      namespaceQuota: { requestsCpuMillis: 128000, requestsMemoryMiB: 262144, limitsCpuMillis: 384000, limitsMemoryMiB: 524288, requestsEphemeralStorageMiB: 262144, pods: 400 },
      serviceOverrides: { storefront: { maxReplicas: 20 }, checkout: { maxReplicas: 20 } },
    },
    tags: { CostCenter: 'shop-prod' },
  },
];

/**
 * Where the images come from: the platform's registry, an account of its own (REGISTRY). Spread into every Platform
 * built from these services.
 */
export const imageSources: Pick<PlatformProps, 'registry' | 'allowedImageRegistries'> = {
  registry: { accountId: '111122223333', region: 'eu-central-1' },
};

/** The reference platform. */
/**
 * How the shop is operated: alerts routed by severity (Secrets by reference: create `alerting` in `monitoring` and
 * `log-shipping` in `logging` before the first sync), runbooks published from this repository's `dist/`.
 */
export const observability: ObservabilityConfig = {
  runbookBaseUrl: 'https://git.example.com/shop/platform/-/blob/main/dist',
  alerting: {
    pagerDutyRoutingKey: { name: 'alerting', key: 'pagerduty-routing-key' },
    slack: { apiUrl: { name: 'alerting', key: 'slack-webhook-url' }, channel: '#shop-alerts' },
    email: { to: 'shop-ops@example.com', from: 'alertmanager@example.com', smarthost: 'smtp.example.com:587', authUsername: 'alertmanager', authPassword: { name: 'alerting', key: 'smtp-password' } },
    // Alertmanager's time intervals are UTC (prometheus-operator has no location): 08:00 to 18:00 in Berlin, winter time
    businessHours: [{ weekdays: ['monday:friday'], start: '07:00', end: '17:00' }],
    maintenanceWindows: [{ name: 'sunday-patching', times: [{ weekdays: ['sunday'], start: '02:00', end: '04:00' }] }],
  },
  logs: { host: 'logs.example.com', indexPrefix: 'shop', user: 'fluent-bit', password: { name: 'log-shipping', key: 'password' } },
};

export const platform = new Platform({
  name: 'shop',
  environments,
  services,
  dataStores,
  tags: { Project: 'shop', ManagedBy: 'eks-platform-constructs' },
  observability,
  // Argo CD syncs dist/<env>/ of this repository (argocd.k8s.yaml in each folder is the root Application)
  gitops: { repoURL: 'https://git.example.com/shop/platform.git', revision: 'main', path: 'dist' },
  ...imageSources,
});

export default platform;
