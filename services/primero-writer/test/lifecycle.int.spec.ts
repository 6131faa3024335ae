import { describeServiceLifecycle } from '@pos/testkit';

describeServiceLifecycle('primero-writer', new URL('../src/main.ts', import.meta.url).pathname);
