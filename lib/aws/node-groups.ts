/**
 * The managed node groups of a cluster: each configured group becomes one EKS managed node group per
 * availability zone (`<cluster>-<group>-<zone letter>`, in that zone's private subnet), sharing one launch
 * template with IMDSv2 required (hop limit 1, so pods cannot borrow the node's role), an encrypted gp3
 * root volume and no SSH key; the node IAM role with the AWS managed worker, CNI and ECR read-only
 * policies. The cluster autoscaler owns the desired size after creation.
 *
 * Why one group per zone: an Auto Scaling group over three zones lets the cluster autoscaler add a node in
 * whatever zone EC2 picks, so a pending pod bound to a zone (an EBS volume, a zone spread constraint) may
 * never get its node, and AZ rebalancing terminates nodes behind the autoscaler's back. With one group per
 * zone, run the cluster autoscaler with `--balance-similar-node-groups`: the zonal groups of a configured
 * group have the same instance types, labels, taints and launch template, so it treats them as similar
 * (it ignores the per-group label `eks.amazonaws.com/nodegroup` and the zone labels) and keeps their sizes
 * balanced. `nodeGroupNames` lists the EKS names for whoever installs it.
 */
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Construct } from 'constructs';
import { CapacityType, type NodeGroupConfig } from '../model/environment';
import { iamRoleArn } from '../model/names';
import { zonalNodeGroupsOf, type ZonalNodeGroup } from '../model/zonal-node-groups';
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

/** EKS allows this many characters in a node group's name. */
export const EKS_NODE_GROUP_NAME_MAX = 63;

export { splitAcrossZones, type ZonalNodeGroup } from '../model/zonal-node-groups';

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
  /** The EKS node group resources, one per group and zone, keyed `<group>-<zone letter>` (e.g. `general-a`). */
  public readonly nodeGroups: Readonly<Record<string, EksNodeGroup>>;
  /** The zonal node groups, by configured group then zone order. */
  public readonly zonalGroups: readonly ZonalNodeGroup[];
  /**
   * The EKS node group names, `<cluster>-<group>-<zone letter>`, in the order of `zonalGroups`: what the cluster
   * autoscaler (with `--balance-similar-node-groups`) or a dashboard needs.
   */
  public readonly nodeGroupNames: readonly string[];
  /** The launch templates by group name (one per configured group, shared by its zonal node groups). */
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
    const zones = props.network.availabilityZones;
    if (props.network.privateSubnetIds.length !== zones.length) {
      throw new ValidationError(path, 'network.privateSubnetIds', props.network.privateSubnetIds, `allowed: one private subnet per zone (${zones.length})`);
    }
    for (const group of this.groups) {
      if (group.maxSize < zones.length) {
        throw new ValidationError(path, `nodeGroups.${group.name}.maxSize`, group.maxSize, `allowed: at least ${zones.length}, one node per zone (each group becomes one EKS node group per zone, and EKS needs a maxSize of 1 or more in each)`);
      }
    }
    const zonalGroups = zonalNodeGroupsOf(cluster.clusterName, this.groups, zones);
    for (const z of zonalGroups) {
      if (z.name.length > EKS_NODE_GROUP_NAME_MAX) {
        throw new ValidationError(path, `nodeGroups.${z.group}.name`, z.group, `allowed: a name that keeps the EKS node group name <cluster>-<group>-<zone letter> (${z.name}) at most ${EKS_NODE_GROUP_NAME_MAX} characters, here at most ${EKS_NODE_GROUP_NAME_MAX - (z.name.length - z.group.length)}`);
      }
    }
    this.zonalGroups = zonalGroups;
    this.nodeGroupNames = zonalGroups.map((z) => z.name);
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
      (name) => new IamRolePolicyAttachment(this, `NodeRole${name}`, { role: this.nodeRole.name, policyArn: awsManagedPolicyArn(name, cluster.partition) }),
    );

    this.volumeKmsKey =
      props.volumeKmsKey ??
      new KmsKey(this, 'VolumeKey', {
        alias: `${cluster.clusterName}-node-volumes`,
        description: `Root volumes of the nodes of ${cluster.clusterName}`,
        accountId: cluster.accountId,
        partition: cluster.partition,
      });
    // EC2 Auto Scaling launches the nodes with this role, which AWS creates on first use: a new account does not
    // have it yet when the key policy is written, so the key matches it by condition instead of naming it
    this.volumeKmsKey.allowServiceLinkedRole(iamRoleArn(cluster.accountId, 'aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling', cluster.partition));

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
      for (const zonal of zonalGroups.filter((z) => z.group === group.name)) {
        const zoneIndex = zones.indexOf(zonal.zone);
        nodeGroups[`${group.name}-${zonal.zone.slice(-1)}`] = new EksNodeGroup(new Construct(groupScope, zonal.zone), 'Resource', {
          clusterName: cluster.resource.name,
          nodeGroupName: zonal.name,
          nodeRoleArn: this.nodeRole.arn,
          subnetIds: [props.network.privateSubnetIds[zoneIndex]],
          amiType: group.amiType,
          capacityType: group.capacityType,
          instanceTypes: [...group.instanceTypes],
          labels: { ...group.labels },
          // EKS's taint effects are spelled NO_SCHEDULE, PREFER_NO_SCHEDULE, NO_EXECUTE
          taint: group.taints?.length ? group.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() })) : undefined,
          scalingConfig: { minSize: zonal.minSize, maxSize: zonal.maxSize, desiredSize: zonal.desiredSize },
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
