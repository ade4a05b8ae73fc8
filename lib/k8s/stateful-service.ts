/**
 * A stateful service (Redis is the reference): a StatefulSet with a persistent volume per replica on a named
 * storage class, a headless Service for stable pod names, a client Service, a disruption budget, zone spread,
 * the same hardening as every workload, and its NetworkPolicy from the call graph.
 */
import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  KubeConfigMap,
  KubePodDisruptionBudget,
  KubeService,
  KubeServiceAccount,
  Quantity,
} from 'cdk8s-plus-28/lib/imports/k8s';
import { LABEL_MANAGED_BY, LABEL_PART_OF, podLabels, serviceSelector, versionSelector } from '../model/names';
import type { ResolvedSecret } from '../model/secrets';
import type { ServiceDefinition, StorageSpec, TolerationSpec, WritablePathSpec } from '../model/service';
import { ValidationError } from '../model/validation';
import { DrainingStatefulSet, WorkloadPod, servicePorts, topologySpread, validateName, type WorkloadProbes } from './_workload';
import { DisruptionBudget } from './disruption-budget';
import type { Hardening, ResolvedResources } from './hardening';
import { ServiceNetworkPolicy } from './network-policies';
import type { ServiceSecretSync } from './secrets/service-secret-sync';
import type { ResolvedSidecarResources } from './sidecar';
import type { WorkloadProps } from './workload-props';
import type { IQuotaConsumer, QuotaDemand } from './quota';

/** Options for a {@link StatefulService}. */
export interface StatefulServiceProps extends WorkloadProps {
  /** The service as declared in the model; exactly one version, and `storage` set. */
  readonly service: ServiceDefinition;
  /**
   * Replicas (each with its own volume); from `platform.statefulReplicas(env, service)`. Replication between them
   * is the image's configuration. @default 1
   */
  readonly replicas?: number;
  /** Container arguments. @default the image's own command */
  readonly args?: readonly string[];
  /** The preStop pause. @default 5 */
  readonly preStopSleepSeconds?: number;
  /** Time from the start of termination to SIGKILL (room to persist data). @default 60 */
  readonly terminationGracePeriodSeconds?: number;
}

/** A hardened StatefulSet with persistent volumes. */
export class StatefulService extends Construct implements IQuotaConsumer {
  public readonly service: ServiceDefinition;
  public readonly namespace: string;
  public readonly replicas: number;
  public readonly storage: Required<StorageSpec>;
  public readonly resources: ResolvedResources;
  /** The injected proxy's resources, or undefined without injection. */
  public readonly sidecar?: ResolvedSidecarResources;
  public readonly probes: WorkloadProbes;
  /** The metrics exporter's resources, or undefined without a `metricsExporter`. */
  public readonly metricsExporterResources?: ResolvedResources;
  public readonly hardening: Hardening;
  public readonly disruptionBudget: DisruptionBudget;
  public readonly preStopSleepSeconds: number;
  public readonly terminationGracePeriodSeconds: number;
  /** The IRSA role of the ServiceAccount. */
  public readonly roleArn?: string;
  /** Configuration files, mounted read-only at `/etc/<service>`. */
  public readonly configFiles: Readonly<Record<string, string>>;
  /** The secrets the pods read (own and data stores'). */
  public readonly secrets: readonly ResolvedSecret[];
  /** The paths the image writes, each an emptyDir of its size. */
  public readonly writablePaths: readonly WritablePathSpec[];
  /** Node labels the pods require ({} for any node). */
  public readonly nodeSelector: Readonly<Record<string, string>>;
  /** Node taints the pods tolerate. */
  public readonly tolerations: readonly TolerationSpec[];
  /** The StatefulSet (id `Resource`; an ApiObject, so that patches of fields Kubernetes 1.28 lacked survive). */
  public readonly resource: ApiObject;
  /** The ServiceAccount the pods run as (and External Secrets Operator reads the secrets as). */
  public readonly serviceAccount: KubeServiceAccount;
  public readonly clientService: KubeService;
  public readonly headlessService: KubeService;
  /** The ConfigMap of the configuration files, when there are any. */
  public readonly configMap?: KubeConfigMap;
  /** The secrets reader ServiceAccount, SecretStore and ExternalSecrets, when the service reads secrets. */
  public readonly secretSync?: ServiceSecretSync;
  public readonly podDisruptionBudget: KubePodDisruptionBudget;
  public readonly networkPolicy?: ServiceNetworkPolicy;

  private readonly pod: WorkloadPod;

