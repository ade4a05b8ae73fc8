/**
 * The rule `prometheus/rule` (lib/policy/prometheus-rules.ts): a PrometheusRule Prometheus would not load is refused at
 * construction (PrometheusAlertRules), by the gate (a user's own object added with extendChart), and by
 * `eks-platform check`. PromQL is parsed with Prometheus's own grammar (@prometheus-io/lezer-promql).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, Chart, Testing } from 'cdk8s';
import { synthesize } from '../../../lib/app/synthesize';
import { PrometheusAlertRules } from '../../../lib/k8s/observability/prometheus-resources';
import { checkPaths } from '../../../lib/policy/check';
import { promqlProblem, prometheusRuleProblems } from '../../../lib/policy/prometheus-rules';
import { listFiles } from '../../../lib/synth';
import { platform as erp } from '../../../apps/erp';
import { errorOf } from '../../fixtures/errors';

const rules = (rule: Record<string, unknown>) => ({ groups: [{ name: 'mine', rules: [rule] }] });

describe('promqlProblem', () => {
  test.each([
    'sum by (le) (rate(http_request_duration_seconds_bucket{job="api"}[5m]))',
    'histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m]))) > 0.5',
    'up == 0 and on (job) absent_over_time(foo[1h])',
    'time() - max(velero_backup_last_successful_timestamp{schedule="backup-a"}) > 1200 or absent(velero_backup_last_successful_timestamp{schedule="backup-a"})',
    'label_replace(up, "a", "$1", "job", "(.*)")',
  ])('accepts %s', (expr) => {
    expect(promqlProblem(expr)).toBeUndefined();
  });

  test.each([
    ['unbalanced parentheses', 'sum(rate(x[5m])'],
    ['a range with a bad unit', 'rate(x[5x])'],
    ['an unknown function', 'rat(x[5m])'],
    ['two expressions side by side', 'up down'],
    ['a dangling operator', 'up >'],
    ['a grouping without its operand', 'sum by (job'],
    ['an unclosed matcher', 'up{job="a"'],
    ['nothing', '   '],
    ['a call of a name that is no function', 'foo(up)'],
    ['a grouping without parentheses', 'sum(up) by job'],
    ['a closing parenthesis too many', 'rate(x[5m]))'],
    ['an empty range', 'rate(x[])'],
    ['a range in upper-case minutes', 'rate(x[5M])'],
    ['an unquoted label value', 'up{job=a}'],
    ['a function Prometheus 3 removed (promtool 2.42 still accepts it)', 'holt_winters(x[5m], 0.5, 0.5)'],
  ])('fails when the expression has %s: %s', (_what, expr) => {
    expect(promqlProblem(expr)).toMatch(/syntax error at offset \d+|empty/);
  });
});

describe('PrometheusAlertRules', () => {
  test('fails when a user\'s rule has a PromQL syntax error: construct path, field, value, what is allowed', () => {
    const chart = Testing.chart();
    const err = errorOf(() => new PrometheusAlertRules(chart, 'Mine', { metadata: { name: 'mine', namespace: 'shop' }, spec: rules({ alert: 'Mine', expr: 'sum(rate(http_requests_total[5m])' }) as never }));
    expect(err.message).toContain('/Mine');
    expect(err.message).toContain('spec.groups[0].rules[0].expr');
    expect(err.message).toContain('sum(rate(http_requests_total[5m])');
    expect(err.message).toContain('allowed: a PromQL expression Prometheus parses; this is a syntax error at offset');
  });

  test.each([
    ['spec.groups[0].rules[0].for', { alert: 'A', expr: 'up == 0', for: '5 minutes' }],
    ['spec.groups[0].rules[0].alert', { alert: 'my-alert', expr: 'up == 0' }],
    ['spec.groups[0].rules[0].record', { record: 'job rate', expr: 'up' }],
    ['spec.groups[0].rules[0].alert', { alert: 'A', record: 'b', expr: 'up' }],
    ['spec.groups[0].rules[0].labels.__name__', { alert: 'A', expr: 'up == 0', labels: { __name__: 'x' } }],
    ['spec.groups[0].rules[0].annotations.run-book', { alert: 'A', expr: 'up == 0', annotations: { 'run-book': 'x' } }],
  ])('fails when %s is wrong', (field, rule) => {
    const err = errorOf(() => new PrometheusAlertRules(Testing.chart(), 'Mine', { metadata: { name: 'mine', namespace: 'shop' }, spec: rules(rule) as never }));
    expect(err.message).toContain(field);
  });

  test('accepts a valid rule', () => {
    expect(prometheusRuleProblems(rules({ alert: 'ApiDown', expr: 'up{job="api"} == 0', for: '5m', labels: { severity: 'critical' }, annotations: { summary: 'api is down' } }))).toEqual([]);
  });
});

describe('the gate and the check', () => {
  const bad = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'mine', namespace: 'erp' }, spec: rules({ alert: 'Mine', expr: 'rate(http_requests_total[5m]' }) };

  test('fails when a rule added with extendChart does not parse: the synth is refused and nothing is written', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'promql-gate-'));
    expect(() => synthesize(erp, { outdir: out, only: 'kubernetes', environments: ['dev'], extendChart: (chart: Chart) => { new ApiObject(chart, 'MyRules', bad); } })).toThrow(/\[prometheus\/rule\] .*PrometheusRule erp\/mine: spec\.groups\[0\]\.rules\[0\]\.expr/);
    expect(listFiles(out).filter((f) => !f.startsWith('.eks-platform/'))).toEqual([]);
  });

  test('eks-platform check reports it with its line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promql-check-'));
    fs.writeFileSync(path.join(dir, 'rules.yaml'), `apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: mine\n  namespace: erp\nspec:\n  groups:\n    - name: mine\n      rules:\n        - alert: Mine\n          expr: rate(http_requests_total[5m]\n`);
    const report = checkPaths(['.'], { cwd: dir, rules: ['prometheus/*'] });
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'prometheus/rule', field: 'spec.groups[0].rules[0].expr', line: 11 })]);
    expect(report.exitCode).toBe(1);
  });
});
