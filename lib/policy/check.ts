/**
 * `eks-platform check`: the platform's existing rules over files of any origin (Kubernetes YAML, cdktf-synthesized
 * Terraform JSON), with a report in text, JSON or SARIF 2.1.0, and suppressions (lib/policy/suppressions.ts).
 *
 * The rules are those of the gate (lib/policy/gate.ts), reused as they are: the Pod Security Standard "restricted"
 * and the platform's pod rules (pod-security.ts), the Istio analysis (istio-analyze.ts), the Terraform rules
 * (terraform-rules.ts). The gate's fourth rule, no machine paths (`determinism/machine-path`), is left out: it is a
 * rule about reproducible generated output, and on hand-written manifests it reports ordinary values such as
 * `mountPath: /tmp`.
 *
 * Reads plain files only; imports nothing of cdk8s or cdktf.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadAll } from 'js-yaml';
import { analyzeIstio, type IstioAnalyzedObject } from './istio-analyze';
import { YamlPositions, terraformResourceLine } from './positions';
import { PROMETHEUS_RULE, checkPrometheusRules } from './prometheus-rules';
import { checkPodSecurity, PodSecurityControl, type KubernetesObject } from './pod-security';
import { readSuppressions, suppresses, type Suppression } from './suppressions';
import { checkTerraformStack } from './terraform-rules';
import { checkWorkloads, WorkloadRule } from './workload-rules';

/** A `--rules`/`--skip-rules` pattern that selects no rule the check knows (exit 2). */
export class RuleSelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuleSelectionError';
  }
}

/** Input the check cannot read: a missing path, YAML or JSON that does not parse, no recognisable input (exit 2). */
export class CheckInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckInputError';
  }
}

/** One broken rule. */
export interface CheckFinding {
  /** The rule id: a {@link PodSecurityControl} value, an Istio analysis code, or a Terraform rule id. */
  readonly rule: string;
  /** `error` fails the check; `warning` (`iam-policy-unreadable`, `platform/stateful-replicas`) is reported. */
  readonly severity: 'error' | 'warning';
  /** The file, relative to the current folder, with `/` separators. */
  readonly file: string;
  /** Kubernetes: the object's kind. Terraform: the resource type (`data.<type>` for a data source). */
  readonly kind?: string;
  /** Kubernetes: the object's namespace, when it has one. */
  readonly namespace?: string;
  /** Kubernetes: the object's name. Terraform: the resource name. */
  readonly name?: string;
  /** The field, from the object's root (Kubernetes) or the resource body (Terraform), when the rule names one. */
  readonly field?: string;
  /** What the rule allows. */
  readonly expected: string;
  /** What was found. */
  readonly found: string;
  /** The rule's own message. */
  readonly message: string;
  /**
   * The 1-based line of the finding: the field's (or its nearest enclosing field's) in YAML, the resource's key in
   * Terraform JSON, else the object's document start. Undefined when not known (e.g. a finding about a missing object).
   */
  readonly line?: number;
}

/** A finding a suppression accepted. */
export interface SuppressedFinding extends CheckFinding {
  readonly reason: string;
}

/** The outcome of {@link checkPaths}. */
export interface CheckReport {
  /** The files read, relative to the current folder, sorted. */
  readonly files: readonly string[];
  /** Findings no suppression accepted, sorted. */
  readonly findings: readonly CheckFinding[];
  /** Findings a suppression accepted, sorted. */
  readonly suppressed: readonly SuppressedFinding[];
  /** Suppressions that matched no finding (each an error). */
  readonly unmatchedSuppressions: readonly Suppression[];
  /** The suppression file, relative to the current folder, when one was given. */
  readonly suppressionFile?: string;
  /** 0 every rule holds; 1 an error finding or an unmatched suppression. */
  readonly exitCode: 0 | 1;
}

/** Options of {@link checkPaths}. */
export interface CheckOptions {
  /** The folder paths are read and reported relative to. @default process.cwd() */
  readonly cwd?: string;
  /** A suppression file (YAML or JSON). @default no suppressions */
  readonly suppressions?: string;
  /**
   * The rules judged: rule ids or `*` globs (`baseline/*`, `restricted/*`, `IST*`, `s3-*`); each must match a rule of
   * {@link RULE_DESCRIPTIONS}. @default every rule
   */
  readonly rules?: readonly string[];
  /** Rules left out (ids or globs, as `rules`), after `rules`. @default none */
  readonly skipRules?: readonly string[];
}

/** The rule id of a suppression that matches no finding. */
export const UNMATCHED_SUPPRESSION_RULE = 'suppression/unmatched';

