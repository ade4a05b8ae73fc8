/**
 * `eks-platform check`, run as a user runs it: a child process of the compiled command (build/lib/cli.js, built by
 * the tests' global setup).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { platform } from '../apps/platform';
import { synthesize } from '../lib/app/synthesize';
import { parseCommandLine } from '../lib/cli';
import { adminPolicyStack, privilegedPodYaml } from './fixtures/bad-inputs';

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'build', 'lib', 'cli.js');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[], cwd: string): Run {
  const r = spawnSync(process.execPath, [CLI, 'check', ...args], { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-command-test-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const PRIVILEGED_POD = privilegedPodYaml(`apiVersion: v1
kind: Namespace
metadata: { name: tools }`);

const ADMIN_POLICY = adminPolicyStack(2);

/** The parts of SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/) a consumer needs, as a JSON Schema. */
const SARIF_SHAPE = {
  type: 'object',
  required: ['version', 'runs'],
  properties: {
    version: { const: '2.1.0' },
    $schema: { type: 'string' },
    runs: {
      type: 'array', minItems: 1,
      items: {
        type: 'object', required: ['tool', 'results'],
        properties: {
          tool: {
            type: 'object', required: ['driver'],
            properties: {
              driver: {
                type: 'object', required: ['name'],
                properties: {
                  name: { type: 'string' },
                  rules: { type: 'array', items: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, shortDescription: { type: 'object', required: ['text'] } } } },
                },
              },
            },
          },
          results: {
            type: 'array',
            items: {
              type: 'object', required: ['ruleId', 'level', 'message', 'locations'],
              properties: {
                ruleId: { type: 'string' },
                ruleIndex: { type: 'integer', minimum: 0 },
                level: { enum: ['none', 'note', 'warning', 'error'] },
                message: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
                locations: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      physicalLocation: {
                        type: 'object', required: ['artifactLocation', 'region'],
                        properties: {
                          artifactLocation: { type: 'object', required: ['uri'], properties: { uri: { type: 'string', pattern: '^[^/]' } } },
                          region: { type: 'object', required: ['startLine'], properties: { startLine: { type: 'integer', minimum: 1 } } },
                        },
                      },
                    },
                  },
                },
                suppressions: {
                  type: 'array',
                  items: { type: 'object', required: ['kind'], properties: { kind: { enum: ['inSource', 'external'] }, status: { enum: ['accepted', 'underReview', 'rejected'] }, justification: { type: 'string' } } },
                },
              },
            },
          },
        },
      },
    },
  },
};

interface SarifLog {
  runs: Array<{ tool: { driver: { name: string; rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; ruleIndex: number; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }>; suppressions?: unknown[] }> }>;
}

function expectSarif(text: string): SarifLog {
  const log = JSON.parse(text) as SarifLog;
  const validate = new Ajv({ strict: false }).compile(SARIF_SHAPE);
  const valid = validate(log);
  expect(valid ? [] : validate.errors).toEqual([]);
  const run = log.runs[0];
  expect(run.tool.driver.name).toBe('eks-platform');
  // a rule for every rule id that appears, and ruleIndex pointing at it
  expect(run.tool.driver.rules.map((r) => r.id)).toEqual([...new Set(run.results.map((r) => r.ruleId))].sort());
  for (const r of run.results) {
    expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
  }
  return log;
}

describe('eks-platform check on good input', () => {
  let tf: string;
  beforeAll(() => {
    tf = fs.mkdtempSync(path.join(os.tmpdir(), 'check-command-synth-'));
    synthesize(platform, { outdir: tf, environments: ['prod'], only: 'terraform' });
  });

  test('passes on the committed dist/prod and a cdktf.out written by synthesize, exit 0, in every format', () => {
    const cdktfOut = path.join(tf, 'cdktf.out');
    expect(fs.existsSync(path.join(cdktfOut, 'stacks', 'prod', 'cdk.tf.json'))).toBe(true);
    const text = run(['dist/prod', cdktfOut], ROOT);
    expect(text.stderr).toBe('');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^check passed: 0 error\(s\), \d+ warning\(s\), 0 suppressed, 0 unmatched suppression\(s\) in \d+ file\(s\)\n/m);
    const json = JSON.parse(run(['dist/prod', cdktfOut, '--format', 'json'], ROOT).stdout);
    expect(json.passed).toBe(true);
    expect(json.files).toEqual(expect.arrayContaining(['dist/prod/platform.k8s.yaml', expect.stringMatching(/cdktf\.out\/stacks\/prod\/cdk\.tf\.json$/)]));
    expect(json.findings.filter((f: { severity: string }) => f.severity === 'error')).toEqual([]);
    const sarif = run(['dist/prod', cdktfOut, '--format', 'sarif'], ROOT);
    expect(sarif.status).toBe(0);
    expectSarif(sarif.stdout);
  });
});

