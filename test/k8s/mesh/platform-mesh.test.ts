import { Chart, Testing } from 'cdk8s';
import { meshPrincipal, serviceAccountName, serviceHost, WorkloadKind, type ServiceDefinition } from '../../../lib/model';
import { PlatformMesh } from '../../../lib/k8s/mesh/platform-mesh';
import { analyzeIstio, type IstioAnalyzedObject } from '../../../lib/policy/istio-analyze';
import { dataStoreHost, managedStoreRecordName } from '../../../lib/model/data-stores';
import type { Platform } from '../../../lib/model/platform';
import { platform } from '../../../apps/platform';
import { platform as statefulRedisShop } from '../../fixtures/shop';
import { addWorkloadFixtures, type FixtureOptions } from './_fixtures';
import { validateIstioObjects, type Manifest } from './_istio-schemas';

const GATEWAY_PRINCIPAL = 'cluster.local/ns/istio-ingress/sa/istio-ingressgateway';

function synthProd(fixtures: FixtureOptions = {}, of: Platform = platform): Manifest[] {
  const app = Testing.app();
  const chart = new Chart(app, 'prod');
  addWorkloadFixtures(chart, of, fixtures);
  new PlatformMesh(chart, 'Mesh', { platform: of, environment: 'prod' });
  return Testing.synth(chart) as Manifest[];
}

function only(manifests: readonly Manifest[], kind: string, namespace: string, name: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind && m.metadata.namespace === namespace && m.metadata.name === name);
  expect(found).toHaveLength(1);
  return found[0];
}

interface HttpRouteOut {
  name?: string;
  match?: unknown[];
  route: { destination: { host: string; subset?: string; port?: { number: number } }; weight?: number }[];
  mirror?: { host: string; subset?: string };
  timeout?: string;
  retries?: { attempts: number; perTryTimeout: string; retryOn: string };
}

const microservices: ServiceDefinition[] = platform.services.filter((s) => (s.kind ?? WorkloadKind.DEPLOYMENT) === WorkloadKind.DEPLOYMENT);

