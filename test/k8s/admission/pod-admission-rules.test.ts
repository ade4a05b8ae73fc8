/**
 * The CEL of the admission policies agrees with the gate (checkPodSecurity) rule by rule: on every fixture, pods
 * and workloads that keep or break each rule, a covered rule fails in CEL exactly when the gate reports it. The
 * expressions are read from the policies the chart emits, and evaluated with @marcbachmann/cel-js.
 */
import { Testing } from 'cdk8s';
import { platform } from '../../../apps/platform';
import { PINNED_BY_DIGEST, PINNED_BY_TAG, POD_ADMISSION_CONTROLS, POD_ADMISSION_RESOURCES } from '../../../lib/k8s/admission/pod-admission-rules';
import { PlatformChart } from '../../../lib/k8s/platform-chart';
import { imageProblem } from '../../../lib/model/validation';
import { checkPodSecurity, hasPodTemplate, PodSecurityControl, type KubernetesObject } from '../../../lib/policy/pod-security';
import { evaluatePolicy, loadCel, type PolicyLike } from './_cel';

type Json = Record<string, unknown>;
type Spec = Json & { containers: Json[]; initContainers?: Json[]; ephemeralContainers?: Json[]; securityContext?: Json; volumes?: Json[] };

const C = PodSecurityControl;
const DIGEST = `sha256:${'ab12'.repeat(16)}`;

function container(name = 'app'): Json {
  return {
    name,
    image: 'registry.example.com/shop/app:1.4.2',
    securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    livenessProbe: { httpGet: { path: '/live', port: 8080 } },
  };
}

/** A pod spec that keeps every rule. */
function goodSpec(): Spec {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [container()],
    initContainers: [{ ...container('init'), readinessProbe: undefined, livenessProbe: undefined }],
    volumes: [{ name: 'tmp', emptyDir: {} }],
  };
}

const meta = (name: string) => ({ name, namespace: 'shop' });
const template = (spec: Spec) => ({ metadata: { labels: { app: 'x' } }, spec });
const WRAP: Record<string, (name: string, spec: Spec) => KubernetesObject> = {
  Pod: (name, spec) => ({ apiVersion: 'v1', kind: 'Pod', metadata: meta(name), spec }),
  ReplicationController: (name, spec) => ({ apiVersion: 'v1', kind: 'ReplicationController', metadata: meta(name), spec: { template: template(spec) } }),
  Deployment: (name, spec) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(name), spec: { selector: { matchLabels: { app: 'x' } }, template: template(spec) } }),
  StatefulSet: (name, spec) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta(name), spec: { serviceName: name, selector: { matchLabels: { app: 'x' } }, template: template(spec) } }),
  DaemonSet: (name, spec) => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta(name), spec: { selector: { matchLabels: { app: 'x' } }, template: template(spec) } }),
  ReplicaSet: (name, spec) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta(name), spec: { selector: { matchLabels: { app: 'x' } }, template: template(spec) } }),
  Job: (name, spec) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: meta(name), spec: { template: template({ ...spec, restartPolicy: 'Never' }) } }),
  CronJob: (name, spec) => ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta(name), spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: template({ ...spec, restartPolicy: 'Never' }) } } } }),
};

/** A fixture: a change to the good pod spec, and the covered rules it breaks (none for a passing fixture). */
interface Fixture { name: string; change: (s: Spec) => void; fails: PodSecurityControl[] }
const sc = (c: Json) => c.securityContext as Json;
const first = (s: Spec) => s.containers[0];
const init = (s: Spec) => (s.initContainers as Json[])[0];
const withImage = (image: string | undefined) => (s: Spec) => { first(s).image = image; };

