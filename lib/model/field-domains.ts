/**
 * The domains of the model's fields that no other rule of lib/model checks, each written once: what Kubernetes,
 * istiod/Envoy, the AWS APIs and the Terraform AWS provider refuse (or accept and then misuse). The Platform calls
 * these on what it holds; docs/model.md's "Field domains" table names every field's domain and the test that refuses
 * a value outside it.
 */
import { CLOUDWATCH_LOG_RETENTION_DAYS } from './aws-data';
import { parseCidr, tryParseCidr, type Cidr } from './cidr';
import { arnPartition } from './partition';
import { CapacityType, TaintEffect, type EnvironmentConfig } from './environment';
import { kubernetesVersionSupport, KUBERNETES_VERSIONS } from './kubernetes-versions';
import { backupBucketName, clusterName } from './names';
import { zonalNodeGroupsOf } from './zonal-node-groups';
import { type ObservabilityConfig, type SecretKeyRef } from './observability';
import { isLabelKey, isLabelValue, requireRegion } from './rules';
import { isAbsoluteMountPath } from './secrets';
import { PortProtocol, WorkloadKind, type ResourceSpec, type ServiceDefinition } from './service';
import { ValidationError, isDns1123Label, requireBoolean } from './validation';

/** Ports the Istio sidecar (Envoy and pilot-agent) listens on in every pod: a container port there collides with it. */
export const ISTIO_RESERVED_PORTS: readonly number[] = [15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090];

/** The most tags AWS keeps on one resource. */
export const MAX_AWS_TAGS = 50;
/** Tags the library puts on resources itself (lib/aws: `Environment`, `Name`, the subnets' load balancer and the node groups' cluster autoscaler discovery tags); the user's leave room for them. */
const LIBRARY_TAGS = 5;
/** Tag keys the library sets on resources itself: `Environment` on every one (the stack's default tags), `Name` per resource. */
export const LIBRARY_TAG_KEYS: readonly string[] = ['Environment', 'Name'];
/** The most CIDRs EKS accepts for the public API endpoint (`public_access_cidrs`). */
export const MAX_PUBLIC_ACCESS_CIDRS = 40;
/** The most nodes of one EKS managed node group (each configured group is one per zone). */
export const MAX_EKS_NODE_GROUP_NODES = 450;
/** The longest EKS node group name. */
export const MAX_EKS_NODE_GROUP_NAME = 63;
/** The largest gp3 volume, in GiB (16 TiB). */
export const MAX_GP3_GIB = 16384;
/** The most a ConfigMap holds, in bytes (etcd's object limit less room for metadata). */
export const MAX_CONFIG_MAP_BYTES = 1024 * 1024;

const PROTOCOLS = Object.values(PortProtocol) as string[];
const KINDS = Object.values(WorkloadKind) as string[];
const TAINT_EFFECTS = Object.values(TaintEffect) as string[];
const DNS_NAME_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
/** What the API server accepts as an environment variable name (a C identifier, or with `.` and `-` as Java and Spring use them). */
const PLAIN_ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const IAM_ACTION = /^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/;
const IAM_RESOURCE = /^(\*|arn:[a-z-*]*:[a-z0-9-*]*:[a-z0-9-*]*:(\d{12}|\*|aws)?:.+)$/;
const AWS_TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const HTTP_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
const VPC_ID = /^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/;
const SUBNET_ID = /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/;
const S3_BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const DYNAMODB_TABLE = /^[a-zA-Z0-9_.-]{3,255}$/;
/** The blocks a VPC may use: RFC 1918 and the shared address space, what the NetworkPolicies leave out of "the internet". */
const PRIVATE_VPC_BLOCKS: readonly Cidr[] = ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16'].map((t) => parseCidr(t));
function within(inner: Cidr, outer: Cidr): boolean {
  return inner.network >= outer.network && inner.network + 2 ** (32 - inner.prefixLength) <= outer.network + 2 ** (32 - outer.prefixLength);
}
const RESERVED_NODE_LABEL_PREFIXES = ['kubernetes.io/', 'k8s.io/', 'eks.amazonaws.com/'];
const RESERVED_NODE_LABEL_DOMAINS = ['.kubernetes.io/', '.k8s.io/'];

/** Whether `host` is a lower-case DNS name of at most 253 characters (labels of at most 63); `wildcard` allows a leading `*.`. */
export function isDnsName(host: string, wildcard = false): boolean {
  if (typeof host !== 'string') {
    return false;
  }
  const name = wildcard && host.startsWith('*.') ? host.slice(2) : host;
  return name.length > 0 && host.length <= 253 && name.split('.').every((l) => l.length <= 63 && DNS_NAME_LABEL.test(l)) && name.includes('.') && !/^\d+(\.\d+){3}$/.test(name);
}

/**
 * Whether `name` is a Kubernetes port name (IANA_SVC_NAME): at most 15 characters, lower-case letters, digits and
 * `-`, at least one letter, no `--`, not starting or ending with `-`.
 */
export function isIanaServiceName(name: string): boolean {
  return name.length >= 1 && name.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) && /[a-z]/.test(name) && !name.includes('--');
}

/** Throws unless `value` is one of `allowed`. */
function requireOneOf(path: string, field: string, value: unknown, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    throw new ValidationError(path, field, value, `allowed: ${allowed.join(', ')}`);
  }
}

