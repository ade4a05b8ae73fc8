/**
 * A stateless microservice: per version a Deployment with its autoscaler and disruption budget, one Service
 * over every version, a ServiceAccount, configuration files, and (given the call graph) its NetworkPolicy.
 */
import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  KubeConfigMap,
  KubeHorizontalPodAutoscalerV2,
  KubePodDisruptionBudget,
  KubeService,
  KubeServiceAccount,
  IntOrString,
  Quantity,
  type MetricSpecV2,
} from 'cdk8s-plus-28/lib/imports/k8s';
import { LABEL_MANAGED_BY, LABEL_PART_OF, podLabels, serviceSelector, versionSelector } from '../model/names';
import type { ServiceDefinition, TolerationSpec, WritablePathSpec } from '../model/service';
import type { ResolvedSecret } from '../model/secrets';
import { replicaFloor } from '../model/rules';
import { ValidationError } from '../model/validation';
import {
  DrainingDeployment,
  WorkloadPod,
  servicePorts,
  topologySpread,
  validateName,
  type WorkloadProbes,
} from './_workload';
import { DisruptionBudget } from './disruption-budget';
import type { Hardening, ResolvedResources } from './hardening';
import { ServiceNetworkPolicy } from './network-policies';
import type { ServiceSecretSync } from './secrets/service-secret-sync';
import type { ResolvedSidecarResources } from './sidecar';
import type { WorkloadProps } from './workload-props';
import { sumDemands, type IQuotaConsumer, type QuotaDemand } from './quota';

/** A metric the autoscaler scales on besides CPU. Build one with the static factories. */
export class AutoscalingMetric {
  /**
   * A per-pod metric from the custom metrics API (e.g. `http_requests_per_second` from the Prometheus adapter):
   * the autoscaler keeps its average across pods at `averageValue`.
   */
  public static podsAverage(metricName: string, averageValue: string): AutoscalingMetric {
    return new AutoscalingMetric({ type: 'Pods', pods: { metric: { name: metricName }, target: { type: 'AverageValue', averageValue: Quantity.fromString(averageValue) } } });
  }

  /**
   * A metric from outside the cluster (external metrics API, e.g. a queue's depth):
   * the autoscaler keeps its value per pod at `averageValue`.
   */
  public static externalAverage(metricName: string, averageValue: string, selector: Readonly<Record<string, string>> = {}): AutoscalingMetric {
    const metric = Object.keys(selector).length > 0 ? { name: metricName, selector: { matchLabels: { ...selector } } } : { name: metricName };
    return new AutoscalingMetric({ type: 'External', external: { metric, target: { type: 'AverageValue', averageValue: Quantity.fromString(averageValue) } } });
  }

  private constructor(
    /** The autoscaling/v2 metric spec. */
    public readonly spec: MetricSpecV2,
  ) {}
}

/** Options for a {@link Microservice}. */
export interface MicroserviceProps extends WorkloadProps {
  /** The service, as declared in the model: name, namespace, versions (images), ports, resources, probes, configuration. */
  readonly service: ServiceDefinition;
  /** Fewest replicas of each version (its autoscaler minimum). @default 2 */
  readonly minReplicas?: number;
  /** Most replicas of each version (its autoscaler maximum). @default 10 */
  readonly maxReplicas?: number;
  /** Allows minReplicas 1 (dev). @default false: at least 2, so a drain or a lost zone never takes the service down */
  readonly allowSingleReplica?: boolean;
  /** Target average CPU utilisation of the requests, in percent. @default 70 */
  readonly targetCpuUtilizationPercent?: number;
  /** Further autoscaling metrics (requests per second, queue depth). @default CPU only */
  readonly metrics?: readonly AutoscalingMetric[];
  /** Mounts the service account token into the pods (only for services that talk to the Kubernetes API). @default false */
  readonly automountServiceAccountToken?: boolean;
  /** Extra pods a rollout may start (maxUnavailable is always 0). @default 1 */
  readonly maxSurge?: number;
  /** The preStop pause that lets endpoints drain before the process gets SIGTERM. @default 10 */
  readonly preStopSleepSeconds?: number;
  /** Time from the start of termination to SIGKILL; must exceed the preStop pause. @default 45 */
  readonly terminationGracePeriodSeconds?: number;
}

