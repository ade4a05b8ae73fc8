import { checkTerraformStack, formatTerraformViolations, neutralizeInterpolations } from '../../lib/policy/terraform-rules';

const policy = (statement: unknown) => JSON.stringify({ Version: '2012-10-17', Statement: statement });

describe('checkTerraformStack', () => {
  it('finds nothing in a clean stack', () => {
    const stack = {
      resource: {
        aws_iam_role_policy: { ok: { policy: policy([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]) } },
        aws_kms_key: { k: { policy: policy([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::1:root' }, Action: 'kms:*', Resource: '*' }]) } },
        aws_eks_cluster: { c: { vpc_config: { endpoint_public_access: false } } },
        aws_launch_template: { lt: { metadata_options: { http_tokens: 'required' } } },
        aws_iam_role: { r: { assume_role_policy: policy([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }]) } },
      },
    };
    expect(checkTerraformStack(stack)).toEqual([]);
  });

  it('fails when an inline role policy allows * on *', () => {
    const stack = { resource: { aws_iam_role_policy: { admin: { policy: policy([{ Effect: 'Allow', Action: ['s3:GetObject', '*'], Resource: ['*'] }]) } } } };
    expect(checkTerraformStack(stack)).toEqual([
      { rule: 'iam-admin-statement', severity: 'error', address: 'aws_iam_role_policy.admin', message: 'policy statement 0 allows action "*" on resource "*"' },
    ]);
  });

  it('fails when an aws_iam_policy, a KMS key policy or an inline_policy block allows *:* on *', () => {
    const admin = policy([{ Action: '*:*', Resource: '*' }]);
    const stack = {
      resource: {
        aws_iam_policy: { p: { policy: admin } },
        aws_kms_key: { k: { policy: admin } },
        aws_iam_role: { r: { assume_role_policy: '{}', inline_policy: [{ name: 'x', policy: admin }] } },
      },
    };
    expect(checkTerraformStack(stack).map((v) => `${v.address} ${v.message}`)).toEqual([
      'aws_iam_policy.p policy statement 0 allows action "*:*" on resource "*"',
      'aws_iam_role.r inline_policy[0].policy statement 0 allows action "*:*" on resource "*"',
      'aws_kms_key.k policy statement 0 allows action "*:*" on resource "*"',
    ]);
  });

  it('fails when an Allow with NotAction covers resource *', () => {
    const stack = { resource: { aws_iam_policy: { p: { policy: policy([{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }]) } } } };
    expect(checkTerraformStack(stack)[0].message).toBe('policy statement 0 allows every action except ["iam:*"] on resource "*"');
  });

  it('ignores Deny statements', () => {
    const stack = { resource: { aws_iam_policy: { p: { policy: policy([{ Effect: 'Deny', Action: '*', Resource: '*' }]) } } } };
    expect(checkTerraformStack(stack)).toEqual([]);
  });

  it('fails when an aws_iam_policy_document data source allows * on *', () => {
    const stack = {
      data: { aws_iam_policy_document: { d: { statement: [{ actions: ['*'], resources: ['*'] }] } } },
      resource: { aws_iam_policy: { p: { policy: '${data.aws_iam_policy_document.d.json}' } } },
    };
    expect(checkTerraformStack(stack)).toEqual([
      { rule: 'iam-admin-statement', severity: 'error', address: 'data.aws_iam_policy_document.d', message: 'statement 0 allows action "*" on resource "*"' },
    ]);
  });

  it('warns when a policy is an expression it cannot read', () => {
    const stack = { resource: { aws_iam_policy: { p: { policy: '${jsonencode({Statement = []})}' } } } };
    expect(checkTerraformStack(stack)).toEqual([expect.objectContaining({ rule: 'iam-policy-unreadable', severity: 'warning', address: 'aws_iam_policy.p' })]);
  });

  it('fails when an EKS public endpoint is open to 0.0.0.0/0, explicitly or by default', () => {
    const stack = {
      resource: {
        aws_eks_cluster: {
          explicit: { vpc_config: { endpoint_public_access: true, public_access_cidrs: ['203.0.113.0/24', '0.0.0.0/0'] } },
          implicit: { vpc_config: [{ subnet_ids: ['a'] }] },
          listed: { vpc_config: { endpoint_public_access: true, public_access_cidrs: ['203.0.113.0/24'] } },
        },
      },
    };
    expect(checkTerraformStack(stack).map((v) => `${v.rule} ${v.address}: ${v.message}`)).toEqual([
      'eks-public-endpoint-open aws_eks_cluster.explicit: the public API endpoint is on and open to 0.0.0.0/0',
      'eks-public-endpoint-open aws_eks_cluster.implicit: the public API endpoint is on and open to 0.0.0.0/0 (no public_access_cidrs)',
    ]);
  });

  it('fails when a launch template does not require IMDSv2 tokens', () => {
    const stack = { resource: { aws_launch_template: { optional: { metadata_options: { http_tokens: 'optional' } }, missing: {} } } };
    expect(checkTerraformStack(stack).map((v) => `${v.address}: ${v.message}`)).toEqual([
      'aws_launch_template.missing: metadata_options.http_tokens is null; IMDSv2 needs "required"',
      'aws_launch_template.optional: metadata_options.http_tokens is "optional"; IMDSv2 needs "required"',
    ]);
  });

  it('formats one line per violation with the stack name', () => {
    const v = checkTerraformStack({ resource: { aws_launch_template: { lt: {} } } });
    expect(formatTerraformViolations('prod', v)).toBe('prod: error launch-template-imdsv1 aws_launch_template.lt: metadata_options.http_tokens is null; IMDSv2 needs "required"');
  });

  it('reads policies holding interpolations with quotes and braces', () => {
    const text = '{"Statement":[{"Action":"*","Resource":"*","Condition":{"StringEquals":{"${replace(aws_x.y.url, "https://", "")}:sub":"a"}}}]}';
    expect(neutralizeInterpolations(text)).toBe('{"Statement":[{"Action":"*","Resource":"*","Condition":{"StringEquals":{"TF_EXPRESSION:sub":"a"}}}]}');
    const stack = { resource: { aws_iam_role_policy: { p: { policy: text } } } };
    expect(checkTerraformStack(stack).map((v) => v.rule)).toEqual(['iam-admin-statement']);
  });

  it('accepts anything that is not a stack', () => {
    expect(checkTerraformStack(null)).toEqual([]);
    expect(checkTerraformStack([1, 2])).toEqual([]);
  });
});
