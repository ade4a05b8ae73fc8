import { Testing } from 'cdk8s';
import { environments, services, imageSources } from '../fixtures/shop';
import { EbsStorageClass, EbsVolumeType, ReclaimPolicy } from '../../lib/k8s/ebs-storage-class';
import { PlatformChart } from '../../lib/k8s/platform-chart';
import { Platform } from '../../lib/model/platform';

interface StorageClassObject { kind: string; metadata: { name: string }; provisioner: string; parameters: Record<string, string>; reclaimPolicy: string; volumeBindingMode: string; allowVolumeExpansion: boolean }

describe('EbsStorageClass', () => {
  test('is encrypted, zone-aware (WaitForFirstConsumer), expandable and keeps data by default', () => {
    const chart = Testing.chart();
    new EbsStorageClass(chart, 'Gp3');
    const [sc] = Testing.synth(chart) as StorageClassObject[];
    expect(sc).toMatchObject({
      kind: 'StorageClass',
      metadata: { name: 'gp3' },
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true' },
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    });
  });

  test('takes a customer KMS key and a weaker reclaim policy only when named', () => {
    const chart = Testing.chart();
    new EbsStorageClass(chart, 'Fast', { name: 'fast', volumeType: EbsVolumeType.IO2, kmsKeyId: 'arn:aws:kms:eu-central-1:333333333333:alias/ebs', reclaimPolicy: ReclaimPolicy.DELETE });
    const [sc] = Testing.synth(chart) as StorageClassObject[];
    expect(sc.parameters).toEqual({ type: 'io2', encrypted: 'true', kmsKeyId: 'arn:aws:kms:eu-central-1:333333333333:alias/ebs' });
    expect(sc.reclaimPolicy).toBe('Delete');
  });

  test('is emitted by the platform chart for the stateful services\' class', () => {
    const chart = new PlatformChart(Testing.app(), 'platform', { platform: new Platform({ ...imageSources, name: 'shop', environments, services }), environment: 'prod' });
    expect(Testing.synth(chart).filter((o) => o.kind === 'StorageClass').map((o) => o.metadata.name)).toEqual(['gp3']);
  });

  test('fails when a stateful service names a class the chart does not emit', () => {
    const platform = new Platform({ ...imageSources,
      name: 'shop',
      environments,
      services: services.map((s) => (s.storage ? { ...s, storage: { ...s.storage, storageClassName: 'io2' } } : s)),
    });
    expect(() => new PlatformChart(Testing.app(), 'platform', { platform, environment: 'prod' })).toThrow(
      'platform: services.redis.storage.storageClassName is "io2"; allowed: a StorageClass the chart emits (gp3); add it to storageClasses',
    );
  });
});
