/**
 * Micro-segmentation from the call graph of the reference platform (apps/platform.ts), prod; a service calling a
 * service of another namespace, and rules added to a stateful service's policy, on the shop with its stateful Redis
 * (test/fixtures/shop.ts): the reference platform's Redis is a data store.
 */
import { Testing } from 'cdk8s';
import { platform } from '../../apps/platform';
import { platform as statefulRedisShop } from '../fixtures/shop';
import { carvedSubnetCidrs, parseCidr } from '../../lib/model/cidr';
import { PlatformChart } from '../../lib/k8s/platform-chart';
import { NetworkPeer, ServiceNetworkPolicy } from '../../lib/k8s/network-policies';
import { PortProtocol } from '../../lib/model/service';

interface Peer { namespaceSelector?: { matchLabels: Record<string, string> }; podSelector?: { matchLabels: Record<string, string> }; ipBlock?: { cidr: string; except?: string[] } }
interface Rule { from?: Peer[]; to?: Peer[]; ports: Array<{ protocol: string; port: number }> }
interface Policy { kind: string; metadata: { name: string; namespace: string }; spec: { podSelector: { matchLabels?: Record<string, string> }; policyTypes: string[]; ingress?: Rule[]; egress?: Rule[] } }

let policies: Policy[];
let statefulRedisPolicies: Policy[];
beforeAll(() => {
  const chart = new PlatformChart(Testing.app(), 'platform', { platform, environment: 'prod' });
  policies = (Testing.synth(chart) as Policy[]).filter((o) => o.kind === 'NetworkPolicy');
  const stateful = new PlatformChart(Testing.app(), 'platform', { platform: statefulRedisShop, environment: 'prod' });
  statefulRedisPolicies = (Testing.synth(stateful) as Policy[]).filter((o) => o.kind === 'NetworkPolicy');
});
const policy = (ns: string, name: string) => policies.find((p) => p.metadata.namespace === ns && p.metadata.name === name) as Policy;
const statefulRedisPolicy = (ns: string, name: string) => statefulRedisPolicies.find((p) => p.metadata.namespace === ns && p.metadata.name === name) as Policy;
const names = (peers: Peer[] = []) => peers.map((p) => `${p.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] ?? '.'}/${p.podSelector?.matchLabels['app.kubernetes.io/name'] ?? '*'}`);

