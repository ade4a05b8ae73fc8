/**
 * How the platform is operated, as the model declares it: monitoring, alerts and their routing, runbooks, log
 * shipping. Secrets (webhook URLs, routing keys, passwords) are named by reference to a Kubernetes Secret, never
 * held here: no secret value ever reaches the output.
 */

/** How urgent an alert is: `critical` pages, `warning` goes to chat, `info` to an e-mail digest. */
export type AlertSeverity = 'critical' | 'warning' | 'info';

/** The alerts every service gets (golden signals), by name. */
export const SERVICE_ALERTS = ['HighErrorRatio', 'HighLatency', 'HighSaturation', 'CrashLooping', 'AutoscalerAtMaximum'] as const;
/** The name of one of {@link SERVICE_ALERTS}. */
export type ServiceAlertName = (typeof SERVICE_ALERTS)[number];

/** A change of one alert of a service: its severity, threshold or duration, or turning it off. */
export interface AlertOverride {
  /** @default the alert's own (see docs/operations.md) */
  readonly severity?: AlertSeverity;
  /** The threshold, in the alert's unit (a ratio for HighErrorRatio, milliseconds for HighLatency, a ratio of the limit for HighSaturation). @default the alert's own */
  readonly threshold?: number;
  /** How long the condition holds before the alert fires, a Prometheus duration (`5m`). @default the alert's own */
  readonly for?: string;
  /** Turns the alert off for this service (a named weakening). @default false */
  readonly disabled?: boolean;
}

/** A key of a Kubernetes Secret, in the namespace of the object that reads it. */
export interface SecretKeyRef {
  /** The Secret's name. */
  readonly name: string;
  /** The key in it. */
  readonly key: string;
}

/** A weekly time range, as Alertmanager's time intervals express them. */
export interface WeeklyTimeRange {
  /** Weekdays, e.g. `['monday:friday']`. */
  readonly weekdays: readonly string[];
  /** Start, `HH:MM`. */
  readonly start: string;
  /** End, `HH:MM`. */
  readonly end: string;
  /** IANA time zone, e.g. `Europe/Berlin`. @default 'UTC' */
  readonly location?: string;
}

/** A declared maintenance window: non-critical alerts are muted during it. */
export interface MaintenanceWindow {
  /** Its name, a DNS-1123 label. */
  readonly name: string;
  /** When it recurs. */
  readonly times: readonly WeeklyTimeRange[];
}

/** Where alerts go. Every credential by Secret reference. */
export interface AlertRoutingConfig {
  /** PagerDuty (critical alerts): the Events API v2 routing key. */
  readonly pagerDutyRoutingKey: SecretKeyRef;
  /** Slack (critical and warning alerts): the incoming webhook URL and the channel. */
  readonly slack: { readonly apiUrl: SecretKeyRef; readonly channel: string };
  /** E-mail digest (info alerts). */
  readonly email: { readonly to: string; readonly from: string; readonly smarthost: string; readonly authUsername?: string; readonly authPassword?: SecretKeyRef };
  /** Business hours: warnings outside them wait for the next business hours (they go to the e-mail digest meanwhile). @default none: warnings always go to Slack */
  readonly businessHours?: readonly WeeklyTimeRange[];
  /** Maintenance windows that mute non-critical alerts. @default none */
  readonly maintenanceWindows?: readonly MaintenanceWindow[];
  /** The namespace of the Secrets and of the AlertmanagerConfig. @default 'monitoring' */
  readonly namespace?: string;
}

/** Where container logs go. */
export interface LogShippingConfig {
  /** The Elasticsearch/OpenSearch host. */
  readonly host: string;
  /** @default 443 */
  readonly port?: number;
  /** The index prefix; each environment writes `<prefix>-<env>`. @default 'platform-logs' */
  readonly indexPrefix?: string;
  /** Basic auth: the user name. @default no authentication */
  readonly user?: string;
  /** Basic auth: a Secret reference to the password (in the shipper's namespace). @default no authentication */
  readonly password?: SecretKeyRef;
}

/** How the platform is operated. */
export interface ObservabilityConfig {
  /** The labels by which the cluster's Prometheus selects ServiceMonitors, PodMonitors and PrometheusRules. @default { release: 'kube-prometheus-stack' } */
  readonly prometheusSelector?: Readonly<Record<string, string>>;
  /** Alert routing. */
  readonly alerting: AlertRoutingConfig;
  /** Log shipping. @default no log shipping (a named weakening) */
  readonly logs?: LogShippingConfig;
  /**
   * Where the generated runbooks are published; alerts link to `<runbookBaseUrl>/<env>/runbooks/<namespace>/<service>.md#<alert>`
   * (e.g. the repository's `dist/` folder on its git host).
   */
  readonly runbookBaseUrl: string;
}
