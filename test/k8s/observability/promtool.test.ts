/**
 * The alerts proven by Prometheus itself (Debian's `prometheus` package brings `promtool`; .ci/run installs it):
 * - every PrometheusRule of every environment of both reference platforms and of the small platform of the command's
 *   tests (observed), as synthesized, passes `promtool check rules` (PromQL, types, durations, names, templates);
 * - `promtool test rules` unit tests, around the rules as synthesized, show that each golden-signal alert, each backup
 *   and restore-check alert and each platform alert fires on series that should fire it, with its labels and its
 *   annotations rendered (each template's rendering on those series is written in the case), and stays silent on
 *   healthy series.
 * Without promtool, the tests are skipped on a developer's machine and fail in CI.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dump } from 'js-yaml';
import { platform as erp } from '../../../apps/erp';
import { platform as shop } from '../../../apps/platform';
import { buildKubernetesApp } from '../../../lib/app/kubernetes-app';
import type { Platform } from '../../../lib/model/platform';
import { smallPlatformSource } from '../../fixtures/small-platform';
import { OBSERVABILITY } from './_fixtures';

const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => fs.existsSync(p)) ?? (spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).stdout.trim() || undefined);

interface Rule { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface RuleObject { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: { groups: Array<{ name: string; rules: Rule[] }> } }

/** Every PrometheusRule of every environment of a platform, as the synth writes them. */
function prometheusRules(p: Platform): Array<{ env: string; object: RuleObject }> {
  return p.environments.flatMap((e) => {
    const app = buildKubernetesApp(p, e.name, fs.mkdtempSync(path.join(os.tmpdir(), 'promtool-synth-')));
    app.synth();
    return [...app.written.values()].flatMap((f) => f.objects as RuleObject[]).filter((o) => o.kind === 'PrometheusRule').map((object) => ({ env: e.name, object }));
  });
}

function promtool(args: readonly string[], cwd: string): { status: number | null; output: string } {
  const r = spawnSync(PROMTOOL!, args, { cwd, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A Prometheus rules file (`groups:`) of one PrometheusRule's spec, as synthesized. */
function rulesFile(dir: string, name: string, object: RuleObject): string {
  fs.writeFileSync(path.join(dir, name), dump(JSON.parse(JSON.stringify({ groups: object.spec.groups }))));
  return name;
}

/** The small platform of the command's tests (test/fixtures/small-platform.ts, environments dev, qa, prod), observed. */
function smallPlatform(): Platform {
  const source = smallPlatformSource();
  const observed = source.replace(/\n {2}services,\n\}\);/, `\n  services,\n  observability: ${JSON.stringify(OBSERVABILITY)},\n});`);
  if (observed === source) {
    throw new Error('the small platform\'s source changed: its services line is not where the test adds observability');
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'promtool-small-')), 'small.ts');
  fs.writeFileSync(file, observed);
  return (require(file) as { platform: Platform }).platform;
}

const SMALL = prometheusRules(smallPlatform());
const ALL = [...prometheusRules(shop), ...prometheusRules(erp), ...SMALL];
const ruleOf = (env: string, name: string) => {
  const found = ALL.find((r) => r.env === env && r.object.metadata.name === name);
  if (!found) throw new Error(`no PrometheusRule ${name} in ${env}`);
  return found.object;
};

if (!PROMTOOL) {
  if (process.env.CI) {
    test('promtool is installed (CI installs Debian\'s prometheus package: .ci/run)', () => {
      throw new Error('promtool is missing: apt-get install -y prometheus');
    });
  } else {
    // eslint-disable-next-line no-console
    console.warn('promtool not found: the PromQL tests are skipped here (apt-get install -y prometheus brings it; CI runs them)');
  }
}
const describePromtool = PROMTOOL ? describe : describe.skip;

