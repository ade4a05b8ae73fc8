/**
 * The rules of the gate's pod check (lib/policy/pod-security.ts) that admission can judge, written in CEL for
 * Kubernetes' ValidatingAdmissionPolicy: the variables that reach the pod spec of every matched kind, and one
 * validation per rule, whose message starts with the gate's rule id (PodSecurityControl).
 *
 * The expressions use only core CEL (macros `all`, `has()`, `in`, `matches`, `startsWith`, `endsWith`, `size`): no
 * Kubernetes extension library, so they evaluate the same in the cluster and in the tests (test/k8s/admission).
 * Annotation keys hold dots and slashes, which `has()` cannot name: they are iterated (`all`) or tested with `in`.
 */
import {
  APPARMOR_ANNOTATION_PREFIX,
  APPARMOR_TYPES,
  BASELINE_CAPABILITIES,
  HOST_HANDLERS,
  PROBE_HOSTS,
  PodSecurityControl,
  RESTRICTED_VOLUME_TYPES,
  SAFE_SYSCTLS,
  SELINUX_TYPES,
  VOLUME_SOURCES,
} from '../../policy/pod-security';

/** A named CEL expression of a policy, available to the later ones as `variables.<name>`. */
export interface PodAdmissionVariable {
  readonly name: string;
  readonly expression: string;
}

/** One rule of the gate as a CEL validation: true when the object keeps the rule. */
export interface PodAdmissionValidation {
  /** The gate's rule this validation judges. */
  readonly control: PodSecurityControl;
  /** The CEL expression, over `object` and `variables`. */
  readonly expression: string;
  /** What a failure reports: the rule id, then what the rule asks. */
  readonly message: string;
}

/** One ValidatingAdmissionPolicy: a family of the gate's rules (`baseline/`, `restricted/`, `platform/`). */
export interface PodAdmissionPolicyDefinition {
  /** Appended to the policies' name prefix, e.g. `pod-baseline`. */
  readonly nameSuffix: string;
  readonly validations: readonly PodAdmissionValidation[];
}

/** A CEL string literal of a text (backslashes and quotes escaped). */
function celString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A CEL list literal of strings. */
function celList(items: readonly string[]): string {
  return `[${items.map(celString).join(', ')}]`;
}

/** An image pinned by digest: anything without whitespace or `@`, then `@sha256:<64 hex>` (as `imageProblem`). */
export const PINNED_BY_DIGEST = /^[^\s@]*@sha256:[a-f0-9]{64}$/;
/** An image pinned by tag: the last path segment has `:<tag>`, the tag `[\w][\w.-]{0,127}` (and not `latest`). */
export const PINNED_BY_TAG = /^([^\s@]*\/)?[^\s@/:]*:[\w][\w.-]{0,127}$/;

/** Capabilities "restricted" allows to be added (it requires `drop: [ALL]`). */
const RESTRICTED_ADDABLE = ['NET_BIND_SERVICE'];
const ALLOWED_SECCOMP = ['RuntimeDefault', 'Localhost'];

const PSC = 'variables.podSpec.securityContext';
/**
 * A Windows pod (`spec.os.name: windows`): Pod Security Admission (1.25+) skips the Linux-only restricted checks
 * (capabilities, privilege escalation, seccomp) for it, and the gate too (`isWindowsPod`).
 */
const WINDOWS_POD = "(has(variables.podSpec.os) && has(variables.podSpec.os.name) && variables.podSpec.os.name == 'windows')";
/** A container's security context field, guarded: `has(c.securityContext) && has(c.securityContext.<path>)`. */
function hasSc(path: string): string {
  const parts = path.split('.');
  const guards = ['has(c.securityContext)'];
  for (let i = 1; i <= parts.length; i++) {
    guards.push(`has(c.securityContext.${parts.slice(0, i).join('.')})`);
  }
  return guards.join(' && ');
}

/** The pod security context's field, guarded: `has(<psc>) && has(<psc>.<path>)`, level by level. */
function hasPsc(path: string): string {
  const parts = path.split('.');
  const guards = [`has(${PSC})`];
  for (let i = 1; i <= parts.length; i++) {
    guards.push(`has(${PSC}.${parts.slice(0, i).join('.')})`);
  }
  return guards.join(' && ');
}

/** SELinux options `o` that "baseline" allows: type unset, empty or a container type; user and role unset or empty. */
function seLinuxAllowed(o: string): string {
  return `(!has(${o}.type) || ${o}.type in ${celList(['', ...SELINUX_TYPES])}) && (!has(${o}.user) || ${o}.user == '') && (!has(${o}.role) || ${o}.role == '')`;
}

/** Volume sources "restricted" refuses: every source of core/v1 Volume but the allowed ones. */
const RESTRICTED_VOLUME_SOURCES = VOLUME_SOURCES.filter((v) => !RESTRICTED_VOLUME_TYPES.includes(v));

