/**
 * The edge: an Istio Gateway on the ingress gateway's pods serving the platform's public hosts over
 * HTTPS (TLS terminated with a named certificate secret) and redirecting HTTP to HTTPS.
 */
import { Construct } from 'constructs';
import { ValidationError, requireDns1123Label } from '../../model/validation';
import { IstioGateway } from './istio-resources';

/** The ingress gateway's namespace in a default Istio install (`istio-ingress`). */
export const INGRESS_GATEWAY_NAMESPACE = 'istio-ingress';
/** The ingress gateway's service account (its mesh principal is allowed into public services). */
export const INGRESS_GATEWAY_SERVICE_ACCOUNT = 'istio-ingressgateway';

/** Options for a {@link PublicGateway}. */
export interface PublicGatewayProps {
  /** The public host names served, e.g. `shop.example.com`. One or more; sorted and de-duplicated. */
  readonly hosts: readonly string[];
  /**
   * The Kubernetes TLS secret (`tls.crt`, `tls.key`) holding the certificate for the hosts. It must live
   * in the gateway's namespace (the ingress gateway reads it through SDS), e.g. issued by cert-manager.
   */
  readonly credentialName: string;
  /** The Gateway's name. @default 'public-gateway' */
  readonly name?: string;
  /** The namespace of the ingress gateway deployment (and of this Gateway). @default 'istio-ingress' */
  readonly namespace?: string;
  /** Labels of the ingress gateway pods. @default { istio: 'ingressgateway' } */
  readonly selector?: Readonly<Record<string, string>>;
}

const HOST = /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$/;

/** A Gateway: HTTPS 443 (`tls.mode: SIMPLE`, TLS 1.2+) and HTTP 80 redirected to HTTPS. */
export class PublicGateway extends Construct {
  /** The Gateway's name. */
  public readonly name: string;
  /** Its namespace. */
  public readonly namespace: string;
  /** `<namespace>/<name>`, what a VirtualService lists in `gateways`. */
  public readonly ref: string;
  /** The hosts served, sorted. */
  public readonly hosts: readonly string[];
  /** The certificate secret. */
  public readonly credentialName: string;
  /** The ingress gateway pods' labels. */
  public readonly selector: Readonly<Record<string, string>>;
  /** The Gateway (id `Resource`). */
  public readonly resource: IstioGateway;

  constructor(scope: Construct, id: string, props: PublicGatewayProps) {
    super(scope, id);
    this.name = props.name ?? 'public-gateway';
    this.namespace = props.namespace ?? INGRESS_GATEWAY_NAMESPACE;
    this.ref = `${this.namespace}/${this.name}`;
    this.credentialName = props.credentialName;
    this.selector = props.selector ?? { istio: 'ingressgateway' };
    this.hosts = [...new Set(props.hosts)].sort();
    requireDns1123Label(this.node.path, 'credentialName', this.credentialName);
    if (this.hosts.length === 0) {
      throw new ValidationError(this.node.path, 'hosts', [], 'allowed: one or more public host names');
    }
    for (const host of this.hosts) {
      if (!HOST.test(host)) {
        throw new ValidationError(this.node.path, 'hosts', host, 'allowed: lower-case DNS names such as shop.example.com (or *.example.com)');
      }
    }
    this.resource = new IstioGateway(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        selector: { ...this.selector },
        servers: [
          {
            port: { number: 443, name: 'https', protocol: 'HTTPS' },
            hosts: [...this.hosts],
            tls: { mode: 'SIMPLE', credentialName: this.credentialName, minProtocolVersion: 'TLSV1_2' },
          },
          {
            port: { number: 80, name: 'http', protocol: 'HTTP' },
            hosts: [...this.hosts],
            tls: { httpsRedirect: true },
          },
        ],
      },
    });
  }
}
