/**
 * The small platform of the data-store tests: one PostgreSQL and one Redis store in namespace `shop-data`, called by
 * `orders` (both) and `catalog` (Redis only); in-cluster in `dev`, managed in `prod` (RDS) and `staging` (Aurora).
 */
import { plainEnvironments } from '../../fixtures/environments';
import { imageSources } from '../../../apps/platform';
import { DataStoreEngine, DataStorePlacement, ManagedPostgresFlavour, type DataStoreDefinition, type EnvironmentDataStoresConfig } from '../../../lib/model/data-stores';
import type { EnvironmentConfig } from '../../../lib/model/environment';
import { Platform } from '../../../lib/model/platform';
import { PortProtocol, type ServiceDefinition } from '../../../lib/model/service';

export const STORES: DataStoreDefinition[] = [
  { name: 'orders-db', namespace: 'shop-data', engine: DataStoreEngine.POSTGRESQL, storageGiB: 50, database: 'orders', critical: true },
  { name: 'cache', namespace: 'shop-data', engine: DataStoreEngine.REDIS },
];

const registry = (name: string) => `111122223333.dkr.ecr.eu-central-1.amazonaws.com/shop/${name}:1.0.0`;

export const SERVICES: ServiceDefinition[] = [
  { name: 'orders', namespace: 'shop', partOf: 'shop', versions: [{ name: 'v1', image: registry('orders') }], ports: [{ name: 'web', port: 8080, protocol: PortProtocol.HTTP }], calls: ['shop-data/orders-db', 'shop-data/cache', 'catalog'] },
  { name: 'catalog', namespace: 'shop', partOf: 'shop', versions: [{ name: 'v1', image: registry('catalog') }], ports: [{ name: 'web', port: 8080, protocol: PortProtocol.HTTP }], calls: ['shop-data/cache'] },
];

const PLACEMENT: Record<string, EnvironmentDataStoresConfig> = {
  dev: { placement: DataStorePlacement.IN_CLUSTER },
  staging: { placement: DataStorePlacement.MANAGED, postgresFlavour: ManagedPostgresFlavour.AURORA, postgresInstanceClass: 'db.r7g.large' },
  prod: { placement: DataStorePlacement.MANAGED, backupRetentionDays: 21 },
};

export const ENVIRONMENTS: EnvironmentConfig[] = plainEnvironments.map((e) => ({ ...e, dataStores: PLACEMENT[e.name] }));

/** The platform, with `overrides` over its props. */
export function storesPlatform(overrides: Partial<ConstructorParameters<typeof Platform>[0]> = {}): Platform {
  return new Platform({ name: 'shop', environments: ENVIRONMENTS, services: SERVICES, dataStores: STORES, ...imageSources, ...overrides });
}
