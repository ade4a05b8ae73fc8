/**
 * The add-ons of the reference platform's environments, as PlatformChart emits them: Argo CD Applications of pinned
 * Helm charts, their Namespaces, values from the model, and each Application valid against the Argo CD schema.
 */
import { Testing } from 'cdk8s';
import { platform } from '../../../apps/platform';
import { PlatformChart } from '../../../lib/k8s/platform-chart';
import { AutoscalingMetric } from '../../../lib/k8s/microservice';
import { clusterName, serviceAccountRoleArn } from '../../../lib/model/names';
import { validateApplications } from './_argo-cd-schemas';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const ENVS = ['dev', 'staging', 'prod'] as const;
const out: Record<string, Obj[]> = {};
beforeAll(() => {
  for (const env of ENVS) {
    out[env] = Testing.synth(new PlatformChart(Testing.app(), env, { platform, environment: env })) as Obj[];
  }
});
const apps = (env: string) => out[env].filter((o) => o.kind === 'Application');
const app = (env: string, name: string) => {
  const found = apps(env).find((a) => a.metadata.name === name);
  if (!found) throw new Error(`no Application ${name} in ${env}`);
  return found;
};
const namespace = (env: string, name: string) => out[env].find((o) => o.kind === 'Namespace' && o.metadata.name === name);

