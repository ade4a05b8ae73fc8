import { iamRoleArn, podLabels, portName, serviceAccountRoleArn, serviceAccountRoleName, serviceHost } from '../../lib/model/names';
import { PortProtocol } from '../../lib/model/service';

describe('names', () => {
  test('derives the service-account role name and ARN from the model', () => {
    expect(serviceAccountRoleName('shop', 'prod', 'shop', 'notification')).toBe('shop-prod-shop-notification');
    expect(serviceAccountRoleArn('shop', 'prod', '333333333333', 'shop', 'notification')).toBe('arn:aws:iam::333333333333:role/shop-prod-shop-notification');
    expect(iamRoleArn('1', 'r')).toBe('arn:aws:iam::1:role/r');
  });

  test('writes role ARNs in the partition given', () => {
    expect(serviceAccountRoleArn('shop', 'prod', '333333333333', 'shop', 'notification', 'aws-us-gov')).toBe('arn:aws-us-gov:iam::333333333333:role/shop-prod-shop-notification');
    expect(iamRoleArn('333333333333', 'r', 'aws-cn')).toBe('arn:aws-cn:iam::333333333333:role/r');
  });

  test('cuts long role names to 64 characters with a stable hash', () => {
    const long = serviceAccountRoleName('platform', 'staging', 'a-very-long-namespace-name', 'a-very-long-service-account-name');
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^platform-staging-a-very-long-namespace-name-a-very-long-[0-9a-f]{8}$/);
    expect(serviceAccountRoleName('platform', 'staging', 'a-very-long-namespace-name', 'a-very-long-service-account-name')).toBe(long);
    expect(serviceAccountRoleName('platform', 'staging', 'a-very-long-namespace-name', 'a-very-long-service-account-nam2')).not.toBe(long);
  });

  test('names ports by protocol and services by cluster DNS', () => {
    expect(portName({ name: 'web', protocol: PortProtocol.HTTP })).toBe('http-web');
    expect(serviceHost({ name: 'cart', namespace: 'shop' })).toBe('cart.shop.svc.cluster.local');
  });

  test('labels pods with the image tag as app version, or the version name for a digest', () => {
    expect(podLabels({ name: 'cart', partOf: 'shop' }, { name: 'v1', image: 'reg.example.com:5000/shop/cart:4.1.0' })).toEqual({
      'app': 'cart',
      'app.kubernetes.io/name': 'cart',
      'app.kubernetes.io/part-of': 'shop',
      'app.kubernetes.io/version': '4.1.0',
      'app.kubernetes.io/managed-by': 'eks-platform-constructs',
      'version': 'v1',
    });
    const digest = `reg/cart@sha256:${'a'.repeat(64)}`;
    expect(podLabels({ name: 'cart', partOf: 'shop' }, { name: 'v2', image: digest })['app.kubernetes.io/version']).toBe('v2');
  });
});
