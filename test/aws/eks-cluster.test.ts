import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Testing } from 'cdktf';
import type {} from 'cdktf/lib/testing/adapters/jest';
import { Construct } from 'constructs';
import { ADDON_VERSIONS } from '../../lib/aws/addon-versions';
import { EksCluster, type EksClusterProps } from '../../lib/aws/eks-cluster';
import { Network } from '../../lib/aws/network';

type Body = Record<string, unknown>;

function withCluster(scope: Construct, props: Partial<Omit<EksClusterProps, 'network'>> = {}): EksCluster {
  const network = new Network(scope, 'Network', { clusterName: 'shop-staging', cidr: '10.20.0.0/16', availabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'], accountId: '222222222222' });
  return new EksCluster(scope, 'Cluster', { platformName: 'shop', environmentName: 'staging', accountId: '222222222222', kubernetesVersion: '1.33', network, ...props });
}

describe('EksCluster', () => {
  let synth: string;
  let resources: Record<string, Record<string, Body>>;
  let publicSynth: Record<string, Record<string, Body>>;
  let cluster: EksCluster;
  beforeAll(() => {
    synth = Testing.synthScope((scope) => {
      cluster = withCluster(scope, { adminRoleArns: ['arn:aws:iam::222222222222:role/team/platform-admins'] });
    });
    resources = (JSON.parse(synth) as { resource: typeof resources }).resource;
    publicSynth = (JSON.parse(Testing.synthScope((scope) => {
      withCluster(scope, { publicAccessCidrs: ['203.0.113.0/24', '198.51.100.0/24'] });
    })) as { resource: typeof resources }).resource;
  });

  it('puts the control plane in the intra subnets with a private endpoint only', () => {
    const vpc = Object.values(resources.aws_eks_cluster)[0].vpc_config as Body;
    expect(vpc).toMatchObject({ endpoint_private_access: true, endpoint_public_access: false });
    expect((vpc.subnet_ids as string[]).every((id) => id.includes('IntraSubnet'))).toBe(true);
    expect(cluster.endpointPublicAccess).toBe(false);
  });

  it('opens the public endpoint only to the allow-list, sorted', () => {
    const vpc = Object.values(publicSynth.aws_eks_cluster)[0].vpc_config as Body;
    expect(vpc).toMatchObject({ endpoint_public_access: true, public_access_cidrs: ['198.51.100.0/24', '203.0.113.0/24'] });
  });

  it('encrypts secrets with a rotating key the cluster role may use', () => {
    const secretsKey = Object.entries(resources.aws_kms_key).find(([id]) => id.includes('SecretsKey'))?.[1];
    expect(secretsKey?.enable_key_rotation).toBe(true);
    expect(secretsKey?.policy).toContain('${aws_iam_role.Cluster_ClusterRole');
  });

  it('gives the cluster role the AWS managed cluster policy only', () => {
    const attachments = Object.values(resources.aws_iam_role_policy_attachment).filter((a) => String(a.role).includes('ClusterRole'));
    expect(attachments.map((a) => a.policy_arn)).toEqual(['arn:aws:iam::aws:policy/AmazonEKSClusterPolicy']);
    expect(Object.values(resources.aws_iam_role_policy ?? {}).filter((p) => String(p.role).includes('ClusterRole'))).toEqual([]);
    expect(synth).toHaveResource(IamRolePolicyAttachment);
  });

  it('creates an OIDC provider for sts.amazonaws.com', () => {
    expect(synth).toHaveResourceWithProperties(IamOpenidConnectProvider, { client_id_list: ['sts.amazonaws.com'] });
  });

  it('pins every core add-on to the table of its Kubernetes version, the EBS driver with its own role', () => {
    for (const [name, version] of Object.entries(ADDON_VERSIONS['1.33'])) {
      expect(synth).toHaveResourceWithProperties(EksAddon, { addon_name: name, addon_version: version });
    }
    const ebs = Object.values(resources.aws_eks_addon).find((a) => a.addon_name === 'aws-ebs-csi-driver');
    expect(ebs?.service_account_role_arn).toMatch(/aws_iam_role\.Cluster_EbsCsiDriverRole/);
    expect(Object.values(resources.aws_iam_role).map((r) => r.name)).toContain('shop-staging-kube-system-ebs-csi-controller-sa');
  });

  it('names access entries after the role and scopes the admin policy to the cluster', () => {
    const assoc = Object.values(resources.aws_eks_access_policy_association)[0];
    expect(assoc).toMatchObject({ principal_arn: 'arn:aws:iam::222222222222:role/team/platform-admins', access_scope: { type: 'cluster' } });
    expect(Object.keys(resources.aws_eks_access_entry)[0]).toMatch(/^Cluster_Admins_team-platform-admins_AccessEntry/);
  });

  it('fails when the public endpoint is open to 0.0.0.0/0', () => {
    expect(() => Testing.synthScope((scope) => {
      withCluster(scope, { publicAccessCidrs: ['203.0.113.0/24', '0.0.0.0/0'] });
    })).toThrow(/^stack\/Cluster: publicAccessCidrs is \["0\.0\.0\.0\/0","203\.0\.113\.0\/24"\]; allowed: specific CIDRs of the admins' networks; together these cover the whole internet/);
  });

  it('fails when the Kubernetes version has no pinned add-ons', () => {
    expect(() => Testing.synthScope((scope) => {
      withCluster(scope, { kubernetesVersion: '1.20' });
    })).toThrow(/^stack\/Cluster: kubernetesVersion is "1\.20"; allowed: one of 1\.32, 1\.33, 1\.34/);
  });

  it('fails when the log retention is not one CloudWatch accepts', () => {
    expect(() => Testing.synthScope((scope) => {
      withCluster(scope, { logRetentionDays: 45 });
    })).toThrow(/^stack\/Cluster: logRetentionDays is 45; allowed: one of 1, 3/);
  });
});
