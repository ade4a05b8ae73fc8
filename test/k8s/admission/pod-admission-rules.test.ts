/**
 * The CEL of the admission policies agrees with the gate (checkPodSecurity) rule by rule: on every fixture, pods
 * and workloads that keep or break each rule, a covered rule fails in CEL exactly when the gate reports it. The
 * expressions are read from the policies the chart emits, and evaluated with @marcbachmann/cel-js.
 */
import { Testing } from 'cdk8s';
import { platform } from '../../../apps/platform';
import { platform as shopWithStatefulRedis } from '../../fixtures/shop';
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

type Annotations = Record<string, string>;
const meta = (name: string, annotations?: Annotations) => ({ name, namespace: 'shop', ...(annotations ? { annotations } : {}) });
const template = (spec: Spec, annotations?: Annotations) => ({ metadata: { labels: { app: 'x' }, ...(annotations ? { annotations } : {}) }, spec });
/** Each kind the policies match, holding a pod spec and the annotations of its pod (template) metadata. */
const WRAP: Record<string, (name: string, spec: Spec, annotations?: Annotations) => KubernetesObject> = {
  Pod: (name, spec, a) => ({ apiVersion: 'v1', kind: 'Pod', metadata: meta(name, a), spec }),
  ReplicationController: (name, spec, a) => ({ apiVersion: 'v1', kind: 'ReplicationController', metadata: meta(name), spec: { template: template(spec, a) } }),
  Deployment: (name, spec, a) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(name), spec: { selector: { matchLabels: { app: 'x' } }, template: template(spec, a) } }),
  StatefulSet: (name, spec, a) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta(name), spec: { serviceName: name, selector: { matchLabels: { app: 'x' } }, template: template(spec, a) } }),
  DaemonSet: (name, spec, a) => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta(name), spec: { selector: { matchLabels: { app: 'x' } }, template: template(spec, a) } }),
  ReplicaSet: (name, spec, a) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta(name), spec: { selector: { matchLabels: { app: 'x' } }, template: template(spec, a) } }),
  Job: (name, spec, a) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: meta(name), spec: { template: template({ ...spec, restartPolicy: 'Never' }, a) } }),
  CronJob: (name, spec, a) => ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta(name), spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: template({ ...spec, restartPolicy: 'Never' }, a) } } } }),
};

/**
 * A fixture: a change to the good pod spec, the annotations of the pod (template) metadata, and the covered rules it
 * breaks (none for a passing fixture, which names the rules it exercises instead).
 */
interface Fixture {
  name: string;
  change: (s: Spec) => void;
  annotations?: Annotations;
  fails: PodSecurityControl[];
  /** For a passing fixture: the rules whose fields it sets, and keeps. */
  keeps?: PodSecurityControl[];
}
const APPARMOR = 'container.apparmor.security.beta.kubernetes.io/';
const sc = (c: Json) => c.securityContext as Json;
const first = (s: Spec) => s.containers[0];
const init = (s: Spec) => (s.initContainers as Json[])[0];
const withImage = (image: string | undefined) => (s: Spec) => { first(s).image = image; };
const psc = (s: Spec) => s.securityContext as Json;
const nothing = () => undefined;

