import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject } from 'cdk8s';
import { Annotations } from 'cdktf';
import { platform } from '../../apps/platform';
import { BackupBucket } from '../../lib/aws/backup-bucket';
import { synthesize, selectEnvironments } from '../../lib/app/synthesize';
import { checkOutput, findMachinePaths } from '../../lib/policy/gate';
import { listFiles, writeAtomically } from '../../lib/synth';

function scratch(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'synthesize-test-'));
}

function snapshotOf(dir: string): Map<string, string> {
  return new Map(listFiles(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** The output files, without the synth's own state folder. */
/** The files of a synth, the runbooks of each environment left out (test/k8s/observability checks them). */
function outputFiles(dir: string): string[] {
  return listFiles(dir).filter((f) => !f.startsWith('.eks-platform/') && !f.includes('/runbooks/'));
}

function stackOf(outdir: string, env: string): { resource: Record<string, Record<string, Record<string, unknown>>>; output: Record<string, unknown> } {
  return JSON.parse(fs.readFileSync(path.join(outdir, 'cdktf.out', 'stacks', env, 'cdk.tf.json'), 'utf8'));
}

describe('synthesize (the main job as a function)', () => {
  let first: string;
  beforeAll(() => {
    first = scratch();
    synthesize(platform, { outdir: first });
  });

  test('writes one Terraform stack and one Kubernetes folder per environment, and the registry account\'s stack', () => {
    expect(outputFiles(first)).toEqual([
      'cdktf.out/manifest.json',
      'cdktf.out/stacks/dev/cdk.tf.json',
      'cdktf.out/stacks/prod/cdk.tf.json',
      'cdktf.out/stacks/registry/cdk.tf.json',
      'cdktf.out/stacks/staging/cdk.tf.json',
      'dist/dev/PLATFORM.md',
      'dist/dev/PREREQUISITES.md',
      'dist/dev/argocd.k8s.yaml',
      'dist/dev/platform.k8s.yaml',
      'dist/prod/PLATFORM.md',
      'dist/prod/PREREQUISITES.md',
      'dist/prod/argocd.k8s.yaml',
      'dist/prod/platform.k8s.yaml',
      'dist/staging/PLATFORM.md',
      'dist/staging/PREREQUISITES.md',
      'dist/staging/argocd.k8s.yaml',
      'dist/staging/platform.k8s.yaml',
    ]);
  });

  test('gives every environment its backups from the model: bucket, Velero role, replication where a replica region is set', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const stack = stackOf(first, env);
      expect(Object.keys(stack.resource.aws_s3_bucket ?? {}).length).toBeGreaterThanOrEqual(2);
      expect(stack.output.backup_bucket).toBeDefined();
      expect(stack.output.velero_role_arn).toBeDefined();
    }
    expect(stackOf(first, 'dev').output.backup_replica_bucket).toBeUndefined();
    expect(stackOf(first, 'prod').output.backup_replica_bucket).toBeDefined();
    expect(stackOf(first, 'staging').output.backup_replica_bucket).toBeDefined();
  });

  test('gives byte-identical files on a second synth, with no machine paths or stack traces', () => {
    const second = scratch();
    synthesize(platform, { outdir: second });
    expect(snapshotOf(path.join(second, 'cdktf.out'))).toEqual(snapshotOf(path.join(first, 'cdktf.out')));
    expect(snapshotOf(path.join(second, 'dist'))).toEqual(snapshotOf(path.join(first, 'dist')));
    expect(findMachinePaths(first)).toEqual([]);
    const all = [...snapshotOf(first).values()].join('\n');
    // as folders (with their separator): Istio's `/etc/prom-certs/root-cert.pem` is not the home folder `/root`
    expect(all).not.toContain(`${first}/`);
    expect(all).not.toContain(`${process.cwd()}/`);
    expect(all).not.toContain(`${os.homedir()}/`);
    expect(all).not.toMatch(/stackTrace|\n\s+at .*\(.*:\d+:\d+\)/);
  });

  test('matches the committed dist/ (run npm run synth and commit the YAML when this fails)', () => {
    const committed = path.join(__dirname, '..', '..', 'dist');
    for (const env of ['dev', 'staging', 'prod']) {
      expect(snapshotOf(path.join(committed, env))).toEqual(snapshotOf(path.join(first, 'dist', env)));
    }
  });

  test('synthesizes only the environments named, in the platform\'s order', () => {
    const out = scratch();
    const result = synthesize(platform, { environments: ['prod', 'dev'], outdir: out });
    expect(result.environments).toEqual(['dev', 'prod']);
    expect(outputFiles(out)).toEqual(['cdktf.out/manifest.json', 'cdktf.out/stacks/dev/cdk.tf.json', 'cdktf.out/stacks/prod/cdk.tf.json', 'dist/dev/PLATFORM.md', 'dist/dev/PREREQUISITES.md', 'dist/dev/argocd.k8s.yaml', 'dist/dev/platform.k8s.yaml', 'dist/prod/PLATFORM.md', 'dist/prod/PREREQUISITES.md', 'dist/prod/argocd.k8s.yaml', 'dist/prod/platform.k8s.yaml']);
  });

  test('writes one world only with `only`', () => {
    const tf = scratch();
    synthesize(platform, { environments: ['dev'], outdir: tf, only: 'terraform' });
    expect(outputFiles(tf)).toEqual(['cdktf.out/manifest.json', 'cdktf.out/stacks/dev/cdk.tf.json']);
    const k8s = scratch();
    synthesize(platform, { environments: ['dev'], outdir: k8s, only: 'kubernetes' });
    expect(outputFiles(k8s)).toEqual(['dist/dev/PLATFORM.md', 'dist/dev/PREREQUISITES.md', 'dist/dev/argocd.k8s.yaml', 'dist/dev/platform.k8s.yaml']);
  });

  test('writes where the cdktf and cdk8s CLIs ask (CDKTF_OUTDIR, CDK8S_OUTDIR)', () => {
    const out = scratch();
    const before = { tf: process.env.CDKTF_OUTDIR, k8s: process.env.CDK8S_OUTDIR };
    process.env.CDKTF_OUTDIR = path.join(out, 'tf-here');
    process.env.CDK8S_OUTDIR = path.join(out, 'k8s-here');
    try {
      synthesize(platform, { environments: ['dev'], outdir: out });
    } finally {
      for (const [key, value] of [['CDKTF_OUTDIR', before.tf], ['CDK8S_OUTDIR', before.k8s]] as const) {
        if (value === undefined) {
          delete process.env[key];
        } else {
          process.env[key] = value;
        }
      }
    }
    expect(outputFiles(out)).toEqual(['k8s-here/dev/PLATFORM.md', 'k8s-here/dev/PREREQUISITES.md', 'k8s-here/dev/argocd.k8s.yaml', 'k8s-here/dev/platform.k8s.yaml', 'tf-here/manifest.json', 'tf-here/stacks/dev/cdk.tf.json']);
  });

  test('fails when an unknown environment is named, and writes nothing', () => {
    const out = scratch();
    expect(() => synthesize(platform, { environments: ['prod', 'qa'], outdir: out })).toThrow('Platform(shop): environment is "qa"; allowed: one of dev, staging, prod');
    expect(() => selectEnvironments(platform, ['qa'])).toThrow('environment is "qa"');
    expect(fs.readdirSync(out)).toEqual([]);
  });

  test('adds a user\'s own objects to every stack and chart through the hooks, and returns construct warnings', () => {
    const out = scratch();
    const result = synthesize(platform, {
      environments: ['dev'],
      outdir: out,
      extendStack: (stack) => {
        // a bucket of the user's own: it must pass the gate's S3 rules, as BackupBucket's buckets do
        new BackupBucket(stack, 'ReportsBucket', { platformName: stack.platform.name, environmentName: stack.environment.name, accountId: stack.environment.accountId, retentionDays: 30, bucketName: `${stack.platform.name}-${stack.environment.name}-reports` });
        Annotations.of(stack).addWarning('reports bucket has no lifecycle yet');
      },
      extendChart: (chart) => {
        new ApiObject(chart, 'FeatureFlags', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'feature-flags', namespace: 'shop' }, data: { checkout: 'on' } });
      },
    });
    expect(Object.values(stackOf(out, 'dev').resource.aws_s3_bucket).map((b) => (b as { bucket: string }).bucket)).toContain('shop-dev-reports');
    expect(fs.readFileSync(path.join(out, 'dist', 'dev', 'platform.k8s.yaml'), 'utf8')).toContain('name: feature-flags');
    expect(result.warnings).toEqual([{ path: 'dev', message: 'reports bucket has no lifecycle yet' }]);
  });

  test('fails when a user\'s own object breaks a rule of the gate, and leaves the previous output byte-identical', () => {
    const out = scratch();
    synthesize(platform, { environments: ['dev'], outdir: out });
    const before = snapshotOf(out);
    expect(() => synthesize(platform, {
      environments: ['dev'],
      outdir: out,
      extendChart: (chart) => {
        new ApiObject(chart, 'Debug', {
          apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: 'shop' },
          spec: { hostNetwork: true, containers: [{ name: 'debug', image: 'busybox:1.36', securityContext: { privileged: true } }] },
        });
      },
    })).toThrow(/the gate refused the output/);
    expect(snapshotOf(out)).toEqual(before);
  });
});

