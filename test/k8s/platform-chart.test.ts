/**
 * The "Done when" for the three environments of the reference platform (apps/platform.ts),
 * asserted on the YAML that `buildKubernetesApp` writes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildKubernetesApp, KUBERNETES_FILE } from '../../lib/app/kubernetes-app';
import { readKubernetesObjects } from '../../lib/policy/gate';
import { Testing } from 'cdk8s';
import { environments, platform, services, imageSources } from '../fixtures/shop';
import { PlatformChart } from '../../lib/k8s/platform-chart';
import { AutoscalingMetric } from '../../lib/k8s/microservice';
import { TaintEffect, type EnvironmentConfig } from '../../lib/model/environment';
import { Platform } from '../../lib/model/platform';
import { ValidationError } from '../../lib/model/validation';
import { checkPodSecurity, hasPodTemplate, type KubernetesObject } from '../../lib/policy/pod-security';
import { strictSchemaProblems } from '../fixtures/schema-validation';

const ENVS = ['dev', 'staging', 'prod'] as const;

/** The fields of synthesized objects the assertions read. */
interface Meta { name: string; namespace?: string; labels?: Record<string, string> }
interface Selector { matchLabels?: Record<string, string> }
interface Container {
  name: string;
  image: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: object;
  livenessProbe?: object;
  startupProbe?: object;
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
}
interface PodTemplate { metadata: { labels: Record<string, string> }; spec: { containers: Container[]; terminationGracePeriodSeconds?: number; topologySpreadConstraints?: Array<{ topologyKey: string; labelSelector: Selector; whenUnsatisfiable: string }> } }
interface Obj extends KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  spec?: {
    replicas?: number;
    selector?: Selector;
    template?: PodTemplate;
    strategy?: { rollingUpdate?: { maxUnavailable?: number; maxSurge?: number } };
    scaleTargetRef?: { kind: string; name: string };
    minReplicas?: number;
    maxReplicas?: number;
    maxUnavailable?: number;
    minAvailable?: number;
    podSelector?: Selector;
    policyTypes?: string[];
  };
}

const out: Record<string, Obj[]> = {};
const dirs: Record<string, string> = {};

beforeAll(() => {
  for (const env of ENVS) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `k8s-${env}-`));
    buildKubernetesApp(platform, env, dir).synth();
    dirs[env] = dir;
    out[env] = readKubernetesObjects(dir).map((o) => o.object) as Obj[];
  }
});

const of = (env: string, kind: string) => out[env].filter((o) => o.kind === kind);
const matches = (selector: Selector | undefined, labels: Record<string, string>) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
const workloads = (env: string) => out[env].filter(hasPodTemplate);