const FIXTURES: Fixture[] = [
  { name: 'the good pod spec', change: () => undefined, fails: [] },
  { name: 'a minimal spec: the pod settings only on the containers', change: (s) => { delete s.securityContext; delete s.initContainers; delete s.volumes; Object.assign(sc(first(s)), { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } }); }, fails: [] },
  // baseline/host-namespaces
  { name: 'hostNetwork true', change: (s) => { s.hostNetwork = true; }, fails: [C.HOST_NAMESPACES] },
  { name: 'hostPID true', change: (s) => { s.hostPID = true; }, fails: [C.HOST_NAMESPACES] },
  { name: 'hostIPC true', change: (s) => { s.hostIPC = true; }, fails: [C.HOST_NAMESPACES] },
  { name: 'hostNetwork, hostPID and hostIPC false', change: (s) => { Object.assign(s, { hostNetwork: false, hostPID: false, hostIPC: false }); }, fails: [] },
  // baseline/privileged
  { name: 'a privileged container', change: (s) => { sc(first(s)).privileged = true; }, fails: [C.PRIVILEGED] },
  { name: 'a privileged init container', change: (s) => { sc(init(s)).privileged = true; }, fails: [C.PRIVILEGED] },
  { name: 'privileged false', change: (s) => { sc(first(s)).privileged = false; }, fails: [] },
  // capabilities
  { name: 'adds SYS_ADMIN', change: (s) => { (sc(first(s)).capabilities as Json).add = ['SYS_ADMIN']; }, fails: [C.CAPABILITIES_BASELINE, C.CAPABILITIES_RESTRICTED] },
  { name: 'adds CHOWN (baseline allows it, restricted does not)', change: (s) => { (sc(first(s)).capabilities as Json).add = ['CHOWN']; }, fails: [C.CAPABILITIES_RESTRICTED] },
  { name: 'adds NET_BIND_SERVICE and drops ALL', change: (s) => { (sc(first(s)).capabilities as Json).add = ['NET_BIND_SERVICE']; }, fails: [] },
  { name: 'drops NET_RAW only', change: (s) => { (sc(first(s)).capabilities as Json).drop = ['NET_RAW']; }, fails: [C.CAPABILITIES_RESTRICTED] },
  { name: 'no capabilities on an init container', change: (s) => { delete sc(init(s)).capabilities; }, fails: [C.CAPABILITIES_RESTRICTED] },
  // baseline/host-path-volumes
  { name: 'a hostPath volume', change: (s) => { s.volumes = [{ name: 'host', hostPath: { path: '/var/run' } }]; }, fails: [C.HOST_PATH] },
  // baseline/host-ports
  { name: 'a hostPort', change: (s) => { first(s).ports = [{ containerPort: 8080, hostPort: 8080 }]; }, fails: [C.HOST_PORTS] },
  { name: 'hostPort 0', change: (s) => { first(s).ports = [{ containerPort: 8080, hostPort: 0 }]; }, fails: [] },
  // seccomp
  { name: 'seccomp Unconfined on the pod', change: (s) => { (s.securityContext as Json).seccompProfile = { type: 'Unconfined' }; }, fails: [C.SECCOMP_BASELINE, C.SECCOMP_RESTRICTED] },
  { name: 'seccomp Unconfined on a container', change: (s) => { sc(first(s)).seccompProfile = { type: 'Unconfined' }; }, fails: [C.SECCOMP_BASELINE, C.SECCOMP_RESTRICTED] },
  { name: 'no seccomp profile at all', change: (s) => { delete (s.securityContext as Json).seccompProfile; }, fails: [C.SECCOMP_RESTRICTED] },
  { name: 'no pod seccomp profile, RuntimeDefault on every container', change: (s) => { delete (s.securityContext as Json).seccompProfile; for (const c of [first(s), init(s)]) sc(c).seccompProfile = { type: 'RuntimeDefault' }; }, fails: [] },
  { name: 'no pod seccomp profile, one container without', change: (s) => { delete (s.securityContext as Json).seccompProfile; sc(first(s)).seccompProfile = { type: 'RuntimeDefault' }; }, fails: [C.SECCOMP_RESTRICTED] },
  // restricted/privilege-escalation
  { name: 'allowPrivilegeEscalation unset', change: (s) => { delete sc(first(s)).allowPrivilegeEscalation; }, fails: [C.PRIVILEGE_ESCALATION] },
  { name: 'allowPrivilegeEscalation true on an init container', change: (s) => { sc(init(s)).allowPrivilegeEscalation = true; }, fails: [C.PRIVILEGE_ESCALATION] },
  { name: 'a container without a securityContext', change: (s) => { delete first(s).securityContext; }, fails: [C.PRIVILEGE_ESCALATION, C.CAPABILITIES_RESTRICTED] },
  // restricted/running-as-non-root
  { name: 'runAsNonRoot false on a container, true on the pod', change: (s) => { sc(first(s)).runAsNonRoot = false; }, fails: [C.RUN_AS_NON_ROOT] },
  { name: 'runAsNonRoot only on the pod', change: (s) => { delete sc(first(s)).runAsNonRoot; delete sc(init(s)).runAsNonRoot; }, fails: [] },
  { name: 'runAsNonRoot on no pod and not on a container', change: (s) => { delete (s.securityContext as Json).runAsNonRoot; delete sc(first(s)).runAsNonRoot; }, fails: [C.RUN_AS_NON_ROOT] },
  { name: 'runAsNonRoot false on the pod, true on every container', change: (s) => { (s.securityContext as Json).runAsNonRoot = false; }, fails: [] },
  // restricted/running-as-non-root-user
  { name: 'runAsUser 0 on the pod', change: (s) => { (s.securityContext as Json).runAsUser = 0; }, fails: [C.RUN_AS_USER] },
  { name: 'runAsUser 0 on a container', change: (s) => { sc(first(s)).runAsUser = 0; }, fails: [C.RUN_AS_USER] },
  { name: 'runAsUser 1000 on a container', change: (s) => { sc(first(s)).runAsUser = 1000; }, fails: [] },
  // platform/resources
  { name: 'a container without resources', change: (s) => { delete first(s).resources; }, fails: [C.RESOURCES] },
  { name: 'no memory limit', change: (s) => { delete ((first(s).resources as Json).limits as Json).memory; }, fails: [C.RESOURCES] },
  { name: 'no cpu request on an init container', change: (s) => { delete ((init(s).resources as Json).requests as Json).cpu; }, fails: [C.RESOURCES] },
  { name: 'no container at all', change: (s) => { s.containers = []; }, fails: [C.RESOURCES] },
  // ephemeral containers: judged by every rule but resources (Kubernetes refuses resources there)
  { name: 'a compliant ephemeral container without resources', change: (s) => { s.ephemeralContainers = [{ ...container('debug'), resources: undefined, readinessProbe: undefined, livenessProbe: undefined }]; }, fails: [] },
  { name: 'an ephemeral container of image latest, running as root', change: (s) => { s.ephemeralContainers = [{ name: 'debug', image: 'busybox:latest', securityContext: { runAsUser: 0 } }]; }, fails: [C.PINNED_IMAGE, C.RUN_AS_USER, C.PRIVILEGE_ESCALATION, C.CAPABILITIES_RESTRICTED] },
  // platform/pinned-image
  { name: 'image :latest', change: withImage('registry.example.com/shop/app:latest'), fails: [C.PINNED_IMAGE] },
  { name: 'image without a tag', change: withImage('registry.example.com/shop/app'), fails: [C.PINNED_IMAGE] },
  { name: 'image of a registry with a port, without a tag', change: withImage('registry.example.com:5000/shop/app'), fails: [C.PINNED_IMAGE] },
  { name: 'image of a registry with a port, with a tag', change: withImage('registry.example.com:5000/shop/app:1.0'), fails: [] },
  { name: 'image by digest', change: withImage(`registry.example.com/shop/app@${DIGEST}`), fails: [] },
  { name: 'image latest, with a digest', change: withImage(`registry.example.com/shop/app:latest@${DIGEST}`), fails: [] },
  { name: 'image with a short digest', change: withImage('registry.example.com/shop/app@sha256:abc'), fails: [C.PINNED_IMAGE] },
  { name: 'image tag starting with a dash', change: withImage('registry.example.com/shop/app:-1'), fails: [C.PINNED_IMAGE] },
  { name: 'image tag latest-ish is a tag', change: withImage('app:latest-2'), fails: [] },
  { name: 'image with a space', change: withImage('app:1.0 '), fails: [C.PINNED_IMAGE] },
  { name: 'no image', change: withImage(undefined), fails: [C.PINNED_IMAGE] },
];

