/**
 * How callers reach a managed store by the same name as an in-cluster one: an ExternalName Service `<store>` in the
 * store's namespace pointing at the store's CNAME in the environment's private zone (`<store>.<namespace>.<zone>`,
 * lib/aws/data-stores), a ServiceEntry of `<store>.<namespace>.svc.cluster.local` (TCP, `resolution: DNS`,
 * `MESH_EXTERNAL`) that the callers' REGISTRY_ONLY Sidecars let through, and a DestinationRule with TCP settings only
 * (connection pool, connect timeout, TCP keepalive) and no TLS mode: Istio's auto mTLS sends the store's own
 * protocol as is to an external endpoint, and the store speaks its own TLS (RDS forces it, ElastiCache requires it).
 */
import { KubeService } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { DataStoreEngine, type ResolvedDataStore } from '../../model/data-stores';
import { IstioDestinationRule, IstioServiceEntry } from '../mesh/istio-resources';

/** Options for a {@link ManagedStoreAddress}. */
export interface ManagedStoreAddressProps {
  readonly store: ResolvedDataStore;
  /** The store's record in the private zone, `managedStoreRecordName(...)`. */
  readonly recordName: string;
  /** Labels of every object. */
  readonly labels: Readonly<Record<string, string>>;
}

/** The ExternalName Service, ServiceEntry and DestinationRule of a managed store. */
export class ManagedStoreAddress extends Construct {
  /** The ExternalName Service (id `Resource`). */
  public readonly service: KubeService;
  public readonly serviceEntry: IstioServiceEntry;
  public readonly destinationRule: IstioDestinationRule;

  constructor(scope: Construct, id: string, props: ManagedStoreAddressProps) {
    super(scope, id);
    const { store } = props;
    const labels = { ...props.labels };
    const portName = store.engine === DataStoreEngine.POSTGRESQL ? 'tcp-postgres' : 'tcp-redis';
    this.service = new KubeService(this, 'Resource', {
      metadata: { name: store.name, namespace: store.namespace, labels },
      spec: { type: 'ExternalName', externalName: props.recordName, ports: [{ name: portName, port: store.port, protocol: 'TCP', appProtocol: 'tcp' }] },
    });
    this.serviceEntry = new IstioServiceEntry(this, 'ServiceEntry', {
      metadata: { name: store.name, namespace: store.namespace, labels },
      spec: {
        hosts: [store.host],
        location: 'MESH_EXTERNAL',
        resolution: 'DNS',
        ports: [{ number: store.port, name: portName, protocol: 'TCP' }],
      },
    });
    this.destinationRule = new IstioDestinationRule(this, 'DestinationRule', {
      metadata: { name: store.name, namespace: store.namespace, labels },
      spec: {
        host: store.host,
        trafficPolicy: {
          connectionPool: { tcp: { maxConnections: 1000, connectTimeout: '5s', tcpKeepalive: { time: '300s', interval: '30s' } } },
        },
      },
    });
  }
}
