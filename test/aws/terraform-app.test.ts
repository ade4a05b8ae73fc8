import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TerraformStack } from 'cdktf';
import { buildTerraformApp } from '../../lib/app/terraform-app';
import { environments, platform, services } from '../fixtures/shop';
import { Platform } from '../../lib/model/platform';

/** Every file under dir, relative path to content. */
function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, e.name);
      if (e.isDirectory()) walk(child);
      else out.set(child, fs.readFileSync(path.join(dir, child), 'utf8'));
    }
  };
  walk('');
  return out;
}

describe('buildTerraformApp (lib/app/terraform-app.ts)', () => {
  let tmp: string;
  let first: Map<string, string>;
  let second: Map<string, string>;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-app-'));
    buildTerraformApp(platform, path.join(tmp, 'a')).synth();
    buildTerraformApp(platform, path.join(tmp, 'b')).synth();
    first = readTree(path.join(tmp, 'a'));
    second = readTree(path.join(tmp, 'b'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('has one stack per environment, named dev, staging and prod, and the registry\'s own account gets a registry stack', () => {
    const app = buildTerraformApp(platform, path.join(tmp, 'c'));
    expect(app.node.children.filter((c) => c instanceof TerraformStack).map((c) => c.node.id)).toEqual(['dev', 'staging', 'prod', 'registry']);
    const registry = JSON.parse(first.get(path.join('stacks', 'registry', 'cdk.tf.json'))!) as { provider: { aws: { allowed_account_ids: string[] }[] }; resource: { aws_ecr_repository: Record<string, { name: string }> } };
    expect(registry.provider.aws[0].allowed_account_ids).toEqual([platform.registry.accountId]);
    expect(Object.values(registry.resource.aws_ecr_repository).map((r) => r.name)).toContain('shop/storefront');
    for (const env of ['dev', 'staging', 'prod']) {
      expect(first.has(path.join('stacks', env, 'cdk.tf.json'))).toBe(true);
    }
  });

  it('builds only the environments asked for', () => {
    const app = buildTerraformApp(platform, path.join(tmp, 'd'), { environments: ['prod'] });
    expect(app.node.children.filter((c) => c instanceof TerraformStack).map((c) => c.node.id)).toEqual(['prod']);
  });

  it('writes byte-identical files twice in a row', () => {
    expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
    for (const [file, content] of first) {
      expect(second.get(file)).toBe(content);
    }
  });

  it('writes no absolute path of the machine', () => {
    // as folders (with their separator), so that a tag such as `label/workload` is not taken for `/work`
    const roots = [tmp, os.tmpdir(), process.cwd(), os.homedir(), '/work', '/tmp', '/root', '/home'].map((r) => `${r}/`);
    for (const [file, content] of first) {
      for (const root of roots) {
        expect({ file, found: content.includes(root) }).toEqual({ file, found: false });
      }
    }
  });

  it('fails when an environment name is unknown', () => {
    expect(() => buildTerraformApp(platform, path.join(tmp, 'e'), { environments: ['prod', 'qa'] })).toThrow(/^Platform\(shop\): environment is "qa"; allowed: one of dev, staging, prod$/);
    expect(fs.existsSync(path.join(tmp, 'e'))).toBe(false);
  });

  it('fails when two environments\' VPC CIDRs overlap in the model', () => {
    const overlapping = environments.map((e) => (e.name === 'prod' ? { ...e, vpcCidr: '10.20.128.0/17' } : e));
    expect(() => new Platform({ name: 'shop', environments: overlapping, services })).toThrow(
      /^Platform\(shop\): environments\.prod\.vpcCidr is "10\.20\.128\.0\/17"; allowed: a CIDR that does not overlap environment staging's 10\.20\.0\.0\/16$/,
    );
  });

  it('fails when the model gets an invalid VPC CIDR', () => {
    const invalid = environments.map((e) => (e.name === 'dev' ? { ...e, vpcCidr: '10.10.0.0/33' } : e));
    expect(() => new Platform({ name: 'shop', environments: invalid, services })).toThrow(/^Platform\(shop\): environments\.dev\.vpcCidr is "10\.10\.0\.0\/33"; allowed:/);
  });
});
