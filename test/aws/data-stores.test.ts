/**
 * The AWS side of the data stores of a small platform (one PostgreSQL, one Redis store): managed in prod (RDS) and
 * staging (Aurora), in the cluster in dev. Asserted on the synthesized Terraform JSON.
 */
import { Testing } from 'cdktf';
import { PlatformStack } from '../../lib/aws/platform-stack';
import { managedStoreCidrs } from '../../lib/model/data-stores';
import { checkTerraformStack, readPolicyDocument } from '../../lib/policy/terraform-rules';
import { storesPlatform } from '../k8s/data-stores/_fixture';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Stack { resource: Record<string, Record<string, Body>>; data?: Record<string, Record<string, Body>> }

const platform = storesPlatform();
const out: Record<string, { json: string; parsed: Stack }> = {};
beforeAll(() => {
  for (const env of ['dev', 'staging', 'prod']) {
    const json = Testing.synth(new PlatformStack(Testing.app(), env, { platform, environment: platform.environment(env) }));
    out[env] = { json, parsed: JSON.parse(json) as Stack };
  }
});
const of = (env: string, type: string) => Object.values(out[env].parsed.resource[type] ?? {});

describe('managed stores (prod: RDS, ElastiCache)', () => {
  test('the RDS instance is Multi-AZ, encrypted with the stores\' key, deletion-protected, private, with PITR of the configured days', () => {
    const [db] = of('prod', 'aws_db_instance');
    expect(db).toMatchObject({
      identifier: 'shop-prod-orders-db', engine: 'postgres', engine_version: '17', multi_az: true, storage_encrypted: true,
      deletion_protection: true, skip_final_snapshot: false, final_snapshot_identifier: 'shop-prod-orders-db-final', copy_tags_to_snapshot: true,
      backup_retention_period: 21, publicly_accessible: false, iam_database_authentication_enabled: true, auto_minor_version_upgrade: true,
      db_name: 'orders', username: 'orders', allocated_storage: 50, password_wo_version: 1,
    });
    expect(db.kms_key_id).toMatch(/aws_kms_key\.DataStores_Key/);
    expect(db.password).toBeUndefined();
    // the password the secret holds, read back after it was written: never the generator's fresh output
    expect(db.password_wo).toMatch(/^\$\{jsondecode\(data\.aws_secretsmanager_secret_version\.DataStores_shop-data-orders-db_Credentials_Current_\w+\.secret_string\)\.password\}$/);
    const [params] = of('prod', 'aws_db_parameter_group');
    expect(params.parameter).toEqual([{ name: 'rds.force_ssl', value: '1' }]);
  });

  test('each store reads its password back from its secret, after the secret version is written (they cannot drift apart)', () => {
    const reads = Object.values(out.prod.parsed.data?.aws_secretsmanager_secret_version ?? {});
    expect(reads.length).toBe(2);
    for (const read of reads) {
      expect(read.depends_on).toEqual([expect.stringMatching(/^aws_secretsmanager_secret_version\.DataStores_\S+_Credentials_Value_\w+$/)]);
    }
  });

  test('the ElastiCache replication group has a node per zone, failover, TLS required, encryption at rest and an AUTH token', () => {
    const [rg] = of('prod', 'aws_elasticache_replication_group');
    expect(rg).toMatchObject({
      replication_group_id: 'shop-prod-cache', engine: 'valkey', engine_version: '7.2', num_cache_clusters: 3, automatic_failover_enabled: true,
      multi_az_enabled: true, transit_encryption_enabled: true, transit_encryption_mode: 'required', at_rest_encryption_enabled: 'true', snapshot_retention_limit: 21,
    });
    expect(rg.preferred_cache_cluster_azs).toEqual(platform.environment('prod').availabilityZones);
    expect(rg.kms_key_id).toMatch(/aws_kms_key\.DataStores_Key/);
    expect(rg.auth_token).toMatch(/^\$\{jsondecode\(data\.aws_secretsmanager_secret_version\.DataStores_shop-data-cache_Credentials_Current_\w+\.secret_string\)\.password\}$/);
    // a raised credentials version rotates the token (both stay valid while clients move): not ignored
    expect(rg.auth_token_update_strategy).toBe('ROTATE');
    expect((rg.lifecycle as { ignore_changes?: string[] }).ignore_changes ?? []).not.toContain('auth_token');
  });

  test('the stores\' security groups admit only the EKS cluster security group, on the store\'s port, and allow no egress', () => {
    const groups = of('prod', 'aws_security_group').filter((g) => /-(postgres|redis)$/.test(g.name));
    expect(groups.map((g) => g.name).sort()).toEqual(['shop-prod-cache-redis', 'shop-prod-orders-db-postgres']);
    groups.forEach((g) => expect(g.egress).toEqual([]));
    const rules = of('prod', 'aws_vpc_security_group_ingress_rule');
    expect(rules.map((r) => [r.from_port, r.to_port]).sort()).toEqual([[5432, 5432], [6379, 6379]]);
    for (const r of rules) {
      expect(r.referenced_security_group_id).toMatch(/aws_eks_cluster\..*vpc_config\[0\]\.cluster_security_group_id/);
      expect(r.cidr_ipv4).toBeUndefined();
    }
  });

  test('the stores sit in the intra subnets, and a private zone associated with the VPC names them <store>.<namespace>.<zone>', () => {
    for (const type of ['aws_db_subnet_group', 'aws_elasticache_subnet_group']) {
      const [group] = of('prod', type);
      expect(JSON.stringify(group.subnet_ids)).toMatch(/Intra/);
    }
    const [zone] = of('prod', 'aws_route53_zone');
    expect(zone.name).toBe('prod.shop.data.internal');
    expect(zone.vpc).toHaveLength(1);
    expect(of('prod', 'aws_route53_record').map((r) => [r.name, r.type]).sort()).toEqual([
      ['cache.shop-data.prod.shop.data.internal', 'CNAME'], ['orders-db.shop-data.prod.shop.data.internal', 'CNAME'],
    ]);
  });

  test('each store has one secret at its known name, encrypted with the stores\' key, its value write-only', () => {
    const secrets = of('prod', 'aws_secretsmanager_secret');
    expect(secrets.map((s) => s.name).sort()).toEqual(['shop/prod/shop-data/cache', 'shop/prod/shop-data/orders-db']);
    secrets.forEach((s) => expect(s.kms_key_id).toMatch(/aws_kms_key\.DataStores_Key/));
    const versions = of('prod', 'aws_secretsmanager_secret_version');
    expect(versions).toHaveLength(2);
    for (const v of versions) {
      expect(v.secret_string).toBeUndefined();
      expect(v.secret_string_wo_version).toBe(1);
      expect(v.secret_string_wo).toMatch(/jsonencode/);
    }
    const random = Object.values(out.prod.parsed.data?.aws_secretsmanager_random_password ?? {});
    expect(random).toHaveLength(2);
    random.forEach((r) => expect(r.exclude_punctuation).toBe(true));
  });

  test('the stack passes the gate\'s Terraform rules', () => {
    expect(checkTerraformStack(out.prod.parsed)).toEqual([]);
    expect(checkTerraformStack(out.staging.parsed)).toEqual([]);
    expect(checkTerraformStack(out.dev.parsed)).toEqual([]);
  });
});

