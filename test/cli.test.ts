/**
 * The eks-platform command, run as a user runs it: a child process of the compiled command (build/lib/cli.js,
 * built by the tests' global setup), on platform modules written for the test.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { parseCommandLine } from '../lib/cli';
import { listFiles } from '../lib/synth';
import { SMALL_PLATFORM_OUTPUT, smallPlatformSource } from './fixtures/small-platform';

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'build', 'lib', 'cli.js');
/** Modules live inside the package's folder so that `import ... from 'eks-platform-constructs'` resolves to it (self-reference). */
const MODULES = path.join(ROOT, 'build', 'test-platforms');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[], cwd: string): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function writeModule(name: string, text: string): string {
  fs.mkdirSync(MODULES, { recursive: true });
  const file = path.join(MODULES, name);
  fs.writeFileSync(file, text);
  return file;
}

function scratch(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cli-test-'));
}

function snapshotOf(dir: string): Map<string, string> {
  return new Map(listFiles(dir).filter((f) => !f.startsWith('.eks-platform/')).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

describe('eks-platform synth', () => {
  let moduleFile: string;
  let out: string;
  let first: Run;
  beforeAll(() => {
    moduleFile = writeModule('erp.ts', smallPlatformSource());
    out = scratch();
    first = run(['synth', moduleFile, '--outdir', out], ROOT);
  });

  test('writes both worlds of every environment of a TypeScript platform module, backups included, and exits 0', () => {
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^synthesized dev, qa, prod: /);
    expect(listFiles(out).filter((f) => !f.startsWith('.eks-platform/'))).toEqual(SMALL_PLATFORM_OUTPUT);
    const prod = JSON.parse(fs.readFileSync(path.join(out, 'cdktf.out/stacks/prod/cdk.tf.json'), 'utf8'));
    expect(prod.resource.aws_s3_bucket_replication_configuration).toBeDefined();
    expect(prod.output.velero_role_arn).toBeDefined();
    const qa = fs.readFileSync(path.join(out, 'dist/qa/platform.k8s.yaml'), 'utf8');
    expect(qa).toContain('kind: StatefulSet');
    expect(qa).toMatch(/kind: Deployment\n(.*\n)*?\s+name: orders/);
  });

  test('fails with exit 1 when the platform is refused, leaving the previous output byte-identical', () => {
    const before = snapshotOf(out);
    const bad = writeModule('erp-kube-system.ts', smallPlatformSource({ apiNamespace: 'kube-system' }));
    const r = run(['synth', bad, '--outdir', out], ROOT);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the platform was refused, nothing written');
    expect(r.stderr).toContain('kube-system');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain(ROOT);
    expect(snapshotOf(out)).toEqual(before);
  });

  test('fails with exit 1 when the gate refuses the output, leaving the previous output byte-identical', () => {
    const before = snapshotOf(out);
    const tail = `
import { ApiObject } from 'cdk8s';
export const synthOptions = {
  extendChart: (chart: import('eks-platform-constructs').PlatformChart) => {
    new ApiObject(chart, 'Debug', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: 'erp' },
      spec: { hostPID: true, containers: [{ name: 'debug', image: 'busybox:1.36' }] } });
  },
};
`;
    const r = run(['synth', writeModule('erp-gate.ts', smallPlatformSource({ tail })), '--outdir', out], ROOT);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the gate refused the output');
    expect(snapshotOf(out)).toEqual(before);
  });

  test('synthesizes only the environments named, and one world with --only', () => {
    const dir = scratch();
    const r = run(['synth', moduleFile, 'qa', '--only', 'kubernetes', '--outdir', dir], ROOT);
    expect(r.status).toBe(0);
    expect(listFiles(dir).filter((f) => !f.startsWith('.eks-platform/'))).toEqual(['dist/qa/PLATFORM.md', 'dist/qa/PREREQUISITES.md', 'dist/qa/platform.k8s.yaml']);
  });

  test('loads a CommonJS .js module and an ES module .mjs', () => {
    const source = smallPlatformSource();
    const cjs = writeModule('erp-plain.js', ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText);
    const esm = writeModule('erp-plain.mjs', `${ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText}\nexport default platform;\n`);
    for (const file of [cjs, esm]) {
      const dir = scratch();
      const r = run(['synth', file, 'dev', '--only', 'terraform', '--outdir', dir], ROOT);
      expect({ file: path.basename(file), status: r.status, stderr: r.stderr }).toEqual({ file: path.basename(file), status: 0, stderr: '' });
      expect(fs.existsSync(path.join(dir, 'cdktf.out/stacks/dev/cdk.tf.json'))).toBe(true);
    }
  });

  test('prints the warnings of the constructs on stderr', () => {
    const tail = `
import { Annotations } from 'cdktf';
export const synthOptions = { extendStack: (stack: import('eks-platform-constructs').PlatformStack) => Annotations.of(stack).addWarning('check this') };
`;
    const dir = scratch();
    const r = run(['synth', writeModule('erp-warn.ts', smallPlatformSource({ tail })), 'qa', '--only', 'terraform', '--outdir', dir], ROOT);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('warning: qa: check this\n');
  });

  test.each([
    ['an unknown option', ['synth', 'x.ts', '--force'], 'unknown option --force'],
    ['no module', ['synth'], 'synth needs a platform module'],
    ['a missing file', ['synth', 'no-such-platform.ts'], 'platform module no-such-platform.ts: no such file'],
    ['a module that exports no Platform', ['synth', 'EMPTY'], 'default export, or export named platform, is a Platform'],
    ['an unknown environment', ['synth', 'ERP', 'perf'], 'environment is "perf"; allowed: one of dev, qa, prod'],
    ['a bad --only', ['synth', 'x.ts', '--only', 'helm'], '--only is "helm"; allowed: terraform or kubernetes'],
    ['an unknown command', ['deploy'], 'unknown command "deploy"'],
  ])('fails with exit 2 for %s, writing nothing', (_name, args, message) => {
    const empty = writeModule('empty.ts', 'export const nothing = 1;\n');
    const dir = scratch();
    const argv = args.map((a) => (a === 'EMPTY' ? empty : a === 'ERP' ? moduleFile : a));
    const r = run([...argv, '--outdir', dir], ROOT);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('usage:');
    expect(listFiles(dir).filter((f) => !f.startsWith('.eks-platform/'))).toEqual([]);
  });
});

describe('parseCommandLine', () => {
  test('reads the module, the environments and the options', () => {
    expect(parseCommandLine(['synth', 'p.ts', 'qa', 'prod', '--outdir', 'out', '--only', 'terraform'])).toEqual({ command: 'synth', module: 'p.ts', environments: ['qa', 'prod'], outdir: 'out', only: 'terraform' });
    expect(parseCommandLine(['cost', 'p.ts'])).toEqual({ command: 'cost', module: 'p.ts' });
    expect(parseCommandLine([])).toBe('help');
  });

  test('fails when --outdir has no folder', () => {
    expect(() => parseCommandLine(['synth', 'p.ts', '--outdir'])).toThrow('--outdir needs a folder');
  });
});

describe('eks-platform synth with the extension example of docs/synthesis.md', () => {
  // the example's text, taken from the docs, so that the docs cannot drift from what works
  const docs = fs.readFileSync(path.join(ROOT, 'docs', 'synthesis.md'), 'utf8');
  const example = /## Extending after construction[\s\S]*?```ts\n([\s\S]*?)```/.exec(docs)![1];

  test('adds the policy statement, grant, bucket, override, network rule and patch, through the gate', () => {
    const imports = example.split('\n').filter((l) => l.startsWith('import '));
    const body = example.split('\n').filter((l) => !l.startsWith('import ')).join('\n');
    const source = smallPlatformSource({ tail: body }).replace(/^/, `${imports.join('\n')}\n`);
    const out = scratch();
    const result = run(['synth', writeModule('erp-extended.ts', source), 'qa', '--outdir', out], ROOT);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const tf = fs.readFileSync(path.join(out, 'cdktf.out', 'stacks', 'qa', 'cdk.tf.json'), 'utf8');
    expect(tf).toContain('sqs:SendMessage');
    expect(tf).toContain('"bucket": "erp-qa-reports-111122223333"');
    expect(tf).toContain('"create": "40m"');
    const stack = JSON.parse(tf) as { resource: { aws_iam_role_policy: Record<string, { role: string; policy: string }> } };
    const invoicing = Object.values(stack.resource.aws_iam_role_policy).find((p) => p.role.includes('erp-invoicing'))!;
    expect(invoicing.policy).toContain('s3:GetObject');
    const yaml = fs.readFileSync(path.join(out, 'dist', 'qa', 'platform.k8s.yaml'), 'utf8');
    expect(yaml).toContain('kubernetes.io/metadata.name: reporting');
    expect(yaml).toContain('seconds: 20');
  });
});
