import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Testing } from 'cdktf';
import { Construct } from 'constructs';
import {
  BucketLifecycle,
  LifecycleFilter,
  StorageClass,
  defaultLifecycleRules,
  isSupportedTransition,
  validateLifecycleRules,
  type LifecycleRule,
} from '../../lib/aws/lifecycle';
import { ValidationError } from '../../lib/model/validation';

interface Synthesized {
  resource: Record<string, Record<string, Record<string, unknown>>>;
}

/** Builds a BucketLifecycle in a fresh stack and returns its synthesized JSON. */
function synthLifecycle(rules: readonly LifecycleRule[], objectLockDefaultRetentionDays?: number): string {
  return Testing.synthScope((scope: Construct) => {
    const versioning = new S3BucketVersioningA(scope, 'Versioning', { bucket: 'b', versioningConfiguration: { status: 'Enabled' } });
    new BucketLifecycle(scope, 'Lifecycle', { bucket: 'b', rules, versioning, objectLockDefaultRetentionDays });
  });
}

/** Runs the constructor on `rules` and returns the error it throws. */
function errorFor(rules: readonly LifecycleRule[], objectLockDefaultRetentionDays?: number): ValidationError {
  try {
    synthLifecycle(rules, objectLockDefaultRetentionDays);
  } catch (e) {
    if (e instanceof ValidationError) {
      return e;
    }
    throw e;
  }
  throw new Error('expected a ValidationError');
}

const all = LifecycleFilter.all();

describe('BucketLifecycle with the default rules (retention 365 days)', () => {
  let synthesized: string;
  let json: Synthesized;

  beforeAll(() => {
    synthesized = synthLifecycle(defaultLifecycleRules({ retentionDays: 365, restorableDays: 180 }));
    json = JSON.parse(synthesized) as Synthesized;
  });

  test('moves STANDARD to STANDARD_IA at 30, GLACIER_IR at 90, DEEP_ARCHIVE at 180 and expires at the retention', () => {
    expect(synthesized).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      bucket: 'b',
      rule: expect.arrayContaining([
        expect.objectContaining({
          id: 'backups-tiering-and-expiry',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          transition: [
            { days: 30, storage_class: 'STANDARD_IA' },
            { days: 90, storage_class: 'GLACIER_IR' },
            { days: 180, storage_class: 'DEEP_ARCHIVE' },
          ],
          expiration: [{ days: 365 }],
          noncurrent_version_expiration: [{ noncurrent_days: 30 }],
          abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
        }),
      ]),
    });
  });

  test('removes expired delete markers in a separate rule with an explicit filter', () => {
    const config = Object.values(json.resource.aws_s3_bucket_lifecycle_configuration)[0];
    const rules = config.rule as Array<Record<string, unknown>>;
    expect(rules).toHaveLength(2);
    expect(rules[1]).toEqual({ id: 'remove-expired-delete-markers', status: 'Enabled', filter: [{ prefix: '' }], expiration: [{ expired_object_delete_marker: true }] });
    for (const rule of rules) {
      expect(rule.filter).toEqual([{ prefix: '' }]);
    }
  });

  test('depends on the bucket versioning', () => {
    const config = Object.values(json.resource.aws_s3_bucket_lifecycle_configuration)[0];
    expect(config.depends_on).toEqual(['aws_s3_bucket_versioning.Versioning']);
  });
});

