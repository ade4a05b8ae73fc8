/** The data stores in the model: calls to stores, their credentials in secretsOf, and the validation of stores and placements. */
import { DataStoreEngine, DataStorePlacement, managedStoreCidrs, managedStoreIdentifier } from '../../lib/model/data-stores';
import { SecretOwnerKind } from '../../lib/model/secrets';
import { ValidationError } from '../../lib/model/validation';
import { ENVIRONMENTS, SERVICES, STORES, storesPlatform } from '../k8s/data-stores/_fixture';

const platform = storesPlatform();
const orders = platform.services.find((s) => s.name === 'orders')!;

test('a call to a store resolves to the store, not to a service', () => {
  expect(platform.calleesOf(orders).map((s) => s.name)).toEqual(['catalog']);
  expect(platform.dataStoresCalledBy(orders).map((d) => d.name)).toEqual(['orders-db', 'cache']);
  expect(platform.callersOfDataStore(STORES[1]).map((s) => s.name)).toEqual(['catalog', 'orders']);
  expect(platform.namespaces()).toEqual(['shop', 'shop-data']);
});

test('secretsOf gives a caller one data-store secret per store it calls, at the store\'s known name', () => {
  const dev = platform.environment('dev');
  const own = platform.secretsOf(dev, orders).filter((s) => s.owner === SecretOwnerKind.DATA_STORE);
  expect(own).toEqual([
    expect.objectContaining({ name: 'orders-db', secretsManagerName: 'shop/dev/shop-data/orders-db', kubernetesSecretName: 'orders-orders-db', env: { ORDERS_DB_USERNAME: 'username', ORDERS_DB_PASSWORD: 'password', ORDERS_DB_HOST: 'host', ORDERS_DB_PORT: 'port', ORDERS_DB_DBNAME: 'dbname' } }),
    expect.objectContaining({ name: 'cache', secretsManagerName: 'shop/dev/shop-data/cache', env: { CACHE_PASSWORD: 'password', CACHE_HOST: 'host', CACHE_PORT: 'port', CACHE_TLS: 'tls' } }),
  ]);
});

test('placements come from the environment, with per-store overrides', () => {
  expect(platform.dataStoresIn(platform.environment('dev')).map((d) => d.placement)).toEqual([DataStorePlacement.IN_CLUSTER, DataStorePlacement.IN_CLUSTER]);
  expect(platform.dataStoresIn(platform.environment('prod')).map((d) => [d.host, d.port, d.database])).toEqual([['orders-db.shop-data.svc.cluster.local', 5432, 'orders'], ['cache.shop-data.svc.cluster.local', 6379, '']]);
  const mixed = storesPlatform({ environments: ENVIRONMENTS.map((e) => (e.name === 'prod' ? { ...e, dataStores: { placementOverrides: { cache: DataStorePlacement.IN_CLUSTER } } } : e)) });
  expect(mixed.dataStoresIn(mixed.environment('prod')).map((d) => d.placement)).toEqual([DataStorePlacement.MANAGED, DataStorePlacement.IN_CLUSTER]);
});

test('managed stores\' addresses are the intra subnets the network carves, or the whole VPC of an existing one', () => {
  expect(managedStoreCidrs('10.0.0.0/16', false)).toEqual(['10.0.112.0/22', '10.0.116.0/22', '10.0.120.0/22']);
  expect(managedStoreCidrs('10.0.0.0/16', true)).toEqual(['10.0.0.0/16']);
});

const fails = (build: () => unknown, field: string) => {
  let error: unknown;
  try { build(); } catch (e) { error = e; }
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).field).toBe(field);
};

test('fails when a service calls a store that does not exist', () => {
  fails(() => storesPlatform({ services: SERVICES.map((s) => (s.name === 'catalog' ? { ...s, calls: ['shop-data/nope'] } : s)) }), 'services.catalog.calls');
});
test('fails when a store takes the name of a service of its namespace', () => {
  fails(() => storesPlatform({ dataStores: [...STORES, { name: 'catalog', namespace: 'shop', engine: DataStoreEngine.REDIS }] }), 'dataStores[].name');
});
test('fails when a store\'s version is not one the library deploys', () => {
  fails(() => storesPlatform({ dataStores: [{ ...STORES[0], version: '12' }] }), 'dataStores.orders-db.version');
});
test('fails when a Redis store names a database', () => {
  fails(() => storesPlatform({ dataStores: [STORES[0], { ...STORES[1], database: 'x' }] }), 'dataStores.cache.database');
});
test('fails when an environment overrides the placement of a store the platform does not have', () => {
  fails(() => storesPlatform({ environments: ENVIRONMENTS.map((e) => (e.name === 'dev' ? { ...e, dataStores: { placementOverrides: { nope: DataStorePlacement.MANAGED } } } : e)) }), 'environments.dev.dataStores.placementOverrides');
});
test('fails when the point-in-time recovery window is outside 1 to 35 days', () => {
  fails(() => storesPlatform({ environments: ENVIRONMENTS.map((e) => (e.name === 'prod' ? { ...e, dataStores: { backupRetentionDays: 36 } } : e)) }), 'environments.prod.dataStores.backupRetentionDays');
});
test('fails when a credentials version is not a whole number from 1', () => {
  fails(() => storesPlatform({ environments: ENVIRONMENTS.map((e) => (e.name === 'prod' ? { ...e, dataStores: { credentialsVersions: { cache: 0 } } } : e)) }), 'environments.prod.dataStores.credentialsVersions.cache');
});

test('a managed store\'s identifier stays within ElastiCache\'s 40 characters, deterministically', () => {
  expect(managedStoreIdentifier('shop', 'prod', { name: 'cache' })).toBe('shop-prod-cache');
  const long = managedStoreIdentifier('a-long-platform-name', 'production-eu-west', { name: 'the-orders-database' });
  expect(long.length).toBeLessThanOrEqual(40);
  expect(long).toMatch(/^a-long-platform-name-production-[0-9a-f]{8}$/);
  expect(managedStoreIdentifier('a-long-platform-name', 'production-eu-west', { name: 'the-orders-database' })).toBe(long);
});
