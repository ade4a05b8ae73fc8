/**
 * An in-cluster PostgreSQL store: a CloudNativePG `Cluster` of three instances (a primary and two standbys, fewer is
 * refused) spread over the zones (`topologySpreadConstraints` on `topology.kubernetes.io/zone`, DoNotSchedule),
 * storage on the platform's encrypted StorageClass, the database and its owner from the store's credentials
 * (`bootstrap.initdb.secret`), continuous WAL archiving and base backups to the environment's backup bucket under
 * `data-stores/<namespace>/<store>/` (barman-cloud, as the IRSA role of the Cluster's service account), a daily
 * `ScheduledBackup`, and CloudNativePG's PodDisruptionBudgets (`enablePDB`: the primary's `minAvailable: 1` and the
 * standbys' that lets one go at a time, so two of three instances always run). A Service `<store>` fronts the primary
 * (what CloudNativePG's `<store>-rw` selects), so callers use `<store>.<namespace>.svc.cluster.local` as they would a
 * managed store. NetworkPolicies: operator to instances (8000, 5432), instances to each other (5432, 8000), instances to
 * the API server (the `kubernetes` Service's ClusterIP and the VPC) and S3/STS (443), monitoring on 9187, callers on 5432.
 *
 * The instances run without the Istio sidecar (`sidecar.istio.io/inject: "false"`): the operator (outside the mesh)
 * calls their status port 8000 and STRICT mTLS would refuse it; replication dials pod addresses the Sidecar's
 * REGISTRY_ONLY would block. PostgreSQL's own TLS (certificates CloudNativePG issues) and SCRAM passwords protect the
 * connections; the NetworkPolicies admit only the declared callers.
 */
import { IntOrString, KubeNetworkPolicy, KubeService, type NetworkPolicyPeer } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { kubernetesApiServiceIp } from '../../model/cidr';
import { IN_CLUSTER_POSTGRES_INSTANCES, dataStoreBackupPrefix, type ResolvedDataStore } from '../../model/data-stores';
import { ROLE_ARN_ANNOTATION, serviceSelector } from '../../model/names';
import type { ServiceDefinition } from '../../model/service';
import { ValidationError } from '../../model/validation';
import { NAMESPACE_NAME_LABEL, PUBLIC_INTERNET } from '../network-policies';
import { PrometheusPodMonitor } from '../observability/prometheus-resources';
import { CnpgCluster, CnpgScheduledBackup } from './cnpg-resources';

/**
 * The PostgreSQL images per major version, pinned: CloudNativePG's "system" images (Debian trixie), the only ones
 * with Barman Cloud inside, which the in-tree `spec.backup.barmanObjectStore` (WAL archiving, base backups) runs.
 * The "minimal" and "standard" images have no Barman Cloud: they are for the Barman Cloud plugin. System images are
 * deprecated upstream; the move to the plugin (cert-manager, the plugin's ObjectStore) must come before operator 1.31
 * (docs/data-stores.md).
 */
export const CNPG_POSTGRES_IMAGES: Readonly<Record<string, string>> = {
  '16': 'ghcr.io/cloudnative-pg/postgresql:16.10-system-trixie',
  '17': 'ghcr.io/cloudnative-pg/postgresql:17.6-system-trixie',
};
/** The namespace the CloudNativePG operator runs in (the add-on's). */
export const CNPG_OPERATOR_NAMESPACE = 'cnpg-system';
/** The label CloudNativePG puts on every instance pod: the Cluster's name. */
export const CNPG_CLUSTER_LABEL = 'cnpg.io/cluster';
/** The label of an instance's role (`primary` or `replica`). */
export const CNPG_ROLE_LABEL = 'cnpg.io/instanceRole';
/** The instance manager's status port, which the operator calls. */
export const CNPG_STATUS_PORT = 8000;
/** The instances' metrics port. */
export const CNPG_METRICS_PORT = 9187;
/** The annotation that keeps Istio's sidecar out of a pod. */
export const NO_SIDECAR = { 'sidecar.istio.io/inject': 'false' } as const;

