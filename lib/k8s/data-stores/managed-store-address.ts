/**
 * How callers reach a managed store by the same name as an in-cluster one: an ExternalName Service `<store>` in the
 * store's namespace pointing at the store's CNAME in the environment's private zone (`<store>.<namespace>.<zone>`,
 * lib/aws/data-stores), a ServiceEntry of that record (TCP, `resolution: NONE`, `MESH_EXTERNAL`, `addresses` = the VPC
 * blocks managed stores get their addresses from, `managedStoreCidrs`) that the callers' REGISTRY_ONLY Sidecars let
 * through, and a DestinationRule of the same host with TCP settings only (connection pool, connect timeout, TCP
 * keepalive) and no TLS mode: Istio's auto mTLS sends the store's own protocol as is to an external endpoint, and the
 * store speaks its own TLS (RDS forces it, ElastiCache requires it).
 *
 * Why this shape: a TCP ServiceEntry without `addresses` matches all traffic on its port whatever the destination
 * (Istio's analyzer IST0134), so two stores on 5432 would steal each other's connections; with `addresses` the
 * listener matches the store's blocks only, and `resolution: NONE` sends each connection to the address the caller
 * resolved (the CNAME's target), so two stores in the same blocks still reach their own endpoint. Since Istio 1.21 an
 * ExternalName Service is only an alias of its target host (a DestinationRule of the ExternalName host no longer
 * applies, and the target must be a Service or ServiceEntry Istio knows): the ServiceEntry's host is that target.
 */
import { KubeService } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { DataStoreEngine, type ResolvedDataStore } from '../../model/data-stores';
import { ValidationError } from '../../model/validation';
import { IstioDestinationRule, IstioServiceEntry } from '../mesh/istio-resources';

/** Options for a {@link ManagedStoreAddress}. */
export interface ManagedStoreAddressProps {
  readonly store: ResolvedDataStore;
  /** The store's record in the private zone, `managedStoreRecordName(...)`. */
  readonly recordName: string;
  /** The VPC blocks the store's endpoints are in, `managedStoreCidrs(...)`: the ServiceEntry's `addresses`. */
  readonly addresses: readonly string[];
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
    if (props.addresses.length === 0) {
      throw new ValidationError(this.node.path, 'addresses', '[]', 'allowed: the VPC blocks of the store (managedStoreCidrs); without addresses a TCP ServiceEntry takes every connection on its port');
    }
    const labels = { ...props.labels };
    const portName = store.engine === DataStoreEngine.POSTGRESQL ? 'tcp-postgres' : 'tcp-redis';
    this.service = new KubeService(this, 'Resource', {
      metadata: { name: store.name, namespace: store.namespace, labels },
      spec: { type: 'ExternalName', externalName: props.recordName, ports: [{ name: portName, port: store.port, protocol: 'TCP', appProtocol: 'tcp' }] },
    });
    this.serviceEntry = new IstioServiceEntry(this, 'ServiceEntry', {
      metadata: { name: store.name, namespace: store.namespace, labels },
      spec: {
        hosts: [props.recordName],
        addresses: [...props.addresses],
        location: 'MESH_EXTERNAL',
        resolution: 'NONE',
        ports: [{ number: store.port, name: portName, protocol: 'TCP' }],
      },
    });
    this.destinationRule = new IstioDestinationRule(this, 'DestinationRule', {
      metadata: { name: store.name, namespace: store.namespace, labels },
      spec: {
        // the ServiceEntry's host: a DestinationRule of the ExternalName host does not apply (Istio 1.21+)
        host: props.recordName,
        trafficPolicy: {
          connectionPool: { tcp: { maxConnections: 1000, connectTimeout: '5s', tcpKeepalive: { time: '300s', interval: '30s' } } },
        },
      },
    });
  }
}
