import { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { S3Backend, Testing } from 'cdktf';
import type {} from 'cdktf/lib/testing/adapters/jest';
import { platform } from '../../apps/platform';
import type { Network } from '../../lib/aws/network';
import { PlatformStack } from '../../lib/aws/platform-stack';
import { checkTerraformStack, readPolicyDocument } from '../../lib/policy/terraform-rules';

type Body = Record<string, unknown>;
interface Stack { resource: Record<string, Record<string, Body>>; terraform: { backend: { s3: Body } }; provider: { aws: Body[] } }
interface Statement { Effect?: string; Action?: string | string[]; Resource?: string | string[] }

function synth(envName: string): { stack: PlatformStack; json: string; parsed: Stack } {
  const app = Testing.app();
  const stack = new PlatformStack(app, envName, { platform, environment: platform.environment(envName) });
  const json = Testing.synth(stack);
  return { stack, json, parsed: JSON.parse(json) as Stack };
}

/** Every policy document in the stack: any string attribute that parses as JSON with a Statement. */
function allStatements(value: unknown, out: Statement[] = []): Statement[] {
  if (typeof value === 'string' && value.startsWith('{')) {
    // JSON text with Terraform interpolations (ARNs of resources, the OIDC issuer) in it
    const doc = readPolicyDocument(value) as { Statement?: Statement[] } | undefined;
    if (doc === undefined) throw new Error(`unreadable policy: ${value.slice(0, 80)}`);
    if (Array.isArray(doc.Statement)) out.push(...doc.Statement);
  } else if (Array.isArray(value)) {
    value.forEach((v) => allStatements(v, out));
  } else if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach((v) => allStatements(v, out));
  }
  return out;
}

const list = (v: string | string[] | undefined) => (v === undefined ? [] : [v].flat());
const of = (s: Stack, type: string) => Object.values(s.resource[type] ?? {});

