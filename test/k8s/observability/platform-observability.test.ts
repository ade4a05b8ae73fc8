/**
 * PlatformObservability on the reference platform (apps/platform.ts) with `observability` set, asserted on the
 * synthesized objects of the whole PlatformChart, every prometheus-operator object validated against the schemas of
 * `@kubernetes-models/prometheus-operator`.
 */
import { ApiObject, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { environments, imageSources, platform as referencePlatform, services } from '../../fixtures/shop';
import { SERVICE_ALERTS } from '../../../lib/model/observability';
import { Platform } from '../../../lib/model/platform';
import { ValidationError } from '../../../lib/model/validation';
import { PlatformObservability } from '../../../lib/k8s/observability/platform-observability';
import { runbooksOf } from '../../../lib/k8s/observability/runbooks';
import { PlatformChart } from '../../../lib/k8s/platform-chart';
import { OBSERVABILITY, observedPlatform } from './_fixtures';
import { validatePrometheusOperatorObjects, type Manifest } from './_prometheus-schemas';

interface Rule { alert: string; expr: string; for: string; labels: Record<string, string>; annotations: Record<string, string> }
interface RuleSpec { groups: Array<{ name: string; rules: Rule[] }> }

const BASE = 'https://git.example.com/shop/platform/-/blob/main/dist';

function synth(platform: Platform, env: string, options: ConstructorParameters<typeof PlatformChart>[2]['observability'] = undefined): { chart: PlatformChart; objects: Manifest[] } {
  const chart = new PlatformChart(Testing.app(), env, { platform, environment: env, observability: options });
  return { chart, objects: Testing.synth(chart) as Manifest[] };
}

const find = (objects: readonly Manifest[], kind: string, namespace: string | undefined, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name);
const rulesOf = (objects: readonly Manifest[], namespace: string, name: string): Rule[] =>
  (find(objects, 'PrometheusRule', namespace, name)?.spec as unknown as RuleSpec | undefined)?.groups.flatMap((g) => g.rules) ?? [];
/** The objects PlatformObservability emitted (the chart holds others' monitoring objects too: backups, alert routing). */
const ownObjects = (chart: PlatformChart): Manifest[] =>
  (chart.observability?.node.findAll() ?? []).filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson() as Manifest);
const rule = (objects: readonly Manifest[], namespace: string, service: string, alert: string) =>
  rulesOf(objects, namespace, `${service}-alerts`).find((r) => r.alert === alert);

let prod: { chart: PlatformChart; objects: Manifest[] };
let dev: { chart: PlatformChart; objects: Manifest[] };

beforeAll(() => {
  const platform = observedPlatform();
  prod = synth(platform, 'prod');
  dev = synth(platform, 'dev');
});

