/**
 * One refusal per field of the model (docs/model.md, "Field domains"): each case changes one field of the valid
 * reference platform to a value outside its domain and expects a ValidationError that names the field and the value.
 * The table cites each case by its name.
 */
import { dataStores as referenceStores, environments as referenceEnvironments, imageSources, observability as referenceObservability, services as referenceServices } from '../../apps/platform';
import { DataStoreEngine, type DataStoreDefinition, type EnvironmentDataStoresConfig } from '../../lib/model/data-stores';
import type { BackupConfig, EnvironmentConfig, KubernetesEnvironmentConfig, NamespaceQuotaConfig, NodeGroupConfig } from '../../lib/model/environment';
import type { AlertRoutingConfig, LogShippingConfig, ObservabilityConfig } from '../../lib/model/observability';
import { Platform, type PlatformProps } from '../../lib/model/platform';
import { Release, type ServiceDefinition } from '../../lib/model/service';
import { ValidationError, formatValue } from '../../lib/model/validation';
import { Chart, Testing } from 'cdk8s';
import { AlertRouting } from '../../lib/k8s/observability/alert-routing';
import { statefulRedis } from '../fixtures/shop';
import { errorOf } from '../fixtures/errors';

/** A stateful service with storage, replicas and a metrics exporter beside the reference catalog. */
const cache: ServiceDefinition = { ...statefulRedis, name: 'cache', replicas: 3 };
/** A service that uses the fields the reference catalog leaves out. */
const worker: ServiceDefinition = {
  name: 'worker',
  namespace: 'shop',
  partOf: 'shop',
  versions: [{ name: 'v1', image: '111122223333.dkr.ecr.eu-central-1.amazonaws.com/shop/worker:1.0.0' }],
  ports: [{ name: 'web', port: 8080, protocol: 'http' as never, targetPort: 8081 }],
  probes: { readinessPath: '/ready', livenessPath: '/healthz', startupPath: '/started', port: 'web' },
  env: { LOG_LEVEL: 'info' },
  secrets: [{ name: 'api', env: { API_TOKEN: 'token' }, mountPath: '/etc/api', description: 'The worker\'s API token' }],
  writablePaths: [{ path: '/var/cache/worker', sizeMiB: 64, inMemory: false }],
  tolerations: [{ key: 'workload', value: 'memory', effect: 'NoSchedule' }],
  nodeSelector: {},
  alerts: { HighLatency: { severity: 'warning', threshold: 500, for: '10m', disabled: false } },
  externalEndpoints: [{ host: 'api.example.org', port: 443, cidrs: ['203.0.113.0/24'], protocol: 'tls' as never }],
  public: { hosts: ['worker.example.com'], pathPrefix: '/jobs' },
  critical: false,
};

const base: PlatformProps = {
  name: 'shop',
  environments: referenceEnvironments.map((e) => (e.name === 'prod'
    ? { ...e, logRetentionDays: 90, remoteState: { bucket: 'shop-prod-tfstate-333333333333', lockTable: 'shop-prod-tflock', region: 'eu-central-1' } }
    : e)),
  services: [...referenceServices, cache, worker],
  dataStores: referenceStores,
  tags: { Project: 'shop' },
  observability: referenceObservability,
  gitops: { repoURL: 'https://git.example.com/shop/platform.git', revision: 'main', path: 'dist' },
  ...imageSources,
  allowedImageRegistries: ['public.ecr.aws/docker/library', 'docker.io/oliver006/redis_exporter'],
};

type Change = (p: PlatformProps) => PlatformProps;

