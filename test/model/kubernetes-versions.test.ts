import { KUBERNETES_VERSIONS, kubernetesVersionSupport, kubernetesVersionWarning } from '../../lib/model/kubernetes-versions';
import { arnPartition } from '../../lib/model/partition';

describe('Kubernetes versions', () => {
  test('gives every version its standard and extended support end and a source', () => {
    expect(kubernetesVersionSupport('1.33')).toMatchObject({ standardSupportEnd: '2026-07-29', extendedSupportEnd: '2027-07-29' });
    for (const v of KUBERNETES_VERSIONS) {
      expect(v.source).toMatch(/^https:\/\//);
      // EKS: 14 months of standard support, then 12 of extended support
      expect(Date.parse(v.extendedSupportEnd) - Date.parse(v.standardSupportEnd)).toBeGreaterThanOrEqual(365 * 24 * 3600 * 1000);
      expect(v.standardSupportEnd > v.eksReleaseDate).toBe(true);
    }
  });

  test('warns from 90 days before standard support ends, and after', () => {
    expect(kubernetesVersionWarning('1.33', new Date('2026-04-29T23:59:00Z'))).toBeUndefined();
    expect(kubernetesVersionWarning('1.33', new Date('2026-04-30T00:00:00Z'))).toMatch(/^Kubernetes 1\.33 leaves EKS standard support on 2026-07-29 \(in 90 days\): then, with upgrade policy STANDARD, EKS upgrades the control plane by itself/);
    expect(kubernetesVersionWarning('1.33', new Date('2026-12-01T00:00:00Z'))).toMatch(/^Kubernetes 1\.33 left EKS standard support on 2026-07-29: with upgrade policy STANDARD, EKS upgrades the control plane/);
    expect(kubernetesVersionWarning('1.33', new Date('2026-12-01T00:00:00Z'), true)).toMatch(/extended support \(billed per cluster hour\) until 2027-07-29/);
    expect(kubernetesVersionWarning('1.31', new Date('2026-12-01T00:00:00Z'))).toMatch(/^Kubernetes 1\.31 left EKS extended support on 2026-11-26/);
    expect(kubernetesVersionWarning('1.35', new Date('2026-12-01T00:00:00Z'))).toBeUndefined();
    expect(kubernetesVersionWarning('1.20', new Date('2026-12-01T00:00:00Z'))).toMatch(/no EKS support dates known/);
  });

  test('derives the ARN partition from the region', () => {
    expect(arnPartition('eu-central-1')).toBe('aws');
    expect(arnPartition('us-gov-west-1')).toBe('aws-us-gov');
    expect(arnPartition('cn-north-1')).toBe('aws-cn');
    expect(arnPartition('eusc-de-east-1')).toBe('aws-eusc');
    expect(arnPartition('cn-south-9')).toBe('aws-cn');
  });
});