describe.each(ENVS)('environment %s', (env) => {
  test('writes one YAML file, platform.k8s.yaml, into the outdir it is given, and the runbooks its alerts link to', () => {
    expect(fs.readdirSync(dirs[env]).sort()).toEqual([KUBERNETES_FILE, 'runbooks']);
    expect(fs.readdirSync(path.join(dirs[env], 'runbooks')).sort()).toEqual(['backups.md', 'platform.md', 'shop', 'shop-data']);
  });

  test('every pod template passes every check of the Pod Security Standard "restricted" and the platform rules', () => {
    // 13 services (payment runs two versions) and Velero's restore check
    expect(workloads(env).length).toBe(16);
    expect(checkPodSecurity(out[env])).toEqual([]);
  });

  test('every container has cpu and memory requests and limits, readiness and liveness probes and a pinned image', () => {
    for (const w of workloads(env)) {
      for (const c of w.spec?.template?.spec.containers ?? []) {
        for (const kind of ['requests', 'limits'] as const) {
          expect(c.resources?.[kind]).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String), 'ephemeral-storage': expect.any(String) }));
        }
        expect(c.readinessProbe).toBeDefined();
        expect(c.livenessProbe).toBeDefined();
        expect(c.startupProbe).toBeDefined();
        expect(c.readinessProbe).not.toEqual(c.livenessProbe);
        expect(c.image).toMatch(/:[\w][\w.-]*$|@sha256:[a-f0-9]{64}$/);
        expect(c.image).not.toMatch(/:latest$/);
        expect(c.lifecycle?.preStop?.sleep?.seconds).toBeGreaterThan(0);
        expect(w.spec?.template?.spec.terminationGracePeriodSeconds).toBeGreaterThan(c.lifecycle?.preStop?.sleep?.seconds ?? 0);
      }
    }
  });

  test('every pod is selected by NetworkPolicies covering ingress and egress, including one of its own service', () => {
    const policies = of(env, 'NetworkPolicy');
    for (const w of workloads(env)) {
      // a CronJob's pod template is one level down, in its job template
      const cron = (w.spec as { jobTemplate?: { spec: { template: { metadata: { labels?: Record<string, string> } } } } } | undefined)?.jobTemplate;
      const labels = (w.kind === 'CronJob' ? cron?.spec.template.metadata.labels : w.spec?.template?.metadata.labels) ?? {};
      const selecting = policies.filter((p) => p.metadata.namespace === w.metadata.namespace && matches(p.spec?.podSelector, labels));
      const types = new Set(selecting.flatMap((p) => p.spec?.policyTypes ?? []));
      expect([w.metadata.name, [...types].sort()]).toEqual([w.metadata.name, ['Egress', 'Ingress']]);
      const own = selecting.filter((p) => Object.keys(p.spec?.podSelector?.matchLabels ?? {}).length > 0);
      expect([w.metadata.name, own.length]).toEqual([w.metadata.name, 1]);
      expect(own[0].spec?.policyTypes).toEqual(['Ingress', 'Egress']);
    }
  });

  test('every Deployment rolls out with maxUnavailable 0, leaves replicas to its autoscaler, and spreads over zones and hosts', () => {
    for (const d of of(env, 'Deployment')) {
      expect(d.spec?.replicas).toBeUndefined();
      expect(d.spec?.strategy?.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
      const keys = (d.spec?.template?.spec.topologySpreadConstraints ?? []).map((t) => t.topologyKey);
      expect(keys).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
      expect(of(env, 'HorizontalPodAutoscaler').filter((h) => h.spec?.scaleTargetRef?.name === d.metadata.name)).toHaveLength(1);
    }
  });

  test('every workload has one PodDisruptionBudget that matches its pods and allows an eviction at its minimum', () => {
    // a CronJob's pods run to completion: nothing to keep available through a drain
    for (const w of workloads(env).filter((o) => o.kind !== 'CronJob' && o.kind !== 'Job')) {
      const labels = w.spec?.template?.metadata.labels ?? {};
      const pdbs = of(env, 'PodDisruptionBudget').filter((p) => p.metadata.namespace === w.metadata.namespace && matches(p.spec?.selector, labels));
      expect([w.metadata.name, pdbs.length]).toEqual([w.metadata.name, 1]);
      const hpa = of(env, 'HorizontalPodAutoscaler').find((h) => h.spec?.scaleTargetRef?.name === w.metadata.name);
      const minimum = hpa?.spec?.minReplicas ?? w.spec?.replicas ?? 1;
      const pdb = pdbs[0].spec ?? {};
      if (pdb.maxUnavailable !== undefined) {
        expect(pdb.maxUnavailable).toBeGreaterThanOrEqual(1);
      } else {
        expect(pdb.minAvailable).toBeLessThan(minimum);
      }
    }
  });

  test('the namespaces enforce "restricted", inject the mesh and have a quota, limits and a default deny', () => {
    // the add-ons' namespaces (istio-system, istio-cni, istio-ingress, velero) are tested in test/k8s/addons
    for (const ns of of(env, 'Namespace').filter((n) => platform.namespaces().includes(n.metadata.name))) {
      expect(ns.metadata.labels).toEqual(expect.objectContaining({
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'v1.35',
        'istio-injection': 'enabled',
      }));
      const inNs = out[env].filter((o) => o.metadata.namespace === ns.metadata.name);
      expect(inNs.filter((o) => o.kind === 'ResourceQuota')).toHaveLength(1);
      expect(inNs.filter((o) => o.kind === 'LimitRange')).toHaveLength(1);
      const deny = inNs.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny');
      expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    }
    expect(of(env, 'Namespace').filter((n) => n.metadata.labels?.['istio-injection'] === 'enabled').map((n) => n.metadata.name).sort()).toEqual(['shop', 'shop-data']);
  });

  test('each Namespace comes before every object in it, so the file applies in order', () => {
    const position = new Map(out[env].filter((o) => o.kind === 'Namespace').map((n) => [n.metadata.name, out[env].indexOf(n)]));
    out[env].forEach((o, i) => {
      // namespaces the chart creates; others (istio-ingress, istio-system) belong to the cluster's add-ons
      if (o.metadata.namespace !== undefined && position.has(o.metadata.namespace)) {
        expect(i).toBeGreaterThan(position.get(o.metadata.namespace) ?? Infinity);
      }
    });
  });

  const CLUSTER_SCOPED = ['Namespace', 'StorageClass', 'VolumeSnapshotClass', 'ClusterRole', 'ClusterRoleBinding', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'];
  test('every object has an explicit name and a namespace unless cluster-scoped, with no construct-path hash', () => {
    for (const o of out[env]) {
      expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(o.metadata.name).not.toMatch(/-c8[0-9a-f]{6}$/);
      if (!CLUSTER_SCOPED.includes(o.kind)) {
        expect(o.metadata.namespace).toBeDefined();
      }
    }
  });

  test('every emitted object validates against the official Kubernetes schemas (kubernetes-models)', async () => {
    expect(await strictSchemaProblems(out[env])).toEqual([]);
  });
});

