import { environments, imageSources, platform, services } from '../fixtures/shop';
import { TaintEffect, type EnvironmentConfig } from '../../lib/model/environment';
import { Platform } from '../../lib/model/platform';
import { Release, type ServiceDefinition } from '../../lib/model/service';
import { errorOf } from '../fixtures/errors';

const prod = environments.find((e) => e.name === 'prod')!;

function withEnv(change: Partial<EnvironmentConfig>, name = 'prod'): Platform {
  return new Platform({
    name: 'shop',
    environments: environments.map((e) => (e.name === name ? { ...e, ...change } : e)),
    services,
    ...imageSources,
  });
}

function withService(name: string, change: Partial<ServiceDefinition>): Platform {
  return new Platform({ name: 'shop', environments, services: services.map((s) => (s.name === name ? { ...s, ...change } : s)), ...imageSources });
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

  test('fails when the Kubernetes service CIDR overlaps the VPC', () => {
    const err = errorOf(() => withEnv({ kubernetesServiceCidr: prod.vpcCidr.replace(/\/\d+$/, '/20') }));
    expect(err.field).toBe('environments.prod.kubernetesServiceCidr');
    expect(err.message).toContain(`allowed: a block that does not overlap the VPC's ${prod.vpcCidr}`);
  });

  test('fails when the default Kubernetes service CIDR would overlap the VPC', () => {
    const err = errorOf(() => withEnv({ vpcCidr: '172.20.0.0/16' }));
    expect(err.field).toBe('environments.prod.kubernetesServiceCidr');
    expect(err.message).toContain('(the default; set kubernetesServiceCidr to another block)');
  });

  test.each(['100.64.0.0/16', '10.0.0.0/8', '172.20.0.0/25', '172.20.0.1/16'])('fails when the Kubernetes service CIDR is %s (not a private /12 to /24 network)', (cidr) => {
    expect(errorOf(() => withEnv({ kubernetesServiceCidr: cidr })).field).toBe('environments.prod.kubernetesServiceCidr');
  });

  test('accepts a private service CIDR apart from the VPC', () => {
    expect(withEnv({ kubernetesServiceCidr: '192.168.0.0/16' }).environment('prod').kubernetesServiceCidr).toBe('192.168.0.0/16');
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
    expect(errorOf(() => withEnv({ publicApiAccessCidrs: ['0.0.0.0/0'] })).message).toContain('environments.prod.publicApiAccessCidrs is ["0.0.0.0/0"]; allowed: specific CIDRs');
  });

  test('fails when public endpoint CIDRs together cover the whole internet', () => {
    const err = errorOf(() => withEnv({ publicApiAccessCidrs: ['203.0.113.0/24', '128.0.0.0/1', '0.0.0.0/1'] }));
    expect(err.message).toContain('together these cover the whole internet');
    // a large but partial union is an engineer's choice, not a mistake
    expect(() => withEnv({ publicApiAccessCidrs: ['0.0.0.0/1', '192.0.0.0/2'] })).not.toThrow();
  });

  test('accepts any DNS label as an environment name', () => {
    const platform = new Platform({ name: 'shop', environments: [{ ...prod, name: 'qa' }], services, ...imageSources });
    expect(platform.environments.map((e) => e.name)).toEqual(['qa']);
  });

  test.each(['kube-system', 'kube-public', 'kube-node-lease', 'default', 'istio-system'])('fails when a service runs in the system namespace %s', (namespace) => {
    const err = errorOf(() => withService('notification', { namespace }));
    expect(err.message).toContain(`services.notification.namespace is "${namespace}"; allowed: a namespace of the platform's own`);
  });

  test.each([['s3:*'], ['*'], ['ses:SendEmail', 'iam:*']])('fails when a service is granted %s on every resource', (...actions) => {
    const err = errorOf(() => withService('notification', { awsPermissions: [{ actions, resources: ['*'] }] }));
    expect(err.field).toBe('services.notification.awsPermissions[0]');
    expect(err.message).toContain('grant full administrator access to the service');
  });

  test('fails when a stateless service declares storage', () => {
    const err = errorOf(() => withService('cart', { storage: { sizeGiB: 10, mountPath: '/data' } }));
    expect(err.message).toContain('services.cart.storage is {"sizeGiB":10,"mountPath":"/data"}; allowed: no storage on a stateless service');
  });

  test('fails when a region is not one AWS has', () => {
    const err = errorOf(() => withEnv({ region: 'eu-centrall-1', availabilityZones: ['eu-centrall-1a', 'eu-centrall-1b', 'eu-centrall-1c'] }));
    expect(err.message).toContain('environments.prod.region is "eu-centrall-1"; allowed: an AWS region');
  });

  test('fails when the backup replica region is in another partition', () => {
    const err = errorOf(() => withEnv({ backup: { ...prod.backup, replicaRegion: 'cn-north-1' } }));
    expect(err.message).toContain('environments.prod.backup.replicaRegion is "cn-north-1"; allowed: another region of eu-central-1\'s partition (aws)');
  });

  test('fails when an instance type is not one AWS has', () => {
    const err = errorOf(() => withEnv({ nodeGroups: [{ name: 'general', instanceTypes: ['m6i.xlarg'], minSize: 3, maxSize: 6, desiredSize: 3 }] }));
    expect(err.message).toContain('environments.prod.nodeGroups.general.instanceTypes is "m6i.xlarg"; allowed: an EC2 instance type AWS has');
    expect(() => withEnv({ nodeGroups: [{ name: 'general', instanceTypes: ['m99x.xlarge'], minSize: 3, maxSize: 6, desiredSize: 3, allowUnlistedInstanceTypes: true }] })).not.toThrow();
  });

  test('fails when a node group name is longer than the stack allows', () => {
    const name = 'a'.repeat(39);
    const err = errorOf(() => withEnv({ nodeGroups: [{ name, instanceTypes: ['m6i.large'], minSize: 3, maxSize: 6, desiredSize: 3 }] }));
    expect(err.message).toContain('allowed: unique DNS-1123 labels of at most 38 characters');
  });

  test('fails when a blue-green release names an active version outside its pair', () => {
    const err = errorOf(() => withService('catalog', { release: Release.blueGreen('v1', 'v2', 'v3') }));
    expect(err.message).toBe('Platform(shop): services.catalog.release.active is "v3"; allowed: one of the blue-green pair (v1, v2)');
  });

  test('fails when an environment overrides a service the catalog does not have', () => {
    const err = errorOf(() => withEnv({ kubernetes: { ...prod.kubernetes, serviceOverrides: { wishlist: { minReplicas: 3 } } } }));
    expect(err.message).toContain('environments.prod.kubernetes.serviceOverrides is "wishlist"; allowed: services of the catalog');
  });

  test('fails when an environment sets a quota for a namespace the platform does not have', () => {
    const err = errorOf(() => withEnv({ kubernetes: { ...prod.kubernetes, namespaceQuotas: { payments: prod.kubernetes.namespaceQuota } } }));
    expect(err.message).toContain('environments.prod.kubernetes.namespaceQuotas is "payments"; allowed: namespaces of the platform (shop, shop-data)');
  });

  test('fails when a stateless service is given a fixed replica count', () => {
    expect(errorOf(() => withService('cart', { replicas: 3 })).message).toContain('services.cart.replicas is 3; allowed: no replicas on a stateless service');
    const err = errorOf(() => withEnv({ kubernetes: { ...prod.kubernetes, serviceOverrides: { cart: { replicas: 3 } } } }));
    expect(err.message).toContain('serviceOverrides.cart.replicas is 3; allowed: replicas only for a stateful service');
  });

  test('fails when no node group of an environment can run a service (its pods would stay Pending)', () => {
    const err = errorOf(() => withService('cart', { nodeSelector: { workload: 'gpu' } }));
    expect(err.field).toBe('services.cart.nodeSelector');
    expect(err.message).toContain('otherwise its pods stay Pending');
  });

  test('fails when a service does not tolerate the taints of every node group that its selector matches', () => {
    const tainted = [...prod.nodeGroups, { ...prod.nodeGroups[0], name: 'dedicated', labels: { pool: 'dedicated' }, taints: [{ key: 'dedicated', value: 'data', effect: TaintEffect.NO_SCHEDULE }] }];
    const envs = environments.map((e) => ({ ...e, nodeGroups: e.name === 'prod' ? tainted : e.nodeGroups }));
    const svc = (tolerate: boolean) => services.map((s) => (s.name === 'cart' ? { ...s, nodeSelector: { pool: 'dedicated' }, tolerations: tolerate ? [{ key: 'dedicated', value: 'data' }] : [] } : s));
    const build = (tolerate: boolean) => new Platform({ name: 'shop', environments: envs.filter((e) => e.name === 'prod'), services: svc(tolerate), ...imageSources });
    expect(errorOf(() => build(false)).field).toBe('services.cart.nodeSelector');
    expect(() => build(true)).not.toThrow();
  });

  test('fails when Object Lock outlasts the retention, or is both set and turned off', () => {
    const long = errorOf(() => withEnv({ backup: { ...prod.backup, objectLock: { days: prod.backup.retentionDays + 1 } } }));
    expect(long.field).toBe('environments.prod.backup.objectLock.days');
    const both = errorOf(() => withEnv({ backup: { ...prod.backup, objectLock: { days: 7 }, disableObjectLock: true } }));
    expect(both.message).toContain('allowed: objectLock or disableObjectLock, not both');
  });

  test('fails when Replication Time Control is asked for without a replica region', () => {
    const { replicaRegion: _none, ...backup } = prod.backup;
    const err = errorOf(() => withEnv({ backup: { ...backup, replicationTimeControl: true } }));
    expect(err.message).toContain('environments.prod.backup.replicationTimeControl is true; allowed: only with a replicaRegion');
  });

  test('fails when a quota\'s limits are below its requests', () => {
    const err = errorOf(() => withEnv({ kubernetes: { ...prod.kubernetes, namespaceQuota: { ...prod.kubernetes.namespaceQuota, limitsCpuMillis: 1 } } }));
    expect(err.message).toContain('environments.prod.kubernetes.namespaceQuota is');
    expect(err.message).toContain('allowed: limits at least as large as requests');
  });

  test('answers callersOf from an index built once (linear in the number of services)', () => {
    const many: ServiceDefinition[] = Array.from({ length: 400 }, (_, i) => ({
      ...services[0], name: `svc-${i}`, namespace: 'shop', public: undefined, awsPermissions: undefined, release: undefined,
      versions: [services[0].versions[0]], calls: i > 0 ? [`svc-${i - 1}`, 'svc-0'] : [],
    }));
    const plain = environments.map((e) => ({ ...e, kubernetes: { ...e.kubernetes, serviceOverrides: undefined } }));
    const big = new Platform({ name: 'shop', environments: plain, services: many, ...imageSources });
    expect(big.callersOf(big.service('svc-0', 'shop')).map((s) => s.name)).toHaveLength(399);
    expect(big.callersOf(big.service('svc-5', 'shop')).map((s) => s.name)).toEqual(['svc-6']);
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
    expect(err.message).toContain('services.catalog.release.weights.v3 is 10; allowed: versions of catalog (v1, v2)');
  });

  test('fails when a service name is not a DNS-1123 label', () => {
    expect(errorOf(() => withService('cart', { name: 'Cart_Service' })).message).toContain('services[].name is "Cart_Service"; allowed: a DNS-1035 label');
  });
});

