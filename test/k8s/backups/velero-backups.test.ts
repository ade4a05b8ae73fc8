/**
 * Velero's objects of the reference platform (checkout, payment and order made critical on a copy of the services),
 * as PlatformChart emits them: locations, Schedules, the restore check and its RBAC, the alerts; every Velero object
 * valid against its CRD's schema.
 */
import { Testing } from 'cdk8s';
import { environments, imageSources, services } from '../../fixtures/shop';
import { backupRunbook } from '../../../lib/k8s/backups/backup-alerts';
import { DEFAULT_RESTORE_CHECK_IMAGE } from '../../../lib/k8s/backups/restore-check';
import { VeleroBackups } from '../../../lib/k8s/backups/velero-backups';
import { PlatformChart } from '../../../lib/k8s/platform-chart';
import { kubernetesApiServiceIp, kubernetesServiceCidrOf } from '../../../lib/model/cidr';
import type { ObservabilityConfig } from '../../../lib/model/observability';
import { Platform } from '../../../lib/model/platform';
import { veleroValidators } from './_velero-schemas';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  rules?: Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  subjects?: Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const CRITICAL = ['checkout', 'payment', 'order'];
const criticalServices = services.map((s) => ({ ...s, critical: CRITICAL.includes(s.name) ? true : undefined }));
const observability: ObservabilityConfig = {
  runbookBaseUrl: 'https://git.example.com/shop/platform/-/blob/main/dist',
  alerting: {
    pagerDutyRoutingKey: { name: 'alerting', key: 'pagerduty' },
    slack: { apiUrl: { name: 'alerting', key: 'slack' }, channel: '#shop-alerts' },
    email: { to: 'ops@example.com', from: 'alerts@example.com', smarthost: 'smtp.example.com:587' },
  },
};
const platform = new Platform({ name: 'shop', environments, services: criticalServices, observability, ...imageSources });
const bare = new Platform({ name: 'shop', environments, services: criticalServices, ...imageSources });

