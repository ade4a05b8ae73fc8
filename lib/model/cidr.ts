/**
 * IPv4 CIDR arithmetic for the platform model: parsing, overlap and carving subnets.
 * Pure functions; no dependency on either world.
 */

/** A parsed IPv4 CIDR block. */
export interface Cidr {
  /** The normalised text, e.g. `10.0.0.0/16`. */
  readonly text: string;
  /** The network address as an unsigned 32-bit number. */
  readonly network: number;
  /** The prefix length, 0 to 32. */
  readonly prefixLength: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Turns an unsigned 32-bit number into dotted-quad text. */
export function ipToString(ip: number): string {
  return [24, 16, 8, 0].map((shift) => (ip >>> shift) & 255).join('.');
}

/**
 * Parses an IPv4 CIDR, or returns an error message saying what is wrong.
 * The address must be the network address of the block (no host bits set).
 */
export function tryParseCidr(text: string): Cidr | string {
  const m = CIDR_PATTERN.exec(text);
  if (!m) {
    return `'${text}' is not an IPv4 CIDR of the form a.b.c.d/n`;
  }
  const octets = m.slice(1, 5).map(Number);
  const prefixLength = Number(m[5]);
  if (octets.some((o) => o > 255) || prefixLength > 32) {
    return `'${text}' has an octet above 255 or a prefix above 32`;
  }
  const ip = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
  if ((ip & mask) >>> 0 !== ip) {
    return `'${text}' has host bits set; the network address is ${ipToString((ip & mask) >>> 0)}/${prefixLength}`;
  }
  return { text: `${ipToString(ip)}/${prefixLength}`, network: ip, prefixLength };
}

/** Parses an IPv4 CIDR or throws with the given context in the message. */
export function parseCidr(text: string, context = 'cidr'): Cidr {
  const parsed = tryParseCidr(text);
  if (typeof parsed === 'string') {
    throw new Error(`${context}: ${parsed}`);
  }
  return parsed;
}

/** The number of addresses in a block. */
export function cidrSize(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefixLength);
}

/** Whether two blocks share at least one address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const aEnd = a.network + cidrSize(a) - 1;
  const bEnd = b.network + cidrSize(b) - 1;
  return a.network <= bEnd && b.network <= aEnd;
}

/**
 * The `index`-th sub-block of `newBits` more prefix bits inside `parent`
 * (Terraform's `cidrsubnet(parent, newBits, index)`).
 */
export function cidrSubnet(parent: Cidr, newBits: number, index: number): Cidr {
  const prefixLength = parent.prefixLength + newBits;
  if (prefixLength > 32) {
    throw new Error(`cidrSubnet: ${parent.text} cannot be split into /${prefixLength} blocks`);
  }
  if (index < 0 || index >= 2 ** newBits) {
    throw new Error(`cidrSubnet: index ${index} is outside 0..${2 ** newBits - 1} for ${parent.text} + ${newBits} bits`);
  }
  const network = (parent.network + index * 2 ** (32 - prefixLength)) >>> 0;
  return { text: `${ipToString(network)}/${prefixLength}`, network, prefixLength };
}

/**
 * The subnets the platform carves from a VPC's block, one per zone each: private (nodes and pods, the first three
 * eighths), public (the 25th to 27th sixty-fourths) and intra (the 29th to 31st sixty-fourths: managed data stores,
 * no route out of the VPC). lib/aws/network.ts builds them; the Kubernetes side opens managed stores' ports to the
 * intra blocks.
 */
export function carvedSubnetCidrs(vpc: Cidr): { readonly private: Cidr[]; readonly public: Cidr[]; readonly intra: Cidr[] } {
  return {
    private: [0, 1, 2].map((i) => cidrSubnet(vpc, 3, i)),
    public: [0, 1, 2].map((i) => cidrSubnet(vpc, 6, 24 + i)),
    intra: [0, 1, 2].map((i) => cidrSubnet(vpc, 6, 28 + i)),
  };
}

/** The Kubernetes service CIDR an environment's cluster gets when it names none (what EKS picks for a VPC in 10.0.0.0/8). */
export const DEFAULT_KUBERNETES_SERVICE_CIDR = '172.20.0.0/16';

/** The private IPv4 blocks (RFC 1918) a Kubernetes service CIDR must lie in. */
const PRIVATE_BLOCKS: readonly Cidr[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((t) => parseCidr(t));

/**
 * Why a Kubernetes service CIDR is refused, or undefined when it is fine: an IPv4 network CIDR with a prefix from /12
 * to /24 inside one RFC 1918 block (what EKS accepts for `service_ipv4_cidr`) that does not overlap the VPC's CIDR
 * (when given).
 */
export function kubernetesServiceCidrProblem(serviceCidr: string, vpcCidr?: string): string | undefined {
  const cidr = tryParseCidr(serviceCidr);
  if (typeof cidr === 'string' || cidr.prefixLength < 12 || cidr.prefixLength > 24) {
    return 'allowed: an IPv4 network CIDR with a prefix from /12 to /24';
  }
  const end = cidr.network + cidrSize(cidr) - 1;
  if (!PRIVATE_BLOCKS.some((p) => cidr.network >= p.network && end <= p.network + cidrSize(p) - 1)) {
    return 'allowed: a block inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16';
  }
  const vpc = vpcCidr === undefined ? undefined : tryParseCidr(vpcCidr);
  if (vpc !== undefined && typeof vpc !== 'string' && cidrsOverlap(cidr, vpc)) {
    return `allowed: a block that does not overlap the VPC's ${vpc.text}`;
  }
  return undefined;
}

/**
 * The ClusterIP of the `kubernetes` Service (the API server as pods reach it): the first address of the service CIDR
 * (`.1`), e.g. 172.20.0.1 for 172.20.0.0/16.
 */
export function kubernetesApiServiceIp(serviceCidr: string = DEFAULT_KUBERNETES_SERVICE_CIDR): string {
  const cidr = parseCidr(serviceCidr, 'kubernetesServiceCidr');
  return ipToString((cidr.network + 1) >>> 0);
}

/** An environment's Kubernetes service CIDR: its `kubernetesServiceCidr`, else {@link DEFAULT_KUBERNETES_SERVICE_CIDR}. */
export function kubernetesServiceCidrOf(env: { readonly kubernetesServiceCidr?: string }): string {
  return env.kubernetesServiceCidr ?? DEFAULT_KUBERNETES_SERVICE_CIDR;
}
