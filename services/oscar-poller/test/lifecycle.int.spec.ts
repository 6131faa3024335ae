import { describeServiceLifecycle } from '@pos/testkit';

describeServiceLifecycle('oscar-poller', new URL('../src/main.ts', import.meta.url).pathname);
