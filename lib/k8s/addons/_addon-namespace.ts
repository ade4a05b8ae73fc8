/**
 * The Namespace of an add-on, with the Pod Security level it needs. Private to lib/k8s/addons.
 *
 * Not a {@link PlatformNamespace}: an add-on's namespace gets no default-deny NetworkPolicy (istiod must be reached by
 * every sidecar and by the API server, Velero must reach S3), no ResourceQuota (the charts size themselves) and no
 * sidecar injection. `enforce` is the level the add-on needs; `audit` and `warn` stay "restricted" so that whatever
 * an add-on does beyond "restricted" shows in every apply (Argo CD's sync output) and in the audit log.
 */
import { KubeNamespace } from 'cdk8s-plus-28/lib/imports/k8s';
import type { Construct } from 'constructs';
import { requireDns1123Label } from '../../model/validation';
import { PodSecurityLevel } from '../hardening';
import { NAMESPACE_NAME_LABEL } from '../network-policies';

/** Options of an add-on's Namespace. */
export interface AddonNamespaceProps {
  readonly name: string;
  /** The level enforced. */
  readonly podSecurity: PodSecurityLevel;
  /** `v1.<minor>` of the cluster, or `latest`. */
  readonly podSecurityVersion: string;
}

/** Emits the Namespace (id `Namespace` under `scope`). */
export function addonNamespace(scope: Construct, id: string, props: AddonNamespaceProps): KubeNamespace {
  requireDns1123Label(scope.node.path, 'namespace', props.name);
  const labels: Record<string, string> = { [NAMESPACE_NAME_LABEL]: props.name };
  const levels: Record<string, PodSecurityLevel> = { enforce: props.podSecurity, audit: PodSecurityLevel.RESTRICTED, warn: PodSecurityLevel.RESTRICTED };
  for (const [mode, level] of Object.entries(levels)) {
    labels[`pod-security.kubernetes.io/${mode}`] = level;
    labels[`pod-security.kubernetes.io/${mode}-version`] = props.podSecurityVersion;
  }
  return new KubeNamespace(scope, id, { metadata: { name: props.name, labels } });
}
