/**
 * The platform's container registry in an account of its own (a shared-services account that no environment runs
 * in): a stack named `registry` beside the environments' stacks, with its own provider and S3 state. When the
 * registry's account and region are an environment's, that environment's {@link PlatformStack} creates it instead.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { Platform } from '../model/platform';
import { ContainerRegistry } from './container-registry';

/** The name of the registry's stack (`cdktf.out/stacks/registry`, `cdktf deploy registry`). */
export const REGISTRY_STACK = 'registry';

/** Options of a {@link RegistryStack}. */
export interface RegistryStackProps {
  /** The platform: its `registry` account and region, its services (one repository each) and its environments' accounts (pull access). */
  readonly platform: Platform;
  /** The S3 bucket of the stack's state, in the registry's account. @default `<platform>-registry-<account>-tfstate` */
  readonly stateBucket?: string;
}

/** A stack that creates the platform's ECR repositories in the registry's own account. */
export class RegistryStack extends TerraformStack {
  /** The registry. */
  public readonly registry: ContainerRegistry;
  /** The provider, pinned to the registry's account and region. */
  public readonly provider: AwsProvider;

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id);
    const { platform } = props;
    const r = platform.registry;
    this.provider = new AwsProvider(this, 'aws', {
      region: r.region,
      allowedAccountIds: [r.accountId],
      defaultTags: [{ tags: Object.fromEntries(Object.entries({ ...platform.tags, Environment: REGISTRY_STACK }).sort(([a], [b]) => a.localeCompare(b))) }],
    });
    const backend = new S3Backend(this, {
      bucket: props.stateBucket ?? `${platform.name}-registry-${r.accountId}-tfstate`,
      key: `${REGISTRY_STACK}/terraform.tfstate`,
      region: r.region,
      encrypt: true,
    });
    backend.addOverride('use_lockfile', true);
    this.registry = ContainerRegistry.fromPlatform(this, 'ContainerRegistry', platform);
    new TerraformOutput(this, 'container_registry', { value: r.host });
    for (const service of [...platform.services].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`))) {
      new TerraformOutput(this, `repository_url_${service.namespace}_${service.name}`, { value: this.registry.repositoryOf(service).resource.repositoryUrl });
    }
  }
}
