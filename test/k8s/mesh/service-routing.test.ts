import { Duration, Testing } from 'cdk8s';
import { PortProtocol, Release, type ServiceDefinition } from '../../../lib/model';
import { ServiceRouting } from '../../../lib/k8s/mesh/service-routing';
import { validateIstioObjects, type Manifest } from './_istio-schemas';

const IMAGE = '111122223333.dkr.ecr.eu-central-1.amazonaws.com/shop/catalog';
const catalog: ServiceDefinition = {
  name: 'catalog',
  namespace: 'shop',
  partOf: 'shop',
  versions: [
    { name: 'v1', image: `${IMAGE}:2.8.1` },
    { name: 'v2', image: `${IMAGE}:2.9.0` },
  ],
  release: Release.canary({ v1: 90, v2: 10 }, { testerRoute: { header: 'x-shop-tester', value: 'canary', version: 'v2' }, mirrorTo: { version: 'v2', percent: 5 } }),
  ports: [
    { name: 'web', port: 8080, protocol: PortProtocol.HTTP },
    { name: 'metrics', port: 9100, protocol: PortProtocol.HTTP },
  ],
  metricsPort: 'metrics',
  public: { hosts: ['shop.example.com'] },
};

function synth(service: ServiceDefinition, props: Partial<ConstructorParameters<typeof ServiceRouting>[2]> = {}): Manifest[] {
  const chart = Testing.chart();
  new ServiceRouting(chart, 'Routing', { service, gateway: 'istio-ingress/public', ...props });
  return Testing.synth(chart) as Manifest[];
}