/** What each rule id the check can report checks (the SARIF rules' descriptions; docs/policy.md lists the same). */
export const RULE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  [PodSecurityControl.HOST_PROCESS]: 'Pod Security baseline: no Windows HostProcess containers',
  [PodSecurityControl.HOST_NAMESPACES]: 'Pod Security baseline: hostNetwork, hostPID and hostIPC unset or false',
  [PodSecurityControl.PRIVILEGED]: 'Pod Security baseline: no privileged containers',
  [PodSecurityControl.CAPABILITIES_BASELINE]: 'Pod Security baseline: only the baseline set of capabilities may be added',
  [PodSecurityControl.HOST_PATH]: 'Pod Security baseline: no hostPath volumes',
  [PodSecurityControl.HOST_PORTS]: 'Pod Security baseline: no host ports',
  [PodSecurityControl.APPARMOR]: 'Pod Security baseline: AppArmor profile RuntimeDefault or Localhost',
  [PodSecurityControl.SELINUX]: 'Pod Security baseline: SELinux type among the container types, user and role unset',
  [PodSecurityControl.HOST_PROBES]: 'Pod Security baseline (1.34+): probes and lifecycle hooks name no host (httpGet/tcpSocket host unset, empty or loopback)',
  [PodSecurityControl.PROC_MOUNT]: 'Pod Security baseline: procMount Default',
  [PodSecurityControl.SECCOMP_BASELINE]: 'Pod Security baseline: seccomp profile not Unconfined',
  [PodSecurityControl.SYSCTLS]: 'Pod Security baseline: only the safe sysctls',
  [PodSecurityControl.VOLUME_TYPES]: 'Pod Security restricted: only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes',
  [PodSecurityControl.PRIVILEGE_ESCALATION]: 'Pod Security restricted: allowPrivilegeEscalation false on every container',
  [PodSecurityControl.RUN_AS_NON_ROOT]: 'Pod Security restricted: runAsNonRoot true (on the pod or every container)',
  [PodSecurityControl.RUN_AS_USER]: 'Pod Security restricted: runAsUser not 0',
  [PodSecurityControl.SECCOMP_RESTRICTED]: 'Pod Security restricted: seccomp profile RuntimeDefault or Localhost (on the pod or every container)',
  [PodSecurityControl.CAPABILITIES_RESTRICTED]: 'Pod Security restricted: drop ALL capabilities, add only NET_BIND_SERVICE',
  [PodSecurityControl.RESOURCES]: 'platform: at least one container; CPU and memory requests and limits on every container',
  [PodSecurityControl.PROBES]: 'platform: readiness and liveness probes on every container of a serving workload',
  [PodSecurityControl.PINNED_IMAGE]: 'platform: every image pinned to a tag or digest (not latest)',
  IST0101: 'Istio ReferencedResourceNotFound: a route or mirror names a subset no DestinationRule defines, or a Gateway that does not exist',
  IST0118: 'Istio PortNameIsNotUnderNamingConvention: a Service port neither named <protocol>[-<suffix>] nor with an appProtocol',
  IST0132: 'Istio VirtualServiceHostNotFoundInGateway: a VirtualService host its Gateway does not serve',
  IST0144: 'Istio InvalidApplicationUID: a workload runs as UID 1337, the sidecar proxy\'s',
  IST0173: 'Istio DestinationRuleSubsetNotSelectPods: a DestinationRule subset that selects no pod',
  EPC0001: 'Istio route weights: each an integer 0..100, summing to 100',
  'iam-admin-statement': 'Terraform: no IAM Allow statement of action * (or any NotAction) on every resource (*, an all-wildcard ARN, or any NotResource)',
  'iam-policy-unreadable': 'Terraform (warning): an IAM policy the rules cannot read (not JSON text nor an aws_iam_policy_document of the stack, or merging such a document)',
  'eks-public-endpoint-open': 'Terraform: no EKS public API endpoint open to more than a /8 (public_access_cidrs together, per address family)',
  'launch-template-imdsv1': 'Terraform: launch templates require IMDSv2 (metadata_options.http_tokens = "required")',
  's3-versioning': 'Terraform: every S3 bucket has versioning Enabled (aws_s3_bucket_versioning)',
  's3-sse-kms': 'Terraform: every S3 bucket encrypts by default with aws:kms or aws:kms:dsse and a customer key (AES256 only on a server access log destination)',
  's3-public-access-block': 'Terraform: every S3 bucket has all four public access block flags true (or the account-level block in the stack)',
  's3-tls-only': 'Terraform: every S3 bucket policy denies s3:* to any principal when aws:SecureTransport is false',
  's3-abort-incomplete-uploads': 'Terraform: every S3 bucket has an enabled lifecycle rule over the whole bucket that aborts incomplete multipart uploads',
  's3-ownership-enforced': 'Terraform: every S3 bucket has object ownership BucketOwnerEnforced (ACLs disabled)',
  'eks-secrets-encryption': 'Terraform: EKS clusters envelope-encrypt Secrets with a customer KMS key (encryption_config resources ["secrets"])',
  'eks-control-plane-logs': 'Terraform: EKS clusters enable every control-plane log type (api, audit, authenticator, controllerManager, scheduler)',
  'eks-upgrade-policy': 'Terraform: EKS clusters set upgrade_policy.support_type explicitly (STANDARD or EXTENDED)',
  'launch-template-hop-limit': 'Terraform: launch templates set the IMDS hop limit to 1 (metadata_options.http_put_response_hop_limit)',
  'kms-key-rotation': 'Terraform: symmetric KMS keys rotate (enable_key_rotation; a warning when it is an expression the rule cannot read)',
  'iam-administrator-access': 'Terraform: the AWS managed policy AdministratorAccess is attached to no role, user, group or permission set',
  'iam-public-trust': 'Terraform: no role trust policy allows principal * without a condition narrowing it to an organization, account or principal, nor a web identity provider without a condition on its sub (Cognito: aud) naming the subjects',
  'vpc-flow-logs': 'Terraform: every VPC of the stack has a flow log',
  'vpc-default-security-group-closed': 'Terraform: every VPC of the stack manages its default security group, and it has no rules',
  'vpc-public-ip-on-launch': 'Terraform: no subnet maps a public IP on launch, no launch template associates one',
  'ecr-immutable-tags': 'Terraform: ECR repositories have immutable tags (IMMUTABLE, or IMMUTABLE_WITH_EXCLUSION whose filters are not only * and match no release tag)',
  'ecr-scan-on-push': 'Terraform: ECR repositories scan images on push (repository setting or a registry scanning rule)',
  [WorkloadRule.SERVICE_ACCOUNT_TOKEN]: 'platform: no service account token for the API server mounted (automount, or a projected serviceAccountToken with the API server\'s audience) unless the ServiceAccount is bound by a RoleBinding or ClusterRoleBinding in scope',
  [WorkloadRule.SYSTEM_NAMESPACE]: 'platform: no workload without a namespace or in default, kube-system, kube-public or kube-node-lease',
  [WorkloadRule.REPLICAS]: 'platform: a Deployment or Argo Rollout keeps (replicas, or its HorizontalPodAutoscaler or KEDA ScaledObject minimum) at least its namespace\'s demand (annotation eks-platform/min-replicas, default 2)',
  [WorkloadRule.STATEFUL_REPLICAS]: 'platform (warning): a StatefulSet keeps at least its namespace\'s replica demand',
  [WorkloadRule.DISRUPTION_BUDGET]: 'platform: exactly one PodDisruptionBudget selects the pods of a Deployment, Rollout or StatefulSet (where the namespace demands 2 or more; a StatefulSet below 2 pods needs none), and it allows an eviction',
  [WorkloadRule.ZONE_SPREAD]: 'platform: a Deployment, Rollout or StatefulSet that may run 2 or more pods spreads them over zones (topology.kubernetes.io/zone: a topology spread constraint or a pod anti-affinity term)',
  [WorkloadRule.NETWORK_POLICY_INGRESS]: 'platform: every pod is selected by a NetworkPolicy of type Ingress in its namespace',
  [WorkloadRule.NETWORK_POLICY_EGRESS]: 'platform: every pod is selected by a NetworkPolicy of type Egress in its namespace',
  [WorkloadRule.NETWORK_POLICY_OPEN]: 'platform (warning): no NetworkPolicy that selects a pod has a rule allowing all traffic (no peers and no ports: ingress [{}] or egress [{}])',
  [WorkloadRule.MTLS_DISABLED]: 'mesh: no PeerAuthentication mode DISABLE, no DestinationRule tls mode DISABLE for a host of the mesh',
  [PROMETHEUS_RULE]: 'prometheus: every rule of a PrometheusRule loads: expr parses as PromQL, for/keep_firing_for are durations, alert and record are metric names, label and annotation keys are label names',
  [UNMATCHED_SUPPRESSION_RULE]: 'a suppression that matches no finding (remove it, or correct it)',
};

