/**
 * The gate refuses a synth whose Terraform breaks a rule of lib/policy/terraform-rules.ts: a small platform,
 * synthesized with `synthesize`, one rule broken per case through the library's escape hatch (cdktf `addOverride` on
 * a generated resource, in the `extendStack` hook), and nothing written.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { TerraformResource } from 'cdktf';
import { synthesize } from '../../lib/app/synthesize';
import { BackupBucket } from '../../lib/aws/backup-bucket';
import type { PlatformStack } from '../../lib/aws/platform-stack';
import type { EnvironmentConfig } from '../../lib/model/environment';
import { Platform } from '../../lib/model/platform';
import { PortProtocol } from '../../lib/model/service';
import { listFiles } from '../../lib/synth';

const ACCOUNT = '111122223333';
const REGISTRY = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/erp`;

const qa: EnvironmentConfig = {
  name: 'qa',
  accountId: ACCOUNT,
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  vpcCidr: '10.51.0.0/16',
  kubernetesVersion: '1.35',
  singleNatGateway: true,
  nodeGroups: [{ name: 'general', instanceTypes: ['m6i.large'], minSize: 1, maxSize: 3, desiredSize: 1 }],
  backup: { retentionDays: 14, disableObjectLock: true },
  kubernetes: {
    minReplicas: 1,
    maxReplicas: 2,
    allowSingleReplica: true,
    namespaceQuota: { requestsCpuMillis: 8000, requestsMemoryMiB: 16384, limitsCpuMillis: 24000, limitsMemoryMiB: 32768, pods: 50 },
  },
};

/** One environment, one service; the registry is in the environment's account, so its stack holds the repositories. */
const platform = new Platform({
  name: 'erp',
  environments: [qa],
  services: [{ name: 'api', namespace: 'erp', partOf: 'erp', versions: [{ name: 'v1', image: `${REGISTRY}/api:1.0.0` }], ports: [{ name: 'web', port: 8080, protocol: PortProtocol.HTTP }] }],
});

function scratch(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'gate-refusal-terraform-'));
}

/** The output files of a synth, the synth's own state folder left out. */
const outputFiles = (dir: string) => listFiles(dir).filter((f) => !f.startsWith('.eks-platform/'));

/** The first resource of a Terraform type in the stack, in construct order. */
function first(stack: PlatformStack, type: string): TerraformResource {
  const found = stack.node.findAll().find((c): c is TerraformResource => c instanceof TerraformResource && c.terraformResourceType === type);
  if (!found) {
    throw new Error(`no ${type} in ${stack.node.path}`);
  }
  return found;
}

/**
 * Each case: the rule, the resource type it is broken on, the override that breaks it, and the type of the resource the
 * gate names (the bucket, for a rule over a bucket's companion resources). cdktf merges a list given to `addOverride`
 * into the list it overrides: `undefined` removes an attribute.
 */
const BREAKS: ReadonlyArray<readonly [rule: string, type: string, attribute: string, value: unknown, reportedOn: string]> = [
  ['s3-versioning', 'aws_s3_bucket_versioning', 'versioning_configuration.status', 'Suspended', 'aws_s3_bucket'],
  ['eks-control-plane-logs', 'aws_eks_cluster', 'enabled_cluster_log_types', undefined, 'aws_eks_cluster'],
  ['launch-template-hop-limit', 'aws_launch_template', 'metadata_options.http_put_response_hop_limit', 2, 'aws_launch_template'],
  ['kms-key-rotation', 'aws_kms_key', 'enable_key_rotation', false, 'aws_kms_key'],
  ['iam-public-trust', 'aws_iam_role', 'assume_role_policy', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] }), 'aws_iam_role'],
  ['vpc-public-ip-on-launch', 'aws_subnet', 'map_public_ip_on_launch', true, 'aws_subnet'],
  ['ecr-immutable-tags', 'aws_ecr_repository', 'image_tag_mutability', 'MUTABLE', 'aws_ecr_repository'],
];

