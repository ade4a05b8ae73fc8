/**
 * The Kubernetes side of a service's secrets: one `SecretStore` in the service's namespace that reads AWS Secrets
 * Manager as the service's own IAM role (External Secrets Operator requests a token for the service's ServiceAccount,
 * audience `sts.amazonaws.com`, and assumes the role its `eks.amazonaws.com/role-arn` annotation names), and one
 * `ExternalSecret` per secret that keeps the Kubernetes Secret `<service>-<secret>` in step with Secrets Manager.
 * No value is ever in the output: the ExternalSecrets name where values live, never what they are.
 */
import { Construct } from 'constructs';
import type { ResolvedSecret } from '../../model/secrets';
import { ValidationError, requireDns1123Label } from '../../model/validation';
import { ExternalSecret, SecretStore, SecretStoreTokenGrant } from './external-secrets';

/** Options for {@link ServiceSecretSync}. */
export interface ServiceSecretSyncProps {
  /** The service's name (it names the SecretStore, `<service>-secrets`). */
  readonly serviceName: string;
  /** The namespace of the service, its ServiceAccount and the Secrets. */
  readonly namespace: string;
  /** The service's ServiceAccount: ESO authenticates as it (its IRSA role reads exactly the service's secrets). */
  readonly serviceAccountName: string;
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
  /** The Role and RoleBinding that let the ESO controller request the ServiceAccount's token. */
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
    requireDns1123Label(path, 'serviceAccountName', props.serviceAccountName);
    const labels = props.labels ? { ...props.labels } : undefined;
    const storeName = `${props.serviceName}-secrets`;
    requireDns1123Label(path, 'SecretStore name', storeName);
    this.store = new SecretStore(this, 'Store', {
      metadata: { name: storeName, namespace: props.namespace, labels },
      spec: {
        provider: {
          aws: {
            service: 'SecretsManager',
            region: props.region,
            // ESO requests a token for this ServiceAccount and assumes the role of its role-arn annotation
            auth: { jwt: { serviceAccountRef: { name: props.serviceAccountName } } },
          },
        },
      },
    });
    // the controller may request a token for this ServiceAccount only (the chart's cluster-wide grant is off)
    this.tokenGrant = new SecretStoreTokenGrant(this, 'TokenGrant', { storeName, namespace: props.namespace, serviceAccountName: props.serviceAccountName, labels });
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
