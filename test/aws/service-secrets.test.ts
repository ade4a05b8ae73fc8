import { Testing } from 'cdktf';
import { PlatformStack } from '../../lib/aws/platform-stack';
import type { ServiceAccountRole } from '../../lib/aws/service-account-role';
import { ServiceSecrets } from '../../lib/aws/service-secrets';
import { checkTerraformStack, readPolicyDocument } from '../../lib/policy/terraform-rules';
import { imageSources } from '../../apps/platform';
import { DataStoreEngine } from '../../lib/model/data-stores';
import { Platform } from '../../lib/model/platform';
import { ORDERS, WEB, secretsEnvironments, secretsPlatform } from '../k8s/secrets/_secrets-platform';

type Body = Record<string, unknown>;
interface Stack { resource: Record<string, Record<string, Body>> }
interface Statement { Sid?: string; Effect?: string; Action?: string | string[]; Resource?: string | string[]; Principal?: unknown; Condition?: Record<string, Record<string, string | string[]>> }
const list = (v: string | string[] | undefined) => (v === undefined ? [] : [v].flat());

describe('ServiceSecrets in the prod stack', () => {
  const platform = secretsPlatform();
  let stack: PlatformStack;
  let parsed: Stack;
  let json: string;
  const of = (type: string) => parsed.resource[type] ?? {};
  /** The statements of a service's secrets reader role's inline policy, by the service. */
  const policyOf = (service: string): Statement[] => {
    const role = stack.serviceSecrets?.readerRoles.get(`shop/${service}`) as ServiceAccountRole;
    const entry = Object.values(of('aws_iam_role_policy')).find((p) => p.role === `\${aws_iam_role.${role.role.friendlyUniqueId}.name}`);
    if (!entry) throw new Error(`no policy for ${service}`);
    // plain JSON with Terraform interpolations in its strings
    return (JSON.parse(String(entry.policy)) as { Statement: Statement[] }).Statement;
  };
  beforeAll(() => {
    stack = new PlatformStack(Testing.app(), 'prod', { platform, environment: platform.environment('prod') });
    json = Testing.synth(stack);
    parsed = JSON.parse(json) as Stack;
  });

  test('creates one Secrets Manager secret per secret a service declares, with the environment\'s key and a 30-day recovery window, never a value', () => {
    const secrets = Object.values(of('aws_secretsmanager_secret'));
    expect(secrets.map((s) => s.name).sort()).toEqual(['shop/prod/shop/ledger/superuser', 'shop/prod/shop/orders/db', 'shop/prod/shop/orders/stripe']);
    for (const s of secrets) {
      expect(s.kms_key_id).toBe(`\${aws_kms_key.${stack.serviceSecrets?.kmsKey?.resource.friendlyUniqueId}.arn}`);
      expect(s.recovery_window_in_days).toBe(30);
    }
    expect(secrets.find((s) => s.name === 'shop/prod/shop/orders/db')?.description).toBe('The orders database login');
    expect(parsed.resource).not.toHaveProperty('aws_secretsmanager_secret_version');
  });

  test('lets each reader\'s role read exactly its own secrets, and decrypt only through Secrets Manager', () => {
    for (const [service, names] of [['orders', ['db', 'stripe']], ['ledger', ['superuser']]] as const) {
      const statements = policyOf(service);
      const read = statements.find((s) => s.Sid === 'ReadSecrets') as Statement;
      expect(list(read.Action as string | string[])).toEqual(['secretsmanager:GetSecretValue']);
      const expected = names.map((n) => `\${aws_secretsmanager_secret.${stack.serviceSecrets?.secrets.get(`shop/prod/shop/${service}/${n}`)?.friendlyUniqueId}.arn}`).sort();
      expect(list(read.Resource as string | string[])).toEqual(expected);
      const decrypt = statements.find((s) => s.Sid === 'DecryptSecrets') as Statement;
      expect(list(decrypt.Action as string | string[])).toEqual(['kms:Decrypt']);
      expect(decrypt.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'secretsmanager.eu-central-1.amazonaws.com' } });
      // nothing else of Secrets Manager, anywhere in the role's policy
      expect(statements.flatMap((s) => list(s.Action as string | string[])).filter((a) => a.startsWith('secretsmanager:'))).toEqual(['secretsmanager:GetSecretValue']);
      // and nothing but reading secrets
      expect(statements.map((s) => s.Sid)).toEqual(['ReadSecrets', 'DecryptSecrets']);
    }
    expect([...(stack.serviceSecrets?.readerRoles.keys() ?? [])]).toEqual(['shop/ledger', 'shop/orders']);
  });

  test('gives a service that only reads secrets no IAM role of its own: only its reader, trusted by exactly the reader ServiceAccount', () => {
    expect(stack.serviceRoles).toEqual({});
    const roles = Object.values(of('aws_iam_role'));
    const names = roles.map((r) => String(r.name));
    expect(names).toEqual(expect.arrayContaining(['shop-prod-shop-ledger-secrets', 'shop-prod-shop-orders-secrets']));
    for (const service of ['orders', 'ledger', 'web']) {
      expect(names).not.toContain(`shop-prod-shop-${service}`);
    }
    const reader = roles.find((r) => r.name === 'shop-prod-shop-orders-secrets') as Body;
    // the issuer is a reference to the cluster: the condition keys hold a Terraform interpolation
    const trust = (readPolicyDocument(String(reader.assume_role_policy)) as { Statement: Statement[] }).Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0].Action).toBe('sts:AssumeRoleWithWebIdentity');
    const equals = Object.entries(trust[0].Condition?.StringEquals ?? {});
    expect(equals.filter(([k]) => k.endsWith(':sub')).map(([, v]) => v)).toEqual(['system:serviceaccount:shop:orders-secrets']);
    expect(equals.filter(([k]) => k.endsWith(':aud')).map(([, v]) => v)).toEqual(['sts.amazonaws.com']);
    // the ARN the Kubernetes side annotates the reader with is this role's
    expect(stack.serviceSecrets?.readerRoles.get('shop/orders')?.expectedRoleArn).toBe(platform.secretsReaderRoleArn(platform.environment('prod'), platform.service('shop/orders')));
  });

  test('opens the secrets key to no principal but the account root: readers decrypt through their roles only', () => {
    const key = stack.serviceSecrets?.kmsKey;
    const body = of('aws_kms_key')[key?.resource.friendlyUniqueId as string];
    const statements = (readPolicyDocument(String(body.policy)) as { Statement: Statement[] }).Statement;
    // a statement for every principal of the account would let anyone allowed GetSecretValue on * decrypt these
    const wildcard = statements.filter((s) => JSON.stringify(s.Principal ?? {}).includes('"*"') && list(s.Action as string | string[]).some((a) => a === 'kms:Decrypt'));
    expect(wildcard.map((s) => s.Sid)).toEqual([]);
    expect(body.enable_key_rotation).toBe(true);
  });

  test('creates the STS and Secrets Manager interface endpoints the operator calls', () => {
    expect(Object.values(of('aws_vpc_endpoint')).map((e) => String(e.service_name).split('.').slice(3).join('.'))).toEqual(expect.arrayContaining(['secretsmanager', 'sts']));
  });

  test('passes the Terraform rules', () => {
    expect(checkTerraformStack(parsed).filter((v) => v.severity === 'error')).toEqual([]);
  });

  test('fails when the recovery window is outside 7 to 30 days', () => {
    expect(() => new ServiceSecrets(new PlatformStack(Testing.app(), 'dev', { platform, environment: platform.environment('dev') }), 'Other', {
      platform, environment: platform.environment('dev'), oidcProviderArn: 'arn:aws:iam::111111111111:oidc-provider/x', oidcIssuer: 'x', recoveryWindowInDays: 3,
    })).toThrow(/recoveryWindowInDays is 3; allowed: a whole number of days from 7 to 30/);
  });
});

