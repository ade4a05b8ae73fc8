import { DAYS_PER_MONTH, projectMonthlyCost, projectionRule, type CostProjection } from '../../lib/aws/cost-projection';
import { S3_PRICES_EU_CENTRAL_1 } from '../../lib/aws/data/s3-prices-eu-central-1';
import { LifecycleFilter, StorageClass, defaultLifecycleRules } from '../../lib/aws/lifecycle';
import { ValidationError } from '../../lib/model/validation';

// eu-central-1 prices used below (USD): STANDARD 0.0245, STANDARD_IA 0.0135, GLACIER_IR 0.005,
// DEEP_ARCHIVE 0.0018 per GB-month; transitions per 1,000: STANDARD_IA 0.01, GLACIER_IR 0.02,
// DEEP_ARCHIVE 0.06, INTELLIGENT_TIERING 0.01; IT monitoring 0.0025 per 1,000 objects.
// A month is 730 h = 30.416667 days.

describe('projectMonthlyCost with the default rules, 200 GB/day, retention 365, noncurrent 30 (prod)', () => {
  let p: CostProjection;

  beforeAll(() => {
    p = projectMonthlyCost({ gbPerDay: 200, rule: projectionRule(defaultLifecycleRules({ retentionDays: 365, restorableDays: 180 })) });
  });

  test('holds each class for the days of the rule', () => {
    // lifetime = 365 + 30 = 395; STANDARD 0-30, STANDARD_IA 30-90, GLACIER_IR 90-180, DEEP_ARCHIVE 180-395
    expect(p.lifetimeDays).toBe(395);
    expect(p.lines.map((l) => [l.storageClass, l.daysInClass, l.storedGb])).toEqual([
      [StorageClass.STANDARD, 30, 6000],
      [StorageClass.STANDARD_IA, 60, 12000],
      [StorageClass.GLACIER_IR, 90, 18000],
      [StorageClass.DEEP_ARCHIVE, 215, 43000],
    ]);
    expect(p.storedGb).toBe(79000);
  });

  test('charges storage per class as computed by hand', () => {
    // 200 x 30 x 0.0245 = 147.00; 200 x 60 x 0.0135 = 162.00; 200 x 90 x 0.005 = 90.00; 200 x 215 x 0.0018 = 77.40
    expect(p.lines.map((l) => l.storageUsd)).toEqual([expect.closeTo(147, 6), expect.closeTo(162, 6), expect.closeTo(90, 6), expect.closeTo(77.4, 6)]);
    expect(p.lines.every((l) => l.earlyDeletionUsd === 0)).toBe(true);
  });

  test('charges one transition request per object per transition', () => {
    // objects/month = 200 x 1024 / 32 x 30.416667 = 194,666.67
    // STANDARD_IA 194.66667 x 0.01 = 1.946667; GLACIER_IR x 0.02 = 3.893333; DEEP_ARCHIVE x 0.06 = 11.68
    expect(p.lines[0].transitionRequestsPerMonth).toBe(0);
    expect(p.lines[1].transitionRequestsPerMonth).toBeCloseTo(194666.667, 2);
    expect(p.lines.map((l) => l.requestUsd)).toEqual([0, expect.closeTo(1.946667, 5), expect.closeTo(3.893333, 5), expect.closeTo(11.68, 5)]);
  });

  test('compares with keeping everything in STANDARD', () => {
    // lifecycle = 476.40 storage + 17.52 requests = 493.92
    // STANDARD only = 200 x 395 x 0.0245 = 1935.50; savings 1441.58 = 74.48 %
    expect(p.lifecycleUsd).toBeCloseTo(493.92, 6);
    expect(p.standardOnlyUsd).toBeCloseTo(1935.5, 6);
    expect(p.savingsUsd).toBeCloseTo(1441.58, 6);
    expect(p.savingsPercent).toBeCloseTo(74.4810, 3);
  });
});