const FIXTURES: Fixture[] = [
  { name: 'the good pod spec', change: () => undefined, fails: [], keeps: [C.PRIVILEGE_ESCALATION, C.CAPABILITIES_RESTRICTED, C.RESOURCES, C.RUN_AS_USER, C.HOST_PATH, C.VOLUME_TYPES, C.PINNED_IMAGE] },
  { name: 'a minimal spec: the pod settings only on the containers', change: (s) => { delete s.securityContext; delete s.initContainers; delete s.volumes; Object.assign(sc(first(s)), { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } }); }, fails: [] },
  // baseline/host-namespaces
  { name: 'hostNetwork true', change: (s) => { s.hostNetwork = true; }, fails: [C.HOST_NAMESPACES] },
  { name: 'hostPID true', change: (s) => { s.hostPID = true; }, fails: [C.HOST_NAMESPACES] },
  { name: 'hostIPC true', change: (s) => { s.hostIPC = true; }, fails: [C.HOST_NAMESPACES] },
  { name: 'hostNetwork, hostPID and hostIPC false', change: (s) => { Object.assign(s, { hostNetwork: false, hostPID: false, hostIPC: false }); }, fails: [], keeps: [C.HOST_NAMESPACES] },
  // baseline/privileged
  { name: 'a privileged container', change: (s) => { sc(first(s)).privileged = true; }, fails: [C.PRIVILEGED] },
  { name: 'a privileged init container', change: (s) => { sc(init(s)).privileged = true; }, fails: [C.PRIVILEGED] },
  { name: 'privileged false', change: (s) => { sc(first(s)).privileged = false; }, fails: [], keeps: [C.PRIVILEGED] },
  // capabilities
  { name: 'adds SYS_ADMIN', change: (s) => { (sc(first(s)).capabilities as Json).add = ['SYS_ADMIN']; }, fails: [C.CAPABILITIES_BASELINE, C.CAPABILITIES_RESTRICTED] },
  { name: 'adds CHOWN (baseline allows it, restricted does not)', change: (s) => { (sc(first(s)).capabilities as Json).add = ['CHOWN']; }, fails: [C.CAPABILITIES_RESTRICTED] },
  { name: 'adds NET_BIND_SERVICE and drops ALL', change: (s) => { (sc(first(s)).capabilities as Json).add = ['NET_BIND_SERVICE']; }, fails: [], keeps: [C.CAPABILITIES_BASELINE, C.CAPABILITIES_RESTRICTED] },
  { name: 'drops NET_RAW only', change: (s) => { (sc(first(s)).capabilities as Json).drop = ['NET_RAW']; }, fails: [C.CAPABILITIES_RESTRICTED] },
  { name: 'no capabilities on an init container', change: (s) => { delete sc(init(s)).capabilities; }, fails: [C.CAPABILITIES_RESTRICTED] },
  // baseline/host-path-volumes
  { name: 'a hostPath volume (host paths, and a type restricted refuses)', change: (s) => { s.volumes = [{ name: 'host', hostPath: { path: '/var/run' } }]; }, fails: [C.HOST_PATH, C.VOLUME_TYPES] },
  // baseline/host-ports
  { name: 'a hostPort', change: (s) => { first(s).ports = [{ containerPort: 8080, hostPort: 8080 }]; }, fails: [C.HOST_PORTS] },
  { name: 'hostPort 0', change: (s) => { first(s).ports = [{ containerPort: 8080, hostPort: 0 }]; }, fails: [], keeps: [C.HOST_PORTS] },
  // seccomp
  { name: 'seccomp Unconfined on the pod', change: (s) => { (s.securityContext as Json).seccompProfile = { type: 'Unconfined' }; }, fails: [C.SECCOMP_BASELINE, C.SECCOMP_RESTRICTED] },
  { name: 'seccomp Unconfined on a container', change: (s) => { sc(first(s)).seccompProfile = { type: 'Unconfined' }; }, fails: [C.SECCOMP_BASELINE, C.SECCOMP_RESTRICTED] },
  { name: 'no seccomp profile at all', change: (s) => { delete (s.securityContext as Json).seccompProfile; }, fails: [C.SECCOMP_RESTRICTED] },
  { name: 'no pod seccomp profile, RuntimeDefault on every container', change: (s) => { delete (s.securityContext as Json).seccompProfile; for (const c of [first(s), init(s)]) sc(c).seccompProfile = { type: 'RuntimeDefault' }; }, fails: [], keeps: [C.SECCOMP_BASELINE, C.SECCOMP_RESTRICTED] },
  { name: 'no pod seccomp profile, one container without', change: (s) => { delete (s.securityContext as Json).seccompProfile; sc(first(s)).seccompProfile = { type: 'RuntimeDefault' }; }, fails: [C.SECCOMP_RESTRICTED] },
  // restricted/privilege-escalation
  { name: 'allowPrivilegeEscalation unset', change: (s) => { delete sc(first(s)).allowPrivilegeEscalation; }, fails: [C.PRIVILEGE_ESCALATION] },
  { name: 'allowPrivilegeEscalation true on an init container', change: (s) => { sc(init(s)).allowPrivilegeEscalation = true; }, fails: [C.PRIVILEGE_ESCALATION] },
  { name: 'a container without a securityContext', change: (s) => { delete first(s).securityContext; }, fails: [C.PRIVILEGE_ESCALATION, C.CAPABILITIES_RESTRICTED] },
  // restricted/running-as-non-root
  { name: 'runAsNonRoot false on a container, true on the pod', change: (s) => { sc(first(s)).runAsNonRoot = false; }, fails: [C.RUN_AS_NON_ROOT] },
  { name: 'runAsNonRoot only on the pod', change: (s) => { delete sc(first(s)).runAsNonRoot; delete sc(init(s)).runAsNonRoot; }, fails: [], keeps: [C.RUN_AS_NON_ROOT] },
  { name: 'runAsNonRoot on no pod and not on a container', change: (s) => { delete (s.securityContext as Json).runAsNonRoot; delete sc(first(s)).runAsNonRoot; }, fails: [C.RUN_AS_NON_ROOT] },
  { name: 'runAsNonRoot false on the pod, true on every container (Kubernetes refuses an explicit false on the pod)', change: (s) => { (s.securityContext as Json).runAsNonRoot = false; }, fails: [C.RUN_AS_NON_ROOT] },
  { name: 'runAsNonRoot unset on the pod, true on every container', change: (s) => { delete psc(s).runAsNonRoot; }, fails: [] },
  // restricted/running-as-non-root-user
  { name: 'runAsUser 0 on the pod', change: (s) => { (s.securityContext as Json).runAsUser = 0; }, fails: [C.RUN_AS_USER] },
  { name: 'runAsUser 0 on a container', change: (s) => { sc(first(s)).runAsUser = 0; }, fails: [C.RUN_AS_USER] },
  { name: 'runAsUser 1000 on a container', change: (s) => { sc(first(s)).runAsUser = 1000; }, fails: [], keeps: [C.RUN_AS_USER] },
  // baseline/host-process
  { name: 'hostProcess true on the pod', change: (s) => { psc(s).windowsOptions = { hostProcess: true }; }, fails: [C.HOST_PROCESS] },
  { name: 'hostProcess true on an init container', change: (s) => { sc(init(s)).windowsOptions = { hostProcess: true }; }, fails: [C.HOST_PROCESS] },
  { name: 'hostProcess true on an ephemeral container', change: (s) => { s.ephemeralContainers = [{ ...container('debug'), resources: undefined, readinessProbe: undefined, livenessProbe: undefined }]; sc(s.ephemeralContainers[0]).windowsOptions = { hostProcess: true }; }, fails: [C.HOST_PROCESS] },
  { name: 'hostProcess false on the pod and a container, other Windows options set', change: (s) => { psc(s).windowsOptions = { hostProcess: false, runAsUserName: 'app' }; sc(first(s)).windowsOptions = { hostProcess: false }; }, fails: [], keeps: [C.HOST_PROCESS] },
  // baseline/apparmor: the beta annotations of the pod (template) metadata, and the field (Kubernetes 1.30+)
  { name: 'AppArmor annotation unconfined for a container', change: nothing, annotations: { [`${APPARMOR}app`]: 'unconfined' }, fails: [C.APPARMOR] },
  { name: 'AppArmor annotation of an unknown profile kind for an init container', change: nothing, annotations: { [`${APPARMOR}init`]: 'custom' }, fails: [C.APPARMOR] },
  { name: 'AppArmor annotations runtime/default, localhost/* and empty', change: nothing, annotations: { [`${APPARMOR}app`]: 'runtime/default', [`${APPARMOR}init`]: 'localhost/k8s-app', [`${APPARMOR}debug`]: '' }, fails: [], keeps: [C.APPARMOR] },
  { name: 'an annotation unconfined that is not an AppArmor one', change: nothing, annotations: { 'example.com/apparmor': 'unconfined', 'container.apparmor.security.beta.kubernetes.io': 'unconfined' }, fails: [] },
  { name: 'AppArmor profile Unconfined on the pod', change: (s) => { psc(s).appArmorProfile = { type: 'Unconfined' }; }, fails: [C.APPARMOR] },
  { name: 'AppArmor profile Unconfined on an init container', change: (s) => { sc(init(s)).appArmorProfile = { type: 'Unconfined' }; }, fails: [C.APPARMOR] },
  { name: 'AppArmor profile RuntimeDefault on the pod, Localhost on a container', change: (s) => { psc(s).appArmorProfile = { type: 'RuntimeDefault' }; sc(first(s)).appArmorProfile = { type: 'Localhost', localhostProfile: 'k8s-app' }; }, fails: [], keeps: [C.APPARMOR] },
  // baseline/selinux
  { name: 'SELinux type spc_t on the pod', change: (s) => { psc(s).seLinuxOptions = { type: 'spc_t' }; }, fails: [C.SELINUX] },
  { name: 'SELinux user on a container', change: (s) => { sc(first(s)).seLinuxOptions = { user: 'system_u' }; }, fails: [C.SELINUX] },
  { name: 'SELinux role on an init container', change: (s) => { sc(init(s)).seLinuxOptions = { role: 'system_r' }; }, fails: [C.SELINUX] },
  { name: 'SELinux container types with any level, empty options', change: (s) => { psc(s).seLinuxOptions = { type: 'container_t', level: 's0:c123,c456' }; sc(first(s)).seLinuxOptions = { type: 'container_engine_t' }; sc(init(s)).seLinuxOptions = { type: '', user: '', role: '' }; }, fails: [], keeps: [C.SELINUX] },
  // baseline/proc-mount
  { name: 'procMount Unmasked on a container', change: (s) => { sc(first(s)).procMount = 'Unmasked'; }, fails: [C.PROC_MOUNT] },
  { name: 'procMount Unmasked on an init container, in a user namespace', change: (s) => { s.hostUsers = false; sc(init(s)).procMount = 'Unmasked'; }, fails: [C.PROC_MOUNT] },
  { name: 'procMount Default on every container', change: (s) => { sc(first(s)).procMount = 'Default'; sc(init(s)).procMount = 'Default'; }, fails: [], keeps: [C.PROC_MOUNT] },
  { name: 'a liveness probe that names another host', change: (s) => { first(s).livenessProbe = { httpGet: { path: '/live', port: 8080, host: 'bad.host' } }; }, fails: [C.HOST_PROBES] },
  { name: 'an init container\'s readiness probe on a TCP socket of another host', change: (s) => { init(s).readinessProbe = { tcpSocket: { port: 53, host: '8.8.8.8' } }; }, fails: [C.HOST_PROBES] },
  { name: 'a postStart hook that calls another host', change: (s) => { first(s).lifecycle = { postStart: { httpGet: { path: '/', port: 80, host: 'bad.host' } } }; }, fails: [C.HOST_PROBES] },
  { name: 'probes and hooks on the loopback addresses or without a host', change: (s) => { first(s).livenessProbe = { httpGet: { path: '/live', port: 8080, host: '127.0.0.1' } }; first(s).startupProbe = { tcpSocket: { port: 8080, host: '::1' } }; first(s).lifecycle = { preStop: { httpGet: { path: '/stop', port: 8080, host: '' } } }; }, fails: [], keeps: [C.HOST_PROBES] },
  // baseline/sysctls
  { name: 'an unsafe sysctl among safe ones', change: (s) => { psc(s).sysctls = [{ name: 'net.ipv4.tcp_syncookies', value: '1' }, { name: 'kernel.msgmax', value: '65536' }]; }, fails: [C.SYSCTLS] },
  { name: 'a sysctl without a name', change: (s) => { psc(s).sysctls = [{ value: '1' }]; }, fails: [C.SYSCTLS] },
  { name: 'the safe sysctls of 1.27, 1.29 and 1.32', change: (s) => { psc(s).sysctls = ['net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'].map((name) => ({ name, value: '1' })); }, fails: [], keeps: [C.SYSCTLS] },
  { name: 'an empty sysctl list', change: (s) => { psc(s).sysctls = []; }, fails: [] },
  // restricted/volume-types
  { name: 'an nfs volume', change: (s) => { (s.volumes as Json[]).push({ name: 'share', nfs: { server: 'nfs.example.com', path: '/' } }); }, fails: [C.VOLUME_TYPES] },
  { name: 'a gitRepo volume', change: (s) => { s.volumes = [{ name: 'src', gitRepo: { repository: 'https://example.com/r.git' } }]; }, fails: [C.VOLUME_TYPES] },
  { name: 'an awsElasticBlockStore volume', change: (s) => { s.volumes = [{ name: 'ebs', awsElasticBlockStore: { volumeID: 'vol-0123' } }]; }, fails: [C.VOLUME_TYPES] },
  {
    name: 'every volume type restricted allows, and a volume without a source',
    change: (s) => {
      s.volumes = [
        { name: 'a', configMap: { name: 'c' } }, { name: 'b', csi: { driver: 'secrets-store.csi.k8s.io' } }, { name: 'c', downwardAPI: { items: [] } },
        { name: 'd', emptyDir: {} }, { name: 'e', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'] } } } },
        { name: 'f', image: { reference: 'registry.example.com/data:1.0' } }, { name: 'g', persistentVolumeClaim: { claimName: 'data' } },
        { name: 'h', projected: { sources: [] } }, { name: 'i', secret: { secretName: 's' } }, { name: 'j' },
      ];
    },
    fails: [],
    keeps: [C.VOLUME_TYPES, C.HOST_PATH],
  },
  // Windows pods (spec.os.name windows): Pod Security Admission (1.25+) skips restricted/capabilities, privilege-escalation and seccomp
  {
    name: 'a Windows pod without allowPrivilegeEscalation, capabilities or seccomp',
    change: (s) => { s.os = { name: 'windows' }; delete psc(s).seccompProfile; for (const c of [first(s), init(s)]) c.securityContext = { runAsNonRoot: true }; },
    fails: [],
    keeps: [C.PRIVILEGE_ESCALATION, C.CAPABILITIES_RESTRICTED, C.SECCOMP_RESTRICTED],
  },
  { name: 'a Windows pod that adds CHOWN and sets allowPrivilegeEscalation true', change: (s) => { s.os = { name: 'windows' }; (sc(first(s)).capabilities as Json).add = ['CHOWN']; sc(init(s)).allowPrivilegeEscalation = true; }, fails: [] },
  { name: 'a Windows pod that adds SYS_ADMIN and runs as root', change: (s) => { s.os = { name: 'windows' }; (sc(first(s)).capabilities as Json).add = ['SYS_ADMIN']; sc(first(s)).runAsUser = 0; }, fails: [C.CAPABILITIES_BASELINE, C.RUN_AS_USER] },
  { name: 'a Windows pod with an Unconfined seccomp profile (baseline still applies)', change: (s) => { s.os = { name: 'windows' }; psc(s).seccompProfile = { type: 'Unconfined' }; }, fails: [C.SECCOMP_BASELINE] },
  { name: 'a Linux pod (os linux) without allowPrivilegeEscalation, capabilities or seccomp', change: (s) => { s.os = { name: 'linux' }; delete psc(s).seccompProfile; first(s).securityContext = { runAsNonRoot: true }; }, fails: [C.PRIVILEGE_ESCALATION, C.CAPABILITIES_RESTRICTED, C.SECCOMP_RESTRICTED] },
  { name: 'an os without a name', change: (s) => { s.os = {}; delete sc(first(s)).allowPrivilegeEscalation; }, fails: [C.PRIVILEGE_ESCALATION] },
  // platform/resources
  { name: 'a container without resources', change: (s) => { delete first(s).resources; }, fails: [C.RESOURCES] },
  { name: 'no memory limit', change: (s) => { delete ((first(s).resources as Json).limits as Json).memory; }, fails: [C.RESOURCES] },
  { name: 'no cpu request on an init container', change: (s) => { delete ((init(s).resources as Json).requests as Json).cpu; }, fails: [C.RESOURCES] },
  { name: 'no container at all', change: (s) => { s.containers = []; }, fails: [C.RESOURCES] },
  // ephemeral containers: judged by every rule but resources (Kubernetes refuses resources there)
  { name: 'a compliant ephemeral container without resources', change: (s) => { s.ephemeralContainers = [{ ...container('debug'), resources: undefined, readinessProbe: undefined, livenessProbe: undefined }]; }, fails: [], keeps: [C.RESOURCES] },
  { name: 'an ephemeral container of image latest, running as root', change: (s) => { s.ephemeralContainers = [{ name: 'debug', image: 'busybox:latest', securityContext: { runAsUser: 0 } }]; }, fails: [C.PINNED_IMAGE, C.RUN_AS_USER, C.PRIVILEGE_ESCALATION, C.CAPABILITIES_RESTRICTED] },
  // platform/pinned-image
  { name: 'image :latest', change: withImage('registry.example.com/shop/app:latest'), fails: [C.PINNED_IMAGE] },
  { name: 'image without a tag', change: withImage('registry.example.com/shop/app'), fails: [C.PINNED_IMAGE] },
  { name: 'image of a registry with a port, without a tag', change: withImage('registry.example.com:5000/shop/app'), fails: [C.PINNED_IMAGE] },
  { name: 'image of a registry with a port, with a tag', change: withImage('registry.example.com:5000/shop/app:1.0'), fails: [] },
  { name: 'image by digest', change: withImage(`registry.example.com/shop/app@${DIGEST}`), fails: [], keeps: [C.PINNED_IMAGE] },
  { name: 'image latest, with a digest', change: withImage(`registry.example.com/shop/app:latest@${DIGEST}`), fails: [] },
  { name: 'image with a short digest', change: withImage('registry.example.com/shop/app@sha256:abc'), fails: [C.PINNED_IMAGE] },
  { name: 'image tag starting with a dash', change: withImage('registry.example.com/shop/app:-1'), fails: [C.PINNED_IMAGE] },
  { name: 'image tag latest-ish is a tag', change: withImage('app:latest-2'), fails: [] },
  { name: 'image with a space', change: withImage('app:1.0 '), fails: [C.PINNED_IMAGE] },
  { name: 'no image', change: withImage(undefined), fails: [C.PINNED_IMAGE] },
];

