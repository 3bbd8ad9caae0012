// Runs beside every test file (vitest.config.mts `setupFiles`): the temp folders the file's
// tests made with tempDir go once the file is done, so runs do not pile them up in /tmp.

import { afterAll } from 'vitest';
import { removeTempDirs } from './collector';

afterAll(removeTempDirs);
