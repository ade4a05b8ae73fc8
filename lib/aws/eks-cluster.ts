/**
 * An EKS control plane: pinned Kubernetes version, private API endpoint, secrets encrypted with a
 * rotating customer key, all control-plane logs in an encrypted log group with retention,
 * access entries for named admin roles, an IAM OIDC provider for service-account roles, and the
 * core add-ons at pinned versions.
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { DataAwsEksAddonVersion } from '@cdktf/provider-aws/lib/data-aws-eks-addon-version';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Annotations, Fn, dependable, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { DEFAULT_KUBERNETES_SERVICE_CIDR, kubernetesServiceCidrProblem } from '../model/cidr';
import { kubernetesVersionWarning } from '../model/kubernetes-versions';
import { clusterName as clusterNameOf } from '../model/names';
import { arnPartition, type AwsPartition } from '../model/partition';
import { requireAccountId, requireRoleArn, validatePublicAccessCidrs } from '../model/rules';
import { ValidationError } from '../model/validation';
import { addonVersionsFor, CoreAddon, EKS_DEFAULT_ADDON_VERSION, type AddonVersions } from './addon-versions';
import { awsManagedPolicyArn, serviceTrustPolicy } from './_iam';
import { KmsKey } from './kms-key';
import { requireLogRetention, type INetwork } from './network';
import { ServiceAccountRole } from './service-account-role';

/** The five control-plane log types, all enabled. */
export const CLUSTER_LOG_TYPES: readonly string[] = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

/** The EKS access policy that makes a principal cluster admin, in partition `aws`; see {@link clusterAdminAccessPolicyArn}. */
export const CLUSTER_ADMIN_ACCESS_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

/** The ARN of the EKS access policy that makes a principal cluster admin, in a partition. */
export function clusterAdminAccessPolicyArn(partition: AwsPartition): string {
  return `arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`;
}

/** The VPC CNI add-on's configuration: its network policy agent enforces Kubernetes NetworkPolicies. */
export const VPC_CNI_CONFIGURATION: Readonly<Record<string, string>> = { enableNetworkPolicy: 'true' };

/** What EKS does when the Kubernetes version leaves standard support (the cluster's `upgrade_policy`). */
export enum SupportType {
  /** EKS upgrades the control plane to the next version when standard support ends: no extended-support charge. */
  STANDARD = 'STANDARD',
  /** The cluster stays on its version for up to 12 more months, billed per cluster hour. */
  EXTENDED = 'EXTENDED',
}

/** Options for an {@link EksCluster}. */
export interface EksClusterProps {
  /** The platform's name; the cluster is called `<platform>-<environment>`. */
  readonly platformName: string;
  /** The environment's name. */
  readonly environmentName: string;
  /** The AWS account id, 12 digits. */
  readonly accountId: string;
  /** The pinned Kubernetes minor version, one of `SUPPORTED_KUBERNETES_VERSIONS`. */
  readonly kubernetesVersion: string;
  /** The network; the control plane's interfaces go into its intra subnets. */
  readonly network: INetwork;
  /**
   * IAM role ARNs that get a cluster-admin access entry.
   * @default [] (then nobody has access until an access entry is added: the creator gets none)
   */
  readonly adminRoleArns?: readonly string[];
  /**
   * CIDRs allowed to reach a public API endpoint. Any CIDR turns the public endpoint on; a /0 is refused.
   * @default [] : the API endpoint is private only
   */
  readonly publicAccessCidrs?: readonly string[];
  /**
   * Days CloudWatch keeps the control-plane logs.
   * @default 90
   */
  readonly logRetentionDays?: number;
  /**
   * The key of the control-plane log group; it must let `logs.<region>.amazonaws.com` use it.
   * @default a new KmsKey `<cluster>-eks-logs`
   */
  readonly logsKmsKey?: KmsKey;
  /**
   * Add-on versions that differ from the table of the Kubernetes version.
   * @default {} : every add-on at the version of `ADDON_VERSIONS[kubernetesVersion]`
   */
  readonly addonVersionOverrides?: Partial<Record<CoreAddon, string>>;
  /**
   * Keep the Kubernetes version in EKS extended support (billed per cluster hour) after standard support ends,
   * instead of letting EKS upgrade the control plane: `upgrade_policy.support_type = "EXTENDED"`.
   * @default false: `support_type = "STANDARD"`
   */
  readonly extendedSupport?: boolean;
  /**
   * The day against which the Kubernetes version's support dates are checked (a warning annotation, printed at
   * synth, never written to the Terraform JSON).
   * @default the day of the synth (`Date.now()`)
   */
  readonly supportCheckDate?: Date;
  /**
   * The block Services get their ClusterIPs from: `kubernetes_network_config.service_ipv4_cidr` (EKS fixes it at
   * creation). Its first address is the `kubernetes` Service's ClusterIP, which NetworkPolicies of API clients open.
   * @default DEFAULT_KUBERNETES_SERVICE_CIDR (172.20.0.0/16)
   */
  readonly serviceIpv4Cidr?: string;
}

