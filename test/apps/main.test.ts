import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs, synthesizeAll } from '../../apps/main';
import { checkOutput, findMachinePaths } from '../../lib/policy/gate';
import { listFiles, writeAtomically } from '../../lib/synth';

function scratch(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'main-test-'));
}

function snapshotOf(dir: string): Map<string, string> {
  return new Map(listFiles(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

describe('the main job (npm run synth)', () => {
  let first: string;
  beforeAll(() => {
    first = scratch();
    synthesizeAll({ environments: [], outdir: first });
  });

  test('writes one Terraform stack and one Kubernetes folder per environment', () => {
    expect(listFiles(first)).toEqual([
      'cdktf.out/manifest.json',
      'cdktf.out/stacks/dev/cdk.tf.json',
      'cdktf.out/stacks/prod/cdk.tf.json',
      'cdktf.out/stacks/staging/cdk.tf.json',
      'dist/dev/platform.k8s.yaml',
      'dist/prod/platform.k8s.yaml',
      'dist/staging/platform.k8s.yaml',
    ]);
  });

  test('gives byte-identical files on a second synth, with no machine paths', () => {
    const second = scratch();
    synthesizeAll({ environments: [], outdir: second });
    expect(snapshotOf(second)).toEqual(snapshotOf(first));
    expect(findMachinePaths(first)).toEqual([]);
    const all = [...snapshotOf(first).values()].join('\n');
    expect(all).not.toContain(first);
    expect(all).not.toContain(process.cwd());
    expect(all).not.toContain(os.homedir());
  });

  test('matches the committed dist/ (run npm run synth and commit the YAML when this fails)', () => {
    const committed = path.join(__dirname, '..', '..', 'dist');
    for (const env of ['dev', 'staging', 'prod']) {
      expect(snapshotOf(path.join(committed, env))).toEqual(snapshotOf(path.join(first, 'dist', env)));
    }
  });

  test('synthesizes only the environments named', () => {
    const out = scratch();
    synthesizeAll({ environments: ['prod'], outdir: out });
    expect(listFiles(out)).toEqual(['cdktf.out/manifest.json', 'cdktf.out/stacks/prod/cdk.tf.json', 'dist/prod/platform.k8s.yaml']);
  });

  test('fails when an unknown environment is named, and writes nothing', () => {
    const out = scratch();
    expect(() => synthesizeAll({ environments: ['prod', 'qa'], outdir: out })).toThrow('Platform(shop): environment is "qa"; allowed: one of dev, staging, prod');
    expect(fs.readdirSync(out)).toEqual([]);
  });

  test('parses the command line', () => {
    expect(parseArgs(['prod', '--outdir', 'x', '--only', 'terraform'])).toEqual({ environments: ['prod'], outdir: 'x', only: 'terraform' });
    expect(() => parseArgs(['--only', 'helm'])).toThrow('main: --only is "helm"; allowed: terraform or kubernetes');
    expect(() => parseArgs(['--force'])).toThrow('main: unknown option --force');
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
      writeAtomically([{ dir: dist, write: (tmp) => fs.writeFileSync(path.join(tmp, 'platform.k8s.yaml'), privilegedPod) }], { gate: checkOutput }),
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
      }], { gate: checkOutput }),
    ).toThrow(/\[iam-admin-statement\] .*prod: aws_iam_role_policy.admin/);
    expect(fs.existsSync(path.join(root, 'cdktf.out'))).toBe(false);
  });

  test('fails when output mentions a machine path', () => {
    const root = scratch();
    expect(() =>
      writeAtomically([{ dir: path.join(root, 'out'), write: (tmp) => fs.writeFileSync(path.join(tmp, 'a.json'), '{"path": "/home/ci/project/x"}') }], { gate: checkOutput }),
    ).toThrow('[determinism/machine-path]');
  });
});
