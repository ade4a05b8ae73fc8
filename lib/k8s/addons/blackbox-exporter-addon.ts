/**
 * The blackbox exporter (chart `prometheus-blackbox-exporter` of https://prometheus-community.github.io/helm-charts)
 * as an Argo CD Application: the prober the `public-hosts` Probe of lib/k8s/observability goes through
 * (`prometheus-blackbox-exporter.<monitoring namespace>.svc:9115`, module `http_2xx`), whose
 * `probe_ssl_earliest_cert_expiry` the CertificateExpiringSoon alert reads. It lives in the monitoring namespace
 * (that namespace is the monitoring stack's: this add-on emits none) and runs "restricted".
 */
import { Construct } from 'constructs';
import { requireDns1123Label } from '../../model/validation';
import { DEFAULT_ALERTING_NAMESPACE } from '../observability/alert-rules';
import { HelmApplication, type ResolvedArgoCdOptions } from './argo-cd-application';
import { ADDON_HELM_REPOSITORIES, DEFAULT_ADDON_CHART_VERSIONS } from './versions';

/** The chart, the Application and the Service's name (`fullnameOverride`): the host of the Probe's prober URL. */
export const BLACKBOX_EXPORTER_CHART = 'prometheus-blackbox-exporter';
/** The Service's port (the chart's default). */
export const BLACKBOX_EXPORTER_PORT = 9115;
/** The module the Probe asks for: an HTTP GET that follows redirects and expects a 2xx, recording the TLS chain's expiry. */
export const BLACKBOX_HTTP_MODULE = 'http_2xx';

/** The exporter's user and group (the chart's default, not root). */
const RUN_AS = 1000;

/** Options for a {@link BlackboxExporterAddon}. */
export interface BlackboxExporterAddonProps {
  /** The platform's name. */
  readonly platformName: string;
  /** Where the Application lives and deploys to. */
  readonly argoCd: ResolvedArgoCdOptions;
  /** The namespace it is installed into: the monitoring (alerting) namespace, which must exist. @default 'monitoring' */
  readonly namespace?: string;
  /** The chart version. @default DEFAULT_ADDON_CHART_VERSIONS.blackboxExporterChart */
  readonly chartVersion?: string;
}

/** The blackbox exporter the platform's Probe of the public hosts' certificates goes through. */
export class BlackboxExporterAddon extends Construct {
  /** The namespace it runs in. */
  public readonly namespaceName: string;
  /** `host:port` of its Service: the Probe's `prober.url` (PlatformObservability's `blackboxExporterUrl`). */
  public readonly url: string;
  /** The Application (id `Resource`). */
  public readonly application: HelmApplication;

  constructor(scope: Construct, id: string, props: BlackboxExporterAddonProps) {
    super(scope, id);
    this.namespaceName = props.namespace ?? DEFAULT_ALERTING_NAMESPACE;
    requireDns1123Label(this.node.path, 'namespace', this.namespaceName);
    this.url = `${BLACKBOX_EXPORTER_CHART}.${this.namespaceName}.svc:${BLACKBOX_EXPORTER_PORT}`;
    this.application = new HelmApplication(this, 'Resource', {
      name: BLACKBOX_EXPORTER_CHART,
      chart: { repoURL: ADDON_HELM_REPOSITORIES.blackboxExporter, chart: BLACKBOX_EXPORTER_CHART, version: props.chartVersion ?? DEFAULT_ADDON_CHART_VERSIONS.blackboxExporterChart },
      destinationNamespace: this.namespaceName,
      argoCd: props.argoCd,
      partOf: props.platformName,
      values: {
        // the Service is `prometheus-blackbox-exporter` whatever the release is called
        fullnameOverride: BLACKBOX_EXPORTER_CHART,
        service: { type: 'ClusterIP', port: BLACKBOX_EXPORTER_PORT },
        // "restricted": non-root, RuntimeDefault seccomp, no capability (ICMP probes would need NET_RAW: none is used)
        podSecurityContext: { runAsNonRoot: true, runAsUser: RUN_AS, runAsGroup: RUN_AS, seccompProfile: { type: 'RuntimeDefault' } },
        securityContext: {
          runAsNonRoot: true,
          runAsUser: RUN_AS,
          runAsGroup: RUN_AS,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        },
        automountServiceAccountToken: false,
        hostNetwork: false,
        config: {
          modules: {
            [BLACKBOX_HTTP_MODULE]: {
              prober: 'http',
              timeout: '5s',
              http: {
                valid_http_versions: ['HTTP/1.1', 'HTTP/2.0'],
                follow_redirects: true,
                preferred_ip_protocol: 'ip4',
                // the targets are https://: a redirect to plain HTTP fails the probe rather than passing without a certificate
                fail_if_not_ssl: true,
              },
            },
          },
        },
        // Prometheus reaches it through the platform's Probe; the chart's own monitors and rules stay off
        serviceMonitor: { enabled: false, selfMonitor: { enabled: false } },
        prometheusRule: { enabled: false },
      },
    });
  }
}