/** Every rule id the check can report, sorted. */
export const KNOWN_RULES: readonly string[] = Object.keys(RULE_DESCRIPTIONS).sort();

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`);
}

/**
 * Which rules a check judges: those `rules` names (every rule when empty), less those `skipRules` names. Each pattern
 * is a rule id or a glob with `*`; one that matches no known rule throws a {@link RuleSelectionError}, naming it.
 */
export function selectRules(rules: readonly string[] = [], skipRules: readonly string[] = []): (rule: string) => boolean {
  const compile = (option: string, patterns: readonly string[]) => patterns.map((pattern) => {
    const re = globToRegExp(pattern);
    if (pattern === '' || !KNOWN_RULES.some((id) => re.test(id))) {
      const prefixes = [...new Set(KNOWN_RULES.map((id) => (id.includes('/') ? `${id.split('/')[0]}/*` : /^(IST|EPC)/.test(id) ? `${id.slice(0, 3)}*` : `${id.split('-')[0]}-*`)))].sort();
      throw new RuleSelectionError(`${option} ${JSON.stringify(pattern)} matches no rule; allowed: rule ids or globs of them (${prefixes.join(', ')}; \`eks-platform check --list-rules\` lists every id)`);
    }
    return re;
  });
  const include = compile('--rules', rules);
  const exclude = compile('--skip-rules', skipRules);
  return (rule) => (include.length === 0 || include.some((re) => re.test(rule))) && !exclude.some((re) => re.test(rule));
}

const TERRAFORM_EXPECTED: Readonly<Record<string, string>> = {
  'iam-admin-statement': 'no Allow statement of action * (or any NotAction) on resource *, an all-wildcard ARN or a NotResource',
  'iam-policy-unreadable': 'a policy as JSON text or through an aws_iam_policy_document of the stack (merging only such documents)',
  'eks-public-endpoint-open': 'endpoint_public_access false, or public_access_cidrs covering at most a /8 per address family',
  'launch-template-imdsv1': 'metadata_options.http_tokens "required"',
  's3-versioning': 'an aws_s3_bucket_versioning of the bucket with status "Enabled"',
  's3-sse-kms': 'default encryption "aws:kms" or "aws:kms:dsse" with a customer key in kms_master_key_id (AES256 only on a server access log destination)',
  's3-public-access-block': 'block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets true',
  's3-tls-only': 'a bucket policy statement denying s3:* to any principal when aws:SecureTransport is "false"',
  's3-abort-incomplete-uploads': 'an enabled lifecycle rule over the whole bucket with abort_incomplete_multipart_upload',
  's3-ownership-enforced': 'object_ownership "BucketOwnerEnforced"',
  'eks-secrets-encryption': 'encryption_config with resources ["secrets"] and provider.key_arn',
  'eks-control-plane-logs': 'enabled_cluster_log_types with api, audit, authenticator, controllerManager and scheduler',
  'eks-upgrade-policy': 'upgrade_policy.support_type "STANDARD" or "EXTENDED"',
  'launch-template-hop-limit': 'metadata_options.http_put_response_hop_limit 1',
  'kms-key-rotation': 'enable_key_rotation true',
  'iam-administrator-access': 'no attachment of arn:<partition>:iam::aws:policy/AdministratorAccess',
  'iam-public-trust': 'named principals, or "*" with a condition on aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount or aws:SourceArn; a web identity provider with a StringEquals/StringLike condition on <provider>:sub naming the subjects (Cognito: cognito-identity.amazonaws.com:aud)',
  'vpc-flow-logs': 'an aws_flow_log whose vpc_id is the VPC',
  'vpc-default-security-group-closed': 'an aws_default_security_group of the VPC with no ingress or egress rule',
  'vpc-public-ip-on-launch': 'map_public_ip_on_launch false; associate_public_ip_address false or unset',
  'ecr-immutable-tags': 'image_tag_mutability "IMMUTABLE" (or "IMMUTABLE_WITH_EXCLUSION" whose filters are not only "*" and match no release tag)',
  'ecr-scan-on-push': 'image_scanning_configuration.scan_on_push true, or a registry scanning rule matching the repository',
};

const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.eks-platform']);

function isYaml(file: string): boolean {
  return file.endsWith('.yaml') || file.endsWith('.yml');
}

function isTerraformJson(file: string): boolean {
  return path.basename(file) === 'cdk.tf.json' || file.endsWith('.tf.json');
}

/** Files below `dir` (absolute), sorted; folders of dependencies and of the synth's state are skipped. */
function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) {
        out.push(...walk(child));
      }
    } else if (entry.isFile()) {
      out.push(child);
    }
  }
  return out.sort();
}

