/**
 * Alerts on the backups of one environment (a prometheus-operator PrometheusRule, typed by
 * `@kubernetes-models/prometheus-operator`), and the runbook they link to:
 * - `VeleroBackupTooOld`, one rule per Schedule: its last successful backup (`velero_backup_last_successful_timestamp`)
 *   is older than the schedule's RPO plus a grace for the backup's own duration; critical for critical namespaces;
 * - `RestoreCheckFailed`: the restore check's latest Job failed (`kube_job_status_failed`);
 * - `RestoreCheckNotSucceeded`: no successful restore check within a day (`kube_cronjob_status_last_successful_time`).
 */
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule' with { 'resolution-mode': 'import' };
import type { Construct } from 'constructs';
import type { Platform } from '../../model/platform';
import { ValidationError } from '../../model/validation';
import { DEFAULT_PROMETHEUS_SELECTOR } from '../observability/alert-rules';
import { PrometheusAlertRules } from '../observability/prometheus-resources';

/** The spec of a PrometheusRule. */
type PrometheusRuleSpec = NonNullable<IPrometheusRule['spec']>;
type AlertRule = NonNullable<NonNullable<PrometheusRuleSpec['groups']>[number]['rules']>[number];

/** Minutes a backup may take beyond its schedule's interval before `VeleroBackupTooOld` fires. */
export const BACKUP_ALERT_GRACE_MINUTES = 5;

/** The alert names, in runbook order. */
export const BACKUP_ALERTS = ['VeleroBackupTooOld', 'RestoreCheckFailed', 'RestoreCheckNotSucceeded'] as const;

/** One Schedule the alerts watch. */
export interface WatchedSchedule {
  /** The Schedule's name (the `schedule` label of Velero's metrics). */
  readonly name: string;
  /** The namespace it backs up. */
  readonly namespace: string;
  /** Minutes between two backups: the RPO. */
  readonly intervalMinutes: number;
  /** Whether the namespace holds critical data (severity critical). */
  readonly critical: boolean;
}

/** Options for {@link BackupAlerts}. */
export interface BackupAlertsProps {
  /** The platform model (its `observability` must be set). */
  readonly platform: Platform;
  /** The environment's name. */
  readonly environment: string;
  /** Velero's namespace, where the rule and the restore check live. */
  readonly veleroNamespace: string;
  /** The Schedules. */
  readonly schedules: readonly WatchedSchedule[];
  /** The restore check's CronJob name, when there is one. @default no restore-check alerts */
  readonly restoreCheckCronJob?: string;
}

/** The `runbook_url` of a backup alert: `<runbookBaseUrl>/<env>/runbooks/backups.md#<alert lower-case>`. */
export function backupRunbookUrl(runbookBaseUrl: string, environment: string, alert: string): string {
  return `${runbookBaseUrl.replace(/\/+$/, '')}/${environment}/runbooks/backups.md#${alert.toLowerCase()}`;
}

/** The backup alerts of one environment, as a PrometheusRule (id `Resource`). */
export class BackupAlerts extends PrometheusAlertRules {
  constructor(scope: Construct, id: string, props: BackupAlertsProps) {
    const obs = props.platform.observability;
    if (!obs) {
      throw new ValidationError(`${scope.node.path}/${id}`, 'platform.observability', undefined, 'allowed: an ObservabilityConfig (alerts need the runbook URL and Prometheus\'s rule selector)');
    }
    const url = (alert: string) => backupRunbookUrl(obs.runbookBaseUrl, props.environment, alert);
    const ns = props.veleroNamespace;
    const rules: AlertRule[] = props.schedules.map((s) => {
      const seconds = (s.intervalMinutes + BACKUP_ALERT_GRACE_MINUTES) * 60;
      return {
        alert: 'VeleroBackupTooOld',
        expr: `time() - max(velero_backup_last_successful_timestamp{schedule="${s.name}"}) > ${seconds} or absent(velero_backup_last_successful_timestamp{schedule="${s.name}"})`,
        for: s.critical ? '1m' : '15m',
        labels: { severity: s.critical ? 'critical' : 'warning', namespace: ns, schedule: s.name, backed_up_namespace: s.namespace },
        annotations: {
          summary: `No successful Velero backup of namespace ${s.namespace} for more than ${s.intervalMinutes + BACKUP_ALERT_GRACE_MINUTES} minutes (RPO ${s.intervalMinutes} minutes)`,
          description: `Schedule ${s.name}: the last successful backup is {{ $value | humanizeDuration }} old.`,
          runbook_url: url('VeleroBackupTooOld'),
        },
      };
    });
    if (props.restoreCheckCronJob !== undefined) {
      const job = props.restoreCheckCronJob;
      rules.push(
        {
          alert: 'RestoreCheckFailed',
          expr: `max(kube_job_status_failed{namespace="${ns}", job_name=~"${job}-.*"}) > 0`,
          labels: { severity: 'critical', namespace: ns },
          annotations: {
            summary: 'The daily restore check of the critical namespaces failed',
            description: `A Job of CronJob ${ns}/${job} failed: a backup of a critical namespace could not be restored, or its pods did not become Ready.`,
            runbook_url: url('RestoreCheckFailed'),
          },
        },
        {
          alert: 'RestoreCheckNotSucceeded',
          expr: `time() - max(kube_cronjob_status_last_successful_time{namespace="${ns}", cronjob="${job}"}) > 93600 or absent(kube_cronjob_status_last_successful_time{namespace="${ns}", cronjob="${job}"})`,
          for: '1h',
          labels: { severity: 'critical', namespace: ns },
          annotations: {
            summary: 'No successful restore check within a day',
            description: `CronJob ${ns}/${job} has not completed successfully for more than 26 hours: nobody knows whether the critical namespaces can be restored.`,
            runbook_url: url('RestoreCheckNotSucceeded'),
          },
        },
      );
    }
    const spec: PrometheusRuleSpec = { groups: [{ name: 'backups', rules }] };
    super(scope, id, { metadata: { name: 'backups', namespace: ns, labels: { ...(obs.prometheusSelector ?? DEFAULT_PROMETHEUS_SELECTOR) } }, spec });
  }
}

