/**
 * The Kubernetes side of a service's secrets: the service's secrets reader, a ServiceAccount `<service>-secrets` that
 * no pod runs as (no API token mounted), annotated with the reader's IRSA role; one `SecretStore` in the service's
 * namespace that reads AWS Secrets Manager as that ServiceAccount (External Secrets Operator requests a token for it,
 * audience `sts.amazonaws.com`, and assumes the role its `eks.amazonaws.com/role-arn` annotation names); and one
 * `ExternalSecret` per secret that keeps the Kubernetes Secret `<service>-<secret>` in step with Secrets Manager.
 * The service's own ServiceAccount is not involved: its pods hold no credential for Secrets Manager.
 * No value is ever in the output: the ExternalSecrets name where values live, never what they are.
 */
import { KubeServiceAccount } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { STS_REGIONAL_ENDPOINTS_ANNOTATION } from '../../model/aws-endpoints';
import { ROLE_ARN_ANNOTATION, secretsReaderServiceAccountName } from '../../model/names';
import { requireRoleArn } from '../../model/rules';
import type { ResolvedSecret } from '../../model/secrets';
import { ValidationError, requireDns1123Label } from '../../model/validation';
import { ExternalSecret, SecretStore, SecretStoreTokenGrant } from './external-secrets';

/** Options for {@link ServiceSecretSync}. */
export interface ServiceSecretSyncProps {
  /** The service's name (it names the SecretStore and the reader ServiceAccount, both `<service>-secrets`). */
  readonly serviceName: string;
  /** The namespace of the service, the reader ServiceAccount and the Secrets. */
  readonly namespace: string;
  /**
   * The IRSA role of the reader ServiceAccount, from `platform.secretsReaderRoleArn(env, service)`: ESO authenticates as
   * that ServiceAccount, and the role reads exactly the service's secrets.
   */
  readonly readerRoleArn: string;
  /** The AWS region of the secrets (the environment's). */
  readonly region: string;
  /** The secrets, as `Platform.secretsOf(env, service)` resolves them (own and data stores'). */
  readonly secrets: readonly ResolvedSecret[];
  /**
   * How often ESO reads each secret again: a value put in Secrets Manager reaches the Kubernetes Secret within this
   * interval (a Go duration such as `1h`, `15m`).
   * @default '1h'
   */
  readonly refreshInterval?: string;
  /** Labels of the objects. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

const GO_DURATION = /^(\d+(ns|us|µs|ms|s|m|h))+$/;

/** The SecretStore and the ExternalSecrets of one service. */
export class ServiceSecretSync extends Construct {
  /** The SecretStore (id `Store`). */
  public readonly store: SecretStore;
  /**
   * The ServiceAccount ESO authenticates as (id `Reader`): `<service>-secrets`, annotated with the reader role, no
   * token mounted; no pod runs as it.
   */
  public readonly reader: KubeServiceAccount;
  /** The reader ServiceAccount's name, `secretsReaderServiceAccountName(service)`. */
  public readonly readerServiceAccountName: string;
  /** The Role and RoleBinding that let the ESO controller request the reader ServiceAccount's token. */
  public readonly tokenGrant: SecretStoreTokenGrant;
  /** The ExternalSecrets, by secret name. */
  public readonly externalSecrets: ReadonlyMap<string, ExternalSecret>;
  /** The refresh interval. */
  public readonly refreshInterval: string;

  constructor(scope: Construct, id: string, props: ServiceSecretSyncProps) {
    super(scope, id);
    const path = this.node.path;
    this.refreshInterval = props.refreshInterval ?? '1h';
    if (!GO_DURATION.test(this.refreshInterval) || /^(0+(ns|us|µs|ms|s|m|h))+$/.test(this.refreshInterval)) {
      throw new ValidationError(path, 'refreshInterval', this.refreshInterval, 'allowed: a positive Go duration such as 1h or 15m (0 would never refresh)');
    }
    if (props.secrets.length === 0) {
      throw new ValidationError(path, 'secrets', [], 'allowed: one or more secrets (a service without secrets gets no SecretStore)');
    }
    requireRoleArn(path, 'readerRoleArn', props.readerRoleArn);
    const labels = props.labels ? { ...props.labels } : undefined;
    const storeName = `${props.serviceName}-secrets`;
    requireDns1123Label(path, 'SecretStore name', storeName);
    this.readerServiceAccountName = secretsReaderServiceAccountName({ name: props.serviceName });
    requireDns1123Label(path, 'reader ServiceAccount name', this.readerServiceAccountName);
    // the identity ESO reads the secrets as: a ServiceAccount of its own, so that the service's pods hold no credential
    this.reader = new KubeServiceAccount(this, 'Reader', {
      metadata: {
        name: this.readerServiceAccountName,
        namespace: props.namespace,
        labels,
        annotations: { [ROLE_ARN_ANNOTATION]: props.readerRoleArn, [STS_REGIONAL_ENDPOINTS_ANNOTATION]: 'true' },
      },
      automountServiceAccountToken: false,
    });
    this.store = new SecretStore(this, 'Store', {
      metadata: { name: storeName, namespace: props.namespace, labels },
      spec: {
        provider: {
          aws: {
            service: 'SecretsManager',
            region: props.region,
            // ESO requests a token for the reader ServiceAccount and assumes the role of its role-arn annotation
            auth: { jwt: { serviceAccountRef: { name: this.readerServiceAccountName } } },
          },
        },
      },
    });
    // the controller may request a token for the reader ServiceAccount only (the chart's cluster-wide grant is off)
    this.tokenGrant = new SecretStoreTokenGrant(this, 'TokenGrant', { storeName, namespace: props.namespace, serviceAccountName: this.readerServiceAccountName, labels });
    const externalSecrets = new Map<string, ExternalSecret>();
    const seen = new Set<string>();
    for (const secret of props.secrets) {
      if (seen.has(secret.kubernetesSecretName)) {
        throw new ValidationError(path, 'secrets', secret.kubernetesSecretName, 'allowed: each Kubernetes Secret once (a secret of the service and a data store it calls share a name)');
      }
      seen.add(secret.kubernetesSecretName);
      requireDns1123Label(path, `secrets.${secret.name}.kubernetesSecretName`, secret.kubernetesSecretName);
      // mounted: every key of the JSON value becomes a file; env only: just the keys the variables read
      const keys = [...new Set(Object.values(secret.env))].sort();
      const spec = {
        refreshInterval: this.refreshInterval,
        refreshPolicy: 'Periodic' as const,
        secretStoreRef: { kind: 'SecretStore' as const, name: storeName },
        // Owner: the Secret is ESO's and goes with the ExternalSecret; no template, so no literal value can be in it
        target: { name: secret.kubernetesSecretName, creationPolicy: 'Owner' as const, deletionPolicy: 'Retain' as const },
        ...(secret.mountPath !== undefined
          ? { dataFrom: [{ extract: { key: secret.secretsManagerName } }] }
          : { data: keys.map((key) => ({ secretKey: key, remoteRef: { key: secret.secretsManagerName, property: key } })) }),
      };
      externalSecrets.set(secret.name, new ExternalSecret(this, secret.name, {
        metadata: { name: secret.kubernetesSecretName, namespace: props.namespace, labels },
        spec,
      }));
    }
    this.externalSecrets = externalSecrets;
  }
}
