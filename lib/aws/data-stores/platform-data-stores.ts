/**
 * The AWS side of an environment's data stores, from the model: a KMS key of the stores (storage, snapshots and the
 * credentials' secrets), one {@link DataStoreCredentials} per store in both placements (callers and in-cluster stores
 * read the same secret), and
 * - per managed store: RDS/Aurora ({@link ManagedPostgres}) or ElastiCache ({@link ManagedRedis}) in the intra
 *   subnets, admitting only the cluster, and a CNAME `<store>.<namespace>.<zone>` in the environment's Route 53
 *   private zone (created when any store is managed), which the Kubernetes side's ExternalName Service points at;
 * - per in-cluster store: the IRSA role External Secrets reads the store's own secret as (service account
 *   `<store>-credentials`), and for PostgreSQL the IRSA role of CloudNativePG's service account `<store>`, which
 *   writes base backups and WAL under `data-stores/<namespace>/<store>/` of the environment's backup bucket.
 * {@link PlatformStack} creates one; `secretArns` is what the service roles' grants read (secretsOf).
 */
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { DataStoreEngine, DataStorePlacement, dataStoreBackupPrefix, dataStoreKey, dataStoreServiceAccounts, dataStoresZoneName, managedStoreIdentifier, managedStoreRecordName, resolveDataStoresConfig, type ResolvedDataStore } from '../../model/data-stores';
import type { EnvironmentConfig } from '../../model/environment';
import { arnPartition } from '../../model/partition';
import type { Platform } from '../../model/platform';
import { secretsManagerSecretName } from '../../model/secrets';
import type { BackupBucket } from '../backup-bucket';
import type { EksCluster } from '../eks-cluster';
import { KmsKey } from '../kms-key';
import type { INetwork } from '../network';
import { ServiceAccountRole } from '../service-account-role';
import { DataStoreCredentials } from './data-store-credentials';
import { ManagedPostgres } from './managed-postgres';
import { ManagedRedis } from './managed-redis';
import { secretsManagerViaService } from '../../model/aws-endpoints';

/** Options of {@link PlatformDataStores}. */
export interface PlatformDataStoresProps {
  /** The platform model. */
  readonly platform: Platform;
  /** The environment. */
  readonly environment: EnvironmentConfig;
  /** The network: managed stores go into its intra subnets (the private ones for an existing VPC without intra subnets). */
  readonly network: INetwork;
  /** The cluster: its security group is the only one admitted; its OIDC provider trusts the in-cluster stores' roles. */
  readonly cluster: EksCluster;
  /** The environment's backup bucket: in-cluster PostgreSQL writes its backups there. */
  readonly backupBucket: BackupBucket;
}

/** What one store has on the AWS side. */
export interface DataStoreResources {
  readonly store: ResolvedDataStore;
  readonly credentials: DataStoreCredentials;
  /** RDS or Aurora. @default none unless a managed PostgreSQL store */
  readonly postgres?: ManagedPostgres;
  /** ElastiCache. @default none unless a managed Redis store */
  readonly redis?: ManagedRedis;
  /** The CNAME of a managed store. @default none in the cluster */
  readonly record?: Route53Record;
  /** The role External Secrets reads an in-cluster store's secret as. @default none when managed */
  readonly credentialsRole?: ServiceAccountRole;
  /** The role of CloudNativePG's service account (in-cluster PostgreSQL): its backups. @default none otherwise */
  readonly backupRole?: ServiceAccountRole;
}

/** Every data store of one environment, on the AWS side. */
export class PlatformDataStores extends Construct {
  /** The key of the stores and their secrets. */
  public readonly key: KmsKey;
  /** The private hosted zone of the managed stores. @default none when no store is managed */
  public readonly zone?: Route53Zone;
  /** Per store, by `namespace/name`. */
  public readonly stores: ReadonlyMap<string, DataStoreResources>;
  /** The ARN of each store's secret, by its Secrets Manager name (what a reading service's role is granted). */
  public readonly secretArns: ReadonlyMap<string, string>;

