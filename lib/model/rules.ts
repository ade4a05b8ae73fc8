/**
 * The validation rules that more than one construct (or the model and a construct) apply to the same kind of
 * value, each written once: account ids, role ARNs, regions, node groups, IAM statements, public CIDRs. The model
 * calls them on what it holds; a construct calls them on its own props.
 */
import { ALL_AWS_REGIONS, isKnownInstanceType } from './aws-data';
import { parseCidr, type Cidr } from './cidr';
import type { KubernetesEnvironmentConfig, NodeGroupConfig } from './environment';
import { ValidationError, isDns1123Label } from './validation';

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** Throws unless `value` is an AWS account id (12 digits). */
export function requireAccountId(path: string, field: string, value: string): void {
  if (!ACCOUNT_ID.test(value)) {
    throw new ValidationError(path, field, value, 'allowed: an AWS account id of 12 digits');
  }
}

/** Throws unless `value` is an IAM role ARN. */
export function requireRoleArn(path: string, field: string, value: string): void {
  if (!ROLE_ARN.test(value)) {
    throw new ValidationError(path, field, value, 'allowed: an IAM role ARN (arn:aws:iam::<account>:role/<name>)');
  }
}

/** Throws unless `value` is a region AWS has. */
export function requireRegion(path: string, field: string, value: string): void {
  if (!ALL_AWS_REGIONS.includes(value)) {
    throw new ValidationError(path, field, value, 'allowed: an AWS region such as eu-central-1 (see ALL_AWS_REGIONS)');
  }
}

/**
 * The longest node group name: EKS allows 63 characters for a node group, the library's names add 25 (the cluster
 * name and `-` before, the 2-character zone suffix `-a` of the per-zone node groups after); NodeGroups checks the whole name.
 */
export const MAX_NODE_GROUP_NAME = 38;

/**
 * Throws unless the node groups are valid: at least one, unique names of at most {@link MAX_NODE_GROUP_NAME}
 * characters, known instance types of one architecture, sizes with 0 <= min <= desired <= max and max >= 1,
 * disks of 20 to 16384 GiB, taints with label-like keys. `fieldOf(name)` names a group's field in errors.
 */
export function validateNodeGroupConfigs(path: string, field: string, groups: readonly NodeGroupConfig[]): void {
  if (groups.length === 0) {
    throw new ValidationError(path, field, [], 'allowed: one or more node groups');
  }
  const seen = new Set<string>();
  for (const g of groups) {
    const at = (f: string) => `${field}.${g.name}.${f}`;
    if (!isDns1123Label(g.name) || g.name.length > MAX_NODE_GROUP_NAME || seen.has(g.name)) {
      throw new ValidationError(path, `${field}[].name`, g.name, `allowed: unique DNS-1123 labels of at most ${MAX_NODE_GROUP_NAME} characters`);
    }
    seen.add(g.name);
    if (g.instanceTypes.length === 0) {
      throw new ValidationError(path, at('instanceTypes'), [], 'allowed: one or more EC2 instance types');
    }
    for (const type of g.instanceTypes) {
      if (!g.allowUnlistedInstanceTypes && !isKnownInstanceType(type)) {
        throw new ValidationError(path, at('instanceTypes'), type, 'allowed: an EC2 instance type AWS has, family.size such as m7i.xlarge (set allowUnlistedInstanceTypes for a family newer than this library)');
      }
    }
    const arm = g.instanceTypes.map(isGravitonInstanceType);
    if (arm.some((a) => a !== arm[0])) {
      throw new ValidationError(path, at('instanceTypes'), g.instanceTypes, 'allowed: instance types of one architecture (all Graviton or all x86)');
    }
    if (!Number.isInteger(g.minSize) || g.minSize < 0) {
      throw new ValidationError(path, at('minSize'), g.minSize, 'allowed: a whole number, 0 or more');
    }
    if (!Number.isInteger(g.maxSize) || g.maxSize < Math.max(1, g.minSize)) {
      throw new ValidationError(path, at('maxSize'), g.maxSize, `allowed: a whole number, at least minSize (${g.minSize}) and at least 1`);
    }
    if (!Number.isInteger(g.desiredSize) || g.desiredSize < g.minSize || g.desiredSize > g.maxSize) {
      throw new ValidationError(path, at('desiredSize'), g.desiredSize, `allowed: a whole number from minSize (${g.minSize}) to maxSize (${g.maxSize})`);
    }
    const disk = g.diskSizeGiB ?? 50;
    if (!Number.isInteger(disk) || disk < 20 || disk > 16384) {
      throw new ValidationError(path, at('diskSizeGiB'), disk, 'allowed: a whole number of GiB from 20 to 16384');
    }
    const taintKeys = new Set<string>();
    for (const taint of g.taints ?? []) {
      if (!isLabelKey(taint.key) || (taint.value !== undefined && !isLabelValue(taint.value))) {
        throw new ValidationError(path, at('taints'), taint, 'allowed: a label-like key (prefix/name) and an optional label value');
      }
      if (taintKeys.has(`${taint.key}:${taint.effect}`)) {
        throw new ValidationError(path, at('taints'), taint, 'allowed: each key and effect once');
      }
      taintKeys.add(`${taint.key}:${taint.effect}`);
    }
  }
}

