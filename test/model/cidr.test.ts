import { cidrSubnet, cidrsOverlap, kubernetesApiServiceIp, kubernetesServiceCidrProblem, parseCidr, tryParseCidr } from '../../lib/model/cidr';

describe('cidr', () => {
  test('parses and normalises a network CIDR', () => {
    const c = parseCidr('10.30.0.0/16');
    expect(c).toEqual({ text: '10.30.0.0/16', network: (10 << 24 | 30 << 16) >>> 0, prefixLength: 16 });
  });

  test.each([
    ['10.0.0.0', 'not an IPv4 CIDR'],
    ['10.0.0.0/33', 'prefix above 32'],
    ['300.0.0.0/16', 'octet above 255'],
    ['10.0.0.1/16', 'host bits set; the network address is 10.0.0.0/16'],
  ])('fails when %s is given', (text, message) => {
    expect(tryParseCidr(text)).toContain(message);
    expect(() => parseCidr(text, 'vpcCidr')).toThrow(`vpcCidr: '${text}'`);
  });

  test('detects overlap and disjointness', () => {
    expect(cidrsOverlap(parseCidr('10.0.0.0/16'), parseCidr('10.0.128.0/17'))).toBe(true);
    expect(cidrsOverlap(parseCidr('10.0.0.0/16'), parseCidr('10.1.0.0/16'))).toBe(false);
  });

  test('carves sub-blocks like Terraform cidrsubnet', () => {
    const vpc = parseCidr('10.30.0.0/16');
    expect(cidrSubnet(vpc, 2, 0).text).toBe('10.30.0.0/18');
    expect(cidrSubnet(vpc, 2, 3).text).toBe('10.30.192.0/18');
    expect(cidrSubnet(cidrSubnet(vpc, 2, 3), 3, 5).text).toBe('10.30.232.0/21');
    expect(() => cidrSubnet(vpc, 2, 4)).toThrow('index 4 is outside 0..3');
  });

  test('the API server\'s ClusterIP is the service CIDR\'s first address', () => {
    expect(kubernetesApiServiceIp()).toBe('172.20.0.1');
    expect(kubernetesApiServiceIp('10.100.0.0/16')).toBe('10.100.0.1');
    expect(kubernetesApiServiceIp('192.168.4.0/24')).toBe('192.168.4.1');
  });

  test('a service CIDR is a private /12 to /24 network apart from the VPC', () => {
    expect(kubernetesServiceCidrProblem('172.20.0.0/16', '10.0.0.0/16')).toBeUndefined();
    expect(kubernetesServiceCidrProblem('10.100.0.0/16', '10.0.0.0/16')).toBeUndefined();
    expect(kubernetesServiceCidrProblem('10.0.128.0/20', '10.0.0.0/16')).toBe("allowed: a block that does not overlap the VPC's 10.0.0.0/16");
    expect(kubernetesServiceCidrProblem('8.8.0.0/16', '10.0.0.0/16')).toMatch(/inside 10\.0\.0\.0\/8/);
    expect(kubernetesServiceCidrProblem('172.16.0.0/11', '10.0.0.0/16')).toMatch(/prefix from \/12 to \/24/);
  });
});
