import { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { S3Backend, Testing } from 'cdktf';
import type {} from 'cdktf/lib/testing/adapters/jest';
import { platform } from '../../apps/platform';
import type { Network } from '../../lib/aws/network';
import { PlatformStack } from '../../lib/aws/platform-stack';
import { Platform } from '../../lib/model/platform';
import { checkTerraformStack, readPolicyDocument } from '../../lib/policy/terraform-rules';
import { platform as shopWithStatefulRedis } from '../fixtures/shop';

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
    expect(c.version).toBe('1.35');
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
    // one group per zone, each in its zone's private subnet
    expect(new Set(groups.map((g) => (g.subnet_ids as string[])[0])).size).toBe(3);
    for (const g of groups) {
      expect(g.subnet_ids).toHaveLength(1);
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
      // the trust policies of the IRSA roles are among them: Velero, the cluster autoscaler, the EBS CSI driver, four
      // services (notification and recommendation for their awsPermissions, payment for its secret, cart for the Redis
      // credentials) and, in dev where Redis runs in the cluster, External Secrets reading the store's own secret
      expect(statements.filter((s) => s.Action === 'sts:AssumeRoleWithWebIdentity').length).toBe(env === dev ? 8 : 7);
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

  it('keeps state in S3 with encryption and S3 native locking (use_lockfile), no DynamoDB table', () => {
    expect(prod.parsed.terraform.backend.s3).toEqual({
      bucket: 'shop-prod-333333333333-tfstate',
      key: 'prod/terraform.tfstate',
      region: 'eu-central-1',
      use_lockfile: true,
      encrypt: true,
    });
    expect(S3Backend).toBeDefined();
  });

  it('creates a pods\' role only for services with AWS permissions, and a secrets reader role per service that reads secrets, at the ARNs the model gives', () => {
    const prodEnv = platform.environment('prod');
    const withPermissions = platform.services.filter((s) => (s.awsPermissions ?? []).length > 0);
    const readers = platform.services.filter((s) => platform.secretsOf(prodEnv, s).length > 0);
    // notification and recommendation (awsPermissions); payment (its secret), cart (the Redis data store's credentials)
    expect(withPermissions.map((s) => `${s.namespace}/${s.name}`).sort()).toEqual(['shop/notification', 'shop/recommendation']);
    expect(readers.map((s) => `${s.namespace}/${s.name}`).sort()).toEqual(['shop/cart', 'shop/payment']);
    expect(Object.keys(prod.stack.serviceRoles).sort()).toEqual(withPermissions.map((s) => `${s.namespace}/${s.name}`).sort());
    expect([...(prod.stack.serviceSecrets?.readerRoles.keys() ?? [])].sort()).toEqual(readers.map((s) => `${s.namespace}/${s.name}`).sort());
    const names = of(prod.parsed, 'aws_iam_role').map((r) => r.name);
    for (const arn of [...withPermissions.map((s) => platform.serviceRoleArn(prodEnv, s)), ...readers.map((s) => platform.secretsReaderRoleArn(prodEnv, s))] as string[]) {
      expect(names).toContain(arn.slice(arn.indexOf(':role/') + 6));
    }
    // the readers' pods hold no role
    expect(names).not.toContain('shop-prod-shop-cart');
    expect(names).not.toContain('shop-prod-shop-payment');
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

  it('installs the seven core add-ons (metrics-server for the HPAs, the snapshot controller for Velero) at the versions of the table (on 1.35, AWS\'s defaults read at plan time)', () => {
    const addons = of(prod.parsed, 'aws_eks_addon');
    expect(addons.map((a) => a.addon_name).sort()).toEqual(['aws-ebs-csi-driver', 'coredns', 'eks-pod-identity-agent', 'kube-proxy', 'metrics-server', 'snapshot-controller', 'vpc-cni']);
    expect(addons.every((a) => typeof a.addon_version === 'string' && /^(v\d+\.\d+\.\d+-eksbuild\.\d+|\$\{data\.aws_eks_addon_version\.[\w-]+\.version\})$/.test(a.addon_version))).toBe(true);
  });

  it('gives each admin role an access entry with the cluster-admin policy at cluster scope', () => {
    const associations = of(prod.parsed, 'aws_eks_access_policy_association');
    expect(associations.map((a) => a.principal_arn).sort()).toEqual(['arn:aws:iam::333333333333:role/platform-admins', 'arn:aws:iam::333333333333:role/sre-oncall']);
    expect(associations.every((a) => a.policy_arn === 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy')).toBe(true);
    expect(of(prod.parsed, 'aws_eks_access_entry')).toHaveLength(2);
  });
});

describe('PlatformStack outputs and container registry', () => {
  type Outputs = Record<string, { value: string }>;
  let prod: { stack: PlatformStack; outputs: Outputs; parsed: Stack };
  beforeAll(() => {
    const { stack, parsed } = synth('prod');
    prod = { stack, parsed, outputs: (parsed as unknown as { output: Outputs }).output };
  });

  it('outputs the cluster endpoint, ARN and OIDC issuer', () => {
    expect(prod.outputs.cluster_endpoint.value).toMatch(/^\$\{aws_eks_cluster\.Cluster_\w+\.endpoint\}$/);
    expect(prod.outputs.cluster_arn.value).toMatch(/^\$\{aws_eks_cluster\.Cluster_\w+\.arn\}$/);
    expect(prod.outputs.oidc_issuer.value).toContain('aws_iam_openid_connect_provider.Cluster_OidcProvider');
  });

  it('outputs one role ARN per service role, named service_role_arn_<namespace>_<service>', () => {
    const names = Object.keys(prod.outputs).filter((n) => n.startsWith('service_role_arn_'));
    expect(names).toEqual(Object.keys(prod.stack.serviceRoles).map((k) => `service_role_arn_${k.replace('/', '_')}`).sort());
    expect(names.length).toBeGreaterThan(0);
    expect(prod.outputs.service_role_arn_shop_notification.value).toMatch(/^\$\{aws_iam_role\.ServiceRoles_shop-notification_\w+\.arn\}$/);
  });

  it('outputs the bucket names', () => {
    expect(prod.outputs.backup_bucket.value).toBe('shop-prod-backups-333333333333');
    expect(prod.outputs.backup_access_log_bucket.value).toBe(prod.stack.backups.bucket.accessLogBucket.bucketName);
  });

  it('outputs the registry host and one repository URL per service, from the model', () => {
    expect(prod.outputs.container_registry.value).toBe('111122223333.dkr.ecr.eu-central-1.amazonaws.com');
    const names = Object.keys(prod.outputs).filter((n) => n.startsWith('repository_url_'));
    expect(names).toHaveLength(platform.services.length);
    expect(names).toHaveLength(12);
    expect(prod.outputs.repository_url_shop_payment.value).toBe('111122223333.dkr.ecr.eu-central-1.amazonaws.com/shop/payment');
    // a data store is no service: its images come from its chart or AWS, no repository of the platform
    expect(prod.outputs['repository_url_shop-data_redis']).toBeUndefined();
    // a service in a namespace with a dash: the shop with its stateful Redis (test/fixtures/shop.ts)
    const withRedis = JSON.parse(Testing.synth(new PlatformStack(Testing.app(), 'prod', { platform: shopWithStatefulRedis, environment: shopWithStatefulRedis.environment('prod') }))) as { output: Outputs };
    expect(withRedis.output['repository_url_shop-data_redis'].value).toBe('111122223333.dkr.ecr.eu-central-1.amazonaws.com/shop/redis');
    expect(prod.outputs.repository_url_shop_storefront.value).toBe(platform.repositoryUrl(platform.service('storefront', 'shop')));
  });

  it('creates no registry when the registry has an account of its own', () => {
    expect(prod.stack.registry).toBeUndefined();
    expect(prod.parsed.resource.aws_ecr_repository).toBeUndefined();
  });

  describe('with the registry in an environment account (the default: the first environment)', () => {
    const own = new Platform({
      name: 'shop',
      environments: platform.environments,
      gitops: platform.gitops,
      services: platform.services,
      dataStores: platform.dataStores,
      allowedImageRegistries: ['111122223333.dkr.ecr.eu-central-1.amazonaws.com'],
    });
    const build = (envName: string) => {
      const stack = new PlatformStack(Testing.app(), envName, { platform: own, environment: own.environment(envName) });
      return { stack, parsed: JSON.parse(Testing.synth(stack)) as Stack & { output: Outputs } };
    };
    let dev: ReturnType<typeof build>;
    let staging: ReturnType<typeof build>;
    beforeAll(() => {
      dev = build('dev');
      staging = build('staging');
    });

    it('creates the repositories in the first environment\'s stack, with pulls for the other environment accounts', () => {
      expect(own.registryEnvironment()?.name).toBe('dev');
      expect(Object.keys(dev.parsed.resource.aws_ecr_repository)).toHaveLength(own.services.length);
      expect(dev.stack.registry?.pullAccountIds).toEqual(['222222222222', '333333333333']);
      const policy = JSON.parse(Object.values(dev.parsed.resource.aws_ecr_repository_policy)[0].policy as string) as { Statement: Array<{ Principal: unknown; Action: string[] }> };
      expect(policy.Statement[0].Principal).toEqual({ AWS: ['arn:aws:iam::222222222222:root', 'arn:aws:iam::333333333333:root'] });
      expect(policy.Statement[0].Action).toEqual(['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']);
      expect(dev.parsed.output.repository_url_shop_cart.value).toMatch(/^\$\{aws_ecr_repository\.ContainerRegistry_Repositories_shop-cart_\w+\.repository_url\}$/);
      expect(checkTerraformStack(dev.parsed)).toEqual([]);
    });

    it('creates nothing of the registry in the other stacks, which output the same URLs', () => {
      expect(staging.stack.registry).toBeUndefined();
      expect(staging.parsed.resource.aws_ecr_repository).toBeUndefined();
      expect(staging.parsed.output.repository_url_shop_cart.value).toBe('111111111111.dkr.ecr.eu-central-1.amazonaws.com/shop/cart');
    });
  });
});
