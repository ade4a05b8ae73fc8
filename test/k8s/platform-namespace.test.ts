import { App, Chart, Testing } from 'cdk8s';
import { PodSecurityLevel } from '../../lib/k8s/hardening';
import { Microservice } from '../../lib/k8s/microservice';
import { PlatformNamespace } from '../../lib/k8s/platform-namespace';
import { PortProtocol, type ServiceDefinition } from '../../lib/model/service';
import { imageSources, services } from '../fixtures/shop';
import { PlatformChart } from '../../lib/k8s/platform-chart';
import { Platform } from '../../lib/model/platform';
import { MIN_REPLICAS_ANNOTATION } from '../../lib/model/rules';
import { plainEnvironments } from '../fixtures/environments';

const QUOTA = { requestsCpuMillis: 4000, requestsMemoryMiB: 8192, limitsCpuMillis: 16000, limitsMemoryMiB: 16384, requestsEphemeralStorageMiB: 8192, pods: 20 };
const SVC: ServiceDefinition = { name: 'web', namespace: 'team', partOf: 'team', versions: [{ name: 'v1', image: 'r.example.com/web:1.0.0' }], ports: [{ name: 'web', port: 8080, protocol: PortProtocol.HTTP }] };

interface Obj { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: { hard?: Record<string, string>; limits?: Array<Record<string, unknown>> } }

describe('PlatformNamespace', () => {
  let objects: Obj[];
  beforeAll(() => {
    const chart = Testing.chart();
    new PlatformNamespace(chart, 'Team', { name: 'team', quota: QUOTA, podSecurityVersion: 'v1.33' });
    objects = Testing.synth(chart);
  });
  const find = (kind: string) => objects.find((o) => o.kind === kind) as Obj;

  test('labels the namespace for Pod Security Admission (restricted, pinned version) and mesh injection', () => {
    expect(find('Namespace').metadata.labels).toEqual({
      'kubernetes.io/metadata.name': 'team',
      'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.33',
      'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/audit-version': 'v1.33',
      'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/warn-version': 'v1.33',
      'istio-injection': 'enabled',
    });
  });

  test('has a ResourceQuota from the environment config, with no load balancers or node ports', () => {
    expect(find('ResourceQuota').spec?.hard).toEqual({
      'limits.cpu': '16000m', 'limits.memory': '16384Mi', persistentvolumeclaims: 20, pods: 20,
      'requests.cpu': '4000m', 'requests.ephemeral-storage': '8192Mi', 'requests.memory': '8192Mi',
      'services.loadbalancers': 0, 'services.nodeports': 0,
    });
  });

  test('has a LimitRange that gives containers without resources the platform defaults', () => {
    expect(find('LimitRange').spec?.limits).toEqual([{
      type: 'Container',
      defaultRequest: { cpu: '250m', memory: '256Mi', 'ephemeral-storage': '256Mi' },
      default: { cpu: '1000m', memory: '512Mi', 'ephemeral-storage': '1024Mi' },
    }]);
  });

  test('passes the quota check when the workloads fit at their autoscaler maximum', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new PlatformNamespace(chart, 'Team', { name: 'team', quota: QUOTA });
    new Microservice(chart, 'Web', { service: SVC, minReplicas: 2, maxReplicas: 10 }); // 10 x (250m + 100m proxy) = 3500m; limits 10 x 1500m = 15000m
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('fails when the workloads at their autoscaler maximum exceed the quota, naming each shortfall', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const chart = new Chart(app, 'c');
    new PlatformNamespace(chart, 'Team', { name: 'team', quota: QUOTA });
    // 12 x (250m + 100m proxy) = 4200m of requests; 12 x (1000m + 500m) = 18000m of limits; the other namespace does not count
    new Microservice(chart, 'Web', { service: SVC, minReplicas: 2, maxReplicas: 12 });
    new Microservice(chart, 'Elsewhere', { service: { ...SVC, namespace: 'other' }, maxReplicas: 50 });
    expect(() => app.synthYaml()).toThrow(/\[c\/Team\] c\/Team: quota.requestsCpuMillis is 4000; allowed: at least 4200 to hold every workload at its autoscaler maximum \(short by 200; workloads: web 4200\)/);
    expect(() => app.synthYaml()).toThrow(/c\/Team: quota.limitsCpuMillis is 16000; allowed: at least 18000 [^\n]*\(short by 2000; workloads: web 18000\)/);
  });

  test('takes a weaker Pod Security level, no mesh injection and no mesh egress only when named explicitly', () => {
    const ns = new PlatformNamespace(Testing.chart(), 'Legacy', { name: 'legacy', quota: QUOTA, podSecurity: PodSecurityLevel.BASELINE, meshInjection: false, meshControlPlane: false });
    expect([ns.podSecurity, ns.meshInjection, ns.meshControlPlane, ns.podSecurityVersion]).toEqual(['baseline', false, undefined, 'latest']);
  });

  test('states the replica demand of its workloads as an annotation the gate reads: 2 by default, or as given', () => {
    expect(find('Namespace').metadata.annotations).toEqual({ [MIN_REPLICAS_ANNOTATION]: '2' });
    const chart = Testing.chart();
    const three = new PlatformNamespace(chart, 'Three', { name: 'three', quota: QUOTA, minReplicas: 3 });
    expect(three.minReplicas).toBe(3);
    expect((Testing.synth(chart) as Obj[]).find((o) => o.kind === 'Namespace')?.metadata.annotations).toEqual({ [MIN_REPLICAS_ANNOTATION]: '3' });
  });

  test('takes the demand from the environment of a PlatformChart: 1 where it allows a single replica, else 2', () => {
    const platform = new Platform({ ...imageSources, name: 'shop', environments: plainEnvironments, services });
    const demand = (env: string) => new PlatformChart(Testing.app(), 'platform', { platform, environment: env }).namespaces.get('shop')!.minReplicas;
    expect(['dev', 'staging', 'prod'].map(demand)).toEqual([1, 2, 2]);
  });

  test.each([0, 1.5, -2])('fails when minReplicas is %s', (minReplicas) => {
    expect(() => new PlatformNamespace(Testing.chart(), 'Bad', { name: 'team', quota: QUOTA, minReplicas })).toThrow(`test/Bad: minReplicas is ${minReplicas}; allowed: a whole number, 1 or more`);
  });

  test('fails when the name is not a DNS-1123 label', () => {
    expect(() => new PlatformNamespace(Testing.chart(), 'Bad', { name: 'Team_A', quota: QUOTA })).toThrow(/test\/Bad: name is "Team_A"; allowed: a DNS-1123 label/);
  });
});