/** The metadata annotations of the pod template at `metadata` (an expression), `{}` when it has none. */
function annotationsAt(metadata: string): string {
  return `has(${metadata}) && has(${metadata}.annotations) ? ${metadata}.annotations : {}`;
}

/**
 * The variables every policy declares, in order: the pod spec of the object whatever its kind (a Pod's `spec`, a
 * CronJob's `spec.jobTemplate.spec.template.spec`, every other kind's `spec.template.spec`), its container lists
 * (empty when absent), and the pod-level settings the container rules fall back to.
 */
export const POD_ADMISSION_VARIABLES: readonly PodAdmissionVariable[] = [
  {
    name: 'podSpec',
    expression: "object.kind == 'Pod' ? object.spec : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)",
  },
  { name: 'containers', expression: 'has(variables.podSpec.containers) ? variables.podSpec.containers : []' },
  { name: 'initContainers', expression: 'has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : []' },
  { name: 'ephemeralContainers', expression: 'has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers : []' },
  { name: 'allContainers', expression: 'variables.containers + variables.initContainers + variables.ephemeralContainers' },
  {
    name: 'podSeccompType',
    expression: `has(${PSC}) && has(${PSC}.seccompProfile) && has(${PSC}.seccompProfile.type) ? ${PSC}.seccompProfile.type : ''`,
  },
  { name: 'podRunAsNonRoot', expression: `has(${PSC}) && has(${PSC}.runAsNonRoot) && ${PSC}.runAsNonRoot == true` },
  { name: 'podRunAsRoot', expression: `has(${PSC}) && has(${PSC}.runAsUser) && ${PSC}.runAsUser == 0` },
  {
    // the pod template's annotations (the beta AppArmor annotations live there): a Pod's `metadata.annotations`,
    // a CronJob's `spec.jobTemplate.spec.template.metadata.annotations`, every other kind's `spec.template.metadata.annotations`
    name: 'podAnnotations',
    expression: `object.kind == 'Pod' ? (has(object.metadata.annotations) ? object.metadata.annotations : {}) : (object.kind == 'CronJob' ? (${annotationsAt('object.spec.jobTemplate.spec.template.metadata')}) : (${annotationsAt('object.spec.template.metadata')}))`,
  },
];

