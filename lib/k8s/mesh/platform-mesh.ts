/**
 * The whole mesh of one environment: the public Gateway, a STRICT PeerAuthentication per platform
 * namespace, and per service its routing (DestinationRule, VirtualServices) and zero-trust policy
 * (AuthorizationPolicy, Sidecar, ServiceEntries). At synth it runs the istioctl-style analysis over
 * every object of the app (workloads included) and fails on any finding.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../model/environment';
import { meshPrincipal, qualifiedName } from '../../model/names';
import type { Platform } from '../../model/platform';
import type { ServiceDefinition } from '../../model/service';
import { ValidationError } from '../../model/validation';
import { analyzeIstio, formatFinding, type IstioAnalyzedObject } from '../../policy/istio-analyze';
import { IstioPeerAuthentication } from './istio-resources';
import { INGRESS_GATEWAY_NAMESPACE, INGRESS_GATEWAY_SERVICE_ACCOUNT, PublicGateway } from './public-gateway';
import { ServiceRouting } from './service-routing';
import { ServiceZeroTrust } from './service-zero-trust';
import type { ServiceTrafficOptions } from './traffic-options';

/** The public Gateway of a {@link PlatformMesh}. */
export interface PlatformMeshGatewayOptions {
  /** The Gateway's name. @default 'public-gateway' */
  readonly name?: string;
  /** The TLS secret in the gateway's namespace. @default '<platform>-<environment>-public-tls' */
  readonly credentialName?: string;
  /** The ingress gateway's namespace. @default 'istio-ingress' */
  readonly namespace?: string;
}

/** Options for a {@link PlatformMesh}. */
export interface PlatformMeshProps {
  /** The platform model. */
  readonly platform: Platform;
  /** The environment's name (`dev`, `staging`, `prod`). */
  readonly environment: string;
  /** The public Gateway. @default { name: 'public-gateway', namespace: 'istio-ingress', credentialName: '<platform>-<env>-public-tls' } */
  readonly gateway?: PlatformMeshGatewayOptions;
  /** Traffic settings of every service. @default DEFAULT_TRAFFIC_OPTIONS */
  readonly traffic?: ServiceTrafficOptions;
  /** Per service (`name` or `namespace/name`): settings over `traffic`. @default {} */
  readonly serviceTraffic?: Readonly<Record<string, ServiceTrafficOptions>>;
  /** The namespace whose Prometheus may scrape metrics ports. @default 'monitoring' */
  readonly monitoringNamespace?: string;
  /**
   * Run the istioctl-style analysis (IST0101, IST0118, IST0132, IST0144, IST0173, weights) over every
   * object of the app at synth and fail on any finding.
   * @default true
   */
  readonly analyze?: boolean;
}

/** Everything Istio for one environment. */
export class PlatformMesh extends Construct {
  /** The environment. */
  public readonly environment: EnvironmentConfig;
  /** The public Gateway, when any service is public. */
  public readonly gateway?: PublicGateway;
  /** Routing per service, keyed by `namespace/name`. */
  public readonly routing: ReadonlyMap<string, ServiceRouting>;
  /** Zero-trust policy per service, keyed by `namespace/name`. */
  public readonly zeroTrust: ReadonlyMap<string, ServiceZeroTrust>;
  /** The STRICT PeerAuthentication per platform namespace, keyed by namespace. */
  public readonly peerAuthentications: ReadonlyMap<string, IstioPeerAuthentication>;
  /** Whether the analysis runs at synth. */
  public readonly analyze: boolean;

