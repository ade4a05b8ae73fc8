import { environments, platform, services } from '../../apps/platform';
import type { EnvironmentConfig } from '../../lib/model/environment';
import { Platform } from '../../lib/model/platform';
import { Release, type ServiceDefinition } from '../../lib/model/service';
import { ValidationError } from '../../lib/model/validation';

const prod = environments.find((e) => e.name === 'prod')!;

function withEnv(change: Partial<EnvironmentConfig>, name = 'prod'): Platform {
  return new Platform({
    name: 'shop',
    environments: environments.map((e) => (e.name === name ? { ...e, ...change } : e)),
    services,
  });
}

function withService(name: string, change: Partial<ServiceDefinition>): Platform {
  return new Platform({ name: 'shop', environments, services: services.map((s) => (s.name === name ? { ...s, ...change } : s)) });
}

function errorOf(build: () => unknown): ValidationError {
  try {
    build();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError, got none');
}

describe('Platform', () => {
  test('builds the reference platform with three environments and 13 services', () => {
    expect(platform.environments.map((e) => e.name)).toEqual(['dev', 'staging', 'prod']);
    expect(platform.services).toHaveLength(13);
    expect(platform.namespaces()).toEqual(['shop', 'shop-data']);
  });

  test('resolves callers and callees from the call graph', () => {
    const inventory = platform.service('inventory', 'shop');
    expect(platform.callersOf(inventory).map((s) => s.name)).toEqual(['cart', 'catalog', 'checkout', 'order']);
    const cart = platform.service('cart', 'shop');
    expect(platform.calleesOf(cart).map((s) => `${s.namespace}/${s.name}`)).toEqual(['shop/catalog', 'shop/inventory', 'shop-data/redis']);
  });

  test('derives replica bounds with per-service overrides', () => {
    expect(platform.replicaBounds(prod, platform.service('storefront', 'shop'))).toEqual({ min: 3, max: 20 });
    expect(platform.replicaBounds(prod, platform.service('cart', 'shop'))).toEqual({ min: 3, max: 10 });
  });

  test('gives a role ARN only to services that ask for AWS permissions', () => {
    expect(platform.serviceRoleArn(prod, platform.service('notification', 'shop'))).toBe('arn:aws:iam::333333333333:role/shop-prod-shop-notification');
    expect(platform.serviceRoleArn(prod, platform.service('cart', 'shop'))).toBeUndefined();
  });

  test('fails when an unknown environment name is asked for', () => {
    const err = errorOf(() => platform.environment('qa'));
    expect(err.message).toBe('Platform(shop): environment is "qa"; allowed: one of dev, staging, prod');
  });

  test('fails when a VPC CIDR is invalid', () => {
    expect(errorOf(() => withEnv({ vpcCidr: '10.30.0.0/33' })).message).toBe(
      'Platform(shop): environments.prod.vpcCidr is "10.30.0.0/33"; allowed: an IPv4 network CIDR with a prefix from /16 to /22',
    );
  });

  test('fails when two environments\' VPC CIDRs overlap', () => {
    const err = errorOf(() => withEnv({ vpcCidr: '10.20.128.0/17' }));
    expect(err.field).toBe('environments.prod.vpcCidr');
    expect(err.message).toContain("overlap environment staging's 10.20.0.0/16");
  });

  test('fails when an environment does not have exactly three zones', () => {
    const err = errorOf(() => withEnv({ availabilityZones: ['eu-central-1a', 'eu-central-1b'] }));
    expect(err.message).toContain('environments.prod.availabilityZones is ["eu-central-1a","eu-central-1b"]; allowed: exactly three distinct availability zones');
  });

  test('fails when a zone is not in the region', () => {
    expect(errorOf(() => withEnv({ availabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-west-1c'] })).message).toContain('"eu-west-1c"; allowed: zones of region eu-central-1');
  });

  test('fails when a node group has min > max', () => {
    const err = errorOf(() => withEnv({ nodeGroups: [{ name: 'general', instanceTypes: ['m6i.large'], minSize: 30, maxSize: 20, desiredSize: 25 }] }));
    expect(err.message).toBe('Platform(shop): environments.prod.nodeGroups.general.maxSize is 20; allowed: a whole number, at least minSize (30) and at least 1');
  });

  test('fails when desired size is outside min..max', () => {
    const err = errorOf(() => withEnv({ nodeGroups: [{ name: 'general', instanceTypes: ['m6i.large'], minSize: 3, maxSize: 6, desiredSize: 7 }] }));
    expect(err.message).toContain('nodeGroups.general.desiredSize is 7; allowed: a whole number from minSize (3) to maxSize (6)');
  });

  test('fails when the public API endpoint is open to 0.0.0.0/0', () => {
    expect(errorOf(() => withEnv({ publicApiAccessCidrs: ['0.0.0.0/0'] })).message).toContain('environments.prod.publicApiAccessCidrs is "0.0.0.0/0"');
  });

  test('accepts any DNS label as an environment name', () => {
    const platform = new Platform({ name: 'shop', environments: [{ ...prod, name: 'qa' }] });
    expect(platform.environments.map((e) => e.name)).toEqual(['qa']);
  });

  test('fails when an environment name is not a DNS label', () => {
    const err = errorOf(() => new Platform({ name: 'shop', environments: [{ ...prod, name: 'Prod_EU' }] }));
    expect(err.message).toBe('Platform(shop): environments[].name is "Prod_EU"; allowed: a DNS-1123 label of at most 20 characters (dev, qa, prod-eu)');
  });

  test('fails when prod allows a single replica without saying so', () => {
    const err = errorOf(() => withEnv({ kubernetes: { ...prod.kubernetes, minReplicas: 1 } }));
    expect(err.message).toContain('environments.prod.kubernetes.minReplicas is 1; allowed: 2 or more');
  });

  test('fails when a service calls a service that does not exist', () => {
    expect(errorOf(() => withService('cart', { calls: ['wishlist'] })).message).toContain('services.cart.calls is "wishlist"; allowed: services of the catalog');
  });

  test('fails when an image is latest or has no tag', () => {
    const latest = errorOf(() => withService('cart', { versions: [{ name: 'v1', image: 'reg/shop/cart:latest' }] }));
    expect(latest.message).toContain('services.cart.versions.v1.image is "reg/shop/cart:latest"; allowed: an image pinned by tag');
    const untagged = errorOf(() => withService('cart', { versions: [{ name: 'v1', image: 'reg:5000/shop/cart' }] }));
    expect(untagged.message).toContain('an image without a tag means latest');
  });

  test('fails when a release names a version the service does not run', () => {
    const err = errorOf(() => withService('catalog', { release: Release.canary({ v1: 90, v3: 10 }) }));
    expect(err.message).toContain('services.catalog.release is "v3"; allowed: versions of the service (v1, v2)');
  });

  test('fails when a service name is not a DNS-1123 label', () => {
    expect(errorOf(() => withService('cart', { name: 'Cart_Service' })).message).toContain('services[].name is "Cart_Service"; allowed: a DNS-1123 label');
  });
});