function relative(cwd: string, file: string): string {
  return path.relative(cwd, file).split(path.sep).join('/') || '.';
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether a parsed YAML document is a Kubernetes object (has apiVersion and kind). */
function isKubernetesObject(v: unknown): v is KubernetesObject {
  return isObject(v) && typeof v.apiVersion === 'string' && typeof v.kind === 'string';
}

/** The Kubernetes objects of one YAML document, the items of a `*List` expanded, each with its path in the document. */
function objectsOf(doc: unknown, prefix = ''): Array<{ readonly object: KubernetesObject; readonly prefix: string }> {
  if (isKubernetesObject(doc) && doc.kind !== undefined && doc.kind.endsWith('List') && Array.isArray((doc as Record<string, unknown>).items)) {
    return ((doc as Record<string, unknown>).items as unknown[]).flatMap((item, i) => objectsOf(item, `${prefix}items[${i}].`));
  }
  return isKubernetesObject(doc) ? [{ object: doc, prefix }] : [];
}

/** The value at a field path such as `spec.template.spec.containers[0].securityContext.privileged`. */
function valueAt(root: unknown, field: string): unknown {
  let v: unknown = root;
  for (const part of field.split('.').flatMap((p) => p.split(/\[|\]/).filter((x) => x !== ''))) {
    if (Array.isArray(v) && /^\d+$/.test(part)) {
      v = v[Number(part)];
    } else if (isObject(v)) {
      v = v[part];
    } else {
      return undefined;
    }
  }
  return v;
}

/** Splits a rule's message into what was found and what is allowed. */
function foundAndExpected(message: string, object: unknown, field: string | undefined): { found: string; expected: string } {
  const split = message.indexOf('; ');
  if (split > 0) {
    return { found: message.slice(0, split).replace(/^is /, ''), expected: message.slice(split + 2).replace(/^allowed: /, '') };
  }
  const value = field === undefined ? undefined : valueAt(object, field);
  return { found: value === undefined ? 'unset' : JSON.stringify(value), expected: message.replace(/^must be /, '') };
}

/** Kind and name of a Terraform address (`aws_iam_role_policy.x`, `data.aws_iam_policy_document.x`). */
function terraformKindAndName(address: string): { kind: string; name: string } {
  const dot = address.lastIndexOf('.');
  return { kind: address.slice(0, dot), name: address.slice(dot + 1) };
}

function terraformField(rule: string, message: string): string | undefined {
  const statement = /^(?:(\S+) )?statement (\d+) /.exec(message);
  if (rule === 'iam-admin-statement' && statement) {
    return statement[1] ? `${statement[1]}.Statement[${statement[2]}]` : `statement[${statement[2]}]`;
  }
  if (rule === 'iam-policy-unreadable') {
    return message.split(' ')[0];
  }
  if (rule === 'eks-public-endpoint-open') {
    return 'vpc_config';
  }
  if (rule === 'launch-template-imdsv1') {
    return 'metadata_options.http_tokens';
  }
  return undefined;
}

interface YamlObject {
  readonly file: string;
  readonly object: KubernetesObject;
  /** The object's document in its file (the order `loadAll` returns them). */
  readonly document: number;
  /** The object's path inside its document: `` or `items[<i>].` for the items of a `*List`. */
  readonly prefix: string;
}

/** The line of a finding about `object`'s `field` (lazy: positions are parsed only for files with findings). */
type LineOf = (object: YamlObject, field?: string) => number | undefined;

function compareFindings(a: CheckFinding, b: CheckFinding): number {
  const keys = (f: CheckFinding) => [f.file, f.rule, f.kind ?? '', f.namespace ?? '', f.name ?? '', f.field ?? '', f.message];
  const ka = keys(a);
  const kb = keys(b);
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) {
      return ka[i] < kb[i] ? -1 : 1;
    }
  }
  return 0;
}

