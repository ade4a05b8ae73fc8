/**
 * A managed Redis store: an Amazon ElastiCache (Valkey) replication group of one node per zone, automatic failover
 * and Multi-AZ, TLS required in transit, encrypted at rest with the data stores' key, an AUTH token (the generated
 * password of {@link DataStoreCredentials}), daily snapshots kept `backupRetentionDays`, in the environment's intra
 * subnets, behind a security group that admits only the cluster. ElastiCache has no write-only AUTH token: Terraform
 * sets it at creation and ignores it afterwards (rotation is the runbook's `modify-replication-group --auth-token`
 * with `ROTATE`, docs/data-stores.md).
 */
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { ElasticacheSubnetGroup } from '@cdktf/provider-aws/lib/elasticache-subnet-group';
import { Construct } from 'constructs';
import { ValidationError } from '../../model/validation';
import type { DataStoreCredentials } from './data-store-credentials';
import { StoreSecurityGroup, type ManagedStoreProps } from './managed-store-network';

/** The ElastiCache Valkey version per major of the model. */
export const VALKEY_VERSIONS: Readonly<Record<string, string>> = { '7': '7.2', '8': '8.0' };

/** Options for a {@link ManagedRedis}. */
export interface ManagedRedisProps extends ManagedStoreProps {
  /** The node type, e.g. `cache.m7g.large` (one node in each zone; the identifier is at most 40 characters). */
  readonly nodeType: string;
}

/** An ElastiCache replication group over the zones for one Redis store. */
export class ManagedRedis extends Construct {
  public readonly securityGroup: StoreSecurityGroup;
  /** The replication group (id `Resource`). */
  public readonly resource: ElasticacheReplicationGroup;
  /** The primary endpoint's host name. */
  public readonly endpointHost: string;

  constructor(scope: Construct, id: string, props: ManagedRedisProps) {
    super(scope, id);
    const { store, identifier } = props;
    if (identifier.length > 40) {
      throw new ValidationError(this.node.path, 'identifier', identifier, 'allowed: at most 40 characters (ElastiCache replication group ids)');
    }
    if (!Number.isInteger(props.backupRetentionDays) || props.backupRetentionDays < 1 || props.backupRetentionDays > 35) {
      throw new ValidationError(this.node.path, 'backupRetentionDays', props.backupRetentionDays, 'allowed: a whole number of days from 1 to 35');
    }
    const version = VALKEY_VERSIONS[store.version];
    this.securityGroup = new StoreSecurityGroup(this, 'SecurityGroup', {
      name: `${identifier}-redis`,
      description: `Redis ${store.namespace}/${store.name}: the EKS cluster only, port ${store.port}`,
      vpcId: props.vpcId,
      clusterSecurityGroupId: props.clusterSecurityGroupId,
      port: store.port,
    });
    const subnetGroup = new ElasticacheSubnetGroup(this, 'SubnetGroup', {
      name: identifier,
      description: `Subnets of Redis ${store.namespace}/${store.name}`,
      subnetIds: [...props.subnetIds],
    });
    this.resource = new ElasticacheReplicationGroup(this, 'Resource', {
      replicationGroupId: identifier,
      description: `Redis (Valkey) ${store.namespace}/${store.name}`,
      engine: 'valkey',
      engineVersion: version,
      parameterGroupName: `default.valkey${store.version}`,
      nodeType: props.nodeType,
      port: store.port,
      // one primary and two replicas, one node per zone
      numCacheClusters: props.availabilityZones.length,
      preferredCacheClusterAzs: [...props.availabilityZones],
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      atRestEncryptionEnabled: 'true',
      kmsKeyId: props.key.keyArn,
      authToken: props.credentials.password,
      authTokenUpdateStrategy: 'ROTATE',
      snapshotRetentionLimit: props.backupRetentionDays,
      snapshotWindow: '02:00-03:00',
      finalSnapshotIdentifier: `${identifier}-final`,
      autoMinorVersionUpgrade: 'true',
      subnetGroupName: subnetGroup.name,
      securityGroupIds: [this.securityGroup.securityGroupId],
      // the token is the secret's (stable until the credentials' version rises; then ROTATE keeps the old one valid too)
      lifecycle: { ignoreChanges: ['preferred_cache_cluster_azs'] },
    });
    this.endpointHost = this.resource.primaryEndpointAddress;
  }
}
