/**
 * The restore check: a daily CronJob in Velero's namespace that restores the latest completed backup of each critical
 * namespace into a scratch namespace (Velero `namespaceMapping`), waits for the Restore to complete and the restored
 * pods to be Ready, deletes the scratch namespace and exits non-zero if any namespace failed. The outcome is the
 * Job's status, which kube-state-metrics exports (`kube_job_status_failed`, `kube_cronjob_status_last_successful_time`),
 * beside Velero's own `velero_restore_*` metrics; {@link BackupAlerts} alerts on both.
 */
import { ApiObject } from 'cdk8s';
import { IntOrString, KubeClusterRole, KubeClusterRoleBinding, KubeCronJob, KubeNetworkPolicy, KubeRole, KubeRoleBinding, KubeServiceAccount, Quantity } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { kubernetesApiServiceIp } from '../../model/cidr';
import { ValidationError, imageProblem, requireDns1123Label } from '../../model/validation';
import { Hardening } from '../hardening';

/**
 * The kubectl image of the check, pinned by exact tag: Bitnami's kubectl 1.33.4. Bitnami removed version tags from
 * `docker.io/bitnami` in 2025 and froze them in `docker.io/bitnamilegacy` (no more updates, may be removed): mirror
 * it into the platform's registry and pass that image (better by digest) as `image`.
 */
export const DEFAULT_RESTORE_CHECK_IMAGE = 'docker.io/bitnamilegacy/kubectl:1.33.4';

/** The prefix of every scratch namespace: `restore-check-<namespace>`. */
export const SCRATCH_NAMESPACE_PREFIX = 'restore-check-';

/** The name of the CronJob, its ServiceAccount and RBAC objects. */
export const RESTORE_CHECK_NAME = 'restore-check';

/** One namespace the check restores. */
export interface RestoreCheckTarget {
  /** The namespace backed up. */
  readonly namespace: string;
  /** The Velero Schedule whose latest completed backup is restored. */
  readonly scheduleName: string;
}

/** Options for a {@link RestoreCheck}. */
export interface RestoreCheckProps {
  /** Velero's namespace: the CronJob runs there and creates its Restores there. */
  readonly veleroNamespace: string;
  /** The namespaces restored, each from its Schedule. At least one. */
  readonly targets: readonly RestoreCheckTarget[];
  /** When the check runs, a cron expression (UTC). @default '30 4 * * *' (daily, 04:30) */
  readonly schedule?: string;
  /** The image (with a shell and kubectl), pinned by tag or digest. @default DEFAULT_RESTORE_CHECK_IMAGE */
  readonly image?: string;
  /** Seconds to wait for one Restore to reach a final phase. @default 1800 */
  readonly restoreTimeoutSeconds?: number;
  /** Seconds to wait for the restored pods of one namespace to be Ready. @default 600 */
  readonly podsReadyTimeoutSeconds?: number;
  /** Labels on every object. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Where the Kubernetes API server's network interfaces are (the VPC's CIDR on EKS): the check's NetworkPolicy opens
   * 443 to it, and DNS, and nothing else.
   */
  readonly apiServerCidr: string;
  /**
   * The cluster's service CIDR: the check reaches the API server through the `kubernetes` Service, whose ClusterIP
   * (the block's first address) the VPC CNI's policy agent judges before the DNAT, so the policy opens it on 443 too.
   * @default DEFAULT_KUBERNETES_SERVICE_CIDR (172.20.0.0/16)
   */
  readonly kubernetesServiceCidr?: string;
}

/** The daily restore check of the critical namespaces, with its ServiceAccount and least RBAC. */
export class RestoreCheck extends Construct {
  /** The scratch namespace of each target namespace. */
  public readonly scratchNamespaces: ReadonlyMap<string, string>;
  /** The image. */
  public readonly image: string;
  /** The cron schedule. */
  public readonly schedule: string;
  /** The CronJob (id `Resource`). */
  public readonly cronJob: KubeCronJob;
  /** The shell script the container runs. */
  public readonly script: string;