function requirePort(path: string, field: string, value: unknown): void {
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 65535) {
    throw new ValidationError(path, field, value, 'allowed: an integer from 1 to 65535');
  }
}

/**
 * Throws unless `tags` are AWS tags: keys of 1 to 128 and values of at most 256 letters, digits, spaces and
 * `_ . : / = + - @`, no key starting with `aws:` (AWS reserves it), and room for the library's own tags within the
 * 50 a resource may carry. `count` is the number of tags merged with these (the platform's and the environment's).
 */
export function validateAwsTags(path: string, field: string, tags: Readonly<Record<string, string>>, count = Object.keys(tags).length): void {
  for (const [key, value] of Object.entries(tags)) {
    if (key.length < 1 || key.length > 128 || !AWS_TAG_CHARS.test(key) || key.toLowerCase().startsWith('aws:')) {
      throw new ValidationError(path, `${field}.${key}`, key, 'allowed: a tag key of 1 to 128 letters, digits, spaces and _ . : / = + - @, not starting with aws: (reserved by AWS)');
    }
    if (LIBRARY_TAG_KEYS.includes(key)) {
      throw new ValidationError(path, `${field}.${key}`, key, `allowed: a key other than ${LIBRARY_TAG_KEYS.join(' and ')}, which the library sets itself (the environment's name, each resource's name) and would silently replace`);
    }
    if (typeof value !== 'string' || value.length > 256 || !AWS_TAG_CHARS.test(value)) {
      throw new ValidationError(path, `${field}.${key}`, value, 'allowed: a tag value of at most 256 letters, digits, spaces and _ . : / = + - @');
    }
  }
  if (count > MAX_AWS_TAGS - LIBRARY_TAGS) {
    throw new ValidationError(path, field, Object.keys(tags), `allowed: at most ${MAX_AWS_TAGS - LIBRARY_TAGS} tags with the platform's and the environment's together (AWS keeps ${MAX_AWS_TAGS} per resource; the library adds its own)`);
  }
}

