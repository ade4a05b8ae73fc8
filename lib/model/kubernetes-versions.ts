/**
 * The EKS support calendar of Kubernetes minor versions: when standard support (14 months after the EKS release)
 * and extended support (12 more months, at an extra price per cluster hour) end. Dates are UTC; billing for
 * extended support starts at the beginning of the day standard support ends. Check and update the table from the
 * EKS release calendar (or `aws eks describe-cluster-versions`) when a version is added.
 */

/** The support dates of one Kubernetes minor version on EKS. */
export interface KubernetesVersionSupport {
  /** The minor version, e.g. `1.33`. */
  readonly version: string;
  /** The day EKS released it, `YYYY-MM-DD` (UTC). */
  readonly eksReleaseDate: string;
  /** The day standard support ends, `YYYY-MM-DD` (UTC). */
  readonly standardSupportEnd: string;
  /** The day extended support ends, `YYYY-MM-DD` (UTC); EKS then upgrades the control plane by itself. */
  readonly extendedSupportEnd: string;
  /** Where the dates come from. */
  readonly source: string;
}

const EKS_CALENDAR = 'https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html#kubernetes-release-calendar';

/** EKS support dates by Kubernetes minor version, newest first. */
export const KUBERNETES_VERSIONS: readonly KubernetesVersionSupport[] = [
  // not yet in the stored copy of the EKS calendar; dates as published by endoflife.date (which tracks that calendar)
  { version: '1.35', eksReleaseDate: '2026-01-27', standardSupportEnd: '2027-03-27', extendedSupportEnd: '2028-03-27', source: 'https://endoflife.date/amazon-eks' },
  { version: '1.34', eksReleaseDate: '2025-10-02', standardSupportEnd: '2026-12-02', extendedSupportEnd: '2027-12-02', source: EKS_CALENDAR },
  { version: '1.33', eksReleaseDate: '2025-05-29', standardSupportEnd: '2026-07-29', extendedSupportEnd: '2027-07-29', source: EKS_CALENDAR },
  { version: '1.32', eksReleaseDate: '2025-01-23', standardSupportEnd: '2026-03-23', extendedSupportEnd: '2027-03-23', source: EKS_CALENDAR },
  { version: '1.31', eksReleaseDate: '2024-09-26', standardSupportEnd: '2025-11-26', extendedSupportEnd: '2026-11-26', source: EKS_CALENDAR },
  { version: '1.30', eksReleaseDate: '2024-05-23', standardSupportEnd: '2025-07-23', extendedSupportEnd: '2026-07-23', source: EKS_CALENDAR },
  { version: '1.29', eksReleaseDate: '2024-01-23', standardSupportEnd: '2025-03-23', extendedSupportEnd: '2026-03-23', source: EKS_CALENDAR },
];

/** How many days before the end of standard support the warning starts. */
export const STANDARD_SUPPORT_WARNING_DAYS = 90;

/** The support dates of a version, or undefined if the table does not know it. */
export function kubernetesVersionSupport(version: string): KubernetesVersionSupport | undefined {
  return KUBERNETES_VERSIONS.find((v) => v.version === version);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Midnight UTC of a `YYYY-MM-DD` date, in milliseconds. */
function utcDay(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

/** The `YYYY-MM-DD` (UTC) of a Date. */
function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * A warning when `version` leaves EKS standard support within {@link STANDARD_SUPPORT_WARNING_DAYS} days of
 * `today`, has left it, or is not in {@link KUBERNETES_VERSIONS}; undefined while it is comfortably supported.
 * @param extendedSupport whether the cluster's upgrade policy is EXTENDED (then it stays, at extra cost, until
 *   the end of extended support); with STANDARD, EKS upgrades the control plane when standard support ends.
 */
export function kubernetesVersionWarning(version: string, today: Date, extendedSupport = false): string | undefined {
  const support = kubernetesVersionSupport(version);
  if (support === undefined) {
    return `Kubernetes ${version}: no EKS support dates known (lib/model/kubernetes-versions.ts); check the EKS release calendar`;
  }
  const day = utcDay(isoDay(today));
  const standardEnd = utcDay(support.standardSupportEnd);
  const extendedEnd = utcDay(support.extendedSupportEnd);
  if (day >= extendedEnd) {
    return `Kubernetes ${version} left EKS extended support on ${support.extendedSupportEnd}: EKS upgrades the control plane by itself; upgrade the cluster (${support.source})`;
  }
  if (day >= standardEnd) {
    const consequence = extendedSupport
      ? `the cluster is in extended support (billed per cluster hour) until ${support.extendedSupportEnd}`
      : 'with upgrade policy STANDARD, EKS upgrades the control plane to the next version by itself';
    return `Kubernetes ${version} left EKS standard support on ${support.standardSupportEnd}: ${consequence}; upgrade the cluster (${support.source})`;
  }
  const daysLeft = Math.round((standardEnd - day) / DAY_MS);
  if (daysLeft <= STANDARD_SUPPORT_WARNING_DAYS) {
    const consequence = extendedSupport ? 'then extended support is billed per cluster hour' : 'then, with upgrade policy STANDARD, EKS upgrades the control plane by itself';
    return `Kubernetes ${version} leaves EKS standard support on ${support.standardSupportEnd} (in ${daysLeft} days): ${consequence}; plan the upgrade (${support.source})`;
  }
  return undefined;
}
