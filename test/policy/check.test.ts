/**
 * `checkPaths` and the report formats (lib/policy/check.ts), suppressions (lib/policy/suppressions.ts), and the rule
 * table of docs/policy.md against the rule ids the code reports.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CheckInputError, checkPaths, formatJson, formatSarif, formatText, KNOWN_RULES, RULE_DESCRIPTIONS, RuleSelectionError } from '../../lib/policy/check';
import { MIN_REPLICAS_ANNOTATION } from '../../lib/model/rules';
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

describe('rule selection', () => {
  // a Pod that breaks restricted/* (and baseline/privileged) and, with no NetworkPolicy in scope, workload rules
  const dir = folder({ 'pod.yaml': PRIVILEGED_POD, 'tf/cdk.tf.json': ADMIN_POLICY });
  const rulesOf = (rules?: string[], skipRules?: string[]) => [...new Set(checkPaths(['.'], { cwd: dir, rules, skipRules }).findings.map((f) => f.rule))].sort();

  test('judges only the rules --rules names: a restricted rule is reported, a workload rule of the same Pod is not', () => {
    const all = rulesOf();
    expect(all).toEqual(expect.arrayContaining(['restricted/seccomp', 'platform/network-policy-ingress', 'iam-admin-statement']));
    expect(rulesOf(['restricted/*'])).toEqual(all.filter((id) => id.startsWith('restricted/')));
    expect(rulesOf(['restricted/seccomp', 'iam-*'])).toEqual(['iam-admin-statement', 'restricted/seccomp']);
  });

  test('leaves out what --skip-rules names, also from what --rules chose', () => {
    expect(rulesOf(undefined, ['platform/*', 'iam-*']).some((id) => id.startsWith('platform/') || id.startsWith('iam-'))).toBe(false);
    expect(rulesOf(['baseline/*', 'restricted/*'], ['restricted/*'])).toEqual(['baseline/privileged']);
  });

  test.each([
    ['--rules', { rules: ['restricted'] }, '"restricted"'],
    ['--rules', { rules: ['baseline/*', 'pss/*'] }, '"pss/*"'],
    ['--skip-rules', { skipRules: ['IST9999'] }, '"IST9999"'],
  ])('fails when a %s pattern matches no rule, naming it and the known prefixes', (option, selection, named) => {
    expect(() => checkPaths(['.'], { cwd: dir, ...selection })).toThrow(RuleSelectionError);
    expect(() => checkPaths(['.'], { cwd: dir, ...selection })).toThrow(`${option} ${named} matches no rule; allowed: rule ids or globs of them (EPC*, IST*, baseline/*, ecr-*, eks-*, iam-*`);
  });

  test('a suppression of a rule not judged is not unmatched; one naming no rule at all always is', () => {
    fs.writeFileSync(path.join(dir, 's.yaml'), [
      '- { rule: iam-admin-statement, kind: aws_iam_policy, name: admin, reason: "break-glass, SEC-42" }',
      '- { rule: baseline/privilegd, kind: Pod, name: debug, reason: "a typo" }',
      '',
    ].join('\n'));
    const report = checkPaths(['.'], { cwd: dir, suppressions: 's.yaml', rules: ['baseline/*'] });
    expect(report.unmatchedSuppressions.map((s) => s.rule)).toEqual(['baseline/privilegd']);
    const judged = checkPaths(['.'], { cwd: dir, suppressions: 's.yaml', rules: ['iam-*'] });
    expect(judged.suppressed.map((f) => f.rule)).toEqual(['iam-admin-statement']);
    expect(judged.unmatchedSuppressions.map((s) => s.rule)).toEqual(['baseline/privilegd']);
    // --rules need not name suppression/unmatched; --skip-rules leaves it out
    expect(checkPaths(['.'], { cwd: dir, suppressions: 's.yaml', skipRules: ['suppression/*'] }).unmatchedSuppressions).toEqual([]);
  });
});

describe('scopes', () => {
  const namespace = (annotations = '') => `apiVersion: v1
kind: Namespace
metadata: { name: shop${annotations} }
`;
  const deployment = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: "web:1.0" }] }
`;
  const budget = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web, namespace: shop }
spec: { maxUnavailable: 1, selector: { matchLabels: { app: web } } }
`;
  const env = `${namespace()}---\n${deployment(2)}---\n${budget}`;
  const budgetFindings = (dir: string, paths: string[]) => checkPaths(paths, { cwd: dir, rules: ['platform/disruption-budget'] }).findings;

  test('judges each environment\'s folder on its own: folders that declare the same Namespace', () => {
    const dir = folder({ 'dist/dev/platform.k8s.yaml': env, 'dist/prod/platform.k8s.yaml': env, 'dist/prod/extra/more.yaml': budget.replace('name: web,', 'name: web-2,') });
    // dist/prod/extra/ declares no Namespace: its budget belongs to dist/prod, where two budgets now select web
    expect(budgetFindings(dir, ['dist'])).toEqual([expect.objectContaining({ file: 'dist/prod/platform.k8s.yaml', kind: 'Deployment', name: 'web' })]);
    expect(budgetFindings(dir, ['dist'])).toEqual(budgetFindings(dir, ['dist/dev', 'dist/prod']));
  });

  test('fails when two environments\' objects are in one folder: one scope, two budgets select each Deployment', () => {
    const dir = folder({ 'mixed/dev.yaml': env, 'mixed/prod.yaml': env });
    expect(budgetFindings(dir, ['mixed']).length).toBeGreaterThan(0);
  });

  test('keeps a folder of Namespaces no other folder declares in the path\'s scope (namespaces/ beside apps/)', () => {
    // the Namespace asks for 1 replica: a Deployment of 1 passes only when the Namespace is in its scope
    const dir = folder({ 'k8s/namespaces/shop.yaml': namespace(`, annotations: { ${MIN_REPLICAS_ANNOTATION}: "1" }`), 'k8s/apps/web.yaml': deployment(1) });
    expect(checkPaths(['k8s'], { cwd: dir, rules: ['platform/replicas'] }).findings).toEqual([]);
    expect(checkPaths(['k8s/apps'], { cwd: dir, rules: ['platform/replicas'] }).findings).toEqual([
      expect.objectContaining({ rule: 'platform/replicas', name: 'web' }),
    ]);
  });
});

describe('line numbers', () => {
  /** The text of `file`'s 1-based `line`. */
  const lineText = (dir: string, file: string, line: number | undefined) => fs.readFileSync(path.join(dir, file), 'utf8').split('\n')[line! - 1];

  test('YAML: the line of the finding\'s field, or its nearest enclosing field, or the object\'s first line', () => {
    const yaml = `# a comment before the first document
---
apiVersion: v1
kind: Namespace
metadata: { name: tools }
---
# the items of a List
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: { name: a, namespace: tools }
    spec:
      containers:
        - name: a
          image: "busybox:1.36"
          securityContext:
            runAsUser: 0
  - apiVersion: v1
    kind: Pod
    metadata: { name: b, namespace: tools }
    spec:
      hostNetwork: true
      containers: [{ name: b, image: "busybox:1.36" }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: catalog, namespace: tools }
spec:
  hosts: [catalog]
  http: [{ route: [{ destination: { host: catalog, subset: v9 } }] }]
`;
    const dir = folder({ 'all.yaml': yaml });
    const report = checkPaths(['all.yaml'], { cwd: dir });
    const find = (rule: string, name: string) => report.findings.find((f) => f.rule === rule && f.name === name)!;
    expect(lineText(dir, 'all.yaml', find('restricted/running-as-non-root-user', 'a').line)).toContain('runAsUser: 0');
    expect(lineText(dir, 'all.yaml', find('baseline/host-namespaces', 'b').line)).toContain('hostNetwork: true');
    // no such field: its nearest enclosing one (the container)
    expect(lineText(dir, 'all.yaml', find('platform/probes', 'a').line)).toContain('- name: a');
    // an Istio finding names no field: the object's first line
    expect(find('IST0101', 'catalog')).toMatchObject({ line: 27 });
    expect(lineText(dir, 'all.yaml', 27)).toBe('apiVersion: networking.istio.io/v1');
    expect(report.findings.every((f) => f.line !== undefined && f.line >= 1)).toBe(true);
  });

  test('Terraform JSON: the line of the field in the resource\'s body, else of the resource\'s key, also past a key of the same name', () => {
    const stack = {
      data: { aws_iam_policy_document: { everything: { statement: [{ effect: 'Allow', actions: ['*'], resources: ['*'] }] } } },
      resource: {
        aws_iam_policy: {
          reader: { name: 'reader', tags: { admin: 'no' }, policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }) },
          admin: { name: 'admin', policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) },
        },
        aws_launch_template: { nodes: { metadata_options: { http_tokens: 'optional', http_put_response_hop_limit: 1 } } },
        aws_s3_bucket: { logs: { bucket: 'logs' } },
      },
    };
    const dir = folder({ 'cdk.tf.json': JSON.stringify(stack, null, 2) });
    const findings = checkPaths(['.'], { cwd: dir }).findings;
    const at = (rule: string, name: string) => lineText(dir, 'cdk.tf.json', findings.find((f) => f.rule === rule && f.name === name)!.line);
    expect(at('iam-admin-statement', 'admin')).toMatch(/^ {8}"policy": /);
    expect(at('launch-template-imdsv1', 'nodes')).toContain('"http_tokens": "optional"');
    // the finding names a field of another resource (aws_s3_bucket_versioning): the bucket's key
    expect(at('s3-versioning', 'logs')).toBe('      "logs": {');
    // a data source: the statement
    expect(findings.find((f) => f.rule === 'iam-admin-statement' && f.kind === 'data.aws_iam_policy_document')).toBeDefined();
    expect(at('iam-admin-statement', 'everything')).toBe('          {');
  });
});