const GRAVITON_INSTANCE = /^[a-z]+\d+[a-z]*g[a-z]*(-[a-z0-9]+)?\./;

/** Whether an instance type runs on Graviton (arm64). */
export function isGravitonInstanceType(type: string): boolean {
  return GRAVITON_INSTANCE.test(type);
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Whether `key` is a Kubernetes label key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters. */
export function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  return LABEL_NAME.test(name) && (prefix === undefined || (prefix.length <= 253 && prefix.split('.').every(isDns1123Label)));
}

/** Whether `value` is a Kubernetes label value (empty, or at most 63 characters of the label alphabet). */
export function isLabelValue(value: string): boolean {
  return value === '' || LABEL_NAME.test(value);
}

/** One IAM statement as the model and the constructs hold it. */
export interface IamStatementShape {
  readonly effect?: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources?: readonly string[];
}

/** Whether an action is a wildcard over every action of a service (`s3:*`) or of all services (`*`). */
function isServiceWildcard(action: string): boolean {
  return action === '*' || /^[a-z0-9-]+:\*$/.test(action) || action === '*:*';
}

/**
 * Throws for a statement no engineer means: no actions, an empty resource list, or an Allow of every action of a
 * service (`s3:*`, `*`) on every resource (`*`), which is administrator access to that service across the account.
 */
export function validateIamStatements(path: string, field: string, statements: readonly IamStatementShape[]): void {
  statements.forEach((s, i) => {
    if (s.actions.length === 0) {
      throw new ValidationError(path, `${field}[${i}].actions`, [], 'allowed: one or more actions');
    }
    if (s.resources !== undefined && s.resources.length === 0) {
      throw new ValidationError(path, `${field}[${i}].resources`, [], 'allowed: one or more resources');
    }
    if ((s.effect ?? 'Allow') === 'Allow' && s.actions.some(isServiceWildcard) && (s.resources ?? []).includes('*')) {
      throw new ValidationError(path, `${field}[${i}]`, { actions: s.actions, resources: s.resources }, 'allowed: named actions or named resources; "service:*" or "*" actions on "*" resources grant full administrator access to the service');
    }
  });
}

/**
 * Throws unless `cidrs` are IPv4 network CIDRs that, together, leave some of the internet out: `0.0.0.0/0`, or
 * `0.0.0.0/1` with `128.0.0.0/1`, open the API to everyone.
 */
export function validatePublicAccessCidrs(path: string, field: string, cidrs: readonly string[]): void {
  const parsed: Cidr[] = cidrs.map((text) => {
    try {
      return parseCidr(text);
    } catch {
      throw new ValidationError(path, field, text, 'allowed: an IPv4 network CIDR a.b.c.d/n without host bits');
    }
  });
  const ranges = parsed.map((c) => [c.network, c.network + 2 ** (32 - c.prefixLength)] as const).sort((a, b) => a[0] - b[0]);
  let covered = 0;
  for (const [start, end] of ranges) {
    if (start > covered) {
      return;
    }
    covered = Math.max(covered, end);
  }
  if (covered >= 2 ** 32) {
    throw new ValidationError(path, field, cidrs, 'allowed: specific CIDRs of the admins\' networks; together these cover the whole internet (0.0.0.0/0)');
  }
}

/**
 * The annotation of a Namespace object that states its replica demand: the fewest replicas each of its Deployments
 * and StatefulSets must keep, a whole number of 1 or more. `PlatformNamespace` writes it from the environment
 * ({@link replicaFloor}); the gate's workload rules (lib/policy/workload-rules.ts) read it.
 */
export const MIN_REPLICAS_ANNOTATION = 'eks-platform/min-replicas';

/** The replica demand where nothing states one (a namespace without the annotation, or none in scope). */
export const DEFAULT_MIN_REPLICAS = 2;

/** The fewest replicas an environment lets a service keep: 1 with `allowSingleReplica`, else {@link DEFAULT_MIN_REPLICAS}. */
export function replicaFloor(kubernetes: Pick<KubernetesEnvironmentConfig, 'allowSingleReplica'>): number {
  return kubernetes.allowSingleReplica === true ? 1 : DEFAULT_MIN_REPLICAS;
}