  constructor(scope: Construct, id: string, props: PlatformMeshProps) {
    super(scope, id);
    const { platform } = props;
    try {
      this.environment = platform.environment(props.environment);
    } catch (e) {
      throw new ValidationError(this.node.path, 'environment', props.environment, `allowed: one of ${platform.environments.map((env) => env.name).join(', ')}`);
    }
    this.analyze = props.analyze ?? true;
    const serviceTraffic = props.serviceTraffic ?? {};
    for (const key of Object.keys(serviceTraffic)) {
      if (!platform.services.some((s) => s.name === key || qualifiedName(s) === key)) {
        throw new ValidationError(this.node.path, 'serviceTraffic', key, `allowed: services of the platform (${platform.services.map(qualifiedName).join(', ')})`);
      }
    }

    const publicHosts = platform.services.flatMap((s) => s.public?.hosts ?? []);
    if (publicHosts.length > 0) {
      this.gateway = new PublicGateway(this, 'Gateway', {
        hosts: publicHosts,
        name: props.gateway?.name,
        namespace: props.gateway?.namespace,
        credentialName: props.gateway?.credentialName ?? `${platform.name}-${this.environment.name}-public-tls`,
      });
    }

    const peerAuthentications = new Map<string, IstioPeerAuthentication>();
    const routing = new Map<string, ServiceRouting>();
    const zeroTrust = new Map<string, ServiceZeroTrust>();
    for (const namespace of platform.namespaces()) {
      const nsScope = new Construct(this, namespace);
      peerAuthentications.set(namespace, new IstioPeerAuthentication(nsScope, 'PeerAuthentication', {
        metadata: { name: 'default', namespace },
        spec: { mtls: { mode: 'STRICT' } },
      }));
      const services = platform.services.filter((s) => s.namespace === namespace).sort((a, b) => a.name.localeCompare(b.name));
      for (const service of services) {
        const serviceScope = new Construct(nsScope, service.name);
        const key = qualifiedName(service);
        routing.set(key, new ServiceRouting(serviceScope, 'Routing', {
          service,
          traffic: mergeTraffic(props.traffic, serviceTraffic[service.name], serviceTraffic[key]),
          gateway: service.public ? this.gateway?.ref : undefined,
        }));
        zeroTrust.set(key, new ServiceZeroTrust(serviceScope, 'ZeroTrust', {
          platform,
          service,
          monitoringNamespace: props.monitoringNamespace,
          // the gateway's namespace, as set for the Gateway: moving it moves the rule that admits it
          ingressGatewayPrincipal: meshPrincipal(props.gateway?.namespace ?? INGRESS_GATEWAY_NAMESPACE, INGRESS_GATEWAY_SERVICE_ACCOUNT),
          externalEndpoints: platform.externalEndpointsOf(this.environment, service),
          environment: this.environment,
        }));
      }
    }
    this.peerAuthentications = peerAuthentications;
    this.routing = routing;
    this.zeroTrust = zeroTrust;

    if (this.analyze) {
      this.node.addValidation({ validate: () => this.findings() });
    }
  }

  /** The routing of a service of the platform. */
  public routingOf(service: ServiceDefinition): ServiceRouting | undefined {
    return this.routing.get(qualifiedName(service));
  }

  /** Runs the analysis over every ApiObject of the app; returns the findings as istioctl prints them. */
  private findings(): string[] {
    const objects: IstioAnalyzedObject[] = this.node.root.node
      .findAll()
      .filter((c): c is ApiObject => c instanceof ApiObject)
      .map((o) => o.toJson() as IstioAnalyzedObject);
    return analyzeIstio(objects).map((f) => `${formatFinding(f)} (see docs/mesh.md, "Checks at synth")`);
  }
}

function mergeTraffic(...layers: (ServiceTrafficOptions | undefined)[]): ServiceTrafficOptions {
  let merged: ServiceTrafficOptions = {};
  for (const layer of layers) {
    if (!layer) {
      continue;
    }
    merged = {
      timeout: layer.timeout ?? merged.timeout,
      retries: { ...merged.retries, ...stripUndefined(layer.retries) },
      connectionPool: { ...merged.connectionPool, ...stripUndefined(layer.connectionPool) },
      outlierDetection: { ...merged.outlierDetection, ...stripUndefined(layer.outlierDetection) },
    };
  }
  return merged;
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  return value ? (Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>) : {};
}