const ENVS = ['dev', 'staging', 'prod'] as const;
const out: Record<string, Obj[]> = {};
beforeAll(() => {
  for (const env of ENVS) {
    out[env] = Testing.synth(new PlatformChart(Testing.app(), env, { platform, environment: env })) as Obj[];
  }
});
const velero = (env: string) => out[env].filter((o) => o.apiVersion === 'velero.io/v1');
const one = (env: string, kind: string, name?: string) => {
  const found = out[env].find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind} ${name ?? ''} in ${env}`);
  return found;
};

describe.each(ENVS)('environment %s', (env) => {
  const e = () => platform.environment(env);

  test('every Velero object validates against its CRD\'s openAPIV3Schema (Velero v1.18.1)', () => {
    const validators = veleroValidators();
    const objects = velero(env);
    expect(objects.map((o) => o.kind).sort()).toEqual(['BackupStorageLocation', 'Schedule', 'Schedule', 'VolumeSnapshotLocation']);
    for (const o of objects) {
      expect({ kind: o.kind, errors: (validators.get(o.kind) as (x: unknown) => string[])(o) }).toEqual({ kind: o.kind, errors: [] });
    }
  });

  test('the storage location is the environment\'s backup bucket in its region; the snapshot location is aws in the region', () => {
    const bsl = one(env, 'BackupStorageLocation');
    expect(bsl.metadata.namespace).toBe('velero');
    expect(bsl.spec).toEqual({ default: true, provider: 'aws', objectStorage: { bucket: `shop-${env}-backups-${e().accountId}` }, config: { region: e().region }, accessMode: 'ReadWrite' });
    const vsl = one(env, 'VolumeSnapshotLocation');
    expect(vsl.spec).toEqual({ provider: 'aws', config: { region: e().region } });
    expect(bsl.metadata.annotations?.['argocd.argoproj.io/sync-options']).toBe('SkipDryRunOnMissingResource=true');
  });

  test('the namespace of the critical services is backed up every 15 minutes, the others daily, with the TTL of the model and the data mover', () => {
    const critical = one(env, 'Schedule', 'backup-shop');
    expect(critical.spec?.schedule).toBe('*/15 * * * *');
    expect(critical.spec?.template.includedNamespaces).toEqual(['shop']);
    const daily = one(env, 'Schedule', 'backup-shop-data');
    expect(daily.spec?.schedule).toBe('0 2 * * *');
    for (const s of [critical, daily]) {
      expect(s.metadata.namespace).toBe('velero');
      expect(s.spec?.template.ttl).toBe(`${(e().backup.ttlDays ?? e().backup.retentionDays) * 24}h0m0s`);
      expect(s.spec?.template.snapshotMoveData).toBe(true);
      expect(s.spec?.template.storageLocation).toBe('default');
    }
  });

  test('the restore check restores the critical namespace daily into a scratch namespace, hardened, with a pinned image', () => {
    const cron = one(env, 'CronJob', 'restore-check');
    expect(cron.metadata.namespace).toBe('velero');
    expect(cron.spec?.schedule).toBe('30 4 * * *');
    expect(cron.spec?.concurrencyPolicy).toBe('Forbid');
    const pod = cron.spec?.jobTemplate.spec.template.spec;
    expect(pod.serviceAccountName).toBe('restore-check');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const c = pod.containers[0];
    expect(c.image).toBe(DEFAULT_RESTORE_CHECK_IMAGE);
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    const script: string = c.command[2];
    expect(script).toContain('check shop backup-shop restore-check-shop');
    expect(script).toContain('"namespaceMapping":{"%s":"%s"}');
    expect(script).toContain('kubectl wait pods --all -n "$scratch" --for=condition=Ready');
    expect(script).toContain('kubectl delete namespace "$scratch"');
    expect(script).not.toContain('shop-data');
  });

  test('the restore check\'s NetworkPolicy opens 443 to the `kubernetes` Service\'s ClusterIP (pre-DNAT) and the VPC, DNS, nothing else', () => {
    const np = out[env].find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'restore-check' && o.metadata.namespace === 'velero');
    const egress = np?.spec?.egress as Array<{ to: Array<{ ipBlock?: { cidr: string } }>; ports: Array<{ port: number }> }>;
    const api = egress.filter((r) => r.ports.some((p) => p.port === 443));
    expect(api).toEqual([{ to: [{ ipBlock: { cidr: `${kubernetesApiServiceIp(kubernetesServiceCidrOf(e()))}/32` } }, { ipBlock: { cidr: e().vpcCidr } }], ports: [{ protocol: 'TCP', port: 443 }] }]);
    expect(kubernetesApiServiceIp(kubernetesServiceCidrOf(e()))).toBe('172.20.0.1');
    expect(np?.spec?.ingress).toEqual([]);
  });

  test('the restore check\'s RBAC is the least it needs: its Restores and the backups in velero, its scratch namespaces by name, reading pods', () => {
    expect(one(env, 'Role', 'restore-check').rules).toEqual([
      { apiGroups: ['velero.io'], resources: ['backups'], verbs: ['get', 'list'] },
      { apiGroups: ['velero.io'], resources: ['restores'], verbs: ['create', 'get', 'delete'] },
    ]);
    expect(one(env, 'ClusterRole', 'velero-restore-check').rules).toEqual([
      { apiGroups: [''], resources: ['namespaces'], resourceNames: ['restore-check-shop'], verbs: ['get', 'list', 'watch', 'delete'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
    ]);
    // (other RoleBindings exist in the output: External Secrets' token grants of the SecretStores)
    expect(one(env, 'RoleBinding', 'restore-check').subjects).toEqual([{ kind: 'ServiceAccount', name: 'restore-check', namespace: 'velero' }]);
    expect(one(env, 'ClusterRoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'restore-check', namespace: 'velero' }]);
  });

  test('alerts: backups older than the RPO per schedule (critical for the critical namespace), restore check failing or not succeeding', () => {
    const rule = one(env, 'PrometheusRule', 'backups');
    expect(rule.metadata.labels).toEqual({ release: 'kube-prometheus-stack' });
    const rules = rule.spec?.groups[0].rules as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const tooOld = rules.filter((r) => r.alert === 'VeleroBackupTooOld');
    expect(tooOld.map((r) => [r.labels.schedule, r.labels.severity])).toEqual([['backup-shop', 'critical'], ['backup-shop-data', 'warning']]);
    expect(tooOld[0].expr).toContain('time() - max(velero_backup_last_successful_timestamp{schedule="backup-shop"}) > 1200');
    expect(rules.find((r) => r.alert === 'RestoreCheckFailed')?.expr).toBe('max(kube_job_status_failed{namespace="velero", job_name=~"restore-check-.*"}) > 0');
    expect(rules.find((r) => r.alert === 'RestoreCheckNotSucceeded')?.expr).toContain('kube_cronjob_status_last_successful_time{namespace="velero", cronjob="restore-check"}');
    for (const r of rules) {
      expect(r.annotations.runbook_url).toBe(`${observability.runbookBaseUrl}/${env}/runbooks/backups.md#${r.alert.toLowerCase()}`);
    }
  });

  test('the PrometheusRule validates against the prometheus-operator schema', async () => {
    const { PrometheusRule } = await import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule');
    expect(() => new PrometheusRule(one(env, 'PrometheusRule') as never).validate()).not.toThrow();
  });
});

