/**
 * The gate's Pod Security judgement against Kubernetes' own: the published cases of the pod-security-admission
 * library, "restricted", v1.28 (test/policy/psa-fixtures.ts, re-expressed from
 * kubernetes/kubernetes staging/src/k8s.io/pod-security-admission/test/, Apache-2.0). Every passing case keeps
 * every `baseline/*` and `restricted/*` control of the gate (the `platform/*` rules are the platform's, not PSA's:
 * the fixtures' image `registry.k8s.io/pause` has no tag); every failing case breaks the control matching its check
 * (and exactly the controls it lists). The admission policies (baseline and restricted, CEL, evaluated with
 * @marcbachmann/cel-js) judge every case the same, as a Pod and as the pod template of every workload kind
 * (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob).
 *
 * Stored testdata files missing from the index (the cases are re-expressed from their generators instead): every
 * file of testdata/restricted/v1.28/ but pass/base.yaml, pass/sysctls1.yaml, fail/capabilities_baseline0.yaml,
 * fail/hostports1.yaml, fail/procmount0.yaml and fail/restrictedvolumes9.yaml; and the 1.30+ generator of
 * fixtures_appArmorProfile.go (the field `appArmorProfile`).
 */
import { Chart, Testing } from 'cdk8s';
import { PlatformAdmission } from '../../lib/k8s/admission/platform-admission';
import { checkPodSecurity, PodSecurityControl, type KubernetesObject } from '../../lib/policy/pod-security';
import { evaluatePolicy, loadCel, type PolicyLike } from '../k8s/admission/_cel';
import { PSA_CASES, type PsaCase, type PsaPod } from './psa-fixtures';

const C = PodSecurityControl;
const isPodSecurity = (control: string) => control.startsWith('baseline/') || control.startsWith('restricted/');

let policies: PolicyLike[] = [];

beforeAll(async () => {
  await loadCel();
  const chart = new Chart(Testing.app(), 'psa');
  new PlatformAdmission(chart, 'Admission', { namespaces: ['psa'] });
  policies = (Testing.synth(chart) as Array<PolicyLike & { kind: string }>)
    .filter((o) => o.kind === 'ValidatingAdmissionPolicy' && /-pod-(baseline|restricted)$/.test(o.metadata.name));
});

/** The pod as the Pod itself, and as the pod template of every workload kind the gate and the policies judge. */
function asKinds(pod: PsaPod): Record<string, KubernetesObject> {
  const template = { metadata: { labels: { app: 'psa' }, ...(pod.metadata.annotations ? { annotations: pod.metadata.annotations } : {}) }, spec: pod.spec };
  const runToCompletion = { ...template, spec: { ...pod.spec, restartPolicy: 'Never' } };
  const meta = { name: pod.metadata.name, namespace: 'psa' };
  const selector = { matchLabels: { app: 'psa' } };
  return {
    Pod: { ...pod, metadata: { ...pod.metadata, namespace: 'psa' } },
    Deployment: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta, spec: { selector, template } },
    StatefulSet: { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta, spec: { serviceName: meta.name, selector, template } },
    DaemonSet: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta, spec: { selector, template } },
    ReplicaSet: { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta, spec: { selector, template } },
    ReplicationController: { apiVersion: 'v1', kind: 'ReplicationController', metadata: meta, spec: { template } },
    Job: { apiVersion: 'batch/v1', kind: 'Job', metadata: meta, spec: { template: runToCompletion } },
    CronJob: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta, spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: runToCompletion } } } },
  };
}

/** The gate's Pod Security controls an object breaks, sorted. */
function gateControls(obj: KubernetesObject): string[] {
  return [...new Set(checkPodSecurity([obj]).map((v) => v.control as string).filter(isPodSecurity))].sort();
}

/** The controls the baseline and restricted policies report for an object, sorted. */
function celControls(obj: KubernetesObject): string[] {
  const out = new Set<string>();
  for (const p of policies) {
    const verdict = evaluatePolicy(p, obj);
    expect(verdict.matched).toBe(true);
    for (const m of verdict.failures) out.add(m.slice(0, m.indexOf(':')));
  }
  return [...out].sort();
}

