/**
 * Velero's objects for one environment, from the model: the BackupStorageLocation on the environment's backup bucket,
 * the VolumeSnapshotLocation (aws, the region), one Schedule per platform namespace (every
 * `backup.criticalIntervalMinutes` for a namespace with a `critical` service, daily for the others; TTL
 * `backup.ttlDays`; volume data moved into the bucket by Velero's data mover, so the bucket's replica holds it too),
 * the daily {@link RestoreCheck} of the critical namespaces and, when the model has `observability`, the
 * {@link BackupAlerts}. The {@link PlatformChart} creates it when the Velero add-on is on.
 */
import { Construct } from 'constructs';
import { kubernetesServiceCidrOf } from '../../model/cidr';
import { criticalNamespaces, resolveBackupSettings } from '../../model/backup-rules';
import type { EnvironmentConfig } from '../../model/environment';
import { backupBucketName } from '../../model/names';
import type { Platform } from '../../model/platform';
import { BackupAlerts } from './backup-alerts';
import { RestoreCheck, RESTORE_CHECK_NAME, type RestoreCheckProps } from './restore-check';
import { VeleroBackupStorageLocation, VeleroSchedule, VeleroVolumeSnapshotLocation } from './velero-resources';
import { EbsVolumeSnapshotClass } from './volume-snapshot-class';

/** Velero's namespace. */
export const VELERO_NAMESPACE = 'velero';
/** The name of the storage location and of the snapshot location. */
export const VELERO_LOCATION_NAME = 'default';
/** When the daily backups run (UTC). */
export const DAILY_BACKUP_SCHEDULE = '0 2 * * *';

/** What the Schedule of one platform namespace does: the plan the Schedules and the environment's picture share. */
export interface BackupSchedulePlan {
  /** The namespace backed up. */
  readonly namespace: string;
  /** The Schedule's name, `backup-<namespace>`. */
  readonly name: string;
  /** Its cron expression (UTC). */
  readonly cron: string;
  /** Minutes between two backups. */
  readonly intervalMinutes: number;
  /** Whether the namespace holds a critical service or data store. */
  readonly critical: boolean;
  /** Days Velero keeps a backup. */
  readonly ttlDays: number;
}

/**
 * The Schedule of every platform namespace in an environment: every `backup.criticalIntervalMinutes` for a namespace
 * with a `critical` service or data store, daily at {@link DAILY_BACKUP_SCHEDULE} for the others.
 */
export function backupSchedulesOf(platform: Platform, env: EnvironmentConfig): BackupSchedulePlan[] {
  const settings = resolveBackupSettings(env.backup);
  const critical = new Set(criticalNamespaces(platform.services, platform.dataStores));
  return platform.namespaces().map((namespace) => {
    const isCritical = critical.has(namespace);
    const intervalMinutes = isCritical ? settings.criticalIntervalMinutes : 24 * 60;
    return { namespace, name: `backup-${namespace}`, cron: isCritical ? `*/${intervalMinutes} * * * *` : DAILY_BACKUP_SCHEDULE, intervalMinutes, critical: isCritical, ttlDays: settings.ttlDays };
  });
}

/** Options for {@link VeleroBackups}. */
export interface VeleroBackupsProps {
  /** The platform model. */
  readonly platform: Platform;
  /** The environment's name. */
  readonly environment: string;
  /** Options of the restore check (image, schedule, timeouts). @default RestoreCheck's defaults */
  readonly restoreCheck?: Omit<RestoreCheckProps, 'veleroNamespace' | 'targets' | 'apiServerCidr'>;
}

/** The Schedule of one namespace. */
export interface NamespaceSchedule {
  /** The Schedule. */
  readonly schedule: VeleroSchedule;
  /** Minutes between two backups. */
  readonly intervalMinutes: number;
  /** Whether the namespace holds a critical service. */
  readonly critical: boolean;
}

