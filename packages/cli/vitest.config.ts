import { entityVitestConfig } from '@entity/vitest-config';

export default entityVitestConfig({ globalSetup: ['test/global-setup.ts'] });