  constructor(scope: Construct, id: string, props: PlatformDataStoresProps) {
    super(scope, id);
    const { platform, environment: env, cluster, network } = props;
    const config = resolveDataStoresConfig(env.dataStores);
    const resolved = platform.dataStoresIn(env);
    const name = `${platform.name}-${env.name}`;
    const partition = arnPartition(env.region);
    this.key = new KmsKey(this, 'Key', {
      alias: `${name}-data-stores`,
      description: `Data stores of ${name}: RDS, ElastiCache and their credentials in Secrets Manager`,
      accountId: env.accountId,
      partition,
    });
    // validated by the model (names of its stores, whole numbers from 1)
    const versions = config.credentialsVersions;
    if (resolved.some((s) => s.placement === DataStorePlacement.MANAGED)) {
      this.zone = new Route53Zone(this, 'Zone', {
        name: dataStoresZoneName(platform.name, env.name),
        comment: `Managed data stores of ${name}, resolvable inside its VPC only`,
        vpc: [{ vpcId: network.vpcId }],
      });
    }
    const stores = new Map<string, DataStoreResources>();
    const secretArns = new Map<string, string>();
    for (const store of resolved) {
      const scope = new Construct(this, `${store.namespace}-${store.name}`);
      const secretsManagerName = secretsManagerSecretName(platform.name, env.name, store.namespace, store.name);
      const credentials = new DataStoreCredentials(scope, 'Credentials', { store, secretsManagerName, key: this.key, version: versions[store.name] });
      secretArns.set(secretsManagerName, credentials.secretArn);
      const roleProps = { platformName: platform.name, environmentName: env.name, accountId: env.accountId, namespace: store.namespace, oidcProviderArn: cluster.oidcProviderArn, oidcIssuer: cluster.oidcIssuer, partition };
      if (store.placement === DataStorePlacement.MANAGED) {
        const identifier = managedStoreIdentifier(platform.name, env.name, store);
        const placement = { store, identifier, vpcId: network.vpcId, subnetIds: network.intraSubnetIds, availabilityZones: network.availabilityZones, clusterSecurityGroupId: cluster.clusterSecurityGroupId, key: this.key, credentials, backupRetentionDays: config.backupRetentionDays };
        const postgres = store.engine === DataStoreEngine.POSTGRESQL
          ? new ManagedPostgres(scope, 'Postgres', { ...placement, flavour: config.postgresFlavour, instanceClass: config.postgresInstanceClass })
          : undefined;
        const redis = store.engine === DataStoreEngine.REDIS ? new ManagedRedis(scope, 'Redis', { ...placement, nodeType: config.redisNodeType }) : undefined;
        const record = new Route53Record(scope, 'Record', {
          zoneId: (this.zone as Route53Zone).zoneId,
          name: managedStoreRecordName(platform.name, env.name, store),
          type: 'CNAME',
          ttl: 30,
          records: [(postgres ?? redis as ManagedRedis | ManagedPostgres).endpointHost],
        });
        stores.set(dataStoreKey(store), { store, credentials, postgres, redis, record });
      } else {
        const accounts = dataStoreServiceAccounts(store);
        // External Secrets copies the store's own credentials into its namespace (CloudNativePG's initdb secret, Redis' AUTH)
        const credentialsRole = new ServiceAccountRole(scope, 'CredentialsRole', {
          ...roleProps,
          serviceAccount: accounts.credentials,
          // exactly what External Secrets calls, and the key only through Secrets Manager (it also encrypts the stores)
          statements: [{ actions: ['secretsmanager:GetSecretValue'], resources: [credentials.secretArn] }],
          conditionalStatements: [{
            sid: 'DecryptThroughSecretsManager',
            actions: ['kms:Decrypt'],
            resources: [this.key.keyArn],
            conditions: [{ test: 'StringEquals', variable: 'kms:ViaService', values: [secretsManagerViaService(env.region)] }],
          }],
        });
        let backupRole: ServiceAccountRole | undefined;
        if (store.engine === DataStoreEngine.POSTGRESQL) {
          const bucket = props.backupBucket;
          const prefix = dataStoreBackupPrefix(store);
          backupRole = new ServiceAccountRole(scope, 'BackupRole', {
            ...roleProps,
            serviceAccount: accounts.cluster,
            statements: [
              { actions: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'], resources: [`${bucket.bucketArn}/${prefix}/*`] },
              { actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*'], resources: [bucket.kmsKey.keyArn] },
            ],
            conditionalStatements: [{
              sid: 'ListOwnPrefix',
              actions: ['s3:ListBucket'],
              resources: [bucket.bucketArn],
              // IfExists: barman-cloud's bucket check (HeadBucket, authorized as s3:ListBucket) carries no prefix
              conditions: [{ test: 'StringLikeIfExists', variable: 's3:prefix', values: [prefix, `${prefix}/*`] }],
            }, {
              // barman-cloud checks the bucket exists before it writes
              sid: 'LocateBucket',
              actions: ['s3:GetBucketLocation'],
              resources: [bucket.bucketArn],
            }],
          });
        }
        stores.set(dataStoreKey(store), { store, credentials, credentialsRole, backupRole });
      }
    }
    this.stores = stores;
    this.secretArns = secretArns;
    const stack = TerraformStack.of(this);
    for (const [key, s] of [...stores.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const out = key.replace('/', '_');
      new TerraformOutput(stack, `data_store_secret_arn_${out}`, { value: s.credentials.secretArn, description: `The Secrets Manager secret of data store ${key}'s credentials` });
      const endpoint = s.postgres?.endpointHost ?? s.redis?.endpointHost;
      if (endpoint !== undefined) {
        new TerraformOutput(stack, `data_store_endpoint_${out}`, { value: endpoint, description: `The AWS endpoint of managed data store ${key} (callers use ${s.store.host})` });
      }
    }
  }

  /** The ARN of a store's secret by its Secrets Manager name, if the environment has it. */
  public secretArnOf(secretsManagerName: string): string | undefined {
    return this.secretArns.get(secretsManagerName);
  }
}
