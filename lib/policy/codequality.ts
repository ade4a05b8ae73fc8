/**
 * The report of `eks-platform check` as a GitLab Code Quality report (`--format codequality`): the CodeClimate-style
 * JSON array GitLab reads from `artifacts:reports:codequality` and shows in merge requests. GitLab's Code Quality
 * does not read SARIF; the SARIF report stays the format for other tools.
 */
import { createHash } from 'node:crypto';
import type { CheckFinding, CheckReport } from './check';

/** One issue of a GitLab Code Quality report (the fields GitLab reads). */
export interface CodeQualityIssue {
  readonly description: string;
  readonly check_name: string;
  /** Unique per issue and stable across runs: GitLab compares the base and head reports by it. */
  readonly fingerprint: string;
  readonly severity: 'info' | 'minor' | 'major' | 'critical' | 'blocker';
  readonly location: { readonly path: string; readonly lines: { readonly begin: number } };
}

/** The line of a finding, when the check knows it (SARIF and the other formats report it too), else 1. */
function lineOf(f: CheckFinding): number {
  const line = (f as CheckFinding & { readonly line?: number }).line;
  return typeof line === 'number' && line >= 1 ? line : 1;
}

function issueOf(f: CheckFinding, suppressionFile?: string): CodeQualityIssue {
  const object = f.kind !== undefined ? `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name ?? '?'}` : undefined;
  const description = `[${f.rule}] ${object ? `${object}${f.field !== undefined ? ` ${f.field}` : ''}: ` : ''}${f.message}`;
  // rule, file, object and field identify a finding; the message is left out so that a reworded message keeps it
  const fingerprint = createHash('sha256').update(JSON.stringify([f.rule, f.file, f.kind ?? null, f.namespace ?? null, f.name ?? null, f.field ?? null, suppressionFile ?? null])).digest('hex');
  return { description, check_name: f.rule, fingerprint, severity: f.severity === 'error' ? 'major' : 'minor', location: { path: f.file, lines: { begin: lineOf(f) } } };
}

/** The findings (not the suppressed ones) and the unmatched suppressions, as GitLab Code Quality issues. */
export function formatCodeQuality(report: CheckReport, unmatchedRule: string): string {
  const issues: CodeQualityIssue[] = report.findings.map((f) => issueOf(f));
  for (const s of report.unmatchedSuppressions) {
    issues.push(issueOf({
      rule: unmatchedRule, severity: 'error', file: report.suppressionFile ?? '.', kind: s.kind, namespace: s.namespace, name: s.name,
      expected: 'a suppression that matches a finding', found: `entry ${s.entry} (rule ${s.rule})`, message: `suppression entry ${s.entry} (rule ${s.rule}) matches no finding`,
    }, `${s.entry}`));
  }
  return `${JSON.stringify(issues, null, 2)}\n`;
}
