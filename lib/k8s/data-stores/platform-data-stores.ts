/**
 * The Kubernetes side of an environment's data stores, from the model: per in-cluster store its credentials' copy
 * ({@link StoreCredentials}), then a CloudNativePG Cluster ({@link PostgresCluster}) or a redis-ha Application with
 * its Service and NetworkPolicies ({@link RedisHaAddon}, {@link RedisStore}); per managed store its address
 * ({@link ManagedStoreAddress}). Every store gets a TCP-only DestinationRule (no HTTP settings, no TLS mode: Istio's
 * auto mTLS finds no sidecar at the store and sends its own protocol as is, with the store's TLS and AUTH inside). PlatformChart creates one when the model has stores.
 */
import { Construct } from 'constructs';
import { kubernetesServiceCidrOf } from '../../model/cidr';
import { DataStoreEngine, DataStorePlacement, dataStoreKey, dataStoreServiceAccounts, managedStoreCidrs, managedStoreRecordName, resolveDataStore, type ResolvedDataStore } from '../../model/data-stores';
import type { ServiceDefinition } from '../../model/service';
import { NetworkPeer, type DataStoreEgress } from '../network-policies';
import type { EnvironmentConfig } from '../../model/environment';
import { LABEL_MANAGED_BY, LABEL_NAME, LABEL_PART_OF, backupBucketName, serviceAccountRoleArn } from '../../model/names';
import { arnPartition } from '../../model/partition';
import type { Platform } from '../../model/platform';
import { secretsManagerSecretName } from '../../model/secrets';
import { RedisHaAddon, redisHaproxyPodLabels } from '../addons/redis-ha-addon';
import { resolveArgoCdOptions, type ArgoCdOptions } from '../addons/argo-cd-application';
import { IstioDestinationRule } from '../mesh/istio-resources';
import { DEFAULT_PROMETHEUS_SELECTOR } from '../observability/alert-rules';
import { ManagedStoreAddress } from './managed-store-address';
import { CNPG_CLUSTER_LABEL, PostgresCluster } from './postgres-cluster';
import { RedisStore } from './redis-store';
import { StoreCredentials } from './store-credentials';

/** Options of {@link KubernetesDataStores}. */
export interface KubernetesDataStoresProps {
  readonly platform: Platform;
  readonly environment: EnvironmentConfig;
  /** The StorageClass of the in-cluster stores' volumes. @default 'gp3' */
  readonly storageClassName?: string;
  /** The namespace of Prometheus. @default 'monitoring' */
  readonly monitoringNamespace?: string;
  /** Where the redis-ha Applications live. @default namespace argocd, project default */
  readonly argoCd?: ArgoCdOptions;
  /** The redis-ha chart version. @default DEFAULT_ADDON_CHART_VERSIONS.redisHaChart */
  readonly redisHaChartVersion?: string;
}

/** What one store has on the Kubernetes side. */
export interface DataStoreObjects {
  readonly store: ResolvedDataStore;
  /** The store's own copy of its credentials. @default none when managed */
  readonly credentials?: StoreCredentials;
  /** The CloudNativePG Cluster. @default none unless an in-cluster PostgreSQL store */
  readonly postgres?: PostgresCluster;
  /** The redis-ha Application. @default none unless an in-cluster Redis store */
  readonly redisApplication?: RedisHaAddon;
  /** The Service and NetworkPolicies of an in-cluster Redis. @default none otherwise */
  readonly redis?: RedisStore;
  /** The ExternalName Service and ServiceEntry of a managed store. @default none in the cluster */
  readonly address?: ManagedStoreAddress;
  /** The TCP-only DestinationRule. */
  readonly destinationRule?: IstioDestinationRule;
}

/** Every data store of one environment, on the Kubernetes side. */
export class KubernetesDataStores extends Construct {
  /** Per store, by `namespace/name`. */
  public readonly stores: ReadonlyMap<string, DataStoreObjects>;

