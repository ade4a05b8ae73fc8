/**
 * The cluster autoscaler (chart `cluster-autoscaler` of https://kubernetes.github.io/autoscaler) as an Argo CD
 * Application: it discovers the environment's node groups by the tags EKS puts on their Auto Scaling groups, and
 * calls AWS as the IRSA role `ClusterAutoscalerRole` (lib/aws) creates, whose ARN is derived from the model.
 */
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../model/environment';
import { clusterName, ROLE_ARN_ANNOTATION } from '../../model/names';
import { ValidationError } from '../../model/validation';
import { CLUSTER_AUTOSCALER_SERVICE_ACCOUNT, irsaRoleArn } from './_aws-names';
import { HelmApplication, type ResolvedArgoCdOptions } from './argo-cd-application';
import { ADDON_HELM_REPOSITORIES, CLUSTER_AUTOSCALER_IMAGE_TAGS, DEFAULT_ADDON_CHART_VERSIONS } from './versions';

/** Options for a {@link ClusterAutoscalerAddon}. */
export interface ClusterAutoscalerAddonProps {
  /** The platform's name. */
  readonly platformName: string;
  /** The environment (cluster name, region, account, Kubernetes version). */
  readonly environment: EnvironmentConfig;
  /** Where the Application lives and deploys to. */
  readonly argoCd: ResolvedArgoCdOptions;
  /** The chart version. @default DEFAULT_ADDON_CHART_VERSIONS.clusterAutoscalerChart */
  readonly chartVersion?: string;
  /**
   * The autoscaler's image tag. @default the release for the environment's Kubernetes minor
   * (`CLUSTER_AUTOSCALER_IMAGE_TAGS`); a minor without one fails
   */
  readonly imageTag?: string;
}

/** The autoscaler's flags: spread over similar groups (one per zone), scale nodes with emptyDir, waste least. */
export const CLUSTER_AUTOSCALER_EXTRA_ARGS: Readonly<Record<string, string | boolean>> = {
  'balance-similar-node-groups': true,
  'skip-nodes-with-local-storage': false,
  expander: 'least-waste',
};

/**
 * The cluster autoscaler in `kube-system` (the namespace its IAM role trusts), service account `cluster-autoscaler`.
 * No Namespace is emitted: `kube-system` exists on every cluster and is not the platform's to label.
 */
export class ClusterAutoscalerAddon extends Construct {
  /** The EKS cluster whose node groups it scales. */
  public readonly clusterName: string;
  /** The IRSA role ARN on its service account. */
  public readonly roleArn: string;
  /** The namespace it runs in. */
  public readonly namespace: string;
  /** The image tag. */
  public readonly imageTag: string;
  /** The Application (id `Resource`). */
  public readonly application: HelmApplication;

  constructor(scope: Construct, id: string, props: ClusterAutoscalerAddonProps) {
    super(scope, id);
    const env = props.environment;
    this.clusterName = clusterName(props.platformName, env.name);
    this.roleArn = irsaRoleArn(props.platformName, env, CLUSTER_AUTOSCALER_SERVICE_ACCOUNT);
    this.namespace = CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.namespace;
    const tag = props.imageTag ?? CLUSTER_AUTOSCALER_IMAGE_TAGS[env.kubernetesVersion];
    if (tag === undefined) {
      throw new ValidationError(this.node.path, 'imageTag', env.kubernetesVersion, `allowed: a Kubernetes minor with a pinned cluster-autoscaler release (${Object.keys(CLUSTER_AUTOSCALER_IMAGE_TAGS).join(', ')}), or an explicit imageTag; the autoscaler supports only the minor it was built for`);
    }
    this.imageTag = tag;
    this.application = new HelmApplication(this, 'Resource', {
      name: 'cluster-autoscaler',
      chart: { repoURL: ADDON_HELM_REPOSITORIES.clusterAutoscaler, chart: 'cluster-autoscaler', version: props.chartVersion ?? DEFAULT_ADDON_CHART_VERSIONS.clusterAutoscalerChart },
      destinationNamespace: this.namespace,
      argoCd: props.argoCd,
      partOf: props.platformName,
      values: {
        fullnameOverride: 'cluster-autoscaler',
        cloudProvider: 'aws',
        awsRegion: env.region,
        autoDiscovery: { clusterName: this.clusterName },
        image: { tag: this.imageTag },
        rbac: {
          serviceAccount: {
            create: true,
            name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.name,
            annotations: { [ROLE_ARN_ANNOTATION]: this.roleArn },
          },
        },
        extraArgs: { ...CLUSTER_AUTOSCALER_EXTRA_ARGS },
      },
    });
  }
}
