/**
 * A platform whose services read secrets, for the tests of secrets in both worlds: `orders` (a Deployment) reads a
 * database password as a variable and an API key file set, `ledger` (a StatefulSet, PostgreSQL-like) writes a socket
 * directory and reads its own secret as files, `web` reads none.
 */
import { imageSources as referenceImageSources } from '../../../apps/platform';
import { Platform, type PlatformProps } from '../../../lib/model/platform';
import { PortProtocol, WorkloadKind, type ServiceDefinition } from '../../../lib/model/service';
import { plainEnvironments } from '../../fixtures/environments';

const REGISTRY = '111122223333.dkr.ecr.eu-central-1.amazonaws.com/shop';

export const ORDERS: ServiceDefinition = {
  name: 'orders',
  namespace: 'shop',
  partOf: 'shop',
  versions: [{ name: 'v1', image: `${REGISTRY}/orders:1.0.0` }],
  ports: [{ name: 'web', port: 8080, protocol: PortProtocol.HTTP }],
  env: { LOG_LEVEL: 'info' },
  secrets: [
    { name: 'db', env: { DB_PASSWORD: 'password', DB_USER: 'username' }, description: 'The orders database login' },
    { name: 'stripe', mountPath: '/var/run/secrets/stripe' },
  ],
  calls: ['ledger'],
};

export const LEDGER: ServiceDefinition = {
  name: 'ledger',
  namespace: 'shop',
  partOf: 'shop',
  kind: WorkloadKind.STATEFUL,
  versions: [{ name: 'v17', image: 'public.ecr.aws/docker/library/postgres:17.2' }],
  ports: [{ name: 'sql', port: 5432, protocol: PortProtocol.TCP }],
  storage: { sizeGiB: 20, mountPath: '/var/lib/postgresql/data' },
  probes: { port: 'sql' },
  resources: { memoryRequestMiB: 512, memoryLimitMiB: 1024, ephemeralStorageLimitMiB: 1024 },
  configFiles: { 'postgresql.conf': 'shared_buffers = 128MB\n' },
  writablePaths: [{ path: '/var/run/postgresql', sizeMiB: 16 }, { path: '/dev/shm', sizeMiB: 256, inMemory: true }],
  secrets: [{ name: 'superuser', env: { POSTGRES_PASSWORD: 'password' }, mountPath: '/etc/ledger-secrets' }],
};

export const WEB: ServiceDefinition = {
  name: 'web',
  namespace: 'shop',
  partOf: 'shop',
  versions: [{ name: 'v1', image: `${REGISTRY}/web:1.0.0` }],
  ports: [{ name: 'web', port: 8080, protocol: PortProtocol.HTTP }],
  calls: ['orders'],
};

/** The reference registry, and the library images' registry (ledger runs postgres). */
export const secretsImageSources: Pick<PlatformProps, 'registry' | 'allowedImageRegistries'> = { ...referenceImageSources, allowedImageRegistries: ['public.ecr.aws/docker/library'] };

/** The reference environments without overrides and without GitOps (these platforms name no repository). */
export const secretsEnvironments = plainEnvironments.map(({ gitops: _unused, ...env }) => env);

/** Builds the platform, with other services when given. */
export function secretsPlatform(services: readonly ServiceDefinition[] = [ORDERS, LEDGER, WEB]): Platform {
  return new Platform({ name: 'shop', environments: secretsEnvironments, services, ...secretsImageSources });
}

/** Values no output may hold: what a test would put in a secret if it could. */
export const FORBIDDEN_VALUES: readonly string[] = ['hunter2', 'sk_live_'];
