/**
 * Log shipping (chart `fluent-bit` of https://fluent.github.io/helm-charts) as an Argo CD Application: a Fluent Bit
 * DaemonSet tails every container's log on each node, adds the pod's Kubernetes metadata and ships the records over
 * TLS to the Elasticsearch/OpenSearch host of the model's `observability.logs`, into the index `<prefix>-<env>`.
 * The password is read from a Secret through an environment variable (`secretKeyRef`): it never appears in the output.
 */
import type { KubeNamespace } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../model/environment';
import type { LogShippingConfig, SecretKeyRef } from '../../model/observability';
import { ValidationError } from '../../model/validation';
import { PodSecurityLevel } from '../hardening';
import { addonNamespace } from './_addon-namespace';
import { HelmApplication, type ResolvedArgoCdOptions } from './argo-cd-application';
import { ADDON_HELM_REPOSITORIES, DEFAULT_ADDON_CHART_VERSIONS } from './versions';

/** The environment variable that carries the password from its Secret into Fluent Bit's configuration. */
export const LOG_SHIPPING_PASSWORD_ENV = 'LOG_SHIPPING_PASSWORD';
/** Where Fluent Bit keeps its read positions on the node (a hostPath of its own; `/var/log` is mounted read-only). */
export const FLUENT_BIT_STATE_DIR = '/var/lib/fluent-bit';

/** What log shipping does beyond the platform's "restricted" default; each must be accepted by name. */
export interface LogShippingInsecureOptions {
  /**
   * The log shipper's namespace enforces Pod Security "privileged": Fluent Bit reads every container's log from the
   * node (`/var/log`, a hostPath, mounted read-only) and keeps its read positions in a hostPath of its own; "baseline"
   * forbids every hostPath volume. The container itself is not privileged (no capability, no privilege escalation,
   * read-only root file system). The namespace holds nothing else. Required: the add-on refuses to build without it.
   * @default false (and the constructor throws)
   */
  readonly privilegedLogNamespace?: boolean;
}

/** Options for a {@link LogShippingAddon}. */
export interface LogShippingAddonProps {
  /** The platform's name. */
  readonly platformName: string;
  /** The environment (its name in the index, its Kubernetes version for the Pod Security labels). */
  readonly environment: EnvironmentConfig;
  /** Where the Application lives and deploys to. */
  readonly argoCd: ResolvedArgoCdOptions;
  /** Where logs go (the model's `observability.logs`). */
  readonly config: LogShippingConfig;
  /** The namespace (and that of the password's Secret). @default 'logging' */
  readonly namespace?: string;
  /** Labels of a ServiceMonitor for Fluent Bit's own metrics (the Prometheus selector). @default no ServiceMonitor */
  readonly serviceMonitorLabels?: Readonly<Record<string, string>>;
  /** Named weakenings; `privilegedLogNamespace` must be true. @default none: synth fails until the weakening is named */
  readonly insecure?: LogShippingInsecureOptions;
  /** The chart version. @default DEFAULT_ADDON_CHART_VERSIONS.fluentBitChart */
  readonly chartVersion?: string;
}

const HOST = /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;
const INDEX_PREFIX = /^[a-z0-9][a-z0-9_-]*$/;
const USER = /^[A-Za-z0-9._@-]+$/;

/** Fluent Bit shipping every container's log of the environment. */
export class LogShippingAddon extends Construct {
  /** The namespace name. */
  public readonly namespaceName: string;
  /** The host logs are shipped to. */
  public readonly host: string;
  /** Its port. */
  public readonly port: number;
  /** The index written: `<indexPrefix>-<env>`. */
  public readonly index: string;
  /** The password's Secret reference, when there is authentication. */
  public readonly passwordSecret?: SecretKeyRef;
  /** The named weakening: the namespace enforces "privileged". Always true (the add-on refuses otherwise). */
  public readonly privilegedLogNamespace: boolean;
  /** The namespace. */
  public readonly namespace: KubeNamespace;
  /** The Application (id `Resource`). */
  public readonly application: HelmApplication;

