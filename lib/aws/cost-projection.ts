/**
 * Steady-state monthly storage cost of a lifecycle rule against keeping everything in STANDARD.
 *
 * The model (see docs/backups.md):
 * - G GB of new backups arrive every day; every object follows the rule: STANDARD from day 0, each
 *   transition at its day, expiry at `expireAfterDays`, then (versioned bucket) `noncurrentVersionExpireAfterDays`
 *   more days as a noncurrent version in the class it was in, then deletion.
 * - In steady state the volume in a class is G x (days an object spends there), and the monthly
 *   storage charge is that volume x the class's price per GB-month.
 * - An object that leaves a class before its minimum storage duration is billed the remaining days
 *   (early deletion): billed days = max(days in class, minimum). Reported separately.
 * - Each transition is one request per object: objects per month = G x 1024 / average object size (MiB)
 *   x 730/24 days (AWS's 730-hour month), billed per 1,000 requests at the target class's price.
 * - Intelligent-Tiering: Frequent Access for its first 30 days, Infrequent Access to day 90, Archive
 *   Instant Access after (objects are never read), plus monitoring per 1,000 objects held.
 * Not counted: PUT/GET/LIST requests (the same with or without the lifecycle), retrievals, replication,
 * the 40 KB per-object overhead of GLACIER / DEEP_ARCHIVE (about 0.1 % at 32 MiB objects), volume tiers
 * above 50 TB, noncurrent-version transitions.
 */
import { ValidationError } from '../model/validation';
import { S3_PRICES_EU_CENTRAL_1, type S3PriceTable } from './data/s3-prices-eu-central-1';
import { MINIMUM_STORAGE_DAYS, StorageClass, type LifecycleRule } from './lifecycle';

/** Days in AWS's billing month (730 hours). */
export const DAYS_PER_MONTH = 730 / 24;

/** Options for {@link projectMonthlyCost}. */
export interface CostProjectionOptions {
  /** New backup data per day, in GB. */
  readonly gbPerDay: number;
  /** The rule every backup follows; it needs `expireAfterDays` (a steady state needs a finite life). */
  readonly rule: LifecycleRule;
  /** @default S3_PRICES_EU_CENTRAL_1 */
  readonly prices?: S3PriceTable;
  /** Average object size, for transition requests and Intelligent-Tiering monitoring. @default 32 */
  readonly averageObjectSizeMiB?: number;
}

/** The cost of one storage class in the projection. */
export interface ClassCostLine {
  readonly storageClass: StorageClass;
  /** Days an object spends in the class. */
  readonly daysInClass: number;
  /** Days billed: at least the class's minimum storage duration. */
  readonly billedDays: number;
  /** GB held in the class in steady state (G x daysInClass). */
  readonly storedGb: number;
  /** USD per month for the GB held. */
  readonly storageUsd: number;
  /** USD per month billed for days short of the minimum storage duration. */
  readonly earlyDeletionUsd: number;
  /** Lifecycle transition requests into the class per month. */
  readonly transitionRequestsPerMonth: number;
  /** USD per month for those requests (and Intelligent-Tiering monitoring). */
  readonly requestUsd: number;
  /** storageUsd + earlyDeletionUsd + requestUsd. */
  readonly totalUsd: number;
}

/** The result of {@link projectMonthlyCost}. */
export interface CostProjection {
  readonly region: string;
  readonly pricesAsOf: string;
  readonly gbPerDay: number;
  /** Days an object exists, current and noncurrent. */
  readonly lifetimeDays: number;
  /** One line per class the rule uses, in order. */
  readonly lines: readonly ClassCostLine[];
  /** GB held in steady state (G x lifetimeDays). */
  readonly storedGb: number;
  /** USD per month with the lifecycle. */
  readonly lifecycleUsd: number;
  /** USD per month keeping everything in STANDARD for the same lifetime. */
  readonly standardOnlyUsd: number;
  /** standardOnlyUsd - lifecycleUsd. */
  readonly savingsUsd: number;
  /** savingsUsd / standardOnlyUsd x 100 (0 when standardOnlyUsd is 0). */
  readonly savingsPercent: number;
}

const IT_FREQUENT_DAYS = 30;
const IT_ARCHIVE_INSTANT_AFTER_DAYS = 90;

