/**
 * The mesh over the real workloads of issue 4: the environment's PlatformChart (which instantiates
 * PlatformMesh at its marked spot) synthesizes cleanly, the istioctl-style analysis finds nothing
 * in it, and every Istio object in it validates against the Istio schemas.
 */
import { Testing } from 'cdk8s';
import { PlatformChart } from '../../../lib/k8s/platform-chart';
import { PlatformMesh } from '../../../lib/k8s/mesh/platform-mesh';
import { analyzeIstio, type IstioAnalyzedObject } from '../../../lib/policy/istio-analyze';
import { platform } from '../../../apps/platform';
import { validateIstioObjects, type Manifest } from './_istio-schemas';

describe.each(['dev', 'staging', 'prod'])('PlatformChart with the mesh (%s)', (environment) => {
  let chart: PlatformChart;
  let manifests: Manifest[];
  beforeAll(() => {
    chart = new PlatformChart(Testing.app(), environment, { platform, environment });
    manifests = Testing.synth(chart) as Manifest[];
  });

  test('the chart instantiates PlatformMesh with the analysis on', () => {
    const mesh = chart.node.tryFindChild('Mesh');
    expect(mesh).toBeInstanceOf(PlatformMesh);
    expect((mesh as PlatformMesh).analyze).toBe(true);
  });

  test('the istioctl-style analysis finds nothing over workloads and mesh together', () => {
    expect(manifests.filter((m) => m.kind === 'Deployment').length).toBeGreaterThanOrEqual(14);
    expect(analyzeIstio(manifests as unknown as IstioAnalyzedObject[])).toEqual([]);
  });

  test('every Service port is named by protocol', () => {
    const names = manifests.filter((m) => m.kind === 'Service').flatMap((m) => (m.spec as { ports: { name: string }[] }).ports.map((p) => p.name));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      expect(name).toMatch(/^(grpc|grpc-web|http|http2|https|mongo|mysql|redis|tcp|tls|udp)(-.*)?$/);
    }
  });

  test('no pod runs as the proxy UID 1337 and every pod sets seccomp at pod level (covers the injected containers)', () => {
    const templates = manifests.filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet')
      .map((m) => (m.spec as { template: { spec: { securityContext: { runAsUser: number; seccompProfile?: { type: string } } } } }).template.spec.securityContext);
    for (const sc of templates) {
      expect(sc.runAsUser).not.toBe(1337);
      expect(sc.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    }
  });

  test('every Istio object validates against the Istio schemas', async () => {
    const { checked, errors } = await validateIstioObjects(manifests);
    expect(errors).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });
});
