/**
 * S3 lifecycle rules with a typed API (storage classes as an enum, days in the names), a default
 * rule set for backups, and validation at synth of the constraints AWS otherwise enforces only when
 * `terraform apply` calls PutBucketLifecycleConfiguration.
 *
 * Constraints implemented, with their source (AWS documentation, read 2025):
 * - STANDARD_IA and ONEZONE_IA transitions at 30 days or later (current and noncurrent versions).
 *   Source: Amazon S3 API Reference, `Transition.Days` ("If the specified storage class is STANDARD_IA
 *   or ONEZONE_IA, valid values are positive integers greater than 30"; the API accepts 30 itself) and
 *   S3 User Guide, "Transitioning objects using Amazon S3 Lifecycle", section "Constraints and
 *   considerations for transitions" (objects must be stored at least 30 days before they move to
 *   S3 Standard-IA or S3 One Zone-IA).
 * - Only the transitions the same User Guide page lists as supported (the "waterfall"): from STANDARD
 *   to any class; STANDARD_IA to INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE;
 *   INTELLIGENT_TIERING to ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE; ONEZONE_IA to GLACIER,
 *   DEEP_ARCHIVE (not GLACIER_IR); GLACIER_IR to GLACIER, DEEP_ARCHIVE; GLACIER to DEEP_ARCHIVE.
 *   Within a rule, days strictly ascend and each step follows that list.
 * - 30 days at least between a STANDARD_IA or ONEZONE_IA transition and a later GLACIER or
 *   DEEP_ARCHIVE transition of the same rule. Source: the same page (objects must stay 30 days in
 *   S3 Standard-IA / One Zone-IA before S3 Lifecycle moves them to S3 Glacier Flexible Retrieval or
 *   S3 Glacier Deep Archive); the API refuses a smaller gap with "'Days' in the Transition action for
 *   StorageClass 'GLACIER' ... must be 30 days more than ... 'STANDARD_IA'".
 * - Expiry strictly later than the rule's last transition (and noncurrent expiry later than the last
 *   noncurrent transition): the API refuses an Expiration whose days are not greater than a Transition's.
 * - `ExpiredObjectDeleteMarker` never in the same Expiration as `Days` (API Reference,
 *   `LifecycleExpiration`: "cannot be specified with Days or Date in a Lifecycle Expiration Policy").
 * - Expiry of current versions not earlier than an Object Lock default retention of the bucket: the
 *   two contradict (the lifecycle would try to delete what the lock keeps).
 *
 * Archive classes (GLACIER, DEEP_ARCHIVE) need an S3 RestoreObject thaw before a GET: a backup tool such as Velero cannot
 * read them directly. The default rule set moves objects there only after the restorable window (`restorableDays`,
 * default the retention: never); the model refuses a transition of its own into them within the window
 * (lib/model/backup-rules.ts).
 *
 * Minimum storage durations (STANDARD_IA/ONEZONE_IA 30 days, GLACIER_IR 90, GLACIER 90,
 * DEEP_ARCHIVE 180; S3 User Guide, "Comparing the Amazon S3 storage classes") are NOT refused:
 * AWS accepts a rule that leaves a class sooner and bills the remaining days as an early-deletion
 * charge. This module warns (a cdktf annotation), the cost projection bills the minimum, and the
 * default rule set never schedules a stay shorter than the minimum.
 */