  constructor(scope: Construct, id: string, props: KubernetesDataStoresProps) {
    super(scope, id);
    const { platform, environment: env } = props;
    const argoCd = resolveArgoCdOptions(props.argoCd);
    const partition = arnPartition(env.region);
    const stores = new Map<string, DataStoreObjects>();
    for (const store of platform.dataStoresIn(env)) {
      const definition = platform.findDataStore(dataStoreKey(store)) as NonNullable<ReturnType<Platform['findDataStore']>>;
      const callers = platform.callersOfDataStore(definition);
      const scope = new Construct(this, `${store.namespace}.${store.name}`);
      const labels = { [LABEL_NAME]: store.name, [LABEL_PART_OF]: platform.name, [LABEL_MANAGED_BY]: 'eks-platform-constructs' };
      const secretsManagerName = secretsManagerSecretName(platform.name, env.name, store.namespace, store.name);
      if (store.placement === DataStorePlacement.MANAGED) {
        const address = new ManagedStoreAddress(scope, 'Address', { store, recordName: managedStoreRecordName(platform.name, env.name, store), addresses: managedStoreCidrs(env.vpcCidr, env.existingVpc !== undefined), labels });
        stores.set(dataStoreKey(store), { store, address, destinationRule: address.destinationRule });
        continue;
      }
      const accounts = dataStoreServiceAccounts(store);
      const roleArn = (sa: string) => serviceAccountRoleArn(platform.name, env.name, env.accountId, store.namespace, sa, partition);
      const credentials = new StoreCredentials(scope, 'Credentials', { store, secretsManagerName, roleArn: roleArn(accounts.credentials), region: env.region, labels });
      const destinationRule = new IstioDestinationRule(scope, 'DestinationRule', {
        metadata: { name: store.name, namespace: store.namespace, labels },
        spec: {
          host: store.host,
          // no TLS mode: the store's pods have no sidecar, auto mTLS sends plain TCP; the store's own TLS and AUTH inside
          trafficPolicy: { connectionPool: { tcp: { maxConnections: 1000, connectTimeout: '5s', tcpKeepalive: { time: '300s', interval: '30s' } } } },
        },
      });
      if (store.engine === DataStoreEngine.POSTGRESQL) {
        const postgres = new PostgresCluster(scope, 'Postgres', {
          store,
          callers,
          credentialsSecret: credentials.secretName,
          storageClassName: props.storageClassName ?? 'gp3',
          backupBucket: backupBucketName(platform.name, env.name, env.accountId),
          region: env.region,
          backupRoleArn: roleArn(accounts.cluster),
          backupRetentionDays: env.backup.ttlDays ?? env.backup.retentionDays,
          monitoringNamespace: props.monitoringNamespace ?? 'monitoring',
          vpcCidr: env.vpcCidr,
          kubernetesServiceCidr: kubernetesServiceCidrOf(env),
          labels,
          podMonitorLabels: platform.observability ? platform.observability.prometheusSelector ?? DEFAULT_PROMETHEUS_SELECTOR : undefined,
        });
        postgres.node.addDependency(credentials);
        stores.set(dataStoreKey(store), { store, credentials, postgres, destinationRule });
      } else {
        const redisApplication = new RedisHaAddon(scope, 'Application', {
          store,
          platformName: platform.name,
          argoCd,
          credentialsSecret: credentials.secretName,
          storageClassName: props.storageClassName ?? 'gp3',
          chartVersion: props.redisHaChartVersion,
        });
        redisApplication.node.addDependency(credentials);
        const redis = new RedisStore(scope, 'Redis', { store, callers, labels });
        stores.set(dataStoreKey(store), { store, credentials, redisApplication, redis, destinationRule });
      }
    }
    this.stores = stores;
  }
}

/**
 * Where a service's pods may connect for the data stores it calls in an environment: an in-cluster PostgreSQL's
 * instances, an in-cluster Redis' HAProxy pods, or a managed store's VPC blocks (`managedStoreCidrs`), on the port.
 */
export function dataStoreEgressOf(platform: Platform, env: EnvironmentConfig, service: ServiceDefinition): DataStoreEgress[] {
  const cidrs = managedStoreCidrs(env.vpcCidr, env.existingVpc !== undefined);
  return platform.dataStoresCalledBy(service).map((d) => {
    const store = resolveDataStore(d, env.dataStores);
    const peers = store.placement === DataStorePlacement.MANAGED
      ? cidrs.map((c) => NetworkPeer.ipBlock(c))
      : [NetworkPeer.pods(store.namespace, store.engine === DataStoreEngine.POSTGRESQL ? { [CNPG_CLUSTER_LABEL]: store.name } : redisHaproxyPodLabels(store))];
    return { store: dataStoreKey(store), peers, port: store.port };
  });
}
