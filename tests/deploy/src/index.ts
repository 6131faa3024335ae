export type { DeployableApp, ServiceApp, SimulatorApp } from './apps.ts';
export {
  appOfImage,
  apps,
  imageNameOf,
  imageProblems,
  readRepositoryFile,
  repositoryRoot,
  services,
  simulators,
  splitImage,
} from './apps.ts';
