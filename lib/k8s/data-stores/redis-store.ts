/**
 * The platform's side of an in-cluster Redis store around its redis-ha Application: the Service `<store>` in front of
 * the HAProxy pods (which forward to the master the Sentinels name), and NetworkPolicies: callers to HAProxy on 6379,
 * HAProxy to the Redis pods (6379, 26379), Redis pods and Sentinels to each other (6379, 26379).
 */
import { IntOrString, KubeNetworkPolicy, KubeService, type NetworkPolicyPeer } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import type { ResolvedDataStore } from '../../model/data-stores';
import { serviceSelector } from '../../model/names';
import type { ServiceDefinition } from '../../model/service';
import { SENTINEL_PORT, redisHaproxyPodLabels, redisServerPodLabels } from '../addons/redis-ha-addon';
import { NAMESPACE_NAME_LABEL } from '../network-policies';

/** Options for a {@link RedisStore}. */
export interface RedisStoreProps {
  readonly store: ResolvedDataStore;
  /** The services that call it. */
  readonly callers: readonly ServiceDefinition[];
  /** Labels of every object. */
  readonly labels: Readonly<Record<string, string>>;
}

/** The Service and NetworkPolicies of an in-cluster Redis store. */
export class RedisStore extends Construct {
  /** The Service `<store>` (id `Resource`). */
  public readonly service: KubeService;
  /** The NetworkPolicy of the Redis pods. */
  public readonly serverPolicy: KubeNetworkPolicy;
  /** The NetworkPolicy of the HAProxy pods. */
  public readonly haproxyPolicy: KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: RedisStoreProps) {
    super(scope, id);
    const { store } = props;
    const ns = store.namespace;
    const labels = { ...props.labels };
    const servers = redisServerPodLabels(store);
    const haproxy = redisHaproxyPodLabels(store);
    this.service = new KubeService(this, 'Resource', {
      metadata: { name: store.name, namespace: ns, labels },
      spec: {
        type: 'ClusterIP',
        selector: { ...haproxy },
        ports: [{ name: 'tcp-redis', port: store.port, targetPort: IntOrString.fromNumber(store.port), protocol: 'TCP', appProtocol: 'tcp' }],
      },
    });
    const tcp = (...ports: number[]) => ports.map((p) => ({ protocol: 'TCP', port: IntOrString.fromNumber(p) }));
    const serverPeer: NetworkPolicyPeer = { podSelector: { matchLabels: { ...servers } } };
    const haproxyPeer: NetworkPolicyPeer = { podSelector: { matchLabels: { ...haproxy } } };
    const callers: NetworkPolicyPeer[] = [...props.callers].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`)).map((c) => (c.namespace === ns
      ? { podSelector: { matchLabels: serviceSelector(c) } }
      : { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: c.namespace } }, podSelector: { matchLabels: serviceSelector(c) } }));
    this.serverPolicy = new KubeNetworkPolicy(this, 'ServerPolicy', {
      metadata: { name: `${store.name}-redis`, namespace: ns, labels },
      spec: {
        podSelector: { matchLabels: { ...servers } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [serverPeer, haproxyPeer], ports: tcp(store.port, SENTINEL_PORT) }],
        egress: [{ to: [serverPeer], ports: tcp(store.port, SENTINEL_PORT) }],
      },
    });
    this.haproxyPolicy = new KubeNetworkPolicy(this, 'HaproxyPolicy', {
      metadata: { name: `${store.name}-haproxy`, namespace: ns, labels },
      spec: {
        podSelector: { matchLabels: { ...haproxy } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: callers.length > 0 ? [{ from: callers, ports: tcp(store.port) }] : [],
        egress: [{ to: [serverPeer], ports: tcp(store.port, SENTINEL_PORT) }],
      },
    });
  }
}