/** A YAML file read: its objects, and its text for the line numbers. */
interface ReadYaml {
  readonly file: string;
  readonly text: string;
  readonly objects: readonly YamlObject[];
}

/**
 * The scopes of the YAML files of one path. A folder at or below the path whose own files declare a Namespace that
 * another such folder declares too is one environment's output (`dist/dev/`, `dist/prod/`): a scope of its own, with
 * the files below it that no deeper such folder claims. Every other file, including folders of Namespaces no other
 * folder declares (a Kustomize `namespaces/` beside `apps/`), stays in the path's scope, where references between
 * them resolve as before. `eks-platform check dist/` thus judges each `dist/<env>/` on its own.
 */
function scopesOf(base: string, files: readonly ReadYaml[], absOf: ReadonlyMap<ReadYaml, string>): YamlObject[][] {
  const declaredIn = new Map<string, Set<string>>(); // namespace name -> folders whose own files declare it
  for (const f of files) {
    for (const o of f.objects) {
      const name = o.object.metadata?.name;
      if (o.object.kind === 'Namespace' && o.object.apiVersion === 'v1' && name !== undefined) {
        declaredIn.set(name, (declaredIn.get(name) ?? new Set()).add(path.dirname(absOf.get(f)!)));
      }
    }
  }
  const roots = new Set([...declaredIn.values()].filter((dirs) => dirs.size > 1).flatMap((dirs) => [...dirs]));
  const scopes = new Map<string, YamlObject[]>();
  for (const f of files) {
    let dir = path.dirname(absOf.get(f)!);
    // the deepest environment folder at or above the file, at or below the path given
    while (!roots.has(dir) && dir !== base && dir.startsWith(base) && path.dirname(dir) !== dir) {
      dir = path.dirname(dir);
    }
    const key = roots.has(dir) ? dir : base;
    scopes.set(key, [...(scopes.get(key) ?? []), ...f.objects]);
  }
  return [...scopes.keys()].sort().map((k) => scopes.get(k)!);
}

/**
 * Reads every path (a `.yaml`/`.yml` file of one or more documents, a `*.tf.json` file, or a folder, read
 * recursively) and runs the selected rules. References between Kubernetes objects (the Istio analysis, the workload
 * rules) resolve within a scope: each path given, and within a folder each environment's folder, one that declares a
 * Namespace another folder declares too (see {@link scopesOf}). Throws a {@link CheckInputError} for input it cannot
 * read, a {@link RuleSelectionError} for a rule pattern that matches no rule, and a `SuppressionFileError` for an
 * invalid suppression file.
 */
