import { Testing, TerraformStack } from 'cdktf';
import { addRemoteStateBackend, remoteStateNames } from '../../lib/aws/remote-state';
import type { EnvironmentConfig } from '../../lib/model/environment';

const env = { name: 'prod', accountId: '333333333333', region: 'eu-central-1' } as EnvironmentConfig;

function backendOf(environment: EnvironmentConfig): Record<string, unknown> {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'prod');
  addRemoteStateBackend(stack, 'shop', environment);
  const parsed = JSON.parse(Testing.synth(stack)) as { terraform: { backend: { s3: Record<string, unknown> } } };
  return parsed.terraform.backend.s3;
}

describe('remote state', () => {
  test('locks the state with S3 native locking and no DynamoDB table by default', () => {
    expect(backendOf(env)).toEqual({
      bucket: 'shop-prod-333333333333-tfstate',
      key: 'prod/terraform.tfstate',
      region: 'eu-central-1',
      encrypt: true,
      use_lockfile: true,
    });
    expect(remoteStateNames('shop', env).lockTable).toBeUndefined();
  });

  test('requires Terraform 1.11 or later (write-only arguments keep credentials out of plan and state)', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'prod');
    addRemoteStateBackend(stack, 'shop', env);
    const parsed = JSON.parse(Testing.synth(stack)) as { terraform: { required_version?: string } };
    expect(parsed.terraform.required_version).toBe('>= 1.11');
  });

  test('keeps a named DynamoDB lock table beside the lock file (a migration from table locking)', () => {
    const backend = backendOf({ ...env, remoteState: { lockTable: 'shop-prod-tflock' } });
    expect(backend).toMatchObject({ use_lockfile: true, dynamodb_table: 'shop-prod-tflock' });
  });

  test('fails when the lock table name is not a DynamoDB table name', () => {
    expect(() => backendOf({ ...env, remoteState: { lockTable: 'x' } })).toThrow(/^prod: remoteState\.lockTable is "x"; allowed: a DynamoDB table name/);
  });

  test('fails when the bucket name is not an S3 bucket name', () => {
    expect(() => backendOf({ ...env, remoteState: { bucket: 'Shop_State' } })).toThrow(/^prod: remoteState\.bucket is "Shop_State"; allowed: an S3 bucket name/);
  });
});
