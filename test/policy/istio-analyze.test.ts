import { analyzeIstio, assertIstioClean, formatFinding, IstioAnalysisError, type IstioAnalyzedObject } from '../../lib/policy/istio-analyze';

/** A small, clean world: a reviews Service with pods v1 and v2, its DestinationRule, an in-mesh and a gateway VirtualService. */
function world(): IstioAnalyzedObject[] {
  return [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace: 'shop' }, spec: { selector: { app: 'reviews' }, ports: [{ name: 'http-web', port: 8080 }, { name: 'metrics', port: 9100, appProtocol: 'http' }] } },
    ...['v1', 'v2'].map((v): IstioAnalyzedObject => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `reviews-${v}`, namespace: 'shop' },
      spec: { template: { metadata: { labels: { app: 'reviews', version: v } }, spec: { securityContext: { runAsUser: 10001 }, containers: [{ name: 'app' }] } } },
    })),
    { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'reviews', namespace: 'shop' }, spec: { host: 'reviews.shop.svc.cluster.local', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] } },
    {
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'reviews', namespace: 'shop' },
      spec: { hosts: ['reviews.shop.svc.cluster.local'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 90 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 10 }] }] },
    },
    { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'public', namespace: 'istio-ingress' }, spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['shop.example.com', '*.example.org'] }] } },
    {
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'reviews-public', namespace: 'shop' },
      spec: { hosts: ['shop.example.com', 'www.example.org'], gateways: ['istio-ingress/public'], http: [{ route: [{ destination: { host: 'reviews.shop.svc.cluster.local', subset: 'v1', port: { number: 8080 } } }] }] },
    },
  ];
}

/** `world()` with the object `kind/name` replaced by `replace(obj)`. */
function changed(kind: string, name: string, replace: (o: IstioAnalyzedObject) => IstioAnalyzedObject | undefined): IstioAnalyzedObject[] {
  return world().flatMap((o) => (o.kind === kind && o.metadata?.name === name ? [replace(o)].filter((x): x is IstioAnalyzedObject => x !== undefined) : [o]));
}

function codes(objects: IstioAnalyzedObject[]): string[] {
  return analyzeIstio(objects).map((f) => f.code);
}

