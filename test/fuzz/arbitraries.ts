/**
 * Random valid platforms for the property-based tests (fast-check): 1 or 2 environments and 1 to 4 services drawn
 * from pools the model accepts (names, regions, CIDRs, ports, calls between services, a public host, secrets, AWS
 * permissions, an optional PostgreSQL store placed per environment), and the single-field mutations of a valid
 * platform: a field path of it and a bad value for that field's type.
 */
import fc from 'fast-check';
import { DataStoreEngine, DataStorePlacement, type DataStoreDefinition } from '../../lib/model/data-stores';
import type { EnvironmentConfig } from '../../lib/model/environment';
import type { PlatformProps } from '../../lib/model/platform';
import { PortProtocol, Release, WorkloadKind, type ServiceDefinition } from '../../lib/model/service';
import { OBSERVABILITY } from '../k8s/observability/_fixtures';

const ACCOUNT = '123456789012';
const REGISTRY = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/fz`;
const SERVICE_NAMES = ['api', 'web', 'orders', 'billing', 'search', 'auth'];
const NAMESPACES = ['team-a', 'team-b'];

function environment(name: string, region: string, cidr: string, placement: DataStorePlacement): EnvironmentConfig {
  return {
    name,
    accountId: ACCOUNT,
    region,
    availabilityZones: [`${region}a`, `${region}b`, `${region}c`],
    vpcCidr: cidr,
    kubernetesVersion: '1.35',
    nodeGroups: [{ name: 'general', instanceTypes: ['m6i.xlarge'], minSize: 3, maxSize: 9, desiredSize: 3 }],
    backup: { retentionDays: 35 },
    dataStores: { placement },
    kubernetes: {
      minReplicas: 2,
      maxReplicas: 4,
      namespaceQuota: { requestsCpuMillis: 64000, requestsMemoryMiB: 131072, limitsCpuMillis: 192000, limitsMemoryMiB: 262144, requestsEphemeralStorageMiB: 131072, pods: 200 },
    },
  };
}

const serviceArb = (name: string, namespace: string, others: readonly string[], first: boolean) => fc.record({
  protocol: fc.constantFrom(PortProtocol.HTTP, PortProtocol.GRPC, PortProtocol.HTTP2),
  port: fc.constantFrom(8080, 9090, 3000),
  calls: fc.subarray([...others]),
  secret: fc.boolean(),
  aws: fc.boolean(),
  critical: fc.boolean(),
  exposed: fc.boolean(),
  release: fc.constantFrom('single', 'canary', 'blue-green'),
}).map((r): ServiceDefinition => ({
  name,
  namespace,
  partOf: 'fz',
  ...(r.release === 'single'
    ? { versions: [{ name: 'v1', image: `${REGISTRY}/${name}:1.0.0` }] }
    : r.release === 'canary'
      ? { versions: [{ name: 'v1', image: `${REGISTRY}/${name}:1.0.0` }, { name: 'v2', image: `${REGISTRY}/${name}:1.1.0` }], release: Release.canary({ v1: 90, v2: 10 }) }
      : { versions: [{ name: 'blue', image: `${REGISTRY}/${name}:1.0.0` }, { name: 'green', image: `${REGISTRY}/${name}:1.1.0` }], release: Release.blueGreen('blue', 'green', 'blue') }),
  ports: [{ name: 'web', port: r.port, protocol: r.protocol }],
  calls: r.calls,
  ...(r.critical ? { critical: true } : {}),
  ...(first && r.exposed ? { public: { hosts: [`${name}.example.com`] } } : {}),
  ...(r.secret ? { secrets: [{ name: 'token', env: { API_TOKEN: 'token' }, description: 'an API token' }] } : {}),
  ...(r.aws ? { awsPermissions: [{ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::fz-${name}/*`] }] } : {}),
}));