/** An EKS cluster with its IAM role, keys, log group, access entries, OIDC provider and core add-ons. */
export class EksCluster extends Construct {
  /** The cluster resource. */
  public readonly resource: EksClusterResource;
  /** `<platform>-<environment>`. */
  public readonly clusterName: string;
  /** The platform's name. */
  public readonly platformName: string;
  /** The environment's name. */
  public readonly environmentName: string;
  /** The AWS account id. */
  public readonly accountId: string;
  /** The region of the network. */
  public readonly region: string;
  /** The ARN partition of the region (`aws`, `aws-us-gov`, `aws-cn`, `aws-eusc`). */
  public readonly partition: AwsPartition;
  /** The upgrade policy: STANDARD unless `extendedSupport` is set. */
  public readonly supportType: SupportType;
  /** The support warning of the Kubernetes version on `supportCheckDate`, if any (also added as a warning annotation). */
  public readonly kubernetesVersionWarning?: string;
  /** The cluster's ARN. */
  public readonly clusterArn: string;
  /** The pinned Kubernetes version. */
  public readonly kubernetesVersion: string;
  /** The service CIDR (`kubernetes_network_config.service_ipv4_cidr`). */
  public readonly serviceIpv4Cidr: string;
  /** Whether the public API endpoint is on (only with an allow-list). */
  public readonly endpointPublicAccess: boolean;
  /** The CIDRs allowed to reach the public endpoint, empty when it is off. */
  public readonly publicAccessCidrs: readonly string[];
  /** Days the control-plane logs are kept. */
  public readonly logRetentionDays: number;
  /** The roles with a cluster-admin access entry, sorted. */
  public readonly adminRoleArns: readonly string[];
  /** The add-on versions installed. */
  public readonly addonVersions: AddonVersions;
  /** The key that encrypts Kubernetes secrets. */
  public readonly secretsKey: KmsKey;
  /** The key of the control-plane log group. */
  public readonly logsKmsKey: KmsKey;
  /** The cluster's IAM role. */
  public readonly clusterRole: IamRole;
  /** The ARN of the cluster's IAM OIDC provider. */
  public readonly oidcProviderArn: string;
  /** The OIDC issuer without `https://`, as IAM condition keys use it. */
  public readonly oidcIssuer: string;
  /** The security group EKS creates for the control plane and managed nodes. */
  public readonly clusterSecurityGroupId: string;
  /** The API endpoint URL. */
  public readonly endpoint: string;
  /** The add-ons by name. */
  public readonly addons: Readonly<Record<CoreAddon, EksAddon>>;
  /** The EBS CSI driver's service-account role. */
  public readonly ebsCsiDriverRole: ServiceAccountRole;

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    const path = this.node.path;
    this.clusterName = clusterNameOf(props.platformName, props.environmentName);
    this.platformName = props.platformName;
    this.environmentName = props.environmentName;
    this.accountId = props.accountId;
    this.region = props.network.region;
    this.partition = arnPartition(this.region);
    requireAccountId(path, 'accountId', props.accountId);
    this.kubernetesVersion = props.kubernetesVersion;
    this.serviceIpv4Cidr = props.serviceIpv4Cidr ?? DEFAULT_KUBERNETES_SERVICE_CIDR;
    // the VPC's CIDR is not on INetwork: PlatformStack's model validation checks the overlap
    const serviceCidrProblem = kubernetesServiceCidrProblem(this.serviceIpv4Cidr);
    if (serviceCidrProblem !== undefined) {
      throw new ValidationError(path, 'serviceIpv4Cidr', this.serviceIpv4Cidr, serviceCidrProblem);
    }
    const table = addonVersionsFor(path, 'kubernetesVersion', props.kubernetesVersion);
    this.addonVersions = { ...table, ...(props.addonVersionOverrides ?? {}) };
    this.supportType = props.extendedSupport ? SupportType.EXTENDED : SupportType.STANDARD;
    // a warning goes to the synth's output only: the Terraform JSON does not depend on the day
    this.kubernetesVersionWarning = kubernetesVersionWarning(props.kubernetesVersion, props.supportCheckDate ?? new Date(Date.now()), props.extendedSupport ?? false);
    if (this.kubernetesVersionWarning !== undefined) {
      Annotations.of(this).addWarning(this.kubernetesVersionWarning);
    }
    this.logRetentionDays = props.logRetentionDays ?? 90;
    requireLogRetention(path, 'logRetentionDays', this.logRetentionDays);
    this.publicAccessCidrs = [...(props.publicAccessCidrs ?? [])].sort();
    validatePublicAccessCidrs(path, 'publicAccessCidrs', this.publicAccessCidrs);
    this.endpointPublicAccess = this.publicAccessCidrs.length > 0;
    this.adminRoleArns = [...new Set(props.adminRoleArns ?? [])].sort();
    for (const arn of this.adminRoleArns) {
      requireRoleArn(path, 'adminRoleArns', arn);
    }
    const region = this.region;
    const partition = this.partition;