import { S3BucketLifecycleConfiguration, type S3BucketLifecycleConfigurationRule } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { Annotations, type ITerraformDependable, type TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { ValidationError } from '../model/validation';

/** An S3 storage class. STANDARD is where every object starts; the others are lifecycle targets. */
export enum StorageClass {
  STANDARD = 'STANDARD',
  STANDARD_IA = 'STANDARD_IA',
  ONEZONE_IA = 'ONEZONE_IA',
  INTELLIGENT_TIERING = 'INTELLIGENT_TIERING',
  GLACIER_IR = 'GLACIER_IR',
  GLACIER = 'GLACIER',
  DEEP_ARCHIVE = 'DEEP_ARCHIVE',
}

/**
 * Days AWS bills an object in a class at least (S3 User Guide, "Comparing the Amazon S3 storage
 * classes"). S3 Intelligent-Tiering has had none since September 2021.
 */
export const MINIMUM_STORAGE_DAYS: Readonly<Record<StorageClass, number>> = {
  [StorageClass.STANDARD]: 0,
  [StorageClass.STANDARD_IA]: 30,
  [StorageClass.ONEZONE_IA]: 30,
  [StorageClass.INTELLIGENT_TIERING]: 0,
  [StorageClass.GLACIER_IR]: 90,
  [StorageClass.GLACIER]: 90,
  [StorageClass.DEEP_ARCHIVE]: 180,
};

/** The fewest days after creation (or after becoming noncurrent) for a transition to STANDARD_IA or ONEZONE_IA. */
export const MIN_DAYS_BEFORE_INFREQUENT_ACCESS = 30;

/** The fewest days between a STANDARD_IA / ONEZONE_IA transition and a later GLACIER / DEEP_ARCHIVE transition. */
export const MIN_DAYS_BETWEEN_IA_AND_GLACIER = 30;

/** The supported lifecycle transitions: from a class (key) to the classes listed. */
const SUPPORTED_TRANSITIONS: Readonly<Record<StorageClass, readonly StorageClass[]>> = {
  [StorageClass.STANDARD]: [StorageClass.STANDARD_IA, StorageClass.INTELLIGENT_TIERING, StorageClass.ONEZONE_IA, StorageClass.GLACIER_IR, StorageClass.GLACIER, StorageClass.DEEP_ARCHIVE],
  [StorageClass.STANDARD_IA]: [StorageClass.INTELLIGENT_TIERING, StorageClass.ONEZONE_IA, StorageClass.GLACIER_IR, StorageClass.GLACIER, StorageClass.DEEP_ARCHIVE],
  [StorageClass.INTELLIGENT_TIERING]: [StorageClass.ONEZONE_IA, StorageClass.GLACIER_IR, StorageClass.GLACIER, StorageClass.DEEP_ARCHIVE],
  [StorageClass.ONEZONE_IA]: [StorageClass.GLACIER, StorageClass.DEEP_ARCHIVE],
  [StorageClass.GLACIER_IR]: [StorageClass.GLACIER, StorageClass.DEEP_ARCHIVE],
  [StorageClass.GLACIER]: [StorageClass.DEEP_ARCHIVE],
  [StorageClass.DEEP_ARCHIVE]: [],
};

/** Whether S3 Lifecycle can move an object from `from` to `to`. */
export function isSupportedTransition(from: StorageClass, to: StorageClass): boolean {
  return SUPPORTED_TRANSITIONS[from].includes(to);
}

const INFREQUENT_ACCESS: readonly StorageClass[] = [StorageClass.STANDARD_IA, StorageClass.ONEZONE_IA];
const ARCHIVE: readonly StorageClass[] = [StorageClass.GLACIER, StorageClass.DEEP_ARCHIVE];

/**
 * Whether objects in `storageClass` need an S3 RestoreObject (a thaw of minutes to 48 hours) before they can be read:
 * GLACIER (Flexible Retrieval) and DEEP_ARCHIVE. GLACIER_IR is read directly.
 */
export function isArchiveStorageClass(storageClass: StorageClass): boolean {
  return ARCHIVE.includes(storageClass);
}

/** A move to another storage class, a number of days after creation (or after becoming noncurrent). */
export interface Transition {
  /** The class the objects move to. */
  readonly storageClass: StorageClass;
  /** Days after creation (current versions) or after becoming noncurrent (noncurrent versions). */
  readonly afterDays: number;
}

/** Which objects a rule applies to. Every rule carries one explicitly. */
export class LifecycleFilter {
  /** Every object of the bucket (an empty prefix). */
  public static all(): LifecycleFilter {
    return new LifecycleFilter('');
  }

  /** The objects whose key starts with `prefix`, e.g. `backups/`. */
  public static prefix(prefix: string): LifecycleFilter {
    return new LifecycleFilter(prefix);
  }

  private constructor(
    /** The key prefix; `''` means every object. */
    public readonly prefix: string,
  ) {}
}

/** One lifecycle rule. */
export interface LifecycleRule {
  /** Unique within the bucket, 1 to 255 characters. */
  readonly id: string;
  /** Which objects the rule applies to. */
  readonly filter: LifecycleFilter;
  /** Transitions of current versions, ascending in days. @default [] */
  readonly transitions?: readonly Transition[];
  /** Days after creation when current versions expire (become noncurrent in a versioned bucket). @default never */
  readonly expireAfterDays?: number;
  /** Transitions of noncurrent versions, in days after becoming noncurrent. @default [] */
  readonly noncurrentVersionTransitions?: readonly Transition[];
  /** Days after becoming noncurrent when noncurrent versions are deleted. @default never */
  readonly noncurrentVersionExpireAfterDays?: number;
  /** Days after initiation when incomplete multipart uploads are aborted. @default never */
  readonly abortIncompleteMultipartUploadAfterDays?: number;
  /** Removes delete markers that no longer have any version behind them. May not be combined with expireAfterDays. @default false */
  readonly expiredObjectDeleteMarker?: boolean;
  /** @default true */
  readonly enabled?: boolean;
}

/** Options for {@link defaultLifecycleRules}. */
export interface DefaultLifecycleOptions {
  /** Days a backup is kept: current versions expire then. */
  readonly retentionDays: number;
  /** Days a noncurrent version (overwritten, deleted or expired) is kept. @default 30 */
  readonly noncurrentVersionExpireAfterDays?: number;
  /** @default 7 */
  readonly abortIncompleteMultipartUploadAfterDays?: number;
  /**
   * Days the backups must stay readable without a thaw: the default ladder moves nothing into an archive class
   * (GLACIER, DEEP_ARCHIVE) before then (its DEEP_ARCHIVE step moves to day max(180, restorableDays)).
   * @default retentionDays: no archive class at all
   */
  readonly restorableDays?: number;
  /**
   * Transitions replacing the default ladder, used as given (validated like any rule; the model checks them against
   * the restorable window).
   * @default DEFAULT_TRANSITIONS, archive steps moved past `restorableDays`, each kept only if its minimum storage
   * duration fits before the next step or the expiry
   */
  readonly transitions?: readonly Transition[];
}

/**
 * The storage ladder of the default rule set: STANDARD_IA at 30 days, GLACIER_IR at 90, DEEP_ARCHIVE at 180 (moved
 * past the restorable window, see {@link DefaultLifecycleOptions.restorableDays}).
 */
export const DEFAULT_TRANSITIONS: readonly Transition[] = [
  { storageClass: StorageClass.STANDARD_IA, afterDays: 30 },
  { storageClass: StorageClass.GLACIER_IR, afterDays: 90 },
  { storageClass: StorageClass.DEEP_ARCHIVE, afterDays: 180 },
];

/**
 * The default rules of a backup bucket: one rule over every object that moves current versions down
 * {@link DEFAULT_TRANSITIONS}, expires them at `retentionDays`, deletes noncurrent versions and aborts
 * incomplete multipart uploads; and a second rule that removes expired delete markers (AWS does not
 * allow that flag in the same Expiration as days).
 *
 * A transition is kept only if the objects then stay in that class at least its minimum storage
 * duration before the next transition or expiry, so the defaults never pay early-deletion charges:
 * 30 days of retention keep everything in STANDARD; 90 use STANDARD_IA from day 30; 365 use STANDARD_IA
 * and GLACIER_IR, and DEEP_ARCHIVE from day 180 only when `restorableDays` is 185 or less (it needs 180 days
 * there before the expiry). No archive transition ever falls within the restorable window.
 */
export function defaultLifecycleRules(options: DefaultLifecycleOptions): LifecycleRule[] {
  const restorableDays = options.restorableDays ?? options.retentionDays;
  let kept: Transition[];
  if (options.transitions !== undefined) {
    kept = [...options.transitions];
  } else {
    kept = [];
    const ladder = DEFAULT_TRANSITIONS.map((t) => (isArchiveStorageClass(t.storageClass) ? { ...t, afterDays: Math.max(t.afterDays, restorableDays) } : t));
    let nextDay = options.retentionDays;
    for (const t of [...ladder].reverse()) {
      if (nextDay - t.afterDays >= Math.max(MINIMUM_STORAGE_DAYS[t.storageClass], 1)) {
        kept.unshift(t);
        nextDay = t.afterDays;
      }
    }
  }
  return [
    {
      id: 'backups-tiering-and-expiry',
      filter: LifecycleFilter.all(),
      transitions: kept,
      expireAfterDays: options.retentionDays,
      noncurrentVersionExpireAfterDays: options.noncurrentVersionExpireAfterDays ?? 30,
      abortIncompleteMultipartUploadAfterDays: options.abortIncompleteMultipartUploadAfterDays ?? 7,
    },
    {
      id: 'remove-expired-delete-markers',
      filter: LifecycleFilter.all(),
      expiredObjectDeleteMarker: true,
    },
  ];
}

/** Context for {@link validateLifecycleRules}. */
export interface LifecycleValidationContext {
  /** The Object Lock default retention of the bucket, in days. @default no Object Lock */
  readonly objectLockDefaultRetentionDays?: number;
}

/** A lifecycle problem AWS accepts but that costs money: a class left before its minimum storage duration. */
export interface LifecycleWarning {
  readonly field: string;
  readonly message: string;
}

const MAX_RULES = 1000;

/**
 * Throws a {@link ValidationError} for the first rule AWS would refuse at apply time (see the module
 * comment for the list and sources). Returns the warnings for rules AWS accepts but bills early
 * deletion for.
 * @param path the construct path that owns the rules
 * @param field the prop holding them, e.g. `lifecycleRules`
 */
export function validateLifecycleRules(path: string, field: string, rules: readonly LifecycleRule[], context: LifecycleValidationContext = {}): LifecycleWarning[] {
  if (rules.length > MAX_RULES) {
    throw new ValidationError(path, `${field}.length`, rules.length, `allowed: at most ${MAX_RULES} rules per bucket`);
  }
  const warnings: LifecycleWarning[] = [];
  const ids = new Set<string>();
  rules.forEach((rule, i) => {
    const at = (f: string) => `${field}[${i}]${f ? `.${f}` : ''}`;
    if (rule.id.length < 1 || rule.id.length > 255 || ids.has(rule.id)) {
      throw new ValidationError(path, at('id'), rule.id, 'allowed: a unique id of 1 to 255 characters');
    }
    ids.add(rule.id);
    if (!(rule.filter instanceof LifecycleFilter)) {
      throw new ValidationError(path, at('filter'), rule.filter, 'allowed: LifecycleFilter.all() or LifecycleFilter.prefix(...)');
    }
    const transitions = rule.transitions ?? [];
    const noncurrent = rule.noncurrentVersionTransitions ?? [];
    const hasAction =
      transitions.length > 0 ||
      noncurrent.length > 0 ||
      rule.expireAfterDays !== undefined ||
      rule.noncurrentVersionExpireAfterDays !== undefined ||
      rule.abortIncompleteMultipartUploadAfterDays !== undefined ||
      rule.expiredObjectDeleteMarker === true;
    if (!hasAction) {
      throw new ValidationError(path, at(''), rule.id, 'allowed: a rule with at least one action (transition, expiry, noncurrent expiry, multipart abort or expired delete markers)');
    }
    for (const [name, days] of [
      ['expireAfterDays', rule.expireAfterDays],
      ['noncurrentVersionExpireAfterDays', rule.noncurrentVersionExpireAfterDays],
      ['abortIncompleteMultipartUploadAfterDays', rule.abortIncompleteMultipartUploadAfterDays],
    ] as const) {
      if (days !== undefined && (!Number.isInteger(days) || days < 1)) {
        throw new ValidationError(path, at(name), days, 'allowed: a whole number of days, 1 or more');
      }
    }
    if (rule.expiredObjectDeleteMarker === true && rule.expireAfterDays !== undefined) {
      throw new ValidationError(
        path,
        at('expiredObjectDeleteMarker'),
        { expiredObjectDeleteMarker: true, expireAfterDays: rule.expireAfterDays },
        'allowed: expiredObjectDeleteMarker in a rule without expireAfterDays (AWS refuses ExpiredObjectDeleteMarker together with Days in one Expiration); put it in a separate rule',
      );
    }
    validateTransitions(path, at('transitions'), transitions, warnings, rule.expireAfterDays, at('expireAfterDays'));
    validateTransitions(path, at('noncurrentVersionTransitions'), noncurrent, warnings, rule.noncurrentVersionExpireAfterDays, at('noncurrentVersionExpireAfterDays'));
    const lockDays = context.objectLockDefaultRetentionDays;
    if (lockDays !== undefined && rule.expireAfterDays !== undefined && rule.expireAfterDays < lockDays) {
      throw new ValidationError(
        path,
        at('expireAfterDays'),
        rule.expireAfterDays,
        `allowed: ${lockDays} days or more, the Object Lock default retention; an expiry earlier than the retention contradicts it (the lock keeps what the lifecycle would delete)`,
      );
    }
  });
  return warnings;
}

function validateTransitions(path: string, field: string, transitions: readonly Transition[], warnings: LifecycleWarning[], expireAfterDays: number | undefined, expiryField: string): void {
  let previous: Transition | undefined;
  let lastIa: Transition | undefined;
  transitions.forEach((t, i) => {
    const at = `${field}[${i}]`;
    if (!Object.values(StorageClass).includes(t.storageClass) || t.storageClass === StorageClass.STANDARD) {
      throw new ValidationError(path, `${at}.storageClass`, t.storageClass, 'allowed: STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER or DEEP_ARCHIVE (nothing moves back to STANDARD)');
    }
    if (!Number.isInteger(t.afterDays) || t.afterDays < 0) {
      throw new ValidationError(path, `${at}.afterDays`, t.afterDays, 'allowed: a whole number of days, 0 or more');
    }
    if (INFREQUENT_ACCESS.includes(t.storageClass) && t.afterDays < MIN_DAYS_BEFORE_INFREQUENT_ACCESS) {
      throw new ValidationError(path, `${at}.afterDays`, t.afterDays, `allowed: ${MIN_DAYS_BEFORE_INFREQUENT_ACCESS} or more for ${t.storageClass} (AWS moves objects to STANDARD_IA or ONEZONE_IA only after 30 days)`);
    }
    const from = previous?.storageClass ?? StorageClass.STANDARD;
    if (previous && t.afterDays <= previous.afterDays) {
      throw new ValidationError(path, `${at}.afterDays`, t.afterDays, `allowed: more than ${previous.afterDays}, the days of the previous transition (to ${previous.storageClass}); transitions ascend strictly`);
    }
    if (!isSupportedTransition(from, t.storageClass)) {
      const allowed = SUPPORTED_TRANSITIONS[from];
      throw new ValidationError(
        path,
        `${at}.storageClass`,
        t.storageClass,
        `allowed after ${from}: ${allowed.length > 0 ? allowed.join(', ') : 'nothing (it is the coldest class)'} (S3 Lifecycle only moves objects "downhill")`,
      );
    }
    if (lastIa && ARCHIVE.includes(t.storageClass) && t.afterDays - lastIa.afterDays < MIN_DAYS_BETWEEN_IA_AND_GLACIER) {
      throw new ValidationError(
        path,
        `${at}.afterDays`,
        t.afterDays,
        `allowed: ${lastIa.afterDays + MIN_DAYS_BETWEEN_IA_AND_GLACIER} or more; AWS requires ${MIN_DAYS_BETWEEN_IA_AND_GLACIER} days between the ${lastIa.storageClass} transition (day ${lastIa.afterDays}) and a ${t.storageClass} transition`,
      );
    }
    if (previous) {
      warnIfEarly(warnings, at, previous, t.afterDays);
    }
    if (INFREQUENT_ACCESS.includes(t.storageClass)) {
      lastIa = t;
    }
    previous = t;
  });
  if (previous && expireAfterDays !== undefined) {
    if (expireAfterDays <= previous.afterDays) {
      throw new ValidationError(path, expiryField, expireAfterDays, `allowed: more than ${previous.afterDays}, the days of the last transition (to ${previous.storageClass})`);
    }
    warnIfEarly(warnings, expiryField, previous, expireAfterDays);
  }
}

function warnIfEarly(warnings: LifecycleWarning[], field: string, stay: Transition, leaveDay: number): void {
  const days = leaveDay - stay.afterDays;
  const minimum = MINIMUM_STORAGE_DAYS[stay.storageClass];
  if (days < minimum) {
    warnings.push({
      field,
      message: `objects leave ${stay.storageClass} after ${days} days, less than its ${minimum}-day minimum storage duration: AWS bills the remaining ${minimum - days} days as an early-deletion charge`,
    });
  }
}

/** Renders a rule as the `rule` block of `aws_s3_bucket_lifecycle_configuration`. */
export function renderLifecycleRule(rule: LifecycleRule): S3BucketLifecycleConfigurationRule {
  const expiration =
    rule.expireAfterDays !== undefined
      ? [{ days: rule.expireAfterDays }]
      : rule.expiredObjectDeleteMarker
        ? [{ expiredObjectDeleteMarker: true }]
        : undefined;
  return {
    id: rule.id,
    status: rule.enabled === false ? 'Disabled' : 'Enabled',
    filter: [{ prefix: rule.filter.prefix }],
    transition: (rule.transitions ?? []).length > 0 ? (rule.transitions ?? []).map((t) => ({ days: t.afterDays, storageClass: t.storageClass })) : undefined,
    expiration,
    noncurrentVersionTransition:
      (rule.noncurrentVersionTransitions ?? []).length > 0
        ? (rule.noncurrentVersionTransitions ?? []).map((t) => ({ noncurrentDays: t.afterDays, storageClass: t.storageClass }))
        : undefined,
    noncurrentVersionExpiration: rule.noncurrentVersionExpireAfterDays !== undefined ? [{ noncurrentDays: rule.noncurrentVersionExpireAfterDays }] : undefined,
    abortIncompleteMultipartUpload:
      rule.abortIncompleteMultipartUploadAfterDays !== undefined ? [{ daysAfterInitiation: rule.abortIncompleteMultipartUploadAfterDays }] : undefined,
  };
}

/** Options for a {@link BucketLifecycle}. */
export interface BucketLifecycleProps {
  /** The bucket's name (or a token of it). */
  readonly bucket: string;
  /** The rules, validated in the constructor. */
  readonly rules: readonly LifecycleRule[];
  /** The bucket's versioning resource: the lifecycle must be applied after it. */
  readonly versioning: ITerraformDependable;
  /** The bucket's Object Lock default retention, checked against expiries. @default no Object Lock */
  readonly objectLockDefaultRetentionDays?: number;
  /** The provider of the bucket's region. @default the stack's default AWS provider */
  readonly provider?: TerraformProvider;
}

/** The lifecycle configuration of a bucket, validated against AWS's apply-time constraints at synth. */
export class BucketLifecycle extends Construct {
  /** The `aws_s3_bucket_lifecycle_configuration` resource. */
  public readonly resource: S3BucketLifecycleConfiguration;
  /** The rules, as given. */
  public readonly rules: readonly LifecycleRule[];
  /** Warnings for rules AWS accepts but bills early deletion for (also added as cdktf annotations). */
  public readonly warnings: readonly LifecycleWarning[];

  constructor(scope: Construct, id: string, props: BucketLifecycleProps) {
    super(scope, id);
    this.rules = props.rules;
    this.warnings = validateLifecycleRules(this.node.path, 'rules', props.rules, { objectLockDefaultRetentionDays: props.objectLockDefaultRetentionDays });
    for (const w of this.warnings) {
      Annotations.of(this).addWarning(`rules ${w.field}: ${w.message}`);
    }
    this.resource = new S3BucketLifecycleConfiguration(this, 'Resource', {
      bucket: props.bucket,
      rule: props.rules.map(renderLifecycleRule),
      dependsOn: [props.versioning],
      provider: props.provider,
    });
  }
}
