import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Testing } from 'cdktf';
import type {} from 'cdktf/lib/testing/adapters/jest';
import { Construct } from 'constructs';
import { ADDON_VERSIONS, EKS_DEFAULT_ADDON_VERSION } from '../../lib/aws/addon-versions';
import { EksCluster, SupportType, type EksClusterProps } from '../../lib/aws/eks-cluster';
import { Network } from '../../lib/aws/network';

type Body = Record<string, unknown>;

function withCluster(scope: Construct, props: Partial<Omit<EksClusterProps, 'network'>> = {}, zones = ['eu-central-1a', 'eu-central-1b', 'eu-central-1c']): EksCluster {
  const network = new Network(scope, 'Network', { clusterName: 'shop-staging', cidr: '10.20.0.0/16', availabilityZones: zones, accountId: '222222222222' });
  return new EksCluster(scope, 'Cluster', { platformName: 'shop', environmentName: 'staging', accountId: '222222222222', kubernetesVersion: '1.33', network, supportCheckDate: new Date('2026-01-15T12:00:00Z'), ...props });
}

/** The warning annotations of a construct (what `cdktf synth` prints; never in the JSON). */
function warningsOf(cluster: EksCluster): string[] {
  return cluster.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data));
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
      if (version === EKS_DEFAULT_ADDON_VERSION) {
        // not pinned (metrics-server): AWS's default for the cluster's version, read at plan time
        const addon = Object.values(resources.aws_eks_addon).find((a) => a.addon_name === name);
        expect(addon?.addon_version).toMatch(/^\$\{data\.aws_eks_addon_version\..*\.version\}$/);
      } else {
        expect(synth).toHaveResourceWithProperties(EksAddon, { addon_name: name, addon_version: version });
      }
    }
    const ebs = Object.values(resources.aws_eks_addon).find((a) => a.addon_name === 'aws-ebs-csi-driver');
    expect(ebs?.service_account_role_arn).toMatch(/aws_iam_role\.Cluster_EbsCsiDriverRole/);
    expect(Object.values(resources.aws_iam_role).map((r) => r.name)).toContain('shop-staging-kube-system-ebs-csi-controller-sa');
  });

  it('turns on the VPC CNI network policy agent so that NetworkPolicies are enforced', () => {
    const cni = Object.values(resources.aws_eks_addon).find((a) => a.addon_name === 'vpc-cni');
    expect(JSON.parse(String(cni?.configuration_values))).toEqual({ enableNetworkPolicy: 'true' });
    const others = Object.values(resources.aws_eks_addon).filter((a) => a.addon_name !== 'vpc-cni');
    expect(others.every((a) => a.configuration_values === undefined)).toBe(true);
  });

  it('sets the upgrade policy to STANDARD unless extended support is chosen', () => {
    expect(Object.values(resources.aws_eks_cluster)[0].upgrade_policy).toEqual({ support_type: 'STANDARD' });
    expect(cluster.supportType).toBe(SupportType.STANDARD);
    const extended = JSON.parse(Testing.synthScope((scope) => {
      withCluster(scope, { extendedSupport: true });
    })) as { resource: typeof resources };
    expect(Object.values(extended.resource.aws_eks_cluster)[0].upgrade_policy).toEqual({ support_type: 'EXTENDED' });
  });

  it('warns at synth, outside the JSON, when the version nears or has left standard support', () => {
    // 2026-01-15: 1.33 has 195 days of standard support left
    expect(warningsOf(cluster)).toEqual([]);
    let near!: EksCluster;
    let past!: EksCluster;
    const nearJson = Testing.synthScope((scope) => {
      near = withCluster(scope, { supportCheckDate: new Date('2026-06-01T00:00:00Z') });
    });
    Testing.synthScope((scope) => {
      past = withCluster(scope, { supportCheckDate: new Date('2026-12-01T00:00:00Z'), extendedSupport: true });
    });
    expect(warningsOf(near)).toEqual([expect.stringMatching(/^Kubernetes 1\.33 leaves EKS standard support on 2026-07-29 \(in 58 days\)/)]);
    expect(warningsOf(past)).toEqual([expect.stringMatching(/^Kubernetes 1\.33 left EKS standard support on 2026-07-29: the cluster is in extended support .* until 2027-07-29/)]);
    // the day of the check changes nothing in the Terraform JSON
    const onDay = (day: string) => Testing.synthScope((scope) => {
      withCluster(scope, { supportCheckDate: new Date(day) });
    });
    expect(nearJson).toBe(onDay('2026-01-15T00:00:00Z'));
  });

  it('writes every ARN in the partition of the region', () => {
    const gov = Testing.synthScope((scope) => {
      withCluster(scope, { adminRoleArns: ['arn:aws-us-gov:iam::222222222222:role/platform-admins'] }, ['us-gov-west-1a', 'us-gov-west-1b', 'us-gov-west-1c']);
    });
    expect(gov).not.toContain('arn:aws:');
    const parsed = JSON.parse(gov) as { resource: typeof resources };
    expect(Object.values(parsed.resource.aws_eks_access_policy_association)[0].policy_arn).toBe('arn:aws-us-gov:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy');
    expect(Object.values(parsed.resource.aws_iam_role_policy_attachment).map((a) => a.policy_arn).sort()).toEqual([
      'arn:aws-us-gov:iam::aws:policy/AmazonEKSClusterPolicy',
      'arn:aws-us-gov:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy',
    ]);
  });

  it('names access entries after the role and scopes the admin policy to the cluster', () => {
    const assoc = Object.values(resources.aws_eks_access_policy_association)[0];
    expect(assoc).toMatchObject({ principal_arn: 'arn:aws:iam::222222222222:role/team/platform-admins', access_scope: { type: 'cluster' } });
    expect(Object.keys(resources.aws_eks_access_entry)[0]).toMatch(/^Cluster_Admins_team-platform-admins_AccessEntry/);
  });

  it('sets the service CIDR explicitly: the default 172.20.0.0/16, or the one given', () => {
    expect(Object.values(resources.aws_eks_cluster)[0].kubernetes_network_config).toEqual({ service_ipv4_cidr: '172.20.0.0/16', ip_family: 'ipv4' });
    expect(cluster.serviceIpv4Cidr).toBe('172.20.0.0/16');
    const moved = JSON.parse(Testing.synthScope((scope) => {
      withCluster(scope, { serviceIpv4Cidr: '10.100.0.0/16' });
    })) as { resource: typeof resources };
    expect(Object.values(moved.resource.aws_eks_cluster)[0].kubernetes_network_config).toEqual({ service_ipv4_cidr: '10.100.0.0/16', ip_family: 'ipv4' });
  });

  it('fails when the service CIDR is not a private /12 to /24 network', () => {
    expect(() => Testing.synthScope((scope) => {
      withCluster(scope, { serviceIpv4Cidr: '100.64.0.0/16' });
    })).toThrow(/^stack\/Cluster: serviceIpv4Cidr is "100\.64\.0\.0\/16"; allowed: a block inside 10\.0\.0\.0\/8/);
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

describe('EksCluster on a Kubernetes version without pinned add-on builds', () => {
  it('takes AWS\'s default add-on versions for it, read at plan time', () => {
    const out = JSON.parse(Testing.synthScope((scope) => {
      withCluster(scope, { kubernetesVersion: '1.35' });
    })) as { data: { aws_eks_addon_version: Record<string, { addon_name: string; kubernetes_version: string; most_recent: boolean }> }; resource: { aws_eks_addon: Record<string, { addon_name: string; addon_version: string }> } };
    const defaults = Object.values(out.data.aws_eks_addon_version);
    expect(defaults.map((d) => d.addon_name).sort()).toEqual(['aws-ebs-csi-driver', 'coredns', 'eks-pod-identity-agent', 'kube-proxy', 'metrics-server', 'snapshot-controller', 'vpc-cni']);
    expect(defaults.every((d) => d.kubernetes_version === '1.35' && d.most_recent === false)).toBe(true);
    for (const addon of Object.values(out.resource.aws_eks_addon)) {
      expect(addon.addon_version).toMatch(/^\$\{data\.aws_eks_addon_version\..*\.version\}$/);
    }
  });
});
