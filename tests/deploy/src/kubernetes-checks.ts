import { readdirSync } from 'node:fs';

import { mappingFileNames } from '@pos/mapping';
import { ConfigError, loadConfig } from '@pos/runtime';

import {
  appOfImage,
  imageProblems,
  optionalCredentials,
  readRepositoryFile,
  type ServiceApp,
  services,
  simulators,
} from './apps.ts';
import {
  type Container,
  dataOf,
  findObject,
  type K8sObject,
  memoryBytes,
  type Probe,
  resolveEnvironment,
  type Workload,
  workloads,
} from './kubernetes.ts';

/** The files of config/mappings the services read, by name, as the ConfigMap must hold them. */
export function mappingFiles(): Record<string, string> {
  const names = ['manifest.json', ...mappingFileNames];
  return Object.fromEntries(names.map((name) => [name, readRepositoryFile(`config/mappings/${name}`)]));
}

/** Mapping table files in config/mappings that the services do not read (besides its README). */
export function unreadMappingFiles(): string[] {
  const known = new Set(['README.md', 'manifest.json', ...mappingFileNames]);
  return readdirSync(new URL('../../../config/mappings/', import.meta.url)).filter(
    (name) => !known.has(name),
  );
}

const syncMappings = 'cp config/mappings/manifest.json config/mappings/*.csv deploy/k8s/base/mappings/';

/** A ConfigMap's data against config/mappings, file by file. */
export function mappingConfigMapProblems(configMap: K8sObject): string[] {
  const expected = mappingFiles();
  const actual = dataOf(configMap);
  const problems: string[] = [];
  for (const [name, content] of Object.entries(expected)) {
    if (!(name in actual))
      problems.push(
        `ConfigMap ${configMap.metadata.name} lacks ${name}: add it to the configMapGenerator and run ${syncMappings}`,
      );
    else if (actual[name] !== content)
      problems.push(
        `ConfigMap ${configMap.metadata.name}: ${name} differs from config/mappings: run ${syncMappings}`,
      );
  }
  for (const name of Object.keys(actual)) {
    if (!(name in expected))
      problems.push(`ConfigMap ${configMap.metadata.name} holds ${name}, which the services do not read`);
  }
  return problems;
}

