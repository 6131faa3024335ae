import { describe, expect, it } from 'vitest';

import { services } from '../src/apps.ts';
import {
  dataOf,
  type K8sObject,
  kubernetesSchemaProblems,
  renderKustomization,
  type Workload,
  workloads,
} from '../src/kubernetes.ts';
import {
  mappingConfigMapProblems,
  overlayProblems,
  serviceWorkloadProblems,
  unreadMappingFiles,
} from '../src/kubernetes-checks.ts';

const overlays = {
  demo: renderKustomization('deploy/k8s/overlays/demo'),
  production: renderKustomization('deploy/k8s/overlays/production'),
} as const;
const base = renderKustomization('deploy/k8s/base');

const byName = (objects: readonly K8sObject[], name: string) => {
  const workload = workloads(objects).find((w) => w.metadata.name === name);
  if (!workload) throw new Error(`no workload ${name}`);
  return workload;
};

/** A copy of the demo with one workload changed, checked as that service. */
function brokenDemo(name: string, change: (workload: Workload) => void): string[] {
  const objects = structuredClone<K8sObject[]>(overlays.demo);
  const workload = byName(objects, name);
  change(workload);
  const app = services.find((s) => s.name === name);
  if (!app) throw new Error(`no service ${name}`);
  return serviceWorkloadProblems(app, workload, objects, { secretsIncluded: true });
}
const container = (workload: Workload) => {
  const first = workload.spec.template.spec.containers[0];
  if (!first) throw new Error('no container');
  return first;
};

describe.each(Object.entries(overlays))('kubectl kustomize deploy/k8s/overlays/%s', (overlay, objects) => {
  it('renders objects that validate against the Kubernetes schemas', async () => {
    expect(objects.length).toBeGreaterThan(10);
    const problems = (await Promise.all(objects.map((o) => kubernetesSchemaProblems(o)))).flat();
    expect(problems).toEqual([]);
  });

  it('runs each service as its config schema, health routes and the mapping tables require', () => {
    expect(overlayProblems(objects, overlay as 'demo' | 'production')).toEqual([]);
  });

  it('puts everything in its own namespace', () => {
    const namespaces = new Set(
      objects.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace),
    );
    expect([...namespaces]).toEqual([overlay === 'demo' ? 'primero-oscar-sync-demo' : 'primero-oscar-sync']);
  });
});

describe('the Kubernetes base', () => {
  it('holds no Secret and no credential value', () => {
    expect(base.filter((o) => o.kind === 'Secret')).toEqual([]);
    const literals = workloads(base).flatMap((w) =>
      w.spec.template.spec.containers.flatMap((c) => c.env ?? []),
    );
    for (const variable of literals) {
      if (/PASSWORD|TOKEN|_KEY$|DATABASE_URL|AMQP_URL/.test(variable.name))
        expect(variable.value, variable.name).toBeUndefined();
    }
  });

  it('generates the mapping tables from a copy equal to config/mappings', () => {
    const configMap = base.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('mapping-tables'),
    );
    if (!configMap) throw new Error('no mapping-tables ConfigMap in the base');
    expect(mappingConfigMapProblems(configMap)).toEqual([]);
    expect(unreadMappingFiles(), 'a table in config/mappings that no service reads').toEqual([]);
  });
});

