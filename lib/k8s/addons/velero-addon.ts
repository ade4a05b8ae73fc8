/**
 * Velero (chart `velero` of https://vmware-tanzu.github.io/helm-charts) as an Argo CD Application, writing to the
 * environment's backup bucket and snapshotting EBS volumes through the AWS plugin, as the IRSA role `VeleroRole`
 * (lib/aws) creates. Bucket name and role ARN are derived from the model, as lib/aws derives them.
 */
import type { KubeNamespace } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../model/environment';
import { ROLE_ARN_ANNOTATION } from '../../model/names';
import { ValidationError } from '../../model/validation';
import { PodSecurityLevel } from '../hardening';
import { addonNamespace } from './_addon-namespace';
import { backupBucketNameOf, irsaRoleArn, VELERO_SERVICE_ACCOUNT } from './_aws-names';
import { HelmApplication, type ResolvedArgoCdOptions } from './argo-cd-application';
import { ADDON_HELM_REPOSITORIES, DEFAULT_ADDON_CHART_VERSIONS, EXACT_VERSION } from './versions';

/** Options for a {@link VeleroAddon}. */
export interface VeleroAddonProps {
  /** The platform's name. */
  readonly platformName: string;
  /** The environment (account, region, Kubernetes version). */
  readonly environment: EnvironmentConfig;
  /** Where the Application lives and deploys to. */
  readonly argoCd: ResolvedArgoCdOptions;
  /** The chart version. @default DEFAULT_ADDON_CHART_VERSIONS.veleroChart */
  readonly chartVersion?: string;
  /** The `velero/velero-plugin-for-aws` tag. @default DEFAULT_ADDON_CHART_VERSIONS.veleroAwsPlugin */
  readonly awsPluginVersion?: string;
}

/** The container hardening Velero's containers get (the chart sets none). */
const CONTAINER_SECURITY_CONTEXT = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

/**
 * The Pod Security level Velero's namespace enforces: "privileged", a named weakening. Velero's node agent (a DaemonSet,
 * the data mover that copies CSI snapshot data into the bucket, so that the bucket's replica region holds the volumes
 * too) mounts the kubelet's pod directory from the host (`hostPath` /var/lib/kubelet/pods), which "baseline" forbids.
 * Audit and warn stay "restricted", so every apply shows it. Nothing else of the platform runs in this namespace but
 * Velero and the hardened restore check.
 */
export const VELERO_NAMESPACE_POD_SECURITY = PodSecurityLevel.PRIVILEGED;

/**
 * Velero in namespace `velero`, service account `velero` (what its IAM role trusts), with the node agent and CSI
 * snapshots (`EnableCSI`) for the data mover, and the AWS plugin for native EBS snapshots. The storage and snapshot
 * locations are typed objects of lib/k8s/backups (`VeleroBackups`), not chart values. The namespace enforces
 * {@link VELERO_NAMESPACE_POD_SECURITY} and warns about "restricted".
 */
export class VeleroAddon extends Construct {
  /** The bucket backups are written to. */
  public readonly bucketName: string;
  /** The IRSA role ARN on Velero's service account. */
  public readonly roleArn: string;
  /** The region of the bucket and the snapshots. */
  public readonly region: string;
  /** The plugin image. */
  public readonly awsPluginImage: string;
  /** The namespace. */
  public readonly namespace: KubeNamespace;
  /** The Pod Security level the namespace enforces (the node agent's host path needs "privileged"). */
  public readonly podSecurity: PodSecurityLevel;
  /** The Application (id `Resource`). */
  public readonly application: HelmApplication;

  constructor(scope: Construct, id: string, props: VeleroAddonProps) {
    super(scope, id);
    const env = props.environment;
    const pluginVersion = props.awsPluginVersion ?? DEFAULT_ADDON_CHART_VERSIONS.veleroAwsPlugin;
    if (!EXACT_VERSION.test(pluginVersion)) {
      throw new ValidationError(this.node.path, 'awsPluginVersion', pluginVersion, 'allowed: an exact image tag such as v1.14.2');
    }
    this.bucketName = backupBucketNameOf(props.platformName, env);
    this.roleArn = irsaRoleArn(props.platformName, env, VELERO_SERVICE_ACCOUNT);
    this.region = env.region;
    this.awsPluginImage = `velero/velero-plugin-for-aws:${pluginVersion}`;
    this.podSecurity = VELERO_NAMESPACE_POD_SECURITY;
    this.namespace = addonNamespace(this, 'Namespace', { name: VELERO_SERVICE_ACCOUNT.namespace, podSecurity: this.podSecurity, podSecurityVersion: `v${env.kubernetesVersion}` });
    this.application = new HelmApplication(this, 'Resource', {
      name: 'velero',
      chart: { repoURL: ADDON_HELM_REPOSITORIES.velero, chart: 'velero', version: props.chartVersion ?? DEFAULT_ADDON_CHART_VERSIONS.veleroChart },
      destinationNamespace: VELERO_SERVICE_ACCOUNT.namespace,
      argoCd: props.argoCd,
      partOf: props.platformName,
      values: {
        // Argo CD applies the chart's CRDs itself on every sync; the chart's kubectl upgrade job is not needed
        upgradeCRDs: false,
        initContainers: [{
          name: 'velero-plugin-for-aws',
          image: this.awsPluginImage,
          imagePullPolicy: 'IfNotPresent',
          volumeMounts: [{ mountPath: '/target', name: 'plugins' }],
          securityContext: { ...CONTAINER_SECURITY_CONTEXT },
        }],
        configuration: {
          // the locations are typed objects of lib/k8s/backups (VeleroBackups), validated against Velero's CRDs
          backupStorageLocation: [],
          volumeSnapshotLocation: [],
          // CSI snapshots, whose data the node agent's data mover copies into the bucket (snapshotMoveData)
          features: 'EnableCSI',
        },
        // IRSA, no static keys
        credentials: { useSecret: false },
        serviceAccount: { server: { create: true, name: VELERO_SERVICE_ACCOUNT.name, annotations: { [ROLE_ARN_ANNOTATION]: this.roleArn } } },
        snapshotsEnabled: true,
        // the data mover; needs VELERO_NAMESPACE_POD_SECURITY
        deployNodeAgent: true,
        podSecurityContext: { seccompProfile: { type: 'RuntimeDefault' } },
        containerSecurityContext: { ...CONTAINER_SECURITY_CONTEXT },
      },
    });
    this.application.node.addDependency(this.namespace);
  }
}