let policies: PolicyLike[] = [];
let reference: Record<string, KubernetesObject[]> = {};
const ENVS = ['dev', 'staging', 'prod'];

beforeAll(async () => {
  await loadCel();
  reference = Object.fromEntries(ENVS.map((env) => [env, Testing.synth(new PlatformChart(Testing.app(), env, { platform, environment: env })) as KubernetesObject[]]));
  policies = reference.prod.filter((o) => o.kind === 'ValidatingAdmissionPolicy') as unknown as PolicyLike[];
});

/** The covered rules an object breaks, by CEL (from the failed validations' messages) and by the gate. */
function verdicts(obj: KubernetesObject): { cel: string[]; gate: string[] } {
  const cel = new Set<string>();
  for (const p of policies) {
    const v = evaluatePolicy(p, obj);
    expect(v.matched).toBe(true);
    for (const m of v.failures) cel.add(m.slice(0, m.indexOf(':')));
  }
  const gate = new Set(checkPodSecurity([obj]).map((v) => v.control as string).filter((c) => POD_ADMISSION_CONTROLS.includes(c as PodSecurityControl)));
  return { cel: [...cel].sort(), gate: [...gate].sort() };
}

function build(kind: string, f: Fixture): KubernetesObject {
  const spec = goodSpec();
  f.change(spec);
  return WRAP[kind](`f-${kind.toLowerCase()}`, JSON.parse(JSON.stringify(spec)) as Spec);
}

