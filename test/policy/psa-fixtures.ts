/**
 * The test cases Kubernetes publishes for its Pod Security Admission library, "restricted" level, v1.28, re-expressed
 * as our own TypeScript data (written from the published cases; no code of theirs is copied).
 *
 * Source: kubernetes/kubernetes, staging/src/k8s.io/pod-security-admission/test/ (Copyright The Kubernetes
 * Authors, Apache License 2.0): `fixtures.go` (the minimal valid pod per level and version), `fixtures_<check>.go`
 * (per check, the passing and failing pods generated from it), `helpers.go`; `testdata/restricted/v1.28/{pass,fail}/`
 * holds their output, one YAML per case, named `<check in lower case><index>.yaml` (the `name` below).
 *
 * Read from a stored copy of the repository (no network on the build machine). Of `testdata/restricted/v1.28/` the
 * copy holds only `pass/base.yaml`, `pass/sysctls1.yaml`, `fail/capabilities_baseline0.yaml`,
 * `fail/hostports1.yaml`, `fail/procmount0.yaml` and `fail/restrictedvolumes9.yaml` (each agrees with the case
 * of that name below); every other case is re-expressed from its generator. Missing from the copy: the 1.30+
 * generator of `fixtures_appArmorProfile.go` (the field `appArmorProfile`; the stored version has the
 * annotation cases only), so the field is judged by our own fixtures (test/k8s/admission, test/policy/pod-security).
 *
 * Each case names its check and source file, whether Kubernetes admits it, the version it applies from (`since`:
 * 1.28 for every case of the published v1.28 set; later ones come from generators registered for a later
 * version), and, for a failing case, the gate's controls (PodSecurityControl) it must break: the one matching the
 * check, plus any other the same pod breaks (a privileged container with allowPrivilegeEscalation unset breaks both).
 * The failing cases of a later generator that fail at 1.28 already are repeated (prefix `v1.29-`, `v1.34-`, `v1.35-`).
 *
 * `fixtures_hostProbesAndHostLifecycle.go` (baseline from 1.34: `host` in probes and lifecycle handlers) is
 * re-expressed as `v1.34-` cases: its passing pods name the loopback addresses, which the documentation does not list.
 */
import { PodSecurityControl as C } from '../../lib/policy/pod-security';

/** A pod as JSON (the YAML of a fixture). */
export interface PsaPod {
  readonly apiVersion: 'v1';
  readonly kind: 'Pod';
  readonly metadata: { name: string; annotations?: Record<string, string> };
  readonly spec: Record<string, unknown>;
}

/** One published case. */
export interface PsaCase {
  /** The case's name in testdata: `<check in lower case><index>` (`base` for the minimal valid pod). */
  readonly name: string;
  /** The pod-security-admission check it exercises. */
  readonly check: string;
  /** Its generator, under staging/src/k8s.io/pod-security-admission/test/. */
  readonly source: string;
  /** Whether Pod Security Admission ("restricted") admits the pod. */
  readonly expected: 'pass' | 'fail';
  /** The Kubernetes version the case applies from. */
  readonly since: '1.28' | '1.29' | '1.34' | '1.35';
  /** For a failing case: the gate's controls it breaks, sorted (empty for a passing case). */
  readonly controls: readonly C[];
  readonly pod: PsaPod;
}

interface Json { [key: string]: unknown }
type Container = Json & { securityContext?: Json };
type Spec = Json & { containers: Container[]; initContainers: Container[]; securityContext?: Json };
/** The pod being written: spec with typed container lists, annotations on the metadata. */
interface Draft { spec: Spec; annotations: Record<string, string> }

