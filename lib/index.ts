// Re-exports only. Each area adds its lines under its own heading.

// model: the platform both worlds read
export * from './model';

// aws: network, cluster, node groups, service-account roles (issue 2)
export * from './aws/addon-versions';
export * from './aws/cluster-autoscaler-role';
export * from './aws/container-registry';
export * from './aws/registry-stack';
export * from './aws/vpc-endpoints';
export * from './aws/eks-cluster';
export * from './aws/kms-key';
export * from './aws/network';
export * from './aws/node-groups';
export * from './aws/platform-stack';
export * from './aws/remote-state';
export * from './aws/service-account-role';

// aws: backups (issue 3)
export * from './aws/backup-bucket';
export * from './aws/bucket-replication';
export * from './aws/cost-projection';
export * from './aws/data/s3-prices-eu-central-1';
export * from './aws/lifecycle';
export * from './aws/platform-backups';
export * from './aws/velero-role';

// k8s: workloads, namespaces, network policies (issue 4)
export * from './k8s/disruption-budget';
export * from './k8s/ebs-storage-class';
export * from './k8s/hardening';
export * from './k8s/microservice';
export * from './k8s/network-policies';
export * from './k8s/platform-chart';
export * from './k8s/platform-namespace';
export * from './k8s/quota';
export * from './k8s/sidecar';
export * from './k8s/stateful-service';
export * from './k8s/workload-props';
export * from './policy/pod-security';
export * from './policy/workload-rules';
export * from './k8s/admission/platform-admission';
export * from './k8s/admission/pod-admission-rules';

// k8s: mesh (issue 5)
export * from './k8s/mesh/istio-resources';
export * from './k8s/mesh/platform-mesh';
export * from './k8s/mesh/public-gateway';
export * from './k8s/mesh/release-routing';
export * from './k8s/mesh/service-routing';
export * from './k8s/mesh/service-zero-trust';
export * from './k8s/mesh/traffic-options';
export * from './policy/istio-analyze';

// k8s: add-ons as Argo CD Applications of pinned Helm charts
export * from './k8s/addons/argo-cd-application';
export * from './k8s/addons/cluster-autoscaler-addon';
export * from './k8s/addons/istio-addon';
export * from './k8s/addons/metrics-adapter-addon';
export * from './k8s/addons/platform-addons';
export * from './k8s/addons/velero-addon';
export * from './k8s/addons/versions';

// k8s: observability (monitoring, alerts, dashboards, runbooks)
export * from './k8s/observability/alert-rules';
export * from './k8s/observability/dashboards';
export * from './k8s/observability/platform-observability';
export * from './k8s/observability/prometheus-resources';
export * from './k8s/observability/runbooks';

// backups and restore: Velero's objects, the restore check, their alerts and the rules between Velero and the bucket
export * from './model/backup-rules';
export * from './k8s/backups/backup-alerts';
export * from './k8s/backups/restore-check';
export * from './k8s/backups/velero-backups';
export * from './k8s/backups/velero-resources';

// secrets (issue 12): Secrets Manager secrets and grants, External Secrets Operator and its objects
export * from './aws/service-secrets';
export * from './k8s/addons/external-secrets-addon';
export * from './k8s/secrets/external-secrets';
export * from './k8s/secrets/service-secret-sync';

// types of public props that live in private files
export type { PolicyCondition, PolicyPrincipal, PolicyStatement } from './aws/_iam';
export type { WorkloadProbes } from './k8s/_workload';
export type { IstioResourceShape } from './k8s/mesh/_istio-object';

// policy and synth
export * from './policy/check';
export * from './policy/gate';
export * from './policy/suppressions';
export * from './policy/terraform-rules';
export * from './synth';

// the main job: one function and the eks-platform command (issue 8)
export * from './app/cost-report';
export * from './app/kubernetes-app';
export * from './app/load-platform';
export * from './app/synthesize';
export * from './app/platform-picture';
export * from './app/drift';
export * from './k8s/gitops/platform-application';
export * from './k8s/gitops/sync-waves';
export * from './app/terraform-app';
export { parseCommandLine, runCommand, type CheckCommand, type CommandOutput, type CostCommand, type SynthCommand } from './cli';

// data stores: PostgreSQL and Redis, managed or in the cluster (issue 12)
export * from './aws/data-stores/data-store-credentials';
export * from './aws/data-stores/managed-postgres';
export * from './aws/data-stores/managed-redis';
export * from './aws/data-stores/managed-store-network';
export * from './aws/data-stores/platform-data-stores';
export * from './k8s/addons/cloudnative-pg-addon';
export * from './k8s/addons/redis-ha-addon';
export * from './k8s/data-stores/cnpg-resources';
export * from './k8s/data-stores/managed-store-address';
export * from './k8s/data-stores/platform-data-stores';
export * from './k8s/data-stores/postgres-cluster';
export * from './k8s/data-stores/redis-store';
export * from './k8s/data-stores/store-credentials';