/** The runbook of the backup alerts, for `dist/<env>/runbooks/backups.md`. */
export function backupRunbook(platform: Platform, environment: string): { readonly path: 'runbooks/backups.md'; readonly text: string } {
  const env = platform.environment(environment);
  const text = `# Backups of ${platform.name} ${env.name}: runbook

Velero (namespace \`velero\`) backs up every platform namespace to \`${platform.name}-${env.name}-backups-${env.accountId}\`
(${env.region}); namespaces holding a critical service every ${env.backup.criticalIntervalMinutes ?? 15} minutes, the others daily.
The restore check (CronJob \`velero/restore-check\`) restores the latest backup of each critical namespace every day into
\`restore-check-<namespace>\` and deletes it again.

## VeleroBackupTooOld

The last successful backup of a Schedule is older than its interval plus ${BACKUP_ALERT_GRACE_MINUTES} minutes: the RPO is being missed.

1. \`kubectl -n velero get schedules\` and \`velero schedule describe <schedule>\`: phase \`Enabled\`, no validation errors.
2. \`kubectl -n velero get backups -l velero.io/schedule-name=<schedule> --sort-by=.metadata.creationTimestamp\`: the latest
   backups' phase. \`velero backup describe <backup> --details\` and \`velero backup logs <backup>\` for \`Failed\` or \`PartiallyFailed\`.
3. \`kubectl -n velero get backupstoragelocations\`: \`Available\`. If not, check the Velero pod's IRSA role
   (\`kubectl -n velero logs deploy/velero\`, AccessDenied) and the bucket's KMS key.
4. Volume data (data mover): \`kubectl -n velero get datauploads\` and the \`node-agent\` DaemonSet's pods.
5. Once fixed, take a backup at once: \`velero backup create --from-schedule <schedule>\`.

## RestoreCheckFailed

The latest restore check failed: a backup of a critical namespace could not be restored, or its pods did not become Ready.

1. \`kubectl -n velero logs job/<the failed restore-check Job>\`: each namespace prints \`OK\` or \`FAIL\` with the reason.
2. \`velero restore describe <restore> --details\` and \`velero restore logs <restore>\` for a restore that did not complete
   (the check deletes its Restores; a failed one may remain until the next run).
3. Pods not Ready in the scratch namespace: the usual causes are an image no longer in the registry, a volume that did not
   restore (DataDownloads), or a service whose IAM role (IRSA) trusts only its own namespace's service account.
4. Run it again: \`kubectl -n velero create job --from=cronjob/restore-check restore-check-manual-$(date +%s)\`.

## RestoreCheckNotSucceeded

No successful restore check for more than 26 hours (or never): either it fails (see RestoreCheckFailed) or it does not run.

1. \`kubectl -n velero get cronjob restore-check\`: not suspended, a recent \`LAST SCHEDULE\`.
2. \`kubectl -n velero get jobs -l app.kubernetes.io/name=restore-check\` and their events (image pull, quota, Pod Security).
`;
  return { path: 'runbooks/backups.md', text };
}
