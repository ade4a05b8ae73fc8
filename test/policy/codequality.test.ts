/**
 * `eks-platform check --format codequality`: the report as GitLab's Code Quality JSON (what `artifacts:reports:
 * codequality` reads), one issue per finding with a stable, unique fingerprint.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkPaths, formatReport } from '../../lib/policy/check';
import type { CodeQualityIssue } from '../../lib/policy/codequality';
import { PodSecurityControl } from '../../lib/policy/pod-security';
import { adminPolicyStack, privilegedPodYaml } from '../fixtures/bad-inputs';

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codequality-test-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('the GitLab Code Quality report', () => {
  const dir = folder({ 'k8s/pod.yaml': privilegedPodYaml(''), 'cdktf.out/stacks/prod/cdk.tf.json': adminPolicyStack() });
  const report = checkPaths(['.'], { cwd: dir });
  const issues = JSON.parse(formatReport(report, 'codequality')) as CodeQualityIssue[];

  test('has one issue per finding, with the fields GitLab reads', () => {
    expect(report.findings.length).toBeGreaterThan(1);
    expect(issues).toHaveLength(report.findings.length);
    for (const issue of issues) {
      expect(Object.keys(issue).sort()).toEqual(['check_name', 'description', 'fingerprint', 'location', 'severity']);
      expect(['info', 'minor', 'major', 'critical', 'blocker']).toContain(issue.severity);
      expect(issue.location.lines.begin).toBeGreaterThanOrEqual(1);
      expect(fs.existsSync(path.join(dir, issue.location.path))).toBe(true);
    }
    const privileged = issues.find((i) => i.check_name === PodSecurityControl.PRIVILEGED)!;
    expect(privileged).toMatchObject({ severity: 'major', location: { path: 'k8s/pod.yaml' } });
    expect(privileged.description).toContain('spec.containers[0].securityContext.privileged');
    expect(issues.some((i) => i.location.path === 'cdktf.out/stacks/prod/cdk.tf.json')).toBe(true);
  });

  test('gives every issue a unique fingerprint that the next run gives it again', () => {
    const fingerprints = issues.map((i) => i.fingerprint);
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
    expect(fingerprints.every((f) => /^[0-9a-f]{64}$/.test(f))).toBe(true);
    const again = JSON.parse(formatReport(checkPaths(['.'], { cwd: dir }), 'codequality')) as CodeQualityIssue[];
    expect(again.map((i) => i.fingerprint)).toEqual(fingerprints);
  });

  test('is an empty list when every rule holds', () => {
    const clean = folder({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, namespace: tools }\ndata: {}\n' });
    expect(JSON.parse(formatReport(checkPaths(['.'], { cwd: clean }), 'codequality'))).toEqual([]);
  });
});
