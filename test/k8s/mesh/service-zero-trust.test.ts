import { Testing } from 'cdk8s';
import { Platform, PortProtocol, type ServiceDefinition } from '../../../lib/model';
import { ServiceZeroTrust, serviceEntryName } from '../../../lib/k8s/mesh/service-zero-trust';
import { plainEnvironments as environments } from '../../fixtures/environments';
import type { Manifest } from './_istio-schemas';

const IMAGE = 'registry.example.com/shop';
const svc = (name: string, rest: Partial<ServiceDefinition> = {}): ServiceDefinition => ({
  name, namespace: 'shop', partOf: 'shop',
  versions: [{ name: 'v1', image: `${IMAGE}/${name}:1.0.0` }],
  ports: [{ name: 'web', port: 8080, protocol: PortProtocol.HTTP, targetPort: 8081 }, { name: 'metrics', port: 9100, protocol: PortProtocol.HTTP }],
  metricsPort: 'metrics',
  ...rest,
});
const small = new Platform({ allowedImageRegistries: ['registry.example.com'],
  name: 'tiny',
  environments,
  services: [svc('front', { calls: ['api'], public: { hosts: ['tiny.example.com'] } }), svc('api', { calls: ['back/db'], externalEndpoints: [{ host: 'api.stripe.com', port: 443 }] }), svc('lonely'), { ...svc('db'), namespace: 'back', metricsPort: undefined, ports: [{ name: 'main', port: 5432, protocol: PortProtocol.TCP }] }],
});

function synth(name: string, props: Partial<ConstructorParameters<typeof ServiceZeroTrust>[2]> = {}): Manifest[] {
  const chart = Testing.chart();
  new ServiceZeroTrust(chart, 'ZeroTrust', { platform: small, service: small.service(name, name === 'db' ? 'back' : 'shop'), ...props });
  return Testing.synth(chart) as Manifest[];
}
const kind = (ms: Manifest[], k: string) => ms.filter((m) => m.kind === k);

describe('ServiceZeroTrust', () => {
  test('admits callers on the pod (target) port and the monitoring namespace on the metrics port only', () => {
    const [ap] = kind(synth('api'), 'AuthorizationPolicy');
    expect(ap.spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'api' } },
      action: 'ALLOW',
      rules: [
        { from: [{ source: { principals: ['cluster.local/ns/shop/sa/front'] } }], to: [{ operation: { ports: ['8081'] } }] },
        { from: [{ source: { namespaces: ['monitoring'] } }], to: [{ operation: { ports: ['9100'] } }] },
      ],
    });
  });

  test('admits the ingress gateway into a public service', () => {
    const [ap] = kind(synth('front', { allowMetricsScrape: false }), 'AuthorizationPolicy');
    expect(ap.spec).toMatchObject({ rules: [{ from: [{ source: { principals: ['cluster.local/ns/istio-ingress/sa/istio-ingressgateway'] } }] }] });
    expect((ap.spec as { rules: unknown[] }).rules).toHaveLength(1);
  });

  test('a service nobody calls gets an ALLOW policy without caller rules (closed but for metrics)', () => {
    const [ap] = kind(synth('lonely', { monitoringNamespace: 'observability' }), 'AuthorizationPolicy');
    expect((ap.spec as { rules: unknown[] }).rules).toEqual([{ from: [{ source: { namespaces: ['observability'] } }], to: [{ operation: { ports: ['9100'] } }] }]);
  });

  test('the Sidecar lists callees across namespaces and external hosts, with a ServiceEntry for each external host', () => {
    const out = synth('api');
    expect(kind(out, 'Sidecar')[0].spec).toMatchObject({ egress: [{ hosts: ['back/db.back.svc.cluster.local', 'istio-system/*', 'shop/api.stripe.com'] }], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } });
    expect(kind(out, 'ServiceEntry').map((m) => m.metadata.name)).toEqual(['api-api-stripe-com']);
  });

  test('long ServiceEntry names are cut deterministically with a hash', () => {
    const name = serviceEntryName('recommendation', 'a-very-long-host-name.of-some-managed-service.eu-central-1.amazonaws.com');
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^recommendation-a-very-long-host-name-.*-[0-9a-f]{8}$/);
    expect(serviceEntryName('recommendation', 'a-very-long-host-name.of-some-managed-service.eu-central-1.amazonaws.com')).toBe(name);
  });

  test('fails when the metrics port names no port of the service', () => {
    // the model refuses it first (test/model/field-domains-refusals.test.ts); the construct refuses its own props too
    const good = new Platform({ allowedImageRegistries: ['registry.example.com'], name: 'tiny', environments, services: [svc('x')] });
    expect(() => new ServiceZeroTrust(Testing.chart(), 'ZeroTrust', { platform: good, service: { ...good.service('x', 'shop'), metricsPort: 'prom' } })).toThrow(/ZeroTrust: service.metricsPort is "prom"; allowed: one of the service's port names \(web, metrics\)/);
  });
});
