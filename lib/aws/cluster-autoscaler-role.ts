/**
 * The cluster autoscaler's IAM role, bound to `kube-system/cluster-autoscaler` through IRSA, with
 * least privilege: read-only describe actions (which IAM does not scope to resources), and the
 * mutating actions only on Auto Scaling groups tagged as owned by this cluster.
 */
import { Construct } from 'constructs';
import type { PolicyStatement } from './_iam';
import type { EksCluster } from './eks-cluster';
import { ServiceAccountRole } from './service-account-role';

/** Options for a {@link ClusterAutoscalerRole}. */
export interface ClusterAutoscalerRoleProps {
  /** The cluster whose node groups the autoscaler scales. */
  readonly cluster: EksCluster;
  /**
   * The autoscaler's namespace.
   * @default 'kube-system'
   */
  readonly namespace?: string;
  /**
   * The autoscaler's service account.
   * @default 'cluster-autoscaler'
   */
  readonly serviceAccount?: string;
}

/** The read-only actions the autoscaler needs; AWS does not support resource-level scoping for them. */
export const CLUSTER_AUTOSCALER_DESCRIBE_ACTIONS: readonly string[] = [
  'autoscaling:DescribeAutoScalingGroups',
  'autoscaling:DescribeAutoScalingInstances',
  'autoscaling:DescribeLaunchConfigurations',
  'autoscaling:DescribeScalingActivities',
  'autoscaling:DescribeTags',
  'ec2:DescribeImages',
  'ec2:DescribeInstanceTypes',
  'ec2:DescribeLaunchTemplateVersions',
  'ec2:GetInstanceTypesFromInstanceRequirements',
  'eks:DescribeNodegroup',
];

/** The cluster autoscaler's service-account role. */
export class ClusterAutoscalerRole extends Construct {
  /** The underlying service-account role. */
  public readonly serviceAccountRole: ServiceAccountRole;
  /** The role's name. */
  public readonly roleName: string;
  /** The role's ARN. */
  public readonly roleArn: string;
  /** The namespace of the autoscaler. */
  public readonly namespace: string;
  /** The service account of the autoscaler. */
  public readonly serviceAccount: string;

  constructor(scope: Construct, id: string, props: ClusterAutoscalerRoleProps) {
    super(scope, id);
    const cluster = props.cluster;
    this.namespace = props.namespace ?? 'kube-system';
    this.serviceAccount = props.serviceAccount ?? 'cluster-autoscaler';
    const ownedByCluster: PolicyStatement = {
      sid: 'ScaleOwnedGroups',
      actions: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
      resources: ['*'],
      conditions: [{ test: 'StringEquals', variable: `aws:ResourceTag/k8s.io/cluster-autoscaler/${cluster.clusterName}`, values: ['owned'] }],
    };
    this.serviceAccountRole = new ServiceAccountRole(this, 'Resource', {
      platformName: cluster.platformName,
      environmentName: cluster.environmentName,
      accountId: cluster.accountId,
      namespace: this.namespace,
      serviceAccount: this.serviceAccount,
      oidcProviderArn: cluster.oidcProviderArn,
      oidcIssuer: cluster.oidcIssuer,
      partition: cluster.partition,
      statements: [{ actions: CLUSTER_AUTOSCALER_DESCRIBE_ACTIONS, resources: ['*'] }],
      conditionalStatements: [ownedByCluster],
    });
    this.roleName = this.serviceAccountRole.roleName;
    this.roleArn = this.serviceAccountRole.roleArn;
  }
}
