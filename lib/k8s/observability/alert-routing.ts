/**
 * Where alerts go, as the model's `observability.alerting` declares it: one `AlertmanagerConfig`
 * (`monitoring.coreos.com/v1alpha1`, typed by `@kubernetes-models/prometheus-operator`) in the monitoring namespace,
 * read by the Alertmanager of kube-prometheus-stack (lib/k8s/addons/monitoring-stack-addon.ts selects it, without a
 * namespace matcher, so that its routes see every namespace's alerts).
 *
 * Routing: `critical` pages (PagerDuty) and goes on to Slack; `warning` goes to Slack, within business hours if the
 * model declares them and to the e-mail digest outside them; `info` goes to the e-mail digest. A firing critical alert
 * inhibits the warning and info alerts of the same namespace and service. Maintenance windows mute warning and info.
 * Every credential is a Secret reference (`SecretKeySelector`): no secret value is ever written.
 */
import type { IAlertmanagerConfig } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/AlertmanagerConfig' with { 'resolution-mode': 'import' };
import type { IRoute } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/Route' with { 'resolution-mode': 'import' };
import { Construct } from 'constructs';
import type { AlertRoutingConfig, SecretKeyRef, WeeklyTimeRange } from '../../model/observability';
import { ValidationError, isDns1123Label, requireDns1123Label } from '../../model/validation';
import { MonitoringObject, type MonitoringObjectProps } from './_prometheus-object';
import { DEFAULT_ALERTING_NAMESPACE, DEFAULT_PROMETHEUS_SELECTOR } from './alert-rules';

/** The spec of an AlertmanagerConfig. */
export type AlertmanagerConfigSpec = IAlertmanagerConfig['spec'];
/** One route of an AlertmanagerConfig. */
export type AlertmanagerRoute = IRoute;

/** The labels every grouping of alerts uses. */
export const ALERT_GROUP_BY: readonly string[] = ['alertname', 'namespace', 'service'];
/** The time interval of the business hours (when set), referenced by the warning routes. */
export const BUSINESS_HOURS_INTERVAL = 'business-hours';
/**
 * The e-mail digest: alerts wait 10 minutes to be grouped, a group is re-sent with its new alerts at most every
 * 12 hours, and an unchanged group at most once a day.
 */
export const DIGEST_TIMING = { groupWait: '10m', groupInterval: '12h', repeatInterval: '24h' } as const;
/** The receivers, by name. `unrouted` has no integration: alerts of no known severity are not notified here. */
export const ALERT_RECEIVERS = { pagerDuty: 'pagerduty', slack: 'slack', email: 'email-digest', unrouted: 'unrouted' } as const;

/** A typed `monitoring.coreos.com/v1alpha1` AlertmanagerConfig. */
export class AlertmanagerConfigObject extends MonitoringObject<IAlertmanagerConfig> {
  constructor(scope: Construct, id: string, props: MonitoringObjectProps<IAlertmanagerConfig>) {
    super(scope, id, 'monitoring.coreos.com/v1alpha1', 'AlertmanagerConfig', props);
  }
}

/** Options for {@link AlertRouting}. */
export interface AlertRoutingProps {
  /** The model's alert routing. */
  readonly config: AlertRoutingConfig;
  /**
   * The labels the Alertmanager selects AlertmanagerConfigs by (`alertmanagerConfigSelector`); the monitoring stack
   * add-on uses the model's `prometheusSelector` for every object it picks up.
   * @default { release: 'kube-prometheus-stack' }
   */
  readonly selectorLabels?: Readonly<Record<string, string>>;
  /** The AlertmanagerConfig's name. @default 'platform-alert-routing' */
  readonly name?: string;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const UTC_LOCATIONS = new Set(['UTC', 'Etc/UTC']);

/**
 * The platform's alert routing: one AlertmanagerConfig (id `Resource`) in the monitoring namespace. The Secrets it
 * references must exist there beforehand (docs/operations.md, "Alert routing").
 */
export class AlertRouting extends Construct {
  /** The namespace of the AlertmanagerConfig and of the Secrets it references. */
  public readonly namespace: string;
  /** The names of the time intervals defined: `business-hours` (when set) and each maintenance window. */
  public readonly timeIntervals: readonly string[];
  /** The maintenance windows' names, muting the warning and info routes. */
  public readonly maintenanceWindows: readonly string[];
  /** Every Secret key referenced, in the order of the receivers. */
  public readonly secretReferences: readonly SecretKeyRef[];
  /** The AlertmanagerConfig (id `Resource`). */
  public readonly resource: AlertmanagerConfigObject;