/** Checks what an environment holds that no other rule checks (`at(field)` names the field), and the names derived from it. */
export function validateEnvironmentFields(path: string, platformName: string, platformTags: Readonly<Record<string, string>>, env: EnvironmentConfig): void {
  const at = (field: string) => `environments.${env.name}.${field}`;
  for (const field of ['kubernetesExtendedSupport', 'singleNatGateway', 'privateAwsEndpoints'] as const) {
    requireBoolean(path, at(field), env[field]);
  }
  requireBoolean(path, at('kubernetes.allowSingleReplica'), env.kubernetes.allowSingleReplica);
  requireBoolean(path, at('backup.disableObjectLock'), env.backup.disableObjectLock);
  requireBoolean(path, at('backup.replicationTimeControl'), env.backup.replicationTimeControl);
  if (kubernetesVersionSupport(env.kubernetesVersion) === undefined) {
    throw new ValidationError(path, at('kubernetesVersion'), env.kubernetesVersion, `allowed: a version EKS offers: ${KUBERNETES_VERSIONS.map((v) => v.version).join(', ')}`);
  }
  requireOneOf(path, at('backup.objectLock.mode'), env.backup.objectLock?.mode, ['GOVERNANCE', 'COMPLIANCE']);
  if (env.logRetentionDays !== undefined && !CLOUDWATCH_LOG_RETENTION_DAYS.includes(env.logRetentionDays)) {
    throw new ValidationError(path, at('logRetentionDays'), env.logRetentionDays, `allowed: a retention CloudWatch Logs offers: ${CLOUDWATCH_LOG_RETENTION_DAYS.join(', ')}`);
  }
  const vpc = tryParseCidr(env.vpcCidr);
  if (typeof vpc !== 'string' && !PRIVATE_VPC_BLOCKS.some((b) => within(vpc, b))) {
    throw new ValidationError(path, at('vpcCidr'), env.vpcCidr, `allowed: a block inside ${PRIVATE_VPC_BLOCKS.map((b) => b.text).join(', ')}; the NetworkPolicies open "the internet" as 0.0.0.0/0 less these, which would then include the VPC's own nodes and pods`);
  }
  const partition = arnPartition(env.region);
  for (const arn of env.clusterAdminRoleArns ?? []) {
    if (!arn.startsWith(`arn:${partition}:`)) {
      throw new ValidationError(path, at('clusterAdminRoleArns'), arn, `allowed: roles of the environment's partition (arn:${partition}:iam::...); EKS access entries take principals of the cluster's partition only`);
    }
  }
  if ((env.publicApiAccessCidrs ?? []).length > MAX_PUBLIC_ACCESS_CIDRS) {
    throw new ValidationError(path, at('publicApiAccessCidrs'), env.publicApiAccessCidrs, `allowed: at most ${MAX_PUBLIC_ACCESS_CIDRS} CIDRs (the EKS limit of public_access_cidrs)`);
  }
  for (const g of env.nodeGroups) {
    const gat = (field: string) => at(`nodeGroups.${g.name}.${field}`);
    requireOneOf(path, gat('capacityType'), g.capacityType, Object.values(CapacityType));
    requireBoolean(path, gat('allowUnlistedInstanceTypes'), g.allowUnlistedInstanceTypes);
    // each group becomes one EKS managed node group per zone (zonalNodeGroupsOf, as lib/aws/node-groups.ts builds them)
    for (const zonal of zonalNodeGroupsOf(clusterName(platformName, env.name), [g], env.availabilityZones)) {
      if (zonal.name.length > MAX_EKS_NODE_GROUP_NAME) {
        throw new ValidationError(path, at('nodeGroups[].name'), g.name, `allowed: at most ${g.name.length - (zonal.name.length - MAX_EKS_NODE_GROUP_NAME)} characters here: the derived EKS node group name ${zonal.name} has ${zonal.name.length} (EKS allows ${MAX_EKS_NODE_GROUP_NAME})`);
      }
      if (zonal.maxSize < 1 || zonal.maxSize > MAX_EKS_NODE_GROUP_NODES) {
        throw new ValidationError(path, gat('maxSize'), g.maxSize, `allowed: from ${env.availabilityZones.length} to ${MAX_EKS_NODE_GROUP_NODES * env.availabilityZones.length}: the group is split over ${env.availabilityZones.length} zonal EKS node groups (${zonal.name} would get ${zonal.maxSize}), each with a maxSize from 1 to ${MAX_EKS_NODE_GROUP_NODES}`);
      }
    }
    for (const [key, value] of Object.entries(g.labels ?? {})) {
      if (!isLabelKey(key) || typeof value !== 'string' || !isLabelValue(value)) {
        throw new ValidationError(path, gat(`labels.${key}`), value, 'allowed: Kubernetes label keys and values');
      }
      if (RESERVED_NODE_LABEL_PREFIXES.some((p) => key.startsWith(p)) || RESERVED_NODE_LABEL_DOMAINS.some((d) => key.includes(d) && key.indexOf(d) < key.indexOf('/'))) {
        throw new ValidationError(path, gat(`labels.${key}`), key, `allowed: a label key outside the prefixes ${RESERVED_NODE_LABEL_PREFIXES.join(', ')} (the kubelet and EKS reserve them)`);
      }
    }
    for (const t of g.taints ?? []) {
      requireOneOf(path, gat('taints'), t.effect, TAINT_EFFECTS);
    }
    if ((g.taints ?? []).length > 50) {
      throw new ValidationError(path, gat('taints'), g.taints, 'allowed: at most 50 taints (the EKS limit)');
    }
  }
  if (env.existingVpc !== undefined) {
    const v = env.existingVpc;
    if (typeof v.vpcId !== 'string' || !VPC_ID.test(v.vpcId)) {
      throw new ValidationError(path, at('existingVpc.vpcId'), v.vpcId, 'allowed: a VPC id, vpc- and 8 or 17 hex digits');
    }
    for (const field of ['privateSubnetIds', 'intraSubnetIds'] as const) {
      const ids = v[field];
      if (ids !== undefined && (ids.length !== env.availabilityZones.length || new Set(ids).size !== ids.length || !ids.every((id) => SUBNET_ID.test(id)))) {
        throw new ValidationError(path, at(`existingVpc.${field}`), ids, `allowed: ${env.availabilityZones.length} distinct subnet ids (subnet- and 8 or 17 hex digits), one per zone in zone order`);
      }
    }
  }
  const remote = env.remoteState;
  if (remote?.bucket !== undefined && (typeof remote.bucket !== 'string' || !S3_BUCKET.test(remote.bucket) || remote.bucket.startsWith('xn--'))) {
    throw new ValidationError(path, at('remoteState.bucket'), remote.bucket, 'allowed: an S3 bucket name (3 to 63 lower-case letters, digits and "-", starting and ending alphanumeric)');
  }
  if (remote?.lockTable !== undefined && (typeof remote.lockTable !== 'string' || !DYNAMODB_TABLE.test(remote.lockTable))) {
    throw new ValidationError(path, at('remoteState.lockTable'), remote.lockTable, 'allowed: a DynamoDB table name (3 to 255 letters, digits, "_", "-", ".")');
  }
  if (remote?.region !== undefined) {
    requireRegion(path, at('remoteState.region'), remote.region);
  }
  validateAwsTags(path, at('tags'), env.tags ?? {}, Object.keys({ ...platformTags, ...(env.tags ?? {}) }).length);
  // the backup bucket and its access-log bucket (`<bucket>-logs`), in the primary region and the replica's
  const buckets = [backupBucketName(platformName, env.name, env.accountId), ...(env.backup.replicaRegion !== undefined ? [backupBucketName(platformName, env.name, env.accountId, env.backup.replicaRegion)] : [])];
  for (const bucket of buckets.map((b) => `${b}-logs`)) {
    if (bucket.length > 63) {
      throw new ValidationError(path, `environments[].name`, env.name, `allowed: at most ${env.name.length - (bucket.length - 63)} characters with platform ${platformName}: the derived S3 bucket ${bucket} has ${bucket.length} (S3 allows 63)`);
    }
  }
}

function validateResources(path: string, field: string, r: ResourceSpec | undefined, defaults: Required<ResourceSpec>): void {
  if (r === undefined) {
    return;
  }
  for (const [key, value] of Object.entries(r)) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new ValidationError(path, `${field}.${key}`, value, 'allowed: a whole number, 1 or more (millicores or MiB, as the name says)');
    }
  }
  const pairs = [['cpuRequestMillis', 'cpuLimitMillis'], ['memoryRequestMiB', 'memoryLimitMiB'], ['ephemeralStorageRequestMiB', 'ephemeralStorageLimitMiB']] as const;
  for (const [request, limit] of pairs) {
    const req = r[request] ?? defaults[request];
    const lim = r[limit] ?? defaults[limit];
    if (req > lim) {
      throw new ValidationError(path, `${field}.${request}`, req, `allowed: at most the limit ${limit} (${lim}); the API server refuses a request above its limit`);
    }
  }
}

