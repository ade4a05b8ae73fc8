/**
 * The rules that tie Velero to the bucket it writes to, checked when the model is built (both worlds then agree):
 * - Velero's TTL (`backup.ttlDays`) is at most the bucket's expiry (`retentionDays`): otherwise the lifecycle deletes
 *   backups Velero still lists, and a restore of one fails half-way;
 * - the TTL is at least the Object Lock days: otherwise Velero's garbage collection tries to delete versions the lock
 *   still holds (the deletion fails, or only leaves a delete marker), and its catalog and the bucket disagree;
 * - no lifecycle transition into a class Velero cannot read directly (GLACIER Flexible Retrieval, DEEP_ARCHIVE: both
 *   need a RestoreObject thaw of hours before a GET) within the restorable window (`backup.restorableDays`, default
 *   the TTL): archive classes only beyond it;
 * - a namespace holding a `critical` service is backed up every `criticalIntervalMinutes` (1 to 15, dividing 60).
 *
 * Each rule lives here once: lib/aws (the lifecycle of the bucket) and lib/k8s (Velero's Schedules) read the
 * resolved settings of {@link resolveBackupSettings}.
 */
import type { BackupConfig, BackupStorageClassName, BackupTransitionConfig, EnvironmentConfig } from './environment';
import type { ServiceDefinition } from './service';
import { ValidationError } from './validation';

/**
 * Days Object Lock keeps every backup version by default (governance mode), capped at the retention so that the
 * lifecycle's expiry never contradicts it: long enough that a compromised Velero (or anyone without
 * s3:BypassGovernanceRetention) cannot destroy the last month of backups.
 */
export const DEFAULT_OBJECT_LOCK_DAYS = 30;

/** Minutes between two backups of a critical namespace by default: the RPO of critical data. */
export const DEFAULT_CRITICAL_INTERVAL_MINUTES = 15;

/** The longest interval a critical namespace may be backed up at (its RPO is under 15 minutes). */
export const MAX_CRITICAL_INTERVAL_MINUTES = 15;

/**
 * Storage classes Velero cannot read directly: an object there needs an S3 RestoreObject (a thaw of minutes to
 * 48 hours) before Velero's GetObject succeeds. GLACIER_IR (Glacier Instant Retrieval) and INTELLIGENT_TIERING's
 * default tiers are read like STANDARD.
 */
export const ARCHIVE_STORAGE_CLASSES: readonly BackupStorageClassName[] = ['GLACIER', 'DEEP_ARCHIVE'];

/** An environment's backup settings with every default resolved. */
export interface ResolvedBackupSettings {
  /** Days until the bucket's lifecycle expires a backup. */
  readonly retentionDays: number;
  /** Days Velero keeps a backup (the Schedules' TTL). */
  readonly ttlDays: number;
  /** Days a backup stays in classes Velero reads directly. */
  readonly restorableDays: number;
  /** Days of Object Lock, or undefined when it is off. */
  readonly objectLockDays?: number;
  /** Minutes between two backups of a critical namespace. */
  readonly criticalIntervalMinutes: number;
  /** The model's transitions, when it replaces the default ladder. */
  readonly transitions?: readonly BackupTransitionConfig[];
}

/** The Object Lock days an environment's bucket gets: undefined when turned off, else the model's or min(30, retention). */
export function objectLockDaysOf(backup: BackupConfig): number | undefined {
  if (backup.disableObjectLock) {
    return undefined;
  }
  return backup.objectLock?.days ?? Math.min(DEFAULT_OBJECT_LOCK_DAYS, backup.retentionDays);
}

/** An environment's backup settings, defaults resolved (see {@link BackupConfig}). */
export function resolveBackupSettings(backup: BackupConfig): ResolvedBackupSettings {
  const ttlDays = backup.ttlDays ?? backup.retentionDays;
  return {
    retentionDays: backup.retentionDays,
    ttlDays,
    restorableDays: backup.restorableDays ?? ttlDays,
    objectLockDays: objectLockDaysOf(backup),
    criticalIntervalMinutes: backup.criticalIntervalMinutes ?? DEFAULT_CRITICAL_INTERVAL_MINUTES,
    transitions: backup.transitions,
  };
}