describe('the checks reject a broken manifest', () => {
  it('a schema violation', async () => {
    const workload = structuredClone(byName(overlays.production, 'primero-writer'));
    (workload.spec as Record<string, unknown>).replicas = 'two';
    container(workload).ports = [{ name: 'http', containerPort: '8080' as unknown as number }];
    const problems = (await kubernetesSchemaProblems(workload)).join('\n');
    expect(problems).toMatch(/replicas must be integer/);
    expect(
      await kubernetesSchemaProblems({ apiVersion: 'apps/v1', kind: 'Deploymnt', metadata: { name: 'x' } }),
    ).toEqual(['Deploymnt x: no schema for apps/v1 Deploymnt']);
  });

  it('a mapping table that differs from config/mappings', () => {
    const configMap = structuredClone(
      base.find((o) => o.metadata.name.startsWith('mapping-tables')),
    ) as K8sObject;
    const data = configMap.data as Record<string, string>;
    data['provinces.csv'] = `${data['provinces.csv']}99,Nowhere,mgrnowhere,\n`;
    delete data['genders.csv'];
    expect(mappingConfigMapProblems(configMap)).toEqual([
      `ConfigMap ${configMap.metadata.name}: provinces.csv differs from config/mappings: run cp config/mappings/manifest.json config/mappings/*.csv deploy/k8s/base/mappings/`,
      `ConfigMap ${configMap.metadata.name} lacks genders.csv: add it to the configMapGenerator and run cp config/mappings/manifest.json config/mappings/*.csv deploy/k8s/base/mappings/`,
    ]);
    expect(dataOf(configMap)['manifest.json']).toContain('"version"');
  });

  it.each([
    [
      'an unknown variable',
      'primero-writer',
      (w: Workload) => container(w).env?.push({ name: 'POLL_INTERVAL_MS', value: '2000' }),
      'POLL_INTERVAL_MS is not read by @pos/primero-writer',
    ],
    [
      'a literal password',
      'oscar-poller',
      (w: Workload) => {
        const password = container(w).env?.find((e) => e.name === 'OSCAR_PASSWORD');
        if (password) Object.assign(password, { value: 'hunter2', valueFrom: undefined });
      },
      'take OSCAR_PASSWORD from a Secret',
    ],
    [
      'a missing credential',
      'oscar-writer',
      (w: Workload) => {
        const c = container(w);
        c.env = (c.env ?? []).filter((e) => e.name !== 'DEAD_LETTER_KEY');
      },
      'take DEAD_LETTER_KEY from a Secret (secretKeyRef), it is not set',
    ],
    [
      'an invalid value',
      'primero-poller',
      (w: Workload) => container(w).env?.push({ name: 'PRIMERO_PAGE_SIZE', value: '5000' }),
      'PRIMERO_PAGE_SIZE="5000" is invalid',
    ],
    [
      'a wrong liveness path',
      'primero-poller',
      (w: Workload) => void (container(w).livenessProbe = { httpGet: { path: '/healthz', port: 'http' } }),
      'livenessProbe must GET /health/live',
    ],
    [
      'no readiness probe',
      'oscar-writer',
      (w: Workload) => void delete container(w).readinessProbe,
      'add a readinessProbe httpGet /health/ready',
    ],
    [
      'a port that is not HTTP_PORT',
      'oscar-writer',
      (w: Workload) => void (container(w).ports = [{ name: 'http', containerPort: 9090 }]),
      'make it HTTP_PORT (8080)',
    ],
    ['two pollers', 'oscar-poller', (w: Workload) => void (w.spec.replicas = 2), 'a poller runs one replica'],
    [
      'a rolling poller',
      'oscar-poller',
      (w: Workload) => void (w.spec.strategy = { type: 'RollingUpdate' }),
      'use strategy Recreate',
    ],
    [
      'replicas that WRITER_REPLICAS does not know',
      'primero-writer',
      (w: Workload) => void (w.spec.replicas = 3),
      'WRITER_REPLICAS=2 must equal replicas (3)',
    ],
    [
      'a short grace period',
      'primero-writer',
      (w: Workload) => void (w.spec.template.spec.terminationGracePeriodSeconds = 10),
      'must exceed SHUTDOWN_TIMEOUT_MS',
    ],
    [
      'no memory limit',
      'primero-writer',
      (w: Workload) => void (container(w).resources = { requests: { memory: '192Mi' } }),
      'resources.limits.memory',
    ],
    [
      'a scrape path that is not served',
      'oscar-poller',
      (w: Workload) => {
        const annotations = w.spec.template.metadata?.annotations;
        if (annotations) annotations['prometheus.io/path'] = '/prometheus';
      },
      'prometheus.io/path (/prometheus) is not a route',
    ],
    [
      'root allowed',
      'oscar-poller',
      (w: Workload) => void (w.spec.template.spec.securityContext = {}),
      'runAsNonRoot',
    ],
    [
      'the mapping tables not mounted',
      'primero-writer',
      (w: Workload) => void (container(w).volumeMounts = []),
      'mount the mapping tables ConfigMap',
    ],
  ])('%s', (_name, service, change, expected) => {
    expect(brokenDemo(service, change).join('\n')).toContain(expected);
  });

  it('a production overlay with a simulator, a Secret, or a demo pointing at a real server', () => {
    const withSimulator = [
      ...overlays.production,
      ...overlays.demo.filter((o) => o.metadata.name === 'primero-sim' || o.kind === 'Secret'),
    ];
    const problems = overlayProblems(withSimulator, 'production').join('\n');
    expect(problems).toContain('production runs simulators: primero-sim');
    expect(problems).toContain('production renders a Secret');
    const realUpstream = structuredClone<K8sObject[]>(overlays.demo);
    const settings = realUpstream.find((o) => o.metadata.name.startsWith('sync-settings')) as K8sObject;
    (settings.data as Record<string, string>).OSCAR_BASE_URL = 'https://oscar.example.org';
    expect(overlayProblems(realUpstream, 'demo').join('\n')).toContain(
      "oscar-poller: https://oscar.example.org is not a simulator's Service",
    );
  });

  it('services that disagree on PARTITIONS', () => {
    const objects = structuredClone<K8sObject[]>(overlays.production);
    // The last of two entries wins, as in Kubernetes.
    container(byName(objects, 'oscar-writer')).env?.push({ name: 'PARTITIONS', value: '8' });
    const problems = overlayProblems(objects, 'production').join('\n');
    expect(problems).toContain('PARTITIONS differs between the services');
    expect(problems).toContain('PARTITIONS is set twice');
  });
});

describe('renderKustomization', () => {
  it('says what failed when kustomize cannot render', () => {
    expect(() => renderKustomization('deploy/k8s/overlays/missing')).toThrow(
      /kubectl kustomize deploy\/k8s\/overlays\/missing failed/,
    );
  });
});