describe('managed PostgreSQL on Aurora (staging)', () => {
  test('an encrypted, deletion-protected cluster with a writer and a reader in two zones', () => {
    const [cluster] = of('staging', 'aws_rds_cluster');
    expect(cluster).toMatchObject({ cluster_identifier: 'shop-staging-orders-db', engine: 'aurora-postgresql', storage_encrypted: true, deletion_protection: true, skip_final_snapshot: false, backup_retention_period: 14, master_password_wo_version: 1 });
    expect(cluster.master_password).toBeUndefined();
    const instances = of('staging', 'aws_rds_cluster_instance');
    expect(instances).toHaveLength(2);
    expect(new Set(instances.map((i) => i.availability_zone)).size).toBe(2);
    instances.forEach((i) => expect(i.publicly_accessible).toBe(false));
    expect(of('staging', 'aws_db_instance')).toEqual([]);
  });
});

describe('in-cluster stores (dev)', () => {
  test('no RDS or ElastiCache, but the credentials\' secrets at the same names', () => {
    expect(of('dev', 'aws_db_instance')).toEqual([]);
    expect(of('dev', 'aws_elasticache_replication_group')).toEqual([]);
    expect(of('dev', 'aws_route53_zone')).toEqual([]);
    expect(of('dev', 'aws_secretsmanager_secret').map((s) => s.name).sort()).toEqual(['shop/dev/shop-data/cache', 'shop/dev/shop-data/orders-db']);
  });

  test('CloudNativePG\'s service account may write only its prefix of the backup bucket; External Secrets\' only reads the store\'s secret', () => {
    const roles = of('dev', 'aws_iam_role').map((r) => r.name);
    expect(roles).toEqual(expect.arrayContaining(['shop-dev-shop-data-orders-db', 'shop-dev-shop-data-orders-db-credentials', 'shop-dev-shop-data-cache-credentials']));
    const policies = of('dev', 'aws_iam_role_policy').map((p) => readPolicyDocument(p.policy) as { Statement: Array<{ Action: string | string[]; Resource: string | string[] }> });
    const all = JSON.stringify(policies);
    expect(all).toContain('/data-stores/shop-data/orders-db/*');
    const secretReads = policies.flatMap((p) => p.Statement).filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    secretReads.forEach((s) => expect([s.Resource].flat().every((r) => r !== '*')).toBe(true));
    const statements = policies.flatMap((p) => p.Statement) as Array<{ Sid?: string; Action: string | string[]; Condition?: Record<string, Record<string, unknown>> }>;
    // External Secrets calls GetSecretValue only; the stores' key (it also encrypts RDS and ElastiCache) only through Secrets Manager
    expect(statements.flatMap((st) => [st.Action].flat()).filter((a) => a === 'secretsmanager:DescribeSecret')).toEqual([]);
    const decrypt = statements.filter((st) => st.Sid === 'DecryptThroughSecretsManager');
    expect(decrypt.length).toBe(2);
    decrypt.forEach((st) => expect(st.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'secretsmanager.eu-central-1.amazonaws.com' } }));
    // barman-cloud's bucket check (HeadBucket, as s3:ListBucket) has no prefix: IfExists lets it through, listings stay in the prefix
    const list = statements.find((st) => st.Sid === 'ListOwnPrefix');
    expect(Object.keys(list?.Condition ?? {})).toEqual(['StringLikeIfExists']);
  });
});