    this.clusterRole = new IamRole(this, 'ClusterRole', {
      name: `${this.clusterName}-cluster`,
      assumeRolePolicy: serviceTrustPolicy('eks.amazonaws.com'),
    });
    const clusterPolicy = new IamRolePolicyAttachment(this, 'ClusterRolePolicy', {
      role: this.clusterRole.name,
      policyArn: awsManagedPolicyArn('AmazonEKSClusterPolicy', partition),
    });

    this.secretsKey = new KmsKey(this, 'SecretsKey', {
      alias: `${this.clusterName}-eks-secrets`,
      description: `Envelope encryption of Kubernetes secrets in ${this.clusterName}`,
      allowRoleArns: [this.clusterRole.arn],
      accountId: props.accountId,
      partition,
    });
    this.logsKmsKey =
      props.logsKmsKey ??
      new KmsKey(this, 'LogsKey', {
        alias: `${this.clusterName}-eks-logs`,
        description: `Control-plane logs of ${this.clusterName}`,
        allowServicePrincipals: [`logs.${region}.amazonaws.com`],
        accountId: props.accountId,
        partition,
      });
    // pre-created so that retention and encryption apply from the first log line
    const logGroup = new CloudwatchLogGroup(this, 'LogGroup', {
      name: `/aws/eks/${this.clusterName}/cluster`,
      retentionInDays: this.logRetentionDays,
      kmsKeyId: this.logsKmsKey.keyArn,
    });

    this.resource = new EksClusterResource(this, 'Resource', {
      name: this.clusterName,
      version: this.kubernetesVersion,
      roleArn: this.clusterRole.arn,
      vpcConfig: {
        subnetIds: props.network.intraSubnetIds as string[],
        endpointPrivateAccess: true,
        endpointPublicAccess: this.endpointPublicAccess,
        ...(this.endpointPublicAccess ? { publicAccessCidrs: this.publicAccessCidrs as string[] } : {}),
      },
      // explicit, not EKS's pick (172.20.0.0/16 or 10.100.0.0/16 by the VPC's range): NetworkPolicies open its first address
      kubernetesNetworkConfig: { serviceIpv4Cidr: this.serviceIpv4Cidr, ipFamily: 'ipv4' },
      encryptionConfig: { resources: ['secrets'], provider: { keyArn: this.secretsKey.keyArn } },
      enabledClusterLogTypes: [...CLUSTER_LOG_TYPES],
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
      // the core add-ons are installed below as managed add-ons at pinned versions
      bootstrapSelfManagedAddons: false,
      // explicit: the EKS API defaults to EXTENDED, which bills extended support without anyone choosing it
      upgradePolicy: { supportType: this.supportType },
      dependsOn: [logGroup, clusterPolicy],
    });
    this.clusterArn = this.resource.arn;
    this.endpoint = this.resource.endpoint;
    this.clusterSecurityGroupId = this.resource.vpcConfig.clusterSecurityGroupId;

