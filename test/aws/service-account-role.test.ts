import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Testing } from 'cdktf';
import type {} from 'cdktf/lib/testing/adapters/jest';
import { ServiceAccountRole } from '../../lib/aws/service-account-role';
import { serviceAccountRoleArn } from '../../lib/model/names';

const base = {
  platformName: 'shop',
  environmentName: 'prod',
  accountId: '333333333333',
  namespace: 'shop',
  serviceAccount: 'notification',
  oidcProviderArn: 'arn:aws:iam::333333333333:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/ABC',
  oidcIssuer: 'oidc.eks.eu-central-1.amazonaws.com/id/ABC',
  statements: [{ actions: ['ses:SendEmail'], resources: ['arn:aws:ses:eu-central-1:333333333333:identity/example.com'] }],
};

describe('ServiceAccountRole', () => {
  let synth: string;
  let role: ServiceAccountRole;
  let roles: Record<string, { name: string; assume_role_policy: string }>;
  beforeAll(() => {
    synth = Testing.synthScope((scope) => {
      role = new ServiceAccountRole(scope, 'Role', base);
    });
    roles = (JSON.parse(synth) as { resource: { aws_iam_role: typeof roles } }).resource.aws_iam_role;
  });

  it('names the role so the Kubernetes side computes the same ARN', () => {
    expect(role.roleName).toBe('shop-prod-shop-notification');
    expect(role.expectedRoleArn).toBe(serviceAccountRoleArn('shop', 'prod', '333333333333', 'shop', 'notification'));
    expect(synth).toHaveResourceWithProperties(IamRole, { name: 'shop-prod-shop-notification' });
  });

  it('trusts only the service account through the OIDC provider', () => {
    const trust = JSON.parse(Object.values(roles)[0].assume_role_policy) as { Statement: Array<Record<string, unknown>> };
    expect(trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Federated: base.oidcProviderArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'oidc.eks.eu-central-1.amazonaws.com/id/ABC:aud': 'sts.amazonaws.com',
            'oidc.eks.eu-central-1.amazonaws.com/id/ABC:sub': 'system:serviceaccount:shop:notification',
          },
        },
      },
    ]);
  });

  it('grants the statements inline', () => {
    expect(synth).toHaveResourceWithProperties(IamRolePolicy, {
      policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ses:SendEmail', Resource: base.statements[0].resources[0] }] }),
    });
  });

  it('fails when a statement grants * on *', () => {
    expect(() => Testing.synthScope((scope) => {
      new ServiceAccountRole(scope, 'Admin', { ...base, statements: [{ actions: ['*'], resources: ['*'] }] });
    })).toThrow(/^stack\/Admin: statements\[0\] is \{"actions":\["\*"\],"resources":\["\*"\]\}; allowed: named actions/);
  });

  it('fails when the issuer has a scheme', () => {
    expect(() => Testing.synthScope((scope) => {
      new ServiceAccountRole(scope, 'Bad', { ...base, oidcIssuer: 'https://oidc.example.com/id/A' });
    })).toThrow(/^stack\/Bad: oidcIssuer is "https:\/\/oidc.example.com\/id\/A"; allowed:/);
  });
});

describe('ServiceAccountRole.grantReadSecrets', () => {
  const SECRET = 'arn:aws:secretsmanager:eu-central-1:333333333333:secret:shop/prod/shop/orders/db-AbCdEf';
  const KEY = 'arn:aws:kms:eu-central-1:333333333333:key/11111111-2222-3333-4444-555555555555';

  it('grants exactly GetSecretValue on the secrets and Decrypt on their key through Secrets Manager', () => {
    const synth = Testing.synthScope((scope) => {
      new ServiceAccountRole(scope, 'Role', { ...base, statements: [] }).grantReadSecrets([SECRET], [KEY], 'eu-central-1');
    });
    expect(synth).toHaveResourceWithProperties(IamRolePolicy, {
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'ReadSecrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SECRET },
          { Sid: 'DecryptSecrets', Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY, Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-central-1.amazonaws.com' } } },
        ],
      }),
    });
  });

  it('fails when there is no secret to grant', () => {
    expect(() => Testing.synthScope((scope) => {
      new ServiceAccountRole(scope, 'Role', { ...base, statements: [] }).grantReadSecrets([], [KEY], 'eu-central-1');
    })).toThrow(/grantReadSecrets\.secretArns is \[\]; allowed: one or more secret ARNs/);
  });
});
