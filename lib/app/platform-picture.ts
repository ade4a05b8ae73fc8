/**
 * `dist/<env>/PLATFORM.md`: one environment at a glance, as Mermaid diagrams generated from the model (services and
 * who calls whom, what is public, data stores and their placement, secrets by name, node groups per zone, backups).
 * Names come from the functions both worlds use (lib/model/names.ts, the zonal node groups, Velero's schedule plan),
 * so the picture shows what the synth wrote. Markdown only: Argo CD never applies it.
 */
import { backupSchedulesOf } from '../k8s/backups/velero-backups';
import { DataStoreEngine, DataStorePlacement, dataStoreKey, resolveDataStoresConfig, type ResolvedDataStore } from '../model/data-stores';
import type { EnvironmentConfig } from '../model/environment';
import { resolveGitOps, GitOpsSync } from '../model/gitops';
import { backupBucketName, clusterName, qualifiedName } from '../model/names';
import type { Platform } from '../model/platform';
import type { ServiceDefinition } from '../model/service';
import { zonalNodeGroupsOf } from '../model/zonal-node-groups';

/** The file, in each environment's Kubernetes folder, that pictures the environment. */
export const PLATFORM_PICTURE_FILE = 'PLATFORM.md';

/**
 * Mermaid's default render limits (its `maxTextSize` and `maxEdges` settings): a viewer that keeps Mermaid's defaults
 * draws an error instead of a diagram beyond either. A call or secrets diagram that would pass them is split into one
 * per namespace. test/app/platform-picture.test.ts reads the installed Mermaid's defaults and checks these agree.
 */
export const MERMAID_LIMITS = { maxTextSize: 50_000, maxEdges: 500 } as const;

/**
 * Text inside a quoted Mermaid label: every character outside a small safe set becomes a Mermaid entity (`#34;`),
 * which Mermaid turns into an HTML entity when it renders. Quotes, `#`, `<`, `>`, `&`, `|`, brackets, backticks and
 * anything non-ASCII can then never close the label or be read as HTML or Markdown.
 */
function label(text: string): string {
  return text.replace(/[^A-Za-z0-9 .,:/()*+=@_-]/gu, (c) => `#${c.codePointAt(0)};`);
}

/** A quoted label of several lines. */
function lines(...parts: readonly string[]): string {
  return `"${parts.map(label).join('<br/>')}"`;
}

function block(diagram: readonly string[]): string[] {
  return ['```mermaid', ...diagram, '```', ''];
}

/** A diagram's lines and how many edges it draws. */
interface Diagram {
  readonly lines: string[];
  readonly edges: number;
}

function fits(d: Diagram): boolean {
  return d.edges <= MERMAID_LIMITS.maxEdges && d.lines.reduce((n, l) => n + l.length + 1, 0) <= MERMAID_LIMITS.maxTextSize;
}

/** How a data store runs in the environment, for people. */
function placementOf(store: ResolvedDataStore, env: EnvironmentConfig): string {
  if (store.placement === DataStorePlacement.IN_CLUSTER) {
    return store.engine === DataStoreEngine.POSTGRESQL ? 'in the cluster: CloudNativePG, 3 instances over the zones' : 'in the cluster: Redis with Sentinel, 3 pods over the zones';
  }
  const config = resolveDataStoresConfig(env.dataStores);
  return store.engine === DataStoreEngine.POSTGRESQL
    ? `managed: ${config.postgresFlavour === 'aurora' ? 'Aurora PostgreSQL, writer and reader' : 'RDS for PostgreSQL Multi-AZ'} (${config.postgresInstanceClass})`
    : `managed: ElastiCache over the zones (${config.redisNodeType})`;
}

/** What every diagram of a page needs, computed once per page (so the page stays linear in the model's size). */
class PictureContext {
  /** Node ids of the services (`s<i>`) by `namespace/name`. */
  public readonly serviceIds: Map<string, string>;
  /** Node ids of the data stores (`d<i>`) by `namespace/name`. */
  public readonly storeIds: Map<string, string>;
  /** The platform's namespaces, sorted. */
  public readonly namespaces: readonly string[];
  /** The index of each namespace in {@link namespaces} (subgraph ids `n<i>`). */
  public readonly namespaceIndex: Map<string, number>;
  /** The services of each namespace, in declaration order. */
  public readonly servicesIn: Map<string, ServiceDefinition[]>;
  /** The data stores as this environment runs them, in declaration order. */
  public readonly stores: readonly ResolvedDataStore[];
  /** The data stores of each namespace. */
  public readonly storesIn: Map<string, ResolvedDataStore[]>;

