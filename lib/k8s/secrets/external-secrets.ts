/**
 * Typed External Secrets Operator objects (`external-secrets.io/v1`, served by ESO 0.16 and later; the add-on installs
 * chart 2.10.0): a namespaced `SecretStore` that reads AWS Secrets Manager as one service's IAM role, and an
 * `ExternalSecret` that copies one Secrets Manager secret into a Kubernetes Secret. Specs are typed by
 * `@kubernetes-models/external-secrets` (type-only imports: the package is ESM-only; the tests validate the
 * synthesized objects with its validators).
 */
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret' with { 'resolution-mode': 'import' };
import type { ISecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore' with { 'resolution-mode': 'import' };
import type { Construct } from 'constructs';
import { TypedCustomResource, type CustomResourceProps } from '../_custom-resource';

/** The API version of the ESO objects the library emits. */
export const EXTERNAL_SECRETS_API_VERSION = 'external-secrets.io/v1';

/** A namespaced SecretStore (`external-secrets.io/v1`), its spec typed by `@kubernetes-models/external-secrets`. */
export class SecretStore extends TypedCustomResource<ISecretStore> {
  constructor(scope: Construct, id: string, props: CustomResourceProps<ISecretStore>) {
    super(scope, id, EXTERNAL_SECRETS_API_VERSION, 'SecretStore', props);
  }
}

/** An ExternalSecret (`external-secrets.io/v1`), its spec typed by `@kubernetes-models/external-secrets`. */
export class ExternalSecret extends TypedCustomResource<IExternalSecret> {
  constructor(scope: Construct, id: string, props: CustomResourceProps<IExternalSecret>) {
    super(scope, id, EXTERNAL_SECRETS_API_VERSION, 'ExternalSecret', props);
  }
}