describe('PlatformStack prod (the reference platform)', () => {
  let prod: ReturnType<typeof synth>;
  let dev: ReturnType<typeof synth>;
  beforeAll(() => {
    prod = synth('prod');
    dev = synth('dev');
  });

  it('has three private subnets in three distinct zones', () => {
    const priv = of(prod.parsed, 'aws_subnet').filter((s) => (s.tags as Record<string, string>)['kubernetes.io/role/internal-elb'] === '1');
    expect(priv).toHaveLength(3);
    expect(new Set(priv.map((s) => s.availability_zone))).toEqual(new Set(['eu-central-1a', 'eu-central-1b', 'eu-central-1c']));
    expect(priv.every((s) => s.map_public_ip_on_launch === false)).toBe(true);
  });

  it('has three NAT gateways in prod and one in dev', () => {
    expect(of(prod.parsed, 'aws_nat_gateway')).toHaveLength(3);
    expect(of(dev.parsed, 'aws_nat_gateway')).toHaveLength(1);
    expect((prod.stack.network as Network).natGatewayCount).toBe(3);
  });

  it('has the cluster with secrets encryption, all five log types and a private endpoint only', () => {
    const clusters = of(prod.parsed, 'aws_eks_cluster');
    expect(clusters).toHaveLength(1);
    const c = clusters[0];
    expect(c.version).toBe('1.33');
    expect(c.encryption_config).toEqual({ resources: ['secrets'], provider: { key_arn: expect.stringMatching(/^\$\{aws_kms_key\./) } });
    expect([...(c.enabled_cluster_log_types as string[])].sort()).toEqual(['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']);
    expect(c.vpc_config).toMatchObject({ endpoint_private_access: true, endpoint_public_access: false });
    expect((c.vpc_config as Body).public_access_cidrs).toBeUndefined();
    expect(c.access_config).toEqual({ authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: false });
    expect(prod.json).toHaveResourceWithProperties(EksClusterResource, { name: 'shop-prod' });
  });

  it('pre-creates the control-plane log group with retention and KMS', () => {
    const group = of(prod.parsed, 'aws_cloudwatch_log_group').find((g) => g.name === '/aws/eks/shop-prod/cluster');
    expect(group).toMatchObject({ retention_in_days: 90, kms_key_id: expect.stringMatching(/^\$\{aws_kms_key\./) });
  });

  it('has node groups totalling min 20 and max 200 over the private subnets', () => {
    const groups = of(prod.parsed, 'aws_eks_node_group');
    const sum = (k: string) => groups.reduce((n, g) => n + ((g.scaling_config as Record<string, number>)[k] ?? 0), 0);
    expect(sum('min_size')).toBe(20);
    expect(sum('max_size')).toBe(200);
    for (const g of groups) {
      expect(g.subnet_ids).toHaveLength(3);
      expect((g.subnet_ids as string[]).every((id) => id.includes('PrivateSubnet'))).toBe(true);
      expect(g.remote_access).toBeUndefined();
      expect(g.lifecycle).toEqual({ ignore_changes: ['scaling_config[0].desired_size'] });
    }
  });

  it('has launch templates with http_tokens required, hop limit 1 and encrypted gp3 root volumes', () => {
    const lts = of(prod.parsed, 'aws_launch_template');
    expect(lts).toHaveLength(2);
    for (const lt of lts) {
      expect(lt.metadata_options).toEqual({ http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 });
      expect(lt.key_name).toBeUndefined();
      expect((lt.block_device_mappings as Body[])[0].ebs).toMatchObject({ volume_type: 'gp3', encrypted: 'true', kms_key_id: expect.stringMatching(/^\$\{aws_kms_key\./) });
    }
  });

  it('has only KMS keys with rotation', () => {
    const keys = of(prod.parsed, 'aws_kms_key');
    expect(keys.length).toBeGreaterThanOrEqual(3);
    expect(keys.every((k) => k.enable_key_rotation === true)).toBe(true);
  });

  it('has a flow log of all traffic', () => {
    expect(of(prod.parsed, 'aws_flow_log')).toHaveLength(1);
    expect(prod.json).toHaveResourceWithProperties(FlowLog, { traffic_type: 'ALL' });
  });

  it('has no IAM statement with * action on * resource anywhere', () => {
    for (const env of [prod, dev]) {
      const statements = allStatements(env.parsed.resource);
      expect(statements.length).toBeGreaterThan(20);
      // the trust policies of the service-account roles (four services and Velero) are among them
      expect(statements.filter((s) => s.Action === 'sts:AssumeRoleWithWebIdentity').length).toBe(5);
      const admin = statements.filter((s) => (s.Effect ?? 'Allow') === 'Allow' && list(s.Action).some((a) => a === '*' || a === '*:*') && list(s.Resource).includes('*'));
      expect(admin).toEqual([]);
    }
  });

  it('passes the Terraform rules', () => {
    expect(checkTerraformStack(prod.parsed)).toEqual([]);
    expect(checkTerraformStack(dev.parsed)).toEqual([]);
  });

  it('pins the provider to the account and region with the platform and environment tags', () => {
    expect(prod.parsed.provider.aws[0]).toEqual({
      region: 'eu-central-1',
      allowed_account_ids: ['333333333333'],
      default_tags: [{ tags: { CostCenter: 'shop-prod', Environment: 'prod', ManagedBy: 'eks-platform-constructs', Project: 'shop' } }],
    });
  });

  it('keeps state in S3 with encryption and a DynamoDB lock table named from the environment', () => {
    expect(prod.parsed.terraform.backend.s3).toEqual({
      bucket: 'shop-prod-333333333333-tfstate',
      key: 'prod/terraform.tfstate',
      region: 'eu-central-1',
      dynamodb_table: 'shop-prod-tflock',
      encrypt: true,
    });
    expect(S3Backend).toBeDefined();
  });

  it('creates one service-account role per service with AWS permissions, at the ARN the model gives', () => {
    const withPermissions = platform.services.filter((s) => (s.awsPermissions ?? []).length > 0);
    expect(Object.keys(prod.stack.serviceRoles).sort()).toEqual(withPermissions.map((s) => `${s.namespace}/${s.name}`).sort());
    const names = of(prod.parsed, 'aws_iam_role').map((r) => r.name);
    for (const service of withPermissions) {
      const arn = platform.serviceRoleArn(platform.environment('prod'), service) as string;
      expect(names).toContain(arn.slice(arn.indexOf(':role/') + 6));
    }
  });

  it('gives the cluster autoscaler scaling rights only on groups owned by the cluster', () => {
    const policy = of(prod.parsed, 'aws_iam_role_policy').find((p) => (p.policy as string).includes('SetDesiredCapacity'));
    const doc = JSON.parse(policy?.policy as string) as { Statement: Array<Statement & { Condition?: unknown }> };
    const mutating = doc.Statement.find((s) => list(s.Action).includes('autoscaling:SetDesiredCapacity'));
    expect(mutating?.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/k8s.io/cluster-autoscaler/shop-prod': 'owned' } });
    expect(list(mutating?.Action).sort()).toEqual(['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup']);
    const role = of(prod.parsed, 'aws_iam_role').find((r) => r.name === 'shop-prod-kube-system-cluster-autoscaler');
    expect(role?.assume_role_policy).toContain(':sub":"system:serviceaccount:kube-system:cluster-autoscaler"');
  });

  it('installs the five core add-ons at pinned versions', () => {
    const addons = of(prod.parsed, 'aws_eks_addon');
    expect(addons.map((a) => a.addon_name).sort()).toEqual(['aws-ebs-csi-driver', 'coredns', 'eks-pod-identity-agent', 'kube-proxy', 'vpc-cni']);
    expect(addons.every((a) => typeof a.addon_version === 'string' && /^v\d+\.\d+\.\d+-eksbuild\.\d+$/.test(a.addon_version))).toBe(true);
  });

  it('gives each admin role an access entry with the cluster-admin policy at cluster scope', () => {
    const associations = of(prod.parsed, 'aws_eks_access_policy_association');
    expect(associations.map((a) => a.principal_arn).sort()).toEqual(['arn:aws:iam::333333333333:role/platform-admins', 'arn:aws:iam::333333333333:role/sre-oncall']);
    expect(associations.every((a) => a.policy_arn === 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy')).toBe(true);
    expect(of(prod.parsed, 'aws_eks_access_entry')).toHaveLength(2);
  });
});
