/**
 * Typed External Secrets Operator objects (`external-secrets.io/v1`, served by ESO 0.16 and later; the add-on installs
 * chart 2.10.0): a namespaced `SecretStore` that reads AWS Secrets Manager as one secrets reader's IAM role, and an
 * `ExternalSecret` that copies one Secrets Manager secret into a Kubernetes Secret. Specs are typed by
 * `@kubernetes-models/external-secrets` (type-only imports: the package is ESM-only; the tests validate the
 * synthesized objects with its validators).
 */
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret' with { 'resolution-mode': 'import' };
import type { ISecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore' with { 'resolution-mode': 'import' };
import { KubeRole, KubeRoleBinding } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
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

/** The namespace of External Secrets Operator (the add-on's, lib/k8s/addons/external-secrets-addon.ts). */
export const EXTERNAL_SECRETS_CONTROLLER_NAMESPACE = 'external-secrets';
/**
 * The controller's ServiceAccount: the chart's fullname, which for release `external-secrets` of chart
 * `external-secrets` is `external-secrets` (`serviceAccount.create`, no `serviceAccount.name`).
 */
export const EXTERNAL_SECRETS_CONTROLLER_SERVICE_ACCOUNT = 'external-secrets';

/** Options of a {@link SecretStoreTokenGrant}. */
export interface SecretStoreTokenGrantProps {
  /** The SecretStore's name: the Role and RoleBinding are `<store>-token`. */
  readonly storeName: string;
  /** The namespace of the SecretStore and its ServiceAccount. */
  readonly namespace: string;
  /** The ServiceAccount the SecretStore authenticates as (`auth.jwt.serviceAccountRef`). */
  readonly serviceAccountName: string;
  /** Labels of both objects. @default none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * What lets the ESO controller request a token for one SecretStore's ServiceAccount, and only that one: a Role in the
 * store's namespace with `create` on `serviceaccounts/token` for that ServiceAccount by name, bound to the controller's
 * ServiceAccount. The add-on turns the chart's cluster-wide grant off (`rbac.serviceAccountTokenCreate: false`).
 * The ServiceAccount is a reader no pod runs as (a service's `<service>-secrets`, a data store's
 * `<store>-credentials`); the subject is the controller's ServiceAccount, so the services' pods still get no API token
 * (`platform/service-account-token`).
 */
export class SecretStoreTokenGrant extends Construct {
  public readonly role: KubeRole;
  public readonly roleBinding: KubeRoleBinding;

  constructor(scope: Construct, id: string, props: SecretStoreTokenGrantProps) {
    super(scope, id);
    const metadata = { name: `${props.storeName}-token`, namespace: props.namespace, ...(props.labels ? { labels: { ...props.labels } } : {}) };
    this.role = new KubeRole(this, 'Role', {
      metadata,
      rules: [{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [props.serviceAccountName], verbs: ['create'] }],
    });
    this.roleBinding = new KubeRoleBinding(this, 'RoleBinding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: metadata.name },
      subjects: [{ kind: 'ServiceAccount', name: EXTERNAL_SECRETS_CONTROLLER_SERVICE_ACCOUNT, namespace: EXTERNAL_SECRETS_CONTROLLER_NAMESPACE }],
    });
  }
}
