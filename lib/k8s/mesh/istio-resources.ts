/**
 * Typed Istio resources: `networking.istio.io/v1` (VirtualService, DestinationRule, Gateway, Sidecar,
 * ServiceEntry) and `security.istio.io/v1` (PeerAuthentication, AuthorizationPolicy).
 * Each construct's spec is the interface of `@kubernetes-models/istio` (type-only imports: the package
 * is ESM-only and costs nothing at run time; tests use its validators on the synthesized output).
 */
import type { Construct } from 'constructs';
import type { IDestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1/DestinationRule' with { 'resolution-mode': 'import' };
import type { IGateway } from '@kubernetes-models/istio/networking.istio.io/v1/Gateway' with { 'resolution-mode': 'import' };
import type { IServiceEntry } from '@kubernetes-models/istio/networking.istio.io/v1/ServiceEntry' with { 'resolution-mode': 'import' };
import type { ISidecar } from '@kubernetes-models/istio/networking.istio.io/v1/Sidecar' with { 'resolution-mode': 'import' };
import type { IVirtualService } from '@kubernetes-models/istio/networking.istio.io/v1/VirtualService' with { 'resolution-mode': 'import' };
import type { IAuthorizationPolicy } from '@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy' with { 'resolution-mode': 'import' };
import type { IPeerAuthentication } from '@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication' with { 'resolution-mode': 'import' };
import { IstioObject, type IstioObjectProps } from './_istio-object';

export type { IstioObjectMetadata, IstioObjectProps } from './_istio-object';

/** The spec of a VirtualService (Istio 1.29 schema). */
export type VirtualServiceSpec = NonNullable<IVirtualService['spec']>;
/** One HTTP route of a VirtualService. */
export type IstioHttpRoute = NonNullable<VirtualServiceSpec['http']>[number];
/** The spec of a DestinationRule. */
export type DestinationRuleSpec = NonNullable<IDestinationRule['spec']>;
/** The traffic policy of a DestinationRule. */
export type IstioTrafficPolicy = NonNullable<DestinationRuleSpec['trafficPolicy']>;
/** The spec of a Gateway. */
export type GatewaySpec = NonNullable<IGateway['spec']>;
/** The spec of a Sidecar. */
export type SidecarSpec = NonNullable<ISidecar['spec']>;
/** The spec of a ServiceEntry. */
export type ServiceEntrySpec = NonNullable<IServiceEntry['spec']>;
/** The spec of a PeerAuthentication. */
export type PeerAuthenticationSpec = NonNullable<IPeerAuthentication['spec']>;
/** The spec of an AuthorizationPolicy. */
export type AuthorizationPolicySpec = NonNullable<IAuthorizationPolicy['spec']>;
/** One rule of an AuthorizationPolicy. */
export type AuthorizationRule = NonNullable<AuthorizationPolicySpec['rules']>[number];

/** A `networking.istio.io/v1` VirtualService. */
export class IstioVirtualService extends IstioObject<IVirtualService> {
  constructor(scope: Construct, id: string, props: IstioObjectProps<IVirtualService>) {
    super(scope, id, 'networking.istio.io/v1', 'VirtualService', props);
  }
}

/** A `networking.istio.io/v1` DestinationRule. */
export class IstioDestinationRule extends IstioObject<IDestinationRule> {
  constructor(scope: Construct, id: string, props: IstioObjectProps<IDestinationRule>) {
    super(scope, id, 'networking.istio.io/v1', 'DestinationRule', props);
  }
}

/** A `networking.istio.io/v1` Gateway. */
export class IstioGateway extends IstioObject<IGateway> {
  constructor(scope: Construct, id: string, props: IstioObjectProps<IGateway>) {
    super(scope, id, 'networking.istio.io/v1', 'Gateway', props);
  }
}

/** A `networking.istio.io/v1` Sidecar. */
export class IstioSidecar extends IstioObject<ISidecar> {
  constructor(scope: Construct, id: string, props: IstioObjectProps<ISidecar>) {
    super(scope, id, 'networking.istio.io/v1', 'Sidecar', props);
  }
}

/** A `networking.istio.io/v1` ServiceEntry. */
export class IstioServiceEntry extends IstioObject<IServiceEntry> {
  constructor(scope: Construct, id: string, props: IstioObjectProps<IServiceEntry>) {
    super(scope, id, 'networking.istio.io/v1', 'ServiceEntry', props);
  }
}

/** A `security.istio.io/v1` PeerAuthentication. */
export class IstioPeerAuthentication extends IstioObject<IPeerAuthentication> {
  constructor(scope: Construct, id: string, props: IstioObjectProps<IPeerAuthentication>) {
    super(scope, id, 'security.istio.io/v1', 'PeerAuthentication', props);
  }
}

/** A `security.istio.io/v1` AuthorizationPolicy. */
export class IstioAuthorizationPolicy extends IstioObject<IAuthorizationPolicy> {
  constructor(scope: Construct, id: string, props: IstioObjectProps<IAuthorizationPolicy>) {
    super(scope, id, 'security.istio.io/v1', 'AuthorizationPolicy', props);
  }
}