describe.each(ENVS)('environment %s', (env) => {
  const e = () => platform.environment(env);
  // payment's secret brings External Secrets Operator everywhere; the Redis data store runs in the cluster (the
  // redis-ha chart, Application `shop-data-redis`) in dev and staging, and is ElastiCache (no add-on) in prod
  const expectedApps = [
    'cluster-autoscaler', 'external-secrets', 'fluent-bit', 'istio-base', 'istio-cni', 'istio-ingressgateway', 'istiod', 'kube-prometheus-stack', 'prometheus-blackbox-exporter',
    ...(env === 'prod' ? [] : ['shop-data-redis']),
    'velero',
  ];

  test('emits one Application per add-on, and no metrics adapter when no service autoscales on custom metrics', () => {
    // the reference platform declares observability: the monitoring stack, its blackbox exporter and log shipping
    expect(apps(env).map((a) => a.metadata.name).sort()).toEqual(expectedApps);
  });

  test('every Application pins an exact chart version, syncs automatically with prune and self-heal, and never creates its namespace', () => {
    for (const a of apps(env)) {
      expect(a.metadata.namespace).toBe('argocd');
      expect(a.spec?.project).toBe('default');
      expect(a.spec?.source.targetRevision).toMatch(/^\d+\.\d+\.\d+$/);
      expect(a.spec?.source.repoURL).toMatch(/^https:\/\//);
      expect(a.spec?.source.helm.releaseName).toBe(a.metadata.name);
      expect(a.spec?.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: expect.any(String) });
      expect(a.spec?.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
      expect(a.spec?.syncPolicy.syncOptions).toContain('CreateNamespace=false');
    }
  });

  test('every Application validates against the Argo CD schema (@kubernetes-models/argo-cd)', async () => {
    const result = await validateApplications(out[env]);
    expect(result.errors).toEqual([]);
    expect(result.checked).toBe(expectedApps.length);
    expect(result.checked).toBe(env === 'prod' ? 10 : 11);
  });

  test('every destination namespace but kube-system is emitted by the chart, before the Application', () => {
    for (const a of apps(env)) {
      const ns = a.spec?.destination.namespace as string;
      if (ns === 'kube-system') continue;
      const nsObj = namespace(env, ns);
      expect([ns, nsObj !== undefined]).toEqual([ns, true]);
      expect(out[env].indexOf(nsObj as Obj)).toBeLessThan(out[env].indexOf(a));
    }
    expect(namespace(env, 'kube-system')).toBeUndefined();
  });

  test('the cluster autoscaler discovers this environment\'s cluster as the IAM role lib/aws creates for it', () => {
    const a = app(env, 'cluster-autoscaler');
    expect(a.spec?.source).toEqual(expect.objectContaining({ repoURL: 'https://kubernetes.github.io/autoscaler', chart: 'cluster-autoscaler' }));
    expect(a.spec?.destination.namespace).toBe('kube-system');
    const values = a.spec?.source.helm.valuesObject;
    expect(values.autoDiscovery).toEqual({ clusterName: clusterName(platform.name, env) });
    expect(values.awsRegion).toBe(e().region);
    expect(values.rbac.serviceAccount).toEqual({
      create: true,
      name: 'cluster-autoscaler',
      annotations: { 'eks.amazonaws.com/role-arn': serviceAccountRoleArn(platform.name, env, e().accountId, 'kube-system', 'cluster-autoscaler') },
    });
    expect(values.extraArgs).toEqual({ 'balance-similar-node-groups': true, 'skip-nodes-with-local-storage': false, expander: 'least-waste' });
    expect(values.image.tag).toBe(`v${e().kubernetesVersion}.0`);
  });

  test('Istio\'s four charts share one version at least 1.22, with CNI on in istiod', () => {
    const names = ['istio-base', 'istiod', 'istio-cni', 'istio-ingressgateway'];
    const versions = new Set(names.map((n) => app(env, n).spec?.source.targetRevision));
    expect(versions.size).toBe(1);
    const [major, minor] = [...versions][0].split('.').map(Number);
    expect(major === 1 && minor >= 22).toBe(true);
    expect(names.map((n) => app(env, n).spec?.source.chart)).toEqual(['base', 'istiod', 'cni', 'gateway']);
    expect(app(env, 'istiod').spec?.source.helm.valuesObject.pilot.cni).toEqual({ enabled: true });
    expect(app(env, 'istiod').spec?.destination.namespace).toBe('istio-system');
  });

  test('the ingress gateway runs where the mesh\'s Gateway is and carries the labels it selects, as the service account the mesh admits', () => {
    const gatewayObj = out[env].find((o) => o.kind === 'Gateway' && o.apiVersion === 'networking.istio.io/v1');
    const a = app(env, 'istio-ingressgateway');
    expect(a.spec?.destination.namespace).toBe(gatewayObj?.metadata.namespace);
    expect(a.spec?.source.helm.valuesObject.labels).toEqual(gatewayObj?.spec?.selector);
    expect(a.spec?.source.helm.valuesObject.serviceAccount.name).toBe('istio-ingressgateway');
    expect(namespace(env, 'istio-ingress')?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('only the namespaces of node agents (Istio CNI, Velero\'s data mover, node exporter, log shipper) are privileged; the others enforce baseline or restricted and warn about restricted', () => {
    const addonNs = out[env].filter((o) => o.kind === 'Namespace' && o.metadata.labels?.['istio-injection'] === undefined);
    const levels = Object.fromEntries(addonNs.map((n) => [n.metadata.name, n.metadata.labels?.['pod-security.kubernetes.io/enforce']]));
    expect(levels).toEqual({
      'istio-system': 'baseline', 'istio-cni': 'privileged', 'istio-ingress': 'restricted', velero: 'privileged',
      // node agents of the monitoring and logging add-ons (named weakenings)
      'logging': 'privileged', 'monitoring': 'baseline', 'node-exporter': 'privileged',
      // External Secrets Operator's pods are hardened to "restricted"
      'external-secrets': 'restricted',
    });
    for (const n of addonNs) {
      expect(n.metadata.labels?.['pod-security.kubernetes.io/warn']).toBe('restricted');
      expect(n.metadata.labels?.['pod-security.kubernetes.io/enforce-version']).toBe(`v${e().kubernetesVersion}`);
    }
  });

  test('Velero writes to the environment\'s backup bucket in its region through the AWS plugin, as its IRSA role', () => {
    const a = app(env, 'velero');
    const values = a.spec?.source.helm.valuesObject;
    expect(a.spec?.destination.namespace).toBe('velero');
    // the storage location is a typed object of lib/k8s/backups (test/k8s/backups), not a chart value
    expect(values.configuration.backupStorageLocation).toEqual([]);
    expect(out[env].find((o) => o.kind === 'BackupStorageLocation')?.spec?.objectStorage).toEqual({ bucket: `${platform.name}-${env}-backups-${e().accountId}` });
    expect(values.initContainers[0].image).toMatch(/^velero\/velero-plugin-for-aws:v\d+\.\d+\.\d+$/);
    expect(values.credentials).toEqual({ useSecret: false });
    expect(values.serviceAccount.server.annotations).toEqual({ 'eks.amazonaws.com/role-arn': serviceAccountRoleArn(platform.name, env, e().accountId, 'velero', 'velero') });
    expect(values.deployNodeAgent).toBe(true);
    expect(values.configuration.features).toBe('EnableCSI');
  });
});

describe('options', () => {
  const synth = (props: Partial<ConstructorParameters<typeof PlatformChart>[2]>) =>
    Testing.synth(new PlatformChart(Testing.app(), 'c', { platform, environment: 'prod', ...props })) as Obj[];

  test('installs the Prometheus adapter with a rule per custom metric when a service autoscales on one', async () => {
    const objects = synth({ autoscalingMetrics: { storefront: [AutoscalingMetric.podsAverage('http_requests_per_second', '50')] } });
    const adapter = objects.find((o) => o.kind === 'Application' && o.metadata.name === 'prometheus-adapter');
    expect(adapter?.spec?.source).toEqual(expect.objectContaining({ repoURL: 'https://prometheus-community.github.io/helm-charts', chart: 'prometheus-adapter' }));
    const rules = adapter?.spec?.source.helm.valuesObject.rules;
    expect(rules.default).toBe(false);
    expect(rules.custom).toEqual([expect.objectContaining({
      seriesQuery: '{__name__="http_requests_total",namespace!="",pod!=""}',
      name: { matches: '^http_requests_total$', as: 'http_requests_per_second' },
      metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
    })]);
    expect(objects.find((o) => o.kind === 'Namespace' && o.metadata.name === adapter?.spec?.destination.namespace)).toBeDefined();
    expect((await validateApplications(objects)).errors).toEqual([]);
  });

  test('turns an add-on off only when named, and overrides a chart version', () => {
    const objects = synth({ addons: { disabled: { velero: true }, versions: { clusterAutoscalerChart: '9.46.6' } } });
    const names = objects.filter((o) => o.kind === 'Application').map((o) => o.metadata.name);
    expect(names).not.toContain('velero');
    expect(objects.find((o) => o.kind === 'Namespace' && o.metadata.name === 'velero')).toBeUndefined();
    expect(objects.find((o) => o.metadata.name === 'cluster-autoscaler')?.spec?.source.targetRevision).toBe('9.46.6');
  });

  test('puts the Applications in another Argo CD namespace and project', () => {
    const objects = synth({ addons: { argoCd: { namespace: 'gitops', project: 'platform' } } });
    for (const a of objects.filter((o) => o.kind === 'Application')) {
      expect([a.metadata.namespace, a.spec?.project]).toEqual(['gitops', 'platform']);
    }
  });

  test('fails when a chart version is a range', () => {
    expect(() => synth({ addons: { versions: { istio: '1.29.x' } } })).toThrow(/chart\.version.*exact chart version/);
  });

  test('fails when the Istio version predates the v1 APIs the mesh emits', () => {
    expect(() => synth({ addons: { versions: { istio: '1.21.6' } } })).toThrow(/Istio 1\.22 or later/);
  });
});