describePromtool('promtool check rules', () => {
  test('passes every PrometheusRule of every environment of both reference platforms and the small platform, every rule counted', () => {
    expect(SMALL.length).toBeGreaterThan(0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promtool-check-'));
    const files = ALL.map((r, i) => rulesFile(dir, `${i}-${r.env}-${r.object.metadata.name}.yaml`, r.object));
    const expected = ALL.reduce((n, r) => n + r.object.spec.groups.reduce((m, g) => m + g.rules.length, 0), 0);
    expect(files.length).toBeGreaterThan(20);
    const r = promtool(['check', 'rules', ...files], dir);
    expect(r.output).not.toMatch(/FAILED/);
    expect(r.status).toBe(0);
    const counted = [...r.output.matchAll(/SUCCESS: (\d+) rules found/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(counted).toBe(expected);
  });

  test('fails when an expression does not type-check in Prometheus (the check can fail)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promtool-check-bad-'));
    fs.writeFileSync(path.join(dir, 'bad.yaml'), dump({ groups: [{ name: 'g', rules: [{ alert: 'Bad', expr: 'rate(up)' }] }] }));
    const r = promtool(['check', 'rules', 'bad.yaml'], dir);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/range vector/);
  });
});

type Series = ReadonlyArray<{ readonly series: string; readonly values: string }>;
interface AlertCase {
  /** The alert. */
  readonly alert: string;
  /** What the case shows, when an alert has several. @default none */
  readonly note?: string;
  /** The PrometheusRule (environment, name) it is in. */
  readonly rules: readonly [string, string];
  /** Which of the alert's rules (when several share the name, e.g. one per schedule): a label they carry. */
  readonly only?: Readonly<Record<string, string>>;
  readonly interval: string;
  readonly evalTime: string;
  /** Series that must fire it, and the labels the alert then has from them (the rule's labels are added). */
  readonly firing: Series;
  readonly firingLabels: ReadonlyArray<Readonly<Record<string, string>>>;
  /** What each template of the alert's annotations renders to on the firing series (`{{ $value | humanize }}` -> `15`). */
  readonly rendered: Readonly<Record<string, string>>;
  /** Healthy series: the alert stays silent. */
  readonly healthy: Series;
  /** The severity the model gives it. */
  readonly severity: string;
}