const props = (change: Partial<PlatformProps>): Change => (p) => ({ ...p, ...change });
const env = (change: (e: EnvironmentConfig) => Record<string, unknown>, name = 'prod'): Change => (p) => ({ ...p, environments: p.environments.map((e) => (e.name === name ? { ...e, ...change(e) } as EnvironmentConfig : e)) });
const group = (change: Record<string, unknown>): Change => env((e) => ({ nodeGroups: e.nodeGroups.map((g, i) => (i === 0 ? { ...g, ...change } as NodeGroupConfig : g)) }));
const kube = (change: Record<string, unknown>): Change => env((e) => ({ kubernetes: { ...e.kubernetes, ...change } as KubernetesEnvironmentConfig }));
const quota = (change: Record<string, unknown>): Change => env((e) => ({ kubernetes: { ...e.kubernetes, namespaceQuota: { ...e.kubernetes.namespaceQuota, ...change } as NamespaceQuotaConfig } }));
const shopQuota = (change: Record<string, unknown>): Change => env((e) => ({ kubernetes: { ...e.kubernetes, namespaceQuotas: { shop: { ...e.kubernetes.namespaceQuota, ...change } as NamespaceQuotaConfig } } }));
const backup = (change: Record<string, unknown>): Change => env((e) => ({ backup: { ...e.backup, ...change } as BackupConfig }));
const stores = (change: Record<string, unknown>): Change => env((e) => ({ dataStores: { ...e.dataStores, ...change } as EnvironmentDataStoresConfig }));
const store = (change: Record<string, unknown>): Change => (p) => ({ ...p, dataStores: (p.dataStores ?? []).map((d, i) => (i === 0 ? { ...d, ...change } as DataStoreDefinition : d)) });
const svc = (name: string, change: (s: ServiceDefinition) => Record<string, unknown>): Change => (p) => ({ ...p, services: (p.services ?? []).map((s) => (s.name === name ? { ...s, ...change(s) } as ServiceDefinition : s)) });
const obs = (change: Record<string, unknown>): Change => (p) => ({ ...p, observability: { ...p.observability, ...change } as ObservabilityConfig });
const alerting = (change: Record<string, unknown>): Change => (p) => ({ ...p, observability: { ...p.observability!, alerting: { ...p.observability!.alerting, ...change } as AlertRoutingConfig } });
const email = (change: Record<string, unknown>): Change => (p) => alerting({ email: { ...p.observability!.alerting.email, ...change } })(p);
const logs = (change: Record<string, unknown>): Change => (p) => obs({ logs: { ...p.observability!.logs, ...change } as LogShippingConfig })(p);
const existingVpc = { vpcId: 'vpc-0123456789abcdef0', privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1', 'subnet-0123456789abcdef2'] };
const quotaOf = (e: EnvironmentConfig) => e.kubernetes.namespaceQuota;

/** [name, change, field, value]: the field and value the ValidationError must name. */
type Case = readonly [string, Change, string, unknown];

const cases: readonly Case[] = [
  // PlatformProps
  ['fails when name is longer than 20 characters', props({ name: 'shop-platform-of-acme' }), 'name', 'shop-platform-of-acme'],
  ['fails when name starts with a digit, as RDS identifiers may not', props({ name: '1shop' }), 'name', '1shop'],
  ['fails when environments is empty', props({ environments: [] }), 'environments', []],
  ['fails when services holds one service twice in a namespace', (p) => ({ ...p, services: [...p.services!, worker] }), 'services[].name', 'shop/worker'],
  ['fails when dataStores holds one store twice in a namespace', (p) => ({ ...p, dataStores: [...p.dataStores!, p.dataStores![0]] }), 'dataStores[].name', 'shop-data/redis'],
  ['fails when tags has a key starting with aws:', props({ tags: { 'aws:team': 'shop' } }), 'tags.aws:team', 'aws:team'],
  ['fails when tags sets Environment, which the library sets to the environment\'s name', props({ tags: { Environment: 'production' } }), 'tags.Environment', 'Environment'],
  ['fails when tags has a value longer than 256 characters', props({ tags: { Project: 'x'.repeat(257) } }), 'tags.Project', 'x'.repeat(257)],
  ['fails when allowedImageRegistries has a scheme', props({ allowedImageRegistries: ['https://docker.io'] }), 'allowedImageRegistries', 'https://docker.io'],
  // registry
  ['fails when registry.accountId is not 12 digits', props({ registry: { accountId: '1111', region: 'eu-central-1' } }), 'registry.accountId', '1111'],
  ['fails when registry.region is not an AWS region', props({ registry: { accountId: '111122223333', region: 'eu-middle-1' } }), 'registry.region', 'eu-middle-1'],
  ['fails when registry.keepReleases is 0', props({ registry: { accountId: '111122223333', region: 'eu-central-1', keepReleases: 0 } }), 'registry.keepReleases', 0],
  ['fails when registry.untaggedExpiryDays is 0.5', props({ registry: { accountId: '111122223333', region: 'eu-central-1', untaggedExpiryDays: 0.5 } }), 'registry.untaggedExpiryDays', 0.5],
  // gitops
  ['fails when gitops.repoURL is plain http', props({ gitops: { repoURL: 'http://git.example.com/shop/platform.git', revision: 'main', path: 'dist' } }), 'gitops.repoURL', 'http://git.example.com/shop/platform.git'],
  ['fails when gitops.revision has ".."', props({ gitops: { repoURL: 'https://git.example.com/shop/platform.git', revision: 'main..next', path: 'dist' } }), 'gitops.revision', 'main..next'],
  ['fails when gitops.path climbs out of the repository', props({ gitops: { repoURL: 'https://git.example.com/shop/platform.git', revision: 'main', path: '../dist' } }), 'gitops.path', '../dist'],
  ['fails when gitops is left out while an environment sets gitops', props({ gitops: undefined }), 'environments.prod.gitops', { sync: 'manual' }],
  // EnvironmentConfig
  ['fails when environments[].name is not a DNS-1123 label', env(() => ({ name: 'Prod' })), 'environments[].name', 'Prod'],
  ['fails when environments[].name makes the derived backup log bucket name longer than 63 characters', (p) => env(() => ({ name: 'production-eu-west-x' }))({ ...p, name: 'shop-platform-eu' }), 'environments[].name', 'production-eu-west-x'],
  ['fails when environments[].accountId has 11 digits', env(() => ({ accountId: '33333333333' })), 'environments.prod.accountId', '33333333333'],
  ['fails when environments[].region is not an AWS region', env(() => ({ region: 'eu-middle-1' })), 'environments.prod.region', 'eu-middle-1'],
  ['fails when environments[].availabilityZones has two zones', env(() => ({ availabilityZones: ['eu-central-1a', 'eu-central-1b'] })), 'environments.prod.availabilityZones', ['eu-central-1a', 'eu-central-1b']],
  ['fails when environments[].vpcCidr is a /24', env(() => ({ vpcCidr: '10.30.0.0/24' })), 'environments.prod.vpcCidr', '10.30.0.0/24'],
  ['fails when environments[].vpcCidr is a public block, which the NetworkPolicies count as the internet', env(() => ({ vpcCidr: '52.30.0.0/16' })), 'environments.prod.vpcCidr', '52.30.0.0/16'],
  ['fails when environments[].kubernetesServiceCidr overlaps the VPC', env(() => ({ kubernetesServiceCidr: '10.30.0.0/16' })), 'environments.prod.kubernetesServiceCidr', '10.30.0.0/16'],
  ['fails when environments[].kubernetesVersion is 1.19, which EKS does not offer', env(() => ({ kubernetesVersion: '1.19' })), 'environments.prod.kubernetesVersion', '1.19'],
  ['fails when environments[].kubernetesExtendedSupport is the string "yes"', env(() => ({ kubernetesExtendedSupport: 'yes' })), 'environments.prod.kubernetesExtendedSupport', 'yes'],
  ['fails when environments[].existingVpc.vpcId is not a VPC id', env(() => ({ existingVpc: { ...existingVpc, vpcId: 'vpc-123' } })), 'environments.prod.existingVpc.vpcId', 'vpc-123'],
  ['fails when environments[].existingVpc.privateSubnetIds has two subnets for three zones', env(() => ({ existingVpc: { ...existingVpc, privateSubnetIds: existingVpc.privateSubnetIds.slice(0, 2) } })), 'environments.prod.existingVpc.privateSubnetIds', existingVpc.privateSubnetIds.slice(0, 2)],
  ['fails when environments[].existingVpc.intraSubnetIds repeats a subnet', env(() => ({ existingVpc: { ...existingVpc, intraSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'] } })), 'environments.prod.existingVpc.intraSubnetIds', ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef0', 'subnet-0123456789abcdef1']],
  ['fails when environments[].nodeGroups is empty', env(() => ({ nodeGroups: [] })), 'environments.prod.nodeGroups', []],
  ['fails when environments[].nodeGroups[].name is not a DNS-1123 label', group({ name: 'General' }), 'environments.prod.nodeGroups[].name', 'General'],
  ['fails when environments[].nodeGroups[].name makes the derived EKS node group name longer than 63 characters', (p) => env((e) => ({ name: 'production-eu-cent', backup: { ...e.backup, replicaRegion: undefined } }))(group({ name: 'general-purpose-compute-x86' })({ ...p, name: 'shop-platform-eu' })), 'environments.production-eu-cent.nodeGroups[].name', 'general-purpose-compute-x86'],
  ['fails when environments[].nodeGroups[].instanceTypes names a size EC2 does not have', group({ instanceTypes: ['m6i.huge'] }), 'environments.prod.nodeGroups.general.instanceTypes', 'm6i.huge'],
  ['fails when environments[].nodeGroups[].minSize is -1', group({ minSize: -1 }), 'environments.prod.nodeGroups.general.minSize', -1],
  ['fails when environments[].nodeGroups[].maxSize is above the EKS limit of 450 per zonal node group', group({ maxSize: 2000 }), 'environments.prod.nodeGroups.general.maxSize', 2000],
  ['fails when environments[].nodeGroups[].maxSize leaves a zonal node group without a node', group({ minSize: 1, desiredSize: 1, maxSize: 2 }), 'environments.prod.nodeGroups.general.maxSize', 2],
  ['fails when environments[].nodeGroups[].desiredSize is above maxSize', group({ desiredSize: 151 }), 'environments.prod.nodeGroups.general.desiredSize', 151],
  ['fails when environments[].nodeGroups[].capacityType is not ON_DEMAND or SPOT', group({ capacityType: 'RESERVED' }), 'environments.prod.nodeGroups.general.capacityType', 'RESERVED'],
  ['fails when environments[].nodeGroups[].diskSizeGiB is 10', group({ diskSizeGiB: 10 }), 'environments.prod.nodeGroups.general.diskSizeGiB', 10],
  ['fails when environments[].nodeGroups[].labels uses the reserved kubernetes.io/ prefix', group({ labels: { 'kubernetes.io/role': 'general' } }), 'environments.prod.nodeGroups.general.labels.kubernetes.io/role', 'kubernetes.io/role'],
  ['fails when environments[].nodeGroups[].taints repeats a key and effect', group({ taints: [{ key: 'dedicated', effect: 'NoSchedule' }, { key: 'dedicated', effect: 'NoSchedule' }] }), 'environments.prod.nodeGroups.general.taints', { key: 'dedicated', effect: 'NoSchedule' }],
  ['fails when environments[].nodeGroups[].taints[].key has a space', group({ taints: [{ key: 'dedicated node', effect: 'NoSchedule' }] }), 'environments.prod.nodeGroups.general.taints', { key: 'dedicated node', effect: 'NoSchedule' }],
  ['fails when environments[].nodeGroups[].taints[].value is longer than 63 characters', group({ taints: [{ key: 'dedicated', value: 'v'.repeat(64), effect: 'NoSchedule' }] }), 'environments.prod.nodeGroups.general.taints', { key: 'dedicated', value: 'v'.repeat(64), effect: 'NoSchedule' }],
  ['fails when environments[].nodeGroups[].taints[].effect is not a taint effect', group({ taints: [{ key: 'dedicated', effect: 'NoWay' }] }), 'environments.prod.nodeGroups.general.taints', 'NoWay'],
  ['fails when environments[].nodeGroups[].allowUnlistedInstanceTypes is the string "true"', group({ allowUnlistedInstanceTypes: 'true' }), 'environments.prod.nodeGroups.general.allowUnlistedInstanceTypes', 'true'],
  ['fails when environments[].clusterAdminRoleArns names an IAM user', env(() => ({ clusterAdminRoleArns: ['arn:aws:iam::333333333333:user/bob'] })), 'environments.prod.clusterAdminRoleArns', 'arn:aws:iam::333333333333:user/bob'],
  ['fails when environments[].clusterAdminRoleArns names a role of another partition', env(() => ({ clusterAdminRoleArns: ['arn:aws-cn:iam::333333333333:role/platform-admins'] })), 'environments.prod.clusterAdminRoleArns', 'arn:aws-cn:iam::333333333333:role/platform-admins'],
  ['fails when environments[].publicApiAccessCidrs opens the API to 0.0.0.0/0', env(() => ({ publicApiAccessCidrs: ['0.0.0.0/0'] })), 'environments.prod.publicApiAccessCidrs', ['0.0.0.0/0']],
  ['fails when environments[].singleNatGateway is the string "false"', env(() => ({ singleNatGateway: 'false' })), 'environments.prod.singleNatGateway', 'false'],
  ['fails when environments[].privateAwsEndpoints is 0', env(() => ({ privateAwsEndpoints: 0 })), 'environments.prod.privateAwsEndpoints', 0],
  ['fails when environments[].logRetentionDays is 100, which CloudWatch does not offer', env(() => ({ logRetentionDays: 100 })), 'environments.prod.logRetentionDays', 100],
  ['fails when environments[].remoteState.bucket has upper-case letters', env((e) => ({ remoteState: { ...e.remoteState, bucket: 'Shop_State' } })), 'environments.prod.remoteState.bucket', 'Shop_State'],
  ['fails when environments[].remoteState.lockTable has a space', env((e) => ({ remoteState: { ...e.remoteState, lockTable: 'shop lock' } })), 'environments.prod.remoteState.lockTable', 'shop lock'],
  ['fails when environments[].remoteState.region is not an AWS region', env((e) => ({ remoteState: { ...e.remoteState, region: 'eu-middle-1' } })), 'environments.prod.remoteState.region', 'eu-middle-1'],
  ['fails when environments[].tags has a key starting with aws:', env(() => ({ tags: { 'aws:cost': 'x' } })), 'environments.prod.tags.aws:cost', 'aws:cost'],
  // backup
  ['fails when environments[].backup.retentionDays is 0', backup({ retentionDays: 0 }), 'environments.prod.backup.retentionDays', 0],
  ['fails when environments[].backup.replicaRegion is the primary region', backup({ replicaRegion: 'eu-central-1' }), 'environments.prod.backup.replicaRegion', 'eu-central-1'],
  ['fails when environments[].backup.expectedGbPerDay is negative', backup({ expectedGbPerDay: -1 }), 'environments.prod.backup.expectedGbPerDay', -1],
  ['fails when environments[].backup.objectLock.mode is not GOVERNANCE or COMPLIANCE', backup({ objectLock: { mode: 'FOREVER' } }), 'environments.prod.backup.objectLock.mode', 'FOREVER'],
  ['fails when environments[].backup.objectLock.days outlasts the retention', backup({ objectLock: { days: 400 } }), 'environments.prod.backup.objectLock.days', 400],
  ['fails when environments[].backup.disableObjectLock is the string "true"', backup({ disableObjectLock: 'true' }), 'environments.prod.backup.disableObjectLock', 'true'],
  ['fails when environments[].backup.replicationTimeControl is the string "no"', backup({ replicationTimeControl: 'no' }), 'environments.prod.backup.replicationTimeControl', 'no'],
  ['fails when environments[].backup.ttlDays is longer than the retention', backup({ ttlDays: 400 }), 'environments.prod.backup.ttlDays', 400],
  ['fails when environments[].backup.restorableDays is longer than the TTL', backup({ restorableDays: 60 }), 'environments.prod.backup.restorableDays', 60],
  ['fails when environments[].backup.criticalIntervalMinutes does not divide the hour', backup({ criticalIntervalMinutes: 7 }), 'environments.prod.backup.criticalIntervalMinutes', 7],
  ['fails when environments[].backup.transitions[].storageClass is not an S3 class', backup({ transitions: [{ storageClass: 'COLD', afterDays: 90 }] }), 'environments.prod.backup.transitions[0].storageClass', 'COLD'],
  ['fails when environments[].backup.transitions[].afterDays is negative', backup({ transitions: [{ storageClass: 'STANDARD_IA', afterDays: -30 }] }), 'environments.prod.backup.transitions[0].afterDays', -30],
  // kubernetes
  ['fails when environments[].kubernetes.minReplicas is 1 without allowSingleReplica', kube({ minReplicas: 1 }), 'environments.prod.kubernetes.minReplicas', 1],
  ['fails when environments[].kubernetes.maxReplicas is below minReplicas', kube({ maxReplicas: 2 }), 'environments.prod.kubernetes.maxReplicas', 2],
  ['fails when environments[].kubernetes.maxReplicas is above the pods of the namespace quota', kube({ maxReplicas: 65536 }), 'environments.prod.kubernetes.maxReplicas', 65536],
  ['fails when environments[].kubernetes.maxReplicas is above the int32 of the autoscaler', kube({ maxReplicas: 2 ** 31 }), 'environments.prod.kubernetes.maxReplicas', 2 ** 31],
  ['fails when environments[].kubernetes.serviceOverrides.<key>.maxReplicas is above the pods of the namespace quota', kube({ serviceOverrides: { storefront: { maxReplicas: 1000 } } }), 'environments.prod.kubernetes.serviceOverrides.storefront.maxReplicas', 1000],
  ['fails when environments[].kubernetes.allowSingleReplica is the string "true"', kube({ allowSingleReplica: 'true' }), 'environments.prod.kubernetes.allowSingleReplica', 'true'],
  ['fails when environments[].kubernetes.namespaceQuota.requestsCpuMillis is 0', quota({ requestsCpuMillis: 0 }), 'environments.prod.kubernetes.namespaceQuota.requestsCpuMillis', 0],
  ['fails when environments[].kubernetes.namespaceQuota.requestsMemoryMiB is 1.5', quota({ requestsMemoryMiB: 1.5 }), 'environments.prod.kubernetes.namespaceQuota.requestsMemoryMiB', 1.5],
  ['fails when environments[].kubernetes.namespaceQuota.limitsCpuMillis is below the requests', quota({ limitsCpuMillis: 1000 }), 'environments.prod.kubernetes.namespaceQuota', { ...quotaOf(referenceEnvironments[2]), limitsCpuMillis: 1000 }],
  ['fails when environments[].kubernetes.namespaceQuota.limitsMemoryMiB is negative', quota({ limitsMemoryMiB: -1 }), 'environments.prod.kubernetes.namespaceQuota.limitsMemoryMiB', -1],
  ['fails when environments[].kubernetes.namespaceQuota.requestsEphemeralStorageMiB is 0', quota({ requestsEphemeralStorageMiB: 0 }), 'environments.prod.kubernetes.namespaceQuota.requestsEphemeralStorageMiB', 0],
  ['fails when environments[].kubernetes.namespaceQuota.pods is 0', quota({ pods: 0 }), 'environments.prod.kubernetes.namespaceQuota.pods', 0],
  ['fails when environments[].kubernetes.namespaceQuota.persistentVolumeClaims is -1', quota({ persistentVolumeClaims: -1 }), 'environments.prod.kubernetes.namespaceQuota.persistentVolumeClaims', -1],
  ['fails when environments[].kubernetes.namespaceQuotas names a namespace the platform does not have', kube({ namespaceQuotas: { billing: quotaOf(referenceEnvironments[2]) } }), 'environments.prod.kubernetes.namespaceQuotas', 'billing'],
  ['fails when environments[].kubernetes.namespaceQuotas.<key>.requestsCpuMillis is 0', shopQuota({ requestsCpuMillis: 0 }), 'environments.prod.kubernetes.namespaceQuotas.shop.requestsCpuMillis', 0],
  ['fails when environments[].kubernetes.namespaceQuotas.<key>.requestsMemoryMiB is 0', shopQuota({ requestsMemoryMiB: 0 }), 'environments.prod.kubernetes.namespaceQuotas.shop.requestsMemoryMiB', 0],
  ['fails when environments[].kubernetes.namespaceQuotas.<key>.limitsCpuMillis is 2.5', shopQuota({ limitsCpuMillis: 2.5 }), 'environments.prod.kubernetes.namespaceQuotas.shop.limitsCpuMillis', 2.5],
  ['fails when environments[].kubernetes.namespaceQuotas.<key>.limitsMemoryMiB is 0', shopQuota({ limitsMemoryMiB: 0 }), 'environments.prod.kubernetes.namespaceQuotas.shop.limitsMemoryMiB', 0],
  ['fails when environments[].kubernetes.namespaceQuotas.<key>.requestsEphemeralStorageMiB is -5', shopQuota({ requestsEphemeralStorageMiB: -5 }), 'environments.prod.kubernetes.namespaceQuotas.shop.requestsEphemeralStorageMiB', -5],
  ['fails when environments[].kubernetes.namespaceQuotas.<key>.pods is 0', shopQuota({ pods: 0 }), 'environments.prod.kubernetes.namespaceQuotas.shop.pods', 0],
  ['fails when environments[].kubernetes.namespaceQuotas.<key>.persistentVolumeClaims is 0', shopQuota({ persistentVolumeClaims: 0 }), 'environments.prod.kubernetes.namespaceQuotas.shop.persistentVolumeClaims', 0],
  ['fails when environments[].kubernetes.serviceOverrides names a service the catalog does not have', kube({ serviceOverrides: { billing: { maxReplicas: 4 } } }), 'environments.prod.kubernetes.serviceOverrides', 'billing'],
  ['fails when environments[].kubernetes.serviceOverrides.<key>.minReplicas is 1', kube({ serviceOverrides: { storefront: { minReplicas: 1 } } }), 'environments.prod.kubernetes.serviceOverrides.storefront.minReplicas', 1],
  ['fails when environments[].kubernetes.serviceOverrides.<key>.maxReplicas is below minReplicas', kube({ serviceOverrides: { storefront: { maxReplicas: 2 } } }), 'environments.prod.kubernetes.serviceOverrides.storefront.maxReplicas', 2],
  ['fails when environments[].kubernetes.serviceOverrides.<key>.replicas is set for a stateless service', kube({ serviceOverrides: { storefront: { replicas: 2 } } }), 'environments.prod.kubernetes.serviceOverrides.storefront.replicas', 2],
  ['fails when environments[].kubernetes.serviceOverrides.<key>.nodeSelector has a key with a space', kube({ serviceOverrides: { storefront: { nodeSelector: { 'node pool': 'a' } } } }), 'environments.prod.kubernetes.serviceOverrides.storefront.nodeSelector.node pool', 'a'],
  // environment data stores and gitops
  ['fails when environments[].dataStores.placement is not in-cluster or managed', stores({ placement: 'cloud' }), 'environments.prod.dataStores.placement', 'cloud'],
  ['fails when environments[].dataStores.placementOverrides names a store the platform does not have', stores({ placementOverrides: { sessions: 'managed' } }), 'environments.prod.dataStores.placementOverrides', 'sessions'],
  ['fails when environments[].dataStores.postgresFlavour is not rds or aurora', stores({ postgresFlavour: 'mysql' }), 'environments.prod.dataStores.postgresFlavour', 'mysql'],
  ['fails when environments[].dataStores.postgresInstanceClass lacks the db. prefix', stores({ postgresInstanceClass: 'm7g.large' }), 'environments.prod.dataStores.postgresInstanceClass', 'm7g.large'],
  ['fails when environments[].dataStores.redisNodeType lacks the cache. prefix', stores({ redisNodeType: 'r7g.large' }), 'environments.prod.dataStores.redisNodeType', 'r7g.large'],
  ['fails when environments[].dataStores.backupRetentionDays is 36', stores({ backupRetentionDays: 36 }), 'environments.prod.dataStores.backupRetentionDays', 36],
  ['fails when environments[].dataStores.credentialsVersions is 0 for a store', stores({ credentialsVersions: { redis: 0 } }), 'environments.prod.dataStores.credentialsVersions.redis', 0],
  ['fails when environments[].gitops.revision has a space', env(() => ({ gitops: { revision: 'release 1' } })), 'environments.prod.gitops.revision', 'release 1'],
  ['fails when environments[].gitops.sync is not automated or manual', env(() => ({ gitops: { sync: 'sometimes' } })), 'environments.prod.gitops.sync', 'sometimes'],
  // DataStoreDefinition
  ['fails when dataStores[].name is longer than 30 characters', store({ name: 'r'.repeat(31) }), 'dataStores[].name', 'r'.repeat(31)],
  ['fails when dataStores[].name starts with a digit, as a Service name may not', store({ name: '2redis' }), 'dataStores[].name', '2redis'],
  ['fails when dataStores[].namespace is kube-system', store({ namespace: 'kube-system' }), 'dataStores.redis.namespace', 'kube-system'],
  ['fails when dataStores[].engine is mysql', store({ engine: 'mysql' }), 'dataStores.redis.engine', 'mysql'],
  ['fails when dataStores[].version is 6 for Redis', store({ version: '6' }), 'dataStores.redis.version', '6'],
  ['fails when dataStores[].storageGiB is 0', store({ storageGiB: 0 }), 'dataStores.redis.storageGiB', 0],
  ['fails when dataStores[].database is not a PostgreSQL identifier', store({ engine: DataStoreEngine.POSTGRESQL, version: '17', database: 'Orders-DB' }), 'dataStores.redis.database', 'Orders-DB'],
  ['fails when dataStores[].critical is the string "yes"', store({ critical: 'yes' }), 'dataStores.redis.critical', 'yes'],
  // ServiceDefinition
  ['fails when services[].name has upper-case letters', svc('worker', () => ({ name: 'Worker' })), 'services[].name', 'Worker'],
  ['fails when services[].name starts with a digit, as a Service name may not', svc('worker', () => ({ name: '3d-worker' })), 'services[].name', '3d-worker'],
  ['fails when services[].namespace is kube-system', svc('worker', () => ({ namespace: 'kube-system' })), 'services.worker.namespace', 'kube-system'],
  ['fails when services[].partOf is not a label value', svc('worker', () => ({ partOf: 'the shop' })), 'services.worker.partOf', 'the shop'],
  ['fails when services[].kind is not deployment or stateful', svc('worker', () => ({ kind: 'daemon' })), 'services.worker.kind', 'daemon'],
  ['fails when services[].versions is empty', svc('worker', () => ({ versions: [] })), 'services.worker.versions', []],
  ['fails when services[].versions[].name is not a DNS-1123 label', svc('worker', (s) => ({ versions: [{ ...s.versions[0], name: 'V1' }] })), 'services.worker.versions[].name', 'V1'],
  ['fails when services[].versions[].name makes the derived Deployment name longer than 63 characters', svc('worker', (s) => ({ versions: [{ ...s.versions[0], name: `v1-${'x'.repeat(55)}` }] })), 'services.worker.versions[].name', `v1-${'x'.repeat(55)}`],
  ['fails when services[].name makes the derived headless Service name of a stateful service longer than 63 characters', svc('cache', () => ({ name: `cache-${'x'.repeat(50)}` })), 'services[].name', `cache-${'x'.repeat(50)}`],
  ['fails when services[].versions[].image is latest', svc('worker', (s) => ({ versions: [{ ...s.versions[0], image: '111122223333.dkr.ecr.eu-central-1.amazonaws.com/shop/worker:latest' }] })), 'services.worker.versions.v1.image', '111122223333.dkr.ecr.eu-central-1.amazonaws.com/shop/worker:latest'],
  ['fails when services[].ports is empty', svc('worker', () => ({ ports: [] })), 'services.worker.ports', []],
  ['fails when services[].ports[].name makes the Service port name longer than 15 characters', svc('worker', (s) => ({ ports: [{ ...s.ports[0], name: 'public-api-v2' }] })), 'services.worker.ports[].name', 'public-api-v2'],
  ['fails when services[].ports[].port is 70000', svc('worker', (s) => ({ ports: [{ ...s.ports[0], port: 70000 }] })), 'services.worker.ports.web.port', 70000],
  ['fails when services[].ports[].protocol is udp', svc('worker', (s) => ({ ports: [{ ...s.ports[0], protocol: 'udp' }] })), 'services.worker.ports.web.protocol', 'udp'],
  ['fails when services[].ports[].targetPort is the Istio sidecar port 15001', svc('worker', (s) => ({ ports: [{ ...s.ports[0], targetPort: 15001 }] })), 'services.worker.ports.web.targetPort', 15001],
  ['fails when services[].calls names a service in another form than name or namespace/name', svc('worker', () => ({ calls: ['shop/catalog/v1'] })), 'services.worker.calls', 'shop/catalog/v1'],
  ['fails when services[].public.hosts has an upper-case host', svc('worker', () => ({ public: { hosts: ['Worker.Example.com'] } })), 'services.worker.public.hosts', 'Worker.Example.com'],
  ['fails when services[].public.hosts takes a host and path another service routes', svc('worker', () => ({ public: { hosts: ['shop.example.com'] } })), 'services.worker.public.hosts', 'shop.example.com'],
  ['fails when services[].public.pathPrefix does not start with /', svc('worker', () => ({ public: { hosts: ['worker.example.com'], pathPrefix: 'jobs' } })), 'services.worker.public.pathPrefix', 'jobs'],
  ['fails when services[].externalEndpoints[].host has a scheme', svc('worker', (s) => ({ externalEndpoints: [{ ...s.externalEndpoints![0], host: 'https://api.example.org' }] })), 'services.worker.externalEndpoints[].host', 'https://api.example.org'],
  ['fails when services[].externalEndpoints[].host is an in-cluster name', svc('worker', (s) => ({ externalEndpoints: [{ ...s.externalEndpoints![0], host: 'catalog.shop.svc.cluster.local' }] })), 'services.worker.externalEndpoints[].host', 'catalog.shop.svc.cluster.local'],
  ['fails when services[].externalEndpoints[].port repeats for one host', svc('worker', (s) => ({ externalEndpoints: [s.externalEndpoints![0], { host: 'api.example.org', port: 443 }] })), 'services.worker.externalEndpoints.api.example.org.port', 443],
  ['fails when services[].externalEndpoints[].port is 0', svc('worker', (s) => ({ externalEndpoints: [{ ...s.externalEndpoints![0], port: 0 }] })), 'services.worker.externalEndpoints.api.example.org.port', 0],
  ['fails when services[].externalEndpoints[].cidrs has host bits', svc('worker', (s) => ({ externalEndpoints: [{ ...s.externalEndpoints![0], cidrs: ['203.0.113.7/24'] }] })), 'services.worker.externalEndpoints.api.example.org.cidrs', '203.0.113.7/24'],
  ['fails when services[].externalEndpoints[].protocol is udp', svc('worker', (s) => ({ externalEndpoints: [{ ...s.externalEndpoints![0], protocol: 'udp' }] })), 'services.worker.externalEndpoints.api.example.org.protocol', 'udp'],
  ['fails when services[].awsPermissions allows s3:* on *', svc('worker', () => ({ awsPermissions: [{ actions: ['s3:*'], resources: ['*'] }] })), 'services.worker.awsPermissions[0]', { actions: ['s3:*'], resources: ['*'] }],
  ['fails when services[].awsPermissions[].actions has an action without its service', svc('worker', () => ({ awsPermissions: [{ actions: ['GetObject'], resources: ['arn:aws:s3:::shop-media/*'] }] })), 'services.worker.awsPermissions[0].actions', 'GetObject'],
  ['fails when services[].awsPermissions[].resources has a bucket name instead of an ARN', svc('worker', () => ({ awsPermissions: [{ actions: ['s3:GetObject'], resources: ['shop-media'] }] })), 'services.worker.awsPermissions[0].resources', 'shop-media'],
  ['fails when services[].release is left out for two versions', svc('catalog', () => ({ release: undefined })), 'services.catalog.release', undefined],
  ['fails when services[].release.strategy is not one of the factories\'', svc('catalog', (s) => ({ release: { ...s.release!, strategy: 'random' } })), 'services.catalog.release.strategy', 'random'],
  ['fails when services[].release.weights do not sum to 100', svc('catalog', () => ({ release: Release.canary({ v1: 50, v2: 40 }) })), 'services.catalog.release.weights', { v1: 50, v2: 40 }],
  ['fails when services[].release.active is outside the blue-green pair', svc('payment', () => ({ release: Release.blueGreen('blue', 'green', 'red') })), 'services.payment.release.active', 'red'],
  ['fails when services[].release.options.testerRoute.header has upper-case letters', svc('catalog', () => ({ release: Release.canary({ v1: 90, v2: 10 }, { testerRoute: { header: 'X-Tester', value: 'yes', version: 'v2' } }) })), 'services.catalog.release.options.testerRoute.header', 'X-Tester'],
  ['fails when services[].release.options.testerRoute.value is empty', svc('catalog', () => ({ release: Release.canary({ v1: 90, v2: 10 }, { testerRoute: { header: 'x-tester', value: '', version: 'v2' } }) })), 'services.catalog.release.options.testerRoute.value', ''],
  ['fails when services[].release.options.testerRoute.version does not run', svc('catalog', () => ({ release: Release.canary({ v1: 90, v2: 10 }, { testerRoute: { header: 'x-tester', value: 'yes', version: 'v3' } }) })), 'services.catalog.release.options.testerRoute.version', 'v3'],
  ['fails when services[].release.options.mirrorTo.version does not run', svc('catalog', () => ({ release: Release.canary({ v1: 90, v2: 10 }, { mirrorTo: { version: 'v3' } }) })), 'services.catalog.release.options.mirrorTo.version', 'v3'],
  ['fails when services[].release.options.mirrorTo.percent is 0', svc('catalog', () => ({ release: Release.canary({ v1: 90, v2: 10 }, { mirrorTo: { version: 'v2', percent: 0 } }) })), 'services.catalog.release.options.mirrorTo.percent', 0],
  ['fails when services[].resources.cpuRequestMillis is above the default limit', svc('worker', () => ({ resources: { cpuRequestMillis: 2000 } })), 'services.worker.resources.cpuRequestMillis', 2000],
  ['fails when services[].resources.cpuLimitMillis is 0', svc('worker', () => ({ resources: { cpuLimitMillis: 0 } })), 'services.worker.resources.cpuLimitMillis', 0],
  ['fails when services[].resources.memoryRequestMiB is 1.5', svc('worker', () => ({ resources: { memoryRequestMiB: 1.5 } })), 'services.worker.resources.memoryRequestMiB', 1.5],
  ['fails when services[].resources.memoryLimitMiB is below the request', svc('worker', () => ({ resources: { memoryRequestMiB: 1024, memoryLimitMiB: 512 } })), 'services.worker.resources.memoryRequestMiB', 1024],
  ['fails when services[].resources.ephemeralStorageRequestMiB is above the default limit', svc('worker', () => ({ resources: { ephemeralStorageRequestMiB: 2048 } })), 'services.worker.resources.ephemeralStorageRequestMiB', 2048],
  ['fails when services[].resources.ephemeralStorageLimitMiB is -1', svc('worker', () => ({ resources: { ephemeralStorageLimitMiB: -1 } })), 'services.worker.resources.ephemeralStorageLimitMiB', -1],
  ['fails when services[].probes.readinessPath is relative', svc('worker', (s) => ({ probes: { ...s.probes, readinessPath: 'ready' } })), 'services.worker.probes.readinessPath', 'ready'],
  ['fails when services[].probes.livenessPath has a space', svc('worker', (s) => ({ probes: { ...s.probes, livenessPath: '/health z' } })), 'services.worker.probes.livenessPath', '/health z'],
  ['fails when services[].probes.startupPath is a URL', svc('worker', (s) => ({ probes: { ...s.probes, startupPath: 'http://worker/started' } })), 'services.worker.probes.startupPath', 'http://worker/started'],
  ['fails when services[].probes.port names no port of the service', svc('worker', (s) => ({ probes: { ...s.probes, port: 'grpc' } })), 'services.worker.probes.port', 'grpc'],
  ['fails when services[].configFiles has a file name with a slash', svc('worker', () => ({ configFiles: { 'conf/worker.yaml': 'a: 1' } })), 'services.worker.configFiles', 'conf/worker.yaml'],
  ['fails when services[].env has a variable name starting with a digit', svc('worker', () => ({ env: { '1LEVEL': 'x' } })), 'services.worker.env', '1LEVEL'],
  ['fails when services[].secrets declares a secret with neither env nor mountPath', svc('worker', () => ({ secrets: [{ name: 'api' }] })), 'services.worker.secrets.api', { name: 'api' }],
  ['fails when services[].secrets[].name is upper-case', svc('worker', (s) => ({ secrets: [{ ...s.secrets![0], name: 'API' }] })), 'services.worker.secrets[].name', 'API'],
  ['fails when services[].secrets[].env has a lower-case variable', svc('worker', (s) => ({ secrets: [{ ...s.secrets![0], env: { api_token: 'token' } }] })), 'services.worker.secrets.api.env', 'api_token'],
  ['fails when services[].secrets[].mountPath is relative', svc('worker', (s) => ({ secrets: [{ ...s.secrets![0], mountPath: 'etc/api' }] })), 'services.worker.secrets.api.mountPath', 'etc/api'],
  ['fails when services[].secrets[].description is empty', svc('worker', (s) => ({ secrets: [{ ...s.secrets![0], description: '' }] })), 'services.worker.secrets.api.description', ''],
  ['fails when services[].writablePaths has two paths one below the other', svc('worker', () => ({ writablePaths: [{ path: '/var/cache', sizeMiB: 8 }, { path: '/var/cache/worker', sizeMiB: 8 }] })), 'services.worker.writablePaths./var/cache.path', '/var/cache'],
  ['fails when services[].writablePaths[].path is below /tmp', svc('worker', () => ({ writablePaths: [{ path: '/tmp/worker', sizeMiB: 8 }] })), 'services.worker.writablePaths[0].path', '/tmp/worker'],
  ['fails when services[].writablePaths[].sizeMiB is 0', svc('worker', () => ({ writablePaths: [{ path: '/var/cache/worker', sizeMiB: 0 }] })), 'services.worker.writablePaths./var/cache/worker.sizeMiB', 0],
  ['fails when services[].writablePaths[].inMemory is the string "yes"', svc('worker', () => ({ writablePaths: [{ path: '/var/cache/worker', sizeMiB: 8, inMemory: 'yes' }] })), 'services.worker.writablePaths./var/cache/worker.inMemory', 'yes'],
  ['fails when services[].storage is set on a stateless service', svc('worker', () => ({ storage: { sizeGiB: 10, mountPath: '/data' } })), 'services.worker.storage', { sizeGiB: 10, mountPath: '/data' }],
  ['fails when services[].storage.sizeGiB is above the 16384 GiB of gp3', svc('cache', (s) => ({ storage: { ...s.storage!, sizeGiB: 20000 } })), 'services.cache.storage.sizeGiB', 20000],
  ['fails when services[].storage.mountPath is relative', svc('cache', (s) => ({ storage: { ...s.storage!, mountPath: 'data' } })), 'services.cache.storage.mountPath', 'data'],
  ['fails when services[].storage.storageClassName is not a DNS subdomain', svc('cache', (s) => ({ storage: { ...s.storage!, storageClassName: 'GP3_fast' } })), 'services.cache.storage.storageClassName', 'GP3_fast'],
  ['fails when services[].metricsPort names no port of the service', svc('storefront', () => ({ metricsPort: 'prometheus' })), 'services.storefront.metricsPort', 'prometheus'],
  ['fails when services[].metricsExporter is given with a metricsPort', svc('cache', () => ({ metricsPort: 'main' })), 'services.cache.metricsPort', 'main'],
  ['fails when services[].metricsExporter.image has no tag', svc('cache', (s) => ({ metricsExporter: { ...s.metricsExporter!, image: 'docker.io/oliver006/redis_exporter' } })), 'services.cache.metricsExporter.image', 'docker.io/oliver006/redis_exporter'],
  ['fails when services[].metricsExporter.port is the service\'s own port', svc('cache', (s) => ({ metricsExporter: { ...s.metricsExporter!, port: 6379 } })), 'services.cache.metricsExporter.port', 6379],
  ['fails when services[].metricsExporter.args has a NUL character', svc('cache', (s) => ({ metricsExporter: { ...s.metricsExporter!, args: ['--redis.addr=\0'] } })), 'services.cache.metricsExporter.args', '--redis.addr=\0'],
  ['fails when services[].metricsExporter.resources.cpuRequestMillis is above the default limit', svc('cache', (s) => ({ metricsExporter: { ...s.metricsExporter!, resources: { cpuRequestMillis: 200 } } })), 'services.cache.metricsExporter.resources.cpuRequestMillis', 200],
  ['fails when services[].metricsExporter.resources.cpuLimitMillis is 0', svc('cache', (s) => ({ metricsExporter: { ...s.metricsExporter!, resources: { cpuLimitMillis: 0 } } })), 'services.cache.metricsExporter.resources.cpuLimitMillis', 0],
  ['fails when services[].metricsExporter.resources.memoryRequestMiB is above the default limit', svc('cache', (s) => ({ metricsExporter: { ...s.metricsExporter!, resources: { memoryRequestMiB: 100 } } })), 'services.cache.metricsExporter.resources.memoryRequestMiB', 100],
  ['fails when services[].metricsExporter.resources.memoryLimitMiB is 0', svc('cache', (s) => ({ metricsExporter: { ...s.metricsExporter!, resources: { memoryLimitMiB: 0 } } })), 'services.cache.metricsExporter.resources.memoryLimitMiB', 0],
  ['fails when services[].metricsExporter.resources.ephemeralStorageRequestMiB is above the default limit', svc('cache', (s) => ({ metricsExporter: { ...s.metricsExporter!, resources: { ephemeralStorageRequestMiB: 200 } } })), 'services.cache.metricsExporter.resources.ephemeralStorageRequestMiB', 200],
  ['fails when services[].metricsExporter.resources.ephemeralStorageLimitMiB is 0.5', svc('cache', (s) => ({ metricsExporter: { ...s.metricsExporter!, resources: { ephemeralStorageLimitMiB: 0.5 } } })), 'services.cache.metricsExporter.resources.ephemeralStorageLimitMiB', 0.5],
  ['fails when services[].replicas is 0', svc('cache', () => ({ replicas: 0 })), 'services.cache.replicas', 0],
  ['fails when services[].replicas is more than the namespace quota\'s pods', svc('cache', () => ({ replicas: 100000 })), 'services.cache.replicas', 100000],
  ['fails when services[].nodeSelector has a value with a space', svc('worker', () => ({ nodeSelector: { workload: 'memory heavy' } })), 'services.worker.nodeSelector.workload', 'memory heavy'],
  ['fails when services[].tolerations[].key has a space', svc('worker', () => ({ tolerations: [{ key: 'work load' }] })), 'services.worker.tolerations', { key: 'work load' }],
  ['fails when services[].tolerations[].value is longer than 63 characters', svc('worker', () => ({ tolerations: [{ key: 'workload', value: 'v'.repeat(64) }] })), 'services.worker.tolerations', { key: 'workload', value: 'v'.repeat(64) }],
  ['fails when services[].tolerations[].effect is not a taint effect', svc('worker', () => ({ tolerations: [{ key: 'workload', effect: 'Never' }] })), 'services.worker.tolerations', 'Never'],
  ['fails when services[].critical is the string "true"', svc('worker', () => ({ critical: 'true' })), 'services.worker.critical', 'true'],
  ['fails when services[].alerts names an alert services do not get', svc('worker', () => ({ alerts: { DiskFull: {} } })), 'services.worker.alerts', 'DiskFull'],
  ['fails when services[].alerts.<key>.severity is page', svc('worker', () => ({ alerts: { HighLatency: { severity: 'page' } } })), 'services.worker.alerts.HighLatency.severity', 'page'],
  ['fails when services[].alerts.<key>.threshold is 0', svc('worker', () => ({ alerts: { HighLatency: { threshold: 0 } } })), 'services.worker.alerts.HighLatency.threshold', 0],
  ['fails when services[].alerts.<key>.for is not a Prometheus duration', svc('worker', () => ({ alerts: { HighLatency: { for: '5 minutes' } } })), 'services.worker.alerts.HighLatency.for', '5 minutes'],
  ['fails when services[].alerts.<key>.for has its units out of order', svc('worker', () => ({ alerts: { HighLatency: { for: '30s5m' } } })), 'services.worker.alerts.HighLatency.for', '30s5m'],
  ['fails when services[].alerts.<key>.disabled is the string "yes"', svc('worker', () => ({ alerts: { HighLatency: { disabled: 'yes' } } })), 'services.worker.alerts.HighLatency.disabled', 'yes'],
  // ObservabilityConfig
  ['fails when observability.prometheusSelector is empty', obs({ prometheusSelector: {} }), 'observability.prometheusSelector', {}],
  ['fails when observability.runbookBaseUrl is plain http', obs({ runbookBaseUrl: 'http://git.example.com/shop/dist' }), 'observability.runbookBaseUrl', 'http://git.example.com/shop/dist'],
  ['fails when observability.alerting.pagerDutyRoutingKey.name is not a Secret name', alerting({ pagerDutyRoutingKey: { name: 'Alerting', key: 'pagerduty-routing-key' } }), 'observability.alerting.pagerDutyRoutingKey.name', 'Alerting'],
  ['fails when observability.alerting.pagerDutyRoutingKey.key has a space', alerting({ pagerDutyRoutingKey: { name: 'alerting', key: 'routing key' } }), 'observability.alerting.pagerDutyRoutingKey.key', 'routing key'],
  ['fails when observability.alerting.slack.apiUrl.name is not a Secret name', (p) => alerting({ slack: { ...p.observability!.alerting.slack, apiUrl: { name: 'alerting/slack', key: 'url' } } })(p), 'observability.alerting.slack.apiUrl.name', 'alerting/slack'],
  ['fails when observability.alerting.slack.apiUrl.key has a slash', (p) => alerting({ slack: { ...p.observability!.alerting.slack, apiUrl: { name: 'alerting', key: 'slack/url' } } })(p), 'observability.alerting.slack.apiUrl.key', 'slack/url'],
  ['fails when observability.alerting.slack.channel has a space', (p) => alerting({ slack: { ...p.observability!.alerting.slack, channel: '#shop alerts' } })(p), 'observability.alerting.slack.channel', '#shop alerts'],
  ['fails when observability.alerting.email.to is not an e-mail address', email({ to: 'shop-ops' }), 'observability.alerting.email.to', 'shop-ops'],
  ['fails when observability.alerting.email.from has no domain', email({ from: 'alertmanager@' }), 'observability.alerting.email.from', 'alertmanager@'],
  ['fails when observability.alerting.email.smarthost has no port', email({ smarthost: 'smtp.example.com' }), 'observability.alerting.email.smarthost', 'smtp.example.com'],
  ['fails when observability.alerting.email.authUsername has a space', email({ authUsername: 'alert manager' }), 'observability.alerting.email.authUsername', 'alert manager'],
  ['fails when observability.alerting.email.authPassword.name is not a Secret name', email({ authPassword: { name: 'Alerting', key: 'smtp-password' } }), 'observability.alerting.email.authPassword.name', 'Alerting'],
  ['fails when observability.alerting.email.authPassword.key has a space', email({ authPassword: { name: 'alerting', key: 'smtp password' } }), 'observability.alerting.email.authPassword.key', 'smtp password'],
  ['fails when observability.alerting.namespace is not a DNS-1123 label', alerting({ namespace: 'Monitoring' }), 'observability.alerting.namespace', 'Monitoring'],
  ['fails when observability.logs.host has a scheme', logs({ host: 'https://logs.example.com' }), 'observability.logs.host', 'https://logs.example.com'],
  ['fails when observability.logs.port is 0', logs({ port: 0 }), 'observability.logs.port', 0],
  ['fails when observability.logs.indexPrefix has upper-case letters', logs({ indexPrefix: 'Shop' }), 'observability.logs.indexPrefix', 'Shop'],
  ['fails when observability.logs.user has a line break', logs({ user: 'fluent\nbit' }), 'observability.logs.user', 'fluent\nbit'],
  ['fails when observability.logs.password.name is not a Secret name', logs({ password: { name: 'Log_Shipping', key: 'password' } }), 'observability.logs.password.name', 'Log_Shipping'],
  ['fails when observability.logs.password.key has a space', logs({ password: { name: 'log-shipping', key: 'pass word' } }), 'observability.logs.password.key', 'pass word'],
  // object and list fields
  ['fails when registry is a string', props({ registry: '111122223333' as never }), 'registry', '111122223333'],
  ['fails when gitops is a string', props({ gitops: 'https://git.example.com/shop/platform.git' as never }), 'gitops', 'https://git.example.com/shop/platform.git'],
  ['fails when observability is true', props({ observability: true as never }), 'observability', true],
  ['fails when observability.alerting is left out', obs({ alerting: undefined }), 'observability.alerting', undefined],
  ['fails when observability.alerting.pagerDutyRoutingKey is a string (a secret value in the model)', alerting({ pagerDutyRoutingKey: 'pd-routing-key' }), 'observability.alerting.pagerDutyRoutingKey', 'pd-routing-key'],
  ['fails when observability.alerting.slack is left out', alerting({ slack: undefined }), 'observability.alerting.slack', undefined],
  ['fails when observability.alerting.slack.apiUrl is the webhook URL itself', (p) => alerting({ slack: { ...p.observability!.alerting.slack, apiUrl: 'https://hooks.slack.com/services/T0/B0/x' } })(p), 'observability.alerting.slack.apiUrl', 'https://hooks.slack.com/services/T0/B0/x'],
  ['fails when observability.alerting.email is left out', alerting({ email: undefined }), 'observability.alerting.email', undefined],
  ['fails when observability.alerting.email.authPassword is the password itself', email({ authPassword: 'hunter2' }), 'observability.alerting.email.authPassword', 'hunter2'],
  ['fails when observability.alerting.businessHours is one range instead of a list', alerting({ businessHours: { weekdays: ['monday'], start: '08:00', end: '18:00' } }), 'observability.alerting.businessHours', { weekdays: ['monday'], start: '08:00', end: '18:00' }],
  ['fails when observability.alerting.maintenanceWindows is a string', alerting({ maintenanceWindows: 'sunday' }), 'observability.alerting.maintenanceWindows', 'sunday'],
  ['fails when observability.logs is a host name string', obs({ logs: 'logs.example.com' }), 'observability.logs', 'logs.example.com'],
  ['fails when observability.logs.password is the password itself', logs({ password: 'hunter2' }), 'observability.logs.password', 'hunter2'],
  ['fails when environments[].kubernetes is left out', env(() => ({ kubernetes: undefined })), 'environments.prod.kubernetes', undefined],
  ['fails when environments[].kubernetes.namespaceQuota is left out', kube({ namespaceQuota: undefined }), 'environments.prod.kubernetes.namespaceQuota', undefined],
  ['fails when environments[].backup is left out', env(() => ({ backup: undefined })), 'environments.prod.backup', undefined],
  ['fails when environments[].backup.objectLock is true', backup({ objectLock: true }), 'environments.prod.backup.objectLock', true],
  ['fails when environments[].backup.transitions is one transition instead of a list', backup({ transitions: { storageClass: 'GLACIER_IR', afterDays: 90 } }), 'environments.prod.backup.transitions', { storageClass: 'GLACIER_IR', afterDays: 90 }],
  ['fails when environments[].dataStores is a placement string', env(() => ({ dataStores: 'managed' })), 'environments.prod.dataStores', 'managed'],
  ['fails when environments[].existingVpc is a VPC id string', env(() => ({ existingVpc: 'vpc-0123456789abcdef0' })), 'environments.prod.existingVpc', 'vpc-0123456789abcdef0'],
  ['fails when environments[].gitops is a sync string', env(() => ({ gitops: 'manual' })), 'environments.prod.gitops', 'manual'],
  ['fails when environments[].remoteState is a bucket name string', env(() => ({ remoteState: 'shop-prod-tfstate' })), 'environments.prod.remoteState', 'shop-prod-tfstate'],
  ['fails when services[].public is true', svc('worker', () => ({ public: true })), 'services.worker.public', true],
  ['fails when services[].externalEndpoints is one endpoint instead of a list', svc('worker', () => ({ externalEndpoints: { host: 'api.example.org', port: 443 } })), 'services.worker.externalEndpoints', { host: 'api.example.org', port: 443 }],
  ['fails when services[].resources is a size string', svc('worker', () => ({ resources: 'small' })), 'services.worker.resources', 'small'],
  ['fails when services[].probes is a path string', svc('worker', () => ({ probes: '/healthz' })), 'services.worker.probes', '/healthz'],
  ['fails when services[].tolerations is one toleration instead of a list', svc('worker', () => ({ tolerations: { key: 'workload' } })), 'services.worker.tolerations', { key: 'workload' }],
  ['fails when services[].metricsExporter.resources is a size string', svc('cache', (s) => ({ metricsExporter: { ...s.metricsExporter!, resources: 'small' } })), 'services.cache.metricsExporter.resources', 'small'],
  ['fails when services[].release.options is a string', svc('catalog', (s) => ({ release: { ...s.release!, options: 'mirror' } })), 'services.catalog.release.options', 'mirror'],
  ['fails when services[].release.options.testerRoute is a header string', svc('catalog', (s) => ({ release: { ...s.release!, options: { testerRoute: 'x-tester' } } })), 'services.catalog.release.options.testerRoute', 'x-tester'],
  ['fails when services[].release.options.mirrorTo is a version string', svc('catalog', (s) => ({ release: { ...s.release!, options: { mirrorTo: 'v2' } } })), 'services.catalog.release.options.mirrorTo', 'v2'],
];

describe('field domains', () => {
  test('the base platform of the refusals is valid', () => {
    const platform = new Platform(base);
    expect(platform.services.map((s) => s.name)).toEqual(expect.arrayContaining(['cache', 'worker', 'storefront']));
    expect(platform.environment('prod').remoteState?.bucket).toBe('shop-prod-tfstate-333333333333');
  });

  test('each case has a name of its own', () => {
    const names = cases.map(([name]) => name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  test.each(cases)('%s', (_name, change, field, value) => {
    const err = errorOf(() => new Platform(change(base)));
    expect({ field: err.field, value: err.value }).toEqual({ field, value });
    expect(err.message).toContain(`${field} is ${formatValue(value)}`);
    expect(err.allowed).toMatch(/^allowed: /);
  });
});

/** Business hours' and maintenance windows' time ranges: AlertRouting (lib/k8s/observability/alert-routing.ts) holds their rule and refuses them at synth. */
describe('time ranges refused at synth', () => {
  const alertingConfig = referenceObservability.alerting;
  const window = alertingConfig.maintenanceWindows![0];
  const hours = alertingConfig.businessHours![0];
  const times = window.times[0];
  const inWindow = (change: Record<string, unknown>) => ({ ...alertingConfig, maintenanceWindows: [{ ...window, ...change }] });
  const inHours = (change: Record<string, unknown>) => ({ ...alertingConfig, businessHours: [{ ...hours, ...change }] });
  const routing: readonly (readonly [string, Record<string, unknown>, string, unknown])[] = [
    ['fails when observability.alerting.businessHours[].weekdays names a day that is not one', inHours({ weekdays: ['mondy:friday'] }), 'businessHours[0].weekdays', 'mondy:friday'],
    ['fails when observability.alerting.businessHours[].start is not HH:MM', inHours({ start: '7:00' }), 'businessHours[0].start', '7:00'],
    ['fails when observability.alerting.businessHours[].end is before the start', inHours({ end: '06:00' }), 'businessHours[0].end', '06:00'],
    ['fails when observability.alerting.businessHours[].location is not UTC', inHours({ location: 'Europe/Berlin' }), 'businessHours[0].location', 'Europe/Berlin'],
    ['fails when observability.alerting.maintenanceWindows[].name is business-hours', inWindow({ name: 'business-hours' }), 'maintenanceWindows[0].name', 'business-hours'],
    ['fails when observability.alerting.maintenanceWindows[].times is empty', inWindow({ times: [] }), 'maintenanceWindows[0].times', []],
    ['fails when observability.alerting.maintenanceWindows[].times[].weekdays names a day that is not one', inWindow({ times: [{ ...times, weekdays: ['sundy'] }] }), 'maintenanceWindows[0].times[0].weekdays', 'sundy'],
    ['fails when observability.alerting.maintenanceWindows[].times[].start is not HH:MM', inWindow({ times: [{ ...times, start: '2:00' }] }), 'maintenanceWindows[0].times[0].start', '2:00'],
    ['fails when observability.alerting.maintenanceWindows[].times[].end is 25:00', inWindow({ times: [{ ...times, end: '25:00' }] }), 'maintenanceWindows[0].times[0].end', '25:00'],
    ['fails when observability.alerting.maintenanceWindows[].times[].location is not UTC', inWindow({ times: [{ ...times, location: 'Europe/Berlin' }] }), 'maintenanceWindows[0].times[0].location', 'Europe/Berlin'],
  ];
  test.each(routing)('%s', (_name, config, field, value) => {
    // the Platform accepts them (the rule is AlertRouting's); the chart's AlertRouting refuses them
    expect(new Platform(alerting(config)(base)).observability?.alerting).toEqual(config);
    const err = errorOf(() => new AlertRouting(new Chart(Testing.app(), 'c'), 'AlertRouting', { config: config as unknown as AlertRoutingConfig }));
    expect(err).toBeInstanceOf(ValidationError);
    expect({ field: err.field, value: err.value }).toEqual({ field, value });
    expect(err.message).toContain(`${field} is ${formatValue(value)}`);
  });
});