describe('PlatformMesh on the reference platform (prod)', () => {
  let manifests: Manifest[];
  beforeAll(() => {
    manifests = synthProd();
  });

  test('the reference platform has twelve microservices', () => {
    expect(microservices).toHaveLength(12);
  });

  test.each(microservices.map((s) => [s.name, s] as const))('%s has a DestinationRule with ISTIO_MUTUAL, outlier detection and one subset per version', (_name, service) => {
    const dr = only(manifests, 'DestinationRule', service.namespace, service.name);
    expect(dr.spec).toMatchObject({
      host: serviceHost(service),
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, outlierDetection: { consecutive5xxErrors: 5 }, connectionPool: { tcp: { maxConnections: 1000 } } },
    });
    expect((dr.spec as { subsets: { name: string; labels: Record<string, string> }[] }).subsets).toEqual(
      service.versions.map((v) => v.name).sort().map((name) => ({ name, labels: { version: name } })),
    );
  });

  test.each(microservices.map((s) => [s.name, s] as const))('%s has a VirtualService with a timeout and retries on every route', (_name, service) => {
    const vs = only(manifests, 'VirtualService', service.namespace, service.name);
    const http = (vs.spec as { hosts: string[]; http: HttpRouteOut[] }).http;
    expect((vs.spec as { hosts: string[] }).hosts).toEqual([serviceHost(service)]);
    expect(http.length).toBeGreaterThan(0);
    for (const route of http) {
      expect(route.timeout).toBe('10s');
      expect(route.retries).toEqual({ attempts: 2, perTryTimeout: '2s', retryOn: 'connect-failure,refused-stream,unavailable,cancelled' });
    }
  });

  test.each(platform.services.map((s) => [s.name, s] as const))('%s admits only its declared callers (and the ingress gateway when public)', (_name, service) => {
    const ap = only(manifests, 'AuthorizationPolicy', service.namespace, service.name);
    const spec = ap.spec as { action: string; selector: { matchLabels: Record<string, string> }; rules?: { from: { source: { principals?: string[]; namespaces?: string[] } }[]; to: { operation: { ports: string[] } }[] }[] };
    expect(spec.action).toBe('ALLOW');
    expect(spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': service.name });
    const expected = [
      ...platform.callersOf(service).map((c) => meshPrincipal(c.namespace, serviceAccountName(c))),
      ...(service.public ? [GATEWAY_PRINCIPAL] : []),
    ].sort();
    const admitted = (spec.rules ?? []).flatMap((r) => r.from.flatMap((f) => f.source.principals ?? [])).sort();
    expect(admitted).toEqual(expected);
    // the only other source: the monitoring namespace, on the metrics port only
    const byNamespace = (spec.rules ?? []).filter((r) => r.from.some((f) => f.source.namespaces));
    if (service.metricsPort) {
      const metrics = service.ports.find((p) => p.name === service.metricsPort);
      expect(byNamespace).toEqual([{ from: [{ source: { namespaces: ['monitoring'] } }], to: [{ operation: { ports: [String(metrics?.port)] } }] }]);
    } else {
      expect(byNamespace).toEqual([]);
    }
  });

  test('storefront (called by nobody) admits only the ingress gateway; payment admits checkout and order', () => {
    const principals = (ns: string, name: string) =>
      ((only(manifests, 'AuthorizationPolicy', ns, name).spec as { rules: { from: { source: { principals?: string[] } }[] }[] }).rules)
        .flatMap((r) => r.from.flatMap((f) => f.source.principals ?? []));
    expect(principals('shop', 'storefront')).toEqual([GATEWAY_PRINCIPAL]);
    expect(principals('shop', 'payment')).toEqual(['cluster.local/ns/shop/sa/checkout', 'cluster.local/ns/shop/sa/order']);
    // the shop's Redis is a data store, not a service: no workload of the mesh, no AuthorizationPolicy (the stateful
    // variant's is asserted below, on test/fixtures/shop.ts)
    expect(manifests.filter((m) => m.kind === 'AuthorizationPolicy' && m.metadata.namespace === 'shop-data')).toEqual([]);
  });

  test('a STRICT PeerAuthentication covers every platform namespace', () => {
    for (const ns of platform.namespaces()) {
      expect(only(manifests, 'PeerAuthentication', ns, 'default').spec).toEqual({ mtls: { mode: 'STRICT' } });
    }
    expect(manifests.filter((m) => m.kind === 'PeerAuthentication')).toHaveLength(platform.namespaces().length);
  });

  test('a Gateway serves the public hosts over TLS and redirects HTTP', () => {
    const gw = only(manifests, 'Gateway', 'istio-ingress', 'public-gateway');
    expect(gw.spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [
        { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['checkout.example.com', 'shop.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shop-prod-public-tls', minProtocolVersion: 'TLSV1_2' } },
        { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['checkout.example.com', 'shop.example.com'], tls: { httpsRedirect: true } },
      ],
    });
  });

  test('storefront and checkout, and only they, are bound to the gateway with their public hosts', () => {
    const bound = manifests.filter((m) => m.kind === 'VirtualService' && (m.spec as { gateways?: string[] }).gateways);
    expect(bound.map((m) => `${m.metadata.namespace}/${m.metadata.name}`).sort()).toEqual(['shop/checkout-public', 'shop/storefront-public']);
    expect(only(manifests, 'VirtualService', 'shop', 'storefront-public').spec).toMatchObject({ hosts: ['shop.example.com'], gateways: ['istio-ingress/public-gateway'] });
    expect(only(manifests, 'VirtualService', 'shop', 'checkout-public').spec).toMatchObject({ hosts: ['checkout.example.com'], gateways: ['istio-ingress/public-gateway'] });
  });

  test('catalog ships as a 90/10 canary with a tester route first', () => {
    const http = (only(manifests, 'VirtualService', 'shop', 'catalog').spec as { http: HttpRouteOut[] }).http;
    expect(http[0]).toMatchObject({ name: 'tester', match: [{ headers: { 'x-shop-tester': { exact: 'canary' } } }], route: [{ destination: { subset: 'v2' } }] });
    expect(http[1].route.map((r) => [r.destination.subset, r.weight])).toEqual([['v1', 90], ['v2', 10]]);
  });

  test('payment ships as a blue-green pair: all traffic on blue, green for testers only', () => {
    const http = (only(manifests, 'VirtualService', 'shop', 'payment').spec as { http: HttpRouteOut[] }).http;
    expect(http[0]).toMatchObject({ name: 'tester', match: [{ headers: { 'x-shop-tester': { exact: 'green' } } }], route: [{ destination: { subset: 'green' } }] });
    expect(http[1].route).toEqual([{ destination: { host: 'payment.shop.svc.cluster.local', subset: 'blue' }, weight: 100 }]);
  });

  test('every subset any route names exists in a DestinationRule of its host', () => {
    const subsets = new Set(manifests.filter((m) => m.kind === 'DestinationRule').flatMap((m) => {
      const spec = m.spec as { host: string; subsets: { name: string }[] };
      return spec.subsets.map((s) => `${spec.host}+${s.name}`);
    }));
    const named = manifests.filter((m) => m.kind === 'VirtualService').flatMap((m) => {
      const spec = m.spec as { http?: HttpRouteOut[]; tcp?: { route: HttpRouteOut['route'] }[] };
      return [
        ...(spec.http ?? []).flatMap((r) => [...r.route.map((d) => d.destination), ...(r.mirror ? [r.mirror] : [])]),
        ...(spec.tcp ?? []).flatMap((r) => r.route.map((d) => d.destination)),
      ];
    });
    expect(named.length).toBeGreaterThanOrEqual(platform.services.length + 2);
    for (const d of named) {
      expect(subsets).toContain(`${d.host}+${d.subset}`);
    }
  });

  test('each Sidecar limits egress to the callees, declared external hosts, the AWS endpoints its permissions need and istio-system, REGISTRY_ONLY', () => {
    for (const service of platform.services) {
      const sc = only(manifests, 'Sidecar', service.namespace, service.name);
      const expected = [
        ...platform.calleesOf(service).map((c) => `${c.namespace}/${serviceHost(c)}`),
        ...platform.dataStoresCalledBy(service).map((d) => `${d.namespace}/${dataStoreHost(d)}`),
        // managed in prod: the store's ServiceEntry host, its record in the private zone
        ...platform.dataStoresCalledBy(service).map((d) => `${d.namespace}/${managedStoreRecordName(platform.name, 'prod', d)}`),
        ...platform.externalEndpointsOf(platform.environment('prod'), service).map((e) => `${service.namespace}/${e.host}`),
        'istio-system/*',
      ].sort();
      expect(sc.spec).toEqual({
        workloadSelector: { labels: { 'app.kubernetes.io/name': service.name } },
        egress: [{ hosts: expected }],
        outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
      });
    }
    // cart reaches the Redis data store by its Service's host (the ServiceEntry of the managed store in prod)
    expect((only(manifests, 'Sidecar', 'shop', 'cart').spec as { egress: { hosts: string[] }[] }).egress[0].hosts).toEqual([
      'istio-system/*', 'shop-data/redis.shop-data.prod.shop.data.internal', 'shop-data/redis.shop-data.svc.cluster.local', 'shop/catalog.shop.svc.cluster.local', 'shop/inventory.shop.svc.cluster.local',
    ]);
  });

  test('declared external hosts get a ServiceEntry (MESH_EXTERNAL, TLS 443)', () => {
    const se = only(manifests, 'ServiceEntry', 'shop', 'payment-api-stripe-com');
    expect(se.spec).toEqual({ hosts: ['api.stripe.com'], location: 'MESH_EXTERNAL', resolution: 'DNS', exportTo: ['.'], ports: [{ number: 443, name: 'tls-443', protocol: 'TLS' }] });
    // and the AWS endpoints of the services with AWS permissions (STS, SES's API, S3)
    expect(manifests.filter((m) => m.kind === 'ServiceEntry').map((m) => m.metadata.name).sort()).toEqual([
      'notification-email-eu-central-1-amazonaws-com', 'notification-sts-eu-central-1-amazonaws-com',
      'payment-api-stripe-com', 'recommendation-any-s3-eu-central-1-amazonaws-com', 'recommendation-s3-eu-central-1-amazonaws-com',
      'recommendation-sts-eu-central-1-amazonaws-com', 'search-search-shop-eu-central-1-es-amazonaws-com', 'shipping-api-carrier-example-net',
    ]);
  });

  test('the istioctl-style analysis finds nothing in the whole chart', () => {
    expect(analyzeIstio(manifests as unknown as IstioAnalyzedObject[])).toEqual([]);
  });

  test('every Istio object validates against the Istio schemas', async () => {
    const { checked, errors } = await validateIstioObjects(manifests);
    expect(errors).toEqual([]);
    // 1 gateway + 2 namespaces + 12 services x (DR, VS, AP, Sidecar) + 2 public VS + 3 declared and 5 AWS ServiceEntries
    // (the Redis data store's ServiceEntry and DestinationRule come from the data stores, not from PlatformMesh)
    expect(checked).toBe(1 + 2 + 12 * 4 + 2 + 3 + 5);
  });

  test('synth is deterministic', () => {
    expect(JSON.stringify(synthProd())).toBe(JSON.stringify(manifests));
  });

  test('fails when a subset selects no pods (IST0173), at synth', () => {
    expect(() => synthProd({ skipVersions: ['catalog/v2'] })).toThrow(/\[IST0173\] \(DestinationRule catalog\.shop\) The Subset v2 defined in the DestinationRule does not select any pods/);
  });

  test('fails when a workload runs as UID 1337 (IST0144), at synth', () => {
    expect(() => synthProd({ runAsUser: 1337 })).toThrow(/\[IST0144\] \(Deployment catalog-v1\.shop\) User ID \(UID\) 1337 is reserved for the sidecar proxy/);
  });

  test('fails when a Service port is not named by protocol (IST0118), at synth', () => {
    expect(() => synthProd({ portNameOf: (_s, p) => `${p.name}-${p.protocol}` })).toThrow(/\[IST0118\] \(Service catalog\.shop\) Port name web-http/);
  });

  test('fails when the environment does not exist', () => {
    const chart = Testing.chart();
    expect(() => new PlatformMesh(chart, 'Mesh', { platform, environment: 'qa' })).toThrow(/Mesh: environment is "qa"; allowed: one of dev, staging, prod/);
  });
});

describe('PlatformMesh on the shop with its stateful Redis (test/fixtures/shop.ts, prod)', () => {
  test('the stateful Redis admits only its caller, cart, and cart\'s Sidecar lets it reach the Redis Service', () => {
    const manifests = synthProd({}, statefulRedisShop);
    const ap = only(manifests, 'AuthorizationPolicy', 'shop-data', 'redis').spec as { rules: { from: { source: { principals?: string[] } }[] }[] };
    expect(ap.rules.flatMap((r) => r.from.flatMap((f) => f.source.principals ?? []))).toEqual(['cluster.local/ns/shop/sa/cart']);
    expect((only(manifests, 'Sidecar', 'shop', 'cart').spec as { egress: { hosts: string[] }[] }).egress[0].hosts).toContain('shop-data/redis.shop-data.svc.cluster.local');
  });
});
