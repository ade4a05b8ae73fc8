/**
 * The second reference platform (apps/erp.ts): its data stores in the cluster in dev and managed by AWS in prod,
 * from the same two model entries; secrets by name only. Synthesized as `npm run synth` does (gate included).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadAll } from 'js-yaml';
import { platform } from '../../apps/erp';
import { synthesize } from '../../lib/app/synthesize';
import { listFiles } from '../../lib/synth';

interface K8sObject { readonly apiVersion: string; readonly kind: string; readonly metadata: { readonly name: string; readonly namespace?: string }; readonly spec?: Record<string, unknown>; readonly data?: unknown; readonly stringData?: unknown }
type Stack = { resource: Record<string, Record<string, Record<string, unknown>>>; data?: Record<string, Record<string, Record<string, unknown>>> };

let out: string;
beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'erp-platform-'));
  synthesize(platform, { outdir: out });
});

function objects(env: string): K8sObject[] {
  return (loadAll(fs.readFileSync(path.join(out, 'dist', env, 'platform.k8s.yaml'), 'utf8')) as K8sObject[]).filter(Boolean);
}
function stack(env: string): Stack {
  return JSON.parse(fs.readFileSync(path.join(out, 'cdktf.out', 'stacks', env, 'cdk.tf.json'), 'utf8')) as Stack;
}
function snapshotOf(dir: string): Map<string, string> {
  return new Map(listFiles(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

describe('the ERP reference platform', () => {
  test('writes both worlds of dev and prod (and the registry account\'s stack), passing the gate', () => {
    const files = listFiles(out).filter((f) => !f.startsWith('.eks-platform/') && !f.includes('/runbooks/'));
    expect(files).toEqual(expect.arrayContaining([
      'cdktf.out/stacks/dev/cdk.tf.json', 'cdktf.out/stacks/prod/cdk.tf.json', 'cdktf.out/stacks/registry/cdk.tf.json',
      'dist/dev/platform.k8s.yaml', 'dist/prod/platform.k8s.yaml', 'dist/dev/PREREQUISITES.md', 'dist/prod/PREREQUISITES.md',
    ]));
  });

  test('matches the committed platforms/erp/dist (run npm run synth and commit the YAML when this fails)', () => {
    const committed = path.join(__dirname, '..', '..', 'platforms', 'erp', 'dist');
    for (const env of ['dev', 'prod']) {
      expect(snapshotOf(path.join(committed, env))).toEqual(snapshotOf(path.join(out, 'dist', env)));
    }
  });

  test('runs PostgreSQL and Redis in the cluster in dev: three PostgreSQL instances, no managed store', () => {
    const dev = objects('dev');
    const clusters = dev.filter((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('postgresql.cnpg.io/'));
    expect(clusters.map((c) => `${c.metadata.namespace}/${c.metadata.name}`)).toEqual(['erp-data/erp-db']);
    expect(clusters[0].spec?.instances).toBeGreaterThanOrEqual(3);
    const resources = stack('dev').resource;
    expect(resources.aws_db_instance ?? {}).toEqual({});
    expect(resources.aws_rds_cluster ?? {}).toEqual({});
    expect(resources.aws_elasticache_replication_group ?? {}).toEqual({});
  });

  test('uses RDS Multi-AZ and ElastiCache in prod, encrypted and deletion-protected, and no in-cluster PostgreSQL', () => {
    const prod = objects('prod');
    expect(prod.filter((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('postgresql.cnpg.io/'))).toEqual([]);
    const resources = stack('prod').resource;
    const dbs = Object.values(resources.aws_db_instance ?? {});
    expect(dbs).toHaveLength(1);
    expect(dbs[0]).toEqual(expect.objectContaining({ multi_az: true, storage_encrypted: true, deletion_protection: true, publicly_accessible: false }));
    const caches = Object.values(resources.aws_elasticache_replication_group ?? {});
    expect(caches).toHaveLength(1);
    expect(caches[0]).toEqual(expect.objectContaining({ automatic_failover_enabled: true, multi_az_enabled: true, transit_encryption_enabled: true,
      // the provider types at_rest_encryption_enabled as a string
      at_rest_encryption_enabled: 'true' }));
  });

  test('callers address each store by the same Service name in both environments', () => {
    for (const env of ['dev', 'prod']) {
      const names = objects(env).filter((o) => o.kind === 'Service' && o.metadata.namespace === 'erp-data').map((o) => o.metadata.name);
      expect(names).toEqual(expect.arrayContaining(['erp-db', 'erp-cache']));
    }
  });

  test('writes no Secret with data and syncs every secret through External Secrets, in both environments', () => {
    for (const env of ['dev', 'prod']) {
      const all = objects(env);
      expect(all.filter((o) => o.kind === 'Secret' && (o.data !== undefined || o.stringData !== undefined))).toEqual([]);
      const externalSecrets = all.filter((o) => o.kind === 'ExternalSecret').map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
      // auth's signing key, invoicing's SMTP account, and the credentials of the stores each caller calls
      expect(externalSecrets.length).toBeGreaterThanOrEqual(2 + 5);
      const secretNames = Object.values(stack(env).resource.aws_secretsmanager_secret ?? {}).map((s) => s.name);
      expect(secretNames).toEqual(expect.arrayContaining([`erp/${env}/erp/auth/signing-key`, `erp/${env}/erp/invoicing/smtp`, `erp/${env}/erp-data/erp-db`, `erp/${env}/erp-data/erp-cache`]));
    }
  });
});