  constructor(public readonly platform: Platform, public readonly env: EnvironmentConfig) {
    this.serviceIds = new Map(platform.services.map((s, i) => [qualifiedName(s), `s${i}`]));
    this.storeIds = new Map(platform.dataStores.map((d, i) => [dataStoreKey(d), `d${i}`]));
    this.namespaces = platform.namespaces();
    this.namespaceIndex = new Map(this.namespaces.map((ns, i) => [ns, i]));
    this.servicesIn = groupBy(platform.services, (s) => s.namespace);
    this.stores = platform.dataStoresIn(env);
    this.storesIn = groupBy(this.stores, (d) => d.namespace);
  }

  public serviceId(s: ServiceDefinition): string {
    return this.serviceIds.get(qualifiedName(s))!;
  }

  public storeId(d: { readonly name: string; readonly namespace: string }): string {
    return this.storeIds.get(dataStoreKey(d))!;
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) {
      list.push(item);
    } else {
      out.set(k, [item]);
    }
  }
  return out;
}

function serviceLabel(s: ServiceDefinition): string {
  const versions = s.versions.map((v) => v.name).join(', ');
  const release = s.release ? `, ${s.release.strategy}` : '';
  return lines(s.name, `${versions}${release}`);
}

/**
 * Services and data stores grouped by namespace, an arrow per call. With `only`, the services of that namespace and
 * their calls; what they call in other namespaces is drawn outside the namespace, named with its namespace.
 */
function callGraph(ctx: PictureContext, only?: string): Diagram {
  const out = ['flowchart LR'];
  const drawn = new Set<string>();
  (only === undefined ? ctx.namespaces : [only]).forEach((ns) => {
    out.push(`  subgraph n${ctx.namespaceIndex.get(ns)} [${lines(`namespace ${ns}`)}]`);
    for (const s of ctx.servicesIn.get(ns) ?? []) {
      drawn.add(ctx.serviceId(s));
      out.push(`    ${ctx.serviceId(s)}[${serviceLabel(s)}]`);
    }
    for (const d of ctx.storesIn.get(ns) ?? []) {
      drawn.add(ctx.storeId(d));
      out.push(`    ${ctx.storeId(d)}[(${lines(d.name, `${d.engine} ${d.version}`)})]`);
    }
    out.push('  end');
  });
  const edges: string[] = [];
  const callers = only === undefined ? ctx.platform.services : ctx.servicesIn.get(only) ?? [];
  for (const s of callers) {
    const from = ctx.serviceId(s);
    for (const callee of ctx.platform.calleesOf(s)) {
      const to = ctx.serviceId(callee);
      if (!drawn.has(to)) {
        drawn.add(to);
        out.push(`  ${to}[${lines(callee.name, `namespace ${callee.namespace}`)}]`);
      }
      edges.push(`  ${from} --> ${to}`);
    }
    for (const store of ctx.platform.dataStoresCalledBy(s)) {
      const to = ctx.storeId(store);
      if (!drawn.has(to)) {
        drawn.add(to);
        out.push(`  ${to}[(${lines(store.name, `namespace ${store.namespace}`)})]`);
      }
      edges.push(`  ${from} --> ${to}`);
    }
  }
  return { lines: [...out, ...edges], edges: edges.length };
}

function publicGraph(ctx: PictureContext): Diagram | undefined {
  const exposed = ctx.platform.services.filter((s) => (s.public?.hosts ?? []).length > 0);
  if (exposed.length === 0) {
    return undefined;
  }
  const out = ['flowchart LR', `  internet((${lines('Internet')})) --> gw[${lines('Istio ingress gateway', 'TLS, then mTLS inside')}]`];
  let edges = 1;
  for (const s of exposed) {
    const id = ctx.serviceId(s);
    out.push(`  ${id}[${lines(s.name, `namespace ${s.namespace}`)}]`);
    for (const host of s.public!.hosts) {
      out.push(`  gw -->|${lines(`${host}${s.public!.pathPrefix ?? '/'}`)}| ${id}`);
      edges += 1;
    }
  }
  return { lines: out, edges };
}