function find(manifests: readonly Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) {
    throw new Error(`no ${kind} ${name} in ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
  }
  return found;
}

describe('ServiceRouting', () => {
  let manifests: Manifest[];
  beforeAll(() => {
    manifests = synth(catalog);
  });

  test('emits a DestinationRule with ISTIO_MUTUAL, pool limits, outlier detection and one subset per version', () => {
    const dr = find(manifests, 'DestinationRule', 'catalog');
    expect(dr.metadata.namespace).toBe('shop');
    expect(dr.spec).toMatchObject({
      host: 'catalog.shop.svc.cluster.local',
      trafficPolicy: {
        tls: { mode: 'ISTIO_MUTUAL' },
        connectionPool: { tcp: { maxConnections: 1000, connectTimeout: '2s' }, http: { http1MaxPendingRequests: 1024, http2MaxRequests: 1024 } },
        outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
      },
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' } },
      ],
    });
  });

  test('routes testers first, then the canary weights with a mirror, with timeouts and retries', () => {
    const vs = find(manifests, 'VirtualService', 'catalog');
    expect(vs.spec).toEqual({
      hosts: ['catalog.shop.svc.cluster.local'],
      http: [
        {
          name: 'tester',
          match: [{ headers: { 'x-shop-tester': { exact: 'canary' } } }],
          route: [{ destination: { host: 'catalog.shop.svc.cluster.local', subset: 'v2' }, weight: 100 }],
          timeout: '10s',
          retries: { attempts: 2, perTryTimeout: '2s', retryOn: 'connect-failure,refused-stream,unavailable,cancelled' },
        },
        {
          name: 'default',
          route: [
            { destination: { host: 'catalog.shop.svc.cluster.local', subset: 'v1' }, weight: 90 },
            { destination: { host: 'catalog.shop.svc.cluster.local', subset: 'v2' }, weight: 10 },
          ],
          mirror: { host: 'catalog.shop.svc.cluster.local', subset: 'v2' },
          mirrorPercentage: { value: 5 },
          timeout: '10s',
          retries: { attempts: 2, perTryTimeout: '2s', retryOn: 'connect-failure,refused-stream,unavailable,cancelled' },
        },
      ],
    });
  });

  test('binds the public hosts to the gateway, on the service port (not the metrics port)', () => {
    const vs = find(manifests, 'VirtualService', 'catalog-public');
    expect(vs.spec).toMatchObject({ hosts: ['shop.example.com'], gateways: ['istio-ingress/public'] });
    const http = (vs.spec as { http: { match: unknown; route: { destination: unknown }[] }[] }).http;
    expect(http[1].match).toEqual([{ uri: { prefix: '/' } }]);
    expect(http[1].route[0].destination).toEqual({ host: 'catalog.shop.svc.cluster.local', subset: 'v1', port: { number: 8080 } });
  });

  test('lets a service override the defaults', () => {
    const out = synth(catalog, { traffic: { timeout: Duration.seconds(30), retries: { attempts: 0 }, outlierDetection: { consecutive5xxErrors: 3 } } });
    const vs = find(out, 'VirtualService', 'catalog');
    expect((vs.spec as { http: { timeout: string; retries: unknown }[] }).http[1]).toMatchObject({ timeout: '30s', retries: { attempts: 0, perTryTimeout: '2s' } });
    expect(find(out, 'DestinationRule', 'catalog').spec).toMatchObject({ trafficPolicy: { outlierDetection: { consecutive5xxErrors: 3, interval: '10s' } } });
  });

  test('sends all traffic of a blue-green pair to the active version; the idle one only gets testers', () => {
    const payment: ServiceDefinition = {
      ...catalog,
      name: 'payment',
      public: undefined,
      versions: [
        { name: 'blue', image: `${IMAGE}:2.3.0` },
        { name: 'green', image: `${IMAGE}:2.4.0` },
      ],
      release: Release.blueGreen('blue', 'green', 'green', { testerRoute: { header: 'x-shop-tester', value: 'blue', version: 'blue' } }),
    };
    const http = (find(synth(payment), 'VirtualService', 'payment').spec as { http: { name: string; route: { destination: { subset: string }; weight: number }[] }[] }).http;
    expect(http.map((r) => r.name)).toEqual(['tester', 'default']);
    expect(http[0].route.map((r) => r.destination.subset)).toEqual(['blue']);
    expect(http[1].route).toEqual([{ destination: { host: 'payment.shop.svc.cluster.local', subset: 'green' }, weight: 100 }]);
  });

  test('routes a Redis (TCP) service with a tcp route', () => {
    const redis: ServiceDefinition = {
      name: 'redis', namespace: 'shop-data', partOf: 'shop',
      versions: [{ name: 'v7', image: 'public.ecr.aws/docker/library/redis:7.4.1' }],
      ports: [{ name: 'main', port: 6379, protocol: PortProtocol.REDIS }],
    };
    const vs = find(synth(redis), 'VirtualService', 'redis');
    expect(vs.spec).toEqual({ hosts: ['redis.shop-data.svc.cluster.local'], tcp: [{ route: [{ destination: { host: 'redis.shop-data.svc.cluster.local', subset: 'v7' }, weight: 100 }] }] });
  });

  test('every object validates against the Istio schemas', async () => {
    const { checked, errors } = await validateIstioObjects(manifests);
    expect(errors).toEqual([]);
    expect(checked).toBe(3);
  });

  test('fails when canary weights do not sum to 100', () => {
    expect(() => synth({ ...catalog, release: Release.canary({ v1: 80, v2: 10 }) })).toThrow(/Routing: release.weights is \{"v1":80,"v2":10\}; allowed: weights summing to 100 \(they sum to 90\)/);
  });

  test('fails when a canary weight is outside 0..100', () => {
    expect(() => synth({ ...catalog, release: Release.canary({ v1: 120, v2: -20 }) })).toThrow(/release.weights.v1 is 120; allowed: an integer from 0 to 100/);
  });

  test('fails when the tester route names a version that does not run', () => {
    expect(() => synth({ ...catalog, release: Release.canary({ v1: 90, v2: 10 }, { testerRoute: { header: 'x-t', value: 'y', version: 'v3' } }) })).toThrow(/testerRoute.version is "v3"/);
  });

  test('fails when the per-try timeout exceeds the timeout', () => {
    expect(() => synth(catalog, { traffic: { timeout: Duration.seconds(1) } })).toThrow(/retries.perTryTimeout is "2s"; allowed: at most the timeout \(1s\)/);
  });
});

describe('ServiceRouting of a TCP data store', () => {
  const redis: ServiceDefinition = { ...catalog, name: 'redis', versions: [{ name: 'v7', image: 'public.ecr.aws/docker/library/redis:7.4.1' }], ports: [{ name: 'redis', port: 6379, protocol: PortProtocol.REDIS }], release: undefined, metricsPort: undefined, public: undefined };

  test('gets TCP traffic settings only: no HTTP pool, ejection on connection failures rather than HTTP 5xx', async () => {
    const out = synth(redis);
    const policy = find(out, 'DestinationRule', 'redis').spec as { trafficPolicy: { connectionPool: Record<string, unknown>; outlierDetection: Record<string, unknown> } };
    expect(Object.keys(policy.trafficPolicy.connectionPool)).toEqual(['tcp']);
    expect(policy.trafficPolicy.outlierDetection.consecutiveGatewayErrors).toBeGreaterThan(0);
    expect(policy.trafficPolicy.outlierDetection.consecutive5xxErrors).toBeUndefined();
    expect((await validateIstioObjects(out)).errors).toEqual([]);
    // an HTTP service keeps its HTTP pool and 5xx ejection
    const http = find(synth(catalog), 'DestinationRule', 'catalog').spec as typeof policy;
    expect(Object.keys(http.trafficPolicy.connectionPool).sort()).toEqual(['http', 'tcp']);
    expect(http.trafficPolicy.outlierDetection.consecutive5xxErrors).toBeGreaterThan(0);
  });
});

test('a TCP data store with a metrics exporter keeps TCP traffic settings (its metrics port is scraped on the pod)', () => {
  const redis: ServiceDefinition = {
    ...catalog, name: 'redis', release: undefined, public: undefined,
    versions: [{ name: 'v7', image: 'public.ecr.aws/docker/library/redis:7.4.1' }],
    ports: [{ name: 'redis', port: 6379, protocol: PortProtocol.REDIS }, { name: 'metrics', port: 9121, protocol: PortProtocol.HTTP }],
    metricsPort: 'metrics',
  };
  const policy = find(synth(redis), 'DestinationRule', 'redis').spec as { trafficPolicy: { connectionPool: Record<string, unknown> } };
  expect(Object.keys(policy.trafficPolicy.connectionPool)).toEqual(['tcp']);
});