let policies: PolicyLike[] = [];
let reference: Record<string, KubernetesObject[]> = {};
/** The shop with its stateful Redis (test/fixtures/shop.ts): a StatefulSet of the library among its workloads. */
let withStatefulRedis: Record<string, KubernetesObject[]> = {};
const ENVS = ['dev', 'staging', 'prod'];

beforeAll(async () => {
  await loadCel();
  reference = Object.fromEntries(ENVS.map((env) => [env, Testing.synth(new PlatformChart(Testing.app(), env, { platform, environment: env })) as KubernetesObject[]]));
  withStatefulRedis = Object.fromEntries(ENVS.map((env) => [env, Testing.synth(new PlatformChart(Testing.app(), env, { platform: shopWithStatefulRedis, environment: env })) as KubernetesObject[]]));
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
  return WRAP[kind](`f-${kind.toLowerCase()}`, JSON.parse(JSON.stringify(spec)) as Spec, f.annotations);
}

test('the policies cover 19 of the gate\'s rules, each once: every Pod Security control, and two of the platform\'s', () => {
  expect(policies.map((p) => p.metadata.name)).toEqual(['eks-platform-pod-baseline', 'eks-platform-pod-restricted', 'eks-platform-pod-platform']);
  expect(new Set(POD_ADMISSION_CONTROLS).size).toBe(POD_ADMISSION_CONTROLS.length);
  const podSecurity = (Object.values(PodSecurityControl) as string[]).filter((c) => !c.startsWith('platform/'));
  expect([...POD_ADMISSION_CONTROLS].sort()).toEqual([...podSecurity, C.PINNED_IMAGE, C.RESOURCES].sort());
  expect(POD_ADMISSION_CONTROLS).toHaveLength(20);
});

test('every rule has failing fixtures and passing ones that set what it reads', () => {
  // a failing fixture must fail the rule it targets, a passing one nothing: each rule has both
  for (const control of POD_ADMISSION_CONTROLS) {
    expect([control, FIXTURES.some((f) => f.fails.includes(control))]).toEqual([control, true]);
    expect([control, FIXTURES.some((f) => f.fails.length === 0 && (f.keeps ?? []).includes(control))]).toEqual([control, true]);
  }
  expect(FIXTURES.filter((f) => f.keeps !== undefined && f.fails.length > 0).map((f) => f.name)).toEqual([]);
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

test('the AppArmor rule reaches the pod template\'s annotations of every kind, and a template without metadata passes', () => {
  const unconfined = FIXTURES.find((f) => f.name === 'AppArmor annotation unconfined for a container') as Fixture;
  for (const kind of Object.keys(WRAP)) {
    const obj = build(kind, unconfined);
    const at = kind === 'Pod' ? obj.metadata : kind === 'CronJob'
      ? ((obj.spec as Json).jobTemplate as { spec: { template: Json } }).spec.template.metadata
      : ((obj.spec as Json).template as Json).metadata;
    expect([kind, (at as Json).annotations]).toEqual([kind, { [`${APPARMOR}app`]: 'unconfined' }]);
    expect([kind, verdicts(obj).cel]).toEqual([kind, [C.APPARMOR]]);
    // the same object with no metadata on its pod template (a Pod: no annotations)
    const bare = JSON.parse(JSON.stringify(obj)) as Json;
    if (kind === 'Pod') delete (bare.metadata as Json).annotations;
    else if (kind === 'CronJob') delete (((bare.spec as Json).jobTemplate as { spec: { template: Json } }).spec.template).metadata;
    else delete ((bare.spec as Json).template as Json).metadata;
    expect([kind, verdicts(bare as KubernetesObject)]).toEqual([kind, { cel: [], gate: [] }]);
  }
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
  /** Every policy of the environment on every workload of the output: the failures, none expected. */
  function judge(output: KubernetesObject[], workloads: number): { judged: KubernetesObject[]; failures: string[] } {
    const envPolicies = output.filter((o) => o.kind === 'ValidatingAdmissionPolicy') as unknown as PolicyLike[];
    expect(envPolicies).toHaveLength(3);
    const kinds = new Set(POD_ADMISSION_RESOURCES.map((r) => r.kind));
    const judged = output.filter((o) => kinds.has(o.kind ?? ''));
    expect(judged).toHaveLength(workloads);
    const failures = judged.flatMap((o) => envPolicies.flatMap((p) => {
      const v = evaluatePolicy(p, o);
      return v.matched ? v.failures.map((m) => `${o.kind} ${o.metadata?.namespace}/${o.metadata?.name}: ${m}`) : [`${o.kind} ${o.metadata?.name}: not matched`];
    }));
    return { judged, failures };
  }

  test('passes every policy: each of its workloads (15: 14 Deployments and the restore check\'s CronJob; Redis is a data store, no workload of the chart) keeps every rule in CEL as at the gate', () => {
    const { judged, failures } = judge(reference[env], 15);
    expect(judged.filter((o) => o.kind === 'Deployment')).toHaveLength(14);
    expect(failures).toEqual([]);
    expect(checkPodSecurity(judged)).toEqual([]);
  });

  test('with its Redis as a stateful service (test/fixtures/shop.ts) passes every policy: 16 workloads, the StatefulSet among them', () => {
    const { judged, failures } = judge(withStatefulRedis[env], 16);
    expect(judged.filter((o) => o.kind === 'StatefulSet').map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`)).toEqual(['shop-data/redis']);
    expect(failures).toEqual([]);
    expect(checkPodSecurity(judged)).toEqual([]);
  });
});