/** The minimal valid "restricted" pod of v1.22 and later (fixtures.go; testdata restricted/v1.28/pass/base.yaml). */
function basePod(): Draft {
  const containerSc = () => ({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  return {
    annotations: {},
    spec: {
      containers: [{ name: 'container1', image: 'registry.k8s.io/pause', securityContext: containerSc() }],
      initContainers: [{ name: 'initcontainer1', image: 'registry.k8s.io/pause', securityContext: containerSc() }],
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    },
  };
}

const c0 = (d: Draft) => d.spec.containers[0];
const i0 = (d: Draft) => d.spec.initContainers[0];
const podSc = (d: Draft) => d.spec.securityContext as Json;
const sc = (c: Container): Json => {
  c.securityContext ??= {};
  return c.securityContext;
};

type Change = (d: Draft) => void;
/** A failing change, alone (it breaks the check's controls) or with the controls it breaks. */
type FailingChange = Change | [Change, readonly C[]];

/**
 * Cases of one check: its passing and failing changes to the base pod, in the generator's order; `failControls`
 * are the gate's controls a failing case breaks unless it names its own.
 */
function cases(check: string, source: string, pass: Change[], fail: FailingChange[], failControls: readonly C[], since: PsaCase['since'] = '1.28'): PsaCase[] {
  const make = (expected: 'pass' | 'fail', change: Change, controls: readonly C[], index: number, prefix: string): PsaCase => {
    const d = basePod();
    change(d);
    const name = `${prefix}${check.toLowerCase()}${index}`;
    const metadata = Object.keys(d.annotations).length > 0 ? { name, annotations: d.annotations } : { name };
    return {
      name,
      check,
      source: `staging/src/k8s.io/pod-security-admission/test/${source}`,
      expected,
      since,
      controls: [...controls].sort(),
      pod: { apiVersion: 'v1', kind: 'Pod', metadata, spec: JSON.parse(JSON.stringify(d.spec)) as Record<string, unknown> },
    };
  };
  const tag = since === '1.28' ? '' : `v${since}-`;
  return [
    ...pass.map((p, i) => make('pass', p, [], i, tag)),
    ...fail.map((f, i) => (Array.isArray(f) ? make('fail', f[0], f[1], i, tag) : make('fail', f, failControls, i, tag))),
  ];
}

const APPARMOR = 'container.apparmor.security.beta.kubernetes.io/';
const DROP_EACH = [
  'SYS_TIME', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD',
  'AUDIT_WRITE', 'AUDIT_CONTROL', 'MAC_OVERRIDE', 'MAC_ADMIN', 'NET_ADMIN', 'SYSLOG', 'CHOWN', 'NET_RAW', 'DAC_OVERRIDE', 'FOWNER',
  'DAC_READ_SEARCH', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'IPC_LOCK',
  'IPC_OWNER', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_BOOT', 'LEASE', 'SETFCAP', 'WAKE_ALARM', 'BLOCK_SUSPEND',
];
const BASELINE_ADD = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
const SAFE_1_27 = [
  ['kernel.shm_rmid_forced', '0'], ['net.ipv4.ip_local_port_range', '1024 65535'], ['net.ipv4.tcp_syncookies', '0'],
  ['net.ipv4.ping_group_range', '1 0'], ['net.ipv4.ip_unprivileged_port_start', '1024'], ['net.ipv4.ip_local_reserved_ports', '1024-4999'],
];
const SAFE_1_29 = [...SAFE_1_27, ['net.ipv4.tcp_keepalive_time', '7200'], ['net.ipv4.tcp_fin_timeout', '60'], ['net.ipv4.tcp_keepalive_intvl', '75'], ['net.ipv4.tcp_keepalive_probes', '9']];
const sysctls = (pairs: string[][]) => pairs.map(([name, value]) => ({ name, value }));
/** The volume sources restrictedVolumes refuses, in the generator's order (index = case number), with the fields it sets. */
const REFUSED_VOLUMES: Array<[string, Json]> = [
  ['gcePersistentDisk', { pdName: 'test' }], ['awsElasticBlockStore', { volumeID: 'test' }], ['gitRepo', { repository: 'github.com/kubernetes/kubernetes' }],
  ['nfs', { server: 'test', path: '/test' }], ['iscsi', { targetPortal: 'test', iqn: 'iqn.2001-04.com.example:storage.kube.sys1.xyz', lun: 0 }],
  ['glusterfs', { endpoints: 'test', path: 'test' }], ['rbd', { monitors: ['test'], image: 'test' }], ['flexVolume', { driver: 'test' }],
  ['cinder', { volumeID: 'test' }], ['cephfs', { monitors: ['test'] }], ['flocker', { datasetName: 'test' }], ['fc', { wwids: ['test'] }],
  ['azureFile', { secretName: 'test', shareName: 'test' }], ['vsphereVolume', { volumePath: 'test' }], ['quobyte', { registry: 'localhost:1234', volume: 'test' }],
  ['azureDisk', { diskName: 'test', diskURI: 'https://test.blob.core.windows.net/test/test.vhd' }], ['portworxVolume', { volumeID: 'test', fsType: 'ext4' }],
  ['scaleIO', { volumeName: 'test', gateway: 'localhost', system: 'test' }], ['storageos', { volumeName: 'test' }], ['hostPath', { path: '/dev/null' }],
];
const withSELinux = (d: Draft) => {
  podSc(d).seLinuxOptions = {};
  sc(c0(d)).seLinuxOptions = {};
  sc(i0(d)).seLinuxOptions = {};
};
const withWindows = (d: Draft) => {
  podSc(d).windowsOptions = {};
  sc(c0(d)).windowsOptions = {};
  sc(i0(d)).windowsOptions = {};
};

/** Every case, published v1.28 ones first. */
export const PSA_CASES: readonly PsaCase[] = [
  ...cases('base', 'fixtures.go', [() => undefined], [], []).map((c) => ({ ...c, name: 'base' })),
  ...cases('allowPrivilegeEscalation', 'fixtures_allowPrivilegeEscalation.go', [], [
    (d) => { sc(c0(d)).allowPrivilegeEscalation = true; },
    (d) => { sc(i0(d)).allowPrivilegeEscalation = true; },
    (d) => { delete sc(c0(d)).allowPrivilegeEscalation; },
    // no security context at all: it keeps every capability too
    [(d) => { delete c0(d).securityContext; }, [C.PRIVILEGE_ESCALATION, C.CAPABILITIES_RESTRICTED]],
  ], [C.PRIVILEGE_ESCALATION]),
  ...cases('appArmorProfile', 'fixtures_appArmorProfile.go', [
    // the generator writes runtime/default, then localhost/foo, under the same key (the first container's name)
    (d) => { d.annotations[`${APPARMOR}container1`] = 'localhost/foo'; },
  ], [
    (d) => { d.annotations[`${APPARMOR}container1`] = 'unconfined'; },
    (d) => { d.annotations[`${APPARMOR}initcontainer1`] = 'unconfined'; },
  ], [C.APPARMOR]),
  // at "restricted" every container drops ALL, so the generator has no passing case; every failing one breaks both levels
  ...cases('capabilities_baseline', 'fixtures_capabilities_baseline.go', [], [
    (d) => { (sc(c0(d)).capabilities as Json).add = ['NET_RAW']; },
    (d) => { (sc(i0(d)).capabilities as Json).add = ['NET_RAW']; },
    (d) => { (sc(c0(d)).capabilities as Json).add = ['chown']; },
    (d) => { (sc(c0(d)).capabilities as Json).add = ['CAP_CHOWN']; },
  ], [C.CAPABILITIES_BASELINE, C.CAPABILITIES_RESTRICTED]),
  ...cases('capabilities_restricted', 'fixtures_capabilities_restricted.go', [
    (d) => { for (const c of [c0(d), i0(d)]) sc(c).capabilities = { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }; },
  ], [
    (d) => { sc(c0(d)).capabilities = {}; },
    (d) => { sc(i0(d)).capabilities = {}; },
    (d) => { for (const c of [c0(d), i0(d)]) sc(c).capabilities = { drop: [...DROP_EACH] }; },
    (d) => { for (const c of [c0(d), i0(d)]) sc(c).capabilities = { drop: ['ALL'], add: [...BASELINE_ADD] }; },
  ], [C.CAPABILITIES_RESTRICTED]),
  ...cases('hostNamespaces', 'fixtures_hostNamespaces.go', [], [
    (d) => { d.spec.hostIPC = true; },
    (d) => { d.spec.hostNetwork = true; },
    (d) => { d.spec.hostPID = true; },
  ], [C.HOST_NAMESPACES]),
  // a hostPath volume is also a volume type "restricted" refuses
  ...cases('hostPathVolumes', 'fixtures_hostPathVolumes.go', [], [
    (d) => { d.spec.volumes = [{ name: 'volume-emptydir', emptyDir: {} }, { name: 'volume-hostpath', hostPath: { path: '/a' } }]; },
    (d) => { d.spec.volumes = [{ name: 'volume-hostpath-a', hostPath: { path: '/a' } }, { name: 'volume-hostpath-b', hostPath: { path: '/b' } }]; },
  ], [C.HOST_PATH, C.VOLUME_TYPES]),
  ...cases('hostPorts', 'fixtures_hostPorts.go', [
    (d) => { c0(d).ports = [{ containerPort: 12345 }]; i0(d).ports = [{ containerPort: 12346 }]; },
  ], [
    (d) => { c0(d).ports = [{ containerPort: 12345, hostPort: 12345 }]; },
    (d) => { i0(d).ports = [{ containerPort: 12346, hostPort: 12346 }]; },
    (d) => { c0(d).ports = [{ containerPort: 12345, hostPort: 12345 }, { containerPort: 12347 }]; i0(d).ports = [{ containerPort: 12346, hostPort: 12346 }, { containerPort: 12348 }]; },
  ], [C.HOST_PORTS]),
  // the failing cases unset allowPrivilegeEscalation too (a privileged container escalates)
  ...cases('privileged', 'fixtures_privileged.go', [
    (d) => { sc(c0(d)).privileged = false; sc(i0(d)).privileged = false; },
  ], [
    (d) => { sc(c0(d)).privileged = true; delete sc(c0(d)).allowPrivilegeEscalation; },
    (d) => { sc(i0(d)).privileged = true; delete sc(i0(d)).allowPrivilegeEscalation; },
  ], [C.PRIVILEGED, C.PRIVILEGE_ESCALATION]),
  ...cases('procMount', 'fixtures_procMount.go', [
    (d) => { sc(c0(d)).procMount = 'Default'; sc(i0(d)).procMount = 'Default'; },
  ], [
    (d) => { sc(c0(d)).procMount = 'Unmasked'; },
    (d) => { sc(i0(d)).procMount = 'Unmasked'; },
  ], [C.PROC_MOUNT]),
  ...cases('restrictedVolumes', 'fixtures_restrictedVolumes.go', [
    (d) => {
      d.spec.volumes = [
        { name: 'volume0' }, // no source: the API server makes it an emptyDir
        { name: 'volume1', emptyDir: {} },
        { name: 'volume2', secret: { secretName: 'test' } },
        { name: 'volume3', persistentVolumeClaim: { claimName: 'test' } },
        { name: 'volume4', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
        { name: 'volume5', configMap: { name: 'test' } },
        { name: 'volume6', projected: { sources: [] } },
      ];
    },
  ], REFUSED_VOLUMES.map(([type, source]): FailingChange => {
    const change = (d: Draft) => { d.spec.volumes = [{ name: 'volume1', [type]: source }]; };
    // a hostPath volume breaks the baseline rule on host paths too
    return type === 'hostPath' ? [change, [C.VOLUME_TYPES, C.HOST_PATH]] : change;
  }), [C.VOLUME_TYPES]),
  ...cases('runAsNonRoot', 'fixtures_runAsNonRoot.go', [
    (d) => { podSc(d).runAsNonRoot = true; },
    (d) => { delete podSc(d).runAsNonRoot; sc(c0(d)).runAsNonRoot = true; sc(i0(d)).runAsNonRoot = true; },
  ], [
    (d) => { delete podSc(d).runAsNonRoot; },
    (d) => { podSc(d).runAsNonRoot = false; },
    (d) => { sc(c0(d)).runAsNonRoot = false; },
    (d) => { sc(i0(d)).runAsNonRoot = false; },
  ], [C.RUN_AS_NON_ROOT]),
  ...cases('runAsUser', 'fixtures_runAsUser.go', [
    (d) => { podSc(d).runAsUser = 1000; sc(c0(d)).runAsUser = 1000; sc(i0(d)).runAsUser = 1000; },
  ], [
    (d) => { podSc(d).runAsUser = 0; },
    (d) => { sc(c0(d)).runAsUser = 0; },
    (d) => { sc(i0(d)).runAsUser = 0; },
  ], [C.RUN_AS_USER]),
  ...cases('seLinuxOptions', 'fixtures_seLinuxOptions.go', [
    (d) => { withSELinux(d); delete podSc(d).seLinuxOptions; delete sc(c0(d)).seLinuxOptions; },
    (d) => {
      withSELinux(d);
      podSc(d).seLinuxOptions = { type: 'container_t' };
      sc(c0(d)).seLinuxOptions = { type: 'container_init_t', level: 'somevalue' };
      sc(i0(d)).seLinuxOptions = { type: 'container_kvm_t' };
    },
  ], [
    (d) => { withSELinux(d); podSc(d).seLinuxOptions = { type: 'somevalue' }; },
    (d) => { withSELinux(d); sc(c0(d)).seLinuxOptions = { type: 'somevalue' }; },
    (d) => { withSELinux(d); sc(i0(d)).seLinuxOptions = { type: 'somevalue' }; },
    (d) => { withSELinux(d); podSc(d).seLinuxOptions = { user: 'somevalue' }; },
    (d) => { withSELinux(d); podSc(d).seLinuxOptions = { role: 'somevalue' }; },
  ], [C.SELINUX]),
  // the base pod sets RuntimeDefault already, so the baseline generator has no passing case; Unconfined breaks both levels
  ...cases('seccompProfile_baseline', 'fixtures_seccompProfile_baseline.go', [], [
    (d) => { podSc(d).seccompProfile = { type: 'Unconfined' }; },
    (d) => { sc(c0(d)).seccompProfile = { type: 'Unconfined' }; },
    (d) => { sc(i0(d)).seccompProfile = { type: 'Unconfined' }; },
  ], [C.SECCOMP_BASELINE, C.SECCOMP_RESTRICTED]),
  ...cases('seccompProfile_restricted', 'fixtures_seccompProfile_restricted.go', [
    (d) => { podSc(d).seccompProfile = { type: 'RuntimeDefault' }; },
    (d) => { podSc(d).seccompProfile = { type: 'Localhost', localhostProfile: 'testing' }; },
    (d) => { delete podSc(d).seccompProfile; sc(c0(d)).seccompProfile = { type: 'RuntimeDefault' }; sc(i0(d)).seccompProfile = { type: 'Localhost', localhostProfile: 'testing' }; },
  ], [
    (d) => { delete podSc(d).seccompProfile; },
    // Unconfined breaks the baseline rule too
    [(d) => { podSc(d).seccompProfile = { type: 'Unconfined' }; }, [C.SECCOMP_RESTRICTED, C.SECCOMP_BASELINE]],
    (d) => { delete podSc(d).seccompProfile; sc(c0(d)).seccompProfile = { type: 'RuntimeDefault' }; },
    (d) => { delete podSc(d).seccompProfile; sc(i0(d)).seccompProfile = { type: 'RuntimeDefault' }; },
    [(d) => { delete podSc(d).seccompProfile; sc(c0(d)).seccompProfile = { type: 'RuntimeDefault' }; sc(i0(d)).seccompProfile = { type: 'Unconfined' }; }, [C.SECCOMP_RESTRICTED, C.SECCOMP_BASELINE]],
  ], [C.SECCOMP_RESTRICTED]),
  // the safe set of 1.27 (the generator that applies at 1.28)
  ...cases('sysctls', 'fixtures_sysctls.go', [
    () => undefined,
    (d) => { podSc(d).sysctls = sysctls(SAFE_1_27); },
  ], [
    (d) => { podSc(d).sysctls = [{ name: 'othersysctl', value: 'other' }]; },
  ], [C.SYSCTLS]),
  // a HostProcess pod must use the host's network (API validation): the cases set hostNetwork too
  ...cases('windowsHostProcess', 'fixtures_windowsHostProcess.go', [], [
    (d) => { withWindows(d); d.spec.hostNetwork = true; podSc(d).windowsOptions = { hostProcess: true }; },
    (d) => { withWindows(d); d.spec.hostNetwork = true; sc(c0(d)).windowsOptions = { hostProcess: true }; sc(i0(d)).windowsOptions = { hostProcess: true }; },
  ], [C.HOST_PROCESS, C.HOST_NAMESPACES]),

  // later generators
  // 1.29: four more safe sysctls
  ...cases('sysctls', 'fixtures_sysctls.go', [(d) => { podSc(d).sysctls = sysctls(SAFE_1_29); }], [
    (d) => { podSc(d).sysctls = [{ name: 'othersysctl', value: 'other' }]; },
  ], [C.SYSCTLS], '1.29'),
  // 1.34: no other host in probes and lifecycle hooks (loopback addresses pass)
  ...cases('hostProbesAndHostLifecycle', 'fixtures_hostProbesAndHostLifecycle.go', [
    () => undefined,
    (d) => { c0(d).livenessProbe = { httpGet: { host: '127.0.0.1' } }; },
    (d) => { c0(d).readinessProbe = { tcpSocket: { host: '::1' } }; },
  ], [
    (d) => { c0(d).livenessProbe = { httpGet: { host: 'bad.host' } }; },
    (d) => { i0(d).readinessProbe = { tcpSocket: { host: '8.8.8.8' } }; },
    (d) => { c0(d).lifecycle = { postStart: { httpGet: { host: 'bad.host' } } }; },
  ], [C.HOST_PROBES], '1.34'),
  // 1.35: "baseline" admits Unmasked in a user namespace (hostUsers: false), "restricted" still refuses it
  ...cases('procMount', 'fixtures_procMount.go', [
    (d) => { sc(c0(d)).procMount = 'Default'; sc(i0(d)).procMount = 'Default'; d.spec.hostUsers = false; },
  ], [
    (d) => { sc(c0(d)).procMount = 'Unmasked'; d.spec.hostUsers = false; },
    (d) => { sc(i0(d)).procMount = 'Unmasked'; d.spec.hostUsers = false; },
  ], [C.PROC_MOUNT], '1.35'),
];