/** Every check of one service's workload; `secrets` says whether the overlay brings its Secret. */
export function serviceWorkloadProblems(
  app: ServiceApp,
  workload: Workload,
  objects: readonly K8sObject[],
  options: { secretsIncluded: boolean },
): string[] {
  const problems: string[] = [];
  const where = `${workload.kind} ${workload.metadata.name}`;
  const pod = workload.spec.template;
  const container = pod.spec.containers.find((c) => appOfImage(c.image) === app);
  if (!container) return [`${where}: no container runs ${app.image}`];

  if (app.role === 'poller') {
    if (workload.kind !== 'Deployment') problems.push(`${where}: run a poller as a Deployment`);
    if (workload.spec.replicas !== 1)
      problems.push(`${where}: a poller runs one replica, not ${workload.spec.replicas}`);
    if (workload.spec.strategy?.type !== 'Recreate') {
      problems.push(`${where}: use strategy Recreate, so two pollers never run during a roll-out`);
    }
  }

  const { values, origins, problems: unresolved } = resolveEnvironment(container, objects);
  problems.push(...unresolved.map((p) => `${where}: ${p}`));
  for (const name of Object.keys(origins)) {
    if (!app.envNames.has(name))
      problems.push(
        `${where}: ${name} is not read by ${app.packageName}: remove it, or add it to its config`,
      );
  }
  for (const credential of app.credentials) {
    if (optionalCredentials.has(credential) && origins[credential] === undefined) continue;
    if (origins[credential] !== 'secret') {
      problems.push(
        `${where}: take ${credential} from a Secret (secretKeyRef), ${origins[credential] === undefined ? 'it is not set' : 'not from a ' + origins[credential]}`,
      );
    }
  }
  const fromHandMadeSecret = new Set<string>();
  if (!options.secretsIncluded) {
    // Production: the Secret is made by hand; check every other value against the config schema.
    for (const [name, origin] of Object.entries(origins)) {
      if (origin !== 'secret') continue;
      delete values[name];
      fromHandMadeSecret.add(name);
    }
  }
  const env = Object.fromEntries(
    Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined),
  );
  try {
    loadConfig(app.name, app.spec, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // A credential without a default (the console's password hash) is required: the Secret made by hand has it.
    const unchecked = (problem: string) =>
      [...fromHandMadeSecret].some((name) => problem.startsWith(`${name} is required`));
    problems.push(...error.problems.filter((p) => !unchecked(p)).map((p) => `${where}: ${p}`));
  }
  if (app.role === 'console' && workload.kind !== 'Deployment') {
    problems.push(`${where}: run the console as a Deployment`);
  }

  if (app.role === 'writer') {
    if (workload.kind !== 'StatefulSet')
      problems.push(`${where}: run a writer as a StatefulSet (its ordinal is WRITER_REPLICA_INDEX)`);
    if (workload.kind === 'StatefulSet' && workload.spec.podManagementPolicy !== 'Parallel') {
      problems.push(
        `${where}: podManagementPolicy Parallel, so the replicas start together and split the partitions`,
      );
    }
    const replicas = workload.spec.replicas ?? 1;
    if (Number(env.WRITER_REPLICAS ?? app.spec.WRITER_REPLICAS?.default) !== replicas) {
      problems.push(`${where}: WRITER_REPLICAS=${env.WRITER_REPLICAS} must equal replicas (${replicas})`);
    }
    if (env.WRITER_REPLICA_INDEX)
      problems.push(
        `${where}: leave WRITER_REPLICA_INDEX unset: the ordinal ending the pod name is the index`,
      );
  }

  const httpPort = Number(env.HTTP_PORT ?? app.spec.HTTP_PORT?.default);
  const http = container.ports?.find((p) => p.name === 'http');
  if (http?.containerPort !== httpPort) {
    problems.push(
      `${where}: name the container port http and make it HTTP_PORT (${httpPort}), not ${http?.containerPort}`,
    );
  }
  const routes = app.buildHttp();
  for (const [kind, probe, path] of [
    ['livenessProbe', container.livenessProbe, '/health/live'],
    ['readinessProbe', container.readinessProbe, '/health/ready'],
  ] as const) {
    problems.push(...httpProbeProblems(where, kind, probe, path, httpPort, http?.name));
    if (!routes.hasRoute({ method: 'GET', url: path }))
      problems.push(`${where}: ${app.packageName} serves no GET ${path}`);
  }

  const annotations = pod.metadata?.annotations ?? {};
  if (annotations['prometheus.io/scrape'] !== 'true')
    problems.push(`${where}: annotate the pod prometheus.io/scrape: "true"`);
  if (annotations['prometheus.io/port'] !== String(httpPort))
    problems.push(`${where}: prometheus.io/port must be ${httpPort}`);
  const metricsPath = annotations['prometheus.io/path'];
  if (metricsPath === undefined || !routes.hasRoute({ method: 'GET', url: metricsPath })) {
    problems.push(`${where}: prometheus.io/path (${metricsPath}) is not a route of ${app.packageName}`);
  }
  void routes.close();

  const grace = pod.spec.terminationGracePeriodSeconds ?? 30;
  const shutdown = Number(env.SHUTDOWN_TIMEOUT_MS ?? app.spec.SHUTDOWN_TIMEOUT_MS?.default);
  if (!(grace * 1000 >= shutdown + 5000)) {
    problems.push(
      `${where}: terminationGracePeriodSeconds (${grace}) must exceed SHUTDOWN_TIMEOUT_MS (${shutdown} ms) by 5 s at least`,
    );
  }

  problems.push(...resourceProblems(where, container));
  if (pod.spec.securityContext?.runAsNonRoot !== true)
    problems.push(`${where}: set securityContext.runAsNonRoot: true`);
  if (container.securityContext?.allowPrivilegeEscalation !== false)
    problems.push(`${where}: set allowPrivilegeEscalation: false`);
  if (container.securityContext?.readOnlyRootFilesystem !== true)
    problems.push(`${where}: set readOnlyRootFilesystem: true`);

  const mappingsDir = env.MAPPINGS_DIR;
  const mount = container.volumeMounts?.find((m) => m.mountPath === mappingsDir);
  const volume = pod.spec.volumes?.find((v) => v.name === mount?.name);
  const configMap = volume?.configMap ? findObject(objects, 'ConfigMap', volume.configMap.name) : undefined;
  if (!configMap)
    problems.push(`${where}: mount the mapping tables ConfigMap at MAPPINGS_DIR (${mappingsDir})`);
  else problems.push(...mappingConfigMapProblems(configMap).map((p) => `${where}: ${p}`));

  const labels = pod.metadata?.labels ?? {};
  const budget = objects.find(
    (o) =>
      o.kind === 'PodDisruptionBudget' &&
      selects(
        (o.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels,
        labels,
      ),
  );
  if (!budget) problems.push(`${where}: add a PodDisruptionBudget selecting its pods`);
  return problems;
}

function httpProbeProblems(
  where: string,
  kind: string,
  probe: Probe | undefined,
  path: string,
  port: number,
  portName: string | undefined,
): string[] {
  if (!probe?.httpGet) return [`${where}: add a ${kind} httpGet ${path}`];
  const problems: string[] = [];
  if (probe.httpGet.path !== path)
    problems.push(`${where}: ${kind} must GET ${path}, not ${probe.httpGet.path}`);
  if (probe.httpGet.port !== port && (portName === undefined || probe.httpGet.port !== portName)) {
    problems.push(`${where}: ${kind} must probe port ${port} (or http), not ${probe.httpGet.port}`);
  }
  return problems;
}

function resourceProblems(where: string, container: Container): string[] {
  const request = container.resources?.requests?.memory;
  const limit = container.resources?.limits?.memory;
  if (!request || !limit) return [`${where}: set resources.requests.memory and resources.limits.memory`];
  return memoryBytes(request) > memoryBytes(limit)
    ? [`${where}: the memory request ${request} exceeds the limit ${limit}`]
    : [];
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** Everything an overlay renders, checked as a whole. */
export function overlayProblems(objects: readonly K8sObject[], overlay: 'demo' | 'production'): string[] {
  const problems: string[] = [];
  const all = workloads(objects);
  for (const workload of all) {
    for (const container of workload.spec.template.spec.containers) {
      problems.push(
        ...imageProblems(container.image).map((p) => `${workload.kind} ${workload.metadata.name}: ${p}`),
      );
    }
  }
  const secretsIncluded = objects.some((o) => o.kind === 'Secret');
  for (const app of services) {
    const running = all.filter((w) =>
      w.spec.template.spec.containers.some((c) => appOfImage(c.image) === app),
    );
    if (running.length !== 1) {
      problems.push(`${app.name}: runs in ${running.length} workloads, not one`);
      continue;
    }
    problems.push(...serviceWorkloadProblems(app, running[0] as Workload, objects, { secretsIncluded }));
  }

  const partitions = new Set(
    services
      .filter((app) => app.role !== 'console')
      .map((app) => {
        const workload = all.find((w) =>
          w.spec.template.spec.containers.some((c) => appOfImage(c.image) === app),
        );
        const container = workload?.spec.template.spec.containers.find((c) => appOfImage(c.image) === app);
        return container
          ? (resolveEnvironment(container, objects).values.PARTITIONS ?? app.spec.PARTITIONS?.default)
          : undefined;
      }),
  );
  if (partitions.size !== 1)
    problems.push(
      `PARTITIONS differs between the services (${[...partitions].join(', ')}): pollers and writers must agree`,
    );

  const simulatorWorkloads = all.filter((w) =>
    w.spec.template.spec.containers.some((c) => appOfImage(c.image)?.kind === 'simulator'),
  );
  const upstreamHosts = services.flatMap((app) => {
    const workload = all.find((w) =>
      w.spec.template.spec.containers.some((c) => appOfImage(c.image) === app),
    );
    const container = workload?.spec.template.spec.containers.find((c) => appOfImage(c.image) === app);
    if (!container) return [];
    const { values } = resolveEnvironment(container, objects);
    return ['PRIMERO_BASE_URL', 'OSCAR_BASE_URL']
      .map((name) => values[name])
      .filter((url): url is string => url !== undefined)
      .map((url) => ({ service: app.name, url, host: new URL(url).hostname }));
  });
  if (overlay === 'demo') {
    if (simulatorWorkloads.length !== simulators.length)
      problems.push(`the demo runs ${simulatorWorkloads.length} simulators, not ${simulators.length}`);
    for (const { service, url, host } of upstreamHosts) {
      const target = findObject(objects, 'Service', host);
      const targetPods = (target?.spec as { selector?: Record<string, string> } | undefined)?.selector;
      const isSimulator = simulatorWorkloads.some((w) =>
        selects(targetPods, w.spec.template.metadata?.labels ?? {}),
      );
      if (!isSimulator) problems.push(`${service}: ${url} is not a simulator's Service in the demo`);
    }
    for (const secret of objects.filter((o) => o.kind === 'Secret')) {
      if (secret.metadata.annotations?.['primero-oscar-sync/credentials'] !== 'demo-only') {
        problems.push(
          `Secret ${secret.metadata.name}: annotate it primero-oscar-sync/credentials: demo-only`,
        );
      }
    }
  } else {
    if (simulatorWorkloads.length > 0)
      problems.push(
        `production runs simulators: ${simulatorWorkloads.map((w) => w.metadata.name).join(', ')}`,
      );
    if (secretsIncluded)
      problems.push(
        'production renders a Secret: credentials are never in the repository, create the Secret by hand',
      );
    for (const { service, url, host } of upstreamHosts) {
      if (findObject(objects, 'Service', host)) problems.push(`${service}: ${url} points inside the cluster`);
    }
  }
  return problems;
}