export function checkPaths(paths: readonly string[], options: CheckOptions = {}): CheckReport {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  if (paths.length === 0) {
    throw new CheckInputError('check needs at least one file or folder');
  }
  const selected = selectRules(options.rules, options.skipRules);
  const suppressionFile = options.suppressions === undefined ? undefined : relative(cwd, path.resolve(cwd, options.suppressions));
  const suppressions = options.suppressions === undefined ? [] : readSuppressions(path.resolve(cwd, options.suppressions), suppressionFile);

  const files = new Set<string>();
  const findings: CheckFinding[] = [];
  const texts = new Map<string, string>();
  const positions = new Map<string, YamlPositions>();
  const lineOf: LineOf = (o, field) => {
    let p = positions.get(o.file);
    if (p === undefined) {
      p = new YamlPositions(texts.get(o.file) ?? '');
      positions.set(o.file, p);
    }
    return p.lineOf(o.document, field, o.prefix);
  };
  let recognised = 0;
  for (const given of paths) {
    const abs = path.resolve(cwd, given);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch {
      throw new CheckInputError(`${given}: no such file or folder`);
    }
    let candidates: string[];
    if (stat.isDirectory()) {
      candidates = walk(abs).filter((f) => isYaml(f) || isTerraformJson(f));
    } else if (isYaml(abs) || isTerraformJson(abs)) {
      candidates = [abs];
    } else {
      throw new CheckInputError(`${given}: not Kubernetes YAML (.yaml, .yml) nor Terraform JSON (*.tf.json)`);
    }
    const yamlFiles: ReadYaml[] = [];
    const absOf = new Map<ReadYaml, string>();
    for (const abs of candidates) {
      const file = relative(cwd, abs);
      let text: string;
      try {
        text = fs.readFileSync(abs, 'utf8');
      } catch (err) {
        throw new CheckInputError(`${file}: cannot be read: ${firstLine(err)}`);
      }
      texts.set(file, text);
      if (isYaml(abs)) {
        let docs: unknown[];
        try {
          docs = loadAll(text);
        } catch (err) {
          throw new CheckInputError(`${file}: YAML does not parse: ${firstLine(err)}`);
        }
        const objects = docs.flatMap((doc, document) => objectsOf(doc).map(({ object, prefix }) => ({ file, object, document, prefix })));
        if (objects.length > 0) {
          files.add(file);
        }
        const read = { file, text, objects };
        yamlFiles.push(read);
        absOf.set(read, abs);
      } else {
        let stack: unknown;
        try {
          stack = JSON.parse(text);
        } catch (err) {
          throw new CheckInputError(`${file}: JSON does not parse: ${firstLine(err)}`);
        }
        if (!isObject(stack)) {
          throw new CheckInputError(`${file}: not a Terraform JSON stack (an object)`);
        }
        files.add(file);
        recognised++;
        if (!KNOWN_RULES.some((id) => selected(id) && id in TERRAFORM_EXPECTED)) {
          continue;
        }
        const resources = (section: string) => (isObject(stack) && isObject(stack[section]) ? stack[section] as Record<string, unknown> : {});
        // JSON is YAML: the event parser's offsets give the line of a resource's key and of the fields in its body
        let stackPositions: YamlPositions | undefined;
        for (const v of checkTerraformStack(stack)) {
          if (!selected(v.rule)) {
            continue;
          }
          const { kind, name } = terraformKindAndName(v.address);
          const body = kind.startsWith('data.') ? valueAt(resources('data'), `${kind.slice(5)}.${name}`) : valueAt(resources('resource'), `${kind}.${name}`);
          const field = v.field ?? terraformField(v.rule, v.message);
          const found = v.rule === 'launch-template-imdsv1' ? JSON.stringify(valueAt(body, 'metadata_options.http_tokens') ?? valueAt(body, 'metadata_options[0].http_tokens') ?? null) : v.message;
          stackPositions ??= new YamlPositions(text);
          const line = stackPositions.lineOf(0, field, `${kind.startsWith('data.') ? '' : 'resource.'}${kind}.${name}.`) ?? terraformResourceLine(text, kind, name);
          findings.push({ rule: v.rule, severity: v.severity, file, kind, name, field, expected: TERRAFORM_EXPECTED[v.rule] ?? v.message, found, message: v.message, ...(line !== undefined ? { line } : {}) });
        }
      }
    }
    for (const scope of scopesOf(abs, yamlFiles, absOf)) {
      recognised += scope.length;
      findings.push(...kubernetesFindings(scope, selected, lineOf));
    }
  }
  if (recognised === 0) {
    throw new CheckInputError(`no recognisable input in ${paths.join(', ')}: no Kubernetes object (a YAML document with apiVersion and kind) and no Terraform JSON stack (*.tf.json)`);
  }

  const open: CheckFinding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const used = new Set<Suppression>();
  for (const f of findings) {
    const s = suppressions.find((x) => suppresses(x, f));
    if (s) {
      suppressed.push({ ...f, reason: s.reason });
    } else {
      open.push(f);
    }
  }
  for (const f of findings) {
    // every suppression that matches counts as used, also when an earlier one already accepted the finding
    for (const s of suppressions) {
      if (suppresses(s, f)) {
        used.add(s);
      }
    }
  }
  // a suppression of a known rule this check does not judge can match nothing here: it is not reported as unmatched
  // (one naming no known rule, a typo, always is); `suppression/unmatched` itself is judged unless --skip-rules names it
  const judgeUnmatched = !(options.skipRules ?? []).some((p) => globToRegExp(p).test(UNMATCHED_SUPPRESSION_RULE));
  const unmatchedSuppressions = suppressions.filter((s) => judgeUnmatched && !used.has(s) && (!KNOWN_RULES.includes(s.rule) || selected(s.rule)));
  open.sort(compareFindings);
  suppressed.sort(compareFindings);
  const failed = open.some((f) => f.severity === 'error') || unmatchedSuppressions.length > 0;
  return {
    files: [...files].sort(),
    findings: open,
    suppressed,
    unmatchedSuppressions,
    ...(suppressionFile !== undefined ? { suppressionFile } : {}),
    exitCode: failed ? 1 : 0,
  };
}