/** Velero's locations, Schedules, restore check and alerts for one environment. */
export class VeleroBackups extends Construct {
  public readonly environment: EnvironmentConfig;
  /** The BackupStorageLocation (id `StorageLocation`). */
  public readonly storageLocation: VeleroBackupStorageLocation;
  /** The VolumeSnapshotLocation (id `SnapshotLocation`). */
  public readonly snapshotLocation: VeleroVolumeSnapshotLocation;
  /** The EBS CSI VolumeSnapshotClass Velero's CSI snapshots and data mover use. */
  public readonly snapshotClass: EbsVolumeSnapshotClass;
  /** The Schedule of each platform namespace, by namespace. */
  public readonly schedules: ReadonlyMap<string, NamespaceSchedule>;
  /** The restore check. @default none: no namespace holds a critical service */
  public readonly restoreCheck?: RestoreCheck;
  /** The alerts. @default none: the model has no `observability` */
  public readonly alerts?: BackupAlerts;
  /** Days Velero keeps a backup. */
  public readonly ttlDays: number;

  constructor(scope: Construct, id: string, props: VeleroBackupsProps) {
    super(scope, id);
    const platform = props.platform;
    const env = platform.environment(props.environment);
    this.environment = env;
    const settings = resolveBackupSettings(env.backup);
    this.ttlDays = settings.ttlDays;
    const labels = { 'app.kubernetes.io/part-of': platform.name, 'app.kubernetes.io/managed-by': 'eks-platform-constructs' };

    this.storageLocation = new VeleroBackupStorageLocation(this, 'StorageLocation', {
      name: VELERO_LOCATION_NAME,
      namespace: VELERO_NAMESPACE,
      labels,
      spec: {
        default: true,
        provider: 'aws',
        objectStorage: { bucket: backupBucketName(platform.name, env.name, env.accountId) },
        config: { region: env.region },
        accessMode: 'ReadWrite',
      },
    });
    this.snapshotLocation = new VeleroVolumeSnapshotLocation(this, 'SnapshotLocation', {
      name: VELERO_LOCATION_NAME,
      namespace: VELERO_NAMESPACE,
      labels,
      spec: { provider: 'aws', config: { region: env.region } },
    });

    this.snapshotClass = new EbsVolumeSnapshotClass(this, 'SnapshotClass');

    const critical = new Set(criticalNamespaces(platform.services, platform.dataStores));
    const schedules = new Map<string, NamespaceSchedule>();
    const group = new Construct(this, 'Schedules');
    for (const plan of backupSchedulesOf(platform, env)) {
      const ns = plan.namespace;
      const isCritical = plan.critical;
      const interval = plan.intervalMinutes;
      const schedule = new VeleroSchedule(group, ns, {
        name: plan.name,
        namespace: VELERO_NAMESPACE,
        labels,
        spec: {
          schedule: plan.cron,
          useOwnerReferencesInBackup: false,
          template: {
            includedNamespaces: [ns],
            ttl: `${plan.ttlDays * 24}h0m0s`,
            storageLocation: VELERO_LOCATION_NAME,
            volumeSnapshotLocations: [VELERO_LOCATION_NAME],
            // CSI snapshots whose data the node agent's data mover copies into the (replicated) bucket
            snapshotVolumes: true,
            snapshotMoveData: true,
            metadata: { labels: { 'platform.eks/backed-up-namespace': ns, 'platform.eks/critical': String(isCritical) } },
          },
        },
      });
      schedules.set(ns, { schedule, intervalMinutes: interval, critical: isCritical });
    }
    this.schedules = schedules;

    if (critical.size > 0) {
      this.restoreCheck = new RestoreCheck(this, 'RestoreCheck', {
        ...props.restoreCheck,
        veleroNamespace: VELERO_NAMESPACE,
        apiServerCidr: env.vpcCidr,
        kubernetesServiceCidr: kubernetesServiceCidrOf(env),
        targets: [...critical].map((ns) => ({ namespace: ns, scheduleName: (schedules.get(ns) as NamespaceSchedule).schedule.name })),
        labels,
      });
    }
    if (platform.observability) {
      this.alerts = new BackupAlerts(this, 'Alerts', {
        platform,
        environment: env.name,
        veleroNamespace: VELERO_NAMESPACE,
        schedules: [...schedules.entries()].map(([ns, s]) => ({ name: s.schedule.name, namespace: ns, intervalMinutes: s.intervalMinutes, critical: s.critical })),
        restoreCheckCronJob: this.restoreCheck ? RESTORE_CHECK_NAME : undefined,
      });
    }
  }
}
