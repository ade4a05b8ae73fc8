/**
 * One Terraform stack per environment: AWS provider pinned to the environment's account and region
 * with default tags, the S3 remote backend, the network, the EKS cluster, its node groups, the
 * cluster autoscaler's role, one service-account role per service that asks for AWS permissions or reads secrets,
 * the services' own Secrets Manager secrets with their grants (docs/secrets.md), the
 * environment's backups (bucket, lifecycle, replication, Velero's role), the platform's container registry when this
 * environment hosts it, and Terraform outputs of what operators and the Kubernetes side read.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { kubernetesServiceCidrOf } from '../model/cidr';
import type { EnvironmentConfig } from '../model/environment';
import { qualifiedName, serviceAccountName } from '../model/names';
import type { Platform } from '../model/platform';
import { arnPartition } from '../model/partition';
import { EksCluster } from './eks-cluster';
import { ClusterAutoscalerRole } from './cluster-autoscaler-role';
import { ContainerRegistry } from './container-registry';
import { KmsKey } from './kms-key';
import { Network, type INetwork } from './network';
import { AwsServiceEndpoints } from './vpc-endpoints';
import { NodeGroups } from './node-groups';
import { PlatformBackups } from './platform-backups';
import { PlatformDataStores } from './data-stores/platform-data-stores';
import { addRemoteStateBackend, type RemoteStateNames } from './remote-state';
import { ServiceAccountRole } from './service-account-role';
import { ServiceSecrets } from './service-secrets';

/** Options for a {@link PlatformStack}. */
export interface PlatformStackProps {
  /** The platform model. */
  readonly platform: Platform;
  /** The environment this stack deploys; one of `platform.environments`. */
  readonly environment: EnvironmentConfig;
}

/** The AWS base of one environment. */
export class PlatformStack extends TerraformStack {
  /** The environment deployed. */
  public readonly environment: EnvironmentConfig;
  /** The platform model. */
  public readonly platform: Platform;
  /** The AWS provider. */
  public readonly provider: AwsProvider;
  /** The remote state's bucket, lock table and key. */
  public readonly remoteState: RemoteStateNames;
  /** The key of the CloudWatch log groups (flow logs, control-plane logs). */
  public readonly logsKey: KmsKey;
  /** The VPC: created by the stack, or the environment's `existingVpc`. */
  public readonly network: INetwork;
  /**
   * Interface endpoints (private DNS) of STS and the AWS services the catalog calls, when the environment keeps
   * `privateAwsEndpoints` (the default) and some service has AWS permissions.
   */
  public readonly awsEndpoints?: AwsServiceEndpoints;
  /** The EKS cluster. */
  public readonly cluster: EksCluster;
  /** The managed node groups. */
  public readonly nodeGroups: NodeGroups;
  /** The cluster autoscaler's role. */
  public readonly clusterAutoscalerRole: ClusterAutoscalerRole;
  /** The roles of the services' pods (those with `awsPermissions`), by `namespace/name`; no secrets grant in them. */
  public readonly serviceRoles: Readonly<Record<string, ServiceAccountRole>>;
  /** The backup bucket, its replication and Velero's role. */
  public readonly backups: PlatformBackups;
  /**
   * The services' own Secrets Manager secrets (no values) and every reading service's secrets reader role
   * (`serviceSecrets.readerRoles`, the identity External Secrets Operator reads them as: docs/secrets.md).
   * @default undefined when no service reads a secret
   */
  public readonly serviceSecrets?: ServiceSecrets;
  /**
   * The data stores: their key, credentials' secrets (`dataStores.secretArns`, by Secrets Manager name), managed
   * stores with their private zone, and the in-cluster stores' roles (docs/data-stores.md).
   * @default undefined when the platform declares no data store
   */
  public readonly dataStores?: PlatformDataStores;
  /**
   * The platform's container registry, created by the stack of the first environment in the registry's account and
   * region (`platform.registryEnvironment()`); other environments pull from it.
   * @default undefined in every other environment's stack
   */
  public readonly registry?: ContainerRegistry;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    const { platform } = props;
    // resolves through the model, so an environment the platform does not have fails here
    const env = platform.environment(props.environment.name);
    this.platform = platform;
    this.environment = env;

    this.provider = new AwsProvider(this, 'aws', {
      region: env.region,
      allowedAccountIds: [env.accountId],
      defaultTags: [{ tags: sortedRecord({ ...platform.tags, ...(env.tags ?? {}), Environment: env.name }) }],
    });
    this.remoteState = addRemoteStateBackend(this, platform.name, env);

    const name = `${platform.name}-${env.name}`;
    const logRetentionDays = env.logRetentionDays ?? 90;
    this.logsKey = new KmsKey(this, 'LogsKey', {
      alias: `${name}-logs`,
      description: `CloudWatch log groups of ${name}`,
      allowServicePrincipals: [`logs.${env.region}.amazonaws.com`],
      accountId: env.accountId,
      partition: arnPartition(env.region),
    });
    this.network = env.existingVpc ? Network.fromAttributes(this, 'Network', { ...env.existingVpc, availabilityZones: env.availabilityZones }) : new Network(this, 'Network', {
      clusterName: name,
      cidr: env.vpcCidr,
      availabilityZones: env.availabilityZones,
      singleNatGateway: env.singleNatGateway ?? false,
      flowLogRetentionDays: logRetentionDays,
      flowLogsKmsKey: this.logsKey,
      accountId: env.accountId,
    });
    const endpointServices = platform.interfaceEndpointsOf(env);
    if (endpointServices.length > 0) {
      this.awsEndpoints = new AwsServiceEndpoints(this, 'AwsEndpoints', { network: this.network, vpcCidr: env.vpcCidr, services: endpointServices, namePrefix: name });
    }
    this.cluster = new EksCluster(this, 'Cluster', {
      platformName: platform.name,
      environmentName: env.name,
      accountId: env.accountId,
      kubernetesVersion: env.kubernetesVersion,
      extendedSupport: env.kubernetesExtendedSupport ?? false,
      serviceIpv4Cidr: kubernetesServiceCidrOf(env),
      network: this.network,
      adminRoleArns: env.clusterAdminRoleArns ?? [],
      publicAccessCidrs: env.publicApiAccessCidrs ?? [],
      logRetentionDays,
      logsKmsKey: this.logsKey,
    });
    this.nodeGroups = new NodeGroups(this, 'NodeGroups', {
      cluster: this.cluster,
      network: this.network,
      nodeGroups: env.nodeGroups,
    });
    this.cluster.addonsRequireNodes(...Object.values(this.nodeGroups.nodeGroups));
    this.clusterAutoscalerRole = new ClusterAutoscalerRole(this, 'ClusterAutoscalerRole', { cluster: this.cluster });