function storesGraph(ctx: PictureContext): Diagram | undefined {
  if (ctx.stores.length === 0) {
    return undefined;
  }
  const out = ['flowchart LR'];
  for (const placement of [DataStorePlacement.IN_CLUSTER, DataStorePlacement.MANAGED]) {
    const here = ctx.stores.filter((d) => d.placement === placement);
    if (here.length === 0) {
      continue;
    }
    out.push(`  subgraph ${placement === DataStorePlacement.IN_CLUSTER ? 'incluster' : 'managed'} [${lines(placement === DataStorePlacement.IN_CLUSTER ? 'in the cluster' : 'managed by AWS')}]`);
    for (const d of here) {
      out.push(`    ${ctx.storeId(d)}[(${lines(d.name, `namespace ${d.namespace}`, `${d.engine} ${d.version}, ${d.storageGiB} GiB${d.critical ? ', critical' : ''}`, placementOf(d, ctx.env), d.host)})]`);
    }
    out.push('  end');
  }
  return { lines: out, edges: 0 };
}

/** Which service reads which secret (Secrets Manager names only); with `only`, the readers of that namespace. */
function secretsGraph(ctx: PictureContext, only?: string): Diagram | undefined {
  const services = only === undefined ? ctx.platform.services : ctx.servicesIn.get(only) ?? [];
  const readers = services.map((s) => ({ s, secrets: ctx.platform.secretsOf(ctx.env, s) })).filter((r) => r.secrets.length > 0);
  if (readers.length === 0) {
    return undefined;
  }
  const secretIds = new Map<string, string>();
  const out = ['flowchart LR'];
  for (const { s } of readers) {
    out.push(`  ${ctx.serviceId(s)}[${lines(s.name, `namespace ${s.namespace}`)}]`);
  }
  out.push(`  subgraph sm [${lines(`AWS Secrets Manager, ${ctx.env.region}`)}]`);
  for (const { secrets } of readers) {
    for (const secret of secrets) {
      if (!secretIds.has(secret.secretsManagerName)) {
        const id = `k${secretIds.size}`;
        secretIds.set(secret.secretsManagerName, id);
        out.push(`    ${id}[/${lines(secret.secretsManagerName)}/]`);
      }
    }
  }
  out.push('  end');
  let edges = 0;
  for (const { s, secrets } of readers) {
    for (const secret of secrets) {
      out.push(`  ${ctx.serviceId(s)} -.->|${lines(secret.kubernetesSecretName)}| ${secretIds.get(secret.secretsManagerName)}`);
      edges += 1;
    }
  }
  return { lines: out, edges };
}

function nodeGroupsGraph(ctx: PictureContext): Diagram {
  const env = ctx.env;
  const cluster = clusterName(ctx.platform.name, env.name);
  const zonal = zonalNodeGroupsOf(cluster, env.nodeGroups, env.availabilityZones);
  const out = ['flowchart TB', `  cluster[${lines(`EKS ${cluster}`, `Kubernetes ${env.kubernetesVersion}, ${env.region}`)}]`];
  env.availabilityZones.forEach((zone, i) => {
    out.push(`  subgraph z${i} [${lines(zone)}]`);
    zonal.forEach((g, j) => {
      if (g.zone === zone) {
        out.push(`    g${j}[${lines(g.name, `${g.minSize} to ${g.maxSize} nodes, ${g.desiredSize} at start`)}]`);
      }
    });
    out.push('  end', `  cluster --- z${i}`);
  });
  return { lines: out, edges: env.availabilityZones.length };
}

function backupsGraph(ctx: PictureContext): Diagram {
  const { platform, env } = ctx;
  const bucket = backupBucketName(platform.name, env.name, env.accountId);
  const out = ['flowchart LR', `  velero[${lines('Velero', `account ${env.accountId}`)}]`, `  bucket[(${lines(bucket, env.region)})]`];
  const plans = backupSchedulesOf(platform, env);
  plans.forEach((plan, i) => {
    const every = plan.critical ? `every ${plan.intervalMinutes} minutes` : 'daily';
    out.push(`  b${i}[${lines(plan.name, `namespace ${plan.namespace}`, `${plan.cron} (UTC), ${every}`, `kept ${plan.ttlDays} days`)}] --> velero`);
  });
  out.push('  velero --> bucket');
  const replica = env.backup.replicaRegion;
  if (replica !== undefined) {
    out.push(`  bucket -->|${lines(env.backup.replicationTimeControl === false ? 'replication' : 'replication, RTC 15 minutes')}| replica[(${lines(backupBucketName(platform.name, env.name, env.accountId, replica), replica)})]`);
  }
  return { lines: out, edges: plans.length + 1 + (replica === undefined ? 0 : 1) };
}

