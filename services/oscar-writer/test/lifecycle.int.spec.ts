import { describeServiceLifecycle } from '@pos/testkit';

describeServiceLifecycle('oscar-writer', new URL('../src/main.ts', import.meta.url).pathname);