describe('ServiceNetworkPolicy', () => {
  test('admits a service only from the services that declare they call it, on its serving ports', () => {
    const inventory = policy('shop', 'inventory');
    expect(inventory.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'inventory' });
    expect(inventory.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(names(inventory.spec.ingress?.[0].from)).toEqual(['./cart', './catalog', './checkout', './order']);
    expect(inventory.spec.ingress?.[0].ports).toEqual([{ protocol: 'TCP', port: 9090 }]);
  });

  test('admits the ingress gateway for a public service only', () => {
    const gateway = (p: Policy) => (p.spec.ingress ?? []).filter((r) => names(r.from).includes('istio-ingress/*'));
    const storefront = policy('shop', 'storefront');
    expect(storefront.spec.ingress?.find((r) => r.from?.[0].podSelector?.matchLabels.istio === 'ingressgateway')?.from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-ingress' } }, podSelector: { matchLabels: { istio: 'ingressgateway' } } },
    ]);
    expect(gateway(storefront).map((r) => r.ports)).toEqual([[{ protocol: 'TCP', port: 8080 }]]);
    expect(JSON.stringify(policy('shop', 'cart').spec.ingress)).not.toContain('ingressgateway');
  });

  test('admits the monitoring namespace on the metrics port and the sidecar metrics ports only', () => {
    const rule = policy('shop', 'cart').spec.ingress?.find((r) => names(r.from).includes('monitoring/*'));
    expect(rule?.ports).toEqual([{ protocol: 'TCP', port: 9100 }, { protocol: 'TCP', port: 15020 }, { protocol: 'TCP', port: 15090 }]);
  });

  test('egresses only to the services it calls, on their serving ports, with a namespace selector across namespaces', () => {
    // the shop with its stateful Redis: cart calls a service of another namespace
    const cart = statefulRedisPolicy('shop', 'cart');
    expect(cart.spec.egress?.map((r) => [names(r.to), r.ports.map((p) => p.port)])).toEqual([
      [['shop-data/redis'], [6379]],
      [['./catalog'], [8080, 9090]],
      [['./inventory'], [9090]],
    ]);
    const redis = statefulRedisPolicy('shop-data', 'redis');
    expect(names(redis.spec.ingress?.[0].from)).toEqual(['shop/cart']);
    expect(redis.spec.egress).toEqual([]);
  });

  test('egresses to the data stores it calls on their port: in prod the reference Redis is ElastiCache, in the intra subnets', () => {
    const cart = policy('shop', 'cart');
    expect(cart.spec.egress?.map((r) => [names(r.to), r.ports.map((p) => p.port)]).slice(0, 2)).toEqual([
      [['./catalog'], [8080, 9090]],
      [['./inventory'], [9090]],
    ]);
    const intra = carvedSubnetCidrs(parseCidr(platform.environment('prod').vpcCidr)).intra.map((c) => c.text);
    expect(intra).toEqual(['10.30.112.0/22', '10.30.116.0/22', '10.30.120.0/22']);
    expect(cart.spec.egress?.slice(2)).toEqual([{ to: intra.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: 'TCP', port: 6379 }] }]);
    // no pods of the store in the cluster: no policy of its own
    expect(policy('shop-data', 'redis')).toBeUndefined();
  });

  test('egresses to declared external endpoints on their port, never to private ranges by default', () => {
    const payment = policy('shop', 'payment');
    expect(payment.spec.egress).toEqual([{
      to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    }]);
  });

  test('every namespace denies all by default and allows DNS to kube-dns (UDP and TCP 53) and the sidecar to istiod (15012)', () => {
    for (const ns of ['shop', 'shop-data']) {
      expect(policy(ns, 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      expect(policy(ns, 'allow-dns-egress').spec.egress).toEqual([{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      }]);
      expect(policy(ns, 'allow-mesh-control-plane-egress').spec.egress?.[0].ports).toEqual([{ protocol: 'TCP', port: 15012 }]);
    }
  });

  test('fails when an external endpoint declares an invalid CIDR', () => {
    expect(() => new ServiceNetworkPolicy(Testing.chart(), 'P', {
      service: { name: 'a', namespace: 'n', partOf: 'p', versions: [{ name: 'v1', image: 'a:1' }], ports: [{ name: 'web', port: 80, protocol: PortProtocol.HTTP }], externalEndpoints: [{ host: 'x.example.com', port: 443, cidrs: ['10.0.0.1/8'] }] },
    })).toThrow(/test\/P: externalEndpoints.x.example.com.cidrs is "10.0.0.1\/8"; allowed: IPv4 network CIDRs/);
  });
});

