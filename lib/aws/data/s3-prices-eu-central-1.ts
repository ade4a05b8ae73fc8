/**
 * Amazon S3 list prices for EU (Frankfurt), eu-central-1, in USD, as data for the cost projection.
 *
 * LIST PRICES, without discounts, free tier or tax, first 50 TB/month tier where tiers exist.
 * Prices as of 2025-09-14, the date of the page that confirms the Standard, Standard-IA and Glacier IR
 * figures. Prices change: re-check at https://aws.amazon.com/s3/pricing/ (region "Europe (Frankfurt)").
 *
 * Each price names its source. `confirmed: true` means a public page read while writing this file
 * states the figure for eu-central-1; `confirmed: false` means the figure could not be confirmed by a
 * page at hand and comes from the AWS pricing page as the author remembers it (consistent with the
 * ratios of a Frankfurt price overview, see `sources`): verify these first.
 */
import { StorageClass } from '../lifecycle';

/** One price with its provenance. */
export interface SourcedPrice {
  readonly usd: number;
  readonly source: string;
  readonly confirmed: boolean;
}

/** The S3 prices of one region that the cost projection needs. */
export interface S3PriceTable {
  readonly region: string;
  /** The date the prices were looked up (ISO 8601). */
  readonly asOf: string;
  readonly currency: 'USD';
  /** Pages the figures were taken or checked from. */
  readonly sources: readonly string[];
  /** Storage, per GB-month. INTELLIGENT_TIERING here is its Frequent Access tier. */
  readonly storagePerGbMonth: Readonly<Record<StorageClass, SourcedPrice>>;
  /** Intelligent-Tiering's automatic tiers, per GB-month: Infrequent Access (after 30 days without access) and Archive Instant Access (after 90). */
  readonly intelligentTieringPerGbMonth: { readonly infrequentAccess: SourcedPrice; readonly archiveInstantAccess: SourcedPrice };
  /** Intelligent-Tiering monitoring and automation, per 1,000 objects per month. */
  readonly intelligentTieringMonitoringPer1000Objects: SourcedPrice;
  /** Lifecycle transition requests into a class, per 1,000 requests. */
  readonly transitionPer1000Requests: Readonly<Record<Exclude<StorageClass, StorageClass.STANDARD>, SourcedPrice>>;
}

const PRICING_PAGE = 'https://aws.amazon.com/s3/pricing/ (Europe (Frankfurt)), recalled, not re-read';
const PESKY = 'https://blog.pesky.moe/posts/2025-09-14-s3-class (eu-central-1 list prices, 2025-09-14)';

/** eu-central-1 list prices. */
export const S3_PRICES_EU_CENTRAL_1: S3PriceTable = {
  region: 'eu-central-1',
  asOf: '2025-09-14',
  currency: 'USD',
  sources: [
    PESKY,
    'https://www.demo.wlid.nl/s3-storage-classes.html (Frankfurt, 2021-12-02: Standard-IA 55%, Glacier IR 20%, Glacier Flexible 16%, Deep Archive 7% of Standard; transitions $0.01 to $0.06 per 1,000)',
    PRICING_PAGE,
  ],
  storagePerGbMonth: {
    [StorageClass.STANDARD]: { usd: 0.0245, source: PESKY, confirmed: true },
    [StorageClass.STANDARD_IA]: { usd: 0.0135, source: PESKY, confirmed: true },
    [StorageClass.ONEZONE_IA]: { usd: 0.0108, source: PRICING_PAGE, confirmed: false },
    [StorageClass.INTELLIGENT_TIERING]: { usd: 0.0245, source: `${PRICING_PAGE}; Frequent Access tier priced as Standard`, confirmed: false },
    [StorageClass.GLACIER_IR]: { usd: 0.005, source: PESKY, confirmed: true },
    [StorageClass.GLACIER]: { usd: 0.0045, source: PRICING_PAGE, confirmed: false },
    [StorageClass.DEEP_ARCHIVE]: { usd: 0.0018, source: PRICING_PAGE, confirmed: false },
  },
  intelligentTieringPerGbMonth: {
    infrequentAccess: { usd: 0.0135, source: `${PRICING_PAGE}; priced as Standard-IA`, confirmed: false },
    archiveInstantAccess: { usd: 0.005, source: `${PRICING_PAGE}; priced as Glacier IR`, confirmed: false },
  },
  intelligentTieringMonitoringPer1000Objects: { usd: 0.0025, source: PRICING_PAGE, confirmed: false },
  transitionPer1000Requests: {
    [StorageClass.STANDARD_IA]: { usd: 0.01, source: PRICING_PAGE, confirmed: false },
    [StorageClass.ONEZONE_IA]: { usd: 0.01, source: PRICING_PAGE, confirmed: false },
    [StorageClass.INTELLIGENT_TIERING]: { usd: 0.01, source: PRICING_PAGE, confirmed: false },
    [StorageClass.GLACIER_IR]: { usd: 0.02, source: PRICING_PAGE, confirmed: false },
    [StorageClass.GLACIER]: { usd: 0.036, source: PRICING_PAGE, confirmed: false },
    [StorageClass.DEEP_ARCHIVE]: { usd: 0.06, source: PRICING_PAGE, confirmed: false },
  },
};
