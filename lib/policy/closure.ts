/**
 * Closure across the two worlds of one environment: what the Kubernetes side names must exist on the Terraform side
 * of the same environment, or be provided by an add-on the same synth installs, or be a listed prerequisite.
 * Proven from the written files alone (the gate runs it over the synth's temporary folders):
 * - every IAM role ARN in an `eks.amazonaws.com/role-arn` annotation names a role of the stack, in its account; on a
 *   ServiceAccount, that role's trust policy admits exactly that ServiceAccount (`sub`
 *   `system:serviceaccount:<namespace>:<name>`, `aud` `sts.amazonaws.com`) and nothing else (`closure/role-trust`);
 * - every SecretStore authenticates as a ServiceAccount the output defines in its namespace, annotated with a role
 *   (then checked as above), with no API token mounted and no pod running as it: the secrets reader is External
 *   Secrets Operator's identity only (`closure/secrets-reader`);
 * - every value of a `bucket` field (Velero's storage location, Helm values) names a bucket of the stack;
 * - every Secrets Manager secret an ExternalSecret reads (`remoteRef.key`, `extract.key`) is a secret of the stack;
 * - every StorageClass `kmsKeyId` names a key alias or key of the stack; every `ebs.csi.aws.com` StorageClass has
 *   the stack's `aws-ebs-csi-driver` add-on; every `storageClassName` a workload asks for is a StorageClass emitted;
 * - every custom resource's API group has its CRDs from an add-on the chart installs (an Argo CD Application of
 *   that chart) or from a prerequisite listed in {@link CLUSTER_PREREQUISITES};
 * - NetworkPolicies have an engine (the vpc-cni add-on with its network policy agent on); HorizontalPodAutoscalers
 *   have their metrics API (metrics-server for resource metrics, the metrics adapter for custom ones).
 */
import type { Violation } from './gate';
import { readPolicyDocument } from './terraform-rules';

/** Something the cluster must have before the platform's output is applied, with the API groups it provides. */
export interface ClusterPrerequisite {
  /** What it is, e.g. `Argo CD`. */
  readonly name: string;
  /** Why the platform needs it, and how to provide it. */
  readonly why: string;
  /** The API groups whose CRDs it installs. */
  readonly apiGroups: readonly string[];
}

/** What every environment's cluster must have beforehand (written per environment to `PREREQUISITES.md`). */
export const CLUSTER_PREREQUISITES: readonly ClusterPrerequisite[] = [
  {
    name: 'Argo CD',
    why: 'applies dist/<env>/ (GitOps) and installs the add-ons the platform declares as Applications; install it once per cluster (its Helm chart or the EKS Argo CD capability) with read access to this repository and to the add-ons\' Helm repositories',
    apiGroups: ['argoproj.io'],
  },
];

/**
 * What an environment's cluster needs beforehand when the platform declares how it is operated: the Secrets the
 * add-ons read credentials from (the output names them, never their values).
 */
export const OBSERVABILITY_PREREQUISITES: readonly string[] = [
  '**Alerting Secrets**: the Secret(s) `observability.alerting` names (PagerDuty routing key, Slack webhook URL, SMTP password) in the alerting namespace, and `grafana-admin` (the Grafana admin login, keys `admin-user` and `admin-password`) there too.',
  '**Log shipping Secret**: the Secret `observability.logs.password` names, in the `logging` namespace.',
];

/**
 * API groups whose CRDs come from an add-on the chart installs as an Argo CD Application, by group: the Helm
 * chart names (`spec.source.chart`) any one of which provides them.
 */
export const CRD_PROVIDERS: Readonly<Record<string, readonly string[]>> = {
  'networking.istio.io': ['base'],
  'security.istio.io': ['base'],
  'telemetry.istio.io': ['base'],
  'velero.io': ['velero'],
  'postgresql.cnpg.io': ['cloudnative-pg'],
  'monitoring.coreos.com': ['kube-prometheus-stack'],
  'external-secrets.io': ['external-secrets'],
};