describe('options', () => {
  test('the schema check refuses a misspelled field and a wrong type (it is not vacuous)', () => {
    const schedule = veleroValidators().get('Schedule') as (x: unknown) => string[];
    const base = { apiVersion: 'velero.io/v1', kind: 'Schedule', metadata: { name: 's', namespace: 'velero' } };
    expect(schedule({ ...base, spec: { schedule: '0 2 * * *', template: { snapshotMoveData: true } } })).toEqual([]);
    expect(schedule({ ...base, spec: { schedule: '0 2 * * *', template: { snapshotMovedData: true } } })).not.toEqual([]);
    expect(schedule({ ...base, spec: { schedule: '0 2 * * *', template: { ttl: 720 } } })).not.toEqual([]);
  });

  test('no alerts without observability, and no restore check without a critical service', () => {
    const objects = Testing.synth(new PlatformChart(Testing.app(), 'c', { platform: bare, environment: 'prod' })) as Obj[];
    expect(objects.filter((o) => o.kind === 'PrometheusRule')).toEqual([]);
    const noCritical = new Platform({ name: 'shop', environments, services: services.map((s) => ({ ...s, critical: undefined })), ...imageSources });
    const chart = Testing.chart();
    const b = new VeleroBackups(chart, 'B', { platform: noCritical, environment: 'prod' });
    expect(b.restoreCheck).toBeUndefined();
    expect([...b.schedules.values()].map((s) => s.schedule.spec.schedule)).toEqual(['0 2 * * *', '0 2 * * *']);
  });

  test('the model\'s TTL and critical interval reach the Schedules', () => {
    const envs = environments.map((e) => (e.name === 'prod' ? { ...e, backup: { ...e.backup, ttlDays: 60, criticalIntervalMinutes: 5 } } : e));
    const p = new Platform({ name: 'shop', environments: envs, services: criticalServices, ...imageSources });
    const b = new VeleroBackups(Testing.chart(), 'B', { platform: p, environment: 'prod' });
    expect(b.schedules.get('shop')?.schedule.spec.schedule).toBe('*/5 * * * *');
    expect(b.schedules.get('shop')?.schedule.spec.template.ttl).toBe('1440h0m0s');
  });

  test('fails when the restore check image is not pinned', () => {
    expect(() => new VeleroBackups(Testing.chart(), 'B', { platform, environment: 'prod', restoreCheck: { image: 'bitnami/kubectl:latest' } })).toThrow(/image.*pinned by tag/);
  });

  test('no Velero objects when the Velero add-on is off', () => {
    const objects = Testing.synth(new PlatformChart(Testing.app(), 'c', { platform, environment: 'prod', addons: { disabled: { velero: true } } })) as Obj[];
    expect(objects.filter((o) => o.apiVersion === 'velero.io/v1' || o.metadata.name === 'restore-check')).toEqual([]);
  });

  test('the runbook has a section per alert, at the anchors the alerts link to', () => {
    const r = backupRunbook(platform, 'prod');
    expect(r.path).toBe('runbooks/backups.md');
    for (const alert of ['VeleroBackupTooOld', 'RestoreCheckFailed', 'RestoreCheckNotSucceeded']) {
      expect(r.text).toContain(`\n## ${alert}\n`);
    }
    expect(r.text).toContain('shop-prod-backups-');
  });
});

test('with another service CIDR the restore check opens that block\'s first address', () => {
  const moved = new Platform({ name: 'shop', environments: environments.map((e) => (e.name === 'prod' ? { ...e, kubernetesServiceCidr: '10.100.0.0/16' } : e)), services: criticalServices, ...imageSources });
  const objects = Testing.synth(new PlatformChart(Testing.app(), 'prod', { platform: moved, environment: 'prod' })) as Obj[];
  const np = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'restore-check');
  expect(JSON.stringify(np?.spec?.egress)).toContain('"cidr":"10.100.0.1/32"');
  expect(JSON.stringify(np?.spec?.egress)).not.toContain('172.20.0.1');
});
