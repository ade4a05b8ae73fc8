/**
 * What a user adds to an environment's stack after it is built (grants, policy statements, resources of their own,
 * overrides), an existing VPC instead of a new one, and the backups the stack builds from the model.
 */
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { Testing } from 'cdktf';
import type {} from 'cdktf/lib/testing/adapters/jest';
import { environments, services, imageSources } from '../fixtures/shop';
import { PlatformStack } from '../../lib/aws/platform-stack';
import type { EnvironmentConfig } from '../../lib/model/environment';
import { Platform } from '../../lib/model/platform';
import { ValidationError } from '../../lib/model/validation';

type Body = Record<string, unknown>;
interface Parsed { resource: Record<string, Record<string, Body>>; data?: Record<string, Record<string, Body>>; output: Record<string, Body>; provider: { aws: Body[] } }

const prodEnv = environments.find((e) => e.name === 'prod')!;

function stackOf(change: Partial<EnvironmentConfig> = {}, extend?: (stack: PlatformStack) => void): Parsed {
  const env = { ...prodEnv, ...change };
  const platform = new Platform({ ...imageSources, name: 'shop', environments: [env], services });
  const stack = new PlatformStack(Testing.app(), env.name, { platform, environment: platform.environment(env.name) });
  extend?.(stack);
  return JSON.parse(Testing.synth(stack)) as Parsed;
}

const of = (s: Parsed, type: string) => s.resource[type] ?? {};

describe('PlatformStack: late additions and escape hatches', () => {
  test('addToPolicy adds a statement to a service role after construction', () => {
    const out = stackOf({}, (stack) => stack.serviceRoles['shop/notification'].addToPolicy({ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:eu-central-1:333333333333:orders'] }));
    const policy = Object.values(of(out, 'aws_iam_role_policy')).find((p) => String(p.role).includes('shop-notification'))!;
    expect(JSON.parse(String(policy.policy)).Statement).toContainEqual({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:eu-central-1:333333333333:orders' });
  });

  test('fails when addToPolicy is given a service wildcard on every resource', () => {
    expect(() => stackOf({}, (stack) => stack.serviceRoles['shop/notification'].addToPolicy({ actions: ['sqs:*'], resources: ['*'] }))).toThrow(ValidationError);
  });

  test('grantReadWrite on the backup bucket gives a service role what a backup tool needs, on that bucket only', () => {
    const out = stackOf({}, (stack) => stack.backups.bucket.grantReadWrite(stack.serviceRoles['shop/recommendation']));
    const policy = Object.values(of(out, 'aws_iam_role_policy')).find((p) => String(p.role).includes('shop-recommendation'))!;
    const statements = JSON.parse(String(policy.policy)).Statement as { Action: string | string[]; Resource: string }[];
    expect(statements.find((s) => [s.Action].flat().includes('s3:PutObject'))?.Resource).toMatch(/^\$\{aws_s3_bucket\.Backups_Bucket_[0-9A-F]+\.arn\}\/\*$/);
  });

  test('resources of one\'s own and overrides on generated ones are synthesized', () => {
    const out = stackOf({}, (stack) => {
      new S3Bucket(stack, 'Reports', { bucket: 'shop-prod-reports-333333333333' });
      stack.cluster.resource.addOverride('timeouts', { create: '40m' });
    });
    expect(Object.values(of(out, 'aws_s3_bucket')).map((b) => b.bucket)).toContain('shop-prod-reports-333333333333');
    expect(Object.values(of(out, 'aws_eks_cluster'))[0].timeouts).toEqual({ create: '40m' });
  });
});

describe('PlatformStack: an existing VPC', () => {
  const existingVpc = { vpcId: 'vpc-0a1b2c3d4e5f60718', privateSubnetIds: ['subnet-0a000000000000001', 'subnet-0a000000000000002', 'subnet-0a000000000000003'] };

  test('places the cluster and nodes in the VPC\'s subnets and creates no network', () => {
    const out = stackOf({ existingVpc });
    expect(of(out, 'aws_vpc')).toEqual({});
    expect(of(out, 'aws_nat_gateway')).toEqual({});
    const cluster = Object.values(of(out, 'aws_eks_cluster'))[0] as { vpc_config: { subnet_ids: string[] } };
    expect(cluster.vpc_config.subnet_ids).toEqual(existingVpc.privateSubnetIds);
    // one node group per zone, each in that zone's subnet of the existing VPC
    expect(Object.values(of(out, 'aws_eks_node_group')).map((g) => (g.subnet_ids as string[])[0]).sort()).toEqual(expect.arrayContaining(existingVpc.privateSubnetIds));
    expect(out.output.vpc_id.value).toBe(existingVpc.vpcId);
  });

  test('fails when the existing VPC has not one private subnet per zone', () => {
    // the model refuses it before the Network does (lib/model/field-domains.ts)
    expect(() => stackOf({ existingVpc: { ...existingVpc, privateSubnetIds: existingVpc.privateSubnetIds.slice(0, 2) } })).toThrow(/environments\.prod\.existingVpc\.privateSubnetIds is .*; allowed: 3 distinct subnet ids/);
  });
});

describe('PlatformStack: backups from the model', () => {
  test('every environment gets its bucket, Velero\'s role and, with a replica region, replication through a tagged provider', () => {
    const out = stackOf();
    expect(Object.keys(of(out, 'aws_s3_bucket')).length).toBeGreaterThanOrEqual(2);
    expect(Object.values(of(out, 'aws_iam_role')).map((r) => r.name)).toContain('shop-prod-velero-velero');
    const replica = out.provider.aws.find((p) => p.alias === 'backup_replica');
    expect(replica?.region).toBe(prodEnv.backup.replicaRegion);
    expect(replica?.default_tags).toEqual(out.provider.aws.find((p) => p.alias === undefined)?.default_tags);
    expect(Object.keys(out.output)).toEqual(expect.arrayContaining(['backup_bucket', 'velero_role_arn', 'backup_replica_bucket']));
  });

  test('Object Lock defaults to GOVERNANCE for min(30, retention) days in any environment, whatever its name', () => {
    const qa = { ...prodEnv.kubernetes, serviceOverrides: {} };
    const out = stackOf({ name: 'qa', backup: { retentionDays: 14 }, kubernetes: qa });
    const bucket = Object.values(of(out, 'aws_s3_bucket')).find((b) => String(b.bucket).includes('backups'))!;
    expect(bucket.object_lock_enabled).toBe(true);
    const lock = Object.values(of(out, 'aws_s3_bucket_object_lock_configuration'))[0] as { rule: { default_retention: { mode: string; days: number } } };
    expect(lock.rule.default_retention).toEqual({ mode: 'GOVERNANCE', days: 14 });
  });

  test('disableObjectLock and replicationTimeControl: false are the named ways to weaken the defaults', () => {
    const on = stackOf();
    const off = stackOf({ backup: { ...prodEnv.backup, disableObjectLock: true, replicationTimeControl: false } });
    const rtc = (s: Parsed) => JSON.stringify(of(s, 'aws_s3_bucket_replication_configuration')).includes('replication_time');
    expect(rtc(on)).toBe(true);
    expect(rtc(off)).toBe(false);
    expect(of(off, 'aws_s3_bucket_object_lock_configuration')).toEqual({});
  });
});