/** Projects the steady-state monthly storage cost of `rule` for `gbPerDay` of new backups. */
export function projectMonthlyCost(options: CostProjectionOptions): CostProjection {
  const prices = options.prices ?? S3_PRICES_EU_CENTRAL_1;
  const sizeMiB = options.averageObjectSizeMiB ?? 32;
  const path = `projectMonthlyCost(${options.rule.id})`;
  if (!Number.isFinite(options.gbPerDay) || options.gbPerDay < 0) {
    throw new ValidationError(path, 'gbPerDay', options.gbPerDay, 'allowed: a number of GB, 0 or more');
  }
  if (!Number.isFinite(sizeMiB) || sizeMiB <= 0) {
    throw new ValidationError(path, 'averageObjectSizeMiB', sizeMiB, 'allowed: a positive number of MiB');
  }
  const expiry = options.rule.expireAfterDays;
  if (expiry === undefined) {
    throw new ValidationError(path, 'rule.expireAfterDays', expiry, 'allowed: a number of days; a projection needs objects to expire');
  }
  const g = options.gbPerDay;
  const objectsPerMonth = ((g * 1024) / sizeMiB) * DAYS_PER_MONTH;
  const lifetimeDays = expiry + (options.rule.noncurrentVersionExpireAfterDays ?? 0);

  // The stays: [class, from day, to day).
  const stays: Array<{ storageClass: StorageClass; from: number; to: number }> = [];
  let current: StorageClass = StorageClass.STANDARD;
  let since = 0;
  for (const t of options.rule.transitions ?? []) {
    stays.push({ storageClass: current, from: since, to: t.afterDays });
    current = t.storageClass;
    since = t.afterDays;
  }
  stays.push({ storageClass: current, from: since, to: lifetimeDays });

  // A transition at day 0 leaves no stay in STANDARD.
  const lines: ClassCostLine[] = stays.filter((stay) => stay.to > stay.from).map((stay) => {
    const daysInClass = stay.to - stay.from;
    const billedDays = Math.max(daysInClass, MINIMUM_STORAGE_DAYS[stay.storageClass]);
    const storageUsd = g * gbDaysPrice(prices, stay.storageClass, 0, daysInClass);
    const earlyDeletionUsd = g * gbDaysPrice(prices, stay.storageClass, daysInClass, billedDays);
    const transitionRequestsPerMonth = stay.storageClass === StorageClass.STANDARD ? 0 : objectsPerMonth;
    let requestUsd = stay.storageClass === StorageClass.STANDARD ? 0 : (transitionRequestsPerMonth / 1000) * prices.transitionPer1000Requests[stay.storageClass].usd;
    if (stay.storageClass === StorageClass.INTELLIGENT_TIERING) {
      const objectsHeld = ((g * 1024) / sizeMiB) * daysInClass;
      requestUsd += (objectsHeld / 1000) * prices.intelligentTieringMonitoringPer1000Objects.usd;
    }
    return {
      storageClass: stay.storageClass,
      daysInClass,
      billedDays,
      storedGb: g * daysInClass,
      storageUsd,
      earlyDeletionUsd,
      transitionRequestsPerMonth,
      requestUsd,
      totalUsd: storageUsd + earlyDeletionUsd + requestUsd,
    };
  });
  const lifecycleUsd = lines.reduce((sum, l) => sum + l.totalUsd, 0);
  const standardOnlyUsd = g * lifetimeDays * prices.storagePerGbMonth[StorageClass.STANDARD].usd;
  const savingsUsd = standardOnlyUsd - lifecycleUsd;
  return {
    region: prices.region,
    pricesAsOf: prices.asOf,
    gbPerDay: g,
    lifetimeDays,
    lines,
    storedGb: g * lifetimeDays,
    lifecycleUsd,
    standardOnlyUsd,
    savingsUsd,
    savingsPercent: standardOnlyUsd === 0 ? 0 : (savingsUsd / standardOnlyUsd) * 100,
  };
}

/**
 * The rule of a rule set that a projection follows: the first enabled rule over every object
 * (empty prefix) that expires objects. Throws if there is none.
 */
export function projectionRule(rules: readonly LifecycleRule[]): LifecycleRule {
  const rule = rules.find((r) => r.enabled !== false && r.filter.prefix === '' && r.expireAfterDays !== undefined);
  if (!rule) {
    throw new ValidationError('projectionRule', 'rules', rules.map((r) => r.id), 'allowed: a rule set with an enabled rule over every object (LifecycleFilter.all()) that sets expireAfterDays');
  }
  return rule;
}

/**
 * Sum over days `from` to `to` of an object's stay in a class of (price per GB-month): the monthly
 * charge per GB/day of ingest. Intelligent-Tiering's price depends on how long the object has been there.
 */
function gbDaysPrice(prices: S3PriceTable, storageClass: StorageClass, from: number, to: number): number {
  if (to <= from) {
    return 0;
  }
  if (storageClass !== StorageClass.INTELLIGENT_TIERING) {
    return (to - from) * prices.storagePerGbMonth[storageClass].usd;
  }
  const overlap = (a: number, b: number) => Math.max(0, Math.min(to, b) - Math.max(from, a));
  return (
    overlap(0, IT_FREQUENT_DAYS) * prices.storagePerGbMonth[StorageClass.INTELLIGENT_TIERING].usd +
    overlap(IT_FREQUENT_DAYS, IT_ARCHIVE_INSTANT_AFTER_DAYS) * prices.intelligentTieringPerGbMonth.infrequentAccess.usd +
    overlap(IT_ARCHIVE_INSTANT_AFTER_DAYS, Number.POSITIVE_INFINITY) * prices.intelligentTieringPerGbMonth.archiveInstantAccess.usd
  );
}
