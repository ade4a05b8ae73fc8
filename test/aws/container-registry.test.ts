import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { Testing } from 'cdktf';
import type {} from 'cdktf/lib/testing/adapters/jest';
import { platform } from '../../apps/platform';
import { ContainerRegistry } from '../../lib/aws/container-registry';
import { checkTerraformStack } from '../../lib/policy/terraform-rules';

type Body = Record<string, unknown>;
interface Parsed { resource: Record<string, Record<string, Body>> }
interface Statement { Sid?: string; Effect: string; Action: string | string[]; Principal?: { AWS: string | string[] }; Resource?: unknown }

const of = (p: Parsed, type: string) => Object.values(p.resource[type] ?? {});
const SERVICES = [{ name: 'api', namespace: 'erp' }, { name: 'orders', namespace: 'erp' }];

describe('ContainerRegistry', () => {
  let json: string;
  let parsed: Parsed;
  let registry: ContainerRegistry;
  beforeAll(() => {
    json = Testing.synthScope((scope) => {
      registry = new ContainerRegistry(scope, 'Registry', { platformName: 'erp', accountId: '444455556666', region: 'eu-west-1', services: SERVICES, pullAccountIds: ['777788889999'] });
      // grown after construction: a repository added after a grant, an account granted after the repositories
      registry.addRepository({ name: 'invoicing', namespace: 'erp' });
      registry.grantPull('111122223333');
      registry.grantPull('444455556666'); // its own account: IAM grants it, no statement
    });
    parsed = JSON.parse(json) as Parsed;
  });

  it('creates one repository per service, named <platform>/<service>, with immutable tags, scan on push and KMS', () => {
    const repos = of(parsed, 'aws_ecr_repository');
    expect(repos.map((r) => r.name).sort()).toEqual(['erp/api', 'erp/invoicing', 'erp/orders']);
    for (const repo of repos) {
      expect(repo).toMatchObject({
        image_tag_mutability: 'IMMUTABLE',
        image_scanning_configuration: { scan_on_push: true },
        encryption_configuration: [{ encryption_type: 'KMS', kms_key: expect.stringMatching(/^\$\{aws_kms_key\.Registry_Key_.*\.arn\}$/) }],
        force_delete: false,
      });
    }
    expect(json).toHaveResourceWithProperties(EcrRepository, { name: 'erp/api' });
  });

  it('encrypts with a rotating key of its own', () => {
    expect(of(parsed, 'aws_kms_key')).toHaveLength(1);
    expect(of(parsed, 'aws_kms_key')[0].enable_key_rotation).toBe(true);
    expect(of(parsed, 'aws_kms_alias')[0].name).toBe('alias/erp-ecr');
  });

  it('expires untagged images after 7 days and keeps the newest 30 tagged ones', () => {
    const policies = of(parsed, 'aws_ecr_lifecycle_policy');
    expect(policies).toHaveLength(3);
    expect(JSON.parse(policies[0].policy as string)).toEqual({
      rules: [
        {
          rulePriority: 1,
          description: 'Expire untagged images 7 days after their push',
          selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 },
          action: { type: 'expire' },
        },
        {
          rulePriority: 2,
          description: 'Keep the newest 30 tagged images',
          selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 30 },
          action: { type: 'expire' },
        },
      ],
    });
    expect(policies.every((p) => typeof p.repository === 'string' && (p.repository as string).startsWith('${aws_ecr_repository.'))).toBe(true);
  });

  it('lets every other account granted pull from every repository, including those added later', () => {
    const policies = of(parsed, 'aws_ecr_repository_policy');
    expect(policies).toHaveLength(3);
    for (const p of policies) {
      const doc = JSON.parse(p.policy as string) as { Statement: Statement[] };
      expect(doc.Statement).toEqual([{
        Sid: 'CrossAccountPull',
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::111122223333:root', 'arn:aws:iam::777788889999:root'] },
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      }]);
    }
    expect(registry.pullAccountIds).toEqual(['111122223333', '777788889999']);
  });

  it('knows each repository URL without a lookup', () => {
    expect(registry.registryHost).toBe('444455556666.dkr.ecr.eu-west-1.amazonaws.com');
    expect(registry.repositoryOf({ name: 'api', namespace: 'erp' }).repositoryUrl).toBe('444455556666.dkr.ecr.eu-west-1.amazonaws.com/erp/api');
    expect(Object.keys(registry.repositories)).toEqual(['erp/api', 'erp/orders', 'erp/invoicing']);
  });

  it('passes the Terraform rules', () => {
    expect(checkTerraformStack(parsed)).toEqual([]);
  });

  it('adds no repository policy when no other account pulls', () => {
    const out = JSON.parse(Testing.synthScope((scope) => {
      new ContainerRegistry(scope, 'Registry', { platformName: 'erp', accountId: '444455556666', region: 'eu-west-1', services: SERVICES, keepReleases: 5, untaggedExpiryDays: 1 });
    })) as Parsed;
    expect(of(out, 'aws_ecr_repository_policy')).toEqual([]);
    const rules = (JSON.parse(of(out, 'aws_ecr_lifecycle_policy')[0].policy as string) as { rules: Array<{ selection: { countNumber: number } }> }).rules;
    expect(rules.map((r) => r.selection.countNumber)).toEqual([1, 5]);
  });

  it('builds the registry of a platform model: a repository per service, pulls for the environment accounts', () => {
    let fromModel: ContainerRegistry | undefined;
    const out = JSON.parse(Testing.synthScope((scope) => {
      fromModel = ContainerRegistry.fromPlatform(scope, 'Registry', platform);
    })) as Parsed;
    expect(of(out, 'aws_ecr_repository').map((r) => r.name).sort()).toEqual(platform.services.map((s) => platform.repositoryName(s)).sort());
    expect(fromModel?.pullAccountIds).toEqual(['111111111111', '222222222222', '333333333333']);
    expect(fromModel?.repositoryOf(platform.service('storefront', 'shop')).repositoryUrl).toBe(platform.repositoryUrl(platform.service('storefront', 'shop')));
  });

  it('fails when two services of one name would share a repository', () => {
    expect(() => Testing.synthScope((scope) => {
      new ContainerRegistry(scope, 'Registry', { platformName: 'erp', accountId: '444455556666', region: 'eu-west-1', services: [...SERVICES, { name: 'api', namespace: 'erp-admin' }] });
    })).toThrow(/^stack\/Registry: services\.erp-admin\/api is "erp\/api"; allowed: one service per repository name; erp\/api has it already/);
  });

  it('fails when keepReleases is 0', () => {
    expect(() => Testing.synthScope((scope) => {
      new ContainerRegistry(scope, 'Registry', { platformName: 'erp', accountId: '444455556666', region: 'eu-west-1', keepReleases: 0 });
    })).toThrow(/^stack\/Registry: keepReleases is 0; allowed: a whole number, 1 or more$/);
  });

  it('fails when a pull is granted to something that is not an account id', () => {
    expect(() => Testing.synthScope((scope) => {
      new ContainerRegistry(scope, 'Registry', { platformName: 'erp', accountId: '444455556666', region: 'eu-west-1' }).grantPull('arn:aws:iam::777788889999:root');
    })).toThrow(/^stack\/Registry: grantPull\.accountId is "arn:aws:iam::777788889999:root"; allowed: an AWS account id of 12 digits$/);
  });

  it('fails when a repository is asked for a service without one', () => {
    expect(() => registry.repositoryOf({ name: 'nope', namespace: 'erp' })).toThrow(/service is "erp\/nope"; allowed: a service with a repository \(erp\/api, erp\/orders, erp\/invoicing\)/);
  });
});