/** The objects of one version of a microservice. */
export interface MicroserviceVersion {
  readonly name: string;
  /** The Deployment (a {@link DrainingDeployment}: an ApiObject, so that patches of fields Kubernetes 1.28 lacked survive). */
  readonly deployment: ApiObject;
  readonly autoscaler: KubeHorizontalPodAutoscalerV2;
  readonly disruptionBudget: KubePodDisruptionBudget;
}

/** A stateless, autoscaled, hardened microservice. */
export class Microservice extends Construct implements IQuotaConsumer {
  public readonly service: ServiceDefinition;
  public readonly namespace: string;
  public readonly minReplicas: number;
  public readonly maxReplicas: number;
  public readonly targetCpuUtilizationPercent: number;
  public readonly metrics: readonly AutoscalingMetric[];
  public readonly roleArn?: string;
  public readonly automountServiceAccountToken: boolean;
  public readonly disruptionBudget: DisruptionBudget;
  public readonly maxSurge: number;
  public readonly preStopSleepSeconds: number;
  public readonly terminationGracePeriodSeconds: number;
  public readonly hardening: Hardening;
  public readonly resources: ResolvedResources;
  /** The injected proxy's resources, or undefined without injection. */
  public readonly sidecar?: ResolvedSidecarResources;
  public readonly probes: WorkloadProbes;
  /** The metrics exporter's resources, or undefined without a `metricsExporter`. */
  public readonly metricsExporterResources?: ResolvedResources;
  public readonly configFiles: Readonly<Record<string, string>>;
  /** The secrets the pods read (own and data stores'). */
  public readonly secrets: readonly ResolvedSecret[];
  /** The paths the image writes, each an emptyDir of its size. */
  public readonly writablePaths: readonly WritablePathSpec[];
  /** Node labels the pods require ({} for any node). */
  public readonly nodeSelector: Readonly<Record<string, string>>;
  /** Node taints the pods tolerate. */
  public readonly tolerations: readonly TolerationSpec[];
  /** The Service over every version (the primary object, id `Resource`). */
  public readonly resource: KubeService;
  public readonly serviceAccount: KubeServiceAccount;
  public readonly configMap?: KubeConfigMap;
  /** The secrets reader ServiceAccount, SecretStore and ExternalSecrets, when the service reads secrets. */
  public readonly secretSync?: ServiceSecretSync;
  public readonly versions: readonly MicroserviceVersion[];
  public readonly networkPolicy?: ServiceNetworkPolicy;

  private readonly pod: WorkloadPod;

