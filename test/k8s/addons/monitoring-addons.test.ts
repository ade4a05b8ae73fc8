/**
 * The observability add-ons as PlatformChart emits them for a platform that declares `observability`: the monitoring
 * stack (kube-prometheus-stack), the alert routing (an AlertmanagerConfig) and log shipping (Fluent Bit), each
 * Application valid against the Argo CD schema, the AlertmanagerConfig against prometheus-operator's, and no secret
 * value anywhere in the output: only Secret references.
 */
import { Chart, Testing } from 'cdk8s';
import * as yaml from 'yaml';
import { environments, imageSources, services } from '../../fixtures/shop';
import { resolveArgoCdOptions } from '../../../lib/k8s/addons/argo-cd-application';
import { LogShippingAddon } from '../../../lib/k8s/addons/log-shipping-addon';
import { MonitoringStackAddon } from '../../../lib/k8s/addons/monitoring-stack-addon';
import { DEFAULT_ADDON_CHART_VERSIONS } from '../../../lib/k8s/addons/versions';
import { PlatformChart, type PlatformChartProps } from '../../../lib/k8s/platform-chart';
import type { ObservabilityConfig } from '../../../lib/model/observability';
import { Platform } from '../../../lib/model/platform';
import { validateApplications } from './_argo-cd-schemas';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

// distinctive Secret names and keys: each may appear in the output only as a reference
const FAKE = {
  alertingSecret: 'zz-fake-alerting-secret',
  pagerDutyKey: 'zz-fake-pd-key',
  slackKey: 'zz-fake-slack-key',
  smtpKey: 'zz-fake-smtp-key',
  logSecret: 'zz-fake-log-secret',
  logKey: 'zz-fake-log-key',
};

/** The model of the brief (business hours in UTC: the AlertmanagerConfig has no time zone). */
const OBSERVABILITY: ObservabilityConfig = {
  runbookBaseUrl: 'https://git.example.com/shop/platform/-/blob/main/dist',
  alerting: {
    pagerDutyRoutingKey: { name: FAKE.alertingSecret, key: FAKE.pagerDutyKey },
    slack: { apiUrl: { name: FAKE.alertingSecret, key: FAKE.slackKey }, channel: '#shop-alerts' },
    email: { to: 'ops@example.com', from: 'alerts@example.com', smarthost: 'smtp.example.com:587', authUsername: 'alerts', authPassword: { name: FAKE.alertingSecret, key: FAKE.smtpKey } },
    businessHours: [{ weekdays: ['monday:friday'], start: '07:00', end: '17:00', location: 'UTC' }],
    maintenanceWindows: [{ name: 'sunday-patching', times: [{ weekdays: ['sunday'], start: '02:00', end: '04:00' }] }],
  },
  logs: { host: 'logs.example.com', user: 'fluent-bit', password: { name: FAKE.logSecret, key: FAKE.logKey } },
};

const observed = (observability: ObservabilityConfig | undefined) => new Platform({ name: 'shop', environments, services, ...imageSources, ...(observability ? { observability } : {}) });
const synth = (p: Platform, env = 'prod', props: Partial<PlatformChartProps> = {}) => Testing.synth(new PlatformChart(Testing.app(), env, { platform: p, environment: env, ...props })) as Obj[];

const platform = observed(OBSERVABILITY);
const out: Record<string, Obj[]> = {};
beforeAll(() => {
  out.prod = synth(platform, 'prod');
  out.dev = synth(platform, 'dev');
});
const app = (name: string, env = 'prod') => {
  const found = out[env].find((o) => o.kind === 'Application' && o.metadata.name === name);
  if (!found) throw new Error(`no Application ${name} in ${env}`);
  return found;
};
const namespace = (name: string) => out.prod.find((o) => o.kind === 'Namespace' && o.metadata.name === name);
const values = (name: string) => app(name).spec?.source.helm.valuesObject;

test('a platform without observability gets no monitoring stack, blackbox exporter, alert routing or log shipping', () => {
  const objects = synth(observed(undefined));
  expect(objects.filter((o) => o.kind === 'Application').map((a) => a.metadata.name)).not.toEqual(expect.arrayContaining(['kube-prometheus-stack']));
  expect(objects.some((o) => ['kube-prometheus-stack', 'prometheus-blackbox-exporter', 'fluent-bit'].includes(o.metadata.name) || o.kind === 'AlertmanagerConfig')).toBe(false);
});

