/**
 * The package as a new user gets it: `npm pack`, installed with its peers into an empty project, a platform of the
 * user's own (three environments, one of them `qa`, four services, one stateful), synthesized with
 * `npx eks-platform synth platform.ts`; and the published typings compiled by the user's `tsc` with
 * `skipLibCheck: false` under `moduleResolution` node16 and bundler.
 *
 * Slow (an npm install, about half a minute from the npm cache that `npm ci` filled): one install for the file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listFiles } from '../lib/synth';
import { SMALL_PLATFORM_OUTPUT, smallPlatformSource } from './fixtures/small-platform';

const ROOT = path.join(__dirname, '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string>; peerDependencies: Record<string, string> };

/** The peers at the versions this repository tests with, plus what a TypeScript user has anyway. */
function peerSpecs(): string[] {
  // typescript and @types/node: the consumer's own compiler, for the typings test (the command itself needs neither)
  const names = [...Object.keys(pkg.peerDependencies), 'typescript', '@types/node'];
  return names.map((name) => `${name}@${pkg.devDependencies[name] ?? pkg.peerDependencies[name]}`);
}

/** `npx --no-install <args>` in the project, as its user types it. */
function npx(project: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['--no-install', ...args], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '', npm_config_update_notifier: 'false', npm_config_loglevel: 'error' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.split('\n').filter((l) => !l.startsWith('npm warn')).join('\n') };
}

