/**
 * The Kubernetes side of one environment: every platform namespace with its guardrails, every microservice
 * (WorkloadKind.DEPLOYMENT) and stateful service (WorkloadKind.STATEFUL) of the model, with their
 * NetworkPolicies from the call graph, and the Istio mesh over them.
 */
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { replicaFloor } from '../model/rules';
import type { EnvironmentConfig } from '../model/environment';
import { qualifiedName } from '../model/names';
import type { Platform } from '../model/platform';
import { WorkloadKind, type ServiceDefinition } from '../model/service';
import { ValidationError } from '../model/validation';
import { PlatformAdmission, type PlatformAdmissionOptions } from './admission/platform-admission';
import { PlatformAddons, type AddonsProps } from './addons/platform-addons';
import { backupRunbook } from './backups/backup-alerts';
import { VeleroBackups } from './backups/velero-backups';
import { EbsStorageClass, type EbsStorageClassProps } from './ebs-storage-class';
import { PodSecurityLevel } from './hardening';
import { PlatformMesh, type PlatformMeshProps } from './mesh/platform-mesh';
import { INGRESS_GATEWAY_NAMESPACE } from './mesh/public-gateway';
import { DEFAULT_MONITORING_NAMESPACE } from './network-policies';
import { Microservice, type AutoscalingMetric } from './microservice';
import { PlatformObservability, type PlatformObservabilityProps } from './observability/platform-observability';
import { PlatformNamespace } from './platform-namespace';
import { StatefulService } from './stateful-service';
import { KubernetesDataStores, dataStoreEgressOf } from './data-stores/platform-data-stores';

/** Options for a {@link PlatformChart}. */
export interface PlatformChartProps {
  /** The platform model. */
  readonly platform: Platform;
  /** The environment's name (`dev`, `staging`, `prod`). */
  readonly environment: string;
  /**
   * Autoscaling metrics besides CPU, per stateless service (`name`, or `namespace/name`, which wins over `name`).
   * A key that names no service of the platform, or a stateful one (it does not autoscale), is refused.
   * @default CPU only for every service
   */
  readonly autoscalingMetrics?: Readonly<Record<string, readonly AutoscalingMetric[]>>;
  /**
   * EBS StorageClasses the chart emits; every stateful service must name one of them.
   * @default one encrypted `gp3` class
   */
  readonly storageClasses?: readonly EbsStorageClassProps[];
  /** Options of the Istio mesh (gateway, traffic defaults, analysis). @default PlatformMesh's defaults */
  readonly mesh?: Omit<PlatformMeshProps, 'platform' | 'environment'>;
  /**
   * The add-ons (Argo CD Applications of pinned Helm charts): versions, Argo CD settings, add-ons turned off.
   * @default every add-on at DEFAULT_ADDON_CHART_VERSIONS (docs/addons.md)
   */
  readonly addons?: AddonsProps;
  /**
   * Options of the monitoring objects (scrape TLS, the certificate probe's blackbox exporter); used only when the
   * model has `observability`. @default PlatformObservability's defaults
   */
  readonly observability?: Omit<PlatformObservabilityProps, 'platform' | 'environment'>;
  /**
   * The gate's pod rules as ValidatingAdmissionPolicies in the platform's namespaces (docs/policy.md, "In the
   * cluster: admission policies"). First step: audit and warn; second step, once the audit is clean: `enforce: true`.
   * @default audit and warn (`validationActions: [Audit, Warn]`), nothing refused
   */
  readonly admission?: PlatformAdmissionOptions;
}