test('emits kube-prometheus-stack, the blackbox exporter and fluent-bit beside the other add-ons, every Application valid against the Argo CD schema', async () => {
  const names = out.prod.filter((o) => o.kind === 'Application').map((a) => a.metadata.name).sort();
  // external-secrets: payment's secret (the shop's services declare one)
  expect(names).toEqual(['cluster-autoscaler', 'external-secrets', 'fluent-bit', 'istio-base', 'istio-cni', 'istio-ingressgateway', 'istiod', 'kube-prometheus-stack', 'prometheus-blackbox-exporter', 'velero']);
  const result = await validateApplications(out.prod);
  expect(result.errors).toEqual([]);
  expect(result.checked).toBe(10);
});

test('emits each object once: the monitoring namespace is the add-on\'s, not a second one', () => {
  const keys = out.prod.map((o) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  expect(out.prod.filter((o) => o.kind === 'Namespace' && o.metadata.name === 'monitoring')).toHaveLength(1);
});

describe('the monitoring stack', () => {
  test('installs kube-prometheus-stack at its pinned version, CRDs first, with server-side apply', () => {
    const a = app('kube-prometheus-stack');
    expect(a.spec?.source).toEqual(expect.objectContaining({ repoURL: 'https://prometheus-community.github.io/helm-charts', chart: 'kube-prometheus-stack', targetRevision: DEFAULT_ADDON_CHART_VERSIONS.kubePrometheusStackChart }));
    expect(DEFAULT_ADDON_CHART_VERSIONS.kubePrometheusStackChart).toBe('85.4.0');
    expect(a.spec?.destination.namespace).toBe('monitoring');
    expect(a.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBe('-1');
    expect(a.spec?.syncPolicy.syncOptions).toEqual(['CreateNamespace=false', 'RespectIgnoreDifferences=true', 'ServerSideApply=true']);
    expect(a.spec?.ignoreDifferences.map((d: { kind: string }) => d.kind)).toEqual(['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']);
    expect(values('kube-prometheus-stack').crds).toEqual({ enabled: true });
  });

  test('Prometheus selects ServiceMonitors, PodMonitors and PrometheusRules by the model\'s selector in every namespace', () => {
    const spec = values('kube-prometheus-stack').prometheus.prometheusSpec;
    for (const kind of ['serviceMonitor', 'podMonitor', 'rule']) {
      expect([kind, spec[`${kind}Selector`], spec[`${kind}NamespaceSelector`], spec[`${kind}SelectorNilUsesHelmValues`]]).toEqual([kind, { matchLabels: { release: 'kube-prometheus-stack' } }, {}, false]);
    }
    expect(values('kube-prometheus-stack').commonLabels).toEqual({ release: 'kube-prometheus-stack' });
  });

  test('Alertmanager reads the AlertmanagerConfigs of its own namespace without restricting their routes to it', () => {
    expect(values('kube-prometheus-stack').alertmanager.alertmanagerSpec).toEqual({
      alertmanagerConfigSelector: { matchLabels: { release: 'kube-prometheus-stack' } },
      alertmanagerConfigNamespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
      alertmanagerConfigMatcherStrategy: { type: 'None' },
    });
  });

  test('Grafana loads dashboards labelled grafana_dashboard: "1" from every namespace, its admin from a Secret', () => {
    const grafana = values('kube-prometheus-stack').grafana;
    expect(grafana.sidecar.dashboards).toEqual({ enabled: true, label: 'grafana_dashboard', labelValue: '1', searchNamespace: 'ALL' });
    expect(grafana.admin).toEqual({ existingSecret: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' });
    expect(JSON.stringify(grafana)).not.toMatch(/adminPassword/);
  });

  test('does not scrape the control plane EKS runs', () => {
    const v = values('kube-prometheus-stack');
    expect([v.kubeControllerManager, v.kubeScheduler, v.kubeEtcd, v.kubeProxy]).toEqual([{ enabled: false }, { enabled: false }, { enabled: false }, { enabled: false }]);
  });

  test('runs Prometheus, Alertmanager and Grafana "baseline" and only the node exporter "privileged", in a namespace of its own', () => {
    expect(namespace('monitoring')?.metadata.labels).toEqual(expect.objectContaining({ 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted' }));
    expect(namespace('node-exporter')?.metadata.labels).toEqual(expect.objectContaining({ 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/warn': 'restricted' }));
    expect(values('kube-prometheus-stack')['prometheus-node-exporter']).toEqual({ namespaceOverride: 'node-exporter' });
    for (const ns of ['monitoring', 'node-exporter']) {
      expect(out.prod.indexOf(namespace(ns) as Obj)).toBeLessThan(out.prod.indexOf(app('kube-prometheus-stack')));
    }
  });

  test('follows a selector and namespace of the model', () => {
    const objects = synth(observed({ ...OBSERVABILITY, prometheusSelector: { prometheus: 'platform' }, alerting: { ...OBSERVABILITY.alerting, namespace: 'observability' } }));
    const a = objects.find((o) => o.metadata.name === 'kube-prometheus-stack') as Obj;
    expect(a.spec?.destination.namespace).toBe('observability');
    expect(a.spec?.source.helm.valuesObject.prometheus.prometheusSpec.ruleSelector).toEqual({ matchLabels: { prometheus: 'platform' } });
    const amc = objects.find((o) => o.kind === 'AlertmanagerConfig') as Obj;
    expect(amc.metadata).toEqual(expect.objectContaining({ namespace: 'observability', labels: { prometheus: 'platform' } }));
    expect(objects.find((o) => o.metadata.name === 'fluent-bit')?.spec?.source.helm.valuesObject.serviceMonitor).toEqual({ enabled: true, selector: { prometheus: 'platform' } });
  });

  test('Prometheus gets its Istio workload certificate the documented way: a sidecar that only writes it, read at /etc/prom-certs', () => {
    const spec = values('kube-prometheus-stack').prometheus.prometheusSpec;
    expect(spec.podMetadata).toEqual({
      labels: { 'sidecar.istio.io/inject': 'true' },
      annotations: {
        'traffic.sidecar.istio.io/includeInboundPorts': '',
        'traffic.sidecar.istio.io/includeOutboundIPRanges': '',
        'proxy.istio.io/config': '{"proxyMetadata":{"OUTPUT_CERTS":"/etc/istio-output-certs"}}',
        'sidecar.istio.io/userVolumeMount': '[{"name":"istio-certs","mountPath":"/etc/istio-output-certs"}]',
      },
    });
    expect(JSON.parse(spec.podMetadata.annotations['proxy.istio.io/config'])).toEqual({ proxyMetadata: { OUTPUT_CERTS: '/etc/istio-output-certs' } });
    expect(spec.volumes).toEqual([{ name: 'istio-certs', emptyDir: { medium: 'Memory' } }]);
    expect(spec.volumeMounts).toEqual([{ name: 'istio-certs', mountPath: '/etc/prom-certs', readOnly: true }]);
  });

  test('the ServiceMonitors read their certificates where Prometheus mounts them', () => {
    const mount = values('kube-prometheus-stack').prometheus.prometheusSpec.volumeMounts[0].mountPath;
    const monitors = out.prod.filter((o) => o.kind === 'ServiceMonitor');
    expect(monitors.length).toBeGreaterThan(0);
    for (const m of monitors) {
      for (const e of m.spec?.endpoints ?? []) {
        expect(e.scheme).toBe('https');
        expect(e.tlsConfig).toEqual(expect.objectContaining({ caFile: `${mount}/root-cert.pem`, certFile: `${mount}/cert-chain.pem`, keyFile: `${mount}/key.pem` }));
      }
    }
  });

  test('without Istio certificates, Prometheus gets no sidecar and no volume', () => {
    const stack = new MonitoringStackAddon(new Chart(Testing.app(), 'c'), 'Stack', { platformName: 'shop', environment: platform.environment('prod'), argoCd: resolveArgoCdOptions(), nodeExporter: false, istioCertificatesPath: false });
    const spec = (stack.application.values.prometheus as { prometheusSpec: Record<string, unknown> }).prometheusSpec;
    expect([spec.podMetadata, spec.volumes, spec.volumeMounts]).toEqual([undefined, undefined, undefined]);
    const custom = new MonitoringStackAddon(new Chart(Testing.app(), 'c'), 'Stack', { platformName: 'shop', environment: platform.environment('prod'), argoCd: resolveArgoCdOptions(), nodeExporter: false, istioCertificatesPath: '/certs' });
    expect((custom.application.values.prometheus as { prometheusSpec: { volumeMounts: unknown } }).prometheusSpec.volumeMounts).toEqual([{ name: 'istio-certs', mountPath: '/certs', readOnly: true }]);
  });

  test('without the node exporter, no privileged namespace is emitted', () => {
    const stack = new MonitoringStackAddon(new Chart(Testing.app(), 'c'), 'Stack', { platformName: 'shop', environment: platform.environment('prod'), argoCd: resolveArgoCdOptions(), nodeExporter: false });
    expect(stack.privilegedNodeExporterNamespace).toBe(false);
    expect([...stack.namespaces.keys()]).toEqual(['monitoring']);
    expect(stack.application.values.nodeExporter).toEqual({ enabled: false });
  });
});

describe('the blackbox exporter', () => {
  test('installs prometheus-blackbox-exporter 11.10.0 in the monitoring namespace, after it, reachable where the Probe points', () => {
    const a = app('prometheus-blackbox-exporter');
    expect(a.spec?.source).toEqual(expect.objectContaining({ repoURL: 'https://prometheus-community.github.io/helm-charts', chart: 'prometheus-blackbox-exporter', targetRevision: '11.10.0' }));
    expect(DEFAULT_ADDON_CHART_VERSIONS.blackboxExporterChart).toBe('11.10.0');
    expect(a.spec?.destination.namespace).toBe('monitoring');
    expect(out.prod.indexOf(namespace('monitoring') as Obj)).toBeLessThan(out.prod.indexOf(a));
    const v = values('prometheus-blackbox-exporter');
    expect(v.fullnameOverride).toBe('prometheus-blackbox-exporter');
    expect(v.service).toEqual({ type: 'ClusterIP', port: 9115 });
    const probe = out.prod.find((o) => o.kind === 'Probe' && o.metadata.name === 'public-hosts') as Obj;
    expect(probe.metadata.namespace).toBe('monitoring');
    expect(probe.spec?.prober.url).toBe(`${v.fullnameOverride}.${a.spec?.destination.namespace}.svc:${v.service.port}`);
    expect(Object.keys(v.config.modules)).toEqual([probe.spec?.module]);
    expect(v.config.modules.http_2xx).toEqual(expect.objectContaining({ prober: 'http', timeout: '5s' }));
  });

  test('runs "restricted": non-root, RuntimeDefault seccomp, read-only root, no capability, no privilege escalation', () => {
    const v = values('prometheus-blackbox-exporter');
    expect(v.podSecurityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(v.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(v.automountServiceAccountToken).toBe(false);
    expect(v.hostNetwork).toBe(false);
  });

  test('follows the monitoring namespace of the model', () => {
    const objects = synth(observed({ ...OBSERVABILITY, alerting: { ...OBSERVABILITY.alerting, namespace: 'observability' } }));
    const a = objects.find((o) => o.kind === 'Application' && o.metadata.name === 'prometheus-blackbox-exporter') as Obj;
    expect(a.spec?.destination.namespace).toBe('observability');
  });
});

describe('the alert routing', () => {
  test('is one AlertmanagerConfig in the monitoring namespace, after its Namespace, valid against the prometheus-operator schema', async () => {
    const amcs = out.prod.filter((o) => o.kind === 'AlertmanagerConfig');
    expect(amcs).toHaveLength(1);
    expect(amcs[0].metadata).toEqual(expect.objectContaining({ name: 'platform-alert-routing', namespace: 'monitoring', labels: { release: 'kube-prometheus-stack' } }));
    expect(out.prod.indexOf(namespace('monitoring') as Obj)).toBeLessThan(out.prod.indexOf(amcs[0]));
    const { AlertmanagerConfig } = await import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/AlertmanagerConfig');
    expect(() => new AlertmanagerConfig(amcs[0] as never).validate()).not.toThrow();
  });

  test('the schema refuses a credential written as a value rather than a Secret reference', async () => {
    const amc = out.prod.find((o) => o.kind === 'AlertmanagerConfig') as Obj;
    const broken = JSON.parse(JSON.stringify(amc));
    broken.spec.receivers.find((r: { name: string }) => r.name === 'slack').slackConfigs[0].apiURL = 'https://hooks.slack.com/services/T0/B0/x';
    const { AlertmanagerConfig } = await import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/AlertmanagerConfig');
    expect(() => new AlertmanagerConfig(broken).validate()).toThrow(/apiURL must be object/);
  });
});

describe('log shipping', () => {
  test('installs fluent-bit at its pinned version in the logging namespace, "privileged" for its hostPath', () => {
    const a = app('fluent-bit');
    expect(a.spec?.source).toEqual(expect.objectContaining({ repoURL: 'https://fluent.github.io/helm-charts', chart: 'fluent-bit', targetRevision: '0.58.2' }));
    expect(a.spec?.destination.namespace).toBe('logging');
    expect(namespace('logging')?.metadata.labels).toEqual(expect.objectContaining({ 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/warn': 'restricted' }));
    const v = values('fluent-bit');
    expect(v.daemonSetVolumeMounts).toEqual(expect.arrayContaining([{ name: 'varlog', mountPath: '/var/log', readOnly: true }]));
    expect(v.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(v.testFramework).toEqual({ enabled: false });
  });

  test('tails container logs, adds Kubernetes metadata and ships over TLS to <prefix>-<env>', () => {
    for (const env of ['prod', 'dev']) {
      const config = app('fluent-bit', env).spec?.source.helm.valuesObject.config;
      expect(config.inputs).toMatch(/Name\s+tail\n\s+Path\s+\/var\/log\/containers\/\*\.log/);
      expect(config.filters).toMatch(/Name\s+kubernetes\n\s+Match\s+kube\.\*/);
      expect(config.outputs).toMatch(/Name\s+es\n/);
      expect(config.outputs).toMatch(/Host\s+logs\.example\.com\n\s+Port\s+443\n/);
      expect(config.outputs).toMatch(new RegExp(`Index\\s+platform-logs-${env}\\n`));
      expect(config.outputs).toMatch(/tls\s+On\n\s+tls\.verify\s+On/);
      expect(config.outputs).toMatch(/HTTP_User\s+fluent-bit\n\s+HTTP_Passwd\s+\$\{LOG_SHIPPING_PASSWORD\}$/);
    }
  });

  test('reads the password from its Secret through an environment variable', () => {
    expect(values('fluent-bit').env).toEqual([{ name: 'LOG_SHIPPING_PASSWORD', valueFrom: { secretKeyRef: { name: FAKE.logSecret, key: FAKE.logKey } } }]);
  });

  test('is not installed without observability.logs', () => {
    const objects = synth(observed({ ...OBSERVABILITY, logs: undefined }));
    expect(objects.some((o) => o.metadata.name === 'fluent-bit' || o.metadata.name === 'logging')).toBe(false);
    expect(objects.some((o) => o.metadata.name === 'kube-prometheus-stack')).toBe(true);
  });
});

test('no secret value anywhere in the output: each Secret name and key appears only as a reference', () => {
  const text = out.prod.map((o) => yaml.stringify(o)).join('---\n');
  expect(out.prod.some((o) => o.kind === 'Secret')).toBe(false);
  const expected = new Map<string, number>();
  const found = new Map<string, number>();
  const refs = [
    [FAKE.alertingSecret, FAKE.pagerDutyKey], [FAKE.alertingSecret, FAKE.slackKey], [FAKE.alertingSecret, FAKE.smtpKey], [FAKE.logSecret, FAKE.logKey],
  ];
  for (const [name, key] of refs) expected.set(`${name}/${key}`, 1);
  // walk every object: a distinctive string may only be the name or key of a { name, key } reference
  const walk = (v: unknown, at: string): void => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${at}[${i}]`));
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.name === 'string' && typeof o.key === 'string' && Object.keys(o).length === 2 && o.name.startsWith('zz-fake-')) {
        found.set(`${o.name}/${o.key}`, (found.get(`${o.name}/${o.key}`) ?? 0) + 1);
        return;
      }
      for (const [k, x] of Object.entries(o)) walk(x, `${at}.${k}`);
      return;
    }
    if (typeof v === 'string' && v.includes('zz-fake-')) throw new Error(`a Secret name or key outside a reference at ${at}: ${v}`);
  };
  out.prod.forEach((o, i) => walk(o, `[${i}]${o.kind}/${o.metadata.name}`));
  expect(Object.fromEntries(found)).toEqual(Object.fromEntries(expected));
  expect((text.match(/zz-fake-/g) ?? []).length).toBe(8);
  // nothing that looks like a credential value either: every password-like field is a mapping (a reference)
  expect(text).not.toMatch(/hooks\.slack\.com|HTTP_Passwd[ \t]+[^$\s]|password:[ \t]*\S|routing_?key:[ \t]*\S|api_?url:[ \t]*\S/i);
});

describe('turning each off', () => {
  test('disabled monitoringStack, alertRouting and logShipping emit none of them', () => {
    const objects = synth(platform, 'prod', { addons: { disabled: { monitoringStack: true, alertRouting: true, logShipping: true } } });
    expect(objects.some((o) => ['kube-prometheus-stack', 'prometheus-blackbox-exporter', 'fluent-bit'].includes(o.metadata.name) || o.kind === 'AlertmanagerConfig')).toBe(false);
  });

  test('disabled blackboxExporter emits no exporter and leaves the monitoring stack', () => {
    const objects = synth(platform, 'prod', { addons: { disabled: { blackboxExporter: true } } });
    expect(objects.some((o) => o.metadata.name === 'prometheus-blackbox-exporter')).toBe(false);
    expect(objects.some((o) => o.metadata.name === 'kube-prometheus-stack')).toBe(true);
  });

  test('the alert routing stays when only the monitoring stack is off (a stack installed another way reads it)', () => {
    const objects = synth(platform, 'prod', { addons: { disabled: { monitoringStack: true } } });
    expect(objects.filter((o) => o.kind === 'AlertmanagerConfig')).toHaveLength(1);
    expect(objects.some((o) => o.metadata.name === 'kube-prometheus-stack')).toBe(false);
    expect(objects.find((o) => o.metadata.name === 'fluent-bit')?.spec?.source.helm.valuesObject.serviceMonitor).toBeUndefined();
  });
});

describe('fails when', () => {
  const env = () => platform.environment('prod');
  const common = () => ({ platformName: 'shop', environment: env(), argoCd: resolveArgoCdOptions() });
  const chart = () => new Chart(Testing.app(), 'c');

  test('fails when the monitoring stack is built with the node exporter but without accepting its privileged namespace', () => {
    expect(() => new MonitoringStackAddon(chart(), 'Stack', common())).toThrow(/insecure\.privilegedNodeExporterNamespace.*allowed: true/);
  });
  test('fails when the node exporter would share the monitoring namespace', () => {
    expect(() => new MonitoringStackAddon(chart(), 'Stack', { ...common(), nodeExporterNamespace: 'monitoring', insecure: { privilegedNodeExporterNamespace: true } })).toThrow(/nodeExporterNamespace is "monitoring"/);
  });
  test('fails when Prometheus\'s certificates path is relative', () => {
    expect(() => new MonitoringStackAddon(chart(), 'Stack', { ...common(), nodeExporter: false, istioCertificatesPath: 'etc/prom-certs' })).toThrow(/istioCertificatesPath is "etc\/prom-certs"/);
  });
  test('fails when the Prometheus selector is empty', () => {
    expect(() => new MonitoringStackAddon(chart(), 'Stack', { ...common(), prometheusSelector: {}, nodeExporter: false })).toThrow(/prometheusSelector is \{\}/);
  });
  test('fails when log shipping is built without accepting its privileged namespace', () => {
    expect(() => new LogShippingAddon(chart(), 'Logs', { ...common(), config: { host: 'logs.example.com' } })).toThrow(/insecure\.privilegedLogNamespace.*allowed: true/);
  });
  test('fails when the log host carries a scheme or the port is out of range', () => {
    const logs = (config: ObservabilityConfig['logs']) => () => new LogShippingAddon(chart(), 'Logs', { ...common(), config: config as NonNullable<ObservabilityConfig['logs']>, insecure: { privilegedLogNamespace: true } });
    expect(logs({ host: 'https://logs.example.com' })).toThrow(/logs\.host is "https:\/\/logs.example.com"/);
    expect(logs({ host: 'logs.example.com', port: 70000 })).toThrow(/logs\.port is 70000/);
    expect(logs({ host: 'logs.example.com', indexPrefix: 'Logs' })).toThrow(/logs\.indexPrefix is "Logs"/);
  });
  test('fails when a log user comes without a password or one with a line break', () => {
    const logs = (config: NonNullable<ObservabilityConfig['logs']>) => () => new LogShippingAddon(chart(), 'Logs', { ...common(), config, insecure: { privilegedLogNamespace: true } });
    expect(logs({ host: 'logs.example.com', user: 'fluent-bit' })).toThrow(/logs\.password is undefined; allowed: user and password together/);
    expect(logs({ host: 'logs.example.com', user: 'a\n    Name stdout', password: { name: 'x', key: 'y' } })).toThrow(/logs\.user/);
  });
  test('fails when the model\'s business hours name a time zone the AlertmanagerConfig cannot carry', () => {
    const berlin = observed({ ...OBSERVABILITY, alerting: { ...OBSERVABILITY.alerting, businessHours: [{ weekdays: ['monday:friday'], start: '08:00', end: '18:00', location: 'Europe/Berlin' }] } });
    expect(() => synth(berlin)).toThrow(/AlertRouting: businessHours\[0\]\.location is "Europe\/Berlin"; allowed: UTC/);
  });
});