describe('defaultLifecycleRules', () => {
  test('keeps everything in STANDARD for a 30-day retention', () => {
    expect(defaultLifecycleRules({ retentionDays: 30 })[0].transitions).toEqual([]);
  });

  test('uses only STANDARD_IA for a 90-day retention (GLACIER_IR would be left before its 90-day minimum)', () => {
    expect(defaultLifecycleRules({ retentionDays: 90 })[0].transitions).toEqual([{ storageClass: StorageClass.STANDARD_IA, afterDays: 30 }]);
  });

  test('moves nothing into an archive class by default: the whole retention stays restorable without a thaw', () => {
    expect(defaultLifecycleRules({ retentionDays: 365 })[0].transitions).toEqual([
      { storageClass: StorageClass.STANDARD_IA, afterDays: 30 },
      { storageClass: StorageClass.GLACIER_IR, afterDays: 90 },
    ]);
  });

  test('moves DEEP_ARCHIVE past the restorable window, and drops it when its 180 days no longer fit before the expiry', () => {
    expect(defaultLifecycleRules({ retentionDays: 800, restorableDays: 400 })[0].transitions?.at(-1)).toEqual({ storageClass: StorageClass.DEEP_ARCHIVE, afterDays: 400 });
    expect(defaultLifecycleRules({ retentionDays: 365, restorableDays: 186 })[0].transitions?.map((t) => t.storageClass)).toEqual([StorageClass.STANDARD_IA, StorageClass.GLACIER_IR]);
  });

  test('uses the transitions given instead of the ladder', () => {
    const transitions = [{ storageClass: StorageClass.GLACIER_IR, afterDays: 10 }];
    expect(defaultLifecycleRules({ retentionDays: 365, transitions })[0].transitions).toEqual(transitions);
  });

  test('drops DEEP_ARCHIVE for a 200-day retention (20 days there, minimum 180)', () => {
    expect(defaultLifecycleRules({ retentionDays: 200 })[0].transitions?.map((t) => t.storageClass)).toEqual([StorageClass.STANDARD_IA, StorageClass.GLACIER_IR]);
  });

  test('passes validation for every retention from 1 to 800 days', () => {
    for (let days = 1; days <= 800; days++) {
      expect(validateLifecycleRules('p', 'rules', defaultLifecycleRules({ retentionDays: days }))).toEqual([]);
      expect(validateLifecycleRules('p', 'rules', defaultLifecycleRules({ retentionDays: days, restorableDays: Math.min(days, 180) }))).toEqual([]);
    }
  });
});