describe('environment overrides', () => {
  const minOf = (env: string) => of(env, 'HorizontalPodAutoscaler').map((h) => h.spec?.minReplicas ?? 0);

  test('in prod every Deployment has at least 2 replicas through its autoscaler minimum (the platform asks for 3)', () => {
    const hpas = of('prod', 'HorizontalPodAutoscaler');
    expect(hpas).toHaveLength(of('prod', 'Deployment').length);
    expect(Math.min(...minOf('prod'))).toBeGreaterThanOrEqual(3);
    const storefront = hpas.find((h) => h.metadata.name === 'storefront-v1');
    expect(storefront?.spec?.maxReplicas).toBe(20);
  });

  test('in prod every Deployment spreads over zones without piling into one (DoNotSchedule on the zone key)', () => {
    for (const d of of('prod', 'Deployment')) {
      const zone = d.spec?.template?.spec.topologySpreadConstraints?.find((t) => t.topologyKey === 'topology.kubernetes.io/zone');
      expect(zone?.whenUnsatisfiable).toBe('DoNotSchedule');
      expect(zone?.labelSelector.matchLabels).toEqual(d.spec?.selector?.matchLabels);
    }
  });

  test('staging runs 2 replicas at least, dev may run 1 and still has a budget that never blocks a drain', () => {
    expect(Math.min(...minOf('staging'))).toBe(2);
    expect(Math.min(...minOf('dev'))).toBe(1);
    for (const pdb of of('dev', 'PodDisruptionBudget')) {
      expect(pdb.spec?.maxUnavailable).toBe(1);
    }
  });

  test('a canary runs one Deployment per version under one Service that selects every version', () => {
    const catalog = of('prod', 'Deployment').filter((d) => d.metadata.name.startsWith('catalog-'));
    expect(catalog.map((d) => d.spec?.selector?.matchLabels)).toEqual([
      { 'app.kubernetes.io/name': 'catalog', version: 'v1' },
      { 'app.kubernetes.io/name': 'catalog', version: 'v2' },
    ]);
    const svc = of('prod', 'Service').find((s) => s.metadata.name === 'catalog');
    expect((svc?.spec as { selector?: Record<string, string> }).selector).toEqual({ 'app.kubernetes.io/name': 'catalog' });
  });

  test('synthesizing twice gives byte-identical files', () => {
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-prod-again-'));
    buildKubernetesApp(platform, 'prod', again).synth();
    expect(fs.readFileSync(path.join(again, KUBERNETES_FILE), 'utf8')).toBe(fs.readFileSync(path.join(dirs.prod, KUBERNETES_FILE), 'utf8'));
  });
});

