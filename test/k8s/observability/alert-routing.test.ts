/**
 * The alert routing on its own: the AlertmanagerConfig built from the model's `observability.alerting`, valid against
 * the prometheus-operator schema, with only Secret references, and the refusals of its input.
 */
import { Chart, Testing } from 'cdk8s';
import type { AlertRoutingConfig } from '../../../lib/model/observability';
import { ALERT_GROUP_BY, AlertRouting, BUSINESS_HOURS_INTERVAL, DIGEST_TIMING } from '../../../lib/k8s/observability/alert-routing';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The model of the brief, times in UTC (the AlertmanagerConfig has no time zone). */
const ALERTING: AlertRoutingConfig = {
  pagerDutyRoutingKey: { name: 'alerting', key: 'pagerduty' },
  slack: { apiUrl: { name: 'alerting', key: 'slack-url' }, channel: '#shop-alerts' },
  email: { to: 'ops@example.com', from: 'alerts@example.com', smarthost: 'smtp.example.com:587', authUsername: 'alerts', authPassword: { name: 'alerting', key: 'smtp-password' } },
  businessHours: [{ weekdays: ['monday:friday'], start: '07:00', end: '17:00', location: 'UTC' }],
  maintenanceWindows: [{ name: 'sunday-patching', times: [{ weekdays: ['sunday'], start: '02:00', end: '04:00' }] }],
};

function synth(config: AlertRoutingConfig, selectorLabels?: Record<string, string>): { routing: AlertRouting; objects: Obj[] } {
  const chart = new Chart(Testing.app(), 'c');
  const routing = new AlertRouting(chart, 'AlertRouting', { config, selectorLabels });
  return { routing, objects: Testing.synth(chart) as Obj[] };
}

async function validate(o: Obj): Promise<void> {
  const { AlertmanagerConfig } = await import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/AlertmanagerConfig');
  new AlertmanagerConfig(o as never).validate();
}

const full = synth(ALERTING);
const [amc] = full.objects;
const routes = () => amc.spec.route.routes as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
const bySeverity = (s: string) => routes().filter((r) => r.matchers.some((m: { name: string; value: string }) => m.name === 'severity' && m.value === s));

test('emits one AlertmanagerConfig in the monitoring namespace, labelled for the Alertmanager\'s selector, valid against its schema', async () => {
  expect(full.objects).toHaveLength(1);
  expect(amc.apiVersion).toBe('monitoring.coreos.com/v1alpha1');
  expect(amc.kind).toBe('AlertmanagerConfig');
  expect(amc.metadata).toEqual(expect.objectContaining({ name: 'platform-alert-routing', namespace: 'monitoring', labels: { release: 'kube-prometheus-stack' } }));
  // the CRD comes with kube-prometheus-stack: a first sync must not fail its dry run
  expect(amc.metadata.annotations?.['argocd.argoproj.io/sync-options']).toBe('SkipDryRunOnMissingResource=true');
  await expect(validate(amc)).resolves.toBeUndefined();
});

test('groups by alert name, namespace and service', () => {
  expect(amc.spec.route.groupBy).toEqual(['alertname', 'namespace', 'service']);
  expect(ALERT_GROUP_BY).toEqual(amc.spec.route.groupBy);
});

test('has a PagerDuty, a Slack and an e-mail receiver, each credential a Secret reference', () => {
  const receiver = (name: string) => amc.spec.receivers.find((r: { name: string }) => r.name === name);
  expect(receiver('pagerduty').pagerdutyConfigs).toEqual([{ routingKey: { name: 'alerting', key: 'pagerduty' }, sendResolved: true }]);
  expect(receiver('slack').slackConfigs).toEqual([{ apiURL: { name: 'alerting', key: 'slack-url' }, channel: '#shop-alerts', sendResolved: true }]);
  expect(receiver('email-digest').emailConfigs).toEqual([{
    to: 'ops@example.com', from: 'alerts@example.com', smarthost: 'smtp.example.com:587', requireTLS: true,
    authUsername: 'alerts', authPassword: { name: 'alerting', key: 'smtp-password' },
  }]);
  // the fallback: alerts of no known severity (Watchdog, InfoInhibitor) are not notified by this routing
  expect(amc.spec.route.receiver).toBe('unrouted');
  expect(receiver('unrouted')).toEqual({ name: 'unrouted' });
  expect(full.routing.secretReferences).toEqual([{ name: 'alerting', key: 'pagerduty' }, { name: 'alerting', key: 'slack-url' }, { name: 'alerting', key: 'smtp-password' }]);
});

