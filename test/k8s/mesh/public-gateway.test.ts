import { Testing } from 'cdk8s';
import { PublicGateway } from '../../../lib/k8s/mesh/public-gateway';
import { validateIstioObjects, type Manifest } from './_istio-schemas';

describe('PublicGateway', () => {
  test('serves the hosts on 443 with SIMPLE TLS from the named secret and redirects 80, sorted and de-duplicated', async () => {
    const chart = Testing.chart();
    const gw = new PublicGateway(chart, 'Gateway', { hosts: ['b.example.com', 'a.example.com', 'b.example.com'], credentialName: 'shop-tls', name: 'edge' });
    expect(gw.ref).toBe('istio-ingress/edge');
    const [obj] = Testing.synth(chart) as Manifest[];
    // Argo CD applies it with istio-base, whose CRDs it needs: no dry run on a kind the cluster does not know yet
    expect(obj.metadata).toEqual({ name: 'edge', namespace: 'istio-ingress', annotations: { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' } });
    expect(obj.spec).toMatchObject({
      selector: { istio: 'ingressgateway' },
      servers: [
        { port: { number: 443, protocol: 'HTTPS' }, hosts: ['a.example.com', 'b.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shop-tls' } },
        { port: { number: 80, protocol: 'HTTP' }, tls: { httpsRedirect: true } },
      ],
    });
    expect((await validateIstioObjects([obj])).errors).toEqual([]);
  });

  test('fails when there are no hosts', () => {
    expect(() => new PublicGateway(Testing.chart(), 'Gateway', { hosts: [], credentialName: 'tls' })).toThrow(/Gateway: hosts is \[\]; allowed: one or more public host names/);
  });

  test('fails when a host is not a DNS name', () => {
    expect(() => new PublicGateway(Testing.chart(), 'Gateway', { hosts: ['Shop_Example'], credentialName: 'tls' })).toThrow(/hosts is "Shop_Example"/);
  });

  test('fails when the credential name is not a secret name', () => {
    expect(() => new PublicGateway(Testing.chart(), 'Gateway', { hosts: ['a.example.com'], credentialName: 'My Cert' })).toThrow(/credentialName is "My Cert"/);
  });
});