describe('the chart reads scheduling, stateful replicas and quotas from the model', () => {
  // prod alone: a memory node group tainted for the recommendation service, three Redis replicas, a quota of its own for shop-data
  const prod = environments.find((e) => e.name === 'prod') as EnvironmentConfig;
  const DATA_QUOTA = { requestsCpuMillis: 8000, requestsMemoryMiB: 16384, limitsCpuMillis: 16000, limitsMemoryMiB: 32768, pods: 12, persistentVolumeClaims: 6 };
  const model = new Platform({ ...imageSources,
    name: 'shop',
    environments: [{
      ...prod,
      nodeGroups: prod.nodeGroups.map((g) => (g.name === 'memory' ? { ...g, taints: [{ key: 'dedicated', value: 'memory', effect: TaintEffect.NO_SCHEDULE }] } : g)),
      kubernetes: { ...prod.kubernetes, namespaceQuotas: { 'shop-data': DATA_QUOTA }, serviceOverrides: { ...prod.kubernetes.serviceOverrides, redis: { replicas: 3 } } },
    }],
    services: services.map((s) => (s.name === 'recommendation'
      ? { ...s, nodeSelector: { workload: 'memory' }, tolerations: [{ key: 'dedicated', value: 'memory', effect: 'NoSchedule' as const }, { key: 'example.com/maintenance' }] }
      : s)),
  });
  let objects: Obj[];
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name) as Obj;
  const podSpec = (kind: string, name: string) => find(kind, name).spec?.template?.spec as PodTemplate['spec'] & { nodeSelector?: Record<string, string>; tolerations?: object[] };
  beforeAll(() => {
    objects = Testing.synth(new PlatformChart(Testing.app(), 'platform', { platform: model, environment: 'prod' })) as Obj[];
  });

  test('puts a service\'s node selector and tolerations into its pod spec, and none into the others', () => {
    expect(podSpec('Deployment', 'recommendation-v1').nodeSelector).toEqual({ workload: 'memory' });
    expect(podSpec('Deployment', 'recommendation-v1').tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'memory', effect: 'NoSchedule' },
      { key: 'example.com/maintenance', operator: 'Exists' },
    ]);
    for (const name of ['cart-v1', 'storefront-v1']) {
      expect(podSpec('Deployment', name)).not.toHaveProperty('nodeSelector');
      expect(podSpec('Deployment', name)).not.toHaveProperty('tolerations');
    }
    expect(podSpec('StatefulSet', 'redis')).not.toHaveProperty('nodeSelector');
  });

  test('runs a stateful service with the environment\'s replicas and a budget that lets a drain evict one at a time', () => {
    expect(find('StatefulSet', 'redis').spec?.replicas).toBe(3);
    const pdb = find('PodDisruptionBudget', 'redis');
    expect([pdb.spec?.maxUnavailable, pdb.spec?.minAvailable]).toEqual([1, undefined]);
    expect(pdb.spec?.selector?.matchLabels).toEqual(find('StatefulSet', 'redis').spec?.selector?.matchLabels);
  });

  test('gives a namespace the environment\'s quota of its own, and the others the common quota', () => {
    const quota = (ns: string) => (objects.find((o) => o.kind === 'ResourceQuota' && o.metadata.namespace === ns) as unknown as { spec: { hard: Record<string, string | number> } }).spec.hard;
    expect(quota('shop-data')).toMatchObject({ 'requests.cpu': '8000m', 'limits.memory': '32768Mi', pods: 12, persistentvolumeclaims: 6 });
    expect(quota('shop-data')).not.toHaveProperty('requests.ephemeral-storage');
    expect(quota('shop')).toMatchObject({ 'requests.cpu': '128000m', pods: 400 });
  });
});

describe('autoscalingMetrics', () => {
  const chartWith = (autoscalingMetrics: Record<string, AutoscalingMetric[]>) => () => new PlatformChart(Testing.app(), 'platform', { platform, environment: 'prod', autoscalingMetrics });
  const rps = AutoscalingMetric.podsAverage('http_requests_per_second', '50');

  test('adds a metric to a service named by name or by namespace/name', () => {
    const objects = Testing.synth(chartWith({ cart: [rps], 'shop/search': [rps] })()) as Array<{ kind: string; metadata: { name: string }; spec: { metrics: Array<{ type: string }> } }>;
    const types = (name: string) => objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === name)?.spec.metrics.map((m) => m.type);
    expect([types('cart-v1'), types('search-v1'), types('order-v1')]).toEqual([['Resource', 'Pods'], ['Resource', 'Pods'], ['Resource']]);
  });

  test('fails when autoscalingMetrics names a service the platform does not have', () => {
    expect(chartWith({ carts: [rps] })).toThrow(ValidationError);
    expect(chartWith({ carts: [rps] })).toThrow(/^platform: autoscalingMetrics is "carts"; allowed: services of the platform \(shop\/storefront, shop\/catalog, .*shop-data\/redis\)$/);
    expect(chartWith({ 'other/cart': [rps] })).toThrow(/autoscalingMetrics is "other\/cart"; allowed: services of the platform/);
  });

  test('fails when autoscalingMetrics names a stateful service, which does not autoscale', () => {
    expect(chartWith({ redis: [rps] })).toThrow(/autoscalingMetrics is "redis"; allowed: stateless services of the platform \(.*\); a stateful service does not autoscale/);
  });
});