/** Options for a {@link PostgresCluster}. */
export interface PostgresClusterProps {
  /** The store (in-cluster, PostgreSQL). */
  readonly store: ResolvedDataStore;
  /** The services that call it (admitted on 5432). */
  readonly callers: readonly ServiceDefinition[];
  /** The Secret with `username` and `password` (basic-auth) the database owner gets. */
  readonly credentialsSecret: string;
  /** The StorageClass of the instances' volumes. */
  readonly storageClassName: string;
  /** The environment's backup bucket. */
  readonly backupBucket: string;
  /** The region of the bucket. */
  readonly region: string;
  /** The IRSA role ARN of the Cluster's service account (`<store>`), which writes the backups. */
  readonly backupRoleArn: string;
  /** Days base backups and WAL are kept (barman's retention policy). */
  readonly backupRetentionDays: number;
  /** The namespace of Prometheus, admitted on the metrics port. */
  readonly monitoringNamespace: string;
  /** The VPC's CIDR: the API server's and the interface endpoints' addresses. */
  readonly vpcCidr: string;
  /**
   * The cluster's service CIDR: the instance manager reaches the API server through the `kubernetes` Service, whose
   * ClusterIP (the block's first address) the VPC CNI's policy agent judges before the DNAT; the policy opens it on 443.
   * @default DEFAULT_KUBERNETES_SERVICE_CIDR (172.20.0.0/16)
   */
  readonly kubernetesServiceCidr?: string;
  /** Labels of every object. */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * The labels Prometheus selects monitors by: with them, a PodMonitor of the instances' metrics port (9187).
   * @default none: no PodMonitor (the platform has no `observability`)
   */
  readonly podMonitorLabels?: Readonly<Record<string, string>>;
  /**
   * Instances: three or more.
   * @default IN_CLUSTER_POSTGRES_INSTANCES (3)
   */
  readonly instances?: number;
}

/** A CloudNativePG Cluster, its ScheduledBackup, a Service to the primary and NetworkPolicies. */
export class PostgresCluster extends Construct {
  /** The Cluster (id `Resource`). */
  public readonly cluster: CnpgCluster;
  /** The daily base backup. */
  public readonly scheduledBackup: CnpgScheduledBackup;
  /** The Service `<store>` to the primary. */
  public readonly service: KubeService;
  /** The instances' NetworkPolicy. */
  public readonly networkPolicy: KubeNetworkPolicy;
  /** Instances. */
  public readonly instances: number;
  /** The PodMonitor of the instances' metrics. @default none without `podMonitorLabels` */
  public readonly podMonitor?: PrometheusPodMonitor;