describe('Platform image registries', () => {
  const storefront = services.find((s) => s.name === 'storefront')!;
  const withImage = (image: string, sources: Partial<typeof imageSources> = imageSources) =>
    new Platform({ name: 'shop', environments, services: services.map((s) => (s.name === 'storefront' ? { ...s, versions: [{ name: 'v1', image }] } : s)), ...sources });

  test('accepts the reference platform: its own registry, ECR Public Docker library images and the Redis exporter\'s repository', () => {
    expect(platform.registry).toEqual({ accountId: '111122223333', region: 'eu-central-1', keepReleases: 30, untaggedExpiryDays: 7, host: '111122223333.dkr.ecr.eu-central-1.amazonaws.com' });
    expect(platform.allowedImageRegistries).toEqual(['public.ecr.aws/docker/library', 'docker.io/oliver006/redis_exporter']);
    expect(platform.repositoryName(storefront)).toBe('shop/storefront');
    expect(platform.repositoryUrl(storefront)).toBe('111122223333.dkr.ecr.eu-central-1.amazonaws.com/shop/storefront');
    expect(platform.registryEnvironment()).toBeUndefined();
  });

  test('puts the registry by default in the first environment, whose stack creates it', () => {
    const own = withImage('111111111111.dkr.ecr.eu-central-1.amazonaws.com/shop/storefront:3.12.0', { allowedImageRegistries: ['public.ecr.aws', '111122223333.dkr.ecr.eu-central-1.amazonaws.com', 'docker.io/oliver006/redis_exporter'] });
    expect(own.registry.host).toBe('111111111111.dkr.ecr.eu-central-1.amazonaws.com');
    expect(own.registryEnvironment()?.name).toBe('dev');
  });

  test('fails when an image comes from a registry that is neither the platform\'s nor allowed', () => {
    const err = errorOf(() => withImage('ghcr.io/acme/storefront:3.12.0'));
    expect(err.field).toBe('services.storefront.versions.v1.image');
    expect(err.message).toBe(
      'Platform(shop): services.storefront.versions.v1.image is "ghcr.io/acme/storefront:3.12.0"; allowed: an image of the platform\'s registry ' +
        '111122223333.dkr.ecr.eu-central-1.amazonaws.com or of allowedImageRegistries (public.ecr.aws/docker/library, docker.io/oliver006/redis_exporter); this one comes from ghcr.io',
    );
  });

  test('fails when an image comes from the ECR registry of another account', () => {
    expect(errorOf(() => withImage('333333333333.dkr.ecr.eu-central-1.amazonaws.com/shop/storefront:3.12.0')).message).toContain('this one comes from 333333333333.dkr.ecr.eu-central-1.amazonaws.com');
  });

  test('fails when an image outside an allowed path prefix comes from an allowed host', () => {
    expect(errorOf(() => withImage('public.ecr.aws/someone/storefront:1.0.0')).field).toBe('services.storefront.versions.v1.image');
    expect(() => withImage('public.ecr.aws/docker/library/nginx:1.27.0')).not.toThrow();
  });

  test('fails when an image without a host (Docker Hub) is used and docker.io is not allowed', () => {
    expect(errorOf(() => withImage('nginx:1.27.0')).message).toContain('this one comes from docker.io');
    expect(() => withImage('nginx:1.27.0', { ...imageSources, allowedImageRegistries: ['docker.io', 'public.ecr.aws'] })).not.toThrow();
  });

  test('fails when no registry is declared and the images are elsewhere', () => {
    expect(errorOf(() => new Platform({ name: 'shop', environments, services })).message).toContain("allowed: an image of the platform's registry 111111111111.dkr.ecr.eu-central-1.amazonaws.com (add other registries to allowedImageRegistries)");
  });

  test('fails when the registry is in another partition than the environments', () => {
    const err = errorOf(() => withImage('x.example.com/a:1.0.0', { registry: { accountId: '111122223333', region: 'cn-north-1' } }));
    expect(err.field).toBe('registry.region');
  });

  test('fails when the registry keeps no releases', () => {
    expect(errorOf(() => withImage('x.example.com/a:1.0.0', { registry: { accountId: '111122223333', region: 'eu-central-1', keepReleases: 0 } })).message).toBe(
      'Platform(shop): registry.keepReleases is 0; allowed: a whole number, 1 or more',
    );
  });

  test('fails when an allowed registry is given with a scheme', () => {
    expect(errorOf(() => withImage('x.example.com/a:1.0.0', { ...imageSources, allowedImageRegistries: ['https://ghcr.io'] })).field).toBe('allowedImageRegistries');
  });
});