const ISTIO = 'reporter="destination",destination_service_namespace="shop",destination_service_name="checkout"';
const POD = 'namespace="shop",container="checkout",pod="checkout-v1-7d9f-abcde"';
const HPA = 'namespace="shop",horizontalpodautoscaler="checkout-v1"';
const CASES: readonly AlertCase[] = [
  {
    alert: 'HighErrorRatio', rules: ['prod', 'checkout-alerts'], interval: '1m', evalTime: '20m', severity: 'critical',
    firing: [{ series: `istio_requests_total{${ISTIO},response_code="503"}`, values: '0+60x30' }, { series: `istio_requests_total{${ISTIO},response_code="200"}`, values: '0+60x30' }],
    firingLabels: [{}],
    rendered: { '{{ $value | humanizePercentage }}': '50%' },
    healthy: [{ series: `istio_requests_total{${ISTIO},response_code="503"}`, values: '0x30' }, { series: `istio_requests_total{${ISTIO},response_code="200"}`, values: '0+600x30' }],
  },
  {
    alert: 'HighLatency', rules: ['prod', 'checkout-alerts'], interval: '1m', evalTime: '20m', severity: 'warning',
    firing: ['250', '1000', '5000', '+Inf'].map((le) => ({ series: `istio_request_duration_milliseconds_bucket{${ISTIO},le="${le}"}`, values: le === '250' || le === '1000' ? '0x30' : '0+60x30' })),
    firingLabels: [{}],
    rendered: { '{{ $value | humanize }}': '4.96k' },
    healthy: ['250', '1000', '5000', '+Inf'].map((le) => ({ series: `istio_request_duration_milliseconds_bucket{${ISTIO},le="${le}"}`, values: '0+60x30' })),
  },
  {
    alert: 'HighSaturation', rules: ['prod', 'checkout-alerts'], interval: '1m', evalTime: '25m', severity: 'warning',
    firing: [{ series: `container_cpu_usage_seconds_total{${POD}}`, values: '0+57x40' }, { series: `kube_pod_container_resource_limits{${POD},resource="cpu"}`, values: '1x40' }],
    firingLabels: [{ pod: 'checkout-v1-7d9f-abcde' }],
    rendered: { '{{ $labels.pod }}': 'checkout-v1-7d9f-abcde', '{{ $value | humanizePercentage }}': '95%' },
    healthy: [{ series: `container_cpu_usage_seconds_total{${POD}}`, values: '0+30x40' }, { series: `kube_pod_container_resource_limits{${POD},resource="cpu"}`, values: '1x40' }],
  },
  {
    alert: 'CrashLooping', rules: ['prod', 'checkout-alerts'], interval: '1m', evalTime: '30m', severity: 'critical',
    firing: [{ series: `kube_pod_container_status_restarts_total{${POD}}`, values: '0+1x40' }],
    firingLabels: [{ pod: 'checkout-v1-7d9f-abcde' }],
    rendered: { '{{ $labels.pod }}': 'checkout-v1-7d9f-abcde', '{{ $value | humanize }}': '15' },
    healthy: [{ series: `kube_pod_container_status_restarts_total{${POD}}`, values: '3x40' }],
  },
  {
    alert: 'AutoscalerAtMaximum', rules: ['prod', 'checkout-alerts'], interval: '1m', evalTime: '40m', severity: 'info',
    firing: [{ series: `kube_horizontalpodautoscaler_status_current_replicas{${HPA}}`, values: '20x60' }, { series: `kube_horizontalpodautoscaler_spec_max_replicas{${HPA}}`, values: '20x60' }],
    firingLabels: [{ horizontalpodautoscaler: 'checkout-v1' }],
    rendered: { '{{ $labels.horizontalpodautoscaler }}': 'checkout-v1' },
    healthy: [{ series: `kube_horizontalpodautoscaler_status_current_replicas{${HPA}}`, values: '3x60' }, { series: `kube_horizontalpodautoscaler_spec_max_replicas{${HPA}}`, values: '20x60' }],
  },
  {
    // shop is critical in prod: a backup every 15 minutes, too old after 20
    alert: 'VeleroBackupTooOld', rules: ['prod', 'backups'], only: { schedule: 'backup-shop' }, interval: '1m', evalTime: '30m', severity: 'critical',
    firing: [{ series: 'velero_backup_last_successful_timestamp{schedule="backup-shop"}', values: '0x40' }],
    firingLabels: [{}],
    rendered: { '{{ $value | humanizeDuration }}': '30m 0s' },
    healthy: [{ series: 'velero_backup_last_successful_timestamp{schedule="backup-shop"}', values: '0+60x40' }],
  },
  {
    // no successful backup ever recorded: absent() fires it
    alert: 'VeleroBackupTooOld', note: 'no successful backup ever', rules: ['prod', 'backups'], only: { schedule: 'backup-shop' }, interval: '1m', evalTime: '10m', severity: 'critical',
    firing: [{ series: 'velero_backup_last_successful_timestamp{schedule="another"}', values: '0+60x40' }],
    firingLabels: [{}],
    rendered: { '{{ $value | humanizeDuration }}': '1s' },
    healthy: [{ series: 'velero_backup_last_successful_timestamp{schedule="backup-shop"}', values: '0+60x40' }],
  },
  {
    // samples every 5 minutes: within Prometheus's lookback, so the series never goes stale between them
    alert: 'VeleroBackupTooOld', rules: ['prod', 'backups'], only: { schedule: 'backup-shop-data' }, interval: '5m', evalTime: '30h', severity: 'warning',
    firing: [{ series: 'velero_backup_last_successful_timestamp{schedule="backup-shop-data"}', values: '0x400' }],
    firingLabels: [{}],
    rendered: { '{{ $value | humanizeDuration }}': '1d 6h 0m 0s' },
    healthy: [{ series: 'velero_backup_last_successful_timestamp{schedule="backup-shop-data"}', values: '0+300x400' }],
  },
  {
    alert: 'RestoreCheckFailed', rules: ['prod', 'backups'], interval: '1m', evalTime: '5m', severity: 'critical',
    firing: [{ series: 'kube_job_status_failed{namespace="velero",job_name="restore-check-29000000"}', values: '1x10' }],
    firingLabels: [{}],
    rendered: {},
    healthy: [{ series: 'kube_job_status_failed{namespace="velero",job_name="restore-check-29000000"}', values: '0x10' }],
  },
  {
    alert: 'RestoreCheckNotSucceeded', rules: ['prod', 'backups'], interval: '5m', evalTime: '28h', severity: 'critical',
    firing: [{ series: 'kube_cronjob_status_last_successful_time{namespace="velero",cronjob="restore-check"}', values: '0x400' }],
    firingLabels: [{}],
    rendered: {},
    healthy: [{ series: 'kube_cronjob_status_last_successful_time{namespace="velero",cronjob="restore-check"}', values: '0+300x400' }],
  },
  {
    alert: 'NodeNotReady', rules: ['prod', 'platform-alerts'], interval: '1m', evalTime: '15m', severity: 'critical',
    firing: [{ series: 'kube_node_status_condition{condition="Ready",status="true",node="ip-10-30-1-7"}', values: '0x20' }],
    firingLabels: [{ condition: 'Ready', status: 'true', node: 'ip-10-30-1-7' }],
    rendered: { '{{ $labels.node }}': 'ip-10-30-1-7' },
    healthy: [{ series: 'kube_node_status_condition{condition="Ready",status="true",node="ip-10-30-1-7"}', values: '1x20' }],
  },
  {
    alert: 'PersistentVolumeFillingUp', rules: ['prod', 'platform-alerts'], interval: '1m', evalTime: '20m', severity: 'warning',
    firing: [{ series: 'kubelet_volume_stats_available_bytes{namespace="shop-data",persistentvolumeclaim="data-redis-0"}', values: '5x30' }, { series: 'kubelet_volume_stats_capacity_bytes{namespace="shop-data",persistentvolumeclaim="data-redis-0"}', values: '100x30' }],
    firingLabels: [{ namespace: 'shop-data', persistentvolumeclaim: 'data-redis-0' }],
    rendered: { '{{ $labels.namespace }}': 'shop-data', '{{ $labels.persistentvolumeclaim }}': 'data-redis-0', '{{ $value | humanizePercentage }}': '5%' },
    healthy: [{ series: 'kubelet_volume_stats_available_bytes{namespace="shop-data",persistentvolumeclaim="data-redis-0"}', values: '50x30' }, { series: 'kubelet_volume_stats_capacity_bytes{namespace="shop-data",persistentvolumeclaim="data-redis-0"}', values: '100x30' }],
  },
  {
    alert: 'CertificateExpiringSoon', rules: ['prod', 'platform-alerts'], interval: '1m', evalTime: '2h', severity: 'warning',
    firing: [{ series: 'probe_ssl_earliest_cert_expiry{instance="https://shop.example.com"}', values: `${7 * 86400}x150` }],
    firingLabels: [{ instance: 'https://shop.example.com' }],
    rendered: { '{{ $labels.instance }}': 'https://shop.example.com', '{{ $value | humanizeDuration }}': '6d 22h 0m 0s' },
    healthy: [{ series: 'probe_ssl_earliest_cert_expiry{instance="https://shop.example.com"}', values: `${60 * 86400}x150` }],
  },
];