test('no generated password or secret value is written to the Terraform output', () => {
  for (const env of ['dev', 'staging', 'prod']) {
    expect(out[env].json).not.toMatch(/"secret_string"\s*:/);
    expect(out[env].json).not.toMatch(/"password"\s*:/);
    expect(out[env].json).not.toMatch(/"master_password"\s*:/);
  }
});

test('the callers\' NetworkPolicy blocks of managed stores are the intra subnets the Network carves', () => {
  const env = platform.environment('prod');
  const subnets = of('prod', 'aws_subnet').filter((s) => /intra/i.test(JSON.stringify(s.tags ?? {})) || /Intra/.test(String(s.tags?.Name ?? '')));
  const cidrs = subnets.map((s) => s.cidr_block).sort();
  expect(cidrs).toEqual(managedStoreCidrs(env.vpcCidr, false).sort());
});

test('raising a store\'s credentials version rotates its password: the write-only versions of the secret and the database follow', () => {
  const rotated = storesPlatform({ environments: platform.environments.map((e) => (e.name === 'prod' ? { ...e, dataStores: { ...e.dataStores, credentialsVersions: { 'orders-db': 2 } } } : e)) });
  const parsed = JSON.parse(Testing.synth(new PlatformStack(Testing.app(), 'prod', { platform: rotated, environment: rotated.environment('prod') }))) as Stack;
  expect(Object.values(parsed.resource.aws_db_instance)[0].password_wo_version).toBe(2);
  expect(Object.values(parsed.resource.aws_secretsmanager_secret_version).map((v) => v.secret_string_wo_version).sort()).toEqual([1, 2]);
});
