/**
 * The managed node groups of a cluster, spread over the three private subnets: a launch template
 * each with IMDSv2 required (hop limit 1, so pods cannot borrow the node's role), an encrypted gp3
 * root volume and no SSH key; the node IAM role with the AWS managed worker, CNI and ECR read-only
 * policies. The cluster autoscaler owns the desired size after creation.
 */
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Construct } from 'constructs';
import { CapacityType, type NodeGroupConfig } from '../model/environment';
import { isGravitonInstanceType, validateNodeGroupConfigs } from '../model/rules';
import { ValidationError } from '../model/validation';
import { awsManagedPolicyArn, serviceTrustPolicy } from './_iam';
import type { EksCluster } from './eks-cluster';
import { KmsKey } from './kms-key';
import type { INetwork } from './network';

/** The AWS managed policies of the node role. */
export const NODE_ROLE_MANAGED_POLICIES: readonly string[] = ['AmazonEC2ContainerRegistryReadOnly', 'AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy'];

/** Options for {@link NodeGroups}. */
export interface NodeGroupsProps {
  /** The cluster the nodes join. */
  readonly cluster: EksCluster;
  /** The network; nodes go into its three private subnets. */
  readonly network: INetwork;
  /** The node groups, at least one, unique names. */
  readonly nodeGroups: readonly NodeGroupConfig[];
  /**
   * The key that encrypts root volumes. The autoscaling service-linked role gets use of it (EC2 Auto
   * Scaling launches the instances and must be able to create grants on the key).
   * @default a new KmsKey `<cluster>-node-volumes`
   */
  readonly volumeKmsKey?: KmsKey;
  /**
   * Percentage of a group's nodes replaced at once during an update.
   * @default 33
   */
  readonly maxUnavailablePercentage?: number;
}

/** One resolved node group. */
export interface ResolvedNodeGroup extends NodeGroupConfig {
  readonly capacityType: CapacityType;
  readonly diskSizeGiB: number;
  readonly labels: Readonly<Record<string, string>>;
  /** The EKS AMI type, from the instance types' architecture. */
  readonly amiType: string;
}

/** Managed node groups with hardened launch templates and their IAM role. */
export class NodeGroups extends Construct {
  /** The node IAM role. */
  public readonly nodeRole: IamRole;
  /** The key of the root volumes. */
  public readonly volumeKmsKey: KmsKey;
  /** The groups, resolved, in the order given. */
  public readonly groups: readonly ResolvedNodeGroup[];
  /** The node group resources by group name. */
  public readonly nodeGroups: Readonly<Record<string, EksNodeGroup>>;
  /** The launch templates by group name. */
  public readonly launchTemplates: Readonly<Record<string, LaunchTemplate>>;
  /** Sum of the groups' minSize. */
  public readonly totalMinSize: number;
  /** Sum of the groups' maxSize. */
  public readonly totalMaxSize: number;
  /** Percentage of nodes replaced at once. */
  public readonly maxUnavailablePercentage: number;