const BASELINE: PodAdmissionPolicyDefinition = {
  nameSuffix: 'pod-baseline',
  validations: [
    {
      control: PodSecurityControl.HOST_NAMESPACES,
      expression: ['hostNetwork', 'hostPID', 'hostIPC'].map((f) => `(!has(variables.podSpec.${f}) || variables.podSpec.${f} == false)`).join(' && '),
      message: `${PodSecurityControl.HOST_NAMESPACES}: hostNetwork, hostPID and hostIPC must be unset or false`,
    },
    {
      control: PodSecurityControl.PRIVILEGED,
      expression: `variables.allContainers.all(c, !(${hasSc('privileged')}) || c.securityContext.privileged == false)`,
      message: `${PodSecurityControl.PRIVILEGED}: securityContext.privileged must be unset or false on every container`,
    },
    {
      control: PodSecurityControl.CAPABILITIES_BASELINE,
      expression: `variables.allContainers.all(c, !(${hasSc('capabilities.add')}) || c.securityContext.capabilities.add.all(cap, cap in ${celList(BASELINE_CAPABILITIES)}))`,
      message: `${PodSecurityControl.CAPABILITIES_BASELINE}: capabilities may be added only from ${BASELINE_CAPABILITIES.join(', ')}`,
    },
    {
      control: PodSecurityControl.HOST_PATH,
      expression: '!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, !has(v.hostPath))',
      message: `${PodSecurityControl.HOST_PATH}: hostPath volumes are forbidden`,
    },
    {
      control: PodSecurityControl.HOST_PORTS,
      expression: 'variables.allContainers.all(c, !has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0))',
      message: `${PodSecurityControl.HOST_PORTS}: hostPort is forbidden`,
    },
    {
      control: PodSecurityControl.SECCOMP_BASELINE,
      expression: `variables.podSeccompType != 'Unconfined' && variables.allContainers.all(c, !(${hasSc('seccompProfile.type')}) || c.securityContext.seccompProfile.type != 'Unconfined')`,
      message: `${PodSecurityControl.SECCOMP_BASELINE}: the seccomp profile must not be Unconfined, on the pod or on a container`,
    },
    {
      control: PodSecurityControl.HOST_PROCESS,
      expression: `!(${hasPsc('windowsOptions.hostProcess')} && ${PSC}.windowsOptions.hostProcess == true) && variables.allContainers.all(c, !(${hasSc('windowsOptions.hostProcess')}) || c.securityContext.windowsOptions.hostProcess == false)`,
      message: `${PodSecurityControl.HOST_PROCESS}: windowsOptions.hostProcess must be unset or false, on the pod and on every container`,
    },
    {
      control: PodSecurityControl.APPARMOR,
      expression: [
        `variables.podAnnotations.all(k, !k.startsWith(${celString(APPARMOR_ANNOTATION_PREFIX)}) || variables.podAnnotations[k] == '' || variables.podAnnotations[k] == 'runtime/default' || variables.podAnnotations[k].startsWith('localhost/'))`,
        `(!(${hasPsc('appArmorProfile.type')}) || ${PSC}.appArmorProfile.type in ${celList(APPARMOR_TYPES)})`,
        `variables.allContainers.all(c, !(${hasSc('appArmorProfile.type')}) || c.securityContext.appArmorProfile.type in ${celList(APPARMOR_TYPES)})`,
      ].join(' && '),
      message: `${PodSecurityControl.APPARMOR}: the AppArmor profile must be RuntimeDefault or Localhost (field), runtime/default or localhost/* (annotation ${APPARMOR_ANNOTATION_PREFIX}<container>)`,
    },
    {
      control: PodSecurityControl.SELINUX,
      expression: `(!(${hasPsc('seLinuxOptions')}) || (${seLinuxAllowed(`${PSC}.seLinuxOptions`)})) && variables.allContainers.all(c, !(${hasSc('seLinuxOptions')}) || (${seLinuxAllowed('c.securityContext.seLinuxOptions')}))`,
      message: `${PodSecurityControl.SELINUX}: the SELinux type must be unset or one of ${SELINUX_TYPES.join(', ')}; user and role must be unset, on the pod and on every container`,
    },
    {
      control: PodSecurityControl.PROC_MOUNT,
      expression: `variables.allContainers.all(c, !(${hasSc('procMount')}) || c.securityContext.procMount == 'Default')`,
      message: `${PodSecurityControl.PROC_MOUNT}: procMount must be unset or Default on every container`,
    },
    {
      control: PodSecurityControl.HOST_PROBES,
      // probes and hooks of containers and init containers (ephemeral containers have none)
      expression: `(variables.containers + variables.initContainers).all(c, ${HOST_HANDLERS.flatMap((h) => ['httpGet', 'tcpSocket'].map((a) => {
        const at = `c.${h}.${a}`;
        const guard = [...`${h}.${a}.host`.split('.').map((_, i, parts) => `has(c.${parts.slice(0, i + 1).join('.')})`)].join(' && ');
        return `(!(${guard}) || ${at}.host in ${celList(PROBE_HOSTS)})`;
      })).join(' && ')})`,
      message: `${PodSecurityControl.HOST_PROBES}: probes and lifecycle hooks must not name a host (httpGet.host, tcpSocket.host unset, empty, 127.0.0.1 or ::1)`,
    },
    {
      control: PodSecurityControl.SYSCTLS,
      expression: `!(${hasPsc('sysctls')}) || ${PSC}.sysctls.all(s, has(s.name) && s.name in ${celList(SAFE_SYSCTLS)})`,
      message: `${PodSecurityControl.SYSCTLS}: only the safe sysctls may be set (${SAFE_SYSCTLS.join(', ')})`,
    },
  ],
};

const RESTRICTED: PodAdmissionPolicyDefinition = {
  nameSuffix: 'pod-restricted',
  validations: [
    {
      control: PodSecurityControl.PRIVILEGE_ESCALATION,
      expression: `${WINDOWS_POD} || variables.allContainers.all(c, ${hasSc('allowPrivilegeEscalation')} && c.securityContext.allowPrivilegeEscalation == false)`,
      message: `${PodSecurityControl.PRIVILEGE_ESCALATION}: securityContext.allowPrivilegeEscalation must be false on every container`,
    },
    {
      control: PodSecurityControl.RUN_AS_NON_ROOT,
      expression: `!(${hasPsc('runAsNonRoot')} && ${PSC}.runAsNonRoot == false) && variables.allContainers.all(c, (${hasSc('runAsNonRoot')}) ? c.securityContext.runAsNonRoot == true : variables.podRunAsNonRoot)`,
      message: `${PodSecurityControl.RUN_AS_NON_ROOT}: runAsNonRoot must be true on every container, or on the pod and not false on a container; never false on the pod`,
    },
    {
      control: PodSecurityControl.RUN_AS_USER,
      expression: `!variables.podRunAsRoot && variables.allContainers.all(c, !(${hasSc('runAsUser')}) || c.securityContext.runAsUser != 0)`,
      message: `${PodSecurityControl.RUN_AS_USER}: runAsUser must not be 0, on the pod or on a container`,
    },
    {
      control: PodSecurityControl.SECCOMP_RESTRICTED,
      expression: `${WINDOWS_POD} || variables.allContainers.all(c, (${hasSc('seccompProfile.type')}) ? c.securityContext.seccompProfile.type in ${celList(ALLOWED_SECCOMP)} : variables.podSeccompType in ${celList(ALLOWED_SECCOMP)})`,
      message: `${PodSecurityControl.SECCOMP_RESTRICTED}: the seccomp profile must be RuntimeDefault or Localhost, on the pod or on every container`,
    },
    {
      control: PodSecurityControl.CAPABILITIES_RESTRICTED,
      expression: `${WINDOWS_POD} || variables.allContainers.all(c, ${hasSc('capabilities.drop')} && 'ALL' in c.securityContext.capabilities.drop && (!has(c.securityContext.capabilities.add) || c.securityContext.capabilities.add.all(cap, cap in ${celList(RESTRICTED_ADDABLE)})))`,
      message: `${PodSecurityControl.CAPABILITIES_RESTRICTED}: every container must drop ALL capabilities and add at most NET_BIND_SERVICE`,
    },
    {
      control: PodSecurityControl.VOLUME_TYPES,
      // the sources a volume must not have (a typed object's fields cannot be listed); a volume without a source is an emptyDir
      expression: `!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, ${RESTRICTED_VOLUME_SOURCES.map((t) => `!has(v.${t})`).join(' && ')})`,
      message: `${PodSecurityControl.VOLUME_TYPES}: volumes may only be of type ${RESTRICTED_VOLUME_TYPES.join(', ')}`,
    },
  ],
};

