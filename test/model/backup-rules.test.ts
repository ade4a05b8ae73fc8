import { environments, imageSources, services } from '../fixtures/shop';
import { criticalNamespaces, resolveBackupSettings } from '../../lib/model/backup-rules';
import type { BackupConfig, EnvironmentConfig } from '../../lib/model/environment';
import { Platform } from '../../lib/model/platform';
import { ValidationError } from '../../lib/model/validation';

/** The reference platform with prod's backup settings changed. */
function withProdBackup(backup: Partial<BackupConfig>): Platform {
  const envs: EnvironmentConfig[] = environments.map((e) => (e.name === 'prod' ? { ...e, backup: { ...e.backup, ...backup } } : e));
  return new Platform({ name: 'shop', environments: envs, services, ...imageSources });
}

function errorOf(backup: Partial<BackupConfig>): ValidationError {
  try {
    withProdBackup(backup);
  } catch (e) {
    return e as ValidationError;
  }
  throw new Error('no error');
}

describe('resolved backup settings', () => {
  test('the TTL defaults to the retention, the restorable window to the TTL, the critical interval to 15 minutes', () => {
    const prod = environments.find((e) => e.name === 'prod') as EnvironmentConfig;
    const { ttlDays: _ttl, ...defaults } = prod.backup;
    expect(resolveBackupSettings(defaults)).toEqual({ retentionDays: 365, ttlDays: 365, restorableDays: 365, objectLockDays: 30, criticalIntervalMinutes: 15, transitions: undefined });
    // the reference's prod keeps Velero backups 30 days (15-minute backups: about 2,900 per critical namespace)
    expect(resolveBackupSettings(prod.backup)).toMatchObject({ ttlDays: 30, restorableDays: 30 });
  });

  test('a turned-off Object Lock has no days', () => {
    expect(resolveBackupSettings({ retentionDays: 30, disableObjectLock: true }).objectLockDays).toBeUndefined();
  });

  test('the critical namespaces are those holding a critical service', () => {
    const copy = services.map((s) => (['checkout', 'payment', 'order'].includes(s.name) ? { ...s, critical: true } : { ...s, critical: undefined }));
    expect(criticalNamespaces(copy)).toEqual(['shop']);
    expect(criticalNamespaces(copy.map((s) => ({ ...s, critical: undefined })))).toEqual([]);
    // a critical data store makes its namespace critical too
    expect(criticalNamespaces(copy, [{ namespace: 'shop-data', critical: true }, { namespace: 'other', critical: false }])).toEqual(['shop', 'shop-data']);
  });

  test('the reference platform accepts its backup settings, and explicit ones within the rules', () => {
    expect(() => withProdBackup({ ttlDays: 90, restorableDays: 60, criticalIntervalMinutes: 5, transitions: [{ storageClass: 'STANDARD_IA', afterDays: 30 }, { storageClass: 'DEEP_ARCHIVE', afterDays: 60 }] })).not.toThrow();
  });
});

describe('refusals', () => {
  test('fails when the Velero TTL is longer than the bucket\'s expiry', () => {
    const e = errorOf({ ttlDays: 400 });
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.field).toBe('environments.prod.backup.ttlDays');
    expect(e.value).toBe(400);
    expect(e.message).toMatch(/allowed: a whole number of days from 1 to retentionDays \(365\)/);
  });

  test('fails when the Velero TTL is shorter than the Object Lock days', () => {
    const e = errorOf({ ttlDays: 20 });
    expect(e.field).toBe('environments.prod.backup.ttlDays');
    expect(e.message).toMatch(/allowed: 30 days or more, the Object Lock days; Velero could not delete/);
  });

  test('accepts a TTL shorter than 30 days when Object Lock is off', () => {
    expect(() => withProdBackup({ ttlDays: 7, disableObjectLock: true })).not.toThrow();
  });

  test('fails when the restorable window outlasts the TTL', () => {
    const e = errorOf({ ttlDays: 60, restorableDays: 90 });
    expect(e.field).toBe('environments.prod.backup.restorableDays');
    expect(e.message).toMatch(/allowed: a whole number of days from 1 to ttlDays \(60\)/);
  });

  test('fails when a transition moves backups into DEEP_ARCHIVE within the restorable window', () => {
    const e = errorOf({ ttlDays: 365, transitions: [{ storageClass: 'STANDARD_IA', afterDays: 30 }, { storageClass: 'DEEP_ARCHIVE', afterDays: 180 }] });
    expect(e.field).toBe('environments.prod.backup.transitions[1].afterDays');
    expect(e.value).toBe(180);
    expect(e.message).toMatch(/allowed: 365 or more \(restorableDays\) for DEEP_ARCHIVE; Velero cannot read/);
  });

  test('fails when a transition moves backups into GLACIER within the restorable window', () => {
    const e = errorOf({ ttlDays: 365, restorableDays: 200, transitions: [{ storageClass: 'GLACIER', afterDays: 100 }] });
    expect(e.field).toBe('environments.prod.backup.transitions[0].afterDays');
    expect(e.message).toMatch(/allowed: 200 or more \(restorableDays\) for GLACIER/);
  });

  test('accepts GLACIER_IR within the restorable window (read directly)', () => {
    expect(() => withProdBackup({ transitions: [{ storageClass: 'GLACIER_IR', afterDays: 90 }] })).not.toThrow();
  });

  test('fails when the critical interval is longer than 15 minutes or does not divide the hour', () => {
    expect(errorOf({ criticalIntervalMinutes: 30 }).field).toBe('environments.prod.backup.criticalIntervalMinutes');
    expect(errorOf({ criticalIntervalMinutes: 7 }).message).toMatch(/allowed: 1, 2, 3, 4, 5, 6, 10, 12 or 15/);
  });

  test('fails when a transition names an unknown storage class', () => {
    const e = errorOf({ transitions: [{ storageClass: 'COLD' as never, afterDays: 30 }] });
    expect(e.field).toBe('environments.prod.backup.transitions[0].storageClass');
  });
});
