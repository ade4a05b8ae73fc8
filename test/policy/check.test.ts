/**
 * `checkPaths` and the report formats (lib/policy/check.ts), suppressions (lib/policy/suppressions.ts), and the rule
 * table of docs/policy.md against the rule ids the code reports.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CheckInputError, checkPaths, formatJson, formatSarif, formatText, KNOWN_RULES, RULE_DESCRIPTIONS } from '../../lib/policy/check';
import { PodSecurityControl } from '../../lib/policy/pod-security';
import { parseSuppressions, SuppressionFileError } from '../../lib/policy/suppressions';
import { WorkloadRule } from '../../lib/policy/workload-rules';
import { adminPolicyStack, privilegedPodYaml } from '../fixtures/bad-inputs';

const ROOT = path.join(__dirname, '..', '..');

const PRIVILEGED_POD = privilegedPodYaml(`apiVersion: v1
kind: ConfigMap
metadata: { name: scratch, namespace: tools }
data: { dir: /tmp/scratch }`);

const ADMIN_POLICY = adminPolicyStack();

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-test-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('checkPaths', () => {
  test('reads multi-document YAML and Terraform JSON in nested folders, with paths relative to cwd', () => {
    const dir = folder({ 'k8s/nested/pod.yaml': PRIVILEGED_POD, 'cdktf.out/stacks/prod/cdk.tf.json': ADMIN_POLICY, 'notes.md': '/work/x' });
    const report = checkPaths(['.'], { cwd: dir });
    expect(report.files).toEqual(['cdktf.out/stacks/prod/cdk.tf.json', 'k8s/nested/pod.yaml']);
    expect(report.exitCode).toBe(1);
    const privileged = report.findings.find((f) => f.rule === PodSecurityControl.PRIVILEGED)!;
    expect(privileged).toMatchObject({
      file: 'k8s/nested/pod.yaml', kind: 'Pod', namespace: 'tools', name: 'debug',
      field: 'spec.containers[0].securityContext.privileged', expected: 'unset or false', found: 'true',
    });
    const admin = report.findings.find((f) => f.rule === 'iam-admin-statement')!;
    expect(admin).toMatchObject({ file: 'cdktf.out/stacks/prod/cdk.tf.json', kind: 'aws_iam_policy', name: 'admin', field: 'policy.Statement[0]' });
    // the machine-path rule of the gate is not part of the check (the ConfigMap names /tmp/scratch)
    expect(report.findings.map((f) => f.rule)).not.toContain('determinism/machine-path');
    // sorted: by file, then rule
    const keys = report.findings.map((f) => `${f.file}\u0000${f.rule}`);
    expect(keys).toEqual([...keys].sort());
  });

  test('resolves Istio references within one path given, and names the file of the object', () => {
    const vs = (subset: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: catalog, namespace: shop }
spec:
  hosts: [catalog]
  http:
    - route:
        - destination: { host: catalog, subset: ${subset} }
`;
    const dr = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: catalog, namespace: shop }
spec:
  host: catalog
  subsets: [{ name: v1, labels: { version: v1 } }]
`;
    const pods = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: { name: catalog, namespace: shop }
    spec: { selector: { app: catalog }, ports: [{ name: http, port: 80 }] }
`;
    const pod = `apiVersion: v1
kind: Pod
metadata: { name: catalog-v1, namespace: shop, labels: { app: catalog, version: v1 } }
spec: { containers: [] }
`;
    const good = folder({ 'a/vs.yaml': vs('v1'), 'b/dr.yaml': dr, 'svc.yml': pods, 'pod.yaml': pod });
    expect(checkPaths(['.'], { cwd: good }).findings.filter((f) => f.rule.startsWith('IST'))).toEqual([]);
    const bad = folder({ 'a/vs.yaml': vs('v2'), 'b/dr.yaml': dr, 'svc.yml': pods, 'pod.yaml': pod });
    expect(checkPaths(['.'], { cwd: bad }).findings.filter((f) => f.rule.startsWith('IST'))).toEqual([
      expect.objectContaining({ rule: 'IST0101', file: 'a/vs.yaml', kind: 'VirtualService', namespace: 'shop', name: 'catalog' }),
    ]);
  });

  test.each([
    ['a path is missing', {}, ['missing.yaml'], 'missing.yaml: no such file or folder'],
    ['YAML does not parse', { 'bad.yaml': 'a: [1, 2\n' }, ['.'], 'bad.yaml: YAML does not parse'],
    ['JSON does not parse', { 'cdk.tf.json': '{ "resource": ' }, ['.'], 'cdk.tf.json: JSON does not parse'],
    ['a file is neither YAML nor Terraform JSON', { 'main.tf': '' }, ['main.tf'], 'main.tf: not Kubernetes YAML'],
    ['there is no recognisable input', { 'values.yaml': 'replicas: 3\n', 'README.md': '# x' }, ['.'], 'no recognisable input'],
  ])('fails when %s, with a CheckInputError', (_name, files, paths, message) => {
    const dir = folder(files);
    expect(() => checkPaths(paths, { cwd: dir })).toThrow(CheckInputError);
    expect(() => checkPaths(paths, { cwd: dir })).toThrow(message);
  });
});

describe('suppressions', () => {
  const base = { rule: 'baseline/privileged', kind: 'Pod', namespace: 'tools', name: 'debug' };

  test('a matching suppression moves the finding to suppressed, with its reason, in every format', () => {
    const dir = folder({
      'pod.yaml': PRIVILEGED_POD,
      'suppressions.yaml': `suppressions:\n  - { rule: baseline/privileged, file: ./pod.yaml, kind: Pod, namespace: tools, name: debug, reason: "debugging image, SEC-1" }\n`,
    });
    const report = checkPaths(['pod.yaml'], { cwd: dir, suppressions: 'suppressions.yaml' });
    expect(report.findings.map((f) => f.rule)).not.toContain('baseline/privileged');
    expect(report.suppressed).toEqual([expect.objectContaining({ rule: 'baseline/privileged', reason: 'debugging image, SEC-1' })]);
    expect(formatText(report)).toMatch(/suppressed \[baseline\/privileged\] pod\.yaml:\d+: Pod tools\/debug\n(.*\n)*\s+reason:\s+debugging image, SEC-1/);
    expect(JSON.parse(formatJson(report)).suppressed[0]).toMatchObject({ rule: 'baseline/privileged', reason: 'debugging image, SEC-1' });
    const sarif = JSON.parse(formatSarif(report));
    const result = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'baseline/privileged');
    expect(result.suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'debugging image, SEC-1' }]);
  });

  test('fails when a suppression matches no finding: exit code 1 and reported', () => {
    const dir = folder({ 'pod.yaml': PRIVILEGED_POD, 's.json': JSON.stringify([{ ...base, name: 'other', reason: 'x' }]) });
    const report = checkPaths(['pod.yaml'], { cwd: dir, suppressions: 's.json' });
    expect(report.exitCode).toBe(1);
    expect(report.unmatchedSuppressions).toEqual([expect.objectContaining({ entry: 1, name: 'other' })]);
    expect(formatText(report)).toContain('error [suppression/unmatched] s.json: entry 1 (rule baseline/privileged, Pod tools/other) matches no finding');
  });

  test.each([
    ['the reason is missing', [base], 'entry 1 (rule baseline/privileged, Pod tools/debug): reason is missing'],
    ['the reason is empty', [{ ...base, reason: 'ok' }, { ...base, reason: '  ' }], 'entry 2 (rule baseline/privileged, Pod tools/debug): reason is empty'],
    ['a field is unknown', [{ ...base, reason: 'ok', namesapce: 'x' }], 'unknown field(s) namesapce'],
    ['the name is missing', [{ rule: 'x', kind: 'Pod', reason: 'ok' }], 'name is missing'],
    ['the file holds no list', { rule: 'x' }, 'expected a list of suppressions'],
  ])('fails when %s', (_name, doc, message) => {
    expect(() => parseSuppressions(JSON.stringify(doc), 's.json')).toThrow(SuppressionFileError);
    expect(() => parseSuppressions(JSON.stringify(doc), 's.json')).toThrow(message);
  });
});

describe('docs/policy.md', () => {
  test('lists every rule id the check reports', () => {
    const docs = fs.readFileSync(path.join(ROOT, 'docs', 'policy.md'), 'utf8');
    const ids = [...Object.values(PodSecurityControl), ...Object.keys(RULE_DESCRIPTIONS)];
    expect(ids.filter((id) => !docs.includes(`| \`${id}\` |`))).toEqual([]);
  });

  test('every rule the modules report has a description', () => {
    const sources = ['terraform-rules.ts', 'istio-analyze.ts'].map((f) => fs.readFileSync(path.join(ROOT, 'lib', 'policy', f), 'utf8')).join('\n');
    const reported = new Set([...sources.matchAll(/rule: '([a-z0-9-]+)'/g), ...sources.matchAll(/report\('([A-Z]+\d+)'/g)].map((m) => m[1]));
    expect([...reported].filter((id) => RULE_DESCRIPTIONS[id] === undefined)).toEqual([]);
    expect(Object.values(PodSecurityControl).filter((id) => RULE_DESCRIPTIONS[id] === undefined)).toEqual([]);
    expect(Object.values(WorkloadRule).filter((id) => RULE_DESCRIPTIONS[id] === undefined)).toEqual([]);
  });
});

describe('the list of rules', () => {
  test('names every rule the check can report: Pod Security controls, workload rules, Istio codes, Terraform rules', () => {
    const source = (file: string) => fs.readFileSync(path.join(ROOT, 'lib', 'policy', file), 'utf8');
    const terraform = [...source('terraform-rules.ts').matchAll(/rule: '([a-z0-9-]+)'/g)].map((m) => m[1]);
    const istio = [...source('istio-analyze.ts').matchAll(/^ {2}((?:IST|EPC)\d{4}): \{ name:/gm)].map((m) => m[1]);
    expect(terraform.length).toBeGreaterThan(20);
    expect(istio.length).toBe(6);
    const reported = [...Object.values(PodSecurityControl), ...Object.values(WorkloadRule), ...istio, ...terraform];
    expect(reported.filter((id) => !KNOWN_RULES.includes(id))).toEqual([]);
  });
});
