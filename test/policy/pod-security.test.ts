import { checkPodSecurity, formatViolation, PodSecurityControl, type KubernetesObject } from '../../lib/policy/pod-security';

/** A pod spec that passes every control; each test breaks one thing. */
function goodPodSpec(): Record<string, unknown> {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{
      name: 'app',
      image: 'registry.example.com/app:1.2.3',
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
      readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
      livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
    }],
    volumes: [{ name: 'tmp', emptyDir: {} }, { name: 'cfg', configMap: { name: 'cfg' } }],
  };
}

function deployment(mutate: (spec: Record<string, any>) => void = () => undefined, annotations: Record<string, string> = {}): KubernetesObject {
  const spec = goodPodSpec();
  mutate(spec);
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: 'shop' }, spec: { template: { metadata: { annotations }, spec } } };
}

const controls = (obj: KubernetesObject) => [...new Set(checkPodSecurity([obj]).map((v) => v.control))].sort();

describe('checkPodSecurity', () => {
  test('passes a pod spec that meets "restricted" and the platform rules', () => {
    expect(checkPodSecurity([deployment()])).toEqual([]);
  });

  test('ignores objects without pod templates and finds templates in Pods, StatefulSets, Jobs and CronJobs', () => {
    const bad = { ...goodPodSpec(), hostPID: true };
    expect(checkPodSecurity([{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { hostPID: true } }])).toEqual([]);
    for (const obj of [
      { kind: 'Pod', metadata: { name: 'p' }, spec: bad },
      { kind: 'StatefulSet', metadata: { name: 's' }, spec: { template: { spec: bad } } },
      { kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: bad } } },
      { kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: { spec: bad } } } } },
    ]) {
      expect(controls(obj)).toEqual([PodSecurityControl.HOST_NAMESPACES]);
    }
  });

  test('fails when the pod template of an Argo Rollout, or of any kind with spec.template.spec.containers, breaks a rule', () => {
    const bad = { ...goodPodSpec(), hostPID: true };
    for (const obj of [
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'r' }, spec: { template: { spec: bad } } },
      { apiVersion: 'example.com/v1', kind: 'Worker', metadata: { name: 'w' }, spec: { template: { spec: bad } } },
    ]) {
      expect(controls(obj)).toEqual([PodSecurityControl.HOST_NAMESPACES]);
      expect(checkPodSecurity([obj])[0].field).toBe('spec.template.spec.hostPID');
    }
    // an Argo Rollout with workloadRef (no template of its own), or a kind whose template has no containers: nothing to judge
    expect(checkPodSecurity([{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'r' }, spec: { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } } }])).toEqual([]);
    expect(checkPodSecurity([{ apiVersion: 'example.com/v1', kind: 'Other', metadata: { name: 'o' }, spec: { template: { spec: { hostPID: true } } } }])).toEqual([]);
  });

  test('accepts a Windows pod (spec.os.name windows) without allowPrivilegeEscalation, capabilities or seccomp: Pod Security Admission skips them from 1.25', () => {
    const windows = (mutate: (s: Record<string, any>) => void = () => undefined) => deployment((s) => {
      s.os = { name: 'windows' };
      delete s.securityContext.seccompProfile;
      s.containers[0].securityContext = {};
      mutate(s);
    });
    expect(checkPodSecurity([windows()])).toEqual([]);
    expect(controls(windows((s) => { s.containers[0].securityContext.capabilities = { add: ['CHOWN'] }; }))).toEqual([]);
    // the other rules still hold for a Windows pod
    expect(controls(windows((s) => { s.containers[0].securityContext.runAsUser = 0; }))).toEqual([PodSecurityControl.RUN_AS_USER]);
    expect(controls(windows((s) => { s.containers[0].securityContext.capabilities = { add: ['SYS_ADMIN'] }; }))).toEqual([PodSecurityControl.CAPABILITIES_BASELINE]);
    expect(controls(windows((s) => { s.securityContext.seccompProfile = { type: 'Unconfined' }; }))).toEqual([PodSecurityControl.SECCOMP_BASELINE]);
    // a Linux pod (os linux, or unset) is judged as before
    expect(controls(windows((s) => { s.os = { name: 'linux' }; }))).toEqual([PodSecurityControl.CAPABILITIES_RESTRICTED, PodSecurityControl.PRIVILEGE_ESCALATION, PodSecurityControl.SECCOMP_RESTRICTED]);
  });

  test.each([
    ['host network', (s: Record<string, any>) => { s.hostNetwork = true; }, PodSecurityControl.HOST_NAMESPACES],
    ['host IPC', (s: Record<string, any>) => { s.hostIPC = true; }, PodSecurityControl.HOST_NAMESPACES],
    ['a HostProcess container', (s: Record<string, any>) => { s.containers[0].securityContext.windowsOptions = { hostProcess: true }; }, PodSecurityControl.HOST_PROCESS],
    ['a privileged container', (s: Record<string, any>) => { s.containers[0].securityContext.privileged = true; }, PodSecurityControl.PRIVILEGED],
    ['a host port', (s: Record<string, any>) => { s.containers[0].ports = [{ containerPort: 80, hostPort: 80 }]; }, PodSecurityControl.HOST_PORTS],
    ['an unconfined AppArmor profile', (s: Record<string, any>) => { s.securityContext.appArmorProfile = { type: 'Unconfined' }; }, PodSecurityControl.APPARMOR],
    ['a custom SELinux type', (s: Record<string, any>) => { s.containers[0].securityContext.seLinuxOptions = { type: 'spc_t' }; }, PodSecurityControl.SELINUX],
    ['a SELinux user', (s: Record<string, any>) => { s.securityContext.seLinuxOptions = { user: 'system_u' }; }, PodSecurityControl.SELINUX],
    ['an unmasked /proc', (s: Record<string, any>) => { s.containers[0].securityContext.procMount = 'Unmasked'; }, PodSecurityControl.PROC_MOUNT],
    ['an unsafe sysctl', (s: Record<string, any>) => { s.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }]; }, PodSecurityControl.SYSCTLS],
    ['a non-core volume type', (s: Record<string, any>) => { s.volumes.push({ name: 'n', nfs: { server: 'x', path: '/' } }); }, PodSecurityControl.VOLUME_TYPES],
    ['privilege escalation left unset', (s: Record<string, any>) => { delete s.containers[0].securityContext.allowPrivilegeEscalation; }, PodSecurityControl.PRIVILEGE_ESCALATION],
    ['runAsNonRoot false on a container', (s: Record<string, any>) => { s.containers[0].securityContext.runAsNonRoot = false; }, PodSecurityControl.RUN_AS_NON_ROOT],
    ['runAsNonRoot unset everywhere', (s: Record<string, any>) => { delete s.securityContext.runAsNonRoot; }, PodSecurityControl.RUN_AS_NON_ROOT],
    ['runAsUser 0', (s: Record<string, any>) => { s.containers[0].securityContext.runAsUser = 0; }, PodSecurityControl.RUN_AS_USER],
    ['no seccomp profile on the pod or the container', (s: Record<string, any>) => { delete s.securityContext.seccompProfile; }, PodSecurityControl.SECCOMP_RESTRICTED],
    ['an added capability other than NET_BIND_SERVICE', (s: Record<string, any>) => { s.containers[0].securityContext.capabilities.add = ['CHOWN']; }, PodSecurityControl.CAPABILITIES_RESTRICTED],
    ['capabilities not dropped', (s: Record<string, any>) => { s.containers[0].securityContext.capabilities = {}; }, PodSecurityControl.CAPABILITIES_RESTRICTED],
    ['no memory limit', (s: Record<string, any>) => { delete s.containers[0].resources.limits.memory; }, PodSecurityControl.RESOURCES],
    ['no cpu request', (s: Record<string, any>) => { delete s.containers[0].resources.requests.cpu; }, PodSecurityControl.RESOURCES],
    ['no readiness probe', (s: Record<string, any>) => { delete s.containers[0].readinessProbe; }, PodSecurityControl.PROBES],
    ['no liveness probe', (s: Record<string, any>) => { delete s.containers[0].livenessProbe; }, PodSecurityControl.PROBES],
    ['a latest image', (s: Record<string, any>) => { s.containers[0].image = 'nginx:latest'; }, PodSecurityControl.PINNED_IMAGE],
    ['an untagged image', (s: Record<string, any>) => { s.containers[0].image = 'nginx'; }, PodSecurityControl.PINNED_IMAGE],
  ])('fails when a pod has %s', (_name, mutate, control) => {
    expect(controls(deployment(mutate))).toEqual([control]);
  });

  test('fails when a pod mounts a host path (baseline and restricted volume rules)', () => {
    const obj = deployment((s) => { s.volumes.push({ name: 'sock', hostPath: { path: '/var/run/docker.sock' } }); });
    expect(controls(obj)).toEqual([PodSecurityControl.HOST_PATH, PodSecurityControl.VOLUME_TYPES]);
  });

  test('fails when a capability outside the baseline set is added (both levels)', () => {
    expect(controls(deployment((s) => { s.containers[0].securityContext.capabilities.add = ['SYS_ADMIN']; }))).toEqual([PodSecurityControl.CAPABILITIES_BASELINE, PodSecurityControl.CAPABILITIES_RESTRICTED]);
  });

  test('fails when seccomp is Unconfined, and accepts it set on every container instead of the pod', () => {
    expect(controls(deployment((s) => { s.containers[0].securityContext.seccompProfile = { type: 'Unconfined' }; }))).toEqual([PodSecurityControl.SECCOMP_BASELINE, PodSecurityControl.SECCOMP_RESTRICTED]);
    expect(controls(deployment((s) => { delete s.securityContext.seccompProfile; s.containers[0].securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' }; }))).toEqual([]);
  });

  test('fails when an AppArmor annotation is unconfined', () => {
    expect(controls(deployment(() => undefined, { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' }))).toEqual([PodSecurityControl.APPARMOR]);
  });

  test('fails when the pod sets runAsNonRoot false, even when every container sets true (as Kubernetes)', () => {
    const obj = deployment((s) => { s.securityContext.runAsNonRoot = false; s.containers[0].securityContext.runAsNonRoot = true; });
    expect(checkPodSecurity([obj]).map((v) => [v.control, v.field])).toEqual([[PodSecurityControl.RUN_AS_NON_ROOT, 'spec.template.spec.securityContext.runAsNonRoot']]);
  });

  test('fails when an AppArmor annotation names a profile kind other than runtime/default or localhost/*, or the field is Unconfined', () => {
    expect(controls(deployment(() => undefined, { 'container.apparmor.security.beta.kubernetes.io/app': 'custom' }))).toEqual([PodSecurityControl.APPARMOR]);
    expect(controls(deployment((s) => { s.containers[0].securityContext.appArmorProfile = { type: 'Unconfined' }; }))).toEqual([PodSecurityControl.APPARMOR]);
  });

  test('accepts what Kubernetes accepts in the lists that grew after 1.28, and empty or unset values', () => {
    const ok = deployment((s) => {
      s.securityContext.sysctls = ['net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_probes', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'].map((name) => ({ name, value: '1' }));
      s.securityContext.seLinuxOptions = { type: 'container_engine_t', level: 's0:c1,c2', user: '', role: '' };
      s.securityContext.appArmorProfile = { type: 'Localhost', localhostProfile: 'k8s-app' };
      s.volumes.push({ name: 'data', image: { reference: 'registry.example.com/data:1.0' } }, { name: 'scratch' });
      s.containers[0].securityContext.procMount = 'Default';
      s.containers[0].securityContext.windowsOptions = { hostProcess: false };
    }, {
      'container.apparmor.security.beta.kubernetes.io/app': 'localhost/k8s-app',
      'container.apparmor.security.beta.kubernetes.io/init': '',
      'container.apparmor.security.beta.kubernetes.io/sidecar': 'runtime/default',
    });
    expect(checkPodSecurity([ok])).toEqual([]);
  });

  test('checks init containers too, and allows NET_BIND_SERVICE to be added', () => {
    const obj = deployment((s) => {
      s.initContainers = [{ name: 'init', image: 'busybox:1.36', securityContext: { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }, resources: s.containers[0].resources }];
    });
    const violations = checkPodSecurity([obj]);
    expect(violations.map((v) => [v.container, v.control, v.field])).toEqual([
      ['init', PodSecurityControl.PRIVILEGE_ESCALATION, 'spec.template.spec.initContainers[0].securityContext.allowPrivilegeEscalation'],
    ]);
  });

  test('reports kind, namespace, name, container and field', () => {
    const [v] = checkPodSecurity([deployment((s) => { s.containers[0].securityContext.privileged = true; })]);
    expect(v).toEqual(expect.objectContaining({ kind: 'Deployment', name: 'app', namespace: 'shop', container: 'app', field: 'spec.template.spec.containers[0].securityContext.privileged' }));
    expect(formatViolation(v)).toBe('Deployment shop/app container app: spec.template.spec.containers[0].securityContext.privileged: must be unset or false [baseline/privileged]');
  });
});