test('pages critical alerts and continues to Slack, never muted by a maintenance window', () => {
  const critical = bySeverity('critical');
  expect(critical.map((r) => [r.receiver, r.continue ?? false])).toEqual([['pagerduty', true], ['slack', false]]);
  expect(routes().indexOf(critical[0])).toBe(0);
  for (const r of critical) {
    expect(r.muteTimeIntervals).toBeUndefined();
    expect(r.activeTimeIntervals).toBeUndefined();
  }
});

test('sends warnings to Slack within business hours and to the e-mail digest outside them, muted by maintenance windows', () => {
  const [slack, email] = bySeverity('warning');
  expect(bySeverity('warning')).toHaveLength(2);
  expect(slack).toEqual(expect.objectContaining({ receiver: 'slack', activeTimeIntervals: [BUSINESS_HOURS_INTERVAL], muteTimeIntervals: ['sunday-patching'], continue: true }));
  expect(email).toEqual(expect.objectContaining({ receiver: 'email-digest', muteTimeIntervals: [BUSINESS_HOURS_INTERVAL, 'sunday-patching'], ...DIGEST_TIMING }));
  expect(email.continue).toBeUndefined();
});

test('sends info alerts to the e-mail digest with a long group interval, muted by maintenance windows', () => {
  expect(bySeverity('info')).toEqual([{ receiver: 'email-digest', matchers: [{ name: 'severity', value: 'info', matchType: '=' }], groupWait: '10m', groupInterval: '12h', repeatInterval: '24h', muteTimeIntervals: ['sunday-patching'] }]);
});

test('a firing critical alert inhibits the warning and info alerts of the same namespace and service', () => {
  expect(amc.spec.inhibitRules).toEqual([{
    sourceMatch: [{ name: 'severity', value: 'critical', matchType: '=' }],
    targetMatch: [{ name: 'severity', value: 'warning|info', matchType: '=~' }],
    equal: ['namespace', 'service'],
  }]);
});

test('declares business hours and maintenance windows as time intervals, in UTC', () => {
  expect(amc.spec.muteTimeIntervals).toEqual([
    { name: 'business-hours', timeIntervals: [{ weekdays: ['monday:friday'], times: [{ startTime: '07:00', endTime: '17:00' }] }] },
    { name: 'sunday-patching', timeIntervals: [{ weekdays: ['sunday'], times: [{ startTime: '02:00', endTime: '04:00' }] }] },
  ]);
  expect(full.routing.timeIntervals).toEqual(['business-hours', 'sunday-patching']);
});

test('without business hours, warnings always go to Slack; without maintenance windows, nothing is muted', async () => {
  const { objects } = synth({ ...ALERTING, businessHours: undefined, maintenanceWindows: undefined, namespace: 'observability' }, { prometheus: 'platform' });
  const [o] = objects;
  expect(o.metadata.namespace).toBe('observability');
  expect(o.metadata.labels).toEqual({ prometheus: 'platform' });
  const warning = (o.spec.route.routes as { receiver: string; matchers: { value: string }[] }[]).filter((r) => r.matchers[0].value === 'warning');
  expect(warning).toEqual([{ receiver: 'slack', matchers: [{ name: 'severity', value: 'warning', matchType: '=' }] }]);
  expect(o.spec.muteTimeIntervals).toBeUndefined();
  expect(JSON.stringify(o)).not.toMatch(/TimeIntervals/);
  await expect(validate(o)).resolves.toBeUndefined();
});