/** API groups whose CRDs an EKS add-on of the environment's stack installs, by group: the add-on's name. */
export const CRD_ADDONS: Readonly<Record<string, string>> = {
  'snapshot.storage.k8s.io': 'snapshot-controller',
};

/** API groups Kubernetes itself serves (no CRD needed). */
const BUILT_IN_GROUP = /^(|apps|batch|autoscaling|policy|networking\.k8s\.io|rbac\.authorization\.k8s\.io|storage\.k8s\.io|scheduling\.k8s\.io|coordination\.k8s\.io|discovery\.k8s\.io|admissionregistration\.k8s\.io|apiextensions\.k8s\.io|certificates\.k8s\.io|node\.k8s\.io|events\.k8s\.io|flowcontrol\.apiserver\.k8s\.io)$/;

type Json = Record<string, unknown>;
interface K8sObject { readonly apiVersion?: string; readonly kind?: string; readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly annotations?: Record<string, string> }; readonly spec?: Json; readonly parameters?: Record<string, string>; readonly provisioner?: string }

const ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

interface TrustStatement { readonly Effect?: string; readonly Action?: string | string[]; readonly Condition?: Record<string, Record<string, string | string[]>> }
const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : [v].flat());

/**
 * Why a role's trust policy (`assume_role_policy`, JSON text) does not admit exactly `subject` through the cluster's
 * OIDC provider, or undefined when it does: one Allow of `sts:AssumeRoleWithWebIdentity` whose `StringEquals` pins
 * `<issuer>:sub` to `subject` alone and `<issuer>:aud` to `sts.amazonaws.com`, and no other statement that lets
 * anyone assume it.
 */
function trustProblem(policy: unknown, subject: string): string | undefined {
  const doc = typeof policy === 'string' ? readPolicyDocument(policy) : undefined;
  const statements = (doc as { Statement?: TrustStatement | TrustStatement[] } | undefined)?.Statement;
  const allows = (statements === undefined ? [] : [statements].flat()).filter((st) => (st.Effect ?? 'Allow') === 'Allow');
  if (allows.length === 0) {
    return 'its trust policy is unreadable or allows nothing';
  }
  const subjectsOf = (st: TrustStatement) => Object.entries(st.Condition ?? {}).flatMap(([op, c]) => Object.entries(c).filter(([k]) => k.endsWith(':sub')).map(([, v]) => ({ op, values: asList(v) })));
  const exact = (st: TrustStatement) => {
    const subs = subjectsOf(st);
    const auds = Object.entries(st.Condition?.StringEquals ?? {}).filter(([k]) => k.endsWith(':aud')).map(([, v]) => asList(v));
    return asList(st.Action).includes('sts:AssumeRoleWithWebIdentity') && subs.length === 1 && subs[0].op === 'StringEquals'
      && subs[0].values.length === 1 && subs[0].values[0] === subject && auds.length === 1 && auds[0].length === 1 && auds[0][0] === 'sts.amazonaws.com';
  };
  const others = allows.filter((st) => !exact(st));
  if (others.length === allows.length) {
    const named = allows.flatMap((st) => subjectsOf(st).flatMap((x) => x.values));
    return `its trust policy admits ${named.length > 0 ? named.join(', ') : 'no ServiceAccount'} (audience sts.amazonaws.com), not exactly ${subject}`;
  }
  if (others.length > 0) {
    return `its trust policy has ${others.length} more statement(s) besides the one for ${subject}`;
  }
  return undefined;
}

/** The literal values of a Terraform resource type's attribute across the stack. */
function literals(stack: Json, type: string, attribute: string): Set<string> {
  const resources = ((stack.resource as Record<string, Record<string, Json>> | undefined)?.[type]) ?? {};
  return new Set(Object.values(resources).map((r) => r[attribute]).filter((v): v is string => typeof v === 'string' && !v.includes('${')));
}

