export type { JsonResponse, ServiceName, SystemOptions } from './system.ts';
export { controlToken, System, usersPassword, useSystem } from './system.ts';
