/**
 * Checks every pod template in plain Kubernetes objects (parsed YAML) against every control of the
 * Pod Security Standard "restricted" (which includes "baseline") as Kubernetes' pod-security-admission library
 * defines it from v1.28 on, plus the platform's own rules: CPU and memory requests and limits, readiness and
 * liveness probes, and a pinned image. Reads plain objects only; imports nothing of cdk8s or cdktf.
 *
 * Versions: the lists of allowed values follow the newest Kubernetes version that widened them (safe sysctls
 * 1.32, SELinux types 1.31, volume types 1.33; each list says which), so the gate never refuses what Pod Security
 * Admission of a supported cluster admits for these lists; the relaxations for pods in a user namespace
 * (`hostUsers: false`: procMount `Unmasked` from 1.35 at baseline, runAsNonRoot/runAsUser from 1.34) are not
 * applied: the gate judges such pods as "restricted" did before. test/policy/psa-parity.test.ts holds the
 * verdict to Kubernetes' own published fixtures (restricted, v1.28). As Pod Security Admission from 1.25, a Windows
 * pod (`spec.os.name: windows`) is not judged by `restricted/capabilities`, `restricted/privilege-escalation` and
 * `restricted/seccomp`. Pod templates are read from the built-in kinds and from any other kind with
 * `spec.template.spec.containers` (Argo Rollouts' Rollout, custom resources).
 */
import { imageProblem } from '../model/validation';

/** A Kubernetes object as parsed from YAML. */
export interface KubernetesObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec?: unknown;
}

/** The rule a violation breaks. */
export enum PodSecurityControl {
  HOST_PROCESS = 'baseline/host-process',
  HOST_NAMESPACES = 'baseline/host-namespaces',
  PRIVILEGED = 'baseline/privileged',
  CAPABILITIES_BASELINE = 'baseline/capabilities',
  HOST_PATH = 'baseline/host-path-volumes',
  HOST_PORTS = 'baseline/host-ports',
  APPARMOR = 'baseline/apparmor',
  SELINUX = 'baseline/selinux',
  PROC_MOUNT = 'baseline/proc-mount',
  HOST_PROBES = 'baseline/host-probes',
  SECCOMP_BASELINE = 'baseline/seccomp',
  SYSCTLS = 'baseline/sysctls',
  VOLUME_TYPES = 'restricted/volume-types',
  PRIVILEGE_ESCALATION = 'restricted/privilege-escalation',
  RUN_AS_NON_ROOT = 'restricted/running-as-non-root',
  RUN_AS_USER = 'restricted/running-as-non-root-user',
  SECCOMP_RESTRICTED = 'restricted/seccomp',
  CAPABILITIES_RESTRICTED = 'restricted/capabilities',
  RESOURCES = 'platform/resources',
  PROBES = 'platform/probes',
  PINNED_IMAGE = 'platform/pinned-image',
}

/** One broken rule in one pod template. */
export interface PodSecurityViolation {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** The container, when the violation is a container's. */
  readonly container?: string;
  /** The field, relative to the pod spec, e.g. `containers[0].securityContext.allowPrivilegeEscalation`. */
  readonly field: string;
  readonly control: PodSecurityControl;
  readonly message: string;
}

/** One line for a violation: `Deployment shop/cart container cart: field: message [control]`. */
export function formatViolation(v: PodSecurityViolation): string {
  const where = `${v.kind} ${v.namespace ? `${v.namespace}/` : ''}${v.name}${v.container ? ` container ${v.container}` : ''}`;
  return `${where}: ${v.field}: ${v.message} [${v.control}]`;
}