/** The namespaces that hold at least one `critical` service or data store, sorted. */
export function criticalNamespaces(services: readonly Pick<ServiceDefinition, 'critical' | 'namespace'>[], dataStores: readonly Pick<ServiceDefinition, 'critical' | 'namespace'>[] = []): string[] {
  return [...new Set([...services, ...dataStores].filter((s) => s.critical === true).map((s) => s.namespace))].sort();
}

const STORAGE_CLASSES: readonly BackupStorageClassName[] = ['STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE'];

/**
 * Throws a {@link ValidationError} for the first of an environment's backup settings that Velero and the bucket would
 * disagree on (see the module comment). The bucket's own AWS constraints (transition order, minimum days) are checked
 * by lib/aws/lifecycle.ts when the bucket is built.
 * @param path the model's path, e.g. `Platform(shop)`
 */
export function validateBackupRules(path: string, env: EnvironmentConfig): void {
  const b = env.backup;
  const at = (field: string) => `environments.${env.name}.backup.${field}`;
  const s = resolveBackupSettings(b);
  if (!Number.isInteger(s.ttlDays) || s.ttlDays < 1 || s.ttlDays > s.retentionDays) {
    throw new ValidationError(path, at('ttlDays'), s.ttlDays, `allowed: a whole number of days from 1 to retentionDays (${s.retentionDays}); the bucket expires backups after retentionDays, so a longer TTL lists backups that are gone`);
  }
  if (s.objectLockDays !== undefined && s.ttlDays < s.objectLockDays) {
    throw new ValidationError(path, at('ttlDays'), s.ttlDays, `allowed: ${s.objectLockDays} days or more, the Object Lock days; Velero could not delete the backups it expires while the lock holds them (or set objectLock.days lower)`);
  }
  if (!Number.isInteger(s.restorableDays) || s.restorableDays < 1 || s.restorableDays > s.ttlDays) {
    throw new ValidationError(path, at('restorableDays'), s.restorableDays, `allowed: a whole number of days from 1 to ttlDays (${s.ttlDays}); Velero deletes its backups after the TTL`);
  }
  const interval = s.criticalIntervalMinutes;
  if (!Number.isInteger(interval) || interval < 1 || interval > MAX_CRITICAL_INTERVAL_MINUTES || 60 % interval !== 0) {
    throw new ValidationError(path, at('criticalIntervalMinutes'), interval, `allowed: 1, 2, 3, 4, 5, 6, 10, 12 or 15 (minutes dividing the hour, at most ${MAX_CRITICAL_INTERVAL_MINUTES}: the RPO of critical data)`);
  }
  (s.transitions ?? []).forEach((t, i) => {
    if (!STORAGE_CLASSES.includes(t.storageClass)) {
      throw new ValidationError(path, at(`transitions[${i}].storageClass`), t.storageClass, `allowed: ${STORAGE_CLASSES.join(', ')}`);
    }
    if (!Number.isInteger(t.afterDays) || t.afterDays < 0) {
      throw new ValidationError(path, at(`transitions[${i}].afterDays`), t.afterDays, 'allowed: a whole number of days, 0 or more');
    }
    if (ARCHIVE_STORAGE_CLASSES.includes(t.storageClass) && t.afterDays < s.restorableDays) {
      throw new ValidationError(
        path,
        at(`transitions[${i}].afterDays`),
        t.afterDays,
        `allowed: ${s.restorableDays} or more (restorableDays) for ${t.storageClass}; Velero cannot read a backup in ${ARCHIVE_STORAGE_CLASSES.join(' or ')} without a manual thaw, so archive classes come only after the restorable window (or use GLACIER_IR, read directly)`,
      );
    }
  });
}