test('e-mail without a password has no authPassword', () => {
  const { objects } = synth({ ...ALERTING, email: { to: 'ops@example.com', from: 'alerts@example.com', smarthost: 'smtp.example.com:25' } });
  expect(objects[0].spec.receivers.find((r: { name: string }) => r.name === 'email-digest').emailConfigs[0]).toEqual({ to: 'ops@example.com', from: 'alerts@example.com', smarthost: 'smtp.example.com:25', requireTLS: true });
});

describe('fails when', () => {
  const fails = (config: AlertRoutingConfig) => () => synth(config);
  test('fails when a time range names a time zone other than UTC (the AlertmanagerConfig has none)', () => {
    expect(fails({ ...ALERTING, businessHours: [{ weekdays: ['monday:friday'], start: '08:00', end: '18:00', location: 'Europe/Berlin' }] }))
      .toThrow(/businessHours\[0\]\.location is "Europe\/Berlin"; allowed: UTC.*#5512/);
  });
  test('fails when a weekday is misspelt or a range runs backwards', () => {
    expect(fails({ ...ALERTING, businessHours: [{ weekdays: ['Monday:friday'], start: '08:00', end: '18:00' }] })).toThrow(/businessHours\[0\]\.weekdays is "Monday:friday"/);
    expect(fails({ ...ALERTING, businessHours: [{ weekdays: ['friday:monday'], start: '08:00', end: '18:00' }] })).toThrow(/ordered range/);
  });
  test('fails when a time is not HH:MM or ends before it starts', () => {
    expect(fails({ ...ALERTING, businessHours: [{ weekdays: ['monday'], start: '8:00', end: '18:00' }] })).toThrow(/start is "8:00"; allowed: HH:MM/);
    expect(fails({ ...ALERTING, maintenanceWindows: [{ name: 'night', times: [{ weekdays: ['sunday'], start: '22:00', end: '02:00' }] }] })).toThrow(/maintenanceWindows\[0\]\.times\[0\]\.end is "02:00".*split a range over midnight/);
  });
  test('fails when two maintenance windows share a name, or one is named business-hours', () => {
    const w = { name: 'patching', times: [{ weekdays: ['sunday'], start: '02:00', end: '04:00' }] };
    expect(fails({ ...ALERTING, maintenanceWindows: [w, w] })).toThrow(/maintenanceWindows is "patching"; allowed: each maintenance window once/);
    expect(fails({ ...ALERTING, maintenanceWindows: [{ ...w, name: 'business-hours' }] })).toThrow(/maintenanceWindows\[0\]\.name is "business-hours"/);
  });
  test('fails when business hours are declared empty', () => {
    expect(fails({ ...ALERTING, businessHours: [] })).toThrow(/businessHours is \[\]/);
  });
  test('fails when a Secret reference is not a Secret name and key', () => {
    expect(fails({ ...ALERTING, pagerDutyRoutingKey: { name: 'Alerting', key: 'pagerduty' } })).toThrow(/pagerDutyRoutingKey\.name is "Alerting"/);
    expect(fails({ ...ALERTING, slack: { ...ALERTING.slack, apiUrl: { name: 'alerting', key: 'https://hooks.slack.com/x' } } })).toThrow(/slack\.apiUrl\.key/);
  });
  test('fails when an SMTP password has no user name, or the smarthost has no port', () => {
    expect(fails({ ...ALERTING, email: { ...ALERTING.email, authUsername: undefined } })).toThrow(/email\.authUsername is undefined/);
    expect(fails({ ...ALERTING, email: { ...ALERTING.email, smarthost: 'smtp.example.com' } })).toThrow(/email\.smarthost is "smtp.example.com"; allowed: host:port/);
  });
  test('fails when the namespace is not a DNS-1123 label', () => {
    expect(fails({ ...ALERTING, namespace: 'Monitoring' })).toThrow(/namespace is "Monitoring"/);
  });
});