interface SeccompLike { readonly type?: string; readonly localhostProfile?: string }
interface SELinuxLike { readonly type?: string; readonly user?: string; readonly role?: string; readonly level?: string }
interface AppArmorLike { readonly type?: string }
interface SecurityContextLike {
  readonly privileged?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly capabilities?: { readonly add?: readonly string[]; readonly drop?: readonly string[] };
  readonly seccompProfile?: SeccompLike;
  readonly seLinuxOptions?: SELinuxLike;
  readonly appArmorProfile?: AppArmorLike;
  readonly procMount?: string;
  readonly windowsOptions?: { readonly hostProcess?: boolean };
  readonly sysctls?: ReadonlyArray<{ readonly name?: string }>;
}
interface QuantityMap { readonly cpu?: unknown; readonly memory?: unknown }
interface ContainerLike {
  readonly name?: string;
  readonly image?: string;
  readonly securityContext?: SecurityContextLike;
  readonly ports?: ReadonlyArray<{ readonly hostPort?: number }>;
  readonly resources?: { readonly requests?: QuantityMap; readonly limits?: QuantityMap };
  readonly readinessProbe?: unknown;
  readonly livenessProbe?: unknown;
  readonly startupProbe?: unknown;
  readonly lifecycle?: unknown;
}
interface PodSpecLike {
  readonly os?: { readonly name?: string };
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
  readonly securityContext?: SecurityContextLike;
  readonly containers?: readonly ContainerLike[];
  readonly initContainers?: readonly ContainerLike[];
  readonly ephemeralContainers?: readonly ContainerLike[];
  readonly volumes?: ReadonlyArray<Readonly<Record<string, unknown>> & { readonly name?: string }>;
}
interface PodTemplate {
  readonly spec: PodSpecLike;
  readonly annotations: Readonly<Record<string, string>>;
  /** Field prefix of the pod spec in the object, e.g. `spec.template.spec`. */
  readonly at: string;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'PodTemplate']);

/** Capabilities "baseline" allows to be added (unchanged since Kubernetes 1.0; compared as written: `chown` and `CAP_CHOWN` are not `CHOWN`). */
export const BASELINE_CAPABILITIES: readonly string[] = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
/**
 * Sysctls "baseline" allows: the safe set of Kubernetes 1.32 (1.0: the first five; 1.27: `ip_local_reserved_ports`;
 * 1.29: the four `tcp_keepalive_*`/`tcp_fin_timeout`; 1.32: `tcp_rmem`, `tcp_wmem`).
 */
export const SAFE_SYSCTLS: readonly string[] = [
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem',
];
/**
 * Volume types "restricted" allows: those of Kubernetes 1.33 (`image` joined in 1.33). A volume with no source at
 * all is an `emptyDir` (the API server defaults it so) and passes.
 */
export const RESTRICTED_VOLUME_TYPES: readonly string[] = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];
/**
 * Every volume source of core/v1 `Volume` (Kubernetes 1.35), allowed or not: what a check that cannot list an
 * object's fields (CEL on a typed object) tests one by one.
 */
