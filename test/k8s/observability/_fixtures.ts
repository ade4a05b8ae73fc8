/** The reference platform of apps/platform.ts with `observability` set, for the observability tests. */
import { environments, imageSources, services } from '../../fixtures/shop';
import type { ObservabilityConfig } from '../../../lib/model/observability';
import { Platform, type PlatformProps } from '../../../lib/model/platform';
import type { ServiceDefinition } from '../../../lib/model/service';

export const OBSERVABILITY: ObservabilityConfig = {
  runbookBaseUrl: 'https://git.example.com/shop/platform/-/blob/main/dist',
  alerting: {
    pagerDutyRoutingKey: { name: 'alerting', key: 'pagerduty' },
    slack: { apiUrl: { name: 'alerting', key: 'slack-url' }, channel: '#shop-alerts' },
    email: { to: 'ops@example.com', from: 'alerts@example.com', smarthost: 'smtp.example.com:587' },
  },
};

/** The reference platform, observed; `change` edits services by name, `props` the rest. */
export function observedPlatform(change: Readonly<Record<string, Partial<ServiceDefinition>>> = {}, props: Partial<PlatformProps> = {}): Platform {
  return new Platform({
    name: 'shop',
    environments,
    services: services.map((s) => ({ ...s, ...(change[s.name] ?? {}) })),
    tags: { Project: 'shop' },
    observability: OBSERVABILITY,
    ...imageSources,
    ...props,
  });
}