describe('monitoring', () => {
  test('scrapes every service with a metrics port through a ServiceMonitor that selects its Service', () => {
    const withMetrics = services.filter((s) => s.metricsPort !== undefined || s.metricsExporter !== undefined);
    expect(withMetrics.length).toBe(13);
    for (const svc of withMetrics) {
      const monitor = find(prod.objects, 'ServiceMonitor', svc.namespace, svc.name);
      expect(monitor).toBeDefined();
      const spec = monitor?.spec as { selector: { matchLabels: Record<string, string> }; endpoints: Array<Record<string, unknown>> };
      const service = find(prod.objects, 'Service', svc.namespace, svc.name);
      // the selector matches the Service the workload construct emits, and the endpoint names one of its ports
      for (const [k, v] of Object.entries(spec.selector.matchLabels)) {
        expect(service?.metadata.labels?.[k]).toBe(v);
      }
      const ports = (service?.spec as { ports: Array<{ name: string }> }).ports.map((p) => p.name);
      expect(spec.endpoints).toHaveLength(1);
      expect(spec.endpoints[0].port).toBe('http-metrics');
      expect(ports).toContain(spec.endpoints[0].port);
      expect(spec.endpoints[0]).toMatchObject({
        path: '/metrics',
        scheme: 'https',
        tlsConfig: { caFile: '/etc/prom-certs/root-cert.pem', certFile: '/etc/prom-certs/cert-chain.pem', keyFile: '/etc/prom-certs/key.pem', insecureSkipVerify: true },
        relabelings: [{ action: 'keep', sourceLabels: ['__meta_kubernetes_service_name'], regex: svc.name }],
      });
      expect(monitor?.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    }
    // redis too: its metrics exporter's port is its metrics port
    expect(prod.objects.filter((o) => o.kind === 'ServiceMonitor')).toHaveLength(13);
    expect(find(prod.objects, 'ServiceMonitor', 'shop-data', 'redis')).toBeDefined();
  });

  test('scrapes the Istio sidecars of every platform namespace through a PodMonitor', () => {
    for (const ns of ['shop', 'shop-data']) {
      const monitor = find(prod.objects, 'PodMonitor', ns, 'istio-proxies');
      expect(monitor?.spec).toEqual({
        selector: { matchExpressions: [{ key: 'security.istio.io/tlsMode', operator: 'Exists' }] },
        jobLabel: 'app.kubernetes.io/name',
        podMetricsEndpoints: [{ port: 'http-envoy-prom', path: '/stats/prometheus', scheme: 'http' }],
      });
      expect(monitor?.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    }
    expect(prod.objects.filter((o) => o.kind === 'PodMonitor')).toHaveLength(2);
  });

  test('labels every monitoring object with the model\'s prometheusSelector', () => {
    const { chart } = synth(observedPlatform({}, { observability: { ...OBSERVABILITY, prometheusSelector: { prometheus: 'platform' } } }), 'dev');
    const monitoring = ownObjects(chart).filter((o) => o.apiVersion === 'monitoring.coreos.com/v1');
    expect(monitoring.length).toBeGreaterThan(20);
    for (const o of monitoring) {
      expect(o.metadata.labels).toEqual({ prometheus: 'platform', 'app.kubernetes.io/managed-by': 'eks-platform-constructs' });
    }
  });

  test('scrapes plain HTTP when istioCertificatesPath is false', () => {
    const { objects } = synth(observedPlatform(), 'dev', { istioCertificatesPath: false });
    const endpoint = (find(objects, 'ServiceMonitor', 'shop', 'cart')?.spec as { endpoints: Array<Record<string, unknown>> }).endpoints[0];
    expect(endpoint.scheme).toBe('http');
    expect(endpoint.tlsConfig).toBeUndefined();
  });

  test('fails when istioCertificatesPath is not absolute', () => {
    expect(() => synth(observedPlatform(), 'dev', { istioCertificatesPath: 'etc/prom-certs' })).toThrow(ValidationError);
    expect(() => synth(observedPlatform(), 'dev', { istioCertificatesPath: 'etc/prom-certs' })).toThrow(/istioCertificatesPath is "etc\/prom-certs"; allowed: an absolute path/);
  });

  test('emits nothing when the model has no observability', () => {
    // the reference platform without its observability settings
    const bare = new Platform({ name: referencePlatform.name, environments: referencePlatform.environments, services: referencePlatform.services, registry: referencePlatform.registry, allowedImageRegistries: referencePlatform.allowedImageRegistries });
    const chart = new PlatformChart(Testing.app(), 'dev', { platform: bare, environment: 'dev' });
    const objects = Testing.synth(chart) as Manifest[];
    expect(chart.observability).toBeUndefined();
    expect(objects.filter((o) => o.apiVersion.startsWith('monitoring.coreos.com'))).toEqual([]);
    expect(objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard)).toEqual([]);
    expect(find(objects, 'Namespace', undefined, 'monitoring')).toBeUndefined();

    // the construct on its own too
    const app = Testing.app();
    const direct = new PlatformObservability(new PlatformChart(app, 'c', { platform: bare, environment: 'dev' }), 'O', { platform: bare, environment: 'dev' });
    expect(direct.enabled).toBe(false);
    expect(direct.node.findAll()).toHaveLength(1);
    expect(direct.runbooks).toEqual([]);
  });
});

describe('schemas', () => {
  test('every prometheus-operator object passes the package\'s validators', async () => {
    for (const { chart, objects } of [prod, dev]) {
      // the whole chart's, others' (backups, alert routing) included
      const all = await validatePrometheusOperatorObjects(objects);
      expect(all.errors).toEqual([]);
      const own = await validatePrometheusOperatorObjects(ownObjects(chart));
      // 13 ServiceMonitors, 2 PodMonitors, 13 service rules, the platform rules, the certificate probe
      expect(own.checked).toBe(30);
      expect(all.checked).toBeGreaterThan(own.checked);
    }
  });

  test('every rule expression has balanced brackets and quotes (no promtool here: a coarse syntax check)', () => {
    const exprs = ownObjects(prod.chart).filter((o) => o.kind === 'PrometheusRule').flatMap((o) => (o.spec as unknown as RuleSpec).groups.flatMap((g) => g.rules.map((r) => r.expr)));
    expect(exprs.length).toBeGreaterThan(60);
    for (const expr of exprs) {
      const stack: string[] = [];
      for (const ch of expr.replace(/"[^"]*"/g, '""')) {
        if ('({['.includes(ch)) {
          stack.push(ch);
        } else if (')}]'.includes(ch)) {
          expect(stack.pop()).toBe('({['[')}]'.indexOf(ch)]);
        }
      }
      expect(stack).toEqual([]);
      expect((expr.match(/"/g) ?? []).length % 2).toBe(0);
    }
  });

  test('the validators catch a broken object', async () => {
    const broken = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'x', namespace: 'shop' }, spec: { groups: [{ rules: [{ alert: 'X' }] }] } } as unknown as Manifest;
    const { errors } = await validatePrometheusOperatorObjects([broken]);
    expect(errors).toHaveLength(1);
  });
});

describe('alert rules', () => {
  test('gives every service a PrometheusRule with the golden signals, labelled and linked to its runbook', () => {
    const rules = rulesOf(prod.objects, 'shop', 'storefront-alerts');
    expect(rules.map((r) => r.alert)).toEqual([...SERVICE_ALERTS]);
    for (const r of rules) {
      expect(r.labels).toEqual({ severity: expect.stringMatching(/^(critical|warning|info)$/), service: 'storefront', namespace: 'shop' });
      expect(r.annotations.runbook_url).toBe(`${BASE}/prod/runbooks/shop/storefront.md#${r.alert.toLowerCase()}`);
      expect(r.annotations.summary).toContain('shop/storefront');
      expect(r.annotations.description.length).toBeGreaterThan(20);
    }
    expect(prod.objects.filter((o) => o.kind === 'PrometheusRule' && o.metadata.name.endsWith('-alerts') && o.metadata.name !== 'platform-alerts')).toHaveLength(13);
  });

  test('uses the default thresholds, durations and severities', () => {
    expect(rule(prod.objects, 'shop', 'storefront', 'HighErrorRatio')).toMatchObject({ for: '5m', labels: { severity: 'warning' } });
    expect(rule(prod.objects, 'shop', 'storefront', 'HighErrorRatio')?.expr).toMatch(/istio_requests_total\{reporter="destination",destination_service_namespace="shop",destination_service_name="storefront",response_code=~"5\.\."\}.* > 0\.05$/);
    // checkout is critical: its errors page
    expect(rule(prod.objects, 'shop', 'checkout', 'HighErrorRatio')?.labels.severity).toBe('critical');
    const latency = rule(prod.objects, 'shop', 'storefront', 'HighLatency');
    expect(latency).toMatchObject({ for: '10m', labels: { severity: 'warning' } });
    expect(latency?.expr).toBe('histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_service_namespace="shop",destination_service_name="storefront"}[5m]))) > 1000');
    const saturation = rule(prod.objects, 'shop', 'storefront', 'HighSaturation');
    expect(saturation).toMatchObject({ for: '15m', labels: { severity: 'warning' } });
    expect(saturation?.expr).toBe('sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="shop",container="storefront"}[5m])) / sum by (pod) (kube_pod_container_resource_limits{namespace="shop",container="storefront",resource="cpu"}) > 0.9');
    const crash = rule(prod.objects, 'shop', 'storefront', 'CrashLooping');
    expect(crash).toMatchObject({ for: '10m', labels: { severity: 'critical' } });
    expect(crash?.expr).toContain('increase(kube_pod_container_status_restarts_total{namespace="shop",container="storefront"}[15m])');
    const scaler = rule(prod.objects, 'shop', 'catalog', 'AutoscalerAtMaximum');
    expect(scaler).toMatchObject({ for: '30m', labels: { severity: 'info' } });
    expect(scaler?.expr).toBe('kube_horizontalpodautoscaler_status_current_replicas{namespace="shop",horizontalpodautoscaler=~"catalog-v1|catalog-v2"} >= kube_horizontalpodautoscaler_spec_max_replicas{namespace="shop",horizontalpodautoscaler=~"catalog-v1|catalog-v2"}');
  });

  test('counts gRPC server errors for a gRPC service', () => {
    expect(rule(prod.objects, 'shop', 'payment', 'HighErrorRatio')?.expr).toContain('grpc_response_status=~"2|4|13|14|15"');
    expect(rule(prod.objects, 'shop', 'storefront', 'HighErrorRatio')?.expr).not.toContain('grpc_response_status');
  });

  test('gives a stateful TCP service no request or autoscaler alerts', () => {
    expect(rulesOf(prod.objects, 'shop-data', 'redis-alerts').map((r) => r.alert)).toEqual(['HighSaturation', 'CrashLooping']);
  });

  test('gives no AutoscalerAtMaximum to a service whose autoscaler cannot scale', () => {
    const env = environments.map((e) => (e.name === 'dev' ? { ...e, kubernetes: { ...e.kubernetes, maxReplicas: 1 } } : e));
    const { objects } = synth(observedPlatform({}, { environments: env }), 'dev');
    expect(rule(objects, 'shop', 'cart', 'AutoscalerAtMaximum')).toBeUndefined();
    expect(rule(objects, 'shop', 'cart', 'CrashLooping')).toBeDefined();
  });

  test('applies the service\'s overrides: severity, threshold, duration, disabled', () => {
    const platform = observedPlatform({
      search: { alerts: { HighLatency: { threshold: 2500, for: '20m', severity: 'critical' }, HighErrorRatio: { threshold: 0.1 }, AutoscalerAtMaximum: { disabled: true } } },
    });
    const { objects } = synth(platform, 'staging');
    expect(rule(objects, 'shop', 'search', 'HighLatency')).toMatchObject({ for: '20m', labels: { severity: 'critical' } });
    expect(rule(objects, 'shop', 'search', 'HighLatency')?.expr).toMatch(/ > 2500$/);
    expect(rule(objects, 'shop', 'search', 'HighErrorRatio')?.expr).toMatch(/ > 0\.1$/);
    expect(rule(objects, 'shop', 'search', 'AutoscalerAtMaximum')).toBeUndefined();
    // the runbook says it is off
    const runbook = runbooksOf(platform, 'staging').find((f) => f.path === 'runbooks/shop/search.md');
    expect(runbook?.text).toContain('Turned off for this service (`alerts.<name>.disabled`, a named weakening): AutoscalerAtMaximum.');
    expect(runbook?.text).not.toContain('## AutoscalerAtMaximum');
  });

  test('fails when an override names an alert the service does not get', () => {
    const platform = observedPlatform({ redis: { alerts: { HighErrorRatio: { threshold: 0.2 } } } });
    expect(() => synth(platform, 'dev')).toThrow(/alerts\.HighErrorRatio .*redis does not get HighErrorRatio \(no HTTP, HTTP\/2 or gRPC port/);
  });

  test('fails when AutoscalerAtMaximum is given a threshold', () => {
    const platform = observedPlatform({ cart: { alerts: { AutoscalerAtMaximum: { threshold: 3 } } } });
    expect(() => synth(platform, 'dev')).toThrow(/alerts\.AutoscalerAtMaximum\.threshold is 3; allowed: no threshold/);
  });

  test('puts the platform alerts in the monitoring namespace, after its Namespace', () => {
    const rules = rulesOf(prod.objects, 'monitoring', 'platform-alerts');
    expect(rules.map((r) => [r.alert, r.labels.severity])).toEqual([
      ['NodeNotReady', 'critical'],
      ['PersistentVolumeFillingUp', 'warning'],
      ['CertificateExpiringSoon', 'warning'],
    ]);
    expect(rules.find((r) => r.alert === 'PersistentVolumeFillingUp')?.expr).toBe('kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes < 0.1');
    expect(rules.find((r) => r.alert === 'CertificateExpiringSoon')?.expr).toBe('probe_ssl_earliest_cert_expiry - time() < 14 * 86400');
    for (const r of rules) {
      expect(r.annotations.runbook_url).toBe(`${BASE}/prod/runbooks/platform.md#${r.alert.toLowerCase()}`);
    }
    // the monitoring-stack add-on emits the namespace; PlatformObservability emits none of its own
    expect(prod.objects.filter((o) => o.kind === 'Namespace' && o.metadata.name === 'monitoring')).toHaveLength(1);
    expect(prod.chart.observability?.alertingNamespaceObject).toBeUndefined();
    const order = (kind: string, ns: string | undefined, name: string) => prod.objects.findIndex((o) => o.kind === kind && o.metadata.namespace === ns && o.metadata.name === name);
    const nsIndex = order('Namespace', undefined, 'monitoring');
    for (const [i, o] of prod.objects.entries()) {
      if (o.metadata.namespace === 'monitoring') {
        expect(i).toBeGreaterThan(nsIndex);
      }
    }
    // the objects of a platform namespace come after it too
    expect(order('ServiceMonitor', 'shop', 'cart')).toBeGreaterThan(order('Namespace', undefined, 'shop'));
  });

  test('probes the certificates of the public hosts through the blackbox exporter', () => {
    const probe = find(prod.objects, 'Probe', 'monitoring', 'public-hosts');
    expect(probe?.spec).toEqual({
      jobName: 'public-hosts',
      module: 'http_2xx',
      prober: { url: 'prometheus-blackbox-exporter.monitoring.svc:9115' },
      interval: '5m',
      targets: { staticConfig: { static: ['https://checkout.example.com', 'https://shop.example.com'], labels: { environment: 'prod' } } },
    });
    const { objects } = synth(observedPlatform(), 'dev', { blackboxExporterUrl: false });
    expect(objects.find((o) => o.kind === 'Probe')).toBeUndefined();
    expect(rulesOf(objects, 'monitoring', 'platform-alerts').map((r) => r.alert)).toEqual(['NodeNotReady', 'PersistentVolumeFillingUp']);
  });

  test('uses the alerting namespace of the model and emits no Namespace the chart already has', () => {
    const platform = observedPlatform({}, { observability: { ...OBSERVABILITY, alerting: { ...OBSERVABILITY.alerting, namespace: 'shop' } } });
    const { chart, objects } = synth(platform, 'dev');
    expect(find(objects, 'PrometheusRule', 'shop', 'platform-alerts')).toBeDefined();
    expect(find(objects, 'ConfigMap', 'shop', 'dashboard-shop-cart')).toBeDefined();
    expect(ownObjects(chart).filter((o) => o.kind === 'Namespace')).toEqual([]);
  });

  test('emits the alerting namespace itself when nothing else in the chart does', () => {
    const chart = new PlatformChart(Testing.app(), 'dev', { platform: observedPlatform(), environment: 'dev', addons: { disabled: { monitoringStack: true, alertRouting: true } } });
    const objects = Testing.synth(chart) as Manifest[];
    const namespaces = objects.filter((o) => o.kind === 'Namespace' && o.metadata.name === 'monitoring');
    expect(namespaces).toHaveLength(1);
    expect(namespaces[0].metadata.labels).toMatchObject({ 'kubernetes.io/metadata.name': 'monitoring', 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/warn': 'restricted' });
    const nsIndex = objects.indexOf(namespaces[0]);
    expect(objects.findIndex((o) => o.metadata.namespace === 'monitoring')).toBeGreaterThan(nsIndex);
  });
});

describe('dashboards', () => {
  const dashboards = (objects: readonly Manifest[]) => objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1');

  test('emits a dashboard per service and one for the environment, labelled for the Grafana sidecar', () => {
    const all = dashboards(prod.objects);
    expect(all).toHaveLength(14);
    for (const cm of all) {
      expect(cm.metadata.namespace).toBe('monitoring');
      const files = Object.entries(cm.data ?? {});
      expect(files).toHaveLength(1);
      expect(files[0][0]).toBe(`${cm.metadata.name}.json`);
      const json = JSON.parse(files[0][1]) as { uid: string; id: null; title: string; panels: Array<{ id: number }> };
      expect(json.id).toBeNull();
      expect(json.uid.length).toBeLessThanOrEqual(40);
      expect(json.panels.map((p) => p.id)).toEqual(json.panels.map((_, i) => i + 1));
    }
    expect(find(prod.objects, 'ConfigMap', 'monitoring', 'dashboard-shop-prod-overview')).toBeDefined();
  });

  test('shows request rate and error ratio per version side by side', () => {
    const cm = find(prod.objects, 'ConfigMap', 'monitoring', 'dashboard-shop-catalog');
    const json = JSON.parse(cm?.data?.['dashboard-shop-catalog.json'] ?? '{}') as { title: string; panels: Array<{ title: string; targets: Array<{ expr: string; legendFormat: string }> }> };
    expect(json.title).toBe('shop prod / shop/catalog');
    const panel = json.panels.find((p) => p.title === 'Request rate and error ratio by version');
    expect(panel?.targets.map((t) => t.legendFormat)).toEqual(['{{destination_version}} requests/s', '{{destination_version}} error ratio']);
    expect(panel?.targets[0].expr).toBe('sum by (destination_version) (rate(istio_requests_total{reporter="destination",destination_service_namespace="shop",destination_service_name="catalog"}[5m]))');
  });

  test('writes the JSON with sorted keys, the same on every synth', () => {
    const text = find(prod.objects, 'ConfigMap', 'monitoring', 'dashboard-shop-cart')?.data?.['dashboard-shop-cart.json'] ?? '';
    const keys = Object.keys(JSON.parse(text) as object);
    expect(keys).toEqual([...keys].sort());
    const again = synth(observedPlatform(), 'prod').objects;
    expect(dashboards(again)).toEqual(dashboards(prod.objects));
  });
});

describe('runbooks', () => {
  test('writes one runbook per service, plus the platform\'s, with a section per alert that runbook_url points at', () => {
    const files = runbooksOf(observedPlatform(), 'prod');
    expect(files.map((f) => f.path)).toEqual([
      ...services.map((s) => `runbooks/${s.namespace}/${s.name}.md`).sort(),
      'runbooks/platform.md',
    ]);
    for (const obj of ownObjects(prod.chart).filter((o) => o.kind === 'PrometheusRule')) {
      for (const r of (obj.spec as unknown as RuleSpec).groups.flatMap((g) => g.rules)) {
        const [file, anchor] = r.annotations.runbook_url.slice(`${BASE}/prod/`.length).split('#');
        const text = files.find((f) => f.path === file)?.text ?? '';
        // GitHub and GitLab anchor a heading by its text lower-case
        expect(text).toContain(`\n## ${r.alert}\n`);
        expect(anchor).toBe(r.alert.toLowerCase());
      }
    }
    expect(prod.chart.observability?.runbooks).toEqual(files);
  });

  test('names the callers, the callees, the dashboard and real kubectl commands', () => {
    const text = runbooksOf(observedPlatform(), 'prod').find((f) => f.path === 'runbooks/shop/catalog.md')?.text ?? '';
    expect(text).toContain('# shop/catalog in prod');
    expect(text).toContain('- Called by: [shop/cart](cart.md), [shop/recommendation](recommendation.md), [shop/search](search.md), [shop/storefront](storefront.md)');
    expect(text).toContain('- Calls: [shop/inventory](inventory.md)');
    expect(text).toContain('- Dashboard: "shop prod / shop/catalog" (uid `prod-shop-catalog`, ConfigMap `monitoring/dashboard-shop-catalog`)');
    expect(text).toContain('kubectl -n shop get pods -l app.kubernetes.io/name=catalog -L version -o wide');
    expect(text).toContain('kubectl -n shop describe hpa catalog-v1 catalog-v2');
    const cart = runbooksOf(observedPlatform(), 'prod').find((f) => f.path === 'runbooks/shop/cart.md')?.text ?? '';
    expect(cart).toContain('[shop-data/redis](../shop-data/redis.md)');
    const redis = runbooksOf(observedPlatform(), 'prod').find((f) => f.path === 'runbooks/shop-data/redis.md')?.text ?? '';
    expect(redis).toContain('Not emitted: HighErrorRatio, no HTTP, HTTP/2 or gRPC port');
  });

  test('is deterministic', () => {
    expect(runbooksOf(observedPlatform(), 'staging')).toEqual(runbooksOf(observedPlatform(), 'staging'));
  });

  test('fails when the environment is not the platform\'s', () => {
    expect(() => runbooksOf(observedPlatform(), 'qa')).toThrow(/environment is "qa"; allowed: one of dev, staging, prod/);
  });
});

test('the construct builds outside a PlatformChart', () => {
  const chart = new (class extends Construct {})(Testing.chart(), 'x');
  const o = new PlatformObservability(chart, 'Observability', { platform: new Platform({ name: 'shop', environments, services, observability: OBSERVABILITY, ...imageSources }), environment: 'dev' });
  expect(o.serviceMonitors.size).toBe(13);
  expect(o.alertingNamespaceObject).toBeDefined();
});
