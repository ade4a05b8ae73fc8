/**
 * `dist/<env>/PLATFORM.md`: one environment at a glance, as Mermaid diagrams generated from the model (services and
 * who calls whom, what is public, data stores and their placement, secrets by name, node groups per zone, backups).
 * Names come from the functions both worlds use (lib/model/names.ts, the zonal node groups, Velero's schedule plan),
 * so the picture shows what the synth wrote. Markdown only: Argo CD never applies it.
 */
import { backupSchedulesOf } from '../k8s/backups/velero-backups';
import { DataStoreEngine, DataStorePlacement, resolveDataStoresConfig, type ResolvedDataStore } from '../model/data-stores';
import type { EnvironmentConfig } from '../model/environment';
import { resolveGitOps, GitOpsSync } from '../model/gitops';
import { backupBucketName, clusterName, qualifiedName } from '../model/names';
import type { Platform } from '../model/platform';
import { dataStoreKey } from '../model/data-stores';
import type { ServiceDefinition } from '../model/service';
import { zonalNodeGroupsOf } from '../model/zonal-node-groups';

/** The file, in each environment's Kubernetes folder, that pictures the environment. */
export const PLATFORM_PICTURE_FILE = 'PLATFORM.md';

/** Text inside a quoted Mermaid label: the characters Mermaid's grammar or its HTML labels would read are entities. */
function label(text: string): string {
  return text.replace(/[#"&<>]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** A quoted label of several lines. */
function lines(...parts: readonly string[]): string {
  return `"${parts.map(label).join('<br/>')}"`;
}

function block(diagram: readonly string[]): string[] {
  return ['```mermaid', ...diagram, '```', ''];
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

/** The services' node ids (`s<i>`) and the data stores' (`d<i>`), by `namespace/name`. */
function nodeIds(platform: Platform): { readonly service: Map<string, string>; readonly store: Map<string, string> } {
  return {
    service: new Map(platform.services.map((s, i) => [qualifiedName(s), `s${i}`])),
    store: new Map(platform.dataStores.map((d, i) => [dataStoreKey(d), `d${i}`])),
  };
}

function serviceLabel(s: ServiceDefinition): string {
  const versions = s.versions.map((v) => v.name).join(', ');
  const release = s.release ? `, ${s.release.strategy}` : '';
  return lines(s.name, `${versions}${release}`);
}

function callGraph(platform: Platform, env: EnvironmentConfig): string[] {
  const ids = nodeIds(platform);
  const stores = platform.dataStoresIn(env);
  const out = ['flowchart LR'];
  platform.namespaces().forEach((ns, i) => {
    out.push(`  subgraph n${i} [${lines(`namespace ${ns}`)}]`);
    for (const s of platform.services.filter((x) => x.namespace === ns)) {
      out.push(`    ${ids.service.get(qualifiedName(s))}[${serviceLabel(s)}]`);
    }
    for (const d of stores.filter((x) => x.namespace === ns)) {
      out.push(`    ${ids.store.get(`${d.namespace}/${d.name}`)}[(${lines(d.name, `${d.engine} ${d.version}`)})]`);
    }
    out.push('  end');
  });
  for (const s of platform.services) {
    const from = ids.service.get(qualifiedName(s));
    for (const callee of platform.calleesOf(s)) {
      out.push(`  ${from} --> ${ids.service.get(qualifiedName(callee))}`);
    }
    for (const store of platform.dataStoresCalledBy(s)) {
      out.push(`  ${from} --> ${ids.store.get(dataStoreKey(store))}`);
    }
  }
  return out;
}

function publicGraph(platform: Platform): string[] | undefined {
  const ids = nodeIds(platform);
  const exposed = platform.services.filter((s) => (s.public?.hosts ?? []).length > 0);
  if (exposed.length === 0) {
    return undefined;
  }
  const out = ['flowchart LR', `  internet((${lines('Internet')})) --> gw[${lines('Istio ingress gateway', 'TLS, then mTLS inside')}]`];
  for (const s of exposed) {
    const id = ids.service.get(qualifiedName(s));
    out.push(`  ${id}[${lines(s.name, s.namespace)}]`);
    for (const host of s.public!.hosts) {
      out.push(`  gw -->|${lines(`${host}${s.public!.pathPrefix ?? '/'}`)}| ${id}`);
    }
  }
  return out;
}

function storesGraph(platform: Platform, env: EnvironmentConfig): string[] | undefined {
  const stores = platform.dataStoresIn(env);
  if (stores.length === 0) {
    return undefined;
  }
  const ids = nodeIds(platform);
  const out = ['flowchart LR'];
  for (const placement of [DataStorePlacement.IN_CLUSTER, DataStorePlacement.MANAGED]) {
    const here = stores.filter((d) => d.placement === placement);
    if (here.length === 0) {
      continue;
    }
    out.push(`  subgraph p_${placement.replace(/[^a-z]/g, '')} [${lines(placement === DataStorePlacement.IN_CLUSTER ? 'in the cluster' : 'managed by AWS')}]`);
    for (const d of here) {
      out.push(`    ${ids.store.get(`${d.namespace}/${d.name}`)}[(${lines(`${d.name} (${d.namespace})`, `${d.engine} ${d.version}, ${d.storageGiB} GiB${d.critical ? ', critical' : ''}`, placementOf(d, env), d.host)})]`);
    }
    out.push('  end');
  }
  return out;
}

function secretsGraph(platform: Platform, env: EnvironmentConfig): string[] | undefined {
  const ids = nodeIds(platform);
  const readers = platform.services.map((s) => ({ s, secrets: platform.secretsOf(env, s) })).filter((r) => r.secrets.length > 0);
  if (readers.length === 0) {
    return undefined;
  }
  const secretIds = new Map<string, string>();
  const out = ['flowchart LR'];
  for (const { s } of readers) {
    out.push(`  ${ids.service.get(qualifiedName(s))}[${lines(s.name, s.namespace)}]`);
  }
  out.push(`  subgraph sm [${lines(`AWS Secrets Manager, ${env.region}`)}]`);
  for (const { secrets } of readers) {
    for (const secret of secrets) {
      if (!secretIds.has(secret.secretsManagerName)) {
        secretIds.set(secret.secretsManagerName, `k${secretIds.size}`);
        out.push(`    k${secretIds.size - 1}[/${lines(secret.secretsManagerName)}/]`);
      }
    }
  }
  out.push('  end');
  for (const { s, secrets } of readers) {
    for (const secret of secrets) {
      out.push(`  ${ids.service.get(qualifiedName(s))} -.->|${lines(secret.kubernetesSecretName)}| ${secretIds.get(secret.secretsManagerName)}`);
    }
  }
  return out;
}

function nodeGroupsGraph(platform: Platform, env: EnvironmentConfig): string[] {
  const zonal = zonalNodeGroupsOf(clusterName(platform.name, env.name), env.nodeGroups, env.availabilityZones);
  const out = ['flowchart TB', `  cluster[${lines(`EKS ${clusterName(platform.name, env.name)}`, `Kubernetes ${env.kubernetesVersion}, ${env.region}`)}]`];
  env.availabilityZones.forEach((zone, i) => {
    out.push(`  subgraph z${i} [${lines(zone)}]`);
    zonal.forEach((g, j) => {
      if (g.zone === zone) {
        out.push(`    g${j}[${lines(g.name, `${g.minSize} to ${g.maxSize} nodes, ${g.desiredSize} at start`)}]`);
      }
    });
    out.push('  end', `  cluster --- z${i}`);
  });
  return out;
}

function backupsGraph(platform: Platform, env: EnvironmentConfig): string[] {
  const bucket = backupBucketName(platform.name, env.name, env.accountId);
  const out = ['flowchart LR', `  velero[${lines('Velero', `account ${env.accountId}`)}]`, `  bucket[(${lines(bucket, env.region)})]`];
  backupSchedulesOf(platform, env).forEach((plan, i) => {
    const every = plan.critical ? `every ${plan.intervalMinutes} minutes` : 'daily';
    out.push(`  b${i}[${lines(plan.name, `namespace ${plan.namespace}`, `${plan.cron} (UTC), ${every}`, `kept ${plan.ttlDays} days`)}] --> velero`);
  });
  out.push('  velero --> bucket');
  const replica = env.backup.replicaRegion;
  if (replica !== undefined) {
    out.push(`  bucket -->|${lines(env.backup.replicationTimeControl === false ? 'replication' : 'replication, RTC 15 minutes')}| replica[(${lines(backupBucketName(platform.name, env.name, env.accountId, replica), replica)})]`);
  }
  return out;
}

/**
 * The Markdown page of one environment: a few lines of text and a Mermaid diagram per subject. Deterministic, and
 * linear in the size of the model.
 */
export function platformPicture(platform: Platform, environmentName: string): string {
  const env = platform.environment(environmentName);
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
    `The mesh's edges: an arrow is a call the NetworkPolicies and Istio AuthorizationPolicies admit; nothing else is. Data stores are cylinders.`,
    '',
    ...block(callGraph(platform, env)),
    '## What is public',
    '',
  ];
  const publicDiagram = publicGraph(platform);
  out.push(...(publicDiagram ? ['Only these hosts reach the cluster from outside, through the ingress gateway.', '', ...block(publicDiagram)] : ['Nothing: no service has public hosts.', '']));
  out.push('## Data stores', '');
  const stores = storesGraph(platform, env);
  out.push(...(stores ? ['Where each store runs in this environment; callers reach it by the same name in both placements.', '', ...block(stores)] : ['None.', '']));
  out.push('## Secrets', '');
  const secrets = secretsGraph(platform, env);
  out.push(...(secrets ? ['Names only, never values: which service reads which secret (the edge names the Kubernetes Secret External Secrets writes).', '', ...block(secrets)] : ['None.', '']));
  out.push('## Node groups per zone', '', 'One EKS managed node group per configured group and zone; the cluster autoscaler balances them.', '', ...block(nodeGroupsGraph(platform, env)));
  out.push('## Backups', '', 'Velero\'s Schedules, the bucket they write to, and its replica.', '', ...block(backupsGraph(platform, env)));
  return `${out.join('\n').trimEnd()}\n`;
}
