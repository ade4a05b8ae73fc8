/**
 * The gate refuses a synth whose Kubernetes output breaks a workload rule (lib/policy/workload-rules.ts): a small
 * platform, one rule broken per case through the library's escape hatches (`extendChart`: a JSON patch on an emitted
 * object, or an object of the user's own), and nothing written.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, JsonPatch } from 'cdk8s';
import { imageSources } from '../../apps/platform';
import { synthesize } from '../../lib/app/synthesize';
import type { PlatformChart } from '../../lib/k8s/platform-chart';
import { Platform } from '../../lib/model/platform';
import { PortProtocol } from '../../lib/model/service';
import { WorkloadRule } from '../../lib/policy/workload-rules';
import { listFiles } from '../../lib/synth';
import { plainEnvironments } from '../fixtures/environments';

/** One stateless service in one environment that demands 2 replicas (staging). */
const platform = new Platform({
  ...imageSources,
  name: 'tiny',
  environments: plainEnvironments.filter((e) => e.name === 'staging'),
  services: [{
    name: 'web', namespace: 'tiny', partOf: 'tiny',
    versions: [{ name: 'v1', image: '111122223333.dkr.ecr.eu-central-1.amazonaws.com/tiny/web:1.0.0' }],
    ports: [{ name: 'web', port: 8080, protocol: PortProtocol.HTTP }],
  }],
});

function scratch(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'gate-refusal-k8s-'));
}

function web(chart: PlatformChart) {
  return chart.microservices.get('tiny/web')!.versions[0];
}

describe('the gate refuses Kubernetes output that breaks a workload rule', () => {
  test('passes the small platform as it is built, with the namespace\'s demand stated', () => {
    const out = scratch();
    synthesize(platform, { outdir: out, only: 'kubernetes' });
    const yaml = fs.readFileSync(path.join(out, 'dist', 'staging', 'platform.k8s.yaml'), 'utf8');
    expect(yaml).toContain('eks-platform/min-replicas: "2"');
  });

  test.each<[string, WorkloadRule, (chart: PlatformChart) => void]>([
    ['a PodDisruptionBudget allows no eviction (maxUnavailable 0)', WorkloadRule.DISRUPTION_BUDGET,
      (chart) => web(chart).disruptionBudget.addJsonPatch(JsonPatch.replace('/spec/maxUnavailable', 0))],
    ['the autoscaler keeps one replica where the namespace demands 2', WorkloadRule.REPLICAS,
      (chart) => web(chart).autoscaler.addJsonPatch(JsonPatch.replace('/spec/minReplicas', 1))],
    ['the pod mounts its service account token without any RBAC binding', WorkloadRule.SERVICE_ACCOUNT_TOKEN,
      (chart) => web(chart).deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/automountServiceAccountToken', true))],
    ['the zone spread constraint is removed', WorkloadRule.ZONE_SPREAD,
      (chart) => web(chart).deployment.addJsonPatch(JsonPatch.remove('/spec/template/spec/topologySpreadConstraints/0'))],
    ['a PeerAuthentication of the user disables mTLS', WorkloadRule.MTLS_DISABLED,
      (chart) => new ApiObject(chart, 'Plaintext', { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'plaintext', namespace: 'tiny' }, spec: { mtls: { mode: 'DISABLE' } } })],
  ])('fails when %s: the synth is refused with the rule id, and nothing is written', (_name, rule, breakIt) => {
    const out = scratch();
    let message = '';
    try {
      synthesize(platform, { outdir: out, only: 'kubernetes', extendChart: breakIt });
    } catch (err) {
      message = err instanceof Error ? err.message : String(err);
    }
    expect(message).toContain('the gate refused the output');
    expect(message).toContain(`[${rule}]`);
    // every violation is of the broken rule: the rest of the platform still passes
    const rules = [...message.matchAll(/^\s+\[([^\]]+)\]/gm)].map((m) => m[1]);
    expect(new Set(rules)).toEqual(new Set([rule]));
    expect(listFiles(out).filter((f) => !f.startsWith('.eks-platform/'))).toEqual([]);
  });
});
