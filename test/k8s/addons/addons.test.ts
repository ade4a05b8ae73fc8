/**
 * Each add-on construct on its own: names that must agree with lib/aws, and the failures of their props.
 */
import { Chart, Testing } from 'cdk8s';
import { backupBucketName } from '../../../lib/aws/backup-bucket';
import { platform } from '../../../apps/platform';
import { backupBucketNameOf } from '../../../lib/k8s/addons/_aws-names';
import { resolveArgoCdOptions } from '../../../lib/k8s/addons/argo-cd-application';
import { ClusterAutoscalerAddon } from '../../../lib/k8s/addons/cluster-autoscaler-addon';
import { IstioAddon } from '../../../lib/k8s/addons/istio-addon';
import { MetricsAdapterAddon, metricsAdapterRule } from '../../../lib/k8s/addons/metrics-adapter-addon';
import { VeleroAddon } from '../../../lib/k8s/addons/velero-addon';
import { AutoscalingMetric } from '../../../lib/k8s/microservice';

const env = platform.environment('prod');
const common = () => ({ platformName: platform.name, environment: env, argoCd: resolveArgoCdOptions() });
const chart = () => new Chart(Testing.app(), 'c');

test('the backup bucket name Velero uses is the one lib/aws gives the bucket', () => {
  for (const e of platform.environments) {
    expect(backupBucketNameOf(platform.name, e)).toBe(backupBucketName(platform.name, e.name, e.accountId));
  }
});

test('the Istio add-on exposes its privileged CNI namespace as a named field', () => {
  const istio = new IstioAddon(chart(), 'Istio', { ...common(), insecure: { privilegedCniNamespace: true } });
  expect(istio.privilegedCniNamespace).toBe(true);
  expect(istio.cniNamespace).toBe('istio-cni');
  expect(istio.gatewaySelector).toEqual({ istio: 'ingressgateway' });
});

test('fails when the Istio add-on is built without accepting the privileged CNI namespace', () => {
  expect(() => new IstioAddon(chart(), 'Istio', common())).toThrow(/insecure\.privilegedCniNamespace.*allowed: true/);
});

test('fails when the CNI agent would share a namespace with istiod', () => {
  expect(() => new IstioAddon(chart(), 'Istio', { ...common(), cniNamespace: 'istio-system', insecure: { privilegedCniNamespace: true } })).toThrow(/three different namespaces/);
});

test('fails when the cluster\'s Kubernetes minor has no pinned cluster-autoscaler release', () => {
  expect(() => new ClusterAutoscalerAddon(chart(), 'CA', { ...common(), environment: { ...env, kubernetesVersion: '1.20' } })).toThrow(/imageTag.*pinned cluster-autoscaler release/);
});

test('takes an explicit cluster-autoscaler image tag', () => {
  const ca = new ClusterAutoscalerAddon(chart(), 'CA', { ...common(), environment: { ...env, kubernetesVersion: '1.20' }, imageTag: 'v1.20.3' });
  expect(ca.imageTag).toBe('v1.20.3');
});

test('fails when the Velero AWS plugin is not pinned', () => {
  expect(() => new VeleroAddon(chart(), 'Velero', { ...common(), awsPluginVersion: 'latest' })).toThrow(/awsPluginVersion.*exact image tag/);
});

test('fails when the metrics adapter is built without a custom or external metric', () => {
  expect(() => new MetricsAdapterAddon(chart(), 'Adapter', { ...common(), metrics: [] })).toThrow(/metrics.*one or more Pods or External/);
});

test('serves a gauge as is, and an external metric per namespace', () => {
  expect(metricsAdapterRule('queue_depth', true)).toEqual({
    seriesQuery: '{__name__="queue_depth",namespace!=""}',
    resources: { overrides: { namespace: { resource: 'namespace' } } },
    name: { matches: '^queue_depth$', as: 'queue_depth' },
    metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
  });
  const adapter = new MetricsAdapterAddon(chart(), 'Adapter', { ...common(), metrics: [AutoscalingMetric.externalAverage('queue_depth', '10'), AutoscalingMetric.podsAverage('inflight', '5')] });
  expect([adapter.customMetrics, adapter.externalMetrics]).toEqual([['inflight'], ['queue_depth']]);
});
