/**
 * The cost report of `eks-platform cost <platform-module>` (`npm run cost` for the reference platform): for each
 * environment, the steady-state monthly S3 cost of its backup bucket's lifecycle against keeping everything in
 * STANDARD. Pure arithmetic over the model and the price table: the output is deterministic.
 */
import { projectMonthlyCost, projectionRule, type CostProjection } from '../aws/cost-projection';
import { S3_PRICES_EU_CENTRAL_1 } from '../aws/data/s3-prices-eu-central-1';
import { defaultLifecycleRules } from '../aws/lifecycle';
import type { Platform } from '../model/platform';

/** The default `expectedGbPerDay` of the model. */
const DEFAULT_GB_PER_DAY = 50;

const usd = (n: number): string => `$${n.toFixed(2)}`;
const num = (n: number): string => Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: readonly string[]) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w, c) => (c === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

/** The projection of one environment's backup bucket (default rules, the model's retention and volume). */
export function projectEnvironment(p: Platform, envName: string): CostProjection {
  const env = p.environment(envName);
  return projectMonthlyCost({
    gbPerDay: env.backup.expectedGbPerDay ?? DEFAULT_GB_PER_DAY,
    rule: projectionRule(defaultLifecycleRules({ retentionDays: env.backup.retentionDays })),
  });
}

/** The whole report as Markdown text. */
export function costReport(p: Platform): string {
  const out: string[] = [
    `# Backup storage cost projection: ${p.name}`,
    '',
    `Steady state, per month, USD; S3 list prices of ${S3_PRICES_EU_CENTRAL_1.region} as of ${S3_PRICES_EU_CENTRAL_1.asOf} (lib/aws/data/s3-prices-eu-central-1.ts).`,
    'One copy: a replica in a second region costs about the same again, plus replication transfer (not counted).',
    '',
  ];
  const summary: string[][] = [['environment', 'GB/day', 'retention (d)', 'stored GB', 'lifecycle', 'all STANDARD', 'saving']];
  for (const env of p.environments) {
    const proj = projectEnvironment(p, env.name);
    out.push(`## ${env.name} (${num(proj.gbPerDay)} GB/day, retention ${env.backup.retentionDays} d + ${proj.lifetimeDays - env.backup.retentionDays} d noncurrent)`, '');
    const rows: string[][] = [['class', 'days', 'billed days', 'stored GB', 'storage', 'early deletion', 'transitions', 'total']];
    for (const l of proj.lines) {
      rows.push([l.storageClass, String(l.daysInClass), String(l.billedDays), num(l.storedGb), usd(l.storageUsd), usd(l.earlyDeletionUsd), usd(l.requestUsd), usd(l.totalUsd)]);
    }
    rows.push(['lifecycle total', '', '', num(proj.storedGb), '', '', '', usd(proj.lifecycleUsd)]);
    rows.push(['all in STANDARD', String(proj.lifetimeDays), '', num(proj.storedGb), '', '', '', usd(proj.standardOnlyUsd)]);
    out.push(table(rows), '', `Saving: ${usd(proj.savingsUsd)} per month (${proj.savingsPercent.toFixed(1)} %).`, '');
    summary.push([env.name, num(proj.gbPerDay), String(env.backup.retentionDays), num(proj.storedGb), usd(proj.lifecycleUsd), usd(proj.standardOnlyUsd), `${proj.savingsPercent.toFixed(1)} %`]);
  }
  out.push('## Summary', '', table(summary), '');
  return out.join('\n');
}