/** The pod-security, workload and Istio findings of the selected rules over one scope of objects. */
function kubernetesFindings(scope: readonly YamlObject[], selected: (rule: string) => boolean, lineOf: LineOf): CheckFinding[] {
  const out: CheckFinding[] = [];
  const objects = scope.map((o) => o.object);
  const at = new Map<KubernetesObject, YamlObject>(scope.map((o) => [o.object, o]));
  const withLine = (f: CheckFinding, object: KubernetesObject | undefined): CheckFinding => {
    const where = object === undefined ? undefined : at.get(object);
    const line = where === undefined ? undefined : lineOf(where, f.field);
    return line === undefined ? f : { ...f, line };
  };
  // pod security checks one object at a time: run it per object to know the file
  if (Object.values(PodSecurityControl).some((c) => selected(c))) {
    for (const object of objects) {
      for (const v of checkPodSecurity([object])) {
        if (!selected(v.control)) {
          continue;
        }
        const { found, expected } = foundAndExpected(v.message, object, v.field);
        out.push(withLine({
          rule: v.control, severity: 'error', file: at.get(object)!.file, kind: v.kind, namespace: v.namespace, name: v.name,
          field: v.field, expected, found, message: v.container ? `container ${v.container}: ${v.message}` : v.message,
        }, object));
      }
    }
  }
  // the workload rules read references between objects (ServiceAccounts, budgets, policies, namespaces): the whole scope
  const objectKey = (kind?: string, namespace?: string, name?: string) => `${kind ?? ''}\u0000${namespace ?? ''}\u0000${name ?? ''}`;
  if (Object.values(WorkloadRule).some((r) => selected(r))) {
    const byKey = new Map<string, KubernetesObject>();
    for (const o of [...objects].reverse()) {
      byKey.set(objectKey(o.kind, o.metadata?.namespace, o.metadata?.name), o); // the first of equal keys wins
    }
    for (const f of checkWorkloads(objects)) {
      if (!selected(f.rule)) {
        continue;
      }
      const object = byKey.get(objectKey(f.kind, f.namespace, f.name));
      out.push(withLine({
        rule: f.rule, severity: f.severity, file: object ? at.get(object)!.file : '.', kind: f.kind, namespace: f.namespace, name: f.name,
        field: f.field, expected: f.expected, found: f.found, message: f.message,
      }, object));
    }
  }
  if (selected(PROMETHEUS_RULE)) {
    for (const object of objects) {
      for (const f of checkPrometheusRules([object])) {
        out.push(withLine({
          rule: PROMETHEUS_RULE, severity: 'error', file: at.get(object)!.file, kind: f.kind, namespace: f.namespace, name: f.name,
          field: f.field, expected: f.allowed, found: JSON.stringify(f.value), message: `${f.field} is ${JSON.stringify(f.value)}; allowed: ${f.allowed}`,
        }, object));
      }
    }
  }
  // the Istio analysis reads references between objects: the whole scope at once, then back to the object
  if (KNOWN_RULES.some((id) => /^(IST|EPC)\d/.test(id) && selected(id))) {
    const byResource = new Map<string, IstioAnalyzedObject>();
    for (const o of objects as IstioAnalyzedObject[]) {
      const key = `${o.kind ?? '(no kind)'} ${o.metadata?.name ?? '(unnamed)'}.${o.metadata?.namespace ?? 'default'}`;
      if (!byResource.has(key)) {
        byResource.set(key, o);
      }
    }
    for (const f of analyzeIstio(objects as IstioAnalyzedObject[])) {
      if (!selected(f.code)) {
        continue;
      }
      const object = byResource.get(f.resource) as KubernetesObject | undefined;
      out.push(withLine({
        rule: f.code, severity: 'error', file: object ? at.get(object)!.file : '.',
        kind: object?.kind, namespace: object?.metadata?.namespace, name: object?.metadata?.name,
        expected: `no ${f.name} finding (istioctl analyze ${f.code})`, found: f.message, message: f.message,
      }, object));
    }
  }
  return out;
}

function objectLabel(f: { readonly kind?: string; readonly namespace?: string; readonly name?: string }): string {
  return `${f.kind ?? '?'} ${f.namespace ? `${f.namespace}/` : ''}${f.name ?? '?'}`;
}

