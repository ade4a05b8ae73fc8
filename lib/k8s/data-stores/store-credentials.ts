/**
 * An in-cluster store's own copy of its credentials: External Secrets copies the store's Secrets Manager secret (the
 * one Terraform writes, the same callers read) into the Secret `<store>-credentials` of the store's namespace, as the
 * IRSA role of the service account `<store>-credentials` (lib/aws/data-stores creates that role). PostgreSQL gets a
 * `kubernetes.io/basic-auth` Secret (`username`, `password`: what CloudNativePG's `bootstrap.initdb.secret` wants),
 * Redis an Opaque Secret with `password` (the chart's `existingSecret`, `authKey: password`).
 */
import { KubeServiceAccount } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { DataStoreEngine, dataStoreServiceAccounts, type ResolvedDataStore } from '../../model/data-stores';
import { ROLE_ARN_ANNOTATION } from '../../model/names';
import { ExternalSecret, SecretStore, SecretStoreTokenGrant } from '../secrets/external-secrets';

/** Options for a {@link StoreCredentials}. */
export interface StoreCredentialsProps {
  /** The store. */
  readonly store: ResolvedDataStore;
  /** Its Secrets Manager secret's name. */
  readonly secretsManagerName: string;
  /** The IRSA role ARN of the service account `<store>-credentials`. */
  readonly roleArn: string;
  /** The region of Secrets Manager. */
  readonly region: string;
  /** Labels of every object. */
  readonly labels: Readonly<Record<string, string>>;
}

/** The ServiceAccount, SecretStore and ExternalSecret of an in-cluster store's credentials. */
export class StoreCredentials extends Construct {
  /** The Kubernetes Secret's name, `<store>-credentials`. */
  public readonly secretName: string;
  /** The ExternalSecret (id `Resource`). */
  public readonly externalSecret: ExternalSecret;

  constructor(scope: Construct, id: string, props: StoreCredentialsProps) {
    super(scope, id);
    const { store } = props;
    const account = dataStoreServiceAccounts(store).credentials;
    this.secretName = `${store.name}-credentials`;
    const labels = { ...props.labels };
    new KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: account, namespace: store.namespace, labels, annotations: { [ROLE_ARN_ANNOTATION]: props.roleArn } },
      automountServiceAccountToken: false,
    });
    const storeName = `${store.name}-credentials`;
    new SecretStore(this, 'Store', {
      metadata: { name: storeName, namespace: store.namespace, labels },
      spec: { provider: { aws: { service: 'SecretsManager', region: props.region, auth: { jwt: { serviceAccountRef: { name: account } } } } } },
    });
    // the ESO controller may request a token for this ServiceAccount only (the chart's cluster-wide grant is off)
    new SecretStoreTokenGrant(this, 'TokenGrant', { storeName, namespace: store.namespace, serviceAccountName: account, labels });
    const postgres = store.engine === DataStoreEngine.POSTGRESQL;
    const keys = postgres ? ['password', 'username'] : ['password'];
    this.externalSecret = new ExternalSecret(this, 'Resource', {
      metadata: { name: this.secretName, namespace: store.namespace, labels },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: 'SecretStore', name: storeName },
        target: {
          name: this.secretName,
          creationPolicy: 'Owner',
          deletionPolicy: 'Retain',
          // the type only: no template data, so no literal value can be in it
          ...(postgres ? { template: { type: 'kubernetes.io/basic-auth' } } : {}),
        },
        data: keys.map((key) => ({ secretKey: key, remoteRef: { key: props.secretsManagerName, property: key } })),
      },
    });
  }
}
