import { execFileSync } from 'node:child_process';

import { parseAllDocuments } from 'yaml';

import { repositoryRoot } from './apps.ts';
import { isMap } from './compose.ts';

/** A rendered Kubernetes object, as plain data. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/**
 * `kubectl kustomize <folder>` (kustomize as built into kubectl), parsed. Fails with how to install
 * kubectl when it is missing, rather than skipping: these checks must run wherever the tests run.
 */
export function renderKustomization(folder: string): K8sObject[] {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', folder], {
      cwd: repositoryRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    if (isMissingProgram(error)) {
      throw new Error(
        'kubectl is not installed, and the Kubernetes checks need `kubectl kustomize`: install kubectl ' +
          '(https://kubernetes.io/docs/tasks/tools/, or `apt-get install kubectl` from the Kubernetes apt repository)',
      );
    }
    const stderr = isMap(error) && typeof error.stderr === 'string' ? error.stderr : String(error);
    throw new Error(`kubectl kustomize ${folder} failed: ${stderr.trim()}`);
  }
  return parseManifests(output);
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as unknown)
    .filter((value) => value !== null)
    .map((value, index) => {
      if (
        !isMap(value) ||
        typeof value.apiVersion !== 'string' ||
        typeof value.kind !== 'string' ||
        !isMap(value.metadata)
      ) {
        throw new Error(`document ${index + 1} is not a Kubernetes object`);
      }
      return value as K8sObject;
    });
}

function isMissingProgram(error: unknown): boolean {
  return isMap(error) && error.code === 'ENOENT';
}

interface Validatable {
  validate: () => void;
}
type ModelClass = new (data: unknown) => Validatable;

/**
 * Validates an object against the Kubernetes OpenAPI schema of its kind (kubernetes-models): types,
 * required fields and formats. Those schemas allow unknown fields, so a misspelt field passes here; the
 * semantic checks (probes, ports, env) catch the ones that matter.
 */
export async function kubernetesSchemaProblems(object: K8sObject): Promise<string[]> {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  const modulePath = `kubernetes-models/${group === '' ? '' : `${group}/`}${version}/${object.kind}`;
  let model: ModelClass;
  try {
    const module = (await import(modulePath)) as Record<string, unknown>;
    model = module[object.kind] as ModelClass;
  } catch {
    return [`${object.kind} ${object.metadata.name}: no schema for ${object.apiVersion} ${object.kind}`];
  }
  try {
    new model(withDecodableData(object)).validate();
    return [];
  } catch (error) {
    return [
      `${object.kind} ${object.metadata.name}: ${error instanceof Error ? error.message : String(error)}`,
    ];
  }
}

/**
 * kustomize writes long base64 Secret values over several lines; the API server's decoder skips the line
 * breaks, the schema's "byte" format does not. So they are removed before validating.
 */
function withDecodableData(object: K8sObject): K8sObject {
  if (object.kind !== 'Secret' || !isMap(object.data)) return object;
  const data = Object.fromEntries(
    Object.entries(object.data).map(([key, value]) => [key, String(value).replace(/\s+/g, '')]),
  );
  return { ...object, data };
}

export interface EnvVarSource {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    [other: string]: unknown;
  };
}

export interface Probe {
  httpGet?: { path?: string; port?: string | number };
  tcpSocket?: { port?: string | number };
  exec?: { command?: string[] };
}

export interface Container {
  name: string;
  image: string;
  env?: EnvVarSource[];
  envFrom?: unknown[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    containers: Container[];
    terminationGracePeriodSeconds?: number;
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
    volumes?: { name: string; configMap?: { name: string } }[];
  };
}

/** A Deployment or StatefulSet, with the parts the checks read. */
export interface Workload extends K8sObject {
  spec: {
    replicas?: number;
    strategy?: { type?: string };
    podManagementPolicy?: string;
    serviceName?: string;
    selector: { matchLabels?: Record<string, string> };
    template: PodTemplate;
  };
}

export function workloads(objects: readonly K8sObject[]): Workload[] {
  return objects.filter((o): o is Workload => ['Deployment', 'StatefulSet'].includes(o.kind));
}

export function findObject(objects: readonly K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

/** The data of a ConfigMap or Secret (Secret data base64-decoded). */
export function dataOf(object: K8sObject): Record<string, string> {
  const data = isMap(object.data) ? object.data : {};
  const decoded = Object.fromEntries(
    Object.entries(data).map(([key, value]) => [
      key,
      object.kind === 'Secret' ? Buffer.from(String(value), 'base64').toString('utf8') : String(value),
    ]),
  );
  const stringData = isMap(object.stringData) ? object.stringData : {};
  return { ...decoded, ...Object.fromEntries(Object.entries(stringData).map(([k, v]) => [k, String(v)])) };
}

/** How a variable gets its value. */
export type EnvOrigin = 'value' | 'secret' | 'configMap' | 'other';

/**
 * A container's environment resolved against the rendered objects: each variable's value (undefined when
 * it comes from a Secret that is not among them, as in production) and origin, and the references that
 * do not resolve.
 */
export function resolveEnvironment(
  container: Container,
  objects: readonly K8sObject[],
): { values: Record<string, string | undefined>; origins: Record<string, EnvOrigin>; problems: string[] } {
  const values: Record<string, string | undefined> = {};
  const origins: Record<string, EnvOrigin> = {};
  const problems: string[] = [];
  for (const variable of container.env ?? []) {
    if (variable.name in origins) problems.push(`${container.name}: ${variable.name} is set twice`);
    const secretRef = variable.valueFrom?.secretKeyRef;
    const configRef = variable.valueFrom?.configMapKeyRef;
    if (variable.value !== undefined) {
      values[variable.name] = variable.value;
      origins[variable.name] = 'value';
    } else if (secretRef) {
      origins[variable.name] = 'secret';
      const secret = findObject(objects, 'Secret', secretRef.name);
      values[variable.name] = secret ? dataOf(secret)[secretRef.key] : undefined;
      if (secret && values[variable.name] === undefined) {
        problems.push(
          `${container.name}: ${variable.name}: Secret ${secretRef.name} has no key ${secretRef.key}`,
        );
      }
    } else if (configRef) {
      origins[variable.name] = 'configMap';
      const configMap = findObject(objects, 'ConfigMap', configRef.name);
      values[variable.name] = configMap ? dataOf(configMap)[configRef.key] : undefined;
      if (values[variable.name] === undefined && configRef.optional !== true) {
        problems.push(
          `${container.name}: ${variable.name}: ConfigMap ${configRef.name} has no key ${configRef.key}`,
        );
      }
    } else {
      origins[variable.name] = 'other';
    }
  }
  if ((container.envFrom ?? []).length > 0) {
    problems.push(
      `${container.name}: envFrom passes every key of a ConfigMap or Secret: list the variables one by one`,
    );
  }
  return { values, origins, problems };
}

/** Kubernetes memory quantities (`192Mi`, `1Gi`, `500M`) in bytes. */
export function memoryBytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!match) throw new Error(`not a memory quantity: ${quantity}`);
  const factors: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
  };
  return Number(match[1]) * (factors[match[2] ?? ''] ?? 1);
}