const RESOURCE_CHECKS = ['requests', 'limits'].flatMap((kind) => ['cpu', 'memory'].map((res) => `has(c.resources.${kind}.${res})`));

const PLATFORM: PodAdmissionPolicyDefinition = {
  nameSuffix: 'pod-platform',
  validations: [
    {
      control: PodSecurityControl.RESOURCES,
      // ephemeral containers take no resources (Kubernetes refuses them there), as in the gate
      expression: `size(variables.containers) > 0 && (variables.containers + variables.initContainers).all(c, has(c.resources) && has(c.resources.requests) && has(c.resources.limits) && ${RESOURCE_CHECKS.join(' && ')})`,
      message: `${PodSecurityControl.RESOURCES}: at least one container, and cpu and memory requests and limits on every container`,
    },
    {
      control: PodSecurityControl.PINNED_IMAGE,
      expression: `variables.allContainers.all(c, has(c.image) && (c.image.matches(${celString(PINNED_BY_DIGEST.source)}) || (c.image.matches(${celString(PINNED_BY_TAG.source)}) && !c.image.endsWith(':latest'))))`,
      message: `${PodSecurityControl.PINNED_IMAGE}: every image must be pinned by a tag (not latest) or a digest (@sha256:<64 hex>)`,
    },
  ],
};

/** The policies, one per family of rules: baseline, restricted, the platform's own. */
export const POD_ADMISSION_POLICIES: readonly PodAdmissionPolicyDefinition[] = [BASELINE, RESTRICTED, PLATFORM];

/** The gate's rules admission judges, in the order of the policies. */
export const POD_ADMISSION_CONTROLS: readonly PodSecurityControl[] = POD_ADMISSION_POLICIES.flatMap((p) => p.validations.map((v) => v.control));

/** The kinds the policies match, by API group and resource (plural), with the kind each resource holds. */
export const POD_ADMISSION_RESOURCES: ReadonlyArray<{ readonly apiGroup: string; readonly resource: string; readonly kind: string }> = [
  { apiGroup: '', resource: 'pods', kind: 'Pod' },
  // `kubectl debug` adds ephemeral containers through this subresource; the object judged is the Pod
  { apiGroup: '', resource: 'pods/ephemeralcontainers', kind: 'Pod' },
  { apiGroup: '', resource: 'replicationcontrollers', kind: 'ReplicationController' },
  { apiGroup: 'apps', resource: 'deployments', kind: 'Deployment' },
  { apiGroup: 'apps', resource: 'statefulsets', kind: 'StatefulSet' },
  { apiGroup: 'apps', resource: 'daemonsets', kind: 'DaemonSet' },
  { apiGroup: 'apps', resource: 'replicasets', kind: 'ReplicaSet' },
  { apiGroup: 'batch', resource: 'jobs', kind: 'Job' },
  { apiGroup: 'batch', resource: 'cronjobs', kind: 'CronJob' },
];

/**
 * Skips an UPDATE of a Pod that leaves its spec as it was (labels, annotations, finalizers), as Pod Security
 * Admission does: a running pod is not judged again for a change that cannot change what it runs.
 */
export const POD_ADMISSION_MATCH_CONDITION: PodAdmissionVariable = {
  name: 'pod-spec-changed-or-not-a-pod-update',
  expression: "request.operation != 'UPDATE' || object.kind != 'Pod' || object.spec != oldObject.spec",
};
