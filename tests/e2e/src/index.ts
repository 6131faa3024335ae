export type { JsonResponse, ServiceName, SystemOptions } from './system.ts';
export { adminToken, controlToken, System, usersPassword, useSystem, webhookSecret } from './system.ts';