describe('rules added after construction (the shop with its stateful Redis)', () => {
  let inventory: ServiceNetworkPolicy;
  let synthesized: Policy[];
  beforeAll(() => {
    const chart = new PlatformChart(Testing.app(), 'platform', { platform: statefulRedisShop, environment: 'prod' });
    inventory = chart.microservices.get('shop/inventory')?.networkPolicy as ServiceNetworkPolicy;
    const redis = chart.statefulServices.get('shop-data/redis')?.networkPolicy as ServiceNetworkPolicy;
    inventory.allowFrom(NetworkPeer.pods('batch', { 'app.kubernetes.io/name': 'restock' }), 9090);
    inventory.allowFrom(NetworkPeer.service(statefulRedisShop.service('shop/shipping')));
    inventory.allowTo(NetworkPeer.service(statefulRedisShop.service('shop-data/redis')));
    inventory.allowTo(NetworkPeer.ipBlock('203.0.113.0/24'), 443);
    redis.allowFrom(NetworkPeer.namespace('backup'), 6379);
    synthesized = (Testing.synth(chart) as Policy[]).filter((o) => o.kind === 'NetworkPolicy');
  });
  const added = (ns: string, name: string) => synthesized.find((p) => p.metadata.namespace === ns && p.metadata.name === name) as Policy;

  test('adding an ingress rule after construction appears in the synthesized NetworkPolicy, after the rules of the call graph', () => {
    const ingress = added('shop', 'inventory').spec.ingress ?? [];
    expect(ingress.slice(0, -2)).toEqual(statefulRedisPolicy('shop', 'inventory').spec.ingress);
    expect(ingress.slice(-2)).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'batch' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'restock' } } }], ports: [{ protocol: 'TCP', port: 9090 }] },
      // a service peer without a port: the receiving service's serving ports (inventory serves gRPC on 9090)
      { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'shipping' } } }], ports: [{ protocol: 'TCP', port: 9090 }] },
    ]);
    expect(added('shop-data', 'redis').spec.ingress?.at(-1)).toEqual({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'backup' } } }], ports: [{ protocol: 'TCP', port: 6379 }] });
  });

  test('adding an egress rule after construction appears in the synthesized NetworkPolicy, on the peer service\'s serving ports by default', () => {
    expect(statefulRedisPolicy('shop', 'inventory').spec.egress).toEqual([]);
    expect(added('shop', 'inventory').spec.egress).toEqual([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop-data' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'redis' } } }], ports: [{ protocol: 'TCP', port: 6379 }] },
      { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] },
    ]);
  });

  test('fails when an added rule has a port outside 1..65535, an invalid CIDR, or no port for a peer that is not a service', () => {
    expect(() => inventory.allowFrom(NetworkPeer.namespace('batch'), 70000)).toThrow(/platform\/shop.inventory\/Workload\/NetworkPolicy: allowFrom.port is 70000/);
    expect(() => inventory.allowTo(NetworkPeer.ipBlock('10.0.0.1/8'), 443)).toThrow(/peer.ipBlock is "10.0.0.1\/8"; allowed: IPv4 network CIDRs/);
    expect(() => inventory.allowTo(NetworkPeer.namespace('batch'))).toThrow(/allowTo.port is undefined; allowed: a port \(1..65535\) for namespace batch/);
    expect(() => inventory.allowFrom(NetworkPeer.pods('Bad_NS', { a: 'b' }), 80)).toThrow(/peer.namespace is "Bad_NS"/);
  });
});

describe('data stores', () => {
  const svc = { name: 'orders', namespace: 'shop', partOf: 'shop', versions: [{ name: 'v1', image: 'r/o:1' }], ports: [{ name: 'web', port: 8080, protocol: PortProtocol.HTTP }] };
  const synthEgress = (dataStores: ConstructorParameters<typeof ServiceNetworkPolicy>[2]['dataStores']) => {
    const chart = Testing.chart();
    new ServiceNetworkPolicy(chart, 'p', { service: svc, dataStores });
    return (Testing.synth(chart)[0] as Policy).spec.egress;
  };

  test('opens each data store the service calls on its port: its pods in the cluster, address blocks when managed', () => {
    expect(synthEgress([
      { store: 'data/db', peers: [NetworkPeer.pods('data', { 'cnpg.io/cluster': 'db' })], port: 5432 },
      { store: 'data/cache', peers: [NetworkPeer.ipBlock('10.0.112.0/22'), NetworkPeer.ipBlock('10.0.116.0/22')], port: 6379 },
    ])).toEqual([
      { to: [{ ipBlock: { cidr: '10.0.112.0/22' } }, { ipBlock: { cidr: '10.0.116.0/22' } }], ports: [{ protocol: 'TCP', port: 6379 }] },
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } }, podSelector: { matchLabels: { 'cnpg.io/cluster': 'db' } } }], ports: [{ protocol: 'TCP', port: 5432 }] },
    ]);
  });

  test('fails when a data store\'s port is outside 1..65535', () => {
    expect(() => synthEgress([{ store: 'data/db', peers: [NetworkPeer.ipBlock('10.0.0.0/16')], port: 0 }])).toThrow(/dataStores\.data\/db\.port is 0/);
  });
});