describe('projectMonthlyCost edge cases', () => {
  test('bills the minimum storage duration of a class left early', () => {
    // GLACIER_IR from day 0, expiry at 30: 30 days held, 90 billed. G = 10.
    // storage 10 x 30 x 0.005 = 1.50; early deletion 10 x 60 x 0.005 = 3.00
    // requests: 10 x 1024 / 32 = 320 objects/day x 30.416667 = 9733.33/month x 0.02 / 1000 = 0.194667
    const p = projectMonthlyCost({ gbPerDay: 10, rule: { id: 'r', filter: LifecycleFilter.all(), transitions: [{ storageClass: StorageClass.GLACIER_IR, afterDays: 0 }], expireAfterDays: 30 } });
    expect(p.lines).toHaveLength(1);
    expect(p.lines[0]).toMatchObject({ storageClass: StorageClass.GLACIER_IR, daysInClass: 30, billedDays: 90 });
    expect(p.lines[0].storageUsd).toBeCloseTo(1.5, 9);
    expect(p.lines[0].earlyDeletionUsd).toBeCloseTo(3.0, 9);
    expect(p.lines[0].requestUsd).toBeCloseTo(0.194667, 6);
    // STANDARD only: 10 x 30 x 0.0245 = 7.35; the lifecycle (4.694667) still saves 2.655333
    expect(p.standardOnlyUsd).toBeCloseTo(7.35, 9);
    expect(p.savingsUsd).toBeCloseTo(2.655333, 6);
  });

  test('prices Intelligent-Tiering by its access tiers and adds monitoring', () => {
    // 1 GB/day in 1024 MiB objects = 1 object/day; IT from day 0 to 120:
    // 30 x 0.0245 + 60 x 0.0135 + 30 x 0.005 = 0.735 + 0.81 + 0.15 = 1.695
    // transitions 30.416667 x 0.01 / 1000 = 0.000304167; monitoring 120 objects x 0.0025 / 1000 = 0.0003
    const p = projectMonthlyCost({
      gbPerDay: 1,
      averageObjectSizeMiB: 1024,
      rule: { id: 'r', filter: LifecycleFilter.all(), transitions: [{ storageClass: StorageClass.INTELLIGENT_TIERING, afterDays: 0 }], expireAfterDays: 120 },
    });
    expect(p.lines[0].storageUsd).toBeCloseTo(1.695, 9);
    expect(p.lines[0].requestUsd).toBeCloseTo(0.000304167 + 0.0003, 9);
    expect(p.lifecycleUsd).toBeCloseTo(1.695604167, 9);
  });

  test('keeps everything in STANDARD for a 30-day retention, so nothing is saved (dev)', () => {
    // 5 x (30 + 30) x 0.0245 = 7.35 both ways
    const p = projectMonthlyCost({ gbPerDay: 5, rule: projectionRule(defaultLifecycleRules({ retentionDays: 30 })) });
    expect(p.lifecycleUsd).toBeCloseTo(7.35, 9);
    expect(p.savingsUsd).toBeCloseTo(0, 9);
  });

  test('uses the 730-hour month and the eu-central-1 table by default', () => {
    expect(DAYS_PER_MONTH).toBeCloseTo(30.416667, 5);
    const p = projectMonthlyCost({ gbPerDay: 1, rule: { id: 'r', filter: LifecycleFilter.all(), expireAfterDays: 1 } });
    expect(p.region).toBe('eu-central-1');
    expect(p.pricesAsOf).toBe(S3_PRICES_EU_CENTRAL_1.asOf);
  });

  test('fails when the rule never expires objects', () => {
    expect(() => projectMonthlyCost({ gbPerDay: 1, rule: { id: 'r', filter: LifecycleFilter.all(), abortIncompleteMultipartUploadAfterDays: 7 } })).toThrow(ValidationError);
  });

  test('fails when the daily volume is negative', () => {
    expect(() => projectMonthlyCost({ gbPerDay: -1, rule: { id: 'r', filter: LifecycleFilter.all(), expireAfterDays: 1 } })).toThrow(/gbPerDay is -1/);
  });
});
