import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { Testing } from 'cdktf';
import type {} from 'cdktf/lib/testing/adapters/jest';
import { Construct } from 'constructs';
import { ClusterAutoscalerRole } from '../../lib/aws/cluster-autoscaler-role';
import { EksCluster } from '../../lib/aws/eks-cluster';
import { Network } from '../../lib/aws/network';
import { NodeGroups, splitAcrossZones } from '../../lib/aws/node-groups';
import { checkTerraformStack } from '../../lib/policy/terraform-rules';
import { CapacityType, TaintEffect, type NodeGroupConfig } from '../../lib/model/environment';

type Body = Record<string, unknown>;

function build(scope: Construct, nodeGroups: readonly NodeGroupConfig[], platformName = 'shop', environmentName = 'prod'): NodeGroups {
  const network = new Network(scope, 'Network', { clusterName: `${platformName}-${environmentName}`, cidr: '10.30.0.0/16', availabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'], accountId: '333333333333' });
  const cluster = new EksCluster(scope, 'Cluster', { platformName, environmentName, accountId: '333333333333', kubernetesVersion: '1.33', network, supportCheckDate: new Date('2026-01-15T00:00:00Z') });
  new ClusterAutoscalerRole(scope, 'ClusterAutoscalerRole', { cluster });
  return new NodeGroups(scope, 'NodeGroups', { cluster, network, nodeGroups });
}

const general: NodeGroupConfig = { name: 'general', instanceTypes: ['m6i.2xlarge'], minSize: 3, maxSize: 9, desiredSize: 3 };

describe('NodeGroups', () => {
  let synth: string;
  let resources: Record<string, Record<string, Body>>;
  let groups: NodeGroups;
  beforeAll(() => {
    synth = Testing.synthScope((scope) => {
      groups = build(scope, [general, { name: 'arm', instanceTypes: ['m7g.xlarge', 'c7g.xlarge'], minSize: 0, maxSize: 4, desiredSize: 1, capacityType: CapacityType.SPOT, diskSizeGiB: 100 }]);
    });
    resources = (JSON.parse(synth) as { resource: typeof resources }).resource;
  });

  it('makes one node group per group and zone, each in its zone\'s private subnet, with the sizes split so the totals hold', () => {
    const byName = Object.fromEntries(Object.values(resources.aws_eks_node_group).map((g) => [g.node_group_name as string, g]));
    expect(Object.keys(byName).sort()).toEqual(['shop-prod-arm-a', 'shop-prod-arm-b', 'shop-prod-arm-c', 'shop-prod-general-a', 'shop-prod-general-b', 'shop-prod-general-c']);
    ['a', 'b', 'c'].forEach((zone, i) => {
      expect(byName[`shop-prod-general-${zone}`].subnet_ids).toEqual([expect.stringContaining(`Network_eu-central-1${zone}_PrivateSubnet`)]);
      expect(byName[`shop-prod-general-${zone}`].scaling_config).toEqual({ min_size: 1, max_size: 3, desired_size: 1 });
      // arm: min 0, desired 1, max 4 over three zones
      expect(byName[`shop-prod-arm-${zone}`].scaling_config).toEqual({ min_size: 0, max_size: [2, 1, 1][i], desired_size: [1, 0, 0][i] });
    });
    expect(synth).toHaveResourceWithProperties(EksNodeGroup, {
      node_group_name: 'shop-prod-general-a',
      lifecycle: { ignore_changes: ['scaling_config[0].desired_size'] },
      ami_type: 'AL2023_x86_64_STANDARD',
      capacity_type: 'ON_DEMAND',
    });
    expect(synth).toHaveResourceWithProperties(EksNodeGroup, { node_group_name: 'shop-prod-arm-c', ami_type: 'AL2023_ARM_64_STANDARD', capacity_type: 'SPOT' });
    expect(groups.totalMinSize).toBe(3);
    expect(groups.totalMaxSize).toBe(13);
    const sum = (key: string) => Object.values(resources.aws_eks_node_group).reduce((n, g) => n + (g.scaling_config as Record<string, number>)[key], 0);
    expect([sum('min_size'), sum('max_size'), sum('desired_size')]).toEqual([3, 13, 4]);
  });

  it('lists the EKS node group names for the cluster autoscaler and keys the resources by group and zone', () => {
    expect(groups.nodeGroupNames).toEqual(['shop-prod-general-a', 'shop-prod-general-b', 'shop-prod-general-c', 'shop-prod-arm-a', 'shop-prod-arm-b', 'shop-prod-arm-c']);
    expect(Object.keys(groups.nodeGroups)).toEqual(['general-a', 'general-b', 'general-c', 'arm-a', 'arm-b', 'arm-c']);
    expect(groups.zonalGroups[2]).toEqual({ group: 'general', zone: 'eu-central-1c', name: 'shop-prod-general-c', minSize: 1, maxSize: 3, desiredSize: 1 });
  });

  it('shares one launch template between the zonal groups of a group, so the autoscaler sees them as similar', () => {
    const general = Object.values(resources.aws_eks_node_group).filter((g) => String(g.node_group_name).startsWith('shop-prod-general-'));
    expect(new Set(general.map((g) => JSON.stringify(g.launch_template))).size).toBe(1);
    expect(new Set(general.map((g) => JSON.stringify([g.instance_types, g.labels, g.taint, g.tags]))).size).toBe(1);
    expect(Object.keys(resources.aws_launch_template)).toHaveLength(2);
  });

  it('splits sizes over zones, the first zones taking the remainder', () => {
    expect(splitAcrossZones(20, 3)).toEqual([7, 7, 6]);
    expect(splitAcrossZones(200, 3)).toEqual([67, 67, 66]);
    expect(splitAcrossZones(1, 3)).toEqual([1, 0, 0]);
    expect(splitAcrossZones(0, 3)).toEqual([0, 0, 0]);
  });

  it('tags node groups for cluster-autoscaler auto-discovery and gives no SSH access', () => {
    for (const g of Object.values(resources.aws_eks_node_group)) {
      expect(g.tags).toEqual({ 'k8s.io/cluster-autoscaler/enabled': 'true', 'k8s.io/cluster-autoscaler/shop-prod': 'owned' });
      expect(g.remote_access).toBeUndefined();
    }
  });

  it('uses launch templates with IMDSv2 required, hop limit 1 and encrypted gp3 volumes of the configured size', () => {
    const lts = Object.values(resources.aws_launch_template);
    expect(lts.map((lt) => lt.metadata_options)).toEqual([
      { http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 },
      { http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 },
    ]);
    const sizes = lts.map((lt) => ((lt.block_device_mappings as Body[])[0].ebs as Body).volume_size).sort();
    expect(sizes).toEqual([100, 50]);
  });

  it('lets the autoscaling service-linked role use the volume key without naming it as a principal', () => {
    const key = Object.entries(resources.aws_kms_key).find(([id]) => id.includes('VolumeKey'))?.[1];
    const doc = JSON.parse(String(key?.policy)) as { Statement: Array<{ Sid?: string; Principal?: Record<string, unknown>; Condition?: Record<string, Record<string, unknown>> }> };
    const slr = 'arn:aws:iam::333333333333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling';
    expect(doc.Statement.flatMap((st) => Object.values(st.Principal ?? {}).flat())).not.toContain(slr);
    for (const sid of ['ServiceLinkedRolesUseKey', 'ServiceLinkedRolesGrantToAwsResources']) {
      const st = doc.Statement.find((x) => x.Sid === sid);
      expect(st?.Principal).toEqual({ AWS: '*' });
      expect(st?.Condition?.ArnEquals).toEqual({ 'aws:PrincipalArn': slr });
      expect(st?.Condition?.StringEquals).toEqual({ 'aws:PrincipalAccount': '333333333333' });
    }
    // the repository's Terraform rules accept the pattern
    expect(checkTerraformStack(JSON.parse(synth))).toEqual([]);
  });

  it('gives the node role the worker, CNI and ECR read-only policies and the autoscaling role use of the volume key', () => {
    const arns = Object.values(resources.aws_iam_role_policy_attachment).filter((a) => String(a.role).includes('NodeRole')).map((a) => a.policy_arn).sort();
    expect(arns).toEqual([
      'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
      'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
      'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
    ]);
    const key = Object.entries(resources.aws_kms_key).find(([id]) => id.includes('VolumeKey'))?.[1];
    expect(key?.policy).toContain('arn:aws:iam::333333333333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling');
  });

  it('gives the cluster autoscaler describe actions and tag-conditioned scaling only', () => {
    const policy = Object.values(resources.aws_iam_role_policy).find((p) => String(p.policy).includes('SetDesiredCapacity'));
    const doc = JSON.parse(policy?.policy as string) as { Statement: Array<{ Action: string[]; Resource: string; Condition?: unknown }> };
    expect(doc.Statement).toHaveLength(2);
    expect(doc.Statement[0].Action.every((a) => /^(autoscaling|ec2|eks):(Describe|Get)/.test(a))).toBe(true);
    expect(doc.Statement[1].Condition).toEqual({ StringEquals: { 'aws:ResourceTag/k8s.io/cluster-autoscaler/shop-prod': 'owned' } });
  });

  it('fails when minSize is above maxSize', () => {
    expect(() => Testing.synthScope((scope) => {
      build(scope, [{ ...general, minSize: 10, maxSize: 5, desiredSize: 5 }]);
    })).toThrow(/^stack\/NodeGroups: nodeGroups\.general\.maxSize is 5; allowed: a whole number, at least minSize \(10\)/);
  });

  it('fails when desiredSize is outside minSize..maxSize', () => {
    expect(() => Testing.synthScope((scope) => {
      build(scope, [{ ...general, desiredSize: 12 }]);
    })).toThrow(/^stack\/NodeGroups: nodeGroups\.general\.desiredSize is 12; allowed: a whole number from minSize \(3\) to maxSize \(9\)/);
  });

  it('fails when maxSize leaves a zone without room for a node', () => {
    expect(() => Testing.synthScope((scope) => {
      build(scope, [{ ...general, minSize: 0, maxSize: 2, desiredSize: 1 }]);
    })).toThrow(/^stack\/NodeGroups: nodeGroups\.general\.maxSize is 2; allowed: at least 3, one node per zone/);
  });

  it('fails when the EKS node group name with cluster and zone suffix exceeds 63 characters', () => {
    // cluster a-platform-with-a-long-name-production-eu (41) + '-' + 30 + '-a' = 74 characters
    expect(() => Testing.synthScope((scope) => {
      build(scope, [{ ...general, name: 'batch-workers-memory-optimized' }], 'a-platform-with-a-long-name', 'production-eu');
    })).toThrow(/^stack\/NodeGroups: nodeGroups\.batch-workers-memory-optimized\.name is "batch-workers-memory-optimized"; allowed: a name that keeps the EKS node group name <cluster>-<group>-<zone letter> \(a-platform-with-a-long-name-production-eu-batch-workers-memory-optimized-a\) at most 63 characters, here at most 19$/);
  });

  it('fails when a group mixes Graviton and x86 instance types', () => {
    expect(() => Testing.synthScope((scope) => {
      build(scope, [{ ...general, instanceTypes: ['m6i.large', 'm6g.large'] }]);
    })).toThrow(/^stack\/NodeGroups: nodeGroups\.general\.instanceTypes is \["m6i\.large","m6g\.large"\]; allowed: instance types of one architecture/);
  });

  it('taints a group\'s nodes and tells the cluster autoscaler its labels and taints for scale from zero', () => {
    const out = JSON.parse(Testing.synthScope((scope) => {
      build(scope, [general, { name: 'data', instanceTypes: ['r7g.xlarge'], minSize: 0, maxSize: 3, desiredSize: 0, labels: { pool: 'data' }, taints: [{ key: 'dedicated', value: 'data', effect: TaintEffect.NO_SCHEDULE }] }]);
    })) as { resource: { aws_eks_node_group: Record<string, Body> } };
    const data = Object.values(out.resource.aws_eks_node_group).find((g) => String(g.node_group_name).endsWith('-data-b'))!;
    expect(data.taint).toEqual([{ key: 'dedicated', value: 'data', effect: 'NO_SCHEDULE' }]);
    expect(data.tags).toMatchObject({ 'k8s.io/cluster-autoscaler/node-template/label/pool': 'data', 'k8s.io/cluster-autoscaler/node-template/taint/dedicated': 'data:NoSchedule' });
    const plain = Object.values(out.resource.aws_eks_node_group).find((g) => String(g.node_group_name).endsWith('-general-b'))!;
    expect(plain.taint).toBeUndefined();
  });
});