/** The defaults of a service's container resources (lib/k8s/_workload.ts applies the same). */
export const SERVICE_RESOURCE_DEFAULTS: Required<ResourceSpec> = { cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryRequestMiB: 256, memoryLimitMiB: 512, ephemeralStorageRequestMiB: 256, ephemeralStorageLimitMiB: 1024 };
/** The defaults of a metrics exporter's container resources. */
export const EXPORTER_RESOURCE_DEFAULTS: Required<ResourceSpec> = { cpuRequestMillis: 50, cpuLimitMillis: 100, memoryRequestMiB: 32, memoryLimitMiB: 64, ephemeralStorageRequestMiB: 32, ephemeralStorageLimitMiB: 128 };

/** Checks what a service holds that no other rule checks; `field` prefixes the field names (`services.cart.`). */
export function validateServiceFields(path: string, field: string, svc: ServiceDefinition): void {
  if (typeof svc.partOf !== 'string' || svc.partOf === '' || !isLabelValue(svc.partOf)) {
    throw new ValidationError(path, `${field}partOf`, svc.partOf, 'allowed: a non-empty Kubernetes label value (app.kubernetes.io/part-of): at most 63 letters, digits, "-", "_" and ".", starting and ending alphanumeric');
  }
  requireOneOf(path, `${field}kind`, svc.kind, KINDS);
  requireBoolean(path, `${field}critical`, svc.critical);
  // the names the Kubernetes side derives: a Deployment per version `<service>-<version>`, a StatefulSet's headless Service `<service>-headless`
  for (const v of svc.versions) {
    const deployment = `${svc.name}-${v.name}`;
    if (deployment.length > 63) {
      throw new ValidationError(path, `${field}versions[].name`, v.name, `allowed: at most ${v.name.length - (deployment.length - 63)} characters here: the derived Deployment name ${deployment} has ${deployment.length} (a DNS-1123 label, at most 63)`);
    }
  }
  const headless = `${svc.name}-headless`;
  if (svc.kind === WorkloadKind.STATEFUL && headless.length > 63) {
    throw new ValidationError(path, 'services[].name', svc.name, `allowed: at most ${63 - '-headless'.length} characters for a stateful service: the derived headless Service name ${headless} has ${headless.length} (at most 63)`);
  }
  const names = new Set<string>();
  const numbers = new Set<number>();
  const containerPorts = new Set<number>();
  for (const p of svc.ports) {
    requireOneOf(path, `${field}ports.${p.name}.protocol`, p.protocol, PROTOCOLS);
    const serviceName = `${p.protocol}-${p.name}`;
    if (typeof p.name !== 'string' || !isIanaServiceName(serviceName)) {
      throw new ValidationError(path, `${field}ports[].name`, p.name, `allowed: a name that keeps the Service port name <protocol>-<name> (${serviceName}) a Kubernetes port name: at most 15 lower-case letters, digits and single "-", so at most ${15 - p.protocol.length - 1} here`);
    }
    if (names.has(p.name)) {
      throw new ValidationError(path, `${field}ports[].name`, p.name, 'allowed: each port name once');
    }
    names.add(p.name);
    requirePort(path, `${field}ports.${p.name}.port`, p.port);
    if (numbers.has(p.port)) {
      throw new ValidationError(path, `${field}ports.${p.name}.port`, p.port, 'allowed: each port number once');
    }
    numbers.add(p.port);
    if (p.targetPort !== undefined) {
      requirePort(path, `${field}ports.${p.name}.targetPort`, p.targetPort);
    }
    const container = p.targetPort ?? p.port;
    if (ISTIO_RESERVED_PORTS.includes(container)) {
      throw new ValidationError(path, `${field}ports.${p.name}.${p.targetPort !== undefined ? 'targetPort' : 'port'}`, container, `allowed: a container port the Istio sidecar does not listen on (${ISTIO_RESERVED_PORTS.join(', ')})`);
    }
    if (containerPorts.has(container)) {
      throw new ValidationError(path, `${field}ports.${p.name}.targetPort`, container, 'allowed: each container port once');
    }
    containerPorts.add(container);
  }
  if (svc.metricsPort !== undefined && svc.metricsExporter === undefined && !names.has(svc.metricsPort)) {
    throw new ValidationError(path, `${field}metricsPort`, svc.metricsPort, `allowed: one of the service's port names (${[...names].join(', ')})`);
  }
  for (const ref of svc.calls ?? []) {
    const parts = typeof ref === 'string' ? ref.split('/') : [];
    if (parts.length < 1 || parts.length > 2 || !parts.every(isDns1123Label)) {
      throw new ValidationError(path, `${field}calls`, ref, 'allowed: a service or data store name (same namespace) or <namespace>/<name>, DNS-1123 labels');
    }
  }
  if (svc.public !== undefined) {
    if (svc.public.hosts.length === 0) {
      throw new ValidationError(path, `${field}public.hosts`, [], 'allowed: one or more public host names');
    }
    for (const host of svc.public.hosts) {
      if (!isDnsName(host, true)) {
        throw new ValidationError(path, `${field}public.hosts`, host, 'allowed: lower-case DNS names of at most 253 characters such as shop.example.com, or a wildcard *.example.com (istiod refuses the rest; no IP addresses, no port)');
      }
    }
    const prefix = svc.public.pathPrefix;
    if (prefix !== undefined && (typeof prefix !== 'string' || !HTTP_PATH.test(prefix) || prefix.length > 1024 || prefix.includes('//'))) {
      throw new ValidationError(path, `${field}public.pathPrefix`, prefix, 'allowed: an absolute URL path such as /api (no query, fragment, whitespace or //), at most 1024 characters');
    }
  }
  const endpointHosts = new Set<string>();
  for (const ep of svc.externalEndpoints ?? []) {
    if (!isDnsName(ep.host, true) || ep.host.endsWith('.cluster.local') || ep.host.endsWith('.svc')) {
      throw new ValidationError(path, `${field}externalEndpoints[].host`, ep.host, 'allowed: a lower-case DNS name outside the cluster such as api.stripe.com, or a wildcard *.example.com (a ServiceEntry host; no IP address, scheme, port or *.svc.cluster.local name, which would take over an in-cluster Service: use calls)');
    }
    if (endpointHosts.has(`${ep.host}:${ep.port}`)) {
      throw new ValidationError(path, `${field}externalEndpoints.${ep.host}.port`, ep.port, 'allowed: each host and port once per service (the ServiceEntry of the host lists each port once; istiod refuses a port twice)');
    }
    endpointHosts.add(`${ep.host}:${ep.port}`);
    requirePort(path, `${field}externalEndpoints.${ep.host}.port`, ep.port);
    requireOneOf(path, `${field}externalEndpoints.${ep.host}.protocol`, ep.protocol, PROTOCOLS);
    for (const cidr of ep.cidrs ?? []) {
      if (typeof tryParseCidr(cidr) === 'string') {
        throw new ValidationError(path, `${field}externalEndpoints.${ep.host}.cidrs`, cidr, 'allowed: IPv4 network CIDRs a.b.c.d/n without host bits');
      }
    }
    if (ep.cidrs !== undefined && ep.cidrs.length === 0) {
      throw new ValidationError(path, `${field}externalEndpoints.${ep.host}.cidrs`, [], 'allowed: one or more CIDRs, or leave cidrs out (every public address)');
    }
  }
  (svc.awsPermissions ?? []).forEach((s, i) => {
    for (const action of s.actions) {
      if (typeof action !== 'string' || !IAM_ACTION.test(action)) {
        throw new ValidationError(path, `${field}awsPermissions[${i}].actions`, action, 'allowed: IAM actions <service>:<Action> such as s3:GetObject (wildcards * and ? in the action part)');
      }
    }
    for (const resource of s.resources) {
      if (typeof resource !== 'string' || !IAM_RESOURCE.test(resource)) {
        throw new ValidationError(path, `${field}awsPermissions[${i}].resources`, resource, 'allowed: ARNs arn:<partition>:<service>:<region>:<account>:<resource>, or *');
      }
    }
  });
  validateResources(path, `${field}resources`, svc.resources, SERVICE_RESOURCE_DEFAULTS);
  validateResources(path, `${field}metricsExporter.resources`, svc.metricsExporter?.resources, EXPORTER_RESOURCE_DEFAULTS);
  for (const arg of svc.metricsExporter?.args ?? []) {
    if (typeof arg !== 'string' || arg.includes('\0')) {
      throw new ValidationError(path, `${field}metricsExporter.args`, arg, 'allowed: strings without NUL characters');
    }
  }
  const probes = svc.probes ?? {};
  for (const key of ['readinessPath', 'livenessPath', 'startupPath'] as const) {
    const value = probes[key];
    if (value !== undefined && (typeof value !== 'string' || !HTTP_PATH.test(value) || value.length > 1024)) {
      throw new ValidationError(path, `${field}probes.${key}`, value, 'allowed: an absolute HTTP path starting with "/" (no whitespace, query or fragment)');
    }
  }
  if (probes.port !== undefined && !names.has(probes.port)) {
    throw new ValidationError(path, `${field}probes.port`, probes.port, `allowed: one of the service's port names (${[...names].join(', ')})`);
  }
  let configBytes = 0;
  for (const [name, content] of Object.entries(svc.configFiles ?? {})) {
    if (!CONFIG_KEY.test(name) || name === '.' || name === '..') {
      throw new ValidationError(path, `${field}configFiles`, name, 'allowed: file names of letters, digits, "-", "_" and "." (ConfigMap keys), at most 253 characters');
    }
    if (typeof content !== 'string') {
      throw new ValidationError(path, `${field}configFiles.${name}`, content, 'allowed: the file\'s content as a string');
    }
    configBytes += Buffer.byteLength(name) + Buffer.byteLength(content);
  }
  if (configBytes > MAX_CONFIG_MAP_BYTES) {
    throw new ValidationError(path, `${field}configFiles`, Object.keys(svc.configFiles ?? {}), `allowed: at most ${MAX_CONFIG_MAP_BYTES} bytes in all (a ConfigMap); these hold ${configBytes}`);
  }
  for (const [name, value] of Object.entries(svc.env ?? {})) {
    if (!PLAIN_ENV_NAME.test(name)) {
      throw new ValidationError(path, `${field}env`, name, 'allowed: variable names of letters, digits, "_", "." and "-", not starting with a digit');
    }
    if (typeof value !== 'string') {
      throw new ValidationError(path, `${field}env.${name}`, value, 'allowed: a string value');
    }
  }
  if (svc.storage !== undefined) {
    const s = svc.storage;
    if (!Number.isInteger(s.sizeGiB) || s.sizeGiB < 1 || s.sizeGiB > MAX_GP3_GIB) {
      throw new ValidationError(path, `${field}storage.sizeGiB`, s.sizeGiB, `allowed: a whole number of GiB from 1 to ${MAX_GP3_GIB} (the largest EBS gp3 volume)`);
    }
    if (typeof s.mountPath !== 'string' || !isAbsoluteMountPath(s.mountPath)) {
      throw new ValidationError(path, `${field}storage.mountPath`, s.mountPath, 'allowed: an absolute, normalised path other than /, e.g. /data');
    }
    if (s.storageClassName !== undefined && (typeof s.storageClassName !== 'string' || s.storageClassName.length > 253 || !s.storageClassName.split('.').every(isDns1123Label))) {
      throw new ValidationError(path, `${field}storage.storageClassName`, s.storageClassName, 'allowed: a StorageClass name (a DNS-1123 subdomain) such as gp3');
    }
  }
  for (const w of svc.writablePaths ?? []) {
    requireBoolean(path, `${field}writablePaths.${w.path}.inMemory`, w.inMemory);
  }
  for (const t of svc.tolerations ?? []) {
    requireOneOf(path, `${field}tolerations`, t.effect, TAINT_EFFECTS);
  }
  for (const [name, o] of Object.entries(svc.alerts ?? {})) {
    requireBoolean(path, `${field}alerts.${name}.disabled`, o?.disabled);
  }
}