describe('ServiceSecrets with a data store', () => {
  test('grants a caller its data store\'s credentials (created by the store, not here) and decryption with the store\'s key', () => {
    const platform = new Platform({
      name: 'shop',
      environments: secretsEnvironments,
      services: [{ ...ORDERS, calls: ['orders-db'] }, WEB],
      dataStores: [{ name: 'orders-db', namespace: 'shop', engine: DataStoreEngine.POSTGRESQL }],
      ...imageSources,
    });
    const stack = new PlatformStack(Testing.app(), 'prod', { platform, environment: platform.environment('prod') });
    const parsed = JSON.parse(Testing.synth(stack)) as Stack;
    // only the service's own secrets are created by ServiceSecrets
    expect([...(stack.serviceSecrets?.secrets.keys() ?? [])].sort()).toEqual(['shop/prod/shop/orders/db', 'shop/prod/shop/orders/stripe']);
    const role = stack.serviceSecrets?.readerRoles.get('shop/orders') as ServiceAccountRole;
    const policy = Object.values(parsed.resource.aws_iam_role_policy).find((p) => p.role === `\${aws_iam_role.${role.role.friendlyUniqueId}.name}`) as Body;
    const statements = (JSON.parse(String(policy.policy)) as { Statement: Statement[] }).Statement;
    const read = list(statements.find((s) => s.Sid === 'ReadSecrets')?.Resource as string[]);
    expect(read).toHaveLength(3);
    const storeSecret = Object.entries(parsed.resource.aws_secretsmanager_secret).find(([, b]) => b.name === 'shop/prod/shop/orders-db')?.[0];
    expect(read).toContain(`\${aws_secretsmanager_secret.${storeSecret}.arn}`);
    const keys = list(statements.find((s) => s.Sid === 'DecryptSecrets')?.Resource as string[]);
    expect(keys).toEqual([`\${aws_kms_key.${stack.dataStores?.key.resource.friendlyUniqueId}.arn}`, `\${aws_kms_key.${stack.serviceSecrets?.kmsKey?.resource.friendlyUniqueId}.arn}`].sort());
  });
});