/** The 1-based line of the first line of `text` that contains `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`no line with ${needle}`);
  return i + 1;
}
const PRIVILEGED_LINE = lineOf(PRIVILEGED_POD, 'privileged: true');
// the finding's field is policy.Statement[0], inside the policy's JSON text: the line of the policy attribute
const ADMIN_LINE = lineOf(ADMIN_POLICY, '"policy":');

describe('eks-platform check on bad input', () => {
  let dir: string;
  beforeAll(() => {
    dir = folder({ 'k8s/debug.yaml': PRIVILEGED_POD, 'tf/cdk.tf.json': ADMIN_POLICY });
  });

  test('fails when a pod is privileged or an IAM policy allows * on *: exit 1, the rule ids in the text report', () => {
    const r = run(['k8s', 'tf/cdk.tf.json'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`error [baseline/privileged] k8s/debug.yaml:${PRIVILEGED_LINE}: Pod tools/debug\n  field:    spec.containers[0].securityContext.privileged\n  expected: unset or false\n  found:    true\n`);
    expect(r.stdout).toContain(`error [iam-admin-statement] tf/cdk.tf.json:${ADMIN_LINE}: aws_iam_policy admin\n  field:    policy.Statement[0]\n`);
    expect(r.stdout).toMatch(/check failed: \d+ error\(s\)/);
  });

  test('fails when rules are broken, with a stable JSON report without machine paths', () => {
    const first = run(['k8s', 'tf', '--format', 'json'], dir);
    expect(first.status).toBe(1);
    expect(run(['tf', 'k8s', '--format', 'json'], dir).stdout).toBe(first.stdout);
    expect(first.stdout).not.toContain(dir);
    expect(first.stdout).not.toContain(os.tmpdir());
    const json = JSON.parse(first.stdout);
    expect(json.passed).toBe(false);
    expect(json.files).toEqual(['k8s/debug.yaml', 'tf/cdk.tf.json']);
    expect(json.findings).toContainEqual({
      rule: 'baseline/privileged', severity: 'error', file: 'k8s/debug.yaml', line: PRIVILEGED_LINE, kind: 'Pod', namespace: 'tools', name: 'debug',
      field: 'spec.containers[0].securityContext.privileged', expected: 'unset or false', found: 'true', message: 'container debug: must be unset or false',
    });
    expect(json.findings).toContainEqual(expect.objectContaining({ rule: 'iam-admin-statement', file: 'tf/cdk.tf.json', kind: 'aws_iam_policy', name: 'admin', namespace: null }));
  });

  test('fails when rules are broken, with valid SARIF 2.1.0', () => {
    const r = run(['k8s', 'tf', '--format', 'sarif'], dir);
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain(dir);
    const log = expectSarif(r.stdout);
    const results = log.runs[0].results;
    expect(results.map((x) => x.ruleId)).toEqual(expect.arrayContaining(['baseline/privileged', 'iam-admin-statement']));
    expect(results.every((x) => x.level === 'error')).toBe(true);
    expect(results.find((x) => x.ruleId === 'iam-admin-statement')!.locations[0].physicalLocation.artifactLocation.uri).toBe('tf/cdk.tf.json');
  });
});

describe('eks-platform check with suppressions', () => {
  let dir: string;
  beforeAll(() => {
    dir = folder({
      'tf/cdk.tf.json': ADMIN_POLICY,
      'accepted.yaml': '- rule: iam-admin-statement\n  file: tf/cdk.tf.json\n  kind: aws_iam_policy\n  name: admin\n  reason: break-glass role, reviewed in SEC-42\n',
      'no-reason.json': JSON.stringify([{ rule: 'iam-admin-statement', kind: 'aws_iam_policy', name: 'admin' }]),
      'unmatched.yaml': 'suppressions:\n  - { rule: iam-admin-statement, kind: aws_iam_policy, name: admin, reason: accepted }\n  - { rule: baseline/privileged, kind: Pod, name: gone, reason: was a debug pod }\n',
    });
  });

  test('a suppression with a reason suppresses the finding, exit 0, and is listed in every format', () => {
    const text = run(['tf', '--suppressions', 'accepted.yaml'], dir);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`suppressed [iam-admin-statement] tf/cdk.tf.json:${ADMIN_LINE}: aws_iam_policy admin\n`);
    expect(text.stdout).toContain('  reason:   break-glass role, reviewed in SEC-42\n');
    expect(text.stdout).toContain('check passed: 0 error(s), 0 warning(s), 1 suppressed');
    const json = JSON.parse(run(['tf', '--suppressions', 'accepted.yaml', '--format', 'json'], dir).stdout);
    expect(json).toMatchObject({ passed: true, findings: [], suppressed: [{ rule: 'iam-admin-statement', reason: 'break-glass role, reviewed in SEC-42' }] });
    const sarif = run(['tf', '--suppressions', 'accepted.yaml', '--format', 'sarif'], dir);
    expect(sarif.status).toBe(0);
    const results = expectSarif(sarif.stdout).runs[0].results;
    expect(results).toHaveLength(1);
    expect(results[0].suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'break-glass role, reviewed in SEC-42' }]);
  });

  test('fails when a suppression has no reason: exit 2, naming the entry', () => {
    const r = run(['tf', '--suppressions', 'no-reason.json'], dir);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('eks-platform check: no-reason.json: entry 1 (rule iam-admin-statement, aws_iam_policy admin): reason is missing; every suppression needs a non-empty reason\n');
  });

  test('fails when a suppression matches no finding: exit 1, reported in every format', () => {
    const r = run(['tf', '--suppressions', 'unmatched.yaml'], dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('error [suppression/unmatched] unmatched.yaml: entry 2 (rule baseline/privileged, Pod gone) matches no finding');
    const json = JSON.parse(run(['tf', '--suppressions', 'unmatched.yaml', '--format', 'json'], dir).stdout);
    expect(json.unmatchedSuppressions).toEqual([{ suppressionFile: 'unmatched.yaml', entry: 2, rule: 'baseline/privileged', file: null, kind: 'Pod', namespace: null, name: 'gone', reason: 'was a debug pod' }]);
    const results = expectSarif(run(['tf', '--suppressions', 'unmatched.yaml', '--format', 'sarif'], dir).stdout).runs[0].results;
    expect(results.find((x) => x.ruleId === 'suppression/unmatched')!.locations[0].physicalLocation.artifactLocation.uri).toBe('unmatched.yaml');
  });
});

describe('eks-platform check on input it cannot read', () => {
  test.each([
    ['a path is missing', {}, ['missing'], 'missing: no such file or folder'],
    ['YAML does not parse', { 'bad.yaml': 'kind: [Pod\n' }, ['bad.yaml'], 'bad.yaml: YAML does not parse'],
    ['JSON does not parse', { 'cdk.tf.json': '{"resource":' }, ['.'], 'cdk.tf.json: JSON does not parse'],
    ['there is no recognisable input', { 'README.md': '# hello\n' }, ['.'], 'no recognisable input'],
    ['the suppression file is missing', { 'pod.yaml': PRIVILEGED_POD }, ['pod.yaml', '--suppressions', 'none.yaml'], 'suppression file none.yaml: no such file'],
  ])('fails when %s: exit 2', (_name, files, args, message) => {
    const r = run(args, folder(files));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test.each([
    ['no path', [], 'check needs at least one file or folder'],
    ['a bad --format', ['.', '--format', 'xml'], '--format is "xml"; allowed: text, json, sarif or codequality'],
    ['an unknown option', ['.', '--fix'], 'unknown option --fix'],
  ])('fails when given %s: exit 2 with the usage', (_name, args, message) => {
    const r = run(args, ROOT);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('usage:');
  });

  test('parseCommandLine reads paths, format and suppressions', () => {
    expect(parseCommandLine(['check', 'dist/prod', 'cdktf.out', '--format', 'sarif', '--suppressions', 's.yaml'])).toEqual({
      command: 'check', paths: ['dist/prod', 'cdktf.out'], format: 'sarif', suppressions: 's.yaml',
    });
    expect(parseCommandLine(['check', 'x.yaml'])).toEqual({ command: 'check', paths: ['x.yaml'], format: 'text' });
  });
});

describe('eks-platform check, aimed', () => {
  // a pod that breaks restricted/* and baseline/* and, with no NetworkPolicy in scope, platform/network-policy-*
  const POD = privilegedPodYaml('');
  let dir: string;
  beforeAll(() => {
    dir = folder({ 'pod.yaml': POD, 'tf/cdk.tf.json': ADMIN_POLICY });
  });
  const rulesOf = (r: Run) => [...new Set((JSON.parse(r.stdout) as { findings: Array<{ rule: string }> }).findings.map((f) => f.rule))].sort();

  test.each(['check', 'synth', 'cost'])('%s --help prints its own usage, exit 0', (command) => {
    const r = spawnSync(process.execPath, [CLI, command, '--help'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: eks-platform ${command} `));
    if (command === 'check') {
      expect(r.stdout).toContain("--rules 'baseline/*,restricted/*'");
      expect(r.stdout).toContain('scopes:');
    }
  });

  test('--rules \'baseline/*,restricted/*\' judges only the Pod Security rules', () => {
    const all = rulesOf(run(['pod.yaml', '--format', 'json'], dir));
    expect(all).toEqual(expect.arrayContaining(['baseline/privileged', 'platform/network-policy-ingress']));
    const r = run(['pod.yaml', '--rules', 'baseline/*,restricted/*', '--format', 'json'], dir);
    expect(r.status).toBe(1);
    const judged = rulesOf(r);
    expect(judged).toContain('baseline/privileged');
    expect(judged.every((id) => id.startsWith('baseline/') || id.startsWith('restricted/'))).toBe(true);
    expect(judged.length).toBeLessThan(all.length);
  });

  test('--skip-rules leaves rules out, after --rules', () => {
    const judged = rulesOf(run(['.', '--skip-rules', 'platform/*,iam-*', '--format', 'json'], dir));
    expect(judged.some((id) => id.startsWith('platform/') || id.startsWith('iam-'))).toBe(false);
    expect(judged).toContain('baseline/privileged');
    const r = run(['pod.yaml', '--rules', 'platform/network-policy-*', '--skip-rules', 'platform/network-policy-egress', '--format', 'json'], dir);
    expect(rulesOf(r)).toEqual(['platform/network-policy-ingress']);
  });

  test('passes, exit 0, when the rules judged all hold', () => {
    const r = run(['pod.yaml', '--rules', 'IST*'], dir);
    expect(r.stdout).toContain('check passed: 0 error(s)');
    expect(r.status).toBe(0);
  });

  test.each([['--rules', 'nope/*'], ['--rules', 'baseline/privileged,pod-security/*'], ['--skip-rules', 'restricted']])('fails when %s %s matches no rule: exit 2, naming the pattern', (option, value) => {
    const r = run(['pod.yaml', option, value], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${option} ".*" matches no rule; allowed: rule ids or globs`));
    expect(r.stdout).toBe('');
  });

  test('fails when --rules has no value: exit 2', () => {
    expect(run(['pod.yaml', '--rules'], dir).status).toBe(2);
    expect(run(['pod.yaml', '--rules', 'baseline/*,'], dir).status).toBe(2);
  });

  test('a suppression of a rule not judged is not reported as unmatched', () => {
    fs.writeFileSync(path.join(dir, 'accept.yaml'), '- { rule: iam-admin-statement, kind: aws_iam_policy, name: admin, reason: "break-glass role, SEC-42" }\n');
    const r = run(['tf', '--rules', 's3-*', '--suppressions', 'accept.yaml'], dir);
    expect(r.stdout).toContain('0 unmatched suppression(s)');
    const judged = run(['pod.yaml', '--rules', 'iam-*', '--suppressions', 'accept.yaml'], dir);
    expect(judged.stdout).toContain('1 unmatched suppression(s)');
    expect(judged.status).toBe(1);
  });

  test('--list-rules prints every rule id with what it checks', () => {
    const r = spawnSync(process.execPath, [CLI, 'check', '--list-rules'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(r.status).toBe(0);
    const ids = r.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]);
    expect(ids).toEqual(expect.arrayContaining(['baseline/privileged', 'restricted/seccomp', 'platform/zone-spread', 'IST0101', 's3-versioning', 'mesh/mtls-disabled']));
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('SARIF results carry the line of the finding\'s field, or of its object', () => {
    const r = run(['.', '--format', 'sarif'], dir);
    const results = expectSarif(r.stdout).runs[0].results;
    expect(results.length).toBeGreaterThan(3);
    for (const x of results) {
      const { uri } = x.locations[0].physicalLocation.artifactLocation;
      const line = x.locations[0].physicalLocation.region!.startLine;
      const lines = fs.readFileSync(path.join(dir, uri), 'utf8').split('\n');
      expect(line).toBeGreaterThanOrEqual(1);
      expect(line).toBeLessThanOrEqual(lines.length);
    }
    const at = (ruleId: string) => {
      const x = results.find((y) => y.ruleId === ruleId)!;
      return fs.readFileSync(path.join(dir, x.locations[0].physicalLocation.artifactLocation.uri), 'utf8').split('\n')[x.locations[0].physicalLocation.region!.startLine - 1];
    };
    expect(at('baseline/privileged')).toContain('privileged: true');
    expect(at('iam-admin-statement')).toContain('"policy":');
    // a missing field points at its nearest enclosing field: the container
    expect(at('platform/probes')).toMatch(/- (name|image):/);
  });
});

describe('eks-platform check dist/ on the library\'s own output', () => {
  let out: string;
  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'check-dist-'));
    const r = spawnSync(process.execPath, [CLI, 'synth', path.join(ROOT, 'apps', 'platform.ts'), '--only', 'kubernetes', '--outdir', out], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(r.status).toBe(0);
  });

  test('passes: each environment\'s folder (it holds Namespaces) is its own scope', () => {
    const r = run(['dist/'], out);
    expect(r.stdout).toContain('check passed: 0 error(s), 0 warning(s)');
    expect(r.status).toBe(0);
    expect(run(['dist/dev', 'dist/staging', 'dist/prod'], out).stdout).toContain('check passed: 0 error(s), 0 warning(s)');
  });

  test('passes on the repository\'s committed dist/ and platforms/erp/dist/, as on their environments\' folders one by one', () => {
    for (const [output, envs] of [['dist', ['dev', 'staging', 'prod']], ['platforms/erp/dist', ['dev', 'prod']]] as const) {
      const whole = run([`${output}/`], ROOT);
      expect(whole.stdout).toContain(`check passed: 0 error(s), 0 warning(s), 0 suppressed, 0 unmatched suppression(s) in ${envs.length * 2} file(s)`);
      expect(whole.status).toBe(0);
      expect(run(envs.map((e) => `${output}/${e}`), ROOT).stdout).toBe(whole.stdout);
    }
  });

  test('fails when two environments\' objects are put in one folder: one scope, duplicate budgets and policies', () => {
    const mixed = path.join(out, 'mixed');
    fs.mkdirSync(mixed);
    fs.copyFileSync(path.join(out, 'dist', 'dev', 'platform.k8s.yaml'), path.join(mixed, 'dev.yaml'));
    fs.copyFileSync(path.join(out, 'dist', 'prod', 'platform.k8s.yaml'), path.join(mixed, 'prod.yaml'));
    const r = run(['mixed'], out);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('[platform/disruption-budget]');
  });
});
