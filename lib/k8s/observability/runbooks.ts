/**
 * Runbooks: one markdown file per service (`runbooks/<namespace>/<service>.md`) with a section per alert (its
 * heading is the alert's name, so the anchor GitHub and GitLab give it is the name lower-case, the anchor of the
 * alert's `runbook_url`), and `runbooks/platform.md` for the platform alerts. Pure and deterministic: the same
 * model gives the same text.
 */
import { qualifiedName } from '../../model/names';
import type { Platform } from '../../model/platform';
import { WorkloadKind, type ServiceDefinition } from '../../model/service';
import {
  PLATFORM_RUNBOOK_PATH,
  alertingNamespaceOf,
  compareNames,
  platformAlertsOf,
  serviceAlertsOf,
  serviceRunbookPath,
  type ResolvedAlert,
} from './alert-rules';
import { serviceDashboard, environmentDashboard } from './dashboards';

/** One runbook file, relative to the environment's output folder. */
export interface RunbookFile {
  readonly path: string;
  readonly text: string;
}

/** Options of {@link runbooksOf}. */
export interface RunbookOptions {
  /** The blackbox exporter that probes the public hosts' certificates, or `false` when none does. @default DEFAULT_BLACKBOX_EXPORTER_URL when a service is public */
  readonly blackboxExporterUrl?: string | false;
}

/** Where the blackbox exporter is expected (chart `prometheus-blackbox-exporter` installed in `monitoring`). */
export const DEFAULT_BLACKBOX_EXPORTER_URL = 'prometheus-blackbox-exporter.monitoring.svc:9115';

/** The blackbox exporter in use: `undefined` when no host is probed (no public service, or turned off). */
export function blackboxExporterOf(platform: Platform, options: RunbookOptions = {}): string | undefined {
  if (options.blackboxExporterUrl === false || !platform.services.some((s) => s.public)) {
    return undefined;
  }
  return options.blackboxExporterUrl ?? DEFAULT_BLACKBOX_EXPORTER_URL;
}