/** Public hosts and path prefixes are the routes of one shared Gateway: two services may not claim the same one. */
export function validatePublicRoutes(path: string, services: readonly ServiceDefinition[]): void {
  const taken = new Map<string, string>();
  for (const svc of services) {
    for (const host of svc.public?.hosts ?? []) {
      const route = `${host}${svc.public?.pathPrefix ?? '/'}`;
      const other = taken.get(route);
      if (other !== undefined) {
        throw new ValidationError(path, `services.${svc.name}.public.hosts`, host, `allowed: a host and path prefix no other service routes (${other} routes ${route}); the ingress gateway would send the traffic to one of them`);
      }
      taken.set(route, `${svc.namespace}/${svc.name}`);
    }
  }
}

const SLACK_CHANNEL = /^[#@]?[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;
const EMAIL = /^[^\s@<>(),;:"]+@[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i;
const SMARTHOST = /^[a-z0-9.-]+:\d{1,5}$/i;
const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

function requireSecretRef(path: string, field: string, ref: SecretKeyRef | undefined): void {
  if (ref === undefined) {
    return;
  }
  if (typeof ref.name !== 'string' || ref.name.length > 253 || !SECRET_NAME.test(ref.name)) {
    throw new ValidationError(path, `${field}.name`, ref.name, 'allowed: the name of a Kubernetes Secret (a DNS-1123 subdomain)');
  }
  if (typeof ref.key !== 'string' || !SECRET_KEY.test(ref.key)) {
    throw new ValidationError(path, `${field}.key`, ref.key, 'allowed: a key of a Kubernetes Secret (letters, digits, "-", "_" and ".")');
  }
}

/**
 * Checks the observability settings the model holds, once for every environment: Secret references, the Slack
 * channel, e-mail addresses, the SMTP smarthost, the runbook URL, the Prometheus selector, the log index and port.
 * (The time ranges and maintenance windows are AlertRouting's, lib/k8s/observability/alert-routing.ts.)
 */
export function validateObservabilityFields(path: string, o: ObservabilityConfig | undefined): void {
  if (o === undefined) {
    return;
  }
  const a = o.alerting;
  requireSecretRef(path, 'observability.alerting.pagerDutyRoutingKey', a.pagerDutyRoutingKey);
  requireSecretRef(path, 'observability.alerting.slack.apiUrl', a.slack.apiUrl);
  requireSecretRef(path, 'observability.alerting.email.authPassword', a.email.authPassword);
  if (typeof a.slack.channel !== 'string' || !SLACK_CHANNEL.test(a.slack.channel)) {
    throw new ValidationError(path, 'observability.alerting.slack.channel', a.slack.channel, 'allowed: a Slack channel such as #shop-alerts (or a channel id): letters, digits, "-", "_" and ".", at most 80, no whitespace');
  }
  for (const f of ['to', 'from'] as const) {
    if (typeof a.email[f] !== 'string' || !EMAIL.test(a.email[f])) {
      throw new ValidationError(path, `observability.alerting.email.${f}`, a.email[f], 'allowed: an e-mail address such as ops@example.com');
    }
  }
  if (typeof a.email.smarthost !== 'string' || !SMARTHOST.test(a.email.smarthost) || Number(a.email.smarthost.split(':')[1]) > 65535 || Number(a.email.smarthost.split(':')[1]) < 1) {
    throw new ValidationError(path, 'observability.alerting.email.smarthost', a.email.smarthost, 'allowed: host:port of the SMTP server, such as smtp.example.com:587');
  }
  if (a.email.authUsername !== undefined && (typeof a.email.authUsername !== 'string' || a.email.authUsername === '' || a.email.authUsername.length > 256 || /[\s]/.test(a.email.authUsername))) {
    throw new ValidationError(path, 'observability.alerting.email.authUsername', a.email.authUsername, 'allowed: a non-empty SMTP user name without whitespace');
  }
  if (a.namespace !== undefined && (typeof a.namespace !== 'string' || !isDns1123Label(a.namespace))) {
    throw new ValidationError(path, 'observability.alerting.namespace', a.namespace, 'allowed: a DNS-1123 label');
  }
  let url: URL | undefined;
  try {
    url = new URL(o.runbookBaseUrl);
  } catch {
    url = undefined;
  }
  if (url === undefined || url.protocol !== 'https:' || url.username !== '' || url.search !== '' || url.hash !== '' || o.runbookBaseUrl.endsWith('/')) {
    throw new ValidationError(path, 'observability.runbookBaseUrl', o.runbookBaseUrl, 'allowed: an https URL without credentials, query, fragment or trailing "/" (alerts link to <url>/<env>/runbooks/...)');
  }
  const selector = o.prometheusSelector;
  if (selector !== undefined) {
    if (Object.keys(selector).length === 0) {
      throw new ValidationError(path, 'observability.prometheusSelector', selector, 'allowed: one or more labels (an empty selector is refused: leave it out for the default)');
    }
    for (const [key, value] of Object.entries(selector)) {
      if (!isLabelKey(key) || !isLabelValue(value)) {
        throw new ValidationError(path, `observability.prometheusSelector.${key}`, value, 'allowed: Kubernetes label keys and values');
      }
    }
  }
  const logs = o.logs;
  if (logs !== undefined) {
    if (!isDnsName(logs.host)) {
      throw new ValidationError(path, 'observability.logs.host', logs.host, 'allowed: a host name such as logs.example.com (no scheme, no port, no path)');
    }
    if (logs.port !== undefined) {
      requirePort(path, 'observability.logs.port', logs.port);
    }
    if (logs.indexPrefix !== undefined && (typeof logs.indexPrefix !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,199}$/.test(logs.indexPrefix))) {
      throw new ValidationError(path, 'observability.logs.indexPrefix', logs.indexPrefix, 'allowed: lower-case letters, digits, "-" and "_", starting with a letter or digit (an index name), at most 200');
    }
    if (logs.user !== undefined && (typeof logs.user !== 'string' || !/^[A-Za-z0-9._@-]{1,128}$/.test(logs.user))) {
      throw new ValidationError(path, 'observability.logs.user', logs.user, 'allowed: a user name of letters, digits, ".", "_", "@" and "-"');
    }
    requireSecretRef(path, 'observability.logs.password', logs.password);
  }
}

/** What a field holds, checked before any rule reads into it: an object, a list, a list of objects, a string. */
type Kind = 'object' | 'array' | 'objects' | 'string';

/** The object, list and identifying string fields of the model: a value of another kind (a string for a list, a number for a name) is refused before any rule reads into it. */
const CONTAINERS: ReadonlyArray<readonly [field: string, kind: Kind, required: boolean]> = [
  ['environments', 'objects', true],
  ['services', 'objects', false],
  ['dataStores', 'objects', false],
  ['allowedImageRegistries', 'array', false],
  ['tags', 'object', false],
  ['environments[].tags', 'object', false],
  ['environments[].availabilityZones', 'array', true],
  ['environments[].nodeGroups', 'objects', true],
  ['environments[].nodeGroups[].instanceTypes', 'array', true],
  ['environments[].nodeGroups[].labels', 'object', false],
  ['environments[].nodeGroups[].taints', 'objects', false],
  ['environments[].clusterAdminRoleArns', 'array', false],
  ['environments[].publicApiAccessCidrs', 'array', false],
  ['environments[].existingVpc.privateSubnetIds', 'array', true],
  ['environments[].existingVpc.intraSubnetIds', 'array', false],
  ['environments[].kubernetes.namespaceQuotas', 'object', false],
  ['environments[].kubernetes.serviceOverrides', 'object', false],
  ['environments[].dataStores.placementOverrides', 'object', false],
  ['environments[].dataStores.credentialsVersions', 'object', false],
  ['observability.prometheusSelector', 'object', false],
  ['observability.alerting.maintenanceWindows[].times', 'objects', true],
  ['services[].versions', 'objects', true],
  ['services[].ports', 'objects', true],
  ['services[].calls', 'array', false],
  ['services[].public.hosts', 'array', true],
  ['services[].externalEndpoints[].cidrs', 'array', false],
  ['services[].awsPermissions', 'objects', false],
  ['services[].awsPermissions[].actions', 'array', true],
  ['services[].awsPermissions[].resources', 'array', true],
  ['services[].configFiles', 'object', false],
  ['services[].env', 'object', false],
  ['services[].secrets', 'objects', false],
  ['services[].secrets[].env', 'object', false],
  ['services[].writablePaths', 'objects', false],
  ['services[].storage', 'object', false],
  ['services[].metricsExporter', 'object', false],
  ['services[].metricsExporter.args', 'array', false],
  ['services[].nodeSelector', 'object', false],
  ['services[].alerts', 'object', false],
  ['services[].release', 'object', false],
  ['registry', 'object', false],
  ['gitops', 'object', false],
  ['observability', 'object', false],
  ['observability.alerting', 'object', true],
  ['observability.alerting.pagerDutyRoutingKey', 'object', true],
  ['observability.alerting.slack', 'object', true],
  ['observability.alerting.slack.apiUrl', 'object', true],
  ['observability.alerting.email', 'object', true],
  ['observability.alerting.email.authPassword', 'object', false],
  ['observability.alerting.businessHours', 'objects', false],
  ['observability.alerting.maintenanceWindows', 'objects', false],
  ['observability.logs', 'object', false],
  ['observability.logs.password', 'object', false],
  ['environments[].kubernetes', 'object', true],
  ['environments[].kubernetes.namespaceQuota', 'object', true],
  ['environments[].backup', 'object', true],
  ['environments[].backup.objectLock', 'object', false],
  ['environments[].backup.transitions', 'objects', false],
  ['environments[].dataStores', 'object', false],
  ['environments[].existingVpc', 'object', false],
  ['environments[].gitops', 'object', false],
  ['environments[].remoteState', 'object', false],
  ['services[].public', 'object', false],
  ['services[].externalEndpoints', 'objects', false],
  ['services[].resources', 'object', false],
  ['services[].probes', 'object', false],
  ['services[].tolerations', 'objects', false],
  ['services[].metricsExporter.resources', 'object', false],
  ['services[].release.options', 'object', false],
  ['services[].release.options.testerRoute', 'object', false],
  ['services[].release.options.mirrorTo', 'object', false],
  ['name', 'string', true],
  ['environments[].name', 'string', true],
  ['environments[].accountId', 'string', true],
  ['environments[].region', 'string', true],
  ['environments[].vpcCidr', 'string', true],
  ['environments[].kubernetesVersion', 'string', true],
  ['environments[].nodeGroups[].name', 'string', true],
  ['environments[].nodeGroups[].taints[].key', 'string', true],
  ['environments[].kubernetes.serviceOverrides.<key>', 'object', true],
  ['environments[].kubernetes.serviceOverrides.<key>.nodeSelector', 'object', false],
  ['environments[].kubernetes.namespaceQuotas.<key>', 'object', true],
  ['environments[].gitops.revision', 'string', false],
  ['dataStores[].name', 'string', true],
  ['dataStores[].namespace', 'string', true],
  ['services[].name', 'string', true],
  ['services[].namespace', 'string', true],
  ['services[].versions[].name', 'string', true],
  ['services[].versions[].image', 'string', true],
  ['services[].metricsExporter.image', 'string', true],
  ['services[].release.weights', 'object', true],
  ['services[].secrets[].name', 'string', true],
  ['services[].secrets[].mountPath', 'string', false],
  ['services[].secrets[].description', 'string', false],
  ['services[].writablePaths[].path', 'string', true],
  ['services[].tolerations[].key', 'string', true],
  ['services[].externalEndpoints[].host', 'string', true],
];

const KIND_NAMES: Readonly<Record<Kind, string>> = { object: 'an object of the fields docs/model.md lists', array: 'a list', objects: 'a list of objects', string: 'a string' };

/** The values at a field path (`services[].probes`), each with its name in errors (`services.cart.probes`). */
function valuesAt(root: unknown, field: string): Array<readonly [string, unknown]> {
  let found: Array<readonly [string, unknown]> = [['', root]];
  for (const part of field.split('.')) {
    const list = part.endsWith('[]');
    const key = list ? part.slice(0, -2) : part;
    found = found.flatMap(([name, value]): Array<readonly [string, unknown]> => {
      if (value === null || typeof value !== 'object') {
        return [];
      }
      const child = (value as Record<string, unknown>)[key];
      const at = name === '' ? key : `${name}.${key}`;
      if (key === '<key>') {
        return Object.entries(value as Record<string, unknown>).map(([k, v]) => [name === '' ? k : `${name}.${k}`, v] as const);
      }
      if (!list) {
        return [[at, child]];
      }
      return Array.isArray(child) ? child.map((item: unknown, i) => [`${at}.${named(item) ?? `[${i}]`}`.replace(/\.\[/, '['), item] as const) : [];
    });
  }
  return found;
}

function named(item: unknown): string | undefined {
  const name = item !== null && typeof item === 'object' ? (item as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : undefined;
}

/** Checks that every object and array field of the props holds an object or an array (see {@link CONTAINERS}), and the required ones are there. */
export function validateShapes(path: string, props: unknown): void {
  for (const [field, kind, required] of CONTAINERS) {
    for (const [name, value] of valuesAt(props, field)) {
      if (value === undefined) {
        if (required) {
          throw new ValidationError(path, name, value, `allowed: ${KIND_NAMES[kind]} (${field} is required)`);
        }
        continue;
      }
      const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
      const ok = kind === 'string' ? typeof value === 'string'
        : kind === 'object' ? isObject(value)
          : Array.isArray(value) && (kind === 'array' || value.every(isObject));
      if (!ok) {
        throw new ValidationError(path, name, value, `allowed: ${KIND_NAMES[kind]}`);
      }
    }
  }
}