/** Every namespace and workload of one environment. */
export class PlatformChart extends Chart {
  public readonly platform: Platform;
  public readonly environment: EnvironmentConfig;
  /** The StorageClasses, by name. */
  public readonly storageClasses: ReadonlyMap<string, EbsStorageClass>;
  /** The namespaces, by name. */
  public readonly namespaces: ReadonlyMap<string, PlatformNamespace>;
  /** The microservices, by `namespace/name`. */
  public readonly microservices: ReadonlyMap<string, Microservice>;
  /** The stateful services, by `namespace/name`. */
  public readonly statefulServices: ReadonlyMap<string, StatefulService>;
  /** Istio routing, zero-trust policies and the public Gateway. */
  public readonly mesh: PlatformMesh;
  /** The add-ons: cluster autoscaler, Istio, Velero, and the metrics adapter when a service needs it. */
  public readonly addons: PlatformAddons;
  /** The ValidatingAdmissionPolicies of the gate's pod rules and their bindings, scoped to the platform's namespaces. */
  /** The admission policies of the platform's namespaces; undefined when the platform has none yet. */
  public readonly admission?: PlatformAdmission;
  /**
   * The data stores: in-cluster PostgreSQL (CloudNativePG) and Redis (redis-ha), managed stores' addresses
   * (docs/data-stores.md). @default none when the model declares no data store
   */
  public readonly dataStores?: KubernetesDataStores;
  /** Velero's locations, Schedules, restore check and alerts. @default none when the Velero add-on is off */
  public readonly backups?: VeleroBackups;
  /** Monitoring, alerts, dashboards and runbooks, when the model has `observability` (docs/operations.md). */
  public readonly observability?: PlatformObservability;
  /**
   * Files written beside the chart's YAML in the environment's folder: the runbooks (`runbooks/<namespace>/<service>.md`,
   * `runbooks/platform.md`, `runbooks/backups.md`) the alerts' `runbook_url` point at. Markdown: Argo CD never applies it.
   */
  public readonly extraFiles: ReadonlyArray<{ readonly path: string; readonly text: string }> = [];

  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const platform = props.platform;
    const env = platform.environment(props.environment);
    const gatewayNamespace = props.mesh?.gateway?.namespace ?? INGRESS_GATEWAY_NAMESPACE;
    // where Prometheus runs: the mesh's setting, else the alerting namespace the monitoring stack installs into
    const alertingNamespace = platform.observability?.alerting.namespace;
    if (props.mesh?.monitoringNamespace !== undefined && alertingNamespace !== undefined && props.mesh.monitoringNamespace !== alertingNamespace) {
      throw new ValidationError(this.node.path, 'mesh.monitoringNamespace', props.mesh.monitoringNamespace, `allowed: the namespace Prometheus runs in, observability.alerting.namespace (${alertingNamespace})`);
    }
    const monitoringNamespace = props.mesh?.monitoringNamespace ?? alertingNamespace ?? DEFAULT_MONITORING_NAMESPACE;
    this.platform = platform;
    this.environment = env;
    const autoscalingMetrics = props.autoscalingMetrics ?? {};
    for (const key of Object.keys(autoscalingMetrics)) {
      const named = platform.services.filter((s) => s.name === key || qualifiedName(s) === key);
      if (named.length === 0) {
        throw new ValidationError(this.node.path, 'autoscalingMetrics', key, `allowed: services of the platform (${platform.services.map(qualifiedName).join(', ')})`);
      }
      if (named.every((s) => kindOf(s) === WorkloadKind.STATEFUL)) {
        const stateless = platform.services.filter((s) => kindOf(s) !== WorkloadKind.STATEFUL);
        throw new ValidationError(this.node.path, 'autoscalingMetrics', key, `allowed: stateless services of the platform (${stateless.map(qualifiedName).join(', ')}); a stateful service does not autoscale`);
      }
    }

    const storageGroup = new Construct(this, 'StorageClasses');
    this.storageClasses = new Map((props.storageClasses ?? [{}]).map((p) => {
      const sc = new EbsStorageClass(storageGroup, p.name ?? p.volumeType ?? 'gp3', p);
      return [sc.name, sc] as const;
    }));
    for (const svc of platform.services.filter((s) => s.storage)) {
      const wanted = svc.storage?.storageClassName ?? 'gp3';
      if (!this.storageClasses.has(wanted)) {
        throw new ValidationError(this.node.path, `services.${svc.name}.storage.storageClassName`, wanted, `allowed: a StorageClass the chart emits (${[...this.storageClasses.keys()].join(', ')}); add it to storageClasses`);
      }
    }

    const namespaces = new Map<string, PlatformNamespace>();
    const nsGroup = new Construct(this, 'Namespaces');
    for (const name of platform.namespaces()) {
      namespaces.set(name, new PlatformNamespace(nsGroup, name, {
        name,
        quota: platform.namespaceQuota(env, name),
        podSecurity: PodSecurityLevel.RESTRICTED,
        podSecurityVersion: `v${env.kubernetesVersion}`,
        minReplicas: replicaFloor(env.kubernetes),
      }));
    }
    this.namespaces = namespaces;
    // a platform without services or stores yet (the infrastructure first) has no namespace to admit pods in
    this.admission = platform.namespaces().length > 0 ? new PlatformAdmission(this, 'Admission', { ...props.admission, namespaces: platform.namespaces() }) : undefined;