/** The control each check of pod-security-admission matches. */
const MATCHING: Record<string, PodSecurityControl> = {
  allowPrivilegeEscalation: C.PRIVILEGE_ESCALATION,
  appArmorProfile: C.APPARMOR,
  capabilities_baseline: C.CAPABILITIES_BASELINE,
  capabilities_restricted: C.CAPABILITIES_RESTRICTED,
  hostNamespaces: C.HOST_NAMESPACES,
  hostPathVolumes: C.HOST_PATH,
  hostPorts: C.HOST_PORTS,
  privileged: C.PRIVILEGED,
  procMount: C.PROC_MOUNT,
  restrictedVolumes: C.VOLUME_TYPES,
  runAsNonRoot: C.RUN_AS_NON_ROOT,
  runAsUser: C.RUN_AS_USER,
  seLinuxOptions: C.SELINUX,
  seccompProfile_baseline: C.SECCOMP_BASELINE,
  seccompProfile_restricted: C.SECCOMP_RESTRICTED,
  sysctls: C.SYSCTLS,
  windowsHostProcess: C.HOST_PROCESS,
};

const V1_28 = PSA_CASES.filter((c) => c.since === '1.28');
const LATER = PSA_CASES.filter((c) => c.since !== '1.28');

describe('the published cases (restricted, v1.28)', () => {
  test('cover every check of the restricted level at v1.28, each with a failing case, and the base pod', () => {
    expect([...new Set(V1_28.map((c) => c.check))].sort()).toEqual(['base', ...Object.keys(MATCHING)].sort());
    for (const check of Object.keys(MATCHING)) {
      expect([check, V1_28.some((c) => c.check === check && c.expected === 'fail')]).toEqual([check, true]);
    }
    // the six cases whose published YAML the stored copy holds, by name
    const names = V1_28.map((c) => `${c.expected}/${c.name}`);
    for (const name of ['pass/base', 'pass/sysctls1', 'fail/capabilities_baseline0', 'fail/hostports1', 'fail/procmount0', 'fail/restrictedvolumes9']) {
      expect(names).toContain(name);
    }
    expect(new Set(names).size).toBe(names.length);
    expect(V1_28.filter((c) => c.expected === 'pass').length).toBeGreaterThanOrEqual(15);
    expect(V1_28.filter((c) => c.expected === 'fail').length).toBeGreaterThanOrEqual(60);
  });

  test('agree with the published YAML the stored copy holds', () => {
    const byName = (path: string) => V1_28.find((c) => `${c.expected}/${c.name}` === path) as PsaCase;
    expect(byName('fail/procmount0').pod.spec.containers).toEqual([{
      name: 'container1', image: 'registry.k8s.io/pause', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, procMount: 'Unmasked' },
    }]);
    expect(byName('fail/restrictedvolumes9').pod.spec.volumes).toEqual([{ name: 'volume1', cephfs: { monitors: ['test'] } }]);
    expect(byName('fail/hostports1').pod.spec.initContainers).toEqual([expect.objectContaining({ ports: [{ containerPort: 12346, hostPort: 12346 }] })]);
    expect(byName('fail/capabilities_baseline0').pod.spec.containers).toEqual([expect.objectContaining({ securityContext: expect.objectContaining({ capabilities: { drop: ['ALL'], add: ['NET_RAW'] } }) })]);
    expect((byName('pass/sysctls1').pod.spec.securityContext as { sysctls: unknown[] }).sysctls).toHaveLength(6);
    expect(byName('pass/base').pod.spec).toEqual({
      containers: [{ name: 'container1', image: 'registry.k8s.io/pause', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
      initContainers: [{ name: 'initcontainer1', image: 'registry.k8s.io/pause', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    });
  });

  test.each(V1_28.filter((c) => c.expected === 'pass').map((c) => [c.name, c] as const))('passes %s: the gate and the policies admit it', (_name, c) => {
    for (const [kind, obj] of Object.entries(asKinds(c.pod))) {
      expect({ kind, gate: gateControls(obj), cel: celControls(obj) }).toEqual({ kind, gate: [], cel: [] });
    }
  });

  test.each(V1_28.filter((c) => c.expected === 'fail').map((c) => [c.name, c] as const))('fails when %s: the gate and the policies refuse it with the matching control', (_name, c) => {
    expect(c.controls).toContain(MATCHING[c.check]);
    for (const [kind, obj] of Object.entries(asKinds(c.pod))) {
      expect({ kind, gate: gateControls(obj), cel: celControls(obj) }).toEqual({ kind, gate: c.controls, cel: c.controls });
    }
  });
});

describe('the cases of later generators (the gate follows them)', () => {
  test.each(LATER.map((c) => [`${c.name} (${c.expected}, ${c.check}, since ${c.since})`, c] as const))('%s: the gate and the policies judge it as Kubernetes', (_name, c) => {
    for (const [kind, obj] of Object.entries(asKinds(c.pod))) {
      expect({ kind, gate: gateControls(obj), cel: celControls(obj) }).toEqual({ kind, gate: c.controls, cel: c.controls });
    }
  });
});