  constructor(scope: Construct, id: string, props: StatefulServiceProps) {
    super(scope, id);
    const path = this.node.path;
    // one validation and one pod template with Microservice
    const pod = new WorkloadPod(path, props.service, props);
    this.pod = pod;
    const svc = pod.service;
    this.service = svc;
    this.namespace = svc.namespace;
    validateName(path, 'headless service name', `${svc.name}-headless`);
    if (svc.versions.length !== 1) {
      throw new ValidationError(path, 'service.versions', svc.versions.map((v) => v.name), 'allowed: exactly one version for a stateful service');
    }
    const version = svc.versions[0];
    if (!svc.storage) {
      throw new ValidationError(path, 'service.storage', undefined, 'allowed: a StorageSpec (size, mount path, storage class)');
    }
    this.storage = { sizeGiB: svc.storage.sizeGiB, mountPath: svc.storage.mountPath, storageClassName: svc.storage.storageClassName ?? 'gp3' };
    if (!Number.isInteger(this.storage.sizeGiB) || this.storage.sizeGiB < 1) {
      throw new ValidationError(path, 'service.storage.sizeGiB', this.storage.sizeGiB, 'allowed: a whole number of GiB, 1 or more');
    }
    if (!this.storage.mountPath.startsWith('/') || this.storage.mountPath === '/' || this.storage.mountPath === '/tmp') {
      throw new ValidationError(path, 'service.storage.mountPath', this.storage.mountPath, 'allowed: an absolute path other than / and /tmp');
    }
    validateName(path, 'service.storage.storageClassName', this.storage.storageClassName);
    this.replicas = props.replicas ?? 1;
    if (!Number.isInteger(this.replicas) || this.replicas < 1) {
      throw new ValidationError(path, 'replicas', this.replicas, 'allowed: a whole number, 1 or more');
    }
    this.disruptionBudget = props.disruptionBudget ?? DisruptionBudget.maxUnavailable(1);
    this.disruptionBudget.validate(path, this.replicas);
    this.preStopSleepSeconds = props.preStopSleepSeconds ?? 5;
    this.terminationGracePeriodSeconds = props.terminationGracePeriodSeconds ?? 60;
    if (!Number.isInteger(this.preStopSleepSeconds) || this.preStopSleepSeconds < 1) {
      throw new ValidationError(path, 'preStopSleepSeconds', this.preStopSleepSeconds, 'allowed: a whole number of seconds, 1 or more');
    }
    if (!Number.isInteger(this.terminationGracePeriodSeconds) || this.terminationGracePeriodSeconds <= this.preStopSleepSeconds) {
      throw new ValidationError(path, 'terminationGracePeriodSeconds', this.terminationGracePeriodSeconds, `allowed: more than preStopSleepSeconds (${this.preStopSleepSeconds})`);
    }
    this.roleArn = pod.roleArn;
    this.nodeSelector = pod.nodeSelector;
    this.tolerations = pod.tolerations;
    this.hardening = pod.hardening;
    this.resources = pod.resources;
    this.sidecar = pod.sidecar;
    this.probes = pod.probes;
    this.metricsExporterResources = pod.metricsExporterResources;
    this.configFiles = pod.configFiles;
    this.secrets = pod.secrets;
    this.writablePaths = pod.writablePaths;

    const ns = svc.namespace;
    const labels = podLabels(svc, version);
    const selector = versionSelector(svc, version.name);
    const common = { ...serviceSelector(svc), [LABEL_PART_OF]: svc.partOf, [LABEL_MANAGED_BY]: labels[LABEL_MANAGED_BY] };
    this.serviceAccount = pod.serviceAccount(this, common, false);
    this.clientService = new KubeService(this, 'Service', {
      metadata: { name: svc.name, namespace: ns, labels: common },
      spec: { type: 'ClusterIP', selector: serviceSelector(svc), ports: servicePorts(svc.ports) },
    });
    const headlessName = `${svc.name}-headless`;
    this.headlessService = new KubeService(this, 'Headless', {
      metadata: { name: headlessName, namespace: ns, labels: common },
      spec: { clusterIp: 'None', publishNotReadyAddresses: true, selector: serviceSelector(svc), ports: servicePorts(svc.ports) },
    });
    this.configMap = pod.configMap(this, common);
    this.secretSync = pod.secretSync(this, common);

    const podSpec = pod.podSpec({
      image: version.image,
      args: props.args,
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: this.terminationGracePeriodSeconds,
      topologySpreadConstraints: topologySpread(selector, { rollingHash: false }),
    });
    // the persistent volume beside the pod's own mounts
    const [main, ...others] = podSpec.containers;
    const containers = [{ ...main, volumeMounts: [...(main.volumeMounts ?? []), { name: 'data', mountPath: this.storage.mountPath }] }, ...others];
    this.resource = new DrainingStatefulSet(this, 'Resource', {
      metadata: { name: svc.name, namespace: ns, labels },
      spec: {
        serviceName: headlessName,
        replicas: this.replicas,
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels, annotations: pod.podAnnotations() },
          spec: { ...podSpec, containers },
        },
        volumeClaimTemplates: [{
          metadata: { name: 'data', labels: common },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: this.storage.storageClassName,
            resources: { requests: { storage: Quantity.fromString(`${this.storage.sizeGiB}Gi`) } },
          },
        }],
      },
    }, this.preStopSleepSeconds);
    this.podDisruptionBudget = new KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: { name: svc.name, namespace: ns, labels },
      spec: this.disruptionBudget.toSpec(selector),
    });
    if (props.networkPolicy) {
      this.networkPolicy = new ServiceNetworkPolicy(this, 'NetworkPolicy', { ...props.networkPolicy, service: svc });
    }
  }

  /** Its demand on the namespace quota: every replica with its volume. */
  public get quotaDemand(): QuotaDemand {
    return this.pod.quotaDemand(this.replicas, 1);
  }
}
