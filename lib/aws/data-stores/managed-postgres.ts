/**
 * A managed PostgreSQL store: an Amazon RDS for PostgreSQL Multi-AZ DB instance (default) or an Aurora PostgreSQL
 * cluster with a writer and a reader in another zone. Either way: encrypted with the data stores' key, automated
 * backups with point-in-time recovery for `backupRetentionDays`, deletion protection, a final snapshot of a
 * deterministic name, TLS forced (`rds.force_ssl = 1`), IAM authentication on, not publicly accessible, in the
 * environment's intra subnets, behind a security group that admits only the cluster. The master password comes from
 * {@link DataStoreCredentials} through the write-only `password_wo` / `master_password_wo`.
 */
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import { RdsClusterInstance } from '@cdktf/provider-aws/lib/rds-cluster-instance';
import { RdsClusterParameterGroup } from '@cdktf/provider-aws/lib/rds-cluster-parameter-group';
import { Construct } from 'constructs';
import { ManagedPostgresFlavour } from '../../model/data-stores';
import { ValidationError } from '../../model/validation';
import type { DataStoreCredentials } from './data-store-credentials';
import { StoreSecurityGroup, type ManagedStoreProps } from './managed-store-network';

/** Aurora PostgreSQL engine versions by major (Aurora wants a minor; RDS takes the major and upgrades minors itself). */
export const AURORA_POSTGRES_VERSIONS: Readonly<Record<string, string>> = { '16': '16.8', '17': '17.4' };

/** Options for a {@link ManagedPostgres}. */
export interface ManagedPostgresProps extends ManagedStoreProps {
  /** RDS or Aurora (Aurora's writer and reader go into the first two zones). */
  readonly flavour: ManagedPostgresFlavour;
  /** The instance class, e.g. `db.m7g.large`. */
  readonly instanceClass: string;
}

/** An RDS Multi-AZ instance or an Aurora cluster for one PostgreSQL store. */
export class ManagedPostgres extends Construct {
  /** The security group. */
  public readonly securityGroup: StoreSecurityGroup;
  /** The endpoint's host name (the writer's, for Aurora). */
  public readonly endpointHost: string;
  /** The RDS instance. @default none for Aurora */
  public readonly instance?: DbInstance;
  /** The Aurora cluster. @default none for RDS */
  public readonly cluster?: RdsCluster;
  /** The flavour. */
  public readonly flavour: ManagedPostgresFlavour;

  constructor(scope: Construct, id: string, props: ManagedPostgresProps) {
    super(scope, id);
    const { store, identifier } = props;
    if (!Number.isInteger(props.backupRetentionDays) || props.backupRetentionDays < 1 || props.backupRetentionDays > 35) {
      throw new ValidationError(this.node.path, 'backupRetentionDays', props.backupRetentionDays, 'allowed: a whole number of days from 1 to 35');
    }
    if (props.subnetIds.length < 2) {
      throw new ValidationError(this.node.path, 'subnetIds', props.subnetIds, 'allowed: subnets in two zones or more (Multi-AZ)');
    }
    this.flavour = props.flavour;
    this.securityGroup = new StoreSecurityGroup(this, 'SecurityGroup', {
      name: `${identifier}-postgres`,
      description: `PostgreSQL ${store.namespace}/${store.name}: the EKS cluster only, port ${store.port}`,
      vpcId: props.vpcId,
      clusterSecurityGroupId: props.clusterSecurityGroupId,
      port: store.port,
    });
    const subnetGroup = new DbSubnetGroup(this, 'SubnetGroup', {
      name: identifier,
      description: `Subnets of PostgreSQL ${store.namespace}/${store.name}`,
      subnetIds: [...props.subnetIds],
    });
    const common = {
      deletionProtection: true,
      copyTagsToSnapshot: true,
      storageEncrypted: true,
      kmsKeyId: props.key.keyArn,
      backupRetentionPeriod: props.backupRetentionDays,
      preferredBackupWindow: '02:00-03:00',
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${identifier}-final`,
      iamDatabaseAuthenticationEnabled: true,
      vpcSecurityGroupIds: [this.securityGroup.securityGroupId],
      dbSubnetGroupName: subnetGroup.name,
      port: store.port,
    };
    if (props.flavour === ManagedPostgresFlavour.RDS) {
      const parameters = new DbParameterGroup(this, 'ParameterGroup', {
        name: identifier,
        family: `postgres${store.version}`,
        description: `PostgreSQL ${store.namespace}/${store.name}: TLS only`,
        parameter: [{ name: 'rds.force_ssl', value: '1' }],
      });
      this.instance = new DbInstance(this, 'Resource', {
        ...common,
        identifier,
        engine: 'postgres',
        engineVersion: store.version,
        autoMinorVersionUpgrade: true,
        allowMajorVersionUpgrade: false,
        instanceClass: props.instanceClass,
        multiAz: true,
        allocatedStorage: store.storageGiB,
        maxAllocatedStorage: store.storageGiB * 4,
        storageType: 'gp3',
        publiclyAccessible: false,
        dbName: store.database,
        username: props.credentials.username,
        passwordWo: props.credentials.password,
        passwordWoVersion: props.credentials.version,
        parameterGroupName: parameters.name,
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: props.key.keyArn,
        monitoringInterval: 0,
        caCertIdentifier: 'rds-ca-rsa2048-g1',
        applyImmediately: false,
      });
      this.endpointHost = this.instance.address;
    } else {
      const engineVersion = AURORA_POSTGRES_VERSIONS[store.version];
      const parameters = new RdsClusterParameterGroup(this, 'ParameterGroup', {
        name: identifier,
        family: `aurora-postgresql${store.version}`,
        description: `Aurora PostgreSQL ${store.namespace}/${store.name}: TLS only`,
        parameter: [{ name: 'rds.force_ssl', value: '1' }],
      });
      this.cluster = new RdsCluster(this, 'Resource', {
        ...common,
        clusterIdentifier: identifier,
        engine: 'aurora-postgresql',
        engineVersion,
        databaseName: store.database,
        masterUsername: props.credentials.username,
        masterPasswordWo: props.credentials.password,
        masterPasswordWoVersion: props.credentials.version,
        dbClusterParameterGroupName: parameters.name,
        availabilityZones: props.availabilityZones.slice(0, 3),
        lifecycle: { ignoreChanges: ['availability_zones'] },
      });
      // a writer and a reader in another zone: Aurora promotes the reader when the writer's zone fails
      ['writer', 'reader'].forEach((role, i) => new RdsClusterInstance(this, role === 'writer' ? 'Writer' : 'Reader', {
        identifier: `${identifier}-${i + 1}`,
        clusterIdentifier: (this.cluster as RdsCluster).id,
        engine: 'aurora-postgresql',
        engineVersion,
        instanceClass: props.instanceClass,
        availabilityZone: props.availabilityZones[i],
        publiclyAccessible: false,
        autoMinorVersionUpgrade: true,
        promotionTier: i,
        copyTagsToSnapshot: true,
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: props.key.keyArn,
      }));
      this.endpointHost = this.cluster.endpoint;
    }
  }
}