function snapshotOf(dir: string): Map<string, string> {
  return new Map(listFiles(dir).filter((f) => f.startsWith('cdktf.out/') || f.startsWith('dist/')).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

describe('the npm package, installed into an empty project', () => {
  let project: string;
  let synth: { status: number | null; stdout: string; stderr: string };

  beforeAll(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'epc-user-'));
    const env = { ...process.env, NODE_OPTIONS: '', npm_config_loglevel: 'error', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' };
    const packed = execFileSync(NPM, ['pack', '--silent', '--pack-destination', project], { cwd: ROOT, encoding: 'utf8', env }).trim().split('\n').pop() as string;
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'erp-platform', version: '1.0.0', private: true }, null, 2));
    execFileSync(NPM, ['install', '--prefer-offline', '--no-save', path.join(project, packed), ...peerSpecs()], { cwd: project, encoding: 'utf8', env, stdio: 'pipe' });
    fs.writeFileSync(path.join(project, 'platform.ts'), smallPlatformSource());
    synth = npx(project, ['eks-platform', 'synth', 'platform.ts']);
  }, 300_000);

  test('synthesizes both worlds of every environment, backups included', () => {
    expect(synth.stderr).toBe('');
    expect(synth.status).toBe(0);
    expect([...snapshotOf(project).keys()]).toEqual(SMALL_PLATFORM_OUTPUT);
    for (const env of ['dev', 'qa', 'prod']) {
      const stack = JSON.parse(fs.readFileSync(path.join(project, 'cdktf.out', 'stacks', env, 'cdk.tf.json'), 'utf8'));
      expect(Object.keys(stack.resource)).toEqual(expect.arrayContaining(['aws_eks_cluster', 'aws_s3_bucket', 'aws_s3_bucket_lifecycle_configuration']));
      expect(stack.output.velero_role_arn).toBeDefined();
    }
    const prod = JSON.parse(fs.readFileSync(path.join(project, 'cdktf.out', 'stacks', 'prod', 'cdk.tf.json'), 'utf8'));
    expect(prod.resource.aws_s3_bucket_replication_configuration).toBeDefined();
    expect(fs.readFileSync(path.join(project, 'dist', 'qa', 'platform.k8s.yaml'), 'utf8')).toContain('kind: StatefulSet');
  });

  test('gives a user\'s own platform data stores in both placements and secrets by name, from the package alone', () => {
    // not the reference ERP: another region, other environment names, a store and a secret of its own
    fs.writeFileSync(path.join(project, 'helpdesk.ts'), `import { DataStoreEngine, DataStorePlacement, Platform, PortProtocol, type EnvironmentConfig } from 'eks-platform-constructs';

function env(name: string, accountId: string, vpcCidr: string, placement: DataStorePlacement): EnvironmentConfig {
  return {
    name, accountId, region: 'eu-north-1', availabilityZones: ['eu-north-1a', 'eu-north-1b', 'eu-north-1c'], vpcCidr, kubernetesVersion: '1.35',
    nodeGroups: [{ name: 'general', instanceTypes: ['m6i.large'], minSize: 3, maxSize: 6, desiredSize: 3 }],
    backup: { retentionDays: 35 }, dataStores: { placement },
    kubernetes: { minReplicas: 2, maxReplicas: 4, namespaceQuota: { requestsCpuMillis: 16000, requestsMemoryMiB: 32768, limitsCpuMillis: 48000, limitsMemoryMiB: 65536, pods: 100 } },
  };
}
export default new Platform({
  name: 'helpdesk',
  environments: [env('test', '123412341234', '10.70.0.0/16', DataStorePlacement.IN_CLUSTER), env('live', '567856785678', '10.71.0.0/16', DataStorePlacement.MANAGED)],
  dataStores: [{ name: 'tickets-db', namespace: 'helpdesk-data', engine: DataStoreEngine.POSTGRESQL }],
  services: [{
    name: 'tickets', namespace: 'helpdesk', partOf: 'helpdesk', versions: [{ name: 'v1', image: '123412341234.dkr.ecr.eu-north-1.amazonaws.com/helpdesk/tickets:1.2.3' }],
    ports: [{ name: 'web', port: 8080, protocol: PortProtocol.HTTP }], calls: ['helpdesk-data/tickets-db'],
    secrets: [{ name: 'mail', env: { MAIL_PASSWORD: 'password' } }], writablePaths: [{ path: '/var/cache/tickets', sizeMiB: 128 }],
  }],
});
`);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'epc-user-helpdesk-'));
    const r = npx(project, ['eks-platform', 'synth', 'helpdesk.ts', '--outdir', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const yaml = (env: string) => fs.readFileSync(path.join(out, 'dist', env, 'platform.k8s.yaml'), 'utf8');
    const stack = (env: string) => JSON.parse(fs.readFileSync(path.join(out, 'cdktf.out', 'stacks', env, 'cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    // in the cluster in test: CloudNativePG and its operator; managed in live: RDS, no Cluster
    expect(yaml('test')).toMatch(/kind: Cluster\n/);
    expect(yaml('test')).toContain('chart: cloudnative-pg');
    expect(stack('test').resource.aws_db_instance).toBeUndefined();
    expect(Object.values(stack('live').resource.aws_db_instance ?? {})).toEqual([expect.objectContaining({ multi_az: true, deletion_protection: true })]);
    expect(yaml('live')).not.toMatch(/kind: Cluster\n/);
    for (const env of ['test', 'live']) {
      // the secret and the store's credentials reach the pods through External Secrets; no value anywhere
      expect(yaml(env)).toContain('kind: ExternalSecret');
      expect(yaml(env)).toContain('chart: external-secrets');
      expect(yaml(env)).not.toMatch(/^kind: Secret\n/m);
      expect(Object.values(stack(env).resource.aws_secretsmanager_secret).map((x) => x.name)).toEqual(expect.arrayContaining([`helpdesk/${env}/helpdesk/tickets/mail`, `helpdesk/${env}/helpdesk-data/tickets-db`]));
    }
  });

  test('fails with exit 1 for a refused platform and leaves the previous output byte-identical', () => {
    const before = snapshotOf(project);
    fs.writeFileSync(path.join(project, 'bad-platform.ts'), smallPlatformSource({ apiNamespace: 'kube-system' }));
    const r = npx(project, ['eks-platform', 'synth', 'bad-platform.ts']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('kube-system');
    expect(snapshotOf(project)).toEqual(before);
  });

  test.each([
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
  ])('compiles against the published typings with skipLibCheck false (moduleResolution %s)', (name, options) => {
    const tsconfig = `tsconfig.${name}.json`;
    fs.writeFileSync(path.join(project, tsconfig), JSON.stringify({
      compilerOptions: { ...options, target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
      files: ['platform.ts'],
    }));
    const r = npx(project, ['tsc', '-p', tsconfig]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('the published .d.ts import nothing from a devDependency', () => {
    const lib = path.join(project, 'node_modules', 'eks-platform-constructs', 'build', 'lib');
    const allowed = new Set(['constructs', 'cdktf', 'cdk8s', 'cdk8s-plus-28', '@cdktf/provider-aws', ...Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).dependencies ?? {})]);
    const imported = new Set<string>();
    for (const file of listFiles(lib).filter((f) => f.endsWith('.d.ts'))) {
      for (const m of fs.readFileSync(path.join(lib, file), 'utf8').matchAll(/(?:from|import\()\s*['"]([^'".][^'"]*)['"]/g)) {
        const spec = m[1].startsWith('node:') ? 'node:' : m[1].startsWith('@') ? m[1].split('/').slice(0, 2).join('/') : m[1].split('/')[0];
        imported.add(spec);
      }
    }
    expect([...imported].filter((s) => s !== 'node:' && !allowed.has(s)).sort()).toEqual([]);
  });
});

describe('the tarball', () => {
  const ALLOWED = [/^LICENSE$/, /^README\.md$/, /^CHANGELOG\.md$/, /^package\.json$/, /^build\/lib\/.+\.(js|d\.ts|json)$/];
  let files: string[];
  beforeAll(() => {
    const env = { ...process.env, NODE_OPTIONS: '', npm_config_loglevel: 'error', npm_config_update_notifier: 'false' };
    const listing = JSON.parse(execFileSync(NPM, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', env })) as Array<{ files: Array<{ path: string }> }>;
    files = listing[0].files.map((f) => f.path).sort();
  }, 120_000);

  test('holds LICENSE, README, CHANGELOG, package.json and the compiled library with its declarations, nothing else', () => {
    expect(files.filter((f) => !ALLOWED.some((a) => a.test(f)))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', 'build/lib/index.js', 'build/lib/index.d.ts', 'build/lib/cli.js', 'build/lib/model/index.js', 'build/lib/model/index.d.ts']));
    // no tests, fixtures, reference platforms, output or sources
    expect(files.filter((f) => /(^|\/)(test|tests|fixtures|apps|platforms|dist|cdktf\.out|docs)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  test('has the license package.json declares', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { license: string };
    expect(manifest.license).toBe('Apache-2.0');
    const text = fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');
    expect(text).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(text).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
  });
});