    const serviceRoles: Record<string, ServiceAccountRole> = {};
    const rolesScope = new Construct(this, 'ServiceRoles');
    for (const service of platform.services) {
      const expectedArn = platform.serviceRoleArn(env, service);
      if (expectedArn === undefined) {
        continue;
      }
      const role = new ServiceAccountRole(rolesScope, `${service.namespace}-${service.name}`, {
        platformName: platform.name,
        environmentName: env.name,
        accountId: env.accountId,
        namespace: service.namespace,
        serviceAccount: serviceAccountName(service),
        oidcProviderArn: this.cluster.oidcProviderArn,
        oidcIssuer: this.cluster.oidcIssuer,
        statements: service.awsPermissions ?? [],
        partition: this.cluster.partition,
      });
      if (role.expectedRoleArn !== expectedArn) {
        // both sides derive the ARN from lib/model/names.ts; a difference is a bug here, not bad input
        throw new Error(`${role.node.path}: role ARN ${role.expectedRoleArn} differs from the model's ${expectedArn}`);
      }
      serviceRoles[qualifiedName(service)] = role;
    }
    this.serviceRoles = serviceRoles;
    this.backups = new PlatformBackups(this, 'Backups', { platform, environment: env, cluster: this.cluster, provider: this.provider });
    if (platform.dataStores.length > 0) {
      this.dataStores = new PlatformDataStores(this, 'DataStores', { platform, environment: env, network: this.network, cluster: this.cluster, backupBucket: this.backups.bucket });
    }
    if (platform.services.some((s) => platform.secretsOf(env, s).length > 0)) {
      // own secrets created here, data stores' read from their construct: each reader's role gets exactly its secrets
      const dataStores = this.dataStores;
      const otherSecrets = dataStores ? new Map([...dataStores.secretArns].map(([name, arn]) => [name, { arn, kmsKeyArn: dataStores.key.keyArn }])) : undefined;
      // and each reader gets a role of its own (`<service>-secrets`), apart from the role of the service's pods
      this.serviceSecrets = new ServiceSecrets(this, 'ServiceSecrets', { platform, environment: env, oidcProviderArn: this.cluster.oidcProviderArn, oidcIssuer: this.cluster.oidcIssuer, otherSecrets });
    }

    new TerraformOutput(this, 'cluster_name', { value: this.cluster.clusterName });
    new TerraformOutput(this, 'vpc_id', { value: this.network.vpcId });
    new TerraformOutput(this, 'oidc_provider_arn', { value: this.cluster.oidcProviderArn });
    new TerraformOutput(this, 'cluster_autoscaler_role_arn', { value: this.clusterAutoscalerRole.roleArn });

    if (platform.registryEnvironment()?.name === env.name) {
      this.registry = ContainerRegistry.fromPlatform(this, 'ContainerRegistry', platform);
    }
    this.addOutputs();
  }

  /**
   * What operators and the Kubernetes side read: the cluster's endpoint, ARN and OIDC issuer, every service role's ARN
   * (`service_role_arn_<namespace>_<service>`), the backup access-log bucket, the registry's host and every
   * repository's URL (`repository_url_<namespace>_<service>`; a literal from the model, the same in every stack).
   */
  private addOutputs(): void {
    const out = (name: string, value: string, description: string) => new TerraformOutput(this, name, { value, description });
    out('cluster_endpoint', this.cluster.endpoint, 'The URL of the EKS API endpoint');
    out('cluster_arn', this.cluster.clusterArn, 'The ARN of the EKS cluster');
    out('oidc_issuer', this.cluster.oidcIssuer, 'The OIDC issuer of the cluster, without https:// (the prefix of IRSA trust conditions)');
    for (const [key, role] of Object.entries(this.serviceRoles).sort(([a], [b]) => a.localeCompare(b))) {
      out(`service_role_arn_${key.replace('/', '_')}`, role.roleArn, `The IAM role of service account ${key}`);
    }
    out('backup_access_log_bucket', this.backups.bucket.accessLogBucket.bucketName, 'The bucket of the backup bucket\'s S3 server access logs');
    out('container_registry', this.platform.registry.host, 'The host of the platform\'s ECR registry');
    for (const service of [...this.platform.services].sort((a, b) => qualifiedName(a).localeCompare(qualifiedName(b)))) {
      const url = this.registry ? this.registry.repositoryOf(service).resource.repositoryUrl : this.platform.repositoryUrl(service);
      out(`repository_url_${service.namespace}_${service.name}`, url, `The ECR repository of ${qualifiedName(service)}`);
    }
  }
}

function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