/** Every value of a key named `key` anywhere below `value`, with its path. */
function valuesOfKey(value: unknown, key: string, at: string, out: Array<{ at: string; value: unknown }> = []): Array<{ at: string; value: unknown }> {
  // the path is kept as parts and joined only for a match: the walk visits every field of every object
  const parts: string[] = [at];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        parts.push(`[${i}]`);
        walk(v[i]);
        parts.pop();
      }
    } else if (v !== null && typeof v === 'object') {
      for (const k in v as Record<string, unknown>) {
        const child = (v as Record<string, unknown>)[k];
        parts.push(`.${k}`);
        if (k === key && typeof child === 'string') {
          out.push({ at: parts.join(''), value: child });
        } else if (child !== null && typeof child === 'object') {
          walk(child);
        }
        parts.pop();
      }
    }
  };
  walk(value);
  return out;
}

const nameOf = (o: K8sObject) => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? ''}`;

/** The violations of closure between one environment's stack (`cdk.tf.json`, parsed) and its Kubernetes objects. */
export function checkClosure(environment: string, stack: Json, objects: readonly unknown[]): Violation[] {
  const k8s = objects as readonly K8sObject[];
  const out: Violation[] = [];
  const report = (rule: string, o: K8sObject, message: string) => out.push({ rule: `closure/${rule}`, where: `${environment}: ${nameOf(o)}`, message });

  const providers = ((stack.provider as Record<string, Json[]> | undefined)?.aws ?? []).filter((p) => p.alias === undefined);
  const accounts = new Set(providers.flatMap((p) => (p.allowed_account_ids as string[] | undefined) ?? []));
  const roles = literals(stack, 'aws_iam_role', 'name');
  const trustOf = new Map<string, unknown[]>();
  for (const r of Object.values(((stack.resource as Record<string, Record<string, Json>> | undefined)?.aws_iam_role) ?? {})) {
    if (typeof r.name === 'string') {
      trustOf.set(r.name, [...(trustOf.get(r.name) ?? []), r.assume_role_policy]);
    }
  }
  const serviceAccounts = new Map(k8s.filter((o) => o.kind === 'ServiceAccount' && o.apiVersion === 'v1').map((o) => [`${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`, o]));
  /** The ServiceAccounts pods run as, `namespace/name`, from every pod template (workloads) and pod of the output. */
  const podAccounts = new Set<string>();
  for (const o of k8s) {
    const template = o.kind === 'Pod' ? { spec: o.spec } : ((o.spec?.jobTemplate as Json | undefined)?.spec as Json | undefined)?.template as Json | undefined ?? o.spec?.template as Json | undefined;
    const spec = template?.spec as { serviceAccountName?: string } | undefined;
    if (spec !== undefined) {
      podAccounts.add(`${o.metadata?.namespace ?? ''}/${spec.serviceAccountName ?? 'default'}`);
    }
  }
  const buckets = literals(stack, 'aws_s3_bucket', 'bucket');
  const secretNames = literals(stack, 'aws_secretsmanager_secret', 'name');
  const aliases = literals(stack, 'aws_kms_alias', 'name');
  const addons = literals(stack, 'aws_eks_addon', 'addon_name');
  const storageClasses = new Set(k8s.filter((o) => o.kind === 'StorageClass').map((o) => o.metadata?.name ?? ''));
  const charts = new Set(k8s.filter((o) => o.kind === 'Application' && o.apiVersion?.startsWith('argoproj.io/')).map((o) => String((o.spec?.source as Json | undefined)?.chart ?? '')));

  const addonConfig = (name: string): string | undefined => {
    const resources = ((stack.resource as Record<string, Record<string, Json>> | undefined)?.aws_eks_addon) ?? {};
    const addon = Object.values(resources).find((r) => r.addon_name === name);
    return addon === undefined ? undefined : String(addon.configuration_values ?? '');
  };
  const cni = addonConfig('vpc-cni');
  const policyEngine = cni !== undefined && /"enableNetworkPolicy"\s*:\s*"true"/.test(cni);
  for (const o of k8s) {
    if (o.kind === 'NetworkPolicy' && o.apiVersion === 'networking.k8s.io/v1' && !policyEngine) {
      report('network-policy-engine', o, `a NetworkPolicy; allowed: only with an engine that enforces it (the ${environment} stack's vpc-cni add-on with enableNetworkPolicy "true")`);
    }
    if (o.kind === 'HorizontalPodAutoscaler') {
      const types = new Set(((o.spec?.metrics as Array<{ type?: string }> | undefined) ?? [{ type: 'Resource' }]).map((m) => m.type));
      if ((types.has('Resource') || types.has('ContainerResource')) && !addons.has('metrics-server')) {
        report('metrics-api', o, `scales on resource metrics; allowed: only with metrics-server (the ${environment} stack's metrics-server add-on)`);
      }
      if ((types.has('Pods') || types.has('Object') || types.has('External')) && !charts.has('prometheus-adapter')) {
        report('metrics-api', o, `scales on custom metrics; allowed: only with a metrics adapter (the prometheus-adapter add-on of the ${environment} chart)`);
      }
    }
    // annotations of the object, and of service accounts in an add-on's Helm values
    for (const { at, value } of valuesOfKey(o, ROLE_ANNOTATION, '').map((v) => ({ ...v, at: v.at.slice(1) }))) {
      const m = ROLE_ARN.exec(String(value));
      if (!m || !accounts.has(m[1]) || !roles.has(m[2])) {
        report('role-arn', o, `${at} is ${String(value)}; allowed: a role of the ${environment} stack in account ${[...accounts].join(', ')} (roles: ${[...roles].sort().join(', ')})`);
      } else if (o.kind === 'ServiceAccount' && at === `metadata.annotations.${ROLE_ANNOTATION}`) {
        // the role exists: it must trust this ServiceAccount, and only it (IRSA's token names the ServiceAccount)
        const subject = `system:serviceaccount:${o.metadata?.namespace ?? ''}:${o.metadata?.name ?? ''}`;
        const problems = (trustOf.get(m[2]) ?? []).map((policy) => trustProblem(policy, subject));
        const problem = problems.length === 1 ? problems[0] : `${problems.length} roles of the stack are named ${m[2]}`;
        if (problem !== undefined) {
          report('role-trust', o, `${at} is ${String(value)}, but ${problem}; allowed: a role whose trust policy admits exactly ${subject} with audience sts.amazonaws.com`);
        }
      }
    }
    if (o.kind === 'SecretStore' && (o.apiVersion ?? '').startsWith('external-secrets.io/')) {
      const ref = (((((o.spec?.provider as Json | undefined)?.aws as Json | undefined)?.auth as Json | undefined)?.jwt as Json | undefined)?.serviceAccountRef as { name?: string } | undefined)?.name;
      if (ref !== undefined) {
        const key = `${o.metadata?.namespace ?? ''}/${ref}`;
        const account = serviceAccounts.get(key) as (K8sObject & { automountServiceAccountToken?: boolean }) | undefined;
        const problem = account === undefined ? `the output defines no ServiceAccount ${key}`
          : account.metadata?.annotations?.[ROLE_ANNOTATION] === undefined ? `ServiceAccount ${key} carries no ${ROLE_ANNOTATION}`
            : account.automountServiceAccountToken !== false ? `ServiceAccount ${key} does not set automountServiceAccountToken: false`
              : podAccounts.has(key) ? `pods run as ServiceAccount ${key}, so they hold its secrets-reading role` : undefined;
        if (problem !== undefined) {
          report('secrets-reader', o, `spec.provider.aws.auth.jwt.serviceAccountRef is ${ref}, but ${problem}; allowed: a ServiceAccount of the output in the store's namespace, annotated with its role, with no token mounted and no pod running as it`);
        }
      }
    }
    for (const { at, value } of valuesOfKey(o, 'bucket', '')) {
      if (!buckets.has(String(value))) {
        report('bucket', o, `${at.slice(1)} is ${String(value)}; allowed: a bucket of the ${environment} stack (${[...buckets].sort().join(', ')})`);
      }
    }
    if (o.kind === 'ExternalSecret' && (o.apiVersion ?? '').startsWith('external-secrets.io/')) {
      const data = (o.spec?.data as Array<{ remoteRef?: { key?: string } }> | undefined) ?? [];
      const dataFrom = (o.spec?.dataFrom as Array<{ extract?: { key?: string } }> | undefined) ?? [];
      for (const key of [...data.map((d) => d.remoteRef?.key), ...dataFrom.map((d) => d.extract?.key)].filter((k): k is string => k !== undefined)) {
        if (!secretNames.has(key)) {
          report('secret', o, `reads Secrets Manager secret ${key}; allowed: a secret of the ${environment} stack (an aws_secretsmanager_secret of that name)`);
        }
      }
    }
    if (o.kind === 'StorageClass') {
      const key = o.parameters?.kmsKeyId;
      if (key !== undefined && !aliases.has(key) && !aliases.has(key.replace(/^arn:[^:]+:kms:[^:]+:\d{12}:/, ''))) {
        report('kms-key', o, `parameters.kmsKeyId is ${key}; allowed: an alias of a key of the ${environment} stack (${[...aliases].sort().join(', ')})`);
      }
      if (o.provisioner === 'ebs.csi.aws.com' && !addons.has('aws-ebs-csi-driver')) {
        report('csi-driver', o, `provisioner ebs.csi.aws.com; allowed: only with the aws-ebs-csi-driver add-on in the ${environment} stack`);
      }
    }
    for (const { at, value } of valuesOfKey(o.spec ?? {}, 'storageClassName', 'spec')) {
      if (!storageClasses.has(String(value))) {
        report('storage-class', o, `${at} is ${String(value)}; allowed: a StorageClass the ${environment} output defines (${[...storageClasses].sort().join(', ')})`);
      }
    }
    const group = (o.apiVersion ?? '').includes('/') ? (o.apiVersion ?? '').split('/')[0] : '';
    const fromAddon = CRD_ADDONS[group];
    if (fromAddon !== undefined) {
      if (!addons.has(fromAddon)) {
        report('crd', o, `apiVersion ${o.apiVersion}; allowed: only with the ${fromAddon} add-on in the ${environment} stack, which installs its CRDs`);
      }
    } else if (!BUILT_IN_GROUP.test(group) && !CLUSTER_PREREQUISITES.some((p) => p.apiGroups.includes(group))) {
      const from = CRD_PROVIDERS[group];
      if (from === undefined || !from.some((chart) => charts.has(chart))) {
        report('crd', o, `apiVersion ${o.apiVersion}; allowed: custom resources whose CRDs an add-on of the ${environment} chart installs (${from ? `Helm chart ${from.join(' or ')}` : 'none known for this API group'}) or a listed prerequisite`);
      }
    }
  }
  return out;
}

/** The PREREQUISITES.md of one environment's output folder: what the cluster and account must have beforehand. */
export function prerequisitesText(environment: string, extra: readonly string[] = []): string {
  const lines = [
    `# What the ${environment} environment expects to exist beforehand`,
    '',
    'Everything else this output relies on is created by the same synth (the Terraform stack of the same name, or an',
    'add-on this folder installs); `eks-platform synth` checks that across the two worlds before it writes anything.',
    '',
    ...CLUSTER_PREREQUISITES.map((p) => `- **${p.name}**: ${p.why}.`),
    ...extra.map((e) => `- ${e}`),
    '',
  ];
  return lines.join('\n');
}
