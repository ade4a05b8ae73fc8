/**
 * Pinned versions of the EKS core add-ons per Kubernetes minor version.
 * Check and update with `aws eks describe-addon-versions --kubernetes-version <v> --addon-name <name>`
 * when adding a Kubernetes version (this machine cannot reach AWS to check them).
 */
import { ValidationError } from '../model/validation';

/** The core add-ons every cluster gets. */
export enum CoreAddon {
  VPC_CNI = 'vpc-cni',
  COREDNS = 'coredns',
  KUBE_PROXY = 'kube-proxy',
  EBS_CSI_DRIVER = 'aws-ebs-csi-driver',
  POD_IDENTITY_AGENT = 'eks-pod-identity-agent',
  /**
   * The Kubernetes resource metrics API (`metrics.k8s.io`) that every HorizontalPodAutoscaler on CPU or memory reads;
   * an EKS community add-on. Its builds are not pinned here: AWS's default for the cluster's version (see
   * EKS_DEFAULT_ADDON_VERSION).
   */
  METRICS_SERVER = 'metrics-server',
  /**
   * The CSI snapshot controller and the `snapshot.storage.k8s.io` API, which Velero's CSI snapshots and data mover
   * need. AWS's default build for the cluster's version.
   */
  SNAPSHOT_CONTROLLER = 'snapshot-controller',
}

/** The add-on versions of one Kubernetes version. */
export type AddonVersions = Readonly<Record<CoreAddon, string>>;

/**
 * Marks an add-on version the table does not pin: the cluster takes the add-on version AWS marks as the default for
 * its Kubernetes version, read at plan time (`data "aws_eks_addon_version"` with `most_recent = false`). Used for a
 * Kubernetes version whose add-on builds this machine could not check; pin them once known.
 */
export const EKS_DEFAULT_ADDON_VERSION = 'eks-default';

/** Add-on versions by Kubernetes minor version. */
export const ADDON_VERSIONS: Readonly<Record<string, AddonVersions>> = {
  // 1.35: AWS's default add-on versions for 1.35, resolved at plan time (the builds could not be checked from here)
  '1.35': {
    [CoreAddon.VPC_CNI]: EKS_DEFAULT_ADDON_VERSION,
    [CoreAddon.COREDNS]: EKS_DEFAULT_ADDON_VERSION,
    [CoreAddon.KUBE_PROXY]: EKS_DEFAULT_ADDON_VERSION,
    [CoreAddon.EBS_CSI_DRIVER]: EKS_DEFAULT_ADDON_VERSION,
    [CoreAddon.POD_IDENTITY_AGENT]: EKS_DEFAULT_ADDON_VERSION,
    [CoreAddon.METRICS_SERVER]: EKS_DEFAULT_ADDON_VERSION,
    [CoreAddon.SNAPSHOT_CONTROLLER]: EKS_DEFAULT_ADDON_VERSION,
  },
  '1.32': {
    [CoreAddon.VPC_CNI]: 'v1.19.5-eksbuild.1',
    [CoreAddon.COREDNS]: 'v1.11.4-eksbuild.14',
    [CoreAddon.KUBE_PROXY]: 'v1.32.3-eksbuild.7',
    [CoreAddon.EBS_CSI_DRIVER]: 'v1.44.0-eksbuild.1',
    [CoreAddon.POD_IDENTITY_AGENT]: 'v1.3.7-eksbuild.2',
    [CoreAddon.METRICS_SERVER]: EKS_DEFAULT_ADDON_VERSION,
    [CoreAddon.SNAPSHOT_CONTROLLER]: EKS_DEFAULT_ADDON_VERSION,
  },
  '1.33': {
    [CoreAddon.VPC_CNI]: 'v1.19.6-eksbuild.1',
    [CoreAddon.COREDNS]: 'v1.12.1-eksbuild.2',
    [CoreAddon.KUBE_PROXY]: 'v1.33.0-eksbuild.2',
    [CoreAddon.EBS_CSI_DRIVER]: 'v1.45.0-eksbuild.2',
    [CoreAddon.POD_IDENTITY_AGENT]: 'v1.3.7-eksbuild.2',
    [CoreAddon.METRICS_SERVER]: EKS_DEFAULT_ADDON_VERSION,
    [CoreAddon.SNAPSHOT_CONTROLLER]: EKS_DEFAULT_ADDON_VERSION,
  },
  '1.34': {
    [CoreAddon.VPC_CNI]: 'v1.20.4-eksbuild.1',
    [CoreAddon.COREDNS]: 'v1.12.4-eksbuild.1',
    [CoreAddon.KUBE_PROXY]: 'v1.34.0-eksbuild.4',
    [CoreAddon.EBS_CSI_DRIVER]: 'v1.50.1-eksbuild.1',
    [CoreAddon.POD_IDENTITY_AGENT]: 'v1.3.9-eksbuild.3',
    [CoreAddon.METRICS_SERVER]: EKS_DEFAULT_ADDON_VERSION,
    [CoreAddon.SNAPSHOT_CONTROLLER]: EKS_DEFAULT_ADDON_VERSION,
  },
};

/** The Kubernetes versions the table knows, sorted. */
export const SUPPORTED_KUBERNETES_VERSIONS: readonly string[] = Object.keys(ADDON_VERSIONS).sort();

/** The add-on versions for a Kubernetes version; throws a ValidationError naming the supported ones. */
export function addonVersionsFor(path: string, field: string, kubernetesVersion: string): AddonVersions {
  const versions = ADDON_VERSIONS[kubernetesVersion];
  if (!Object.prototype.hasOwnProperty.call(ADDON_VERSIONS, kubernetesVersion) || versions === undefined) {
    throw new ValidationError(path, field, kubernetesVersion, `allowed: one of ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')} (the versions with pinned add-ons in lib/aws/addon-versions.ts)`);
  }
  return versions;
}