/**
 * A subject's diagram, or one per namespace when the whole would pass Mermaid's render limits
 * ({@link MERMAID_LIMITS}), each under a `###` heading.
 */
function perNamespaceIfLarge(ctx: PictureContext, draw: (only?: string) => Diagram | undefined): string[] {
  const whole = draw();
  if (whole === undefined) {
    return [];
  }
  if (fits(whole)) {
    return block(whole.lines);
  }
  return ctx.namespaces.flatMap((ns) => {
    const part = draw(ns);
    return part === undefined ? [] : [`### namespace ${ns}`, '', ...block(part.lines)];
  });
}

/**
 * The Markdown page of one environment (written as {@link PLATFORM_PICTURE_FILE}): a head naming the platform and
 * the environment, then per subject a few lines of text and a Mermaid flowchart: services and who calls whom by
 * namespace, what is public, data stores and their placement, secrets by name, node groups per zone, backups. Names
 * come from the functions the Terraform and Kubernetes sides call. Deterministic, and linear in the size of the model;
 * a call or secrets diagram beyond Mermaid's render limits is split into one per namespace.
 * @param platform the platform model
 * @param environmentName one of the platform's environments; throws a `ValidationError` for another name
 */
export function platformPicture(platform: Platform, environmentName: string): string {
  const env = platform.environment(environmentName);
  const ctx = new PictureContext(platform, env);
  const gitops = resolveGitOps(platform.gitops, env);
  const out = [
    `# ${platform.name}, environment ${env.name}`,
    '',
    `Generated by \`eks-platform synth\` from the platform model; do not edit. Account ${env.accountId}, region ${env.region}, zones ${env.availabilityZones.join(', ')}.`,
    gitops
      ? `Argo CD syncs this folder (\`${gitops.path}\` of ${gitops.repoURL} at \`${gitops.revision}\`) ${gitops.sync === GitOpsSync.AUTOMATED ? 'automatically, with prune and self-heal' : 'when a person presses Sync'}: \`argocd.k8s.yaml\` is its root Application.`
      : 'No GitOps repository in the model: point Argo CD or Flux at this folder by hand.',
    '',
    '## Services and who calls whom',
    '',
    `The mesh's edges: an arrow is a call between the services that the NetworkPolicies and Istio AuthorizationPolicies admit (besides them, only the ingress gateway, Prometheus's scrapes and the add-ons are admitted, by policies of their own). Data stores are cylinders.`,
    '',
    ...perNamespaceIfLarge(ctx, (only) => callGraph(ctx, only)),
    '## What is public',
    '',
  ];
  const publicDiagram = publicGraph(ctx);
  out.push(...(publicDiagram ? ['Only these hosts reach the cluster from outside, through the ingress gateway.', '', ...block(publicDiagram.lines)] : ['Nothing: no service has public hosts.', '']));
  out.push('## Data stores', '');
  const stores = storesGraph(ctx);
  out.push(...(stores ? ['Where each store runs in this environment; callers reach it by the same name in both placements.', '', ...block(stores.lines)] : ['None.', '']));
  out.push('## Secrets', '');
  const secrets = perNamespaceIfLarge(ctx, (only) => secretsGraph(ctx, only));
  out.push(...(secrets.length > 0 ? ['Names only, never values: which service reads which secret. External Secrets reads them as the ServiceAccount `<service>-secrets` with its own IAM role (the service\'s pods hold no AWS credential for them) and writes the Kubernetes Secret the edge names.', '', ...secrets] : ['None.', '']));
  out.push('## Node groups per zone', '', 'One EKS managed node group per configured group and zone; the cluster autoscaler balances them.', '', ...block(nodeGroupsGraph(ctx).lines));
  out.push('## Backups', '', 'Velero\'s Schedules, the bucket they write to, and its replica.', '', ...block(backupsGraph(ctx).lines));
  return `${out.join('\n').trimEnd()}\n`;
}