/** The runbooks of an environment: one per service, sorted by namespace and name, then the platform's. */
export function runbooksOf(platform: Platform, environmentName: string, options: RunbookOptions = {}): RunbookFile[] {
  const environment = platform.environment(environmentName);
  const services = [...platform.services].sort((a, b) => compareNames(qualifiedName(a), qualifiedName(b)));
  const files = services.map((svc) => ({ path: serviceRunbookPath(svc), text: serviceRunbook(platform, environmentName, svc) }));
  const blackbox = blackboxExporterOf(platform, options);
  const alerts = platformAlertsOf(platform, environment, { probesCertificates: blackbox !== undefined, blackboxExporterUrl: blackbox });
  const overview = environmentDashboard(platform, environment);
  const lines = [
    `# Platform alerts of ${platform.name} ${environmentName}`,
    '',
    GENERATED,
    '',
    `- Dashboard: "${overview.title}" (uid \`${overview.uid}\`, ConfigMap \`${alertingNamespaceOf(platform)}/${overview.configMapName}\`)`,
    `- Alerts: ${alerts.map((a) => `[${a.name}](#${a.anchor})`).join(', ')}`,
    ...(blackbox ? [] : ['- Certificates are not probed (no public service, or no blackbox exporter): CertificateExpiringSoon is not emitted.']),
    '',
    ...alerts.flatMap((a) => alertSection(a, [])),
  ];
  files.push({ path: PLATFORM_RUNBOOK_PATH, text: `${lines.join('\n').trimEnd()}\n` });
  return files;
}

const GENERATED = '_Generated from the platform model by eks-platform-constructs: change the model, not this file._';

function relativeRunbook(from: ServiceDefinition, to: ServiceDefinition): string {
  return from.namespace === to.namespace ? `${to.name}.md` : `../${to.namespace}/${to.name}.md`;
}

function serviceList(from: ServiceDefinition, list: readonly ServiceDefinition[]): string {
  return list.length === 0 ? 'none' : list.map((s) => `[${qualifiedName(s)}](${relativeRunbook(from, s)})`).join(', ');
}

function serviceRunbook(platform: Platform, environmentName: string, svc: ServiceDefinition): string {
  const environment = platform.environment(environmentName);
  const { alerts, disabled, notApplicable } = serviceAlertsOf(platform, environment, svc);
  const callers = platform.callersOf(svc);
  const callees = platform.calleesOf(svc);
  const external = platform.externalEndpointsOf(environment, svc);
  const dashboard = serviceDashboard(platform, environment, svc);
  const stateful = (svc.kind ?? WorkloadKind.DEPLOYMENT) === WorkloadKind.STATEFUL;
  const bounds = platform.replicaBounds(environment, svc);
  const workload = stateful
    ? `StatefulSet \`${svc.name}\`, ${platform.statefulReplicas(environment, svc)} replica(s)`
    : `Deployments ${svc.versions.map((v) => `\`${svc.name}-${v.name}\``).join(', ')}, each autoscaled ${bounds.min} to ${bounds.max} replicas`;
  const ns = svc.namespace;
  const lines = [
    `# ${qualifiedName(svc)} in ${environmentName}`,
    '',
    GENERATED,
    '',
    `- Namespace \`${ns}\`; pods labelled \`app.kubernetes.io/name=${svc.name}\`, versions (label \`version\`): ${svc.versions.map((v) => `\`${v.name}\``).join(', ')}`,
    `- Workload: ${workload}`,
    `- Ports: ${svc.ports.map((p) => `\`${p.protocol}-${p.name}\` ${p.port}`).join(', ')}${svc.metricsPort ? `; metrics on \`${svc.metricsPort}\`` : ''}`,
    `- Critical data: ${svc.critical ? 'yes (backed up every 15 minutes, restore checked daily)' : 'no'}`,
    `- Dashboard: "${dashboard.title}" (uid \`${dashboard.uid}\`, ConfigMap \`${alertingNamespaceOf(platform)}/${dashboard.configMapName}\`)`,
    `- Called by: ${serviceList(svc, callers)}${svc.public ? `; public at ${svc.public.hosts.join(', ')} through the ingress gateway` : ''}`,
    `- Calls: ${serviceList(svc, callees)}${external.length > 0 ? `; outside the cluster: ${external.map((e) => `${e.host}:${e.port}`).join(', ')}` : ''}`,
    '',
    '| alert | severity | threshold | for |',
    '| --- | --- | --- | --- |',
    ...alerts.map((a) => `| [${a.name}](#${a.anchor}) | ${a.severity} | ${a.threshold === undefined ? '-' : `${a.threshold} (${a.unit})`} | ${a.for} |`),
    '',
    ...(disabled.length > 0 ? [`Turned off for this service (\`alerts.<name>.disabled\`, a named weakening): ${disabled.join(', ')}.`, ''] : []),
    ...notApplicable.map((n) => `Not emitted: ${n.name}, ${n.reason}.`),
    ...(notApplicable.length > 0 ? [''] : []),
  ];
  const impact = [
    `Who notices: ${callers.length > 0 ? `its callers ${callers.map(qualifiedName).join(', ')}` : 'no service of the platform calls it'}${svc.public ? `, and users of ${svc.public.hosts.join(', ')}` : ''}.`,
    `Where else to look: ${callees.length > 0 ? `the services it calls, ${serviceList(svc, callees)} (a failing or slow callee shows here first)` : 'it calls no other service'}${external.length > 0 ? `; its external endpoints ${external.map((e) => e.host).join(', ')}` : ''}.`,
  ];
  for (const a of alerts) {
    lines.push(...alertSection(a, impact, `the dashboard "${dashboard.title}"`));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function alertSection(a: ResolvedAlert, impact: readonly string[], dashboard?: string): string[] {
  return [
    `## ${a.name}`,
    '',
    `Severity **${a.severity}**${a.threshold === undefined ? '' : `, threshold ${a.threshold} (${a.unit})`}, fires after ${a.for}.`,
    '',
    a.meaning,
    '',
    ...impact.flatMap((l) => [l, '']),
    ...(dashboard ? [`Open ${dashboard}.`, ''] : []),
    'The rule:',
    '',
    '```promql',
    a.expr,
    '```',
    '',
    'First steps:',
    '',
    '```sh',
    ...a.firstSteps,
    '```',
    '',
  ];
}