export const VOLUME_SOURCES: readonly string[] = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral',
  'fc', 'flexVolume', 'flocker', 'gcePersistentDisk', 'gitRepo', 'glusterfs', 'hostPath', 'image', 'iscsi', 'nfs',
  'persistentVolumeClaim', 'photonPersistentDisk', 'portworxVolume', 'projected', 'quobyte', 'rbd', 'scaleIO', 'secret',
  'storageos', 'vsphereVolume',
];
/** SELinux types "baseline" allows (besides unset or empty): those of Kubernetes 1.31 (`container_engine_t` joined in 1.31). */
export const SELINUX_TYPES: readonly string[] = ['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];
/** The annotation key prefix of the beta AppArmor profile of a container (before the 1.30 field `appArmorProfile`). */
export const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
/** AppArmor profile types (field `appArmorProfile.type`, Kubernetes 1.30+) "baseline" allows; unset is allowed too. */
export const APPARMOR_TYPES: readonly string[] = ['RuntimeDefault', 'Localhost'];
/** Whether an AppArmor annotation value is allowed: empty, `runtime/default` or `localhost/<profile>`. */
export function appArmorAnnotationAllowed(value: string): boolean {
  return value === '' || value === 'runtime/default' || value.startsWith('localhost/');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Kinds whose pods run to completion: the probe rule does not apply to them. */
const RUN_TO_COMPLETION_KINDS: ReadonlySet<string> = new Set(['Job', 'CronJob']);

/** The pod templates of an object (none for kinds without pods). */
function podTemplatesOf(obj: KubernetesObject): PodTemplate[] {
  const spec = obj.spec;
  if (!isObject(spec)) {
    return [];
  }
  if (obj.kind === 'Pod') {
    return [{ spec: spec as PodSpecLike, annotations: obj.metadata?.annotations ?? {}, at: 'spec' }];
  }
  if (obj.kind === 'CronJob') {
    const jobSpec = isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec : undefined;
    const template = jobSpec && isObject(jobSpec.template) ? jobSpec.template : undefined;
    return template && isObject(template.spec) ? [{ spec: template.spec as PodSpecLike, annotations: annotationsOf(template), at: 'spec.jobTemplate.spec.template.spec' }] : [];
  }
  if (obj.kind !== undefined && WORKLOAD_KINDS.has(obj.kind)) {
    const template = obj.kind === 'PodTemplate' ? (obj as unknown as Record<string, unknown>).template : spec.template;
    return isObject(template) && isObject(template.spec) ? [{ spec: template.spec as PodSpecLike, annotations: annotationsOf(template), at: 'spec.template.spec' }] : [];
  }
  // any other kind that carries a pod template (Argo Rollouts' Rollout, a custom resource): `spec.template.spec` with containers
  const template = spec.template;
  if (isObject(template) && isObject(template.spec) && Array.isArray(template.spec.containers)) {
    return [{ spec: template.spec as PodSpecLike, annotations: annotationsOf(template), at: 'spec.template.spec' }];
  }
  return [];
}

/**
 * Whether a pod spec is a Windows pod (`spec.os.name: windows`): Pod Security Admission skips
 * `restricted/capabilities`, `restricted/privilege-escalation` and `restricted/seccomp` for it from Kubernetes 1.25
 * (the API server refuses those Linux fields on a Windows pod).
 */
export function isWindowsPod(spec: unknown): boolean {
  return isObject(spec) && isObject(spec.os) && spec.os.name === 'windows';
}

function annotationsOf(template: Record<string, unknown>): Readonly<Record<string, string>> {
  const meta = template.metadata;
  return isObject(meta) && isObject(meta.annotations) ? (meta.annotations as Record<string, string>) : {};
}

/** Whether an object holds a pod template this module checks. */
export function hasPodTemplate(obj: KubernetesObject): boolean {
  return podTemplatesOf(obj).length > 0;
}

/** Checks every pod template of every object; returns every violation (empty when all pass). */
export function checkPodSecurity(objects: readonly KubernetesObject[]): PodSecurityViolation[] {
  const out: PodSecurityViolation[] = [];
  for (const obj of objects) {
    for (const template of podTemplatesOf(obj)) {
      out.push(...checkPodTemplate(obj, template));
    }
  }
  return out;
}

function checkPodTemplate(obj: KubernetesObject, t: PodTemplate): PodSecurityViolation[] {
  const out: PodSecurityViolation[] = [];
  const base = { kind: obj.kind ?? '?', name: obj.metadata?.name ?? '?', namespace: obj.metadata?.namespace };
  const add = (control: PodSecurityControl, field: string, message: string, container?: string) =>
    out.push({ ...base, container, field: `${t.at}.${field}`, control, message });
  const pod = t.spec;
  const psc = pod.securityContext ?? {};

  // baseline: host namespaces
  for (const f of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (pod[f] === true) add(PodSecurityControl.HOST_NAMESPACES, f, 'must be unset or false');
  }
  if (psc.windowsOptions?.hostProcess === true) add(PodSecurityControl.HOST_PROCESS, 'securityContext.windowsOptions.hostProcess', 'must be unset or false');
  // baseline: pod-level SELinux, AppArmor, seccomp, sysctls
  checkSELinux(psc.seLinuxOptions, 'securityContext.seLinuxOptions', (f, m) => add(PodSecurityControl.SELINUX, f, m));
  checkAppArmorProfile(psc.appArmorProfile, 'securityContext.appArmorProfile', (f, m) => add(PodSecurityControl.APPARMOR, f, m));
  for (const [key, value] of Object.entries(t.annotations)) {
    if (key.startsWith(APPARMOR_ANNOTATION_PREFIX) && !appArmorAnnotationAllowed(String(value))) {
      add(PodSecurityControl.APPARMOR, `metadata.annotations[${key}]`, `is ${value}; allowed: empty, runtime/default or localhost/*`);
    }
  }
  (psc.sysctls ?? []).forEach((s, i) => {
    if (!SAFE_SYSCTLS.includes(s.name ?? '')) add(PodSecurityControl.SYSCTLS, `securityContext.sysctls[${i}].name`, `is ${s.name}; allowed: ${SAFE_SYSCTLS.join(', ')}`);
  });
  const podSeccomp = psc.seccompProfile?.type;
  if (podSeccomp === 'Unconfined') add(PodSecurityControl.SECCOMP_BASELINE, 'securityContext.seccompProfile.type', 'is Unconfined; allowed: RuntimeDefault or Localhost');
  if (psc.runAsUser === 0) add(PodSecurityControl.RUN_AS_USER, 'securityContext.runAsUser', 'is 0 (root); allowed: a non-zero UID');

  // volumes
  (pod.volumes ?? []).forEach((v, i) => {
    const types = Object.keys(v).filter((k) => k !== 'name');
    if (types.includes('hostPath')) {
      add(PodSecurityControl.HOST_PATH, `volumes[${i}].hostPath`, `volume ${v.name ?? i} mounts a path of the node; host paths are forbidden`);
    }
    for (const type of types) {
      if (!RESTRICTED_VOLUME_TYPES.includes(type)) {
        add(PodSecurityControl.VOLUME_TYPES, `volumes[${i}].${type}`, `volume ${v.name ?? i} is of type ${type}; allowed: ${RESTRICTED_VOLUME_TYPES.join(', ')}`);
      }
    }
  });

  const lists: Array<['containers' | 'initContainers' | 'ephemeralContainers', readonly ContainerLike[]]> = [
    ['containers', pod.containers ?? []],
    ['initContainers', pod.initContainers ?? []],
    ['ephemeralContainers', pod.ephemeralContainers ?? []],
  ];
  if ((pod.containers ?? []).length === 0) add(PodSecurityControl.RESOURCES, 'containers', 'a pod needs at least one container');
  const podNonRoot = psc.runAsNonRoot === true;
  // as Kubernetes: an explicit false on the pod is refused even when every container sets true
  if (psc.runAsNonRoot === false) add(PodSecurityControl.RUN_AS_NON_ROOT, 'securityContext.runAsNonRoot', 'is false; must be true or unset on the pod');
  const podSeccompOk = podSeccomp === 'RuntimeDefault' || podSeccomp === 'Localhost';
  // Linux-only controls Pod Security Admission skips for a Windows pod (1.25+)
  const windows = isWindowsPod(pod);
  for (const [list, containers] of lists) {
    containers.forEach((c, i) => {
      const at = `${list}[${i}]`;
      const name = c.name;
      const sc = c.securityContext ?? {};
      const cadd = (control: PodSecurityControl, field: string, message: string) => add(control, `${at}.${field}`, message, name);
      if (sc.windowsOptions?.hostProcess === true) cadd(PodSecurityControl.HOST_PROCESS, 'securityContext.windowsOptions.hostProcess', 'must be unset or false');
      if (sc.privileged === true) cadd(PodSecurityControl.PRIVILEGED, 'securityContext.privileged', 'must be unset or false');
      (c.ports ?? []).forEach((p, j) => {
        if (p.hostPort !== undefined && p.hostPort !== 0) cadd(PodSecurityControl.HOST_PORTS, `ports[${j}].hostPort`, `is ${p.hostPort}; host ports are forbidden`);
      });
      checkSELinux(sc.seLinuxOptions, `${at}.securityContext.seLinuxOptions`, (f, m) => add(PodSecurityControl.SELINUX, f, m, name));
      checkAppArmorProfile(sc.appArmorProfile, `${at}.securityContext.appArmorProfile`, (f, m) => add(PodSecurityControl.APPARMOR, f, m, name));
      if (sc.procMount !== undefined && sc.procMount !== 'Default') cadd(PodSecurityControl.PROC_MOUNT, 'securityContext.procMount', `is ${sc.procMount}; allowed: Default`);
      for (const [field, host] of handlerHosts(c)) {
        if (!PROBE_HOSTS.includes(host)) cadd(PodSecurityControl.HOST_PROBES, field, `is ${JSON.stringify(host)}; allowed: unset, ${PROBE_HOSTS.map((h) => JSON.stringify(h)).join(', ')} (a probe or hook must not reach another host)`);
      }
      // capabilities
      const added = sc.capabilities?.add ?? [];
      for (const cap of added) {
        if (!BASELINE_CAPABILITIES.includes(cap)) cadd(PodSecurityControl.CAPABILITIES_BASELINE, 'securityContext.capabilities.add', `adds ${cap}; baseline allows only ${BASELINE_CAPABILITIES.join(', ')}`);
        if (cap !== 'NET_BIND_SERVICE' && !windows) cadd(PodSecurityControl.CAPABILITIES_RESTRICTED, 'securityContext.capabilities.add', `adds ${cap}; allowed: NET_BIND_SERVICE only`);
      }
      if (!windows && !(sc.capabilities?.drop ?? []).includes('ALL')) cadd(PodSecurityControl.CAPABILITIES_RESTRICTED, 'securityContext.capabilities.drop', 'must include ALL');
      // seccomp
      const seccomp = sc.seccompProfile?.type;
      if (seccomp === 'Unconfined') cadd(PodSecurityControl.SECCOMP_BASELINE, 'securityContext.seccompProfile.type', 'is Unconfined; allowed: RuntimeDefault or Localhost');
      if (!windows && (seccomp === undefined ? !podSeccompOk : seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')) {
        cadd(PodSecurityControl.SECCOMP_RESTRICTED, 'securityContext.seccompProfile.type', `is ${seccomp ?? 'unset (and unset or not allowed on the pod)'}; allowed: RuntimeDefault or Localhost, on the pod or on every container`);
      }
      // restricted: privilege escalation, non-root
      if (!windows && sc.allowPrivilegeEscalation !== false) cadd(PodSecurityControl.PRIVILEGE_ESCALATION, 'securityContext.allowPrivilegeEscalation', `is ${String(sc.allowPrivilegeEscalation)}; must be false`);
      if (sc.runAsNonRoot === false || (sc.runAsNonRoot !== true && !podNonRoot)) {
        cadd(PodSecurityControl.RUN_AS_NON_ROOT, 'securityContext.runAsNonRoot', `is ${String(sc.runAsNonRoot)}; must be true on the container, or on the pod and not false on the container`);
      }
      if (sc.runAsUser === 0) cadd(PodSecurityControl.RUN_AS_USER, 'securityContext.runAsUser', 'is 0 (root); allowed: a non-zero UID');
      // platform rules
      if (list !== 'ephemeralContainers') {
        for (const kind of ['requests', 'limits'] as const) {
          for (const res of ['cpu', 'memory'] as const) {
            if (c.resources?.[kind]?.[res] === undefined) cadd(PodSecurityControl.RESOURCES, `resources.${kind}.${res}`, 'must be set');
          }
        }
      }
      // probes: for what serves (a batch Job's pod runs to completion; Kubernetes ignores readiness there)
      if (list === 'containers' && !RUN_TO_COMPLETION_KINDS.has(obj.kind ?? '')) {
        if (c.readinessProbe === undefined) cadd(PodSecurityControl.PROBES, 'readinessProbe', 'must be set');
        if (c.livenessProbe === undefined) cadd(PodSecurityControl.PROBES, 'livenessProbe', 'must be set');
      }
      const problem = c.image === undefined ? 'no image' : imageProblem(c.image);
      if (problem) cadd(PodSecurityControl.PINNED_IMAGE, 'image', `is ${c.image ?? 'unset'}; ${problem}`);
    });
  }
  return out;
}

/**
 * Hosts a probe or lifecycle handler may name ("baseline" from Kubernetes 1.34): none (`""`), or the loopback
 * addresses the pod-security-admission library admits in its published fixtures (the documentation lists only unset
 * and `""`).
 */
export const PROBE_HOSTS: readonly string[] = ['', '127.0.0.1', '::1'];
/** The probes and lifecycle handlers whose `httpGet.host` / `tcpSocket.host` "baseline" restricts. */
export const HOST_HANDLERS: readonly string[] = ['livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle.postStart', 'lifecycle.preStop'];

/** Every `host` a container's probes and lifecycle handlers set, with its field. */
function handlerHosts(c: ContainerLike): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const handler of HOST_HANDLERS) {
    const value = handler.split('.').reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), c);
    for (const action of ['httpGet', 'tcpSocket']) {
      const host = isObject(value) && isObject(value[action]) ? value[action].host : undefined;
      if (typeof host === 'string') out.push([`${handler}.${action}.host`, host]);
    }
  }
  return out;
}

function checkSELinux(o: SELinuxLike | undefined, at: string, add: (field: string, message: string) => void): void {
  if (!o) return;
  if (o.type !== undefined && o.type !== '' && !SELINUX_TYPES.includes(o.type)) add(`${at}.type`, `is ${o.type}; allowed: unset, ${SELINUX_TYPES.join(', ')}`);
  if (o.user !== undefined && o.user !== '') add(`${at}.user`, 'must be unset');
  if (o.role !== undefined && o.role !== '') add(`${at}.role`, 'must be unset');
}

function checkAppArmorProfile(o: AppArmorLike | undefined, at: string, add: (field: string, message: string) => void): void {
  if (o?.type !== undefined && !APPARMOR_TYPES.includes(o.type)) add(`${at}.type`, `is ${o.type}; allowed: ${APPARMOR_TYPES.join(' or ')}`);
}