  constructor(scope: Construct, id: string, props: MicroserviceProps) {
    super(scope, id);
    const path = this.node.path;
    // one validation and one pod template with StatefulService
    const pod = new WorkloadPod(path, props.service, props);
    this.pod = pod;
    const svc = pod.service;
    this.service = svc;
    this.namespace = svc.namespace;
    for (const v of svc.versions) {
      validateName(path, `service.versions.${v.name}`, `${svc.name}-${v.name}`); // the Deployment's name
    }

    this.minReplicas = props.minReplicas ?? 2;
    this.maxReplicas = props.maxReplicas ?? 10;
    const floor = replicaFloor(props);
    if (!Number.isInteger(this.minReplicas) || this.minReplicas < floor) {
      throw new ValidationError(path, 'minReplicas', this.minReplicas, floor === 1 ? 'allowed: 1 or more' : 'allowed: 2 or more (set allowSingleReplica where one replica is enough)');
    }
    if (!Number.isInteger(this.maxReplicas) || this.maxReplicas < this.minReplicas) {
      throw new ValidationError(path, 'maxReplicas', this.maxReplicas, `allowed: a whole number of at least minReplicas (${this.minReplicas})`);
    }
    this.targetCpuUtilizationPercent = props.targetCpuUtilizationPercent ?? 70;
    if (!Number.isInteger(this.targetCpuUtilizationPercent) || this.targetCpuUtilizationPercent < 1 || this.targetCpuUtilizationPercent > 100) {
      throw new ValidationError(path, 'targetCpuUtilizationPercent', this.targetCpuUtilizationPercent, 'allowed: a whole number from 1 to 100');
    }
    this.metrics = props.metrics ?? [];
    this.roleArn = pod.roleArn;
    this.automountServiceAccountToken = props.automountServiceAccountToken ?? false;
    this.disruptionBudget = props.disruptionBudget ?? DisruptionBudget.maxUnavailable(1);
    this.disruptionBudget.validate(path, this.minReplicas);
    this.maxSurge = props.maxSurge ?? 1;
    if (!Number.isInteger(this.maxSurge) || this.maxSurge < 1) {
      throw new ValidationError(path, 'maxSurge', this.maxSurge, 'allowed: 1 or more (maxUnavailable is 0, so a rollout needs room to surge)');
    }
    this.preStopSleepSeconds = props.preStopSleepSeconds ?? 10;
    this.terminationGracePeriodSeconds = props.terminationGracePeriodSeconds ?? 45;
    if (!Number.isInteger(this.preStopSleepSeconds) || this.preStopSleepSeconds < 1) {
      throw new ValidationError(path, 'preStopSleepSeconds', this.preStopSleepSeconds, 'allowed: a whole number of seconds, 1 or more');
    }
    if (!Number.isInteger(this.terminationGracePeriodSeconds) || this.terminationGracePeriodSeconds <= this.preStopSleepSeconds) {
      throw new ValidationError(path, 'terminationGracePeriodSeconds', this.terminationGracePeriodSeconds, `allowed: more than preStopSleepSeconds (${this.preStopSleepSeconds}), leaving the process time to shut down`);
    }
    this.hardening = pod.hardening;
    this.resources = pod.resources;
    this.sidecar = pod.sidecar;
    this.probes = pod.probes;
    this.metricsExporterResources = pod.metricsExporterResources;
    this.configFiles = pod.configFiles;
    this.secrets = pod.secrets;
    this.writablePaths = pod.writablePaths;
    this.nodeSelector = pod.nodeSelector;
    this.tolerations = pod.tolerations;

    const ns = svc.namespace;
    this.serviceAccount = pod.serviceAccount(this, this.commonLabels(), this.automountServiceAccountToken);
    this.resource = new KubeService(this, 'Resource', {
      metadata: { name: svc.name, namespace: ns, labels: this.commonLabels() },
      spec: { type: 'ClusterIP', selector: serviceSelector(svc), ports: servicePorts(svc.ports) },
    });
    this.configMap = pod.configMap(this, this.commonLabels());
    this.secretSync = pod.secretSync(this, this.commonLabels());

    this.versions = svc.versions.map((v) => {
      const group = new Construct(this, v.name);
      const name = `${svc.name}-${v.name}`;
      const selector = versionSelector(svc, v.name);
      const labels = podLabels(svc, v);
      const deployment = new DrainingDeployment(group, 'Deployment', {
        metadata: { name, namespace: ns, labels },
        spec: {
          // replicas left unset: the autoscaler owns them
          selector: { matchLabels: selector },
          revisionHistoryLimit: 5,
          progressDeadlineSeconds: 600,
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: IntOrString.fromNumber(0), maxSurge: IntOrString.fromNumber(this.maxSurge) } },
          template: {
            metadata: { labels, annotations: pod.podAnnotations() },
            spec: pod.podSpec({
              image: v.image,
              automountServiceAccountToken: this.automountServiceAccountToken,
              terminationGracePeriodSeconds: this.terminationGracePeriodSeconds,
              topologySpreadConstraints: topologySpread(selector),
            }),
          },
        },
      }, this.preStopSleepSeconds);
      const metrics: MetricSpecV2[] = [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: this.targetCpuUtilizationPercent } } },
        ...this.metrics.map((m) => m.spec),
      ];
      const autoscaler = new KubeHorizontalPodAutoscalerV2(group, 'Autoscaler', {
        metadata: { name, namespace: ns, labels },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
          minReplicas: this.minReplicas,
          maxReplicas: this.maxReplicas,
          metrics,
          behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] } },
        },
      });
      const disruptionBudget = new KubePodDisruptionBudget(group, 'DisruptionBudget', {
        metadata: { name, namespace: ns, labels },
        spec: this.disruptionBudget.toSpec(selector),
      });
      return { name: v.name, deployment, autoscaler, disruptionBudget };
    });

    if (props.networkPolicy) {
      this.networkPolicy = new ServiceNetworkPolicy(this, 'NetworkPolicy', { ...props.networkPolicy, service: svc });
    }
  }

  /** What the service needs of its namespace's quota with every version at its autoscaler maximum. */
  public get quotaDemand(): QuotaDemand {
    return sumDemands(this.service.versions.map(() => this.pod.quotaDemand(this.maxReplicas)));
  }

  private commonLabels(): Record<string, string> {
    const first = podLabels(this.service, this.service.versions[0]);
    return { ...serviceSelector(this.service), [LABEL_PART_OF]: first[LABEL_PART_OF], [LABEL_MANAGED_BY]: first[LABEL_MANAGED_BY] };
  }
}
