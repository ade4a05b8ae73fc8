/**
 * Argo CD sync waves of the platform's objects, in one place. Argo CD applies a folder wave by wave (lowest first)
 * and, within a wave, by kind (Namespaces, then ServiceAccounts, ..., then custom resources). The waves make what
 * the kind order cannot: the add-ons' Applications, which install the CRDs (Istio, prometheus-operator, Velero,
 * External Secrets, CloudNativePG) and their controllers, come before every object that uses them, and the
 * guardrails (quotas, default-deny NetworkPolicies) before the first pod.
 *
 * Waves wait for the previous wave's objects to be healthy; an Application is healthy only when its children are,
 * which Argo CD assesses only with the `argoproj.io/Application` health check configured (a prerequisite, see
 * docs/gitops.md).
 */
/** The annotation Argo CD reads the wave from. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** The waves, lowest first. The add-ons' Applications sit between GUARDRAILS and WORKLOADS (waves -1 to 1). */
export const SyncWave = {
  /** Namespaces and cluster-wide definitions everything else is created in or checked against. */
  NAMESPACES: -10,
  /** What must exist before the first pod of a namespace: quotas and limit ranges (applied at admission), NetworkPolicies. */
  GUARDRAILS: -5,
  /** Everything else: workloads, Services, the mesh's, monitoring's, backups' and secrets' custom resources. */
  WORKLOADS: 5,
} as const;

const NAMESPACE_KINDS = new Set(['Namespace', 'CustomResourceDefinition', 'StorageClass', 'PriorityClass', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
const GUARDRAIL_KINDS = new Set(['ResourceQuota', 'LimitRange', 'NetworkPolicy']);

/**
 * The wave of an object by its kind: undefined for Argo CD Applications, which keep the wave their add-on gave
 * them (-1 to 1, or none: wave 0).
 */
export function syncWaveOf(apiVersion: string, kind: string): number | undefined {
  if (kind === 'Application' && apiVersion.startsWith('argoproj.io/')) {
    return undefined;
  }
  if (NAMESPACE_KINDS.has(kind)) {
    return SyncWave.NAMESPACES;
  }
  return GUARDRAIL_KINDS.has(kind) ? SyncWave.GUARDRAILS : SyncWave.WORKLOADS;
}

/** An object as the chart writes it (ApiObject.toJson()). */
export interface ManifestWithMetadata {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly annotations?: Readonly<Record<string, string>> } & Readonly<Record<string, unknown>>;
}

/**
 * The object with its wave ({@link syncWaveOf}) when it says none; the object itself otherwise. Applied to every
 * object of the platform's chart as it is written (KubernetesApp.synth), after `extendChart`, so that a user's own
 * objects get a wave too; an object that already says its wave keeps it (an escape hatch:
 * `obj.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, '7')`). Keys stay sorted, as cdk8s writes them.
 */
export function withSyncWave<T extends ManifestWithMetadata>(object: T): T {
  const wave = syncWaveOf(object.apiVersion, object.kind);
  const annotations = object.metadata?.annotations ?? {};
  if (wave === undefined || annotations[SYNC_WAVE_ANNOTATION] !== undefined) {
    return object;
  }
  const sorted = <V>(record: Readonly<Record<string, V>>): Record<string, V> => Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const metadata = sorted({ ...object.metadata, annotations: sorted({ ...annotations, [SYNC_WAVE_ANNOTATION]: String(wave) }) });
  return { ...object, metadata };
}