/** The rule a case tests (its alert and, where several share the name, the `only` labels). */
function ruleFor(c: AlertCase): { object: RuleObject; rule: Rule } {
  const object = ruleOf(...c.rules);
  const rules = object.spec.groups.flatMap((g) => g.rules).filter((r) => r.alert === c.alert && Object.entries(c.only ?? {}).every(([k, v]) => r.labels?.[k] === v));
  expect(rules).toHaveLength(1);
  return { object, rule: rules[0] };
}

/** The synthesized annotations with each template replaced by what the case says it renders to; every one must be. */
function renderedAnnotations(c: AlertCase, rule: Rule): Record<string, string> {
  return Object.fromEntries(Object.entries(rule.annotations ?? {}).map(([k, text]) => {
    const out = Object.entries(c.rendered).reduce((t, [template, value]) => t.split(template).join(value), text);
    if (out.includes('{{')) {
      throw new Error(`${c.alert}: annotation ${k} has a template the case does not render: ${out}`);
    }
    return [k, out];
  }));
}

/** A promtool unit-test file for one case: the rule file holds only that rule, as synthesized. */
function unitTest(dir: string, c: AlertCase, expectFiring: boolean, i: number): string {
  const { object, rule } = ruleFor(c);
  const rulesName = rulesFile(dir, `rules-${i}.yaml`, { ...object, spec: { groups: [{ name: 'one', rules: [rule] }] } });
  const exp = expectFiring
    ? c.firingLabels.map((labels) => {
      const fromSeries = Object.fromEntries(Object.entries(labels).filter(([k]) => k !== '__name__'));
      return { exp_labels: { ...fromSeries, ...(rule.labels ?? {}) }, exp_annotations: renderedAnnotations(c, rule) };
    })
    : [];
  const doc = {
    rule_files: [rulesName],
    evaluation_interval: '1m',
    tests: [{ interval: c.interval, input_series: expectFiring ? c.firing : c.healthy, alert_rule_test: [{ eval_time: c.evalTime, alertname: c.alert, exp_alerts: exp }] }],
  };
  const name = `test-${i}-${expectFiring ? 'firing' : 'healthy'}.yaml`;
  fs.writeFileSync(path.join(dir, name), dump(doc));
  return name;
}