describe('the gate', () => {
  const privilegedPod = [
    'apiVersion: v1',
    'kind: Pod',
    'metadata: { name: debug, namespace: shop }',
    'spec:',
    '  hostNetwork: true',
    '  containers:',
    '    - name: debug',
    '      image: busybox:1.36',
    '      securityContext: { privileged: true }',
    '',
  ].join('\n');

  test('fails when a pod breaks the restricted profile, and leaves the previous output untouched', () => {
    const root = scratch();
    const dist = path.join(root, 'dist', 'prod');
    fs.mkdirSync(dist, { recursive: true });
    fs.writeFileSync(path.join(dist, 'platform.k8s.yaml'), 'previous\n');
    expect(() =>
      writeAtomically([{ dir: dist, write: (tmp) => fs.writeFileSync(path.join(tmp, 'platform.k8s.yaml'), privilegedPod) }], { gate: checkOutput, stateDir: path.join(root, '.eks-platform') }),
    ).toThrow(/\[baseline\/host-namespaces\] .*dist\/prod: Pod shop\/debug/);
    expect(fs.readFileSync(path.join(dist, 'platform.k8s.yaml'), 'utf8')).toBe('previous\n');
    expect(fs.readdirSync(path.join(root, 'dist'))).toEqual(['prod']);
  });

  test('fails when a Terraform stack grants * on *', () => {
    const root = scratch();
    const stack = {
      resource: {
        aws_iam_role_policy: {
          admin: { name: 'admin', role: 'x', policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) },
        },
      },
    };
    expect(() =>
      writeAtomically([{
        dir: path.join(root, 'cdktf.out'),
        write: (tmp) => {
          fs.mkdirSync(path.join(tmp, 'stacks', 'prod'), { recursive: true });
          fs.writeFileSync(path.join(tmp, 'stacks', 'prod', 'cdk.tf.json'), JSON.stringify(stack));
        },
      }], { gate: checkOutput, stateDir: path.join(root, '.eks-platform') }),
    ).toThrow(/\[iam-admin-statement\] .*prod: aws_iam_role_policy.admin/);
    expect(fs.existsSync(path.join(root, 'cdktf.out'))).toBe(false);
  });

  test('fails when output mentions a machine path', () => {
    const root = scratch();
    expect(() =>
      writeAtomically([{ dir: path.join(root, 'out'), write: (tmp) => fs.writeFileSync(path.join(tmp, 'a.json'), '{"path": "/home/ci/project/x"}') }], { gate: checkOutput, stateDir: path.join(root, '.eks-platform') }),
    ).toThrow('[determinism/machine-path]');
  });

  test('fails when a YAML file does not parse, naming the file', () => {
    const root = scratch();
    expect(() =>
      writeAtomically([{ dir: path.join(root, 'out'), write: (tmp) => fs.writeFileSync(path.join(tmp, 'broken.yaml'), 'a: [1, 2\n') }], { gate: checkOutput, stateDir: path.join(root, '.eks-platform') }),
    ).toThrow(/^broken\.yaml: /);
  });
});
