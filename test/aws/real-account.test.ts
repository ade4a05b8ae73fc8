/**
 * What a real account needs, asserted on the Terraform of every environment of the reference platform.
 */
import { Testing } from 'cdktf';
import { platform } from '../../apps/platform';
import { PlatformStack } from '../../lib/aws/platform-stack';

type Body = Record<string, any>;
interface Stack { resource: Record<string, Record<string, Body>>; data?: Record<string, Record<string, Body>>; output: Record<string, Body>; terraform: { backend: { s3: Body } } }

const stacks = new Map(platform.environments.map((env) => {
  const stack = new PlatformStack(Testing.app(), env.name, { platform, environment: env });
  return [env.name, JSON.parse(Testing.synth(stack)) as Stack] as const;
}));
const of = (s: Stack, type: string) => Object.values(s.resource[type] ?? {});

describe.each(platform.environments.map((e) => [e.name, e] as const))('the %s stack on a real account', (name, env) => {
  const stack = stacks.get(name)!;

  test('enforces NetworkPolicies: the VPC CNI add-on runs its network policy agent', () => {
    const cni = of(stack, 'aws_eks_addon').find((a) => a.addon_name === 'vpc-cni')!;
    expect(JSON.parse(cni.configuration_values)).toEqual({ enableNetworkPolicy: 'true' });
  });

  test('serves the metrics API the autoscalers read (metrics-server add-on)', () => {
    expect(of(stack, 'aws_eks_addon').map((a) => a.addon_name)).toContain('metrics-server');
  });

  test('stays on EKS standard support unless extended support is asked for', () => {
    const cluster = of(stack, 'aws_eks_cluster')[0];
    expect(cluster.version).toBe('1.35');
    expect(cluster.upgrade_policy).toEqual({ support_type: 'STANDARD' });
  });

  test('runs one node group per zone, their totals those of the model', () => {
    const groups = of(stack, 'aws_eks_node_group');
    expect(groups).toHaveLength(env.nodeGroups.length * 3);
    for (const g of groups) {
      expect(g.subnet_ids).toHaveLength(1);
    }
    const total = (k: string) => groups.reduce((n, g) => n + g.scaling_config[k], 0);
    expect(total('min_size')).toBe(env.nodeGroups.reduce((n, g) => n + g.minSize, 0));
    expect(total('max_size')).toBe(env.nodeGroups.reduce((n, g) => n + g.maxSize, 0));
  });

  test('names no principal that may not exist yet in a key policy (the Auto Scaling service-linked role is a condition)', () => {
    const statements = of(stack, 'aws_kms_key').flatMap((k) => (JSON.parse(k.policy) as { Statement: Body[] }).Statement);
    const principals = statements.flatMap((st) => [st.Principal?.AWS ?? []].flat() as string[]);
    expect(principals.filter((p) => p.includes('aws-service-role'))).toEqual([]);
    const slr = statements.find((st) => st.Condition?.ArnEquals?.['aws:PrincipalArn']?.includes?.('AWSServiceRoleForAutoScaling'));
    expect(slr?.Principal).toEqual({ AWS: '*' });
    expect(slr?.Condition.StringEquals['aws:PrincipalAccount']).toBe(env.accountId);
  });

  test('gives no instance a public IP on launch, and keeps state with S3 native locking', () => {
    expect(of(stack, 'aws_subnet').every((s) => s.map_public_ip_on_launch === false)).toBe(true);
    expect(stack.terraform.backend.s3.use_lockfile).toBe(true);
    expect(stack.terraform.backend.s3.dynamodb_table).toBeUndefined();
  });

  test('lets IRSA pods reach STS inside the VPC (interface endpoint with private DNS)', () => {
    const sts = of(stack, 'aws_vpc_endpoint').find((e) => e.service_name === `com.amazonaws.${env.region}.sts`);
    expect(sts).toMatchObject({ vpc_endpoint_type: 'Interface', private_dns_enabled: true });
  });

  test('outputs what operators and the Kubernetes side need', () => {
    expect(Object.keys(stack.output)).toEqual(expect.arrayContaining([
      'cluster_name', 'cluster_endpoint', 'oidc_issuer', 'oidc_provider_arn', 'vpc_id', 'backup_bucket', 'velero_role_arn',
      'container_registry', 'service_role_arn_shop_notification', 'service_role_arn_shop_recommendation', 'repository_url_shop_storefront',
    ]));
  });
});