describePromtool('promtool test rules', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promtool-test-'));

  test.each(CASES.map((c, i) => [`${c.alert}${c.only || c.note ? ` (${[...Object.values(c.only ?? {}), ...(c.note ? [c.note] : [])].join(', ')})` : ''}`, c, i] as const))('%s fires on series that should fire it, with its severity and rendered annotations, and stays silent on healthy ones', (_name, c, i) => {
    expect(ruleFor(c).rule.labels?.severity).toBe(c.severity);
    for (const firing of [true, false]) {
      const r = promtool(['test', 'rules', unitTest(dir, c, firing, i)], dir);
      expect([firing ? 'firing' : 'healthy', r.output.includes('SUCCESS') ? 'SUCCESS' : r.output]).toEqual([firing ? 'firing' : 'healthy', 'SUCCESS']);
      expect(r.status).toBe(0);
    }
  });

  test('covers every golden-signal alert, every backup and restore-check alert and every platform alert the reference emits', () => {
    const emitted = new Set(['checkout-alerts', 'backups', 'platform-alerts'].flatMap((n) => ruleOf('prod', n).spec.groups.flatMap((g) => g.rules.map((r) => r.alert))));
    expect([...emitted].filter((a) => !CASES.some((c) => c.alert === a))).toEqual([]);
  });

  test('fails when an annotation renders otherwise than expected: promtool compares them whole', () => {
    const c = CASES.find((x) => x.alert === 'CrashLooping')!;
    const name = unitTest(dir, { ...c, rendered: { ...c.rendered, '{{ $value | humanize }}': '14' } }, true, 998);
    const r = promtool(['test', 'rules', name], dir);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('restarted 15 times');
  });

  test('fails when the expectation is wrong: promtool exits non-zero (the unit tests can fail)', () => {
    const c = CASES[0];
    const name = unitTest(dir, { ...c, healthy: c.firing }, false, 999);
    const r = promtool(['test', 'rules', name], dir);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('FAILED');
  });
});