  constructor(scope: Construct, id: string, props: NodeGroupsProps) {
    super(scope, id);
    const path = this.node.path;
    const cluster = props.cluster;
    this.groups = resolveGroups(path, props.nodeGroups);
    this.totalMinSize = this.groups.reduce((n, g) => n + g.minSize, 0);
    this.totalMaxSize = this.groups.reduce((n, g) => n + g.maxSize, 0);
    this.maxUnavailablePercentage = props.maxUnavailablePercentage ?? 33;
    if (!Number.isInteger(this.maxUnavailablePercentage) || this.maxUnavailablePercentage < 1 || this.maxUnavailablePercentage > 100) {
      throw new ValidationError(path, 'maxUnavailablePercentage', this.maxUnavailablePercentage, 'allowed: a whole number from 1 to 100');
    }

    this.nodeRole = new IamRole(this, 'NodeRole', {
      name: `${cluster.clusterName}-nodes`,
      assumeRolePolicy: serviceTrustPolicy('ec2.amazonaws.com'),
    });
    const attachments = NODE_ROLE_MANAGED_POLICIES.map(
      (name) => new IamRolePolicyAttachment(this, `NodeRole${name}`, { role: this.nodeRole.name, policyArn: awsManagedPolicyArn(name) }),
    );

    this.volumeKmsKey =
      props.volumeKmsKey ??
      new KmsKey(this, 'VolumeKey', {
        alias: `${cluster.clusterName}-node-volumes`,
        description: `Root volumes of the nodes of ${cluster.clusterName}`,
        accountId: cluster.accountId,
      });
    this.volumeKmsKey.allowRole(`arn:aws:iam::${cluster.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`);

    const nodeGroups: Record<string, EksNodeGroup> = {};
    const launchTemplates: Record<string, LaunchTemplate> = {};
    for (const group of this.groups) {
      const groupScope = new Construct(this, group.name);
      const name = `${cluster.clusterName}-${group.name}`;
      const lt = new LaunchTemplate(groupScope, 'LaunchTemplate', {
        name,
        description: `Nodes of ${name}: IMDSv2 only, encrypted gp3 root volume, no SSH key`,
        updateDefaultVersion: true,
        metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 },
        blockDeviceMappings: [
          {
            deviceName: '/dev/xvda',
            ebs: {
              volumeType: 'gp3',
              volumeSize: group.diskSizeGiB,
              encrypted: 'true',
              kmsKeyId: this.volumeKmsKey.keyArn,
              deleteOnTermination: 'true',
            },
          },
        ],
        tagSpecifications: [
          { resourceType: 'instance', tags: { Name: name } },
          { resourceType: 'volume', tags: { Name: name } },
        ],
      });
      launchTemplates[group.name] = lt;
      nodeGroups[group.name] = new EksNodeGroup(groupScope, 'Resource', {
        clusterName: cluster.resource.name,
        nodeGroupName: name,
        nodeRoleArn: this.nodeRole.arn,
        subnetIds: props.network.privateSubnetIds as string[],
        amiType: group.amiType,
        capacityType: group.capacityType,
        instanceTypes: [...group.instanceTypes],
        labels: { ...group.labels },
        // EKS's taint effects are spelled NO_SCHEDULE, PREFER_NO_SCHEDULE, NO_EXECUTE
        taint: group.taints?.length ? group.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() })) : undefined,
        scalingConfig: { minSize: group.minSize, maxSize: group.maxSize, desiredSize: group.desiredSize },
        updateConfig: { maxUnavailablePercentage: this.maxUnavailablePercentage },
        launchTemplate: { id: lt.id, version: `${lt.latestVersion}` },
        tags: {
          'k8s.io/cluster-autoscaler/enabled': 'true',
          [`k8s.io/cluster-autoscaler/${cluster.clusterName}`]: 'owned',
          // what the cluster autoscaler assumes of a node of an empty group (scale from zero); it also reads the
          // group's labels and taints through eks:DescribeNodegroup, which its role has
          ...Object.fromEntries(Object.entries(group.labels).map(([k, v]) => [`k8s.io/cluster-autoscaler/node-template/label/${k}`, v])),
          ...Object.fromEntries((group.taints ?? []).map((t) => [`k8s.io/cluster-autoscaler/node-template/taint/${t.key}`, `${t.value ?? ''}:${t.effect}`])),
        },
        // the cluster autoscaler owns the desired size once the group exists
        lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'] },
        dependsOn: attachments,
      });
    }
    this.nodeGroups = nodeGroups;
    this.launchTemplates = launchTemplates;
  }
}

function resolveGroups(path: string, groups: readonly NodeGroupConfig[]): ResolvedNodeGroup[] {
  validateNodeGroupConfigs(path, 'nodeGroups', groups);
  return groups.map((g) => ({
    ...g,
    capacityType: g.capacityType ?? CapacityType.ON_DEMAND,
    diskSizeGiB: g.diskSizeGiB ?? 50,
    labels: g.labels ?? {},
    amiType: isGravitonInstanceType(g.instanceTypes[0]) ? 'AL2023_ARM_64_STANDARD' : 'AL2023_x86_64_STANDARD',
  }));
}