describe('analyzeIstio', () => {
  test('finds nothing in a clean world', () => {
    expect(analyzeIstio(world())).toEqual([]);
  });

  test('fails when a route names a subset that no DestinationRule defines (IST0101)', () => {
    const objects = changed('VirtualService', 'reviews', (o) => ({ ...o, spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v3' } }] }] } }));
    const findings = analyzeIstio(objects);
    expect(findings).toEqual([{
      code: 'IST0101', name: 'ReferencedResourceNotFound', level: 'Error', resource: 'VirtualService reviews.shop',
      message: 'Referenced host+subset in destinationrule not found: "reviews.shop.svc.cluster.local+v3"',
    }]);
    expect(formatFinding(findings[0])).toBe('Error [IST0101] (VirtualService reviews.shop) Referenced host+subset in destinationrule not found: "reviews.shop.svc.cluster.local+v3"');
  });

  test('fails when a mirror names a subset that no DestinationRule defines (IST0101)', () => {
    const objects = changed('VirtualService', 'reviews', (o) => ({ ...o, spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }], mirror: { host: 'reviews', subset: 'shadow' } }] } }));
    expect(codes(objects)).toEqual(['IST0101']);
  });

  test('fails when a VirtualService names a Gateway that does not exist (IST0101)', () => {
    const objects = changed('Gateway', 'public', () => undefined);
    expect(analyzeIstio(objects).map(formatFinding)).toEqual(['Error [IST0101] (VirtualService reviews-public.shop) Referenced gateway not found: "istio-ingress/public"']);
  });

  test('fails when a Service port is not named by protocol (IST0118)', () => {
    const objects = changed('Service', 'reviews', (o) => ({ ...o, spec: { selector: { app: 'reviews' }, ports: [{ name: 'web-http', port: 8080, targetPort: 8080 }] } }));
    expect(analyzeIstio(objects).map(formatFinding)).toEqual(["Info [IST0118] (Service reviews.shop) Port name web-http (port: 8080, targetPort: 8080) doesn't follow the naming convention of Istio port."]);
  });

  test('accepts ports named <protocol>[-<suffix>] or with an appProtocol', () => {
    const objects = changed('Service', 'reviews', (o) => ({ ...o, spec: { selector: { app: 'reviews' }, ports: [{ name: 'grpc-api', port: 1 }, { name: 'tcp', port: 2 }, { name: 'redis-main', port: 3 }, { name: 'x', port: 4, appProtocol: 'http' }] } }));
    expect(codes(objects)).toEqual([]);
  });

  test('fails when a subset selects no pods (IST0173)', () => {
    const objects = changed('Deployment', 'reviews-v2', () => undefined);
    expect(analyzeIstio(objects).map(formatFinding)).toEqual(['Error [IST0173] (DestinationRule reviews.shop) The Subset v2 defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).']);
  });

  test('fails when the only pods with the subset labels belong to another service (IST0173)', () => {
    const objects = changed('Deployment', 'reviews-v2', (o) => ({ ...o, spec: { template: { metadata: { labels: { app: 'ratings', version: 'v2' } }, spec: { containers: [{ name: 'app' }] } } } }));
    expect(codes(objects)).toEqual(['IST0173']);
  });

  test('fails when a VirtualService host is not served by its Gateway (IST0132)', () => {
    const objects = changed('VirtualService', 'reviews-public', (o) => ({ ...o, spec: { ...(o.spec as object), hosts: ['shop.example.com', 'wrong.com'] } }));
    expect(analyzeIstio(objects).map(formatFinding)).toEqual(['Warning [IST0132] (VirtualService reviews-public.shop) one or more host [wrong.com] defined in VirtualService shop/reviews-public not found in Gateway istio-ingress/public.']);
  });

  test('fails when a workload runs as UID 1337, in the pod securityContext (IST0144)', () => {
    const objects = changed('Deployment', 'reviews-v1', (o) => ({ ...o, spec: { template: { metadata: { labels: { app: 'reviews', version: 'v1' } }, spec: { securityContext: { runAsUser: 1337 }, containers: [{ name: 'app' }] } } } }));
    expect(analyzeIstio(objects).map(formatFinding)).toEqual(['Warning [IST0144] (Deployment reviews-v1.shop) User ID (UID) 1337 is reserved for the sidecar proxy (containers: app).']);
  });

  test('fails when a container runs as UID 1337 (IST0144)', () => {
    const objects = changed('Deployment', 'reviews-v1', (o) => ({ ...o, spec: { template: { metadata: { labels: { app: 'reviews', version: 'v1' } }, spec: { containers: [{ name: 'app', securityContext: { runAsUser: 1337 } }] } } } }));
    expect(codes(objects)).toEqual(['IST0144']);
  });

  test('fails when canary weights do not sum to 100 (EPC0001)', () => {
    const objects = changed('VirtualService', 'reviews', (o) => ({ ...o, spec: { hosts: ['reviews'], http: [{ name: 'default', route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 80 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 10 }] }] } }));
    expect(analyzeIstio(objects).map(formatFinding)).toEqual(['Error [EPC0001] (VirtualService reviews.shop) Route http[default] has weights [80, 10] summing to 90; each must be an integer 0..100 and they must sum to 100.']);
  });

  test('fails when a canary weight is outside 0..100 (EPC0001)', () => {
    const objects = changed('VirtualService', 'reviews', (o) => ({ ...o, spec: { hosts: ['reviews'], tcp: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 120 }, { destination: { host: 'reviews', subset: 'v2' }, weight: -20 }] }] } }));
    expect(codes(objects)).toEqual(['EPC0001']);
  });

  test('assertIstioClean throws a ValidationError-style error listing every finding', () => {
    const objects = changed('Deployment', 'reviews-v2', () => undefined);
    expect(() => assertIstioClean('Gate/prod', objects)).toThrow(IstioAnalysisError);
    expect(() => assertIstioClean('Gate/prod', objects)).toThrow(/^Gate\/prod: istio analysis is \["Error \[IST0173\] \(DestinationRule reviews\.shop\) The Subset v2/);
    expect(() => assertIstioClean('Gate/prod', world())).not.toThrow();
  });
});
