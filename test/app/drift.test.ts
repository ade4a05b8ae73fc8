/**
 * Drift control: `eks-platform synth --check` synthesizes into a temporary folder and exits 1 naming each file of the
 * output that differs from what the platform synthesizes now, writing nothing. Run as a user runs it (the compiled
 * command, a child process) on the ERP reference platform.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listFiles } from '../../lib/synth';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'build', 'lib', 'cli.js');
const ERP = path.join(ROOT, 'apps', 'erp.ts');

function run(args: readonly string[], cwd = ROOT): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file below `dir` with its bytes, the synth's state folder included. */
function snapshotOf(dir: string): Map<string, string> {
  return new Map(listFiles(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'base64')]));
}

describe('eks-platform synth --check', () => {
  let out: string;
  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-test-'));
    const first = run(['synth', ERP, '--outdir', out]);
    expect(first.stderr).not.toContain('refused');
    expect(first.status).toBe(0);
  });

  test('passes, exit 0, when the output is what the platform synthesizes', () => {
    const r = run(['synth', ERP, '--check', '--outdir', out]);
    expect(r.stdout).toContain('no drift');
    expect(r.stdout).toMatch(/dist\/dev, .*dist\/prod, .*cdktf\.out match what .*erp\.ts synthesizes \(dev, prod\)/);
    expect(r.status).toBe(0);
  });

  test('fails when a file was edited by hand, removed or added, names each, and writes nothing', () => {
    const edited = path.join(out, 'dist', 'dev', 'platform.k8s.yaml');
    const removed = path.join(out, 'dist', 'prod', 'PREREQUISITES.md');
    const added = path.join(out, 'dist', 'dev', 'hotfix.yaml');
    const stack = path.join(out, 'cdktf.out', 'stacks', 'prod', 'cdk.tf.json');
    const original = { edited: fs.readFileSync(edited), removed: fs.readFileSync(removed), stack: fs.readFileSync(stack) };
    try {
      fs.writeFileSync(edited, original.edited.toString('utf8').replace('replicas', 'replicas ') + '# kubectl edit, by hand\n');
      fs.rmSync(removed);
      fs.writeFileSync(added, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hotfix, namespace: erp}\n');
      fs.writeFileSync(stack, original.stack.toString('utf8').replace('"Project": "erp"', '"Project": "erp2"'));
      const before = snapshotOf(out);
      const r = run(['synth', ERP, '--check', '--outdir', out]);
      expect(r.status).toBe(1);
      const rel = (f: string) => path.relative(ROOT, f).split(path.sep).join('/');
      const listed = r.stdout.split('\n').filter((l) => /^ {2}(changed|missing|unexpected) /.test(l)).map((l) => l.trim().split(/\s+/));
      expect(listed).toEqual([
        ['changed', rel(stack)],
        ['changed', rel(edited)],
        ['unexpected', rel(added)],
        ['missing', rel(removed)],
      ].sort((a, b) => (a[1] < b[1] ? -1 : 1)));
      expect(r.stdout).toContain('drift: 4 file(s) differ');
      // nothing written, nothing repaired, no state left behind
      expect(snapshotOf(out)).toEqual(before);
    } finally {
      fs.writeFileSync(edited, original.edited);
      fs.writeFileSync(removed, original.removed);
      fs.writeFileSync(stack, original.stack);
      fs.rmSync(added, { force: true });
    }
  });

  test('checks only the environments and the world it is given', () => {
    const removed = path.join(out, 'dist', 'dev', 'PREREQUISITES.md');
    const text = fs.readFileSync(removed);
    try {
      fs.rmSync(removed);
      expect(run(['synth', ERP, 'prod', '--check', '--only', 'kubernetes', '--outdir', out]).status).toBe(0);
      expect(run(['synth', ERP, '--check', '--only', 'terraform', '--outdir', out]).status).toBe(0);
      const r = run(['synth', ERP, 'dev', '--check', '--only', 'kubernetes', '--outdir', out]);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain('missing');
      expect(r.stdout).toContain('dist/dev/PREREQUISITES.md');
    } finally {
      fs.writeFileSync(removed, text);
    }
  });

  test('fails when an environment folder is left over from an environment the platform no longer has', () => {
    const stale = path.join(out, 'dist', 'qa');
    fs.mkdirSync(stale);
    fs.writeFileSync(path.join(stale, 'platform.k8s.yaml'), 'kind: Namespace\n');
    try {
      const r = run(['synth', ERP, '--check', '--only', 'kubernetes', '--outdir', out]);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/unexpected +.*dist\/qa\/platform\.k8s\.yaml/);
    } finally {
      fs.rmSync(stale, { recursive: true, force: true });
    }
  });

  test('says when the Terraform side is not there to compare (it is rarely committed)', () => {
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-test-bare-'));
    fs.cpSync(path.join(out, 'dist'), path.join(bare, 'dist'), { recursive: true });
    const r = run(['synth', ERP, '--check', '--outdir', bare]);
    expect(r.stdout).toContain('cdktf.out does not exist');
    expect(r.status).toBe(0);
  });

  test('passes on this repository\'s committed output of both reference platforms (what CI runs)', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'synth-references.js'), '--check', '--only', 'kubernetes'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(r.stdout).toContain('no drift: dist/dev, dist/staging, dist/prod match what apps/platform.ts synthesizes');
    expect(r.stdout).toContain('no drift: platforms/erp/dist/dev, platforms/erp/dist/prod match what apps/erp.ts synthesizes');
    expect(r.status).toBe(0);
  });
});

describe('eks-platform synth --check with nothing to compare', () => {
  test('fails when no output folder exists: exit 1, "nothing compared", not "no drift"', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-test-empty-'));
    const r = run(['synth', ERP, '--check', '--only', 'terraform', '--outdir', empty]);
    expect(r.stdout).toContain('nothing compared');
    expect(r.stdout).not.toContain('no drift');
    expect(r.status).toBe(1);
  });
});
