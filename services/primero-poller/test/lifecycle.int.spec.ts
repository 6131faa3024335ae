import { describeServiceLifecycle } from '@pos/testkit';

describeServiceLifecycle('primero-poller', new URL('../src/main.ts', import.meta.url).pathname);