  constructor(scope: Construct, id: string, props: RestoreCheckProps) {
    super(scope, id);
    const path = this.node.path;
    if (props.targets.length === 0) {
      throw new ValidationError(path, 'targets', [], 'allowed: one or more namespaces to restore');
    }
    this.image = props.image ?? DEFAULT_RESTORE_CHECK_IMAGE;
    const problem = imageProblem(this.image);
    if (problem) {
      throw new ValidationError(path, 'image', this.image, problem);
    }
    this.schedule = props.schedule ?? '30 4 * * *';
    const restoreTimeout = props.restoreTimeoutSeconds ?? 1800;
    const podsTimeout = props.podsReadyTimeoutSeconds ?? 600;
    for (const [field, v] of [['restoreTimeoutSeconds', restoreTimeout], ['podsReadyTimeoutSeconds', podsTimeout]] as const) {
      if (!Number.isInteger(v) || v < 60) {
        throw new ValidationError(path, field, v, 'allowed: a whole number of seconds, 60 or more');
      }
    }
    const ns = props.veleroNamespace;
    const scratch = new Map<string, string>();
    for (const t of props.targets) {
      const name = `${SCRATCH_NAMESPACE_PREFIX}${t.namespace}`;
      requireDns1123Label(path, `targets.${t.namespace} (scratch namespace ${name})`, name);
      scratch.set(t.namespace, name);
    }
    this.scratchNamespaces = scratch;
    const labels = { 'app.kubernetes.io/name': RESTORE_CHECK_NAME, ...(props.labels ?? {}) };
    const metadata = { name: RESTORE_CHECK_NAME, namespace: ns, labels };

    new KubeServiceAccount(this, 'ServiceAccount', { metadata, automountServiceAccountToken: true });
    // the check talks to the API server only: no ingress, egress to DNS and to the API server on 443
    new KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata,
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': RESTORE_CHECK_NAME } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
            ports: [{ protocol: 'UDP', port: IntOrString.fromNumber(53) }, { protocol: 'TCP', port: IntOrString.fromNumber(53) }],
          },
          // the `kubernetes` Service's ClusterIP (pre-DNAT, what the VPC CNI's policy agent sees) and the endpoints behind it
          { to: [{ ipBlock: { cidr: `${kubernetesApiServiceIp(props.kubernetesServiceCidr)}/32` } }, { ipBlock: { cidr: props.apiServerCidr } }], ports: [{ protocol: 'TCP', port: IntOrString.fromNumber(443) }] },
        ],
      },
    });
    // in Velero's namespace: find the latest backups, create, read and delete its own Restores
    new KubeRole(this, 'Role', {
      metadata,
      rules: [
        { apiGroups: ['velero.io'], resources: ['backups'], verbs: ['get', 'list'] },
        { apiGroups: ['velero.io'], resources: ['restores'], verbs: ['create', 'get', 'delete'] },
      ],
    });
    new KubeRoleBinding(this, 'RoleBinding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: RESTORE_CHECK_NAME },
      subjects: [{ kind: 'ServiceAccount', name: RESTORE_CHECK_NAME, namespace: ns }],
    });
    // cluster-wide, as little as possible: its own scratch namespaces by name, and reading pods (a scratch namespace
    // does not exist before Velero restores it, so no RoleBinding in it can be made beforehand)
    const clusterName = `${ns}-${RESTORE_CHECK_NAME}`;
    new KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: clusterName, labels },
      rules: [
        { apiGroups: [''], resources: ['namespaces'], resourceNames: [...scratch.values()], verbs: ['get', 'list', 'watch', 'delete'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    new KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: clusterName, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
      subjects: [{ kind: 'ServiceAccount', name: RESTORE_CHECK_NAME, namespace: ns }],
    });

    this.script = restoreCheckScript(ns, props.targets.map((t) => ({ ...t, scratch: scratch.get(t.namespace) as string })), restoreTimeout, podsTimeout);
    const hardening = new Hardening(path);
    const deadline = props.targets.length * (restoreTimeout + podsTimeout + 300) + 300;
    this.cronJob = new KubeCronJob(this, 'Resource', {
      metadata,
      spec: {
        schedule: this.schedule,
        timeZone: 'Etc/UTC',
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 1,
        jobTemplate: {
          metadata: { labels },
          spec: {
            // a retry would restore again over a half-cleaned scratch namespace: one attempt, tomorrow's is the next
            backoffLimit: 0,
            activeDeadlineSeconds: deadline,
            // a failed Job (kube_job_status_failed) disappears before the next run, so its alert resolves
            ttlSecondsAfterFinished: 20 * 3600,
            template: {
              metadata: { labels },
              spec: {
                serviceAccountName: RESTORE_CHECK_NAME,
                restartPolicy: 'Never',
                securityContext: hardening.podSecurityContext(),
                volumes: hardening.volumes(),
                containers: [{
                  name: 'check',
                  image: this.image,
                  imagePullPolicy: 'IfNotPresent',
                  command: ['/bin/sh', '-c', this.script],
                  // kubectl writes its discovery cache under $HOME: the /tmp emptyDir (the root filesystem is read-only)
                  env: [{ name: 'HOME', value: '/tmp' }],
                  securityContext: hardening.containerSecurityContext(),
                  volumeMounts: hardening.volumeMounts(),
                  resources: {
                    requests: { cpu: Quantity.fromString('50m'), memory: Quantity.fromString('64Mi'), 'ephemeral-storage': Quantity.fromString('64Mi') },
                    limits: { cpu: Quantity.fromString('500m'), memory: Quantity.fromString('256Mi'), 'ephemeral-storage': Quantity.fromString('256Mi') },
                  },
                }],
              },
            },
          },
        },
      },
    });
  }

  /** Every object of the check (ServiceAccount, RBAC, CronJob). */
  public get objects(): ApiObject[] {
    return this.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  }
}