  constructor(scope: Construct, id: string, props: AlertRoutingProps) {
    super(scope, id);
    const path = this.node.path;
    const c = props.config;
    // the namespace of the platform's rules and dashboards too (alert-rules.ts): kube-prometheus-stack's
    this.namespace = c.namespace ?? DEFAULT_ALERTING_NAMESPACE;
    requireDns1123Label(path, 'namespace', this.namespace);

    const refs: SecretKeyRef[] = [];
    const ref = (field: string, r: SecretKeyRef) => {
      requireSecretRef(path, field, r);
      refs.push({ name: r.name, key: r.key });
      return { name: r.name, key: r.key };
    };
    if (c.slack.channel.trim().length === 0 || /\s/.test(c.slack.channel)) {
      throw new ValidationError(path, 'slack.channel', c.slack.channel, 'allowed: a Slack channel such as #shop-alerts (no whitespace)');
    }
    for (const field of ['to', 'from'] as const) {
      if (!/^[^\s@]+@[^\s@]+$/.test(c.email[field])) {
        throw new ValidationError(path, `email.${field}`, c.email[field], 'allowed: an e-mail address such as ops@example.com');
      }
    }
    if (!/^[a-zA-Z0-9.-]+:\d{1,5}$/.test(c.email.smarthost)) {
      throw new ValidationError(path, 'email.smarthost', c.email.smarthost, 'allowed: host:port of the SMTP server, such as smtp.example.com:587');
    }
    const pagerDuty = ref('pagerDutyRoutingKey', c.pagerDutyRoutingKey);
    const slackUrl = ref('slack.apiUrl', c.slack.apiUrl);
    const smtpPassword = c.email.authPassword ? ref('email.authPassword', c.email.authPassword) : undefined;
    if (smtpPassword && !c.email.authUsername) {
      throw new ValidationError(path, 'email.authUsername', c.email.authUsername, 'allowed: the SMTP user name, required with email.authPassword');
    }
    this.secretReferences = refs;

    const intervals: NonNullable<AlertmanagerConfigSpec['muteTimeIntervals']> = [];
    if (c.businessHours !== undefined) {
      if (c.businessHours.length === 0) {
        throw new ValidationError(path, 'businessHours', [], 'allowed: one or more weekly time ranges, or leave businessHours out (warnings then always go to Slack)');
      }
      intervals.push({ name: BUSINESS_HOURS_INTERVAL, timeIntervals: c.businessHours.map((r, i) => timeInterval(path, `businessHours[${i}]`, r)) });
    }
    const windows = c.maintenanceWindows ?? [];
    windows.forEach((w, i) => {
      if (!isDns1123Label(w.name) || w.name === BUSINESS_HOURS_INTERVAL) {
        throw new ValidationError(path, `maintenanceWindows[${i}].name`, w.name, `allowed: a DNS-1123 label other than ${BUSINESS_HOURS_INTERVAL}`);
      }
      if (w.times.length === 0) {
        throw new ValidationError(path, `maintenanceWindows[${i}].times`, [], 'allowed: one or more weekly time ranges');
      }
      intervals.push({ name: w.name, timeIntervals: w.times.map((r, j) => timeInterval(path, `maintenanceWindows[${i}].times[${j}]`, r)) });
    });
    const names = intervals.map((t) => t.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) {
      throw new ValidationError(path, 'maintenanceWindows', duplicate, 'allowed: each maintenance window once, by a unique name');
    }
    this.timeIntervals = names;
    this.maintenanceWindows = windows.map((w) => w.name);

    const severity = (value: string) => [{ name: 'severity', value, matchType: '=' as const }];
    const muted = this.maintenanceWindows.length > 0 ? { muteTimeIntervals: [...this.maintenanceWindows] } : {};
    const businessHours = c.businessHours !== undefined;
    const routes: AlertmanagerRoute[] = [
      // pages, then also to chat; never muted by a maintenance window
      { receiver: ALERT_RECEIVERS.pagerDuty, matchers: severity('critical'), repeatInterval: '1h', continue: true },
      { receiver: ALERT_RECEIVERS.slack, matchers: severity('critical'), repeatInterval: '1h' },
      ...(businessHours
        ? [
          // within business hours to Slack; outside them the same alerts go on to the digest, which business hours mute
          { receiver: ALERT_RECEIVERS.slack, matchers: severity('warning'), activeTimeIntervals: [BUSINESS_HOURS_INTERVAL], ...muted, continue: true },
          { receiver: ALERT_RECEIVERS.email, matchers: severity('warning'), ...DIGEST_TIMING, muteTimeIntervals: [BUSINESS_HOURS_INTERVAL, ...this.maintenanceWindows] },
        ]
        : [{ receiver: ALERT_RECEIVERS.slack, matchers: severity('warning'), ...muted }]),
      { receiver: ALERT_RECEIVERS.email, matchers: severity('info'), ...DIGEST_TIMING, ...muted },
    ];

    const spec: AlertmanagerConfigSpec = {
      route: {
        // alerts of no known severity (kube-prometheus-stack's Watchdog and InfoInhibitor are severity "none")
        receiver: ALERT_RECEIVERS.unrouted,
        groupBy: [...ALERT_GROUP_BY],
        groupWait: '30s',
        groupInterval: '5m',
        repeatInterval: '4h',
        routes: routes as NonNullable<IRoute['routes']>,
      },
      receivers: [
        { name: ALERT_RECEIVERS.unrouted },
        { name: ALERT_RECEIVERS.pagerDuty, pagerdutyConfigs: [{ routingKey: pagerDuty, sendResolved: true }] },
        { name: ALERT_RECEIVERS.slack, slackConfigs: [{ apiURL: slackUrl, channel: c.slack.channel, sendResolved: true }] },
        {
          name: ALERT_RECEIVERS.email,
          emailConfigs: [{
            to: c.email.to,
            from: c.email.from,
            smarthost: c.email.smarthost,
            requireTLS: true,
            ...(c.email.authUsername ? { authUsername: c.email.authUsername } : {}),
            ...(smtpPassword ? { authPassword: smtpPassword } : {}),
          }],
        },
      ],
      inhibitRules: [{
        sourceMatch: severity('critical'),
        targetMatch: [{ name: 'severity', value: 'warning|info', matchType: '=~' }],
        equal: ['namespace', 'service'],
      }],
      ...(intervals.length > 0 ? { muteTimeIntervals: intervals } : {}),
    };
    this.resource = new AlertmanagerConfigObject(this, 'Resource', {
      metadata: {
        name: props.name ?? 'platform-alert-routing',
        namespace: this.namespace,
        labels: { ...(props.selectorLabels ?? DEFAULT_PROMETHEUS_SELECTOR) },
      },
      spec,
    });
  }
}

/** A Secret reference, checked: a DNS-1123 subdomain and a Secret key. */
function requireSecretRef(path: string, field: string, ref: SecretKeyRef): void {
  if (!SECRET_NAME.test(ref.name) || ref.name.length > 253) {
    throw new ValidationError(path, `${field}.name`, ref.name, 'allowed: the name of a Kubernetes Secret (a DNS-1123 subdomain)');
  }
  if (!SECRET_KEY.test(ref.key) || ref.key.length > 253) {
    throw new ValidationError(path, `${field}.key`, ref.key, 'allowed: a key of a Kubernetes Secret (letters, digits, "-", "_" and ".")');
  }
}

/**
 * One weekly range as an Alertmanager time interval. prometheus-operator's AlertmanagerConfig has no `location`
 * (prometheus-operator issue #5512), so its intervals are in UTC: a range in any other time zone is refused rather
 * than silently shifted by the zone's offset and its daylight saving changes.
 */
function timeInterval(path: string, field: string, r: WeeklyTimeRange): NonNullable<NonNullable<AlertmanagerConfigSpec['muteTimeIntervals']>[number]['timeIntervals']>[number] {
  if (r.location !== undefined && !UTC_LOCATIONS.has(r.location)) {
    throw new ValidationError(path, `${field}.location`, r.location, 'allowed: UTC (or leave it out). The AlertmanagerConfig of prometheus-operator has no time zone (prometheus-operator issue #5512); give the range in UTC');
  }
  if (r.weekdays.length === 0) {
    throw new ValidationError(path, `${field}.weekdays`, [], 'allowed: one or more weekdays or ranges, e.g. monday:friday');
  }
  for (const w of r.weekdays) {
    const parts = w.split(':');
    if (parts.length > 2 || parts.some((p) => !WEEKDAYS.includes(p)) || (parts.length === 2 && WEEKDAYS.indexOf(parts[0]) > WEEKDAYS.indexOf(parts[1]))) {
      throw new ValidationError(path, `${field}.weekdays`, w, 'allowed: a lower-case weekday (monday) or an ordered range (monday:friday; the week starts on sunday)');
    }
  }
  for (const t of ['start', 'end'] as const) {
    if (!TIME.test(r[t])) {
      throw new ValidationError(path, `${field}.${t}`, r[t], 'allowed: HH:MM from 00:00 to 24:00');
    }
  }
  if (r.start >= r.end) {
    throw new ValidationError(path, `${field}.end`, r.end, `allowed: a time after start (${r.start}); split a range over midnight in two`);
  }
  return { weekdays: [...r.weekdays], times: [{ startTime: r.start, endTime: r.end }] };
}