  constructor(scope: Construct, id: string, props: PostgresClusterProps) {
    super(scope, id);
    const { store } = props;
    this.instances = props.instances ?? IN_CLUSTER_POSTGRES_INSTANCES;
    if (!Number.isInteger(this.instances) || this.instances < IN_CLUSTER_POSTGRES_INSTANCES) {
      throw new ValidationError(this.node.path, 'instances', this.instances, `allowed: ${IN_CLUSTER_POSTGRES_INSTANCES} or more (a primary and a standby in each other zone; fewer loses quorum with one zone)`);
    }
    const image = CNPG_POSTGRES_IMAGES[store.version];
    if (image === undefined) {
      throw new ValidationError(this.node.path, 'store.version', store.version, `allowed: ${Object.keys(CNPG_POSTGRES_IMAGES).join(', ')}`);
    }
    const ns = store.namespace;
    const labels = { ...props.labels };
    const instanceLabels = { [CNPG_CLUSTER_LABEL]: store.name };
    const destinationPath = `s3://${props.backupBucket}/${dataStoreBackupPrefix(store)}`;
    this.cluster = new CnpgCluster(this, 'Resource', {
      metadata: { name: store.name, namespace: ns, labels },
      spec: {
        description: `Data store ${ns}/${store.name}`,
        instances: this.instances,
        imageName: image,
        primaryUpdateStrategy: 'unsupervised',
        primaryUpdateMethod: 'switchover',
        enablePDB: true,
        enableSuperuserAccess: false,
        inheritedMetadata: { labels, annotations: { ...NO_SIDECAR } },
        storage: { size: `${store.storageGiB}Gi`, storageClass: props.storageClassName },
        resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
        topologySpreadConstraints: [{
          maxSkew: 1,
          topologyKey: 'topology.kubernetes.io/zone',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { ...instanceLabels } },
        }],
        affinity: { enablePodAntiAffinity: true, podAntiAffinityType: 'required', topologyKey: 'kubernetes.io/hostname' },
        bootstrap: { initdb: { database: store.database, owner: store.database, secret: { name: props.credentialsSecret } } },
        serviceAccountTemplate: { metadata: { annotations: { [ROLE_ARN_ANNOTATION]: props.backupRoleArn } } },
        backup: {
          retentionPolicy: `${props.backupRetentionDays}d`,
          barmanObjectStore: {
            destinationPath,
            s3Credentials: { inheritFromIAMRole: true },
            wal: { compression: 'gzip', maxParallel: 2 },
            data: { compression: 'gzip' },
          },
        },
        env: [{ name: 'AWS_REGION', value: props.region }],
      },
    });
    this.scheduledBackup = new CnpgScheduledBackup(this, 'ScheduledBackup', {
      metadata: { name: `${store.name}-daily`, namespace: ns, labels },
      spec: {
        // CloudNativePG's cron has seconds: every day at 03:00
        schedule: '0 0 3 * * *',
        backupOwnerReference: 'self',
        method: 'barmanObjectStore',
        immediate: true,
        cluster: { name: store.name },
      },
    });
    this.service = new KubeService(this, 'Service', {
      metadata: { name: store.name, namespace: ns, labels },
      spec: {
        type: 'ClusterIP',
        selector: { ...instanceLabels, [CNPG_ROLE_LABEL]: 'primary' },
        ports: [{ name: 'tcp-postgres', port: store.port, targetPort: IntOrString.fromNumber(store.port), protocol: 'TCP', appProtocol: 'tcp' }],
      },
    });
    if (props.podMonitorLabels !== undefined) {
      this.podMonitor = new PrometheusPodMonitor(this, 'PodMonitor', {
        metadata: { name: store.name, namespace: ns, labels: { ...labels, ...props.podMonitorLabels } },
        spec: {
          selector: { matchLabels: { ...instanceLabels } },
          podMetricsEndpoints: [{ port: 'metrics', scheme: 'http' }],
        },
      });
    }
    const tcp = (...ports: number[]) => ports.map((p) => ({ protocol: 'TCP', port: IntOrString.fromNumber(p) }));
    const instances: NetworkPolicyPeer = { podSelector: { matchLabels: { ...instanceLabels } } };
    const callerPeers: NetworkPolicyPeer[] = [...props.callers].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`)).map((c) => (c.namespace === ns
      ? { podSelector: { matchLabels: serviceSelector(c) } }
      : { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: c.namespace } }, podSelector: { matchLabels: serviceSelector(c) } }));
    this.networkPolicy = new KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: { name: store.name, namespace: ns, labels },
      spec: {
        podSelector: { matchLabels: { ...instanceLabels } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: CNPG_OPERATOR_NAMESPACE } } }], ports: tcp(store.port, CNPG_STATUS_PORT) },
          { from: [instances], ports: tcp(store.port, CNPG_STATUS_PORT) },
          { from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: props.monitoringNamespace } } }], ports: tcp(CNPG_METRICS_PORT) },
          ...(callerPeers.length > 0 ? [{ from: callerPeers, ports: tcp(store.port) }] : []),
        ],
        egress: [
          { to: [instances], ports: tcp(store.port, CNPG_STATUS_PORT) },
          // the API server (the instance manager watches its Cluster) through the `kubernetes` Service's ClusterIP: the
          // VPC CNI's policy agent judges the destination before the DNAT (aws/aws-network-policy-agent#549)
          { to: [{ ipBlock: { cidr: `${kubernetesApiServiceIp(props.kubernetesServiceCidr)}/32` } }], ports: tcp(443) },
          // the API server's ENIs, STS and S3 (WAL archiving): inside the VPC through its endpoints, else public addresses
          { to: [{ ipBlock: { cidr: props.vpcCidr } }, { ipBlock: { cidr: PUBLIC_INTERNET.cidr, except: [...PUBLIC_INTERNET.except] } }], ports: tcp(443) },
        ],
      },
    });
  }
}