/** A readable report, one block per finding, then the suppressed findings and the unmatched suppressions. */
export function formatText(report: CheckReport): string {
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.length - errors;
  const lines: string[] = [];
  const block = (f: CheckFinding, head: string) => {
    lines.push(`${head} [${f.rule}] ${f.file}${f.line !== undefined ? `:${f.line}` : ''}: ${objectLabel(f)}`);
    if (f.field !== undefined) lines.push(`  field:    ${f.field}`);
    lines.push(`  expected: ${f.expected}`);
    lines.push(`  found:    ${f.found}`);
    if (f.message !== f.found) lines.push(`  message:  ${f.message}`);
  };
  for (const f of report.findings) {
    block(f, f.severity);
  }
  for (const s of report.unmatchedSuppressions) {
    lines.push(`error [${UNMATCHED_SUPPRESSION_RULE}] ${report.suppressionFile ?? '?'}: entry ${s.entry} (rule ${s.rule}, ${objectLabel(s)}${s.file ? `, file ${s.file}` : ''}) matches no finding`);
    lines.push(`  reason:   ${s.reason}`);
  }
  for (const f of report.suppressed) {
    block(f, 'suppressed');
    lines.push(`  reason:   ${f.reason}`);
  }
  const status = report.exitCode === 0 ? 'passed' : 'failed';
  lines.push(`check ${status}: ${errors} error(s), ${warnings} warning(s), ${report.suppressed.length} suppressed, ${report.unmatchedSuppressions.length} unmatched suppression(s) in ${report.files.length} file(s)`);
  return `${lines.join('\n')}\n`;
}

function findingJson(f: CheckFinding): Record<string, unknown> {
  return {
    rule: f.rule, severity: f.severity, file: f.file, line: f.line ?? null, kind: f.kind ?? null, namespace: f.namespace ?? null, name: f.name ?? null,
    field: f.field ?? null, expected: f.expected, found: f.found, message: f.message,
  };
}

/** A stable JSON document: sorted, file paths relative to the current folder. */
export function formatJson(report: CheckReport): string {
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  return `${JSON.stringify({
    tool: 'eks-platform check',
    passed: report.exitCode === 0,
    summary: { files: report.files.length, errors, warnings: report.findings.length - errors, suppressed: report.suppressed.length, unmatchedSuppressions: report.unmatchedSuppressions.length },
    files: report.files,
    findings: report.findings.map(findingJson),
    suppressed: report.suppressed.map((f) => ({ ...findingJson(f), reason: f.reason })),
    unmatchedSuppressions: report.unmatchedSuppressions.map((s) => ({
      suppressionFile: report.suppressionFile ?? null, entry: s.entry, rule: s.rule, file: s.file ?? null, kind: s.kind,
      namespace: s.namespace ?? null, name: s.name, reason: s.reason,
    })),
  }, null, 2)}\n`;
}

/** SARIF 2.1.0: one run of the driver `eks-platform`, a rule for every rule id that appears, suppressed results marked. */
export function formatSarif(report: CheckReport): string {
  const all = [...report.findings, ...report.suppressed];
  const ruleIds = [...new Set([...all.map((f) => f.rule), ...(report.unmatchedSuppressions.length > 0 ? [UNMATCHED_SUPPRESSION_RULE] : [])])].sort();
  const index = new Map(ruleIds.map((id, i) => [id, i]));
  const result = (f: CheckFinding, reason?: string) => ({
    ruleId: f.rule,
    ruleIndex: index.get(f.rule),
    level: f.severity,
    message: { text: `${objectLabel(f)}${f.field !== undefined ? ` ${f.field}` : ''}: ${f.message}${f.message === f.found ? '' : ` (found ${f.found}; expected ${f.expected})`}` },
    locations: [{
      physicalLocation: { artifactLocation: { uri: f.file }, region: { startLine: f.line ?? 1 } },
      ...(f.kind !== undefined ? { logicalLocations: [{ fullyQualifiedName: objectLabel(f), kind: 'resource' }] } : {}),
    }],
    ...(reason !== undefined ? { suppressions: [{ kind: 'external', status: 'accepted', justification: reason }] } : {}),
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'eks-platform',
          rules: ruleIds.map((id) => ({ id, shortDescription: { text: RULE_DESCRIPTIONS[id] ?? id } })),
        },
      },
      results: [
        ...report.findings.map((f) => result(f)),
        ...report.unmatchedSuppressions.map((s) => ({
          ruleId: UNMATCHED_SUPPRESSION_RULE,
          ruleIndex: index.get(UNMATCHED_SUPPRESSION_RULE),
          level: 'error',
          message: { text: `suppression entry ${s.entry} (rule ${s.rule}, ${objectLabel(s)}${s.file ? `, file ${s.file}` : ''}) matches no finding` },
          locations: [{ physicalLocation: { artifactLocation: { uri: report.suppressionFile ?? '.' }, region: { startLine: 1 } } }],
        })),
        ...report.suppressed.map((f) => result(f, f.reason)),
      ],
    }],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

/** The formats of the report: `codequality` is GitLab's Code Quality report (lib/policy/codequality.ts). */
export type CheckFormat = 'text' | 'json' | 'sarif' | 'codequality';

/** The report in `format`. */
export function formatReport(report: CheckReport, format: CheckFormat): string {
  if (format === 'codequality') {
    return (require('./codequality') as typeof import('./codequality')).formatCodeQuality(report, UNMATCHED_SUPPRESSION_RULE);
  }
  return format === 'json' ? formatJson(report) : format === 'sarif' ? formatSarif(report) : formatText(report);
}