    const admins = new Construct(this, 'Admins');
    for (const arn of this.adminRoleArns) {
      const adminScope = new Construct(admins, arn.slice(arn.indexOf(':role/') + 6).replace(/\//g, '-'));
      const entry = new EksAccessEntry(adminScope, 'AccessEntry', { clusterName: this.resource.name, principalArn: arn, type: 'STANDARD' });
      new EksAccessPolicyAssociation(adminScope, 'ClusterAdmin', {
        clusterName: this.resource.name,
        principalArn: arn,
        policyArn: clusterAdminAccessPolicyArn(partition),
        accessScope: { type: 'cluster' },
        dependsOn: [entry],
      });
    }

    // No thumbprint: provider 6.x makes thumbprint_list optional, and IAM trusts the EKS OIDC
    // endpoints through its own root CA library.
    const oidc = new IamOpenidConnectProvider(this, 'OidcProvider', {
      url: this.resource.identity.get(0).oidc.get(0).issuer,
      clientIdList: ['sts.amazonaws.com'],
    });
    this.oidcProviderArn = oidc.arn;
    this.oidcIssuer = Fn.replace(oidc.url, 'https://', '');

    this.ebsCsiDriverRole = new ServiceAccountRole(this, 'EbsCsiDriverRole', {
      platformName: props.platformName,
      environmentName: props.environmentName,
      accountId: props.accountId,
      namespace: 'kube-system',
      serviceAccount: 'ebs-csi-controller-sa',
      oidcProviderArn: this.oidcProviderArn,
      oidcIssuer: this.oidcIssuer,
      partition,
      statements: [],
      managedPolicyArns: [awsManagedPolicyArn('service-role/AmazonEBSCSIDriverPolicy', partition)],
    });

    const addonScope = new Construct(this, 'Addons');
    const addons = {} as Record<CoreAddon, EksAddon>;
    for (const name of Object.values(CoreAddon)) {
      addons[name] = new EksAddon(addonScope, name, {
        clusterName: this.resource.name,
        addonName: name,
        addonVersion: this.addonVersions[name] === EKS_DEFAULT_ADDON_VERSION
          ? new DataAwsEksAddonVersion(addonScope, `${name}-default-version`, { addonName: name, kubernetesVersion: this.kubernetesVersion, mostRecent: false }).version
          : this.addonVersions[name],
        resolveConflictsOnCreate: 'OVERWRITE',
        resolveConflictsOnUpdate: 'OVERWRITE',
        ...(name === CoreAddon.EBS_CSI_DRIVER ? { serviceAccountRoleArn: this.ebsCsiDriverRole.roleArn } : {}),
        // the network policy agent of the VPC CNI enforces NetworkPolicies (lib/k8s writes them)
        ...(name === CoreAddon.VPC_CNI ? { configurationValues: JSON.stringify(VPC_CNI_CONFIGURATION) } : {}),
      });
    }
    this.addons = addons;
  }

  /**
   * Makes the add-ons that run as pods on nodes (coredns, aws-ebs-csi-driver) wait for the given
   * node groups: without nodes they never become active.
   */
  public addonsRequireNodes(...nodeGroups: ITerraformDependable[]): void {
    for (const name of [CoreAddon.COREDNS, CoreAddon.EBS_CSI_DRIVER, CoreAddon.METRICS_SERVER, CoreAddon.SNAPSHOT_CONTROLLER]) {
      const addon = this.addons[name];
      addon.dependsOn = [...new Set([...(addon.dependsOn ?? []), ...nodeGroups.map((n) => dependable(n))])];
    }
  }
}
