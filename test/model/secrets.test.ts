import { Platform } from '../../lib/model/platform';
import { SecretOwnerKind, kubernetesSecretName, secretValuesPrerequisite, secretsManagerSecretName } from '../../lib/model/secrets';
import type { ServiceDefinition } from '../../lib/model/service';
import { DataStoreEngine, type DataStoreDefinition } from '../../lib/model/data-stores';
import { errorOf } from '../fixtures/errors';
// the image sources allow ECR Public's Docker official images: LEDGER's PostgreSQL
import { LEDGER, ORDERS, WEB, secretsEnvironments, secretsImageSources, secretsPlatform } from '../k8s/secrets/_secrets-platform';

const build = (services: readonly ServiceDefinition[], dataStores: readonly DataStoreDefinition[] = []) => () => new Platform({ name: 'shop', environments: secretsEnvironments, services, dataStores, ...secretsImageSources });

describe('secrets in the model', () => {
  const platform = secretsPlatform();
  const prod = platform.environment('prod');

  test('resolves a service\'s own secrets with the names both worlds use', () => {
    expect(platform.secretsOf(prod, platform.service('shop/orders'))).toEqual([
      { name: 'db', owner: SecretOwnerKind.SERVICE, secretsManagerName: 'shop/prod/shop/orders/db', kubernetesSecretName: 'orders-db', env: { DB_PASSWORD: 'password', DB_USER: 'username' }, description: 'The orders database login' },
      { name: 'stripe', owner: SecretOwnerKind.SERVICE, secretsManagerName: 'shop/prod/shop/orders/stripe', kubernetesSecretName: 'orders-stripe', env: {}, mountPath: '/var/run/secrets/stripe' },
    ]);
    expect(secretsManagerSecretName('shop', 'prod', 'shop', 'orders', 'db')).toBe('shop/prod/shop/orders/db');
    expect(kubernetesSecretName('orders', 'db')).toBe('orders-db');
    expect(platform.secretsOf(prod, platform.service('shop/web'))).toEqual([]);
  });

  test('gives a secret reader\'s pods no role: a secrets reader role of its own, named after <service>-secrets, reads them', () => {
    expect(platform.serviceRoleArn(prod, platform.service('shop/orders'))).toBeUndefined();
    expect(platform.secretsReaderRoleArn(prod, platform.service('shop/orders'))).toBe('arn:aws:iam::333333333333:role/shop-prod-shop-orders-secrets');
    expect(platform.secretsReaderRoleArn(prod, platform.service('shop/web'))).toBeUndefined();
    const sqs = secretsPlatform([{ ...ORDERS, calls: [], awsPermissions: [{ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:eu-central-1:333333333333:q'] }] }]);
    expect(sqs.serviceRoleArn(prod, sqs.service('shop/orders'))).toBe('arn:aws:iam::333333333333:role/shop-prod-shop-orders');
  });

  test('opens STS to a pod only when it calls AWS itself (External Secrets, not the pod, exchanges the reader\'s token)', () => {
    expect(platform.externalEndpointsOf(prod, platform.service('shop/orders'))).toEqual([]);
    const sqs = secretsPlatform([{ ...ORDERS, calls: [], awsPermissions: [{ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:eu-central-1:333333333333:q'] }] }]);
    expect(sqs.externalEndpointsOf(prod, sqs.service('shop/orders')).map((e) => e.host)).toEqual(['sts.eu-central-1.amazonaws.com', 'sqs.eu-central-1.amazonaws.com']);
  });

  test('fails when a service that reads secrets has a name too long for its reader ServiceAccount (a DNS-1123 label)', () => {
    const long = 'o'.repeat(56);
    const e = errorOf(build([{ ...ORDERS, name: long, calls: [] }]));
    expect(e.field).toBe(`services.${long}.name`);
    expect(e.allowed).toMatch(/at most 55 characters for a service that reads secrets \(its secrets reader ServiceAccount o+-secrets has 64; at most 63/);
    // without secrets the same name is fine
    expect(build([{ ...WEB, name: long, calls: [] }])).not.toThrow();
    expect(build([{ ...ORDERS, name: 'o'.repeat(55), calls: [] }])).not.toThrow();
  });

  test('fails when a reader ServiceAccount would be another service\'s or a data store\'s', () => {
    const clash = { ...WEB, name: 'orders-secrets', calls: [] };
    expect(errorOf(build([{ ...ORDERS, calls: [] }, clash])).allowed).toMatch(/secrets reader ServiceAccount shop\/orders-secrets is not also the ServiceAccount of service shop\/orders-secrets/);
    const store: DataStoreDefinition = { name: 'orders-secrets', namespace: 'shop', engine: DataStoreEngine.REDIS };
    expect(errorOf(build([{ ...ORDERS, calls: [] }], [store])).allowed).toMatch(/is not also the ServiceAccount of data store shop\/orders-secrets/);
    // in another namespace there is no clash
    expect(build([{ ...ORDERS, calls: [] }, { ...clash, namespace: 'other' }])).not.toThrow();
  });

  test('asks for the STS and Secrets Manager interface endpoints when a service reads secrets', () => {
    expect(platform.interfaceEndpointsOf(prod)).toEqual(expect.arrayContaining(['secretsmanager', 'sts']));
    expect(secretsPlatform([WEB].map((s) => ({ ...s, calls: [] }))).interfaceEndpointsOf(prod)).not.toContain('secretsmanager');
  });

  test('fails when a secret name is not a short DNS-1123 label', () => {
    const e = errorOf(build([{ ...ORDERS, secrets: [{ name: 'DB', env: { A: 'a' } }] }, LEDGER]));
    expect(e.field).toBe('services.orders.secrets[].name');
    expect(errorOf(build([{ ...ORDERS, secrets: [{ name: 'a'.repeat(31), env: { A: 'a' } }] }, LEDGER])).allowed).toMatch(/at most 30 characters/);
  });

  test('fails when a secret is neither read as variables nor mounted', () => {
    expect(errorOf(build([{ ...ORDERS, secrets: [{ name: 'db' }] }, LEDGER])).field).toBe('services.orders.secrets.db');
  });

  test('fails when a secret name repeats', () => {
    expect(build([{ ...ORDERS, secrets: [{ name: 'db', env: { A: 'a' } }, { name: 'db', env: { B: 'b' } }] }, LEDGER])).toThrow(/each secret name once per service/);
  });

  test('fails when a variable is set twice, by two secrets or by a secret and the plain env', () => {
    expect(build([{ ...ORDERS, secrets: [{ name: 'db', env: { LOG_LEVEL: 'x' } }] }, LEDGER])).toThrow(/already set by the plain env/);
    expect(build([{ ...ORDERS, secrets: [{ name: 'a', env: { X: 'x' } }, { name: 'b', env: { X: 'y' } }] }, LEDGER])).toThrow(/already set by secret a/);
  });

  test('fails when a variable name or a key is not allowed', () => {
    expect(errorOf(build([{ ...ORDERS, secrets: [{ name: 'db', env: { 'db-pass': 'password' } }] }, LEDGER])).field).toBe('services.orders.secrets.db.env');
    expect(errorOf(build([{ ...ORDERS, secrets: [{ name: 'db', env: { DB: 'a/b' } }] }, LEDGER])).field).toBe('services.orders.secrets.db.env.DB');
  });

  test('fails when a mount path is not absolute or hides another mount', () => {
    expect(errorOf(build([{ ...ORDERS, secrets: [{ name: 'db', mountPath: 'etc/db' }] }, LEDGER])).field).toBe('services.orders.secrets.db.mountPath');
    expect(errorOf(build([{ ...ORDERS, secrets: [{ name: 'db', mountPath: '/tmp/db' }] }, LEDGER])).allowed).toMatch(/overlaps \/tmp/);
    expect(errorOf(build([ORDERS, { ...LEDGER, secrets: [{ name: 's', mountPath: '/var/run/postgresql/s' }] }])).allowed).toMatch(/overlaps \/var\/run\/postgresql, writablePaths/);
  });
});

describe('writable paths in the model', () => {
  const at = (writablePaths: ServiceDefinition['writablePaths']) => build([ORDERS, { ...LEDGER, writablePaths }]);

  test('fails when a path is /tmp, below it, relative or not normalised', () => {
    for (const path of ['/tmp', '/tmp/x', 'var/run', '/var/run/', '/var/../etc', '/']) {
      expect(errorOf(at([{ path, sizeMiB: 1 }])).field).toBe('services.ledger.writablePaths[0].path');
    }
  });

  test('fails when a size is not a whole number of MiB, 1 or more', () => {
    expect(errorOf(at([{ path: '/var/run/postgresql', sizeMiB: 0 }])).field).toBe('services.ledger.writablePaths./var/run/postgresql.sizeMiB');
    expect(at([{ path: '/var/run/postgresql', sizeMiB: 1.5 }])).toThrow(/a whole number of MiB/);
  });

  test('fails when one path lies below another', () => {
    expect(at([{ path: '/var/run', sizeMiB: 1 }, { path: '/var/run/postgresql', sizeMiB: 1 }])).toThrow(/it overlaps \/var\/run\/postgresql; one volume would hide the other/);
  });

  test('fails when a path hides the persistent storage', () => {
    expect(at([{ path: '/var/lib/postgresql', sizeMiB: 1 }])).toThrow(/overlaps \/var\/lib\/postgresql\/data, storage\.mountPath/);
  });
});

describe('secretValuesPrerequisite', () => {
  test('names every secret to fill, once and sorted, with the command that fills it', () => {
    const line = secretValuesPrerequisite(['shop/prod/shop/orders/stripe', 'shop/prod/shop/orders/db', 'shop/prod/shop/orders/db'], 'eu-central-1');
    expect(line).toContain('`shop/prod/shop/orders/db`, `shop/prod/shop/orders/stripe`');
    expect(line).toContain('aws secretsmanager put-secret-value --region eu-central-1 --secret-id <name> --secret-string file://value.json');
  });
});