/** A random valid platform (its props: plain data, so that a mutation can change one field). */
export const validPlatformArb: fc.Arbitrary<PlatformProps> = fc.record({
  names: fc.shuffledSubarray(SERVICE_NAMES, { minLength: 1, maxLength: 4 }),
  namespaces: fc.array(fc.constantFrom(...NAMESPACES), { minLength: 4, maxLength: 4 }),
  twoEnvironments: fc.boolean(),
  store: fc.boolean(),
  placement: fc.constantFrom(DataStorePlacement.IN_CLUSTER, DataStorePlacement.MANAGED),
  observed: fc.boolean(),
  stateful: fc.boolean(),
}).chain((shape) => {
  const keys = shape.names.map((n, i) => `${shape.namespaces[i]}/${n}`);
  const storeKey = 'fz-data/db';
  return fc.tuple(...shape.names.map((n, i) => serviceArb(n, shape.namespaces[i], [...keys.filter((k) => k !== keys[i]), ...(shape.store ? [storeKey] : [])], i === 0))).map((services): PlatformProps => {
    const dataStores: DataStoreDefinition[] = shape.store ? [{ name: 'db', namespace: 'fz-data', engine: DataStoreEngine.POSTGRESQL, version: '17', storageGiB: 20, database: 'fz' }] : [];
    const environments = [environment('dev', 'eu-west-1', '10.80.0.0/16', shape.placement)];
    if (shape.twoEnvironments) {
      environments.push(environment('prod', 'eu-central-1', '10.81.0.0/16', shape.placement === DataStorePlacement.MANAGED ? DataStorePlacement.IN_CLUSTER : DataStorePlacement.MANAGED));
    }
    // a stateful service of its own (a volume per pod, no autoscaler), called by the first service
    const cache: ServiceDefinition[] = shape.stateful ? [{
      name: 'cache', namespace: 'fz-state', partOf: 'fz', kind: WorkloadKind.STATEFUL, replicas: 3,
      versions: [{ name: 'v7', image: `${REGISTRY}/cache:7.4.1` }],
      ports: [{ name: 'main', port: 6379, protocol: PortProtocol.TCP }],
      storage: { sizeGiB: 10, mountPath: '/data' }, probes: { port: 'main' },
    }] : [];
    const all = shape.stateful ? [{ ...services[0], calls: [...(services[0].calls ?? []), 'fz-state/cache'] }, ...services.slice(1), ...cache] : services;
    return { name: 'fz', environments, services: all, dataStores, registry: { accountId: ACCOUNT, region: 'eu-west-1' }, ...(shape.observed ? { observability: OBSERVABILITY } : {}) };
  });
});

/** A leaf of the props: its path (`services[1].ports[0].port`) and its value. */
export interface Leaf {
  readonly path: readonly (string | number)[];
  readonly value: unknown;
}

/** Every leaf (string, number, boolean) and every array of the props. */
export function leavesOf(value: unknown, path: (string | number)[] = []): Leaf[] {
  if (Array.isArray(value)) {
    return [{ path, value }, ...value.flatMap((v, i) => leavesOf(v, [...path, i]))];
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => leavesOf(v, [...path, k]));
  }
  return [{ path, value }];
}

/** The field path as text, `services[1].ports[0].port`. */
export function pathText(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Bad values for a leaf of the given current value. */
export function badValuesFor(value: unknown): fc.Arbitrary<unknown> {
  if (typeof value === 'string') {
    return fc.constantFrom('', ' ', 'UPPER', 'with space', 'ü-nicode', 'a'.repeat(300), '-lead', 'trail-', '*', '..', '/', '0.0.0.0/0', 'x\ny', 'a_b', '${x}');
  }
  if (typeof value === 'number') {
    return fc.constantFrom(0, -1, 1.5, 1e9, Number.NaN, Number.POSITIVE_INFINITY, 65536);
  }
  if (typeof value === 'boolean') {
    return fc.constantFrom('true' as unknown, 1 as unknown);
  }
  if (Array.isArray(value)) {
    return fc.constantFrom([] as unknown[], 'not-a-list' as unknown, value.length > 0 ? [...value, value[0]] : [null]);
  }
  return fc.constant(undefined);
}

/** A copy of `props` with the value at `path` replaced. */
export function mutate<T>(props: T, path: readonly (string | number)[], bad: unknown): T {
  const copy = structuredClone(props) as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const p of path.slice(0, -1)) {
    at = at[p] as Record<string | number, unknown>;
  }
  at[path[path.length - 1]] = bad;
  return copy as T;
}
