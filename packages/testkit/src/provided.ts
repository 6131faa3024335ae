/** What the global setup hands every spec file through vitest's `inject()`. */
declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    amqpUrl: string;
    amqpManagementUrl: string;
  }
}

export {};