    const microservices = new Map<string, Microservice>();
    const stateful = new Map<string, StatefulService>();
    const services = [...platform.services].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
    for (const svc of services) {
      const scope = new Construct(this, `${svc.namespace}.${svc.name}`);
      const bounds = platform.replicaBounds(env, svc);
      const networkPolicy = {
        callers: platform.callersOf(svc),
        callees: platform.calleesOf(svc),
        externalEndpoints: platform.externalEndpointsOf(env, svc),
        dataStores: dataStoreEgressOf(platform, env, svc),
        // one setting each, read by the mesh, the add-ons and the NetworkPolicies alike: moving the gateway or
        // Prometheus moves the rules that admit them
        ingressGateway: { namespace: gatewayNamespace },
        monitoringNamespace,
      };
      const roleArn = platform.serviceRoleArn(env, svc);
      const namespace = namespaces.get(svc.namespace) as PlatformNamespace;
      const { nodeSelector, tolerations } = platform.schedulingOf(env, svc);
      // its own secrets and its data stores' credentials, synced by External Secrets Operator (docs/secrets.md)
      const serviceSecrets = platform.secretsOf(env, svc);
      const readerRoleArn = platform.secretsReaderRoleArn(env, svc);
      const secrets = readerRoleArn !== undefined ? { region: env.region, secrets: serviceSecrets, readerRoleArn } : undefined;
      const workload = kindOf(svc) === WorkloadKind.STATEFUL
        ? new StatefulService(scope, 'Workload', {
          service: svc,
          // the default budget (maxUnavailable 1) lets a drain evict one replica at a time, even a single one
          replicas: platform.statefulReplicas(env, svc),
          roleArn,
          networkPolicy,
          hardening: { namespaceLevel: namespace.podSecurity },
          nodeSelector,
          tolerations,
          secrets,
        })
        : new Microservice(scope, 'Workload', {
          service: svc,
          minReplicas: bounds.min,
          maxReplicas: bounds.max,
          allowSingleReplica: env.kubernetes.allowSingleReplica,
          metrics: autoscalingMetrics[qualifiedName(svc)] ?? autoscalingMetrics[svc.name],
          roleArn,
          networkPolicy,
          hardening: { namespaceLevel: namespace.podSecurity },
          nodeSelector,
          tolerations,
          secrets,
        });
      // the namespace exists before anything is applied into it
      workload.node.addDependency(namespace);
      if (workload instanceof StatefulService) {
        stateful.set(`${svc.namespace}/${svc.name}`, workload);
      } else {
        microservices.set(`${svc.namespace}/${svc.name}`, workload);
      }
    }
    this.microservices = microservices;
    this.statefulServices = stateful;

    this.mesh = new PlatformMesh(this, 'Mesh', { ...props.mesh, gateway: { ...props.mesh?.gateway, namespace: gatewayNamespace }, monitoringNamespace, platform, environment: env.name });

    this.addons = new PlatformAddons(this, 'Addons', {
      ...props.addons,
      platform,
      environment: env,
      // the gateway the add-on installs is the one the mesh's Gateway selects
      gateway: {
        namespace: this.mesh.gateway?.namespace ?? props.mesh?.gateway?.namespace,
        selector: this.mesh.gateway?.selector,
      },
      autoscalingMetrics: [...microservices.values()].flatMap((m) => m.metrics),
    });
    if (platform.dataStores.length > 0) {
      this.dataStores = new KubernetesDataStores(this, 'DataStores', { platform, environment: env, monitoringNamespace, argoCd: props.addons?.argoCd, redisHaChartVersion: this.addons.versions.redisHaChart });
      for (const objects of this.dataStores.stores.values()) {
        this.dataStores.node.addDependency(namespaces.get(objects.store.namespace) as PlatformNamespace);
      }
    }
    // Velero's objects need its CRDs: only with the Velero add-on
    this.backups = this.addons.velero ? new VeleroBackups(this, 'Backups', { platform, environment: env.name }) : undefined;
    if (platform.observability) {
      this.observability = new PlatformObservability(this, 'Observability', {
        // the Probe targets the exporter the add-ons install, wherever its namespace is
        blackboxExporterUrl: this.addons.blackboxExporter?.url,
        ...props.observability,
        platform,
        environment: env.name,
      });
    }
    // the runbooks the alerts link to, written beside the YAML (KubernetesApp writes extraFiles)
    if (this.observability) {
      this.extraFiles = [...this.observability.runbooks, ...(this.backups ? [backupRunbook(platform, env.name)] : [])];
    }
    // the add-ons' Namespaces come before what the chart puts in them (e.g. the mesh's Gateway in istio-ingress)
    const addonNamespaces = new Map(this.addons.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Namespace').map((n) => [n.name, n]));
    const addonObjects = new Set(this.addons.node.findAll());
    for (const obj of this.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
      const ns = obj.metadata.namespace === undefined ? undefined : addonNamespaces.get(obj.metadata.namespace);
      if (ns && !addonObjects.has(obj)) {
        obj.node.addDependency(ns);
      }
    }
  }
}

function kindOf(svc: ServiceDefinition): WorkloadKind {
  return svc.kind ?? WorkloadKind.DEPLOYMENT;
}