  constructor(scope: Construct, id: string, props: LogShippingAddonProps) {
    super(scope, id);
    const path = this.node.path;
    const c = props.config;
    if (props.insecure?.privilegedLogNamespace !== true) {
      throw new ValidationError(path, 'insecure.privilegedLogNamespace', props.insecure?.privilegedLogNamespace, 'allowed: true. Fluent Bit reads the nodes\' /var/log through a hostPath, which only a "privileged" namespace admits; accept it by name (docs/addons.md, "Pod Security")');
    }
    this.privilegedLogNamespace = true;
    if (!HOST.test(c.host)) {
      throw new ValidationError(path, 'logs.host', c.host, 'allowed: a host name such as logs.example.com (no scheme, no port, no path)');
    }
    this.host = c.host;
    this.port = c.port ?? 443;
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535) {
      throw new ValidationError(path, 'logs.port', this.port, 'allowed: an integer from 1 to 65535');
    }
    const prefix = c.indexPrefix ?? 'platform-logs';
    if (!INDEX_PREFIX.test(prefix) || prefix.length > 200) {
      throw new ValidationError(path, 'logs.indexPrefix', prefix, 'allowed: lower-case letters, digits, "-" and "_", starting with a letter or digit (an index name)');
    }
    this.index = `${prefix}-${props.environment.name}`;
    if ((c.user === undefined) !== (c.password === undefined)) {
      throw new ValidationError(path, c.user === undefined ? 'logs.user' : 'logs.password', undefined, 'allowed: user and password together (basic authentication), or neither');
    }
    if (c.user !== undefined && !USER.test(c.user)) {
      throw new ValidationError(path, 'logs.user', c.user, 'allowed: a user name of letters, digits, ".", "_", "@" and "-"');
    }
    if (c.password !== undefined) {
      if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(c.password.name) || !/^[-._a-zA-Z0-9]+$/.test(c.password.key)) {
        throw new ValidationError(path, 'logs.password', c.password, 'allowed: a Secret reference { name, key } (a DNS-1123 subdomain and a Secret key)');
      }
      this.passwordSecret = { name: c.password.name, key: c.password.key };
    }
    this.namespaceName = props.namespace ?? 'logging';
    this.namespace = addonNamespace(this, 'Namespace', { name: this.namespaceName, podSecurity: PodSecurityLevel.PRIVILEGED, podSecurityVersion: `v${props.environment.kubernetesVersion}` });

    const output = [
      '[OUTPUT]',
      '    Name               es',
      '    Match              kube.*',
      `    Host               ${this.host}`,
      `    Port               ${this.port}`,
      `    Index              ${this.index}`,
      '    Suppress_Type_Name On',
      '    Replace_Dots       On',
      '    Trace_Error        On',
      '    tls                On',
      '    tls.verify         On',
      ...(c.user !== undefined ? [`    HTTP_User          ${c.user}`, `    HTTP_Passwd        \${${LOG_SHIPPING_PASSWORD_ENV}}`] : []),
    ].join('\n');
    this.application = new HelmApplication(this, 'Resource', {
      name: 'fluent-bit',
      chart: { repoURL: ADDON_HELM_REPOSITORIES.fluentBit, chart: 'fluent-bit', version: props.chartVersion ?? DEFAULT_ADDON_CHART_VERSIONS.fluentBitChart },
      destinationNamespace: this.namespaceName,
      argoCd: props.argoCd,
      partOf: props.platformName,
      values: {
        kind: 'DaemonSet',
        // the chart's test pod runs busybox:latest
        testFramework: { enabled: false },
        // every node, tainted ones included: their containers log too
        tolerations: [{ operator: 'Exists' }],
        env: this.passwordSecret ? [{ name: LOG_SHIPPING_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: this.passwordSecret.name, key: this.passwordSecret.key } } }] : [],
        podSecurityContext: { seccompProfile: { type: 'RuntimeDefault' } },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        // only what is read, read-only; the read positions in a directory of their own
        daemonSetVolumes: [
          { name: 'varlog', hostPath: { path: '/var/log' } },
          { name: 'state', hostPath: { path: FLUENT_BIT_STATE_DIR, type: 'DirectoryOrCreate' } },
          { name: 'etcmachineid', hostPath: { path: '/etc/machine-id', type: 'File' } },
        ],
        daemonSetVolumeMounts: [
          { name: 'varlog', mountPath: '/var/log', readOnly: true },
          { name: 'state', mountPath: FLUENT_BIT_STATE_DIR },
          { name: 'etcmachineid', mountPath: '/etc/machine-id', readOnly: true },
        ],
        ...(props.serviceMonitorLabels ? { serviceMonitor: { enabled: true, selector: { ...props.serviceMonitorLabels } } } : {}),
        config: {
          service: [
            '[SERVICE]',
            '    Daemon Off',
            '    Flush 5',
            '    Log_Level info',
            '    Parsers_File /fluent-bit/etc/parsers.conf',
            '    HTTP_Server On',
            '    HTTP_Listen 0.0.0.0',
            '    HTTP_Port 2020',
            '    Health_Check On',
          ].join('\n'),
          inputs: [
            '[INPUT]',
            '    Name             tail',
            '    Path             /var/log/containers/*.log',
            // its own logs would be shipped, logged and shipped again
            `    Exclude_Path     /var/log/containers/fluent-bit-*_${this.namespaceName}_*.log`,
            '    multiline.parser docker, cri',
            '    Tag              kube.*',
            `    DB               ${FLUENT_BIT_STATE_DIR}/tail.db`,
            '    Mem_Buf_Limit    5MB',
            '    Skip_Long_Lines  On',
          ].join('\n'),
          filters: [
            '[FILTER]',
            '    Name                kubernetes',
            '    Match               kube.*',
            '    Merge_Log           On',
            '    Keep_Log            Off',
            '    K8S-Logging.Parser  On',
            '    K8S-Logging.Exclude On',
          ].join('\n'),
          outputs: output,
        },
      },
    });
    this.application.node.addDependency(this.namespace);
  }
}
