import { entityVitestConfig } from '@entity/vitest-config';

export default entityVitestConfig();