describe('the gate on Terraform', () => {
  let previous: string;
  let before: Map<string, string>;
  beforeAll(() => {
    previous = scratch();
    synthesize(platform, { outdir: previous, only: 'terraform' });
    before = new Map(outputFiles(previous).map((f) => [f, fs.readFileSync(path.join(previous, f), 'utf8')]));
  });

  test('passes the small platform as it is, and writes its stack', () => {
    expect(outputFiles(previous)).toEqual(['cdktf.out/manifest.json', 'cdktf.out/stacks/qa/cdk.tf.json']);
    const stack = JSON.parse(before.get('cdktf.out/stacks/qa/cdk.tf.json')!) as { resource: Record<string, unknown> };
    for (const [, type, , , reportedOn] of BREAKS) {
      expect(Object.keys(stack.resource)).toContain(reportedOn);
      expect(Object.keys(stack.resource)).toContain(type);
    }
  });

  test.each(BREAKS)('fails when an override breaks %s (on %s), and writes nothing', (rule, type, attribute, value, reportedOn) => {
    const out = scratch();
    let address = '';
    let error: unknown;
    try {
      synthesize(platform, {
        outdir: out,
        only: 'terraform',
        extendStack: (stack) => {
          const resource = first(stack, type);
          resource.addOverride(attribute, value);
          address = reportedOn === type ? `${type}.${resource.friendlyUniqueId}` : `${reportedOn}.`;
        },
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(Error);
    const lines = (error as Error).message.split('\n');
    expect(lines[0]).toBe('the gate refused the output (1 violation(s)):');
    expect(lines[1]).toMatch(new RegExp(`^  \\[${rule}\\] .*cdktf\\.out: qa: ${address.replace(/[.$]/g, '\\$&')}\\S*: `));
    expect(outputFiles(out)).toEqual([]);
  });

  test('fails when a user\'s own bucket is a bare S3Bucket, naming every control it misses', () => {
    const out = scratch();
    expect(() => synthesize(platform, {
      outdir: out,
      only: 'terraform',
      extendStack: (stack) => new S3Bucket(stack, 'Reports', { bucket: `erp-${stack.environment.name}-reports-${stack.environment.accountId}` }),
    })).toThrow(/\(6 violation\(s\)\):\n {2}\[s3-versioning\] .*aws_s3_bucket\.Reports: .*\n {2}\[s3-sse-kms\] .*\n {2}\[s3-public-access-block\] .*\n {2}\[s3-tls-only\] .*\n {2}\[s3-abort-incomplete-uploads\] .*\n {2}\[s3-ownership-enforced\] /);
    expect(outputFiles(out)).toEqual([]);
  });

  test('passes a user\'s own bucket built with the library\'s hardened BackupBucket', () => {
    const out = scratch();
    synthesize(platform, {
      outdir: out,
      only: 'terraform',
      extendStack: (stack) => new BackupBucket(stack, 'Reports', {
        platformName: stack.platform.name, environmentName: stack.environment.name, accountId: stack.environment.accountId,
        retentionDays: 90, bucketName: `erp-${stack.environment.name}-reports-${stack.environment.accountId}`,
      }),
    });
    const stack = JSON.parse(fs.readFileSync(path.join(out, 'cdktf.out', 'stacks', 'qa', 'cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, { bucket?: string }>> };
    expect(Object.values(stack.resource.aws_s3_bucket).map((b) => b.bucket)).toEqual(expect.arrayContaining(['erp-qa-reports-111122223333', 'erp-qa-reports-111122223333-logs']));
  });

  test('fails when a service account role trusts the cluster\'s OIDC provider without a sub condition (iam-public-trust), and writes nothing', () => {
    const out = scratch();
    let address = '';
    expect(() => synthesize(platform, {
      outdir: out,
      only: 'terraform',
      extendStack: (stack) => {
        const roles = stack.node.findAll().filter((c): c is TerraformResource => c instanceof TerraformResource && c.terraformResourceType === 'aws_iam_role');
        // the roles of service accounts (IRSA): the cluster autoscaler's, the EBS CSI driver's, Velero's, the services'
        const irsa = roles.find((r) => /(ClusterAutoscalerRole|EbsCsiDriverRole|VeleroRole|ServiceRoles)/.test(r.node.path));
        if (!irsa) {
          throw new Error('no web identity role');
        }
        address = `aws_iam_role.${irsa.friendlyUniqueId}`;
        irsa.addOverride('assume_role_policy', JSON.stringify({ Version: '2012-10-17', Statement: [{
          Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE' }, Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE:aud': 'sts.amazonaws.com' } },
        }] }));
      },
    })).toThrow(/\(1 violation\(s\)\):\n {2}\[iam-public-trust\] .*qa: aws_iam_role\.\S+: assume_role_policy statement 0 trusts a web identity provider without naming who may assume the role/);
    expect(address).toMatch(/^aws_iam_role\./);
    expect(outputFiles(out)).toEqual([]);
  });

  test('passes, with a warning only, a KMS key whose enable_key_rotation is an expression the rules cannot read', () => {
    const out = scratch();
    synthesize(platform, { outdir: out, only: 'terraform', extendStack: (stack) => first(stack, 'aws_kms_key').addOverride('enable_key_rotation', '${var.rotate}') });
    expect(outputFiles(out)).toEqual(['cdktf.out/manifest.json', 'cdktf.out/stacks/qa/cdk.tf.json']);
  });

  test('fails when a rule is broken over a previous output, and leaves that output byte-identical', () => {
    expect(() => synthesize(platform, {
      outdir: previous,
      only: 'terraform',
      extendStack: (stack) => stack.cluster.resource.addOverride('upgrade_policy', null),
    })).toThrow(/\[eks-upgrade-policy\] .*qa: aws_eks_cluster\.\w+: upgrade_policy\.support_type is unset/);
    expect(new Map(outputFiles(previous).map((f) => [f, fs.readFileSync(path.join(previous, f), 'utf8')]))).toEqual(before);
  });
});