/** The POSIX shell script of the check (exported for tests and the runbook). */
export function restoreCheckScript(veleroNamespace: string, targets: ReadonlyArray<RestoreCheckTarget & { readonly scratch: string }>, restoreTimeoutSeconds: number, podsReadyTimeoutSeconds: number): string {
  const lines = [
    'set -u',
    `VELERO_NS=${veleroNamespace}`,
    'failed=""',
    'check() {',
    '  ns="$1"; schedule="$2"; scratch="$3"',
    '  backup=$(kubectl get backups.velero.io -n "$VELERO_NS" -l "velero.io/schedule-name=$schedule" --sort-by=.status.completionTimestamp -o jsonpath=\'{range .items[?(@.status.phase=="Completed")]}{.metadata.name}{"\\n"}{end}\' | tail -n 1)',
    '  if [ -z "$backup" ]; then echo "FAIL $ns: no completed backup of schedule $schedule"; return 1; fi',
    '  kubectl delete namespace "$scratch" --ignore-not-found --wait=true --timeout=600s || return 1',
    '  restore="restore-check-$ns-$(date -u +%Y%m%d%H%M%S)"',
    '  echo "restoring $backup ($ns) into $scratch as $restore"',
    '  printf \'{"apiVersion":"velero.io/v1","kind":"Restore","metadata":{"name":"%s","namespace":"%s","labels":{"app.kubernetes.io/name":"restore-check"}},"spec":{"backupName":"%s","includedNamespaces":["%s"],"namespaceMapping":{"%s":"%s"},"restorePVs":true}}\' "$restore" "$VELERO_NS" "$backup" "$ns" "$ns" "$scratch" | kubectl create -f - || return 1',
    '  phase=""; waited=0',
    `  while [ "$waited" -lt ${restoreTimeoutSeconds} ]; do`,
    '    phase=$(kubectl get restores.velero.io "$restore" -n "$VELERO_NS" -o jsonpath=\'{.status.phase}\')',
    '    case "$phase" in Completed|PartiallyFailed|Failed|FailedValidation) break ;; esac',
    '    sleep 10; waited=$((waited + 10))',
    '  done',
    '  result=0',
    '  if [ "$phase" != "Completed" ]; then echo "FAIL $ns: restore $restore ended in phase \'${phase:-none}\'"; result=1; fi',
    '  if [ "$result" -eq 0 ]; then',
    '    waited=0',
    `    while [ "$waited" -lt ${podsReadyTimeoutSeconds} ] && [ -z "$(kubectl get pods -n "$scratch" -o name)" ]; do sleep 5; waited=$((waited + 5)); done`,
    `    kubectl wait pods --all -n "$scratch" --for=condition=Ready --timeout=${podsReadyTimeoutSeconds}s || { echo "FAIL $ns: restored pods not Ready"; kubectl get pods -n "$scratch"; result=1; }`,
    '  fi',
    '  kubectl delete namespace "$scratch" --ignore-not-found --wait=false',
    '  kubectl delete restores.velero.io "$restore" -n "$VELERO_NS" --ignore-not-found --wait=false',
    '  [ "$result" -eq 0 ] && echo "OK $ns: $backup restored, pods Ready"',
    '  return "$result"',
    '}',
    ...targets.map((t) => `check ${t.namespace} ${t.scheduleName} ${t.scratch} || failed="$failed ${t.namespace}"`),
    'if [ -n "$failed" ]; then echo "restore check failed for:$failed"; exit 1; fi',
    'echo "restore check passed"',
  ];
  return `${lines.join('\n')}\n`;
}