describe('lifecycle validation', () => {
  test('fails when a STANDARD_IA transition comes before 30 days', () => {
    const e = errorFor([{ id: 'r', filter: all, transitions: [{ storageClass: StorageClass.STANDARD_IA, afterDays: 29 }] }]);
    expect(e.path).toBe('stack/Lifecycle');
    expect(e.field).toBe('rules[0].transitions[0].afterDays');
    expect(e.value).toBe(29);
    expect(e.message).toMatch(/30 or more for STANDARD_IA/);
  });

  test('fails when a ONEZONE_IA noncurrent transition comes before 30 days', () => {
    const e = errorFor([{ id: 'r', filter: all, noncurrentVersionTransitions: [{ storageClass: StorageClass.ONEZONE_IA, afterDays: 10 }] }]);
    expect(e.field).toBe('rules[0].noncurrentVersionTransitions[0].afterDays');
    expect(e.value).toBe(10);
  });

  test('fails when transitions do not ascend strictly in days', () => {
    const e = errorFor([
      {
        id: 'r',
        filter: all,
        transitions: [
          { storageClass: StorageClass.GLACIER_IR, afterDays: 90 },
          { storageClass: StorageClass.DEEP_ARCHIVE, afterDays: 90 },
        ],
      },
    ]);
    expect(e.field).toBe('rules[0].transitions[1].afterDays');
    expect(e.message).toMatch(/more than 90/);
  });

  test('fails when a transition goes uphill (ONEZONE_IA to STANDARD_IA)', () => {
    const e = errorFor([
      {
        id: 'r',
        filter: all,
        transitions: [
          { storageClass: StorageClass.ONEZONE_IA, afterDays: 30 },
          { storageClass: StorageClass.STANDARD_IA, afterDays: 60 },
        ],
      },
    ]);
    expect(e.field).toBe('rules[0].transitions[1].storageClass');
    expect(e.value).toBe('STANDARD_IA');
    expect(e.message).toMatch(/allowed after ONEZONE_IA: GLACIER, DEEP_ARCHIVE/);
  });

  test('fails when a transition leaves a Glacier class for a warmer one (GLACIER to GLACIER_IR)', () => {
    const e = errorFor([
      {
        id: 'r',
        filter: all,
        transitions: [
          { storageClass: StorageClass.GLACIER, afterDays: 10 },
          { storageClass: StorageClass.GLACIER_IR, afterDays: 200 },
        ],
      },
    ]);
    expect(e.field).toBe('rules[0].transitions[1].storageClass');
  });

  test('fails when a transition targets STANDARD', () => {
    const e = errorFor([{ id: 'r', filter: all, transitions: [{ storageClass: StorageClass.STANDARD, afterDays: 10 }] }]);
    expect(e.field).toBe('rules[0].transitions[0].storageClass');
  });

  test('fails when GLACIER follows STANDARD_IA by less than 30 days', () => {
    const e = errorFor([
      {
        id: 'r',
        filter: all,
        transitions: [
          { storageClass: StorageClass.STANDARD_IA, afterDays: 30 },
          { storageClass: StorageClass.GLACIER, afterDays: 59 },
        ],
      },
    ]);
    expect(e.field).toBe('rules[0].transitions[1].afterDays');
    expect(e.value).toBe(59);
    expect(e.message).toMatch(/allowed: 60 or more/);
  });

  test('fails when DEEP_ARCHIVE follows ONEZONE_IA by less than 30 days, even with a transition between', () => {
    const e = errorFor([
      {
        id: 'r',
        filter: all,
        transitions: [
          { storageClass: StorageClass.ONEZONE_IA, afterDays: 40 },
          { storageClass: StorageClass.DEEP_ARCHIVE, afterDays: 50 },
        ],
      },
    ]);
    expect(e.message).toMatch(/allowed: 70 or more/);
  });

  test('fails when expiry is not later than the last transition', () => {
    const e = errorFor([{ id: 'r', filter: all, transitions: [{ storageClass: StorageClass.GLACIER_IR, afterDays: 90 }], expireAfterDays: 90 }]);
    expect(e.field).toBe('rules[0].expireAfterDays');
    expect(e.value).toBe(90);
    expect(e.message).toMatch(/more than 90/);
  });

  test('fails when noncurrent expiry is not later than the last noncurrent transition', () => {
    const e = errorFor([{ id: 'r', filter: all, noncurrentVersionTransitions: [{ storageClass: StorageClass.GLACIER, afterDays: 30 }], noncurrentVersionExpireAfterDays: 20 }]);
    expect(e.field).toBe('rules[0].noncurrentVersionExpireAfterDays');
  });

  test('fails when expiredObjectDeleteMarker is combined with expiry days', () => {
    const e = errorFor([{ id: 'r', filter: all, expireAfterDays: 30, expiredObjectDeleteMarker: true }]);
    expect(e.field).toBe('rules[0].expiredObjectDeleteMarker');
    expect(e.message).toMatch(/separate rule/);
  });

  test('fails when expiry is earlier than the Object Lock default retention', () => {
    const e = errorFor(defaultLifecycleRules({ retentionDays: 30 }), 60);
    expect(e.field).toBe('rules[0].expireAfterDays');
    expect(e.value).toBe(30);
    expect(e.message).toMatch(/60 days or more, the Object Lock default retention/);
  });

  test('fails when two rules share an id', () => {
    const e = errorFor([
      { id: 'same', filter: all, expireAfterDays: 10 },
      { id: 'same', filter: LifecycleFilter.prefix('x/'), expireAfterDays: 10 },
    ]);
    expect(e.field).toBe('rules[1].id');
  });

  test('fails when a rule has no action', () => {
    const e = errorFor([{ id: 'idle', filter: all }]);
    expect(e.field).toBe('rules[0]');
  });

  test('fails when a day count is not a positive whole number', () => {
    const e = errorFor([{ id: 'r', filter: all, abortIncompleteMultipartUploadAfterDays: 0 }]);
    expect(e.field).toBe('rules[0].abortIncompleteMultipartUploadAfterDays');
  });

  test('accepts an expiry equal to the Object Lock retention and renders a prefix filter', () => {
    const out = synthLifecycle([{ id: 'r', filter: LifecycleFilter.prefix('backups/'), expireAfterDays: 60 }], 60);
    expect(out).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, { rule: [expect.objectContaining({ filter: [{ prefix: 'backups/' }], expiration: [{ days: 60 }] })] });
  });

  test('warns, without failing, when objects leave a class before its minimum storage duration', () => {
    const warnings = validateLifecycleRules('p', 'rules', [
      { id: 'r', filter: all, transitions: [{ storageClass: StorageClass.GLACIER_IR, afterDays: 0 }], expireAfterDays: 30 },
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toMatch(/GLACIER_IR after 30 days, less than its 90-day minimum/);
  });

  test('follows the waterfall AWS documents', () => {
    expect(isSupportedTransition(StorageClass.STANDARD_IA, StorageClass.INTELLIGENT_TIERING)).toBe(true);
    expect(isSupportedTransition(StorageClass.INTELLIGENT_TIERING, StorageClass.STANDARD_IA)).toBe(false);
    expect(isSupportedTransition(StorageClass.ONEZONE_IA, StorageClass.GLACIER_IR)).toBe(false);
    expect(isSupportedTransition(StorageClass.GLACIER, StorageClass.DEEP_ARCHIVE)).toBe(true);
    expect(isSupportedTransition(StorageClass.DEEP_ARCHIVE, StorageClass.GLACIER)).toBe(false);
  });
});
