/**
 * Validates synthesized External Secrets objects against the `external-secrets.io/v1` schemas of
 * `@kubernetes-models/external-secrets` (ESM-only: loaded with `await import()`, kept by jest under --experimental-vm-modules).
 */
import { validateWithModels, type ManifestIdentity, type ModelConstructor } from '../../fixtures/model-validation';

/** Validates every `external-secrets.io` object of `manifests`; returns the schema errors and how many were checked. */
export async function validateExternalSecretsObjects(manifests: readonly ManifestIdentity[]): Promise<{ checked: number; errors: string[] }> {
  // one at a time: jest's ESM loader races on a shared dependency when they load in parallel
  const ss = await import('@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore');
  const es = await import('@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret');
  const models = new Map<string, ModelConstructor>([
    ['external-secrets.io/v1/SecretStore', ss.SecretStore as unknown as ModelConstructor],
    ['external-secrets.io/v1/ExternalSecret', es.ExternalSecret as unknown as ModelConstructor],
  ]);
  return validateWithModels(manifests, models, (v) => v.startsWith('external-secrets.io/'));
}