describe('ServiceSecrets beside a service that calls AWS itself', () => {
  test('gives it two roles: the pods\' own without any secrets grant, and the reader with exactly the secrets', () => {
    const queue = 'arn:aws:sqs:eu-central-1:333333333333:orders-events';
    const platform = secretsPlatform([{ ...ORDERS, calls: [], awsPermissions: [{ actions: ['sqs:SendMessage'], resources: [queue] }] }, WEB]);
    const stack = new PlatformStack(Testing.app(), 'prod', { platform, environment: platform.environment('prod') });
    const parsed = JSON.parse(Testing.synth(stack)) as Stack;
    const statementsOf = (role: ServiceAccountRole) => {
      const policy = Object.values(parsed.resource.aws_iam_role_policy).find((p) => p.role === `\${aws_iam_role.${role.role.friendlyUniqueId}.name}`) as Body;
      return (JSON.parse(String(policy.policy)) as { Statement: Statement[] }).Statement;
    };
    const own = stack.serviceRoles['shop/orders'];
    const reader = stack.serviceSecrets?.readerRoles.get('shop/orders') as ServiceAccountRole;
    expect([own.roleName, reader.roleName]).toEqual(['shop-prod-shop-orders', 'shop-prod-shop-orders-secrets']);
    expect([own.subject, reader.subject]).toEqual(['system:serviceaccount:shop:orders', 'system:serviceaccount:shop:orders-secrets']);
    // the pods' role: exactly its awsPermissions, nothing of Secrets Manager or the secrets key
    expect(statementsOf(own)).toEqual([{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queue }]);
    const readerActions = statementsOf(reader).flatMap((s) => list(s.Action as string | string[])).sort();
    expect(readerActions).toEqual(['kms:Decrypt', 'secretsmanager:GetSecretValue']);
    expect(own.expectedRoleArn).toBe(platform.serviceRoleArn(platform.environment('prod'), platform.service('shop/orders')));
  });
});