test('the policies cover 13 of the gate\'s rules, each once', () => {
  expect(policies.map((p) => p.metadata.name)).toEqual(['eks-platform-pod-baseline', 'eks-platform-pod-restricted', 'eks-platform-pod-platform']);
  expect(new Set(POD_ADMISSION_CONTROLS).size).toBe(POD_ADMISSION_CONTROLS.length);
  expect([...POD_ADMISSION_CONTROLS].sort()).toEqual([
    C.CAPABILITIES_BASELINE, C.HOST_NAMESPACES, C.HOST_PATH, C.HOST_PORTS, C.PRIVILEGED, C.SECCOMP_BASELINE,
    C.PINNED_IMAGE, C.RESOURCES,
    C.CAPABILITIES_RESTRICTED, C.PRIVILEGE_ESCALATION, C.RUN_AS_NON_ROOT, C.RUN_AS_USER, C.SECCOMP_RESTRICTED,
  ].sort());
});

test('every fixture breaks a covered rule on one side only if it does on the other', () => {
  // a failing fixture must fail the rule it targets, a passing one nothing: each rule has both
  for (const control of POD_ADMISSION_CONTROLS) {
    expect([control, FIXTURES.some((f) => f.fails.includes(control))]).toEqual([control, true]);
  }
  expect(FIXTURES.filter((f) => f.fails.length === 0).length).toBeGreaterThan(10);
});

describe.each(Object.keys(WRAP))('as a %s', (kind) => {
  test.each(FIXTURES.map((f) => [f.name, f] as const))('%s: CEL and the gate agree, rule by rule', (_name, f) => {
    const obj = build(kind, f);
    expect(hasPodTemplate(obj)).toBe(true);
    const { cel, gate } = verdicts(obj);
    const expected = [...f.fails].sort();
    expect({ cel, gate }).toEqual({ cel: expected, gate: expected });
  });
});

test('every kind the policies match is one the fixtures cover', () => {
  expect([...new Set(POD_ADMISSION_RESOURCES.map((r) => r.kind))].sort()).toEqual(Object.keys(WRAP).sort());
});

test('the image patterns agree with the gate\'s imageProblem on every fixture image', () => {
  const images = ['a:1', 'a', 'a:latest', 'h:5000/a', 'h:5000/a:1', `a@${DIGEST}`, `a:latest@${DIGEST}`, 'a@sha256:x', 'a:-1', 'a:_1', 'a:1 ', '', 'a:1:2', 'a/b:c/d', `a@${DIGEST}@${DIGEST}`];
  for (const image of images) {
    const celPinned = PINNED_BY_DIGEST.test(image) || (PINNED_BY_TAG.test(image) && !image.endsWith(':latest'));
    expect([image, celPinned]).toEqual([image, imageProblem(image) === undefined]);
  }
});

test('an UPDATE of a pod that leaves its spec as it was is not judged; one that changes it is', () => {
  const bad = build('Pod', FIXTURES.find((f) => f.name === 'hostNetwork true') as Fixture);
  const relabelled = { ...bad, metadata: { ...bad.metadata, labels: { extra: 'x' } } };
  for (const p of policies) {
    expect(evaluatePolicy(p, relabelled, bad).matched).toBe(false);
  }
  const good = build('Pod', FIXTURES[0]);
  expect(evaluatePolicy(policies[0], bad, good)).toEqual({ matched: true, failures: [expect.stringMatching(/^baseline\/host-namespaces: /)] });
  // a workload's UPDATE is judged even when its template is unchanged (Argo CD re-applies it)
  const deployment = build('Deployment', FIXTURES.find((f) => f.name === 'hostNetwork true') as Fixture);
  expect(evaluatePolicy(policies[0], deployment, deployment).matched).toBe(true);
});

describe.each(ENVS)('the reference platform in %s', (env) => {
  test('passes every policy: each of its workloads (16) keeps every rule in CEL as at the gate', () => {
    const envPolicies = reference[env].filter((o) => o.kind === 'ValidatingAdmissionPolicy') as unknown as PolicyLike[];
    expect(envPolicies).toHaveLength(3);
    const kinds = new Set(POD_ADMISSION_RESOURCES.map((r) => r.kind));
    const judged = reference[env].filter((o) => kinds.has(o.kind ?? ''));
    expect(judged).toHaveLength(16);
    const failures = judged.flatMap((o) => envPolicies.flatMap((p) => {
      const v = evaluatePolicy(p, o);
      return v.matched ? v.failures.map((m) => `${o.kind} ${o.metadata?.namespace}/${o.metadata?.name}: ${m}`) : [`${o.kind} ${o.metadata?.name}: not matched`];
    }));
    expect(failures).toEqual([]);
    expect(checkPodSecurity(judged)).toEqual([]);
  });
});
