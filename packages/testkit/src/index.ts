import './provided.ts';

export type { AdminSurfaceOptions } from './admin-surface.ts';
export { describeAdminSurface, testAdminToken } from './admin-surface.ts';
export type { TestDatabase } from './database.ts';
export { createTestDatabase, useTestDatabase } from './database.ts';
export { eventually } from './eventually.ts';
export type { Infrastructure } from './infrastructure.ts';
export { managementUrlFor, startInfrastructure } from './infrastructure.ts';
export { checkLeaks, findLeaks, leakedSince, openSockets } from './leaks.ts';
export { describeServiceLifecycle } from './service-lifecycle.ts';
export type { ServiceProcess } from './service-process.ts';
export { freePort, startServiceProcess } from './service-process.ts';
export type { TestVhost } from './vhost.ts';
export { createTestVhost, management, useTestVhost } from './vhost.ts';
